// Left over from a migration: Next loads next.config.js first and ignores this file.
const nextConfig = {};

export default nextConfig;
