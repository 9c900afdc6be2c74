// Run by hand once: fills a fresh database with demo rows.
const { Pool } = require("pg");
const pool = new Pool({ connectionString: process.env.SEED_DATABASE_URL });
pool.query("insert into items(name) values ('demo')");
