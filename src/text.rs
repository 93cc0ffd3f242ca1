//! Text handling shared by every module: Unicode NFC, folding for matching
//! names, diacritic-free slugs for file names, and Excel's naming limits.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// NFC form of `s` (every text the tool writes is NFC). A text already
/// in NFC (nearly every cell: what Excel and LibreOffice save) is copied
/// as it is, not normalised character by character.
pub fn nfc(s: &str) -> String {
    nfc_cow(s).into_owned()
}

/// [`nfc`] borrowing `s` when it is already NFC.
fn nfc_cow(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// Folded form for matching: NFC, lower case, whitespace runs collapsed to
/// one space, trimmed. "  Đảng  ỦY phường " → "đảng ủy phường".
pub fn fold(s: &str) -> String {
    // Called for every header text of every return: no normalising copy
    // of a text already in NFC (nearly all), one output string.
    let s = nfc_cow(s);
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// [`fold`] without diacritics, for matching names typed without them:
/// "Chi bo co so" ~ "Chi bộ cơ sở".
pub fn fold_ascii(s: &str) -> String {
    fold(
        &s.nfd()
            .filter(|c| !is_combining_mark(*c))
            .collect::<String>()
            .replace(['đ', 'Đ'], "d"),
    )
}

/// Diacritic-free ASCII slug: "Phường Tân Phong" → "phuong-tan-phong".
/// Only `a-z0-9-`; never empty ("don-vi" when nothing is left).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "don-vi".to_string()
    } else {
        out
    }
}

/// Whether `s` would be taken as a formula by a spreadsheet when typed in a
/// cell or opened from CSV (starts with `=`, `+`, `-` or `@`).
pub fn looks_like_formula(s: &str) -> bool {
    matches!(s.trim_start().chars().next(), Some('=' | '+' | '-' | '@'))
}

/// Text safe for a CSV cell: a leading apostrophe when it would be read as a
/// formula.
pub fn csv_safe(s: &str) -> String {
    let plain_number = s.strip_prefix(['-', '+']).is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    });
    if looks_like_formula(s) && !plain_number {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Check a sheet name against Excel's rules.
///
/// # Errors
/// A Vietnamese sentence quoting the name and the broken rule.
pub fn check_sheet_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("tên trang tính không được để trống.".into());
    }
    if name.chars().count() > 31 {
        return Err(format!(
            "tên trang tính \"{name}\" dài quá 31 ký tự, giới hạn của Excel."
        ));
    }
    if let Some(c) = name.chars().find(|c| "[]:*?/\\".contains(*c)) {
        return Err(format!(
            "tên trang tính \"{name}\" chứa ký tự \"{c}\" mà Excel không cho phép."
        ));
    }
    if name.starts_with('\'') || name.ends_with('\'') {
        return Err(format!(
            "tên trang tính \"{name}\" không được bắt đầu hay kết thúc bằng dấu nháy."
        ));
    }
    Ok(())
}

/// An I/O error in Vietnamese (the system's own text is English on most
/// machines): what happened and what to do.
pub fn io_error_vi(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "không có tệp hoặc thư mục này".into(),
        K::PermissionDenied => {
            "không có quyền truy cập (tệp đang mở trong Excel, chỉ đọc hoặc thuộc người dùng khác?)"
                .into()
        }
        K::AlreadyExists => "tệp đã có".into(),
        K::InvalidData => match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<crate::textfile::NotText>())
        {
            Some(not_text) => not_text.to_string(),
            None => "nội dung tệp không đọc được".into(),
        },
        K::IsADirectory => "đây là thư mục, không phải tệp".into(),
        K::NotADirectory => "một phần của đường dẫn là tệp, không phải thư mục".into(),
        K::StorageFull => "ổ đĩa đã đầy".into(),
        K::ReadOnlyFilesystem => "ổ đĩa chỉ đọc".into(),
        K::InvalidFilename => "tên tệp không hợp lệ".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("lỗi hệ thống khi đọc hoặc ghi tệp (mã lỗi {code})"),
            None => "lỗi hệ thống khi đọc hoặc ghi tệp".into(),
        },
    }
}

/// `s` with its first letter lower case, to stand inside a sentence
/// ("Tổng kết …" → "tổng kết …"), unless it starts with two capitals (an
/// acronym or a title in capitals: "UBND …", "ĐỀ ÁN").
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(f), Some(n)) if f.is_uppercase() && !n.is_uppercase() => {
            f.to_lowercase().collect::<String>() + &s[f.len_utf8()..]
        }
        _ => s.to_string(),
    }
}

/// `Some(x)` when `x` is finite: every number written to a workbook goes
/// through this, so a NaN or infinity is written as a blank cell, never as
/// the text "inf" that other readers cannot open.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Vietnamese decimal notation of a number for messages: 12.5 → "12,5",
/// 1234 → "1.234".
pub fn number_vi(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() >= 1e15 {
        // Beyond what a report holds (and what u64 grouping below can show).
        return format!("{x:e}").replace('.', ",");
    }
    let neg = x < 0.0;
    let rounded = (x.abs() * 100.0).round() / 100.0;
    let int = rounded.trunc() as u64;
    let frac = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let mut s = if neg { format!("-{grouped}") } else { grouped };
    if frac > 0 {
        let f = format!("{frac:02}");
        s.push(',');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_in_vietnamese() {
        let e = std::fs::read("/khong/co/tep/nay").unwrap_err();
        assert_eq!(io_error_vi(&e), "không có tệp hoặc thư mục này");
    }

    #[test]
    fn fold_matches_nfd_case_and_spaces() {
        let nfd: String = "Đảng ủy phường Tân Phong".nfd().collect();
        assert_eq!(
            fold(&format!("  {}  ", nfd.to_uppercase())),
            fold("đảng ủy  phường tân phong")
        );
    }

    #[test]
    fn slug_is_ascii_and_cannot_escape() {
        assert_eq!(slug("Phường Đoàn Kết"), "phuong-doan-ket");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("=HYPERLINK(\"x\")"), "hyperlink-x");
        assert_eq!(slug("::"), "don-vi");
    }

    #[test]
    fn csv_cells_never_become_formulas_but_numbers_stay_numbers() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("-3"), "-3");
        assert_eq!(csv_safe("-1.234,5"), "-1.234,5");
        assert_eq!(csv_safe("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
    }

    #[test]
    fn sheet_name_rules() {
        assert!(check_sheet_name("Biểu 01").is_ok());
        assert_eq!(
            check_sheet_name("a/b").unwrap_err(),
            "tên trang tính \"a/b\" chứa ký tự \"/\" mà Excel không cho phép."
        );
    }

    #[test]
    fn numbers_in_vietnamese_notation() {
        assert_eq!(number_vi(1234.0), "1.234");
        assert_eq!(number_vi(12.5), "12,5");
        assert_eq!(number_vi(-3.0), "-3");
        assert_eq!(number_vi(1234567.25), "1.234.567,25");
        assert_eq!(number_vi(1e308), "1e308");
        assert_eq!(number_vi(1.5e15), "1,5e15");
    }
}
