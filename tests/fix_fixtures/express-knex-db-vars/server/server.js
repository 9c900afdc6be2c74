const express = require("express");

const env = require("./env");
const db = require("./knex");
const redis = require("./redis");

const app = express();
app.use(express.json());

app.get("/links/:address", async (req, res) => {
  const cacheKey = redis.key.link(req.params.address);
  if (redis.client) {
    const cached = await redis.client.get(cacheKey);
    if (cached) return res.json(JSON.parse(cached));
  }
  const link = await db("links").where({ address: req.params.address }).first();
  if (!link) return res.status(404).json({ error: "not found" });
  if (redis.client) await redis.client.set(cacheKey, JSON.stringify(link), "EX", 60);
  res.json(link);
});

app.listen(env.PORT, () => console.log(`listening on ${env.PORT}`));
