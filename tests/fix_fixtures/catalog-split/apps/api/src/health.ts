import { Router } from "express";
import { pool } from "./db";

export const health = Router();

health.get("/health/live", (_req, res) => {
  res.json({ status: "pass" });
});

health.get("/health/ready", async (_req, res) => {
  try {
    await pool.query("SELECT 1");
    res.json({ status: "pass" });
  } catch (error) {
    res.status(503).json({ status: "fail", error: String(error) });
  }
});
