//! Which files a git work tree tracks, read from its index by hand.
//!
//! Ignore rules (`.gitignore`, `.ignore`) say what a developer's tools should skip, but a
//! pull request can add one that matches committed, deployed files: Terraform reads every
//! `.tf` file of a directory whatever git ignores. So inside a work tree the walk skips an
//! ignored file only if git does not track it, and that takes the index. The git binary is
//! never run for it: a hostile repository's configuration can make git run commands
//! (`core.fsmonitor`, hooks), so the index (format versions 2 to 4) is parsed here. A file
//! that cannot be parsed is an error for the caller to report, never a panic.

use sagescan_fs::{Named, read_limited, read_text};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Largest index read: a monorepo of two million files has an index of about 200 MiB.
const MAX_INDEX: u64 = 512 << 20;

/// The git directory of the work tree whose top is `top` (where `.git` is): `.git` itself,
/// or where a `.git` file (`gitdir: …`, as in linked worktrees and submodules) points.
pub(crate) fn git_dir(top: &Path) -> Result<PathBuf, String> {
    let dot = top.join(".git");
    let meta = std::fs::metadata(&dot).map_err(|e| format!("{}: {e}", dot.display()))?;
    if meta.is_dir() {
        return Ok(dot);
    }
    let text =
        read_text(&dot, 64 << 10, Named::ByInput).map_err(|e| format!("{}: {e}", dot.display()))?;
    let target = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("gitdir:"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("{}: not a `gitdir: <path>` file", dot.display()))?;
    // A relative path is relative to the directory holding the `.git` file.
    Ok(top.join(target))
}

/// The paths the index of `git_dir` tracks, relative to the work tree's top, `/`-separated.
/// A repository without an index yet (nothing ever added) tracks nothing.
pub(crate) fn tracked(git_dir: &Path) -> Result<HashSet<Vec<u8>>, String> {
    let path = git_dir.join("index");
    if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(HashSet::new());
    }
    let bytes = read_limited(&path, MAX_INDEX, Named::ByInput)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: not a git index that can be read ({e})", path.display()))
}

/// Parses an index file (format versions 2, 3 and 4) into its entries' paths. The object
/// name size (20 bytes for SHA-1, 32 for SHA-256) is not stored in the index itself: it is
/// the one for which every entry parses and the entries end before the trailing checksum.
pub(crate) fn parse(bytes: &[u8]) -> Result<HashSet<Vec<u8>>, String> {
    let first = parse_with(bytes, 20);
    match first {
        Ok(paths) => Ok(paths),
        Err(e) => parse_with(bytes, 32).map_err(|_| e),
    }
}

fn parse_with(bytes: &[u8], hash: usize) -> Result<HashSet<Vec<u8>>, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"DIRC" {
        return Err("no DIRC signature".into());
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return Err(format!("format version {version}"));
    }
    let count = r.u32()?;
    let mut paths = HashSet::new();
    let mut previous: Vec<u8> = Vec::new();
    for n in 0..count {
        let start = r.at;
        // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 bytes each).
        r.take(16)?;
        r.take(8)?;
        let mode = r.u32()?;
        r.take(12)?;
        r.take(hash)?;
        let flags = r.u16()?;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(format!("entry {n}: extended flags in a version 2 index"));
            }
            r.take(2)?;
        }
        let path = if version == 4 {
            // The path is the previous one less its last `strip` bytes, plus a suffix.
            let strip = r.varint()?;
            let keep = usize::try_from(strip)
                .ok()
                .and_then(|s| previous.len().checked_sub(s))
                .ok_or_else(|| format!("entry {n}: strips more than the previous path"))?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(r.until_nul()?);
            path
        } else {
            let path = r.until_nul()?.to_vec();
            // One to eight NULs (the one ending the path included) pad the entry to a
            // multiple of eight bytes.
            let len = r.at - start;
            let padded = (len + 7) & !7;
            let padding = r.take(padded - len)?;
            if padding.iter().any(|&b| b != 0) {
                return Err(format!("entry {n}: bad padding"));
            }
            path
        };
        if path.is_empty() {
            return Err(format!("entry {n}: empty path"));
        }
        // A submodule (gitlink) is not a file; its own index lists its files.
        if mode & 0o170000 != 0o160000 {
            paths.insert(path.clone());
        }
        previous = path;
    }
    // Extensions, then the checksum of everything before it.
    if r.at + hash > bytes.len() {
        return Err("truncated".into());
    }
    Ok(paths)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| "truncated".to_string())?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// The bytes up to a NUL, which is consumed.
    fn until_nul(&mut self) -> Result<&'a [u8], String> {
        let rest = &self.bytes[self.at..];
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| "truncated".to_string())?;
        self.at += len + 1;
        Ok(&rest[..len])
    }

    /// Git's offset encoding (each continuation adds one before shifting), as version 4
    /// uses for the prefix length.
    fn varint(&mut self) -> Result<u64, String> {
        let mut byte = self.take(1)?[0];
        let mut value = u64::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)
                .and_then(|v| v.checked_mul(128))
                .map(|v| v | u64::from(byte & 0x7f))
                .ok_or_else(|| "prefix length overflows".to_string())?;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of `paths` (with `modes`), as git writes it in `version`.
    fn index(version: u32, hash: usize, entries: &[(&str, u32)]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(version.to_be_bytes());
        out.extend((entries.len() as u32).to_be_bytes());
        let mut previous = "";
        for (i, &(path, mode)) in entries.iter().enumerate() {
            let start = out.len();
            out.extend([0u8; 24]);
            out.extend(mode.to_be_bytes());
            out.extend([0u8; 12]);
            out.extend(vec![0xab; hash]);
            // Every other entry of a version 3 index has the extended flag.
            let extended = version == 3 && i % 2 == 1;
            let flags = (path.len().min(0xfff) as u16) | if extended { 0x4000 } else { 0 };
            out.extend(flags.to_be_bytes());
            if extended {
                out.extend([0, 0]);
            }
            if version == 4 {
                let common = previous
                    .bytes()
                    .zip(path.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let strip = previous.len() - common;
                assert!(strip < 0x80, "one-byte varints only");
                out.push(strip as u8);
                out.extend(&path.as_bytes()[common..]);
                out.push(0);
            } else {
                out.extend(path.as_bytes());
                let len = out.len() - start;
                out.extend(vec![0; ((len + 8) & !7) - len]);
            }
            previous = path;
        }
        // A tree extension, then the checksum.
        out.extend(b"TREE");
        out.extend(0u32.to_be_bytes());
        out.extend(vec![0xcd; hash]);
        out
    }

    const ENTRIES: &[(&str, u32)] = &[
        (".gitignore", 0o100644),
        ("infra/main.tf", 0o100644),
        ("infra/modules/net/main.tf", 0o100644),
        ("infra/shared.tf", 0o120000),
        ("vendor/sub", 0o160000),
    ];

    fn sorted(set: HashSet<Vec<u8>>) -> Vec<String> {
        let mut v: Vec<String> = set
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_version_and_hash_size_gives_the_tracked_paths() {
        for version in [2, 3, 4] {
            for hash in [20, 32] {
                let paths = parse(&index(version, hash, ENTRIES)).unwrap();
                // The submodule is not a file; the link is.
                assert_eq!(
                    sorted(paths),
                    [
                        ".gitignore",
                        "infra/main.tf",
                        "infra/modules/net/main.tf",
                        "infra/shared.tf"
                    ],
                    "version {version}, {hash}-byte names"
                );
            }
        }
    }

    #[test]
    fn a_malformed_index_is_an_error_at_every_truncation() {
        for version in [2, 3, 4] {
            let good = index(version, 20, ENTRIES);
            // Cut anywhere short of the entries plus a checksum's length.
            for len in 0..good.len() - 8 {
                assert!(parse(&good[..len]).is_err(), "v{version} cut at {len}");
            }
        }
        assert_eq!(
            parse(b"PACK\0\0\0\x02\0\0\0\0").unwrap_err(),
            "no DIRC signature"
        );
        let mut v5 = index(2, 20, ENTRIES);
        v5[7] = 5;
        assert_eq!(parse(&v5).unwrap_err(), "format version 5");
        // A count far beyond the data is truncation, not an allocation.
        let mut huge = index(2, 20, ENTRIES);
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(parse(&huge).unwrap_err(), "truncated");
        // Version 4 cannot strip more than the previous path holds.
        let mut bad = index(4, 20, &[("a.tf", 0o100644)]);
        bad[12 + 62] = 9;
        assert!(parse(&bad).unwrap_err().contains("strips more"));
    }

    #[test]
    fn a_git_file_points_at_the_git_directory() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("wt");
        std::fs::create_dir(&top).unwrap();
        std::fs::write(top.join(".git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        assert_eq!(
            git_dir(&top).unwrap(),
            top.join("../main/.git/worktrees/wt")
        );
        std::fs::write(top.join(".git"), "/elsewhere\n").unwrap();
        assert!(
            git_dir(&top)
                .unwrap_err()
                .ends_with("not a `gitdir: <path>` file")
        );
        // A missing index: nothing is tracked yet.
        assert!(tracked(&top).unwrap().is_empty());
        std::fs::write(top.join("index"), b"DIRC").unwrap();
        let e = tracked(&top).unwrap_err();
        assert!(
            e.ends_with("index: not a git index that can be read (truncated)"),
            "{e}"
        );
    }
}
