var express = require('express');
var router = express.Router();
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

router.get('/', async function (req, res, next) {
  try {
    const { rows } = await pool.query('SELECT id, amount FROM pledges ORDER BY id');
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
