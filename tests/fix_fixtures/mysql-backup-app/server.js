const express = require("express");
const mysql = require("mysql2/promise");
const pool = mysql.createPool(process.env.ORDERS_DB_URL);
const app = express();
app.get("/orders", async (_req, res) => res.json((await pool.query("SELECT * FROM orders"))[0]));
app.listen(3000);
