//! What a file really is, from its content: units rename files, save HTML
//! or CSV as ".xls", and send password-protected workbooks. Also bounds a
//! zip before anything inflates it (zip bombs).

use std::io::{Cursor, Read};

/// Spreadsheet formats that can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Unknown,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Xlsx => ".xlsx",
            FileKind::Xlsm => ".xlsm",
            FileKind::Xlsb => ".xlsb",
            FileKind::Xls => ".xls",
            FileKind::Ods => ".ods",
            FileKind::Unknown => "không rõ",
        }
    }
}

/// Largest total uncompressed size of a zip-based workbook.
pub const MAX_UNZIPPED_BYTES: u64 = 400 * 1024 * 1024;
/// Largest compression ratio of one zip entry.
pub const MAX_RATIO: u64 = 200;

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decide the kind of a file from its bytes.
///
/// # Errors
/// A Vietnamese reason when it is not a readable spreadsheet: empty,
/// password-protected, HTML/CSV/XML/PDF renamed, truncated or oversized zip.
pub fn sniff(bytes: &[u8]) -> Result<FileKind, String> {
    if bytes.is_empty() {
        return Err("tệp rỗng (0 byte).".into());
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        if contains_utf16(bytes, "EncryptionInfo") || contains_utf16(bytes, "EncryptedPackage") {
            return Err("tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại.".into());
        }
        if contains_utf16(bytes, "Workbook") || contains_utf16(bytes, "Book") {
            return Ok(FileKind::Xls);
        }
        return Err("tệp Office cũ nhưng không phải bảng tính Excel (có thể là tệp Word).".into());
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("tệp văn bản Unicode (UTF-16, thường do \"Lưu dạng văn bản Unicode\"), không phải bảng tính: hãy lưu lại dạng .xlsx.".into());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(16 * 1024)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("%pdf") {
        return Err("tệp PDF, không phải bảng tính: hãy gửi tệp Excel của biểu mẫu.".into());
    }
    if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return Err(
            "bảng tính XML 2003 (SpreadsheetML) đổi đuôi: hãy mở bằng Excel và lưu lại dạng .xlsx."
                .into(),
        );
    }
    if head.starts_with("<html") || head.starts_with("<!doctype html") || head.contains("<table") {
        return Err(
            "trang HTML đổi đuôi thành bảng tính: hãy mở bằng Excel và lưu lại dạng .xlsx.".into(),
        );
    }
    if bytes.starts_with(b"\x7fELF") || bytes.starts_with(b"MZ") {
        return Err("tệp chương trình, không phải bảng tính.".into());
    }
    if std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok() || head.is_ascii() {
        if head.contains(',') || head.contains(';') || head.contains('\t') {
            return Err(
                "tệp văn bản/CSV, không phải biểu mẫu: hãy điền vào biểu mẫu .xlsx đã gửi.".into(),
            );
        }
        return Err("tệp văn bản, không phải bảng tính.".into());
    }
    Err("không phải tệp bảng tính (không nhận ra định dạng).".into())
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let pattern: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

fn sniff_zip(bytes: &[u8]) -> Result<FileKind, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| super::grid::explain("tệp", &e.to_string()))?;
    let mut total: u64 = 0;
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| super::grid::explain("tệp", &e.to_string()))?;
        total = total.saturating_add(entry.size());
        if entry.compressed_size() > 0
            && entry.size() / entry.compressed_size().max(1) > MAX_RATIO
            && entry.size() > 10 * 1024 * 1024
        {
            return Err(format!(
                "tệp nén bất thường (phần \"{}\" nén {} lần, nghi là bom nén): từ chối đọc.",
                entry.name().unwrap_or_default(),
                entry.size() / entry.compressed_size().max(1)
            ));
        }
        names.push(entry.name().map(|n| n.to_string()).unwrap_or_default());
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(format!(
            "tệp giải nén ra quá lớn ({} MB, giới hạn {} MB): từ chối đọc.",
            total / 1_048_576,
            MAX_UNZIPPED_BYTES / 1_048_576
        ));
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("xl/workbook.bin") {
        return Ok(FileKind::Xlsb);
    }
    if has("xl/workbook.xml") {
        let mut ct = String::new();
        if let Ok(mut f) = archive.by_name("[Content_Types].xml") {
            let _ = f.by_ref().take(1 << 20).read_to_string(&mut ct);
        }
        return Ok(if ct.contains("macroEnabled") {
            FileKind::Xlsm
        } else {
            FileKind::Xlsx
        });
    }
    if has("content.xml") {
        let mut mime = String::new();
        if let Ok(mut f) = archive.by_name("mimetype") {
            let _ = f.by_ref().take(200).read_to_string(&mut mime);
        }
        if mime.contains("spreadsheet") {
            return Ok(FileKind::Ods);
        }
        return Err("tệp OpenDocument nhưng không phải bảng tính (.odt?).".into());
    }
    if has("word/document.xml") {
        return Err("tệp Word (.docx), không phải bảng tính: hãy gửi biểu mẫu Excel.".into());
    }
    Err("tệp nén (.zip) không phải bảng tính: hãy giải nén và gửi từng biểu mẫu.".into())
}

/// Largest used range (rows × columns) of one .xls or .ods sheet that is
/// read: calamine builds those sheets as dense ranges, so a stray value at
/// IV65536 would cost half a gigabyte. Cells beyond it are removed first
/// ([`super::xls`], [`super::ods`]).
pub const MAX_DENSE_CELLS: u64 = 4_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_extension() {
        assert!(sniff(b"").unwrap_err().contains("rỗng"));
        assert!(sniff(b"<html><table><tr><td>1</td></tr></table></html>")
            .unwrap_err()
            .contains("HTML"));
        assert!(sniff(b"ma,ten\n1,2\n").unwrap_err().contains("CSV"));
        assert!(sniff(b"%PDF-1.4 ...").unwrap_err().contains("PDF"));
        assert!(sniff(b"PK\x03\x04truncated").unwrap_err().contains("hỏng"));
    }
}
