const express = require("express");
const { Pool } = require("pg");

// Configured with one variable per setting, as the hosting panel gives them.
const pool = new Pool({
  host: process.env.DB_HOST,
  port: Number(process.env.DB_PORT || 5432),
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: process.env.DB_NAME,
});

const app = express();
app.use(express.json());

app.get("/notes", async (_req, res) => {
  const { rows } = await pool.query("SELECT id, body FROM notes ORDER BY id DESC LIMIT 50");
  res.json(rows);
});

const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`listening on ${port}`));
