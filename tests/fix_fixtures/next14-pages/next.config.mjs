// Blog configuration.
export default {
  reactStrictMode: true,
  poweredByHeader: false,
};
