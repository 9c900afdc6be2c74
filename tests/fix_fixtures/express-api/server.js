const express = require("express");
const { Pool } = require("pg");
const Redis = require("ioredis");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const redis = new Redis(process.env.REDIS_URL);

const app = express();
app.use(express.json());

app.get("/orders", async (_req, res) => {
  const cached = await redis.get("orders");
  if (cached) return res.json(JSON.parse(cached));
  const { rows } = await pool.query("SELECT id, email, total_cents FROM orders ORDER BY id DESC LIMIT 20");
  await redis.set("orders", JSON.stringify(rows), "EX", 30);
  res.json(rows);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`listening on ${port}`));
