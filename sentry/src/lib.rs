//! Sentry.
