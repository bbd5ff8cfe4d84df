//! Gofer.
