//! Fix generators for Next.js apps.

pub mod config;
pub mod dockerfile;
pub mod health;
pub mod middleware;
pub mod sentry;
