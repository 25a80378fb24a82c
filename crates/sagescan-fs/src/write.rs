//! Writing files as if the directory were hostile.
//!
//! `fix` rewrites files inside a repository that a pull request controls, and the reports,
//! snapshots and scripts land wherever the user points them, often in that same checkout.
//! So a write never goes through a link: the new content goes to a temporary file created
//! exclusively (`O_CREAT|O_EXCL`, under a random name) beside the target, is flushed to disk
//! and then renamed over the target, so that a crash leaves the old file or the new one,
//! never half of one, and a planted symlink at a guessable name can redirect nothing. A
//! target that is itself a symlink, or a file with more than one hard link (renaming over it
//! would silently split the links), is refused with a message saying so. A replaced file
//! keeps its permission bits and its owner; where the owner cannot be kept, the write is
//! refused rather than leaving a file the owner can no longer manage.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: is a symbolic link; sagescan never writes through a link", .path.display())]
    Link { path: PathBuf },
    #[error(
        "{}: has {links} hard links; replacing it would split them, so it is not written",
        .path.display()
    )]
    HardLinked { path: PathBuf, links: u64 },
    #[error("{}: is not a regular file ({kind}); not written", .path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{}: is outside {}; not written", .path.display(), .root.display())]
    Outside { path: PathBuf, root: PathBuf },
    #[error("{}: its owner ({uid}:{gid}) cannot be kept ({source}); not written", .path.display())]
    Owner {
        path: PathBuf,
        uid: u32,
        gid: u32,
        source: std::io::Error,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path` atomically, never through a link (see the module docs). The
/// parent directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    if let Some(meta) = &existing {
        check_replaceable(path, meta)?;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    // The random suffix and O_EXCL (tempfile's default) make the name unguessable and the
    // creation fail rather than follow anything already there.
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".sagescan-tmp");
    // What `fs::write` would give a new file (before the umask); tempfile's own default,
    // 0600, would make a report unreadable to the rest of a CI job.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    if let Some(meta) = &existing {
        keep_metadata(path, tmp.as_file(), meta)?;
    }
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    // On failure the temporary file is removed when `tmp` drops.
    tmp.persist(path).map_err(|e| io(e.error))?;
    // The rename is durable only once the directory entry is: best effort, as some file
    // systems refuse to sync a directory and the data is already safe.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// [`write_atomic`], only if `path` lies under `root` once every link on the way is
/// resolved: a repository's symlinked directory cannot take the write elsewhere.
pub fn write_within(root: &Path, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    ensure_within(root, path)?;
    write_atomic(path, bytes)
}

/// Whether `path` (its directory resolved, its last component not followed) lies under
/// `root` (resolved); a `root` that is a file contains only itself.
pub fn ensure_within(root: &Path, path: &Path) -> Result<(), WriteError> {
    let outside = || WriteError::Outside {
        path: path.to_path_buf(),
        root: root.to_path_buf(),
    };
    let root = std::fs::canonicalize(root).map_err(|source| WriteError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(outside());
    };
    let resolved = std::fs::canonicalize(dir)
        .map_err(|source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .join(name);
    if resolved.starts_with(&root) {
        Ok(())
    } else {
        Err(outside())
    }
}

fn check_replaceable(path: &Path, meta: &std::fs::Metadata) -> Result<(), WriteError> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(WriteError::Link {
            path: path.to_path_buf(),
        });
    }
    if !kind.is_file() {
        return Err(WriteError::NotRegular {
            path: path.to_path_buf(),
            kind: crate::file_kind(meta),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(WriteError::HardLinked {
                path: path.to_path_buf(),
                links: meta.nlink(),
            });
        }
    }
    Ok(())
}

/// Gives the replacement the permission bits and owner of the file it replaces.
fn keep_metadata(
    path: &Path,
    tmp: &std::fs::File,
    meta: &std::fs::Metadata,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mine = tmp.metadata().map_err(io)?;
        if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid())).map_err(
                |source| WriteError::Owner {
                    path: path.to_path_buf(),
                    uid: meta.uid(),
                    gid: meta.gid(),
                    source,
                },
            )?;
        }
        // Set after the chown, which clears set-id bits. Set-id bits are not carried over:
        // sagescan writes text, never a program to run with someone else's rights.
        let mode = meta.permissions().mode() & 0o1777;
        tmp.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io)?;
    }
    #[cfg(not(unix))]
    tmp.set_permissions(meta.permissions()).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn planted_links_at_every_guessable_name_redirect_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let target = repo.join("main.tf");
        std::fs::write(&target, "old").unwrap();
        // The names the old writer used, and a few plausible others.
        for pid in [std::process::id(), 1, 2, 3] {
            for name in [
                format!(".main.tf.sagescan-fix.{pid}"),
                format!("main.tf.{pid}.tmp"),
            ] {
                std::os::unix::fs::symlink(&victim, repo.join(name)).unwrap();
            }
        }
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&target).unwrap().is_file());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let link = dir.path().join("main.tf");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write_atomic(&link, b"new").unwrap_err();
        assert!(matches!(err, WriteError::Link { .. }), "{err}");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tf");
        std::fs::write(&a, "old").unwrap();
        std::fs::hard_link(&a, dir.path().join("b.tf")).unwrap();
        let err = write_atomic(&a, b"new").unwrap_err();
        assert!(
            matches!(err, WriteError::HardLinked { links: 2, .. }),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.tf")).unwrap(),
            "old"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_mode_is_kept_and_no_temporary_file_is_left() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run.sh");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o750)).unwrap();
        write_atomic(&target, b"new").unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o750);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["run.sh"]);
    }

    #[test]
    fn a_new_file_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        write_atomic(&target, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_link_cannot_take_a_write_outside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("main.tf"), "old").unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("mod")).unwrap();
        let err = write_within(&root, &root.join("mod/main.tf"), b"new").unwrap_err();
        assert!(matches!(err, WriteError::Outside { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(outside.join("main.tf")).unwrap(),
            "old"
        );
        // Inside, through a relative path, is fine.
        std::fs::write(root.join("ok.tf"), "old").unwrap();
        write_within(&root, &root.join("./ok.tf"), b"new").unwrap();
    }
}
