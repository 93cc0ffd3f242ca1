//! The error report: `bao-cao-loi.xlsx` (a row per finding, a sheet of
//! counts per unit), `bao-cao-loi.csv` (UTF-8 with BOM so Excel opens it
//! right) and `bao-cao-loi.json`.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::catalog::Severity;
use crate::diagnostic::Finding;
use crate::form::{Signatures, Styles};
use crate::print::{self, Layout, Orientation};
use crate::report::Status;
use crate::report::{committee_footer, committee_header};
use crate::round::Round;

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

/// Column widths of the findings sheet.
const WIDTHS: [f64; 12] = [
    9.0, 16.0, 26.0, 28.0, 11.0, 9.0, 8.0, 28.0, 24.0, 12.0, 12.0, 60.0,
];

/// The findings workbook: "Lỗi và cảnh báo" (a row per finding) and "Theo
/// đơn vị" (counts per unit), each headed and signed as the committee's
/// document, the table from row 8 (header row 7, 0-based).
pub fn workbook(
    round: &Round,
    findings: &[Finding],
    status: &[Status],
) -> Result<Workbook, XlsxError> {
    let set = &round.settings;
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
    let counts = format!(
        "{} Sắp theo đơn vị, tệp, biểu và ô; lỗi phải sửa trước khi tổng hợp chính thức.",
        findings_line(findings)
    );
    let ws = wb.add_worksheet();
    ws.set_name("Lỗi và cảnh báo")?;
    let width = HEADERS.len() as u16;
    let mut page = Layout::new(Orientation::Landscape);
    for (i, w) in WIDTHS.iter().enumerate() {
        page.width(ws, i as u16, *w)?;
    }
    committee_header(
        ws,
        &mut page,
        &s,
        set,
        &format!("BÁO CÁO LỖI SỐ LIỆU: {}", set.title.to_uppercase()),
        &[
            format!(
                "(Kế hoạch số {} ngày {} của {})",
                set.plan_number, set.plan_date, set.issuer
            ),
            counts,
        ],
        width,
    )?;
    let header = 7u32;
    for (i, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(header, i as u16, *h, &s.header)?;
    }
    page.height(ws, header, 32.0)?;
    for (r, f) in findings.iter().enumerate() {
        let row = header + 1 + r as u32;
        // Wrapped cells: room for every line of the tallest.
        let fields = fields(f);
        let h = fields
            .iter()
            .zip(WIDTHS)
            .map(|(v, w)| print::text_height(v, w, 11.0, false))
            .fold(0.0, f64::max);
        page.height(ws, row, h.min(print::MAX_ROW_HEIGHT))?;
        for (c, v) in fields.iter().enumerate() {
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
    let last = header + findings.len().max(1) as u32;
    ws.autofilter(header, 0, last, (HEADERS.len() - 1) as u16)?;
    ws.set_freeze_panes(header + 1, 0)?;
    let end = committee_footer(
        ws,
        &mut page,
        &s,
        set,
        last + 2,
        width,
        &Signatures::compiler(),
    )?;
    page.repeat_rows(header, header);
    page.apply(ws, width, end)?;

    let ws = wb.add_worksheet();
    ws.set_name("Theo đơn vị")?;
    let columns = [
        ("Mã đơn vị", 16.0),
        ("Tên đơn vị", 40.0),
        ("Khối", 24.0),
        ("Đã nộp", 10.0),
        ("Số lỗi", 9.0),
        ("Số cảnh báo", 11.0),
    ];
    let width = columns.len() as u16;
    let mut page = Layout::new(Orientation::Portrait);
    for (i, (_, w)) in columns.iter().enumerate() {
        page.width(ws, i as u16, *w)?;
    }
    committee_header(
        ws,
        &mut page,
        &s,
        set,
        "SỐ LỖI VÀ CẢNH BÁO THEO ĐƠN VỊ",
        &[format!("{}: {}", set.title, findings_line(findings))],
        width,
    )?;
    for (i, (h, _)) in columns.iter().enumerate() {
        ws.write_string_with_format(header, i as u16, *h, &s.header)?;
    }
    page.height(ws, header, 32.0)?;
    for (r, st) in status.iter().enumerate() {
        let row = header + 1 + r as u32;
        page.height(
            ws,
            row,
            print::text_height(&st.unit.name, 40.0, 11.0, false).max(print::text_height(
                &st.unit.block,
                24.0,
                11.0,
                false,
            )),
        )?;
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
    let mut last = header + status.len() as u32;
    for ((code, name), (errors, warnings)) in &others {
        last += 1;
        page.height(ws, last, print::text_height(name, 40.0, 11.0, false))?;
        ws.write_string_with_format(last, 0, code, &plain)?;
        ws.write_string_with_format(last, 1, name, &plain)?;
        ws.write_number_with_format(last, 4, *errors as f64, &plain)?;
        ws.write_number_with_format(last, 5, *warnings as f64, &plain)?;
    }
    ws.autofilter(header, 0, last.max(header + 1), 5)?;
    ws.set_freeze_panes(header + 1, 0)?;
    let end = committee_footer(
        ws,
        &mut page,
        &s,
        set,
        last + 2,
        width,
        &Signatures::compiler(),
    )?;
    page.repeat_rows(header, header);
    page.apply(ws, width, end)?;
    Ok(wb)
}

/// "N lỗi, M cảnh báo".
fn findings_line(findings: &[Finding]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Loi)
        .count();
    format!("{errors} lỗi, {} cảnh báo.", findings.len() - errors)
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
