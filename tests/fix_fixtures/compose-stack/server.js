const express = require("express");
const { Pool } = require("pg");
const Redis = require("ioredis");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const redis = new Redis(process.env.REDIS_URL);
const webhookSecret = process.env.LEDGER_WEBHOOK_SECRET;

const app = express();
app.use(express.json());

app.get("/health", (_req, res) => res.json({ status: "pass" }));

app.post("/entries", async (req, res) => {
  if (req.get("x-ledger-signature") !== webhookSecret) return res.status(401).end();
  const { rows } = await pool.query("INSERT INTO entries (amount_cents) VALUES ($1) RETURNING id", [req.body.amount_cents]);
  await redis.del("balance");
  res.status(201).json(rows[0]);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`listening on ${port}`));
