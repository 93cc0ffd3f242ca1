//! The error report: `bao-cao-loi.xlsx` (a row per finding, a sheet of
//! counts per unit), `bao-cao-loi.csv` (UTF-8 with BOM so Excel opens it
//! right) and `bao-cao-loi.json`.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::catalog::Severity;
use crate::diagnostic::Finding;
use crate::form::Styles;
use crate::report::Status;

const HEADERS: [&str; 12] = [
    "Mức độ",
    "Mã đơn vị",
    "Tên đơn vị",
    "Tệp",
    "Trang",
    "Ô",
    "Mã số",
    "Chỉ tiêu",
    "Quy tắc",
    "Giá trị tìm thấy",
    "Giá trị đúng",
    "Nội dung",
];

/// The columns of a finding's row; the cells rendered as text here.
fn fields(f: &Finding) -> [std::borrow::Cow<'_, str>; 12] {
    use std::borrow::Cow::{Borrowed, Owned};
    [
        Borrowed(f.severity.label()),
        Borrowed(&f.unit),
        Borrowed(&f.unit_name),
        Borrowed(&f.file),
        Borrowed(&f.sheet),
        Owned(f.cell_text()),
        Borrowed(&f.code),
        Borrowed(&f.indicator),
        Borrowed(&f.rule),
        Borrowed(&f.found),
        Borrowed(&f.expected),
        Borrowed(&f.message),
    ]
}

/// The findings workbook.
pub fn workbook(findings: &[Finding], status: &[Status]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let s = Styles::new();
    let plain = Format::new()
        .set_font_name(crate::form::FONT)
        .set_font_size(11)
        .set_text_wrap();
    let red = plain
        .clone()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xC00000))
        .set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Lỗi và cảnh báo")?;
    for (i, (h, w)) in HEADERS
        .iter()
        .zip([
            9.0, 14.0, 28.0, 32.0, 12.0, 9.0, 8.0, 32.0, 24.0, 12.0, 12.0, 70.0,
        ])
        .enumerate()
    {
        ws.write_string_with_format(0, i as u16, *h, &s.header)?;
        ws.set_column_width(i as u16, w)?;
    }
    for (r, f) in findings.iter().enumerate() {
        let row = r as u32 + 1;
        // Wrapped message (column width 70): room for every line.
        let lines = f
            .message
            .chars()
            .count()
            .div_ceil(75)
            .max(f.indicator.chars().count().div_ceil(34))
            // The rule says what it checks (column width 24).
            .max(f.rule.chars().count().div_ceil(24))
            .max(1);
        ws.set_row_height(row, 15.0 * lines as f64)?;
        for (c, v) in fields(f).iter().enumerate() {
            let fmt = if c == 0 && f.severity == Severity::Loi {
                &red
            } else {
                &plain
            };
            // Strings are written as strings: a value "=1+1" from a return
            // never becomes a formula.
            ws.write_string_with_format(row, c as u16, v.as_ref(), fmt)?;
        }
    }
    ws.autofilter(
        0,
        0,
        findings.len().max(1) as u32,
        (HEADERS.len() - 1) as u16,
    )?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    let ws = wb.add_worksheet();
    ws.set_name("Theo đơn vị")?;
    for (i, (h, w)) in [
        "Mã đơn vị",
        "Tên đơn vị",
        "Khối",
        "Đã nộp",
        "Số lỗi",
        "Số cảnh báo",
    ]
    .iter()
    .zip([14.0, 34.0, 24.0, 9.0, 9.0, 11.0])
    .enumerate()
    {
        ws.write_string_with_format(0, i as u16, *h, &s.header)?;
        ws.set_column_width(i as u16, w)?;
    }
    for (r, st) in status.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string_with_format(row, 0, &st.unit.code, &plain)?;
        ws.write_string_with_format(row, 1, &st.unit.name, &plain)?;
        ws.write_string_with_format(row, 2, &st.unit.block, &plain)?;
        ws.write_string_with_format(
            row,
            3,
            match st.state {
                crate::report::Submission::Submitted => "Có",
                crate::report::Submission::BlankForm => "Biểu trống",
                crate::report::Submission::Missing => "Chưa",
            },
            &plain,
        )?;
        ws.write_number_with_format(row, 4, st.errors as f64, &plain)?;
        ws.write_number_with_format(row, 5, st.warnings as f64, &plain)?;
    }
    // Findings of no unit of the list: the committee's own figures (its
    // return to the level above) and files of no known unit, so that the
    // counts add up to the run's.
    let listed: std::collections::HashSet<&str> =
        status.iter().map(|st| st.unit.code.as_str()).collect();
    let mut others: std::collections::BTreeMap<(String, String), (usize, usize)> =
        std::collections::BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| !listed.contains(f.unit.as_str()))
    {
        let key = if f.unit.is_empty() {
            (
                String::new(),
                "(tệp không xác định được đơn vị)".to_string(),
            )
        } else {
            (
                f.unit.clone(),
                format!("{} (số tổng hợp, báo cáo gửi cấp trên)", f.unit_name),
            )
        };
        let e = others.entry(key).or_default();
        if f.severity == Severity::Loi {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let mut last = status.len() as u32;
    for ((code, name), (errors, warnings)) in &others {
        last += 1;
        ws.write_string_with_format(last, 0, code, &plain)?;
        ws.write_string_with_format(last, 1, name, &plain)?;
        ws.write_number_with_format(last, 4, *errors as f64, &plain)?;
        ws.write_number_with_format(last, 5, *warnings as f64, &plain)?;
    }
    ws.autofilter(0, 0, last.max(1), 5)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(wb)
}

/// CSV text with a UTF-8 BOM; text that a spreadsheet would take as a
/// formula gets a leading apostrophe.
pub fn csv_bytes(findings: &[Finding]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(HEADERS);
        for f in findings {
            let row: Vec<String> = fields(f).iter().map(|v| crate::text::csv_safe(v)).collect();
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
}
