import { Router } from "express";
import { pool } from "../db.js";

export const usersRouter = Router();

usersRouter.get("/", async (_req, res) => {
  const { rows } = await pool.query("SELECT 1 AS id");
  res.json(rows);
});
