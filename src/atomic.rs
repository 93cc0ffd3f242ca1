//! Atomic output: every file is written to a temporary file in the target
//! folder and renamed over the destination, so a crash or a full disk never
//! leaves a half-written workbook that looks complete.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically (temporary file + rename).
///
/// # Errors
/// I/O errors creating, writing, syncing or renaming the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write a file atomically through a writer (for outputs too large to
/// build in memory).
///
/// # Errors
/// I/O errors of `write` or of the temporary file.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::new(temp_beside(path)?);
    write(&mut buffered)?;
    let tmp = buffered.into_inner().map_err(|e| e.into_error())?;
    persist(tmp, path)
}

/// How the temporary files of [`write_atomic`] are named: ".tonghop-" …
/// ".tmp", in the destination's folder.
const TEMP_PREFIX: &str = ".tonghop-";
const TEMP_SUFFIX: &str = ".tmp";

/// Remove from `dir` the temporary files a run stopped mid-way left
/// behind (closed window, Ctrl+C, power cut): ".tonghop-….tmp" not
/// modified for `idle` (a run writing one modifies it every few
/// milliseconds, so another run writing to the same folder keeps its
/// own). Never anything else. Returns how many were removed; a file that
/// cannot be removed (held open on Windows) is left.
pub fn remove_stale_temps(dir: &Path, idle: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| now.duration_since(t).ok())
                        .is_some_and(|age| age >= idle)
            })
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// A temporary file in `path`'s folder (made if missing), to rename over
/// `path` when complete.
fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
}

/// Give a finished temporary file its permissions, sync it and rename it
/// over `path`.
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Write `bytes` to `path` atomically, never replacing a file that
/// exists (a draft the operator may already have edited): the temporary
/// file is linked to `path` only when nothing is there.
///
/// # Errors
/// [`std::io::ErrorKind::AlreadyExists`] when `path` exists; other I/O
/// errors creating, writing or linking the file.
pub fn write_atomic_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
    }
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// An output file that could not be written. The Display is the
/// Vietnamese message for the operator and names the file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Windows refused to replace the file because another program holds
    /// it open without sharing: in practice Excel showing last run's
    /// workbook (sharing violation, os error 32, or lock violation, 33).
    #[error("không ghi được {}: tệp đang mở trong Excel (hoặc chương trình khác). Đóng tệp này trong Excel rồi chạy lại; các tệp kết quả khác vẫn được ghi.", .path.display())]
    Locked { path: PathBuf },
    /// Any other I/O error (folder not writable, disk full...).
    #[error("không ghi được {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// Classify an I/O error met while writing `path`.
    pub fn new(path: &Path, source: std::io::Error) -> WriteError {
        if held_open(path, &source) {
            WriteError::Locked {
                path: path.to_path_buf(),
            }
        } else {
            WriteError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    /// The file that was not written.
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Locked { path } | WriteError::Io { path, .. } => path,
        }
    }
}

/// Whether `err`, met while replacing `path`, means another program holds
/// `path` open. Windows reports a sharing or lock violation (os error 32 or
/// 33); replacing a file can also give "access denied" (5), which is a lock
/// only when opening the existing file for writing is itself a sharing or
/// lock violation. Never true on other systems, which do not lock files.
fn held_open(path: &Path, err: &std::io::Error) -> bool {
    const SHARING_VIOLATION: i32 = 32;
    const LOCK_VIOLATION: i32 = 33;
    const ACCESS_DENIED: i32 = 5;
    let locked = |code: Option<i32>| matches!(code, Some(SHARING_VIOLATION | LOCK_VIOLATION));
    if !cfg!(windows) {
        return false;
    }
    locked(err.raw_os_error())
        || (err.raw_os_error() == Some(ACCESS_DENIED)
            && std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .err()
                .is_some_and(|e| locked(e.raw_os_error())))
}

/// [`write_atomic`] with the error classified for the operator.
///
/// # Errors
/// [`WriteError::Locked`] when Excel holds the file, [`WriteError::Io`]
/// otherwise.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic(path, bytes).map_err(|e| WriteError::new(path, e))
}

/// [`write_atomic_with`] with the error classified for the operator.
///
/// # Errors
/// As [`write_output`].
pub fn write_output_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    write_atomic_with(path, write).map_err(|e| WriteError::new(path, e))
}

/// Save a rust_xlsxwriter workbook atomically.
///
/// # Errors
/// Workbook assembly errors as `anyhow` with the path; a failed write is a
/// [`WriteError`] in the chain (`downcast_ref`), so a caller can go on with
/// its other outputs.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, path: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    // Streamed to the temporary file, never held whole in memory (at
    // 10,000 units tong-hop.xlsx is near 100 MB).
    let io = |e: std::io::Error| WriteError::new(path, e);
    let mut buffered = std::io::BufWriter::new(temp_beside(path).map_err(io)?);
    match wb.save_to_writer(&mut buffered) {
        Ok(()) => {}
        Err(rust_xlsxwriter::XlsxError::IoError(e)) => return Err(io(e).into()),
        Err(e) => {
            return Err(e).with_context(|| format!("không tạo được bảng tính {}", path.display()))
        }
    }
    let tmp = buffered.into_inner().map_err(|e| io(e.into_error()))?;
    persist(tmp, path).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    /// Only tonghop's own temporary files, and only those idle for the
    /// given time, are removed: a run writing its own is left alone, and
    /// so is every other file.
    #[test]
    fn only_idle_temporary_files_of_tonghop_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str, age: Duration| {
            let p = dir.path().join(name);
            let f = std::fs::File::create(&p).unwrap();
            f.set_modified(SystemTime::now() - age).unwrap();
            p
        };
        let hour = Duration::from_secs(3600);
        let stale = make(".tonghop-a1B2c3.tmp", hour);
        let writing = make(".tonghop-d4E5f6.tmp", Duration::ZERO);
        let output = make("tong-hop.xlsx", hour);
        let other_tmp = make("~$tong-hop.xlsx.tmp", hour);
        let not_ours = make(".tonghop-ghi-chu.txt", hour);
        std::fs::create_dir(dir.path().join(".tonghop-folder.tmp")).unwrap();
        let removed = remove_stale_temps(dir.path(), Duration::from_secs(600));
        assert_eq!(removed, 1);
        assert!(!stale.exists());
        for kept in [&writing, &output, &other_tmp, &not_ours] {
            assert!(kept.exists(), "{} kept", kept.display());
        }
        assert!(dir.path().join(".tonghop-folder.tmp").is_dir());
        // A folder that does not exist: nothing to remove, no error.
        assert_eq!(
            remove_stale_temps(&dir.path().join("none"), Duration::ZERO),
            0
        );
    }
}
