//! The Gofer server loop.
