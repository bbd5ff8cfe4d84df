//! FIFOs (named pipes, fifo(7)): a pipe that lives in a file system node and is
//! shared by everyone who opens the node.
//!
//! The node keeps one [`Pipe`]; each open attaches a read end, a write end or (for
//! O_RDWR) both. Opening for reading waits until a writer opens, unless O_NONBLOCK;
//! opening for writing waits until a reader opens, and with O_NONBLOCK fails with
//! ENXIO when there is none; O_RDWR never waits. The waits are on the pipe's
//! counters of ends ever opened, so a partner that opens and closes at once still
//! releases the waiter, as in Linux. Reads and writes then go through the pipe
//! machinery unchanged.

use std::sync::Arc;

use sbx_abi::flags::OpenFlags;
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{Pipe, PipeEnd};
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// An open FIFO: its read end, write end, or both.
pub struct FifoFile {
    r: Option<PipeEnd>,
    w: Option<PipeEnd>,
}

/// Opens the FIFO whose pipe is `pipe` as `flags` ask, waiting for the partner
/// where fifo(7) says so.
pub fn open(t: &Task, pipe: &Arc<Pipe>, flags: OpenFlags) -> Result<Box<dyn FileOps>, Errno> {
    let nonblock = flags.contains(OpenFlags::O_NONBLOCK);
    let file = match (flags.readable(), flags.writable()) {
        (true, true) => FifoFile { r: Some(pipe.attach(false)), w: Some(pipe.attach(true)) },
        (true, false) => {
            let mut r = pipe.attach(false);
            let ((_, writers), (_, w_counter)) = pipe.ends();
            if writers == 0 {
                if nonblock {
                    r.set_hup_after(w_counter);
                } else {
                    pipe.wait_partner(t, false, w_counter)?;
                }
            }
            FifoFile { r: Some(r), w: None }
        }
        (false, true) => {
            if nonblock && pipe.ends().0 .0 == 0 {
                return Err(Errno::ENXIO);
            }
            let w = pipe.attach(true);
            let ((readers, _), (r_counter, _)) = pipe.ends();
            if readers == 0 {
                pipe.wait_partner(t, true, r_counter)?;
            }
            FifoFile { r: None, w: Some(w) }
        }
        (false, false) => return Err(Errno::EINVAL),
    };
    Ok(Box::new(file))
}

impl FileOps for FifoFile {
    fn stat(&self, f: &FileDescription) -> Result<Stat, Errno> {
        self.as_pipe().ok_or(Errno::EBADF)?.stat(f)
    }
    fn seekable(&self) -> bool {
        false
    }
    fn as_pipe(&self) -> Option<&PipeEnd> {
        self.r.as_ref().or(self.w.as_ref())
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.r.as_ref().ok_or(Errno::EBADF).and_then(|r| r.read_task(t, buf, nonblock)))
    }
    fn write_blocking(&self, t: &Task, buf: &[u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.w.as_ref().ok_or(Errno::EBADF).and_then(|w| w.write_task(t, buf, nonblock)))
    }
    fn poll(&self) -> u32 {
        self.r.as_ref().map_or(0, PipeEnd::poll) | self.w.as_ref().map_or(0, PipeEnd::poll)
    }
    fn poll_seq(&self) -> u64 {
        self.as_pipe().map_or(0, PipeEnd::poll_seq)
    }
}
