const Redis = require("ioredis");

const env = require("./env");

// Redis is optional: without REDIS_ENABLED the app caches nothing.
let client;

if (env.REDIS_ENABLED) {
  client = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT });
}

const key = {
  link: (address) => `l:${address}`,
};

module.exports = {
  client,
  key,
};
