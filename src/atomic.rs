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

/// A temporary file in `path`'s folder (made if missing), to rename over
/// `path` when complete.
fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(".tonghop-")
        .suffix(".tmp")
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
