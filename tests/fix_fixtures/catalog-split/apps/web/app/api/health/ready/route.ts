import { pool } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  const { rowCount } = await pool.query("SELECT 1");
  return Response.json({ status: rowCount === 1 ? "pass" : "fail" });
}
