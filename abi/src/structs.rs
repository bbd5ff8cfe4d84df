//! `#[repr(C)]` structures exchanged with the guest, laid out as on Linux x86_64.
//!
//! Each derives zerocopy's traits so it is copied to and from guest memory as bytes
//! without `unsafe` here.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `struct timespec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds (0..1e9).
    pub tv_nsec: i64,
}

impl Timespec {
    /// Whether `tv_nsec` is in range, as Linux requires (`timespec64_valid`).
    pub fn is_valid(&self) -> bool {
        self.tv_sec >= 0 && (0..1_000_000_000).contains(&self.tv_nsec)
    }
    /// As a duration; None when invalid.
    pub fn to_duration(&self) -> Option<std::time::Duration> {
        self.is_valid().then(|| std::time::Duration::new(self.tv_sec as u64, self.tv_nsec as u32))
    }
    /// From a duration.
    pub fn from_duration(d: std::time::Duration) -> Self {
        Timespec { tv_sec: d.as_secs() as i64, tv_nsec: i64::from(d.subsec_nanos()) }
    }
}

/// `struct timeval`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Timeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds.
    pub tv_usec: i64,
}

/// `struct timezone` (obsolete, zeros).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Timezone {
    /// Minutes west of Greenwich.
    pub tz_minuteswest: i32,
    /// DST type.
    pub tz_dsttime: i32,
}

/// `struct stat` as x86_64 `fstat` fills it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Stat {
    /// Device.
    pub st_dev: u64,
    /// Inode number.
    pub st_ino: u64,
    /// Link count.
    pub st_nlink: u64,
    /// Type and mode.
    pub st_mode: u32,
    /// Owner.
    pub st_uid: u32,
    /// Group.
    pub st_gid: u32,
    /// Padding.
    pub __pad0: u32,
    /// Device number for device files.
    pub st_rdev: u64,
    /// Size in bytes.
    pub st_size: i64,
    /// Preferred I/O size.
    pub st_blksize: i64,
    /// 512-byte blocks allocated.
    pub st_blocks: i64,
    /// Access time, seconds.
    pub st_atime: i64,
    /// Access time, nanoseconds.
    pub st_atime_nsec: i64,
    /// Modification time, seconds.
    pub st_mtime: i64,
    /// Modification time, nanoseconds.
    pub st_mtime_nsec: i64,
    /// Status change time, seconds.
    pub st_ctime: i64,
    /// Status change time, nanoseconds.
    pub st_ctime_nsec: i64,
    /// Reserved.
    pub __unused: [i64; 3],
}

/// `struct statx_timestamp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct StatxTimestamp {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: u32,
    /// Reserved.
    pub __reserved: i32,
}

/// `struct statx`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Statx {
    /// Which fields are filled (STATX_*).
    pub stx_mask: u32,
    /// Preferred I/O size.
    pub stx_blksize: u32,
    /// Attributes.
    pub stx_attributes: u64,
    /// Link count.
    pub stx_nlink: u32,
    /// Owner.
    pub stx_uid: u32,
    /// Group.
    pub stx_gid: u32,
    /// Type and mode.
    pub stx_mode: u16,
    /// Padding.
    pub __spare0: u16,
    /// Inode number.
    pub stx_ino: u64,
    /// Size.
    pub stx_size: u64,
    /// Blocks.
    pub stx_blocks: u64,
    /// Supported attributes.
    pub stx_attributes_mask: u64,
    /// Access time.
    pub stx_atime: StatxTimestamp,
    /// Birth time.
    pub stx_btime: StatxTimestamp,
    /// Change time.
    pub stx_ctime: StatxTimestamp,
    /// Modification time.
    pub stx_mtime: StatxTimestamp,
    /// rdev major.
    pub stx_rdev_major: u32,
    /// rdev minor.
    pub stx_rdev_minor: u32,
    /// dev major.
    pub stx_dev_major: u32,
    /// dev minor.
    pub stx_dev_minor: u32,
    /// Mount id.
    pub stx_mnt_id: u64,
    /// Direct I/O alignment.
    pub stx_dio_mem_align: u32,
    /// Direct I/O offset alignment.
    pub stx_dio_offset_align: u32,
    /// Reserved.
    pub __spare3: [u64; 12],
}

/// statx mask bits.
pub mod statx_mask {
    /// Basic stats (everything in struct stat).
    pub const STATX_BASIC_STATS: u32 = 0x7ff;
    /// Birth time.
    pub const STATX_BTIME: u32 = 0x800;
    /// Mount id.
    pub const STATX_MNT_ID: u32 = 0x1000;
    /// Reserved bit; must not be set.
    pub const STATX__RESERVED: u32 = 0x8000_0000;
}

/// `struct iovec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Iovec {
    /// Base address.
    pub iov_base: u64,
    /// Length.
    pub iov_len: u64,
}

/// Maximum iovecs per call (`UIO_MAXIOV`).
pub const UIO_MAXIOV: usize = 1024;

/// `struct new_utsname`.
#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Utsname {
    /// OS name.
    pub sysname: [u8; 65],
    /// Host name.
    pub nodename: [u8; 65],
    /// Release.
    pub release: [u8; 65],
    /// Version.
    pub version: [u8; 65],
    /// Machine.
    pub machine: [u8; 65],
    /// Domain name.
    pub domainname: [u8; 65],
}

/// `struct sysinfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sysinfo {
    /// Seconds since boot.
    pub uptime: i64,
    /// Load averages (1, 5, 15 min) scaled by 65536.
    pub loads: [u64; 3],
    /// Total RAM.
    pub totalram: u64,
    /// Free RAM.
    pub freeram: u64,
    /// Shared RAM.
    pub sharedram: u64,
    /// Buffer RAM.
    pub bufferram: u64,
    /// Total swap.
    pub totalswap: u64,
    /// Free swap.
    pub freeswap: u64,
    /// Number of processes.
    pub procs: u16,
    /// Padding.
    pub pad: u16,
    /// Padding.
    pub pad2: u32,
    /// Total high memory.
    pub totalhigh: u64,
    /// Free high memory.
    pub freehigh: u64,
    /// Memory unit size.
    pub mem_unit: u32,
    /// Padding.
    pub _f: [u8; 4],
}

/// `struct rlimit64`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Rlimit {
    /// Soft limit.
    pub rlim_cur: u64,
    /// Hard limit.
    pub rlim_max: u64,
}

/// Header of a `struct linux_dirent64` (the name follows at byte 19, NUL-terminated,
/// the record padded to 8 bytes).
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Dirent64Header {
    /// Inode number.
    pub d_ino: u64,
    /// Offset cookie of the next entry.
    pub d_off: i64,
    /// Length of this record.
    pub d_reclen: u16,
    /// File type (DT_*).
    pub d_type: u8,
}

/// `struct termios` (kernel layout, as TCGETS fills it).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Termios {
    /// Input modes.
    pub c_iflag: u32,
    /// Output modes.
    pub c_oflag: u32,
    /// Control modes.
    pub c_cflag: u32,
    /// Local modes.
    pub c_lflag: u32,
    /// Line discipline.
    pub c_line: u8,
    /// Control characters.
    pub c_cc: [u8; 19],
}

/// `struct winsize`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Winsize {
    /// Rows.
    pub ws_row: u16,
    /// Columns.
    pub ws_col: u16,
    /// Width in pixels.
    pub ws_xpixel: u16,
    /// Height in pixels.
    pub ws_ypixel: u16,
}

/// `struct sigaction` as rt_sigaction takes it on x86_64.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Sigaction {
    /// Handler address, SIG_DFL or SIG_IGN.
    pub handler: u64,
    /// SA_* flags.
    pub flags: u64,
    /// Restorer trampoline (SA_RESTORER).
    pub restorer: u64,
    /// Signals blocked during the handler.
    pub mask: u64,
}

/// `struct tms`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Tms {
    /// User time.
    pub tms_utime: i64,
    /// System time.
    pub tms_stime: i64,
    /// Children's user time.
    pub tms_cutime: i64,
    /// Children's system time.
    pub tms_cstime: i64,
}

/// `struct rusage`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Rusage {
    /// User time.
    pub ru_utime: Timeval,
    /// System time.
    pub ru_stime: Timeval,
    /// Other fields (maxrss, ixrss, ...), in order.
    pub rest: [i64; 14],
}

/// `struct statfs`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct Statfs {
    /// File system type magic.
    pub f_type: i64,
    /// Block size.
    pub f_bsize: i64,
    /// Total blocks.
    pub f_blocks: u64,
    /// Free blocks.
    pub f_bfree: u64,
    /// Available blocks.
    pub f_bavail: u64,
    /// Total inodes.
    pub f_files: u64,
    /// Free inodes.
    pub f_ffree: u64,
    /// File system id.
    pub f_fsid: [i32; 2],
    /// Maximum name length.
    pub f_namelen: i64,
    /// Fragment size.
    pub f_frsize: i64,
    /// Mount flags.
    pub f_flags: i64,
    /// Reserved.
    pub f_spare: [i64; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_linux() {
        assert_eq!(std::mem::size_of::<Stat>(), 144);
        assert_eq!(std::mem::size_of::<Statx>(), 256);
        assert_eq!(std::mem::size_of::<Sysinfo>(), 112);
        assert_eq!(std::mem::size_of::<Utsname>(), 390);
        assert_eq!(std::mem::size_of::<Termios>(), 36);
        assert_eq!(std::mem::size_of::<Rusage>(), 144);
        assert_eq!(std::mem::size_of::<Statfs>(), 120);
        assert_eq!(std::mem::size_of::<Dirent64Header>(), 19);
    }
}
