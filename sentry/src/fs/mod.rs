//! File systems: tmpfs, the gofer-backed host view, the overlay root, devfs and
//! procfs.

pub mod dev;
pub mod epoll;
pub mod eventfd;
pub mod fifo;
pub mod gofer;
pub mod inotify;
pub mod memfd;
pub mod overlay;
pub mod pipe;
pub mod proc;
pub mod signalfd;
pub mod socket;
pub mod tmpfs;
