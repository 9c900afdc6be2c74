import { Pool } from "pg";

// The hosting platform's variable, not DATABASE_URL.
const pool = new Pool({
  connectionString: process.env.POSTGRES_URL,
});

export default pool;
