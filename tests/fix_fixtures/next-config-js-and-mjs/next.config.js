/** @type {import('next').NextConfig} */
module.exports = {
  distDir: "build",
  reactStrictMode: true,
};
