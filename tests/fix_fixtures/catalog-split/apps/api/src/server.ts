import express from "express";
import { health } from "./health";
import { pool } from "./db";

const app = express();
app.use(health);

app.get("/products", async (_req, res) => {
  const { rows } = await pool.query("SELECT id, name FROM products");
  res.json(rows);
});

app.listen(Number(process.env.PORT ?? 3000));
