//! File systems.
