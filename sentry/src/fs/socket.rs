//! AF_UNIX stream socket pairs (socketpair(2)): two pipes crossing, one per
//! direction, so each end reads what the other writes. shutdown(2) closes a
//! direction.

use std::sync::{Mutex, MutexGuard};

use sbx_abi::flags::S_IFSOCK;
use sbx_abi::structs::Stat;
use sbx_abi::Errno;

use super::pipe::{new_pipe, PipeEnd};
use crate::kernel::Task;
use crate::vfs::{FileDescription, FileOps};

/// One end of a connected stream socket pair.
pub struct UnixStream {
    rx: Mutex<Option<PipeEnd>>,
    tx: Mutex<Option<PipeEnd>>,
    ino: u64,
}

/// Makes a connected pair.
pub fn pair(ino_a: u64, ino_b: u64) -> (UnixStream, UnixStream) {
    let (a_rx, b_tx) = new_pipe(ino_a);
    let (b_rx, a_tx) = new_pipe(ino_b);
    (
        UnixStream { rx: Mutex::new(Some(a_rx)), tx: Mutex::new(Some(a_tx)), ino: ino_a },
        UnixStream { rx: Mutex::new(Some(b_rx)), tx: Mutex::new(Some(b_tx)), ino: ino_b },
    )
}

fn lock(m: &Mutex<Option<PipeEnd>>) -> MutexGuard<'_, Option<PipeEnd>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl UnixStream {
    /// Receives into `buf` (0 at end of stream, after the peer's shutdown or close).
    pub fn recv(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Result<usize, Errno> {
        // A shutdown(SHUT_RD) from another thread waits until a blocked receive ends.
        let g = lock(&self.rx);
        match g.as_ref() {
            Some(p) => p.read_task(t, buf, nonblock),
            None => Ok(0),
        }
    }

    /// Sends `buf`; EPIPE after shutdown or when the peer is gone.
    pub fn send(&self, t: &Task, buf: &[u8], nonblock: bool) -> Result<usize, Errno> {
        let g = lock(&self.tx);
        match g.as_ref() {
            Some(p) => p.write_task(t, buf, nonblock),
            None => Err(Errno::EPIPE),
        }
    }

    /// shutdown(2): SHUT_RD (0), SHUT_WR (1), SHUT_RDWR (2).
    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        if !(0..=2).contains(&how) {
            return Err(Errno::EINVAL);
        }
        if how != 1 {
            lock(&self.rx).take();
        }
        if how != 0 {
            lock(&self.tx).take();
        }
        Ok(())
    }
}

impl FileOps for UnixStream {
    fn stat(&self, _f: &FileDescription) -> Result<Stat, Errno> {
        Ok(Stat {
            st_dev: 0x8,
            st_ino: self.ino,
            st_nlink: 1,
            st_mode: S_IFSOCK | 0o777,
            st_blksize: 4096,
            ..Default::default()
        })
    }
    fn seekable(&self) -> bool {
        false
    }
    fn read_blocking(&self, t: &Task, buf: &mut [u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.recv(t, buf, nonblock))
    }
    fn write_blocking(&self, t: &Task, buf: &[u8], nonblock: bool) -> Option<Result<usize, Errno>> {
        Some(self.send(t, buf, nonblock))
    }
    fn poll(&self) -> u32 {
        use super::pipe::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
        // Readable: data, or the end of the stream (peer gone or reads shut down).
        let (readable, eof) = match lock(&self.rx).as_ref() {
            Some(p) => {
                let r = p.poll();
                (r & (POLLIN | POLLHUP) != 0, r & POLLHUP != 0)
            }
            None => (true, true),
        };
        // Writable: room in the peer's direction; gone when shut down or the peer left.
        let (writable, gone) = match lock(&self.tx).as_ref() {
            Some(p) => {
                let w = p.poll();
                (w & POLLOUT != 0, w & POLLERR != 0)
            }
            None => (false, true),
        };
        let mut r = 0;
        if readable {
            r |= POLLIN | POLLRDNORM;
        }
        if writable {
            r |= POLLOUT | POLLWRNORM;
        }
        // A stream socket hangs up when both directions are finished.
        if eof && gone {
            r |= POLLHUP;
        }
        r
    }
    fn poll_seq(&self) -> u64 {
        let a = lock(&self.rx).as_ref().map_or(0, |p| p.poll_seq());
        let b = lock(&self.tx).as_ref().map_or(0, |p| p.poll_seq());
        a.wrapping_add(b)
    }
    fn as_socket(&self) -> Option<&UnixStream> {
        Some(self)
    }
}
