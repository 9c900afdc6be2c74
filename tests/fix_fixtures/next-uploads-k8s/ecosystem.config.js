module.exports = {
  apps: [{ name: "gallery", script: "npm", args: "start", env: { PORT: 3000 } }],
};
