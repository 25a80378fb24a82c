//! Reading files named by untrusted input.
//!
//! Everything sagescan scans may come from a hostile pull request, so a path in the input
//! can name a FIFO, a device, a file under `/proc` or something huge. [`read_limited`] is
//! the one way the loaders and `fix` read such a path: it refuses what is not a regular
//! file of an ordinary file system, never waits on what it opens and never reads more
//! than a byte budget.

use std::path::Path;

/// [`read_limited`], as UTF-8 text, without a leading UTF-8 byte order mark: editors and
/// shells on Windows write one (PowerShell 5.1's `Out-File -Encoding utf8`), and no JSON,
/// YAML or HCL parser wants it, so a file that begins with one would otherwise be rejected
/// or, worse, not recognised for what it is. Offsets in the text count from after it.
pub fn read_text(path: &Path, max: u64, named: Named) -> std::io::Result<String> {
    let mut bytes = read_limited(path, max, named)?;
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// The UTF-8 encoding of U+FEFF.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Who named a file to read, which decides what it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// The user, on the command line: what they name is read, a pipe included
    /// (`--var-file <(…)`).
    ByUser,
    /// The scanned input: a file found in the tree, or a path a file names (a template's
    /// `TemplateURL`, a CDK manifest's asset). Only a regular file of an ordinary file
    /// system is read.
    ByInput,
}

/// Reads a file of at most `max` bytes.
///
/// The input can point anywhere, and no read of it may wait without bound. A FIFO would
/// block the open until some writer came and a device such as `/dev/zero` never ends, so
/// what the input names must be a regular file, refused unopened otherwise. That is not
/// enough: `/proc/kmsg` is a "regular file" of size 0 whose read waits for the next kernel
/// message, and other files of the kernel's pseudo file systems block, change or have side
/// effects when read. So the file is opened non-blocking, and it is the *open* file that is
/// examined (`fstat`, `fstatfs`), not the path, which a link swapped in between could
/// redirect: it must be a regular file on an ordinary file system. The read stops after
/// `max` bytes even if the file grew since it was measured, lies about its size or is a
/// pipe. Errors name the problem, not the path.
pub fn read_limited(path: &Path, max: u64, named: Named) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let (file, meta) = match named {
        Named::ByInput => open_input(path)?,
        Named::ByUser => {
            let file = std::fs::File::open(path)?;
            let meta = file.metadata()?;
            (file, meta)
        }
    };
    let too_large = |len: u64| {
        Error::new(
            ErrorKind::FileTooLarge,
            format!("{len} bytes exceeds the {max}-byte limit (--max-file-size)"),
        )
    };
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| {
            // Only a file that would have blocked says so to a non-blocking read.
            if e.kind() == ErrorKind::WouldBlock {
                Error::new(
                    ErrorKind::InvalidInput,
                    "reading would block (not an ordinary file); not read",
                )
            } else {
                e
            }
        })?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Whether [`read_limited`] would read what the input names at `path`, without reading:
/// for files that another library opens (the directory walker's ignore files).
pub fn ensure_ordinary(path: &Path) -> std::io::Result<()> {
    open_input(path).map(drop)
}

/// Opens what the input names, refusing (with the reason) anything but a regular file of
/// an ordinary file system.
fn open_input(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    // Refused unopened where possible: opening a device can have effects of its own.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = open_nonblocking(path)?;
    // The open file, whatever the path leads to now.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if let Some(fs) = pseudo_file_system(&file, path)? {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("a file of the kernel's {fs} pseudo file system; not read"),
        ));
    }
    Ok((file, meta))
}

fn not_regular(meta: &std::fs::Metadata) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a regular file ({}); not read", file_kind(meta)),
    )
}

/// Opens for reading, non-blocking, so that a FIFO swapped in after the check cannot hold
/// the open, and without becoming a controlling terminal.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// The name of the kernel pseudo file system the open `file` lives on (procfs, sysfs,
/// debugfs, …), if it does: their regular files are not data, and reading one may block
/// or have side effects. Linux answers for the open file (`fstatfs`).
#[cfg(target_os = "linux")]
fn pseudo_file_system(file: &std::fs::File, _path: &Path) -> std::io::Result<Option<&'static str>> {
    use std::os::fd::AsRawFd;
    // SAFETY: `statfs` is plain data, for which all zeroes is a valid value, and `fstatfs`
    // only writes into it; the descriptor is open for as long as `file` lives.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut fs) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The magic numbers of linux/magic.h. Not tmpfs (0x01021994), which devtmpfs shares:
    // /tmp is tmpfs, and /dev's regular files are created by root only.
    #[allow(clippy::unnecessary_cast)] // f_type's width differs between architectures.
    let name = match fs.f_type as u64 {
        0x9fa0 => "procfs",
        0x6265_6572 => "sysfs",
        0x6462_6720 => "debugfs",
        0x7472_6163 => "tracefs",
        0x7363_6673 => "securityfs",
        0x0027_e0eb => "cgroup",
        0x6367_7270 => "cgroup2",
        0xcafe_4a11 => "bpf",
        0x6265_6570 => "configfs",
        0x6573_5543 => "fusectl",
        0x6165_676c => "pstore",
        0xde5e_81e4 => "efivarfs",
        0xf97c_ff8c => "selinuxfs",
        0x4341_5d53 => "smackfs",
        0x4249_4e4d => "binfmt_misc",
        0x6e73_6673 => "nsfs",
        0x1cd1 => "devpts",
        0x5049_5045 => "pipefs",
        0x6273_6b74 => "sockfs",
        0x0000_9fa2 => "usbdevfs",
        _ => return Ok(None),
    };
    Ok(Some(name))
}

/// Elsewhere the open file's file system has no portable name, so the canonical path
/// decides: what lies under `/proc`, `/sys` or `/dev` is not data.
#[cfg(not(target_os = "linux"))]
fn pseudo_file_system(_file: &std::fs::File, path: &Path) -> std::io::Result<Option<&'static str>> {
    let real = path.canonicalize()?;
    Ok(["/proc", "/sys", "/dev"]
        .into_iter()
        .find(|p| real.starts_with(p)))
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "a special file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    #[test]
    fn what_the_input_names_is_read_only_if_it_is_a_regular_file() {
        // `/dev/zero` never ends.
        let e = read_limited(Path::new("/dev/zero"), 1 << 20, Named::ByInput).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a device); not read");
        let e = read_limited(Path::new("/"), 1 << 20, Named::ByInput).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory); not read");
        // A FIFO would block the open until a writer came: refused before opening.
        let fifo = std::env::temp_dir().join(format!("sagescan-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = read_limited(&fifo, 1 << 20, Named::ByInput).unwrap_err();
        std::fs::remove_file(&fifo).unwrap();
        assert_eq!(e.to_string(), "not a regular file (a FIFO); not read");
    }

    #[test]
    fn a_regular_file_of_a_kernel_pseudo_file_system_is_refused_without_reading() {
        // `/proc/kmsg` is such a file that blocks (and needs root); these are harmless
        // stand-ins that stat as regular files just the same.
        for (path, fs) in [
            ("/proc/self/status", "procfs"),
            ("/proc/self/cmdline", "procfs"),
        ] {
            let path = Path::new(path);
            assert!(std::fs::metadata(path).unwrap().is_file(), "{path:?}");
            let e = read_limited(path, 1 << 20, Named::ByInput).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert_eq!(
                e.to_string(),
                format!("a file of the kernel's {fs} pseudo file system; not read")
            );
        }
        // Reached through a link, as a committed `kmsg.tf -> /proc/kmsg` is.
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("kmsg.tf");
        std::os::unix::fs::symlink("/proc/self/status", &link).unwrap();
        let e = read_text(&link, 1 << 20, Named::ByInput).unwrap_err();
        assert!(e.to_string().contains("procfs"), "{e}");
        // What the user names on the command line is theirs to choose.
        assert!(read_limited(Path::new("/proc/self/status"), 1 << 20, Named::ByUser).is_ok());
    }

    #[test]
    fn sysfs_is_refused_too() {
        let Some(file) = ["/sys/kernel/uevent_seqnum", "/sys/power/state"]
            .into_iter()
            .map(Path::new)
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        else {
            return; // no sysfs in this sandbox
        };
        let e = read_limited(file, 1 << 20, Named::ByInput).unwrap_err();
        assert!(e.to_string().contains("sysfs"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.json");
        std::fs::write(&file, b"\xef\xbb\xbf{\"a\": 1}\n").unwrap();
        assert_eq!(
            read_text(&file, 100, Named::ByInput).unwrap(),
            "{\"a\": 1}\n"
        );
        // Only a leading one: U+FEFF inside the text is text.
        std::fs::write(&file, "x\u{feff}").unwrap();
        assert_eq!(read_text(&file, 100, Named::ByInput).unwrap(), "x\u{feff}");
        // UTF-16 is not UTF-8, and says so.
        std::fs::write(&file, b"\xff\xfe{\0}\0").unwrap();
        let e = read_text(&file, 100, Named::ByInput).unwrap_err();
        assert_eq!(e.to_string(), "stream did not contain valid UTF-8");
    }

    #[test]
    fn what_the_user_names_is_read_whatever_it_is_but_never_past_the_limit() {
        // A pipe or device reports no size; the read stops at the limit all the same.
        let e = read_limited(Path::new("/dev/zero"), 1000, Named::ByUser).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "1001 bytes exceeds the 1000-byte limit (--max-file-size)"
        );
        assert_eq!(
            read_limited(Path::new("/dev/null"), 1000, Named::ByUser).unwrap(),
            b""
        );
    }
}
