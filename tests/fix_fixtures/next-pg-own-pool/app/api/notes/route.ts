import pool from "@/lib/db";

export async function GET() {
  const res = await pool.query("SELECT id, body FROM notes ORDER BY id DESC");
  return Response.json(res.rows);
}
