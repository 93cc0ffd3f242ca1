//! Atomic output: every file is written to a temporary file in the target
//! folder and renamed over the destination, so a crash or a full disk never
//! leaves a half-written workbook that looks complete.

use std::io::Write;
use std::path::Path;

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
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tonghop-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let mut buffered = std::io::BufWriter::new(tmp);
    write(&mut buffered)?;
    let tmp = buffered.into_inner().map_err(|e| e.into_error())?;
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

/// Save a rust_xlsxwriter workbook atomically.
///
/// # Errors
/// Workbook assembly or I/O errors, as `anyhow` with the path.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, path: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let bytes = wb
        .save_to_buffer()
        .with_context(|| format!("không tạo được bảng tính {}", path.display()))?;
    write_atomic(path, &bytes).with_context(|| format!("không ghi được {}", path.display()))
}
