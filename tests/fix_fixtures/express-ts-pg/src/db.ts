import pg from "pg";

// The app connects with DB_* variables, not DATABASE_URL.
export const pool: pg.Pool = new pg.Pool({
  host: process.env.DB_HOST,
  port: Number(process.env.DB_PORT) || 5432,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: process.env.DB_NAME,
});
