//! Reading files named by untrusted input.
//!
//! Everything sagescan scans may come from a hostile pull request, so a path in the input
//! can name a FIFO, a device, a file under `/proc` or something huge. [`read_limited`] is
//! the one way the loaders and `fix` read such a path: it refuses what is not a regular
//! file before opening it and never reads more than a byte budget.

use std::path::Path;

/// [`read_limited`], as UTF-8 text.
pub fn read_text(path: &Path, max: u64, named: Named) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, max, named)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Who named a file to read, which decides what it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// The user, on the command line: what they name is read, a pipe included
    /// (`--var-file <(…)`).
    ByUser,
    /// The scanned input: a file found in the tree, or a path a file names (a template's
    /// `TemplateURL`, a CDK manifest's asset). Only a regular file is read.
    ByInput,
}

/// Reads a file of at most `max` bytes. The input can point anywhere: a FIFO would block
/// the open until some writer came, and a device such as `/dev/zero` never ends, so what
/// the input names must be a regular file, refused unopened otherwise; and the read stops
/// after `max` bytes even if the file grew since it was measured, lies about its size (as
/// files under `/proc` do) or is a pipe. Errors name the problem, not the path.
pub fn read_limited(path: &Path, max: u64, named: Named) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if named == Named::ByInput && !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("not a regular file ({}); not read", file_kind(&meta)),
        ));
    }
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
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
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
