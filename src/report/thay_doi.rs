//! What a resubmission changed: when a unit sent more than one readable
//! return, every value that differs between one return and the next (in
//! save-time order), including values added or cleared, as the sheet
//! "Thay đổi khi nộp lại" of `tong-hop.xlsx`.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::cell::CellRef;
use crate::form::Styles;
use crate::ingest::value::Value;
use crate::ingest::{Fate, FileReport, Ingest};
use crate::print::{self, Layout, Orientation};
use crate::round::{OrgUnit, Round};

/// Sheet name in `tong-hop.xlsx`.
pub const SHEET: &str = "Thay đổi khi nộp lại";

/// One value that differs between two returns of a unit.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub unit: &'a OrgUnit,
    pub old_file: &'a FileReport,
    pub new_file: &'a FileReport,
    /// Chỉ tiêu position in the catalogue, column position, list row (0
    /// outside lists).
    pub ind: usize,
    pub col: usize,
    pub list_row: u16,
    /// (sheet, cell) in each file; `None` where the value is absent.
    pub old: Option<(&'a str, CellRef, &'a Value)>,
    pub new: Option<(&'a str, CellRef, &'a Value)>,
}

type Values<'a> = BTreeMap<(u16, u16, u8), (&'a str, CellRef, &'a Value)>;

/// The input values of a file by (chỉ tiêu, list row, column); blanks are
/// absent.
fn values(f: &FileReport) -> Values<'_> {
    f.records
        .iter()
        .filter(|r| !r.computed() && !matches!(r.value, Value::Blank | Value::NotApplicable))
        .map(|r| {
            (
                (r.ind, r.list_row, r.col),
                (f.sheet_of(r), r.cell, &r.value),
            )
        })
        .collect()
}

/// The readable returns of every unit that sent more than one, compared
/// one with the next by save time (then disk time, then name), in
/// units-list and catalogue order.
pub fn changes<'a>(round: &'a Round, ingest: &'a Ingest) -> Vec<Change<'a>> {
    let mut out = Vec::new();
    let mut by_unit: std::collections::HashMap<&str, Vec<&FileReport>> = Default::default();
    for f in ingest
        .files
        .iter()
        .filter(|f| matches!(f.fate, Fate::Accepted | Fate::Superseded { .. }))
        .filter(|f| !f.sheets.is_empty())
    {
        if let Some(u) = f.unit.as_deref() {
            by_unit.entry(u).or_default().push(f);
        }
    }
    for unit in &round.units {
        let Some(mut files) = by_unit.remove(unit.code.as_str()) else {
            continue;
        };
        if files.len() < 2 {
            continue;
        }
        files.sort_by(|a, b| {
            (a.saved_at, a.file_time, &a.file).cmp(&(b.saved_at, b.file_time, &b.file))
        });
        for pair in files.windows(2) {
            let (old_file, new_file) = (pair[0], pair[1]);
            let (a, b) = (values(old_file), values(new_file));
            let mut keys: Vec<_> = a.keys().chain(b.keys()).copied().collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                let (old, new) = (a.get(&k).copied(), b.get(&k).copied());
                if old.map(|x| x.2) == new.map(|x| x.2) {
                    continue;
                }
                out.push(Change {
                    unit,
                    old_file,
                    new_file,
                    ind: k.0 as usize,
                    col: k.2 as usize,
                    list_row: k.1,
                    old,
                    new,
                });
            }
        }
    }
    out
}

/// A value as the sheet shows it ("1.234", "84,9", "Có", "15/03/2017").
pub fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Blank) => "(trống)".to_string(),
        Some(Value::NotApplicable) => "x".to_string(),
        Some(Value::Number(n)) => crate::text::number_vi(*n),
        Some(Value::YesNo(b)) => if *b { "Có" } else { "Không" }.to_string(),
        Some(Value::Text(t)) => t.to_string(),
        Some(Value::Date(d)) => d.format("%d/%m/%Y").to_string(),
    }
}

const HEADERS: [(&str, f64); 11] = [
    ("STT", 5.0),
    ("Đơn vị", 22.0),
    ("Tệp cũ", 20.0),
    ("Tệp mới", 20.0),
    ("Biểu", 9.0),
    ("Ô", 7.0),
    ("Mã số", 7.0),
    ("Chỉ tiêu", 34.0),
    ("Cột", 16.0),
    ("Giá trị cũ", 22.0),
    ("Giá trị mới", 22.0),
];

/// The sheet "Thay đổi khi nộp lại" (A4 landscape, fit to width, header
/// repeated).
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn sheet(
    ws: &mut Worksheet,
    round: &Round,
    changes: &[Change],
    s: &Styles,
) -> Result<(), XlsxError> {
    let c = &round.catalog;
    ws.set_name(SHEET)?;
    let last = HEADERS.len() as u16 - 1;
    ws.merge_range(
        0,
        0,
        0,
        last,
        "THAY ĐỔI KHI ĐƠN VỊ NỘP LẠI BÁO CÁO",
        &s.title,
    )?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        "Mỗi dòng là một giá trị khác nhau giữa hai bản báo cáo liên tiếp của một đơn vị (theo thời điểm lưu); \"(trống)\": ô không có số liệu (giá trị mới thêm hoặc đã xóa). Số liệu tổng hợp lấy từ bản mới nhất.",
        &s.italic_center,
    )?;
    ws.set_row_height(1, 32)?;
    for (i, (h, w)) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &s.header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_row_height(3, 32)?;
    let text = s.locked_text.clone().set_font_size(11);
    let center = s.stt.clone().set_font_size(11);
    let mut row = 4;
    for (n, ch) in changes.iter().enumerate() {
        let ind = &c.indicators[ch.ind];
        let column = c
            .columns_of_indicator(ch.ind)
            .get(ch.col)
            .map_or(String::new(), |x| x.label.clone());
        let column = if ch.list_row > 0 {
            format!("Dòng {}: {column}", ch.list_row)
        } else {
            column
        };
        let (sheet, cell) = ch
            .new
            .or(ch.old)
            .map_or((String::new(), String::new()), |(s, c, _)| {
                (s.to_string(), c.to_string())
            });
        let fields = [
            (ch.unit.name.clone(), &text),
            (ch.old_file.file.clone(), &text),
            (ch.new_file.file.clone(), &text),
            (sheet, &center),
            (cell, &center),
            (ind.code.clone(), &center),
            (ind.label.clone(), &text),
            (column, &text),
            (shown(ch.old.map(|x| x.2)), &text),
            (shown(ch.new.map(|x| x.2)), &text),
        ];
        ws.write_number_with_format(row, 0, (n + 1) as f64, &center)?;
        let mut height = print::line_height(11.0);
        for (i, (v, fmt)) in fields.iter().enumerate() {
            let col = i as u16 + 1;
            ws.write_string_with_format(row, col, v, fmt)?;
            height = f64::max(
                height,
                print::text_height(v, HEADERS[col as usize].1, 11.0, false),
            );
        }
        ws.set_row_height(row, height)?;
        row += 1;
    }
    if changes.is_empty() {
        ws.merge_range(
            row,
            0,
            row,
            last,
            "(các bản nộp lại không khác số liệu của bản trước)",
            &text,
        )?;
    }
    ws.set_freeze_panes(4, 2)?;
    // A working table: fit to the page width, the sheet's name and page
    // numbers in the footer as on every sheet.
    let mut page = Layout::new(Orientation::Landscape);
    page.repeat_rows(3, 3);
    page.apply_fit_width(ws, HEADERS.len() as u16, row)?;
    Ok(())
}

/// Whether the round has a resubmission (the sheet is written then).
pub fn any_resubmission(ingest: &Ingest) -> bool {
    ingest
        .files
        .iter()
        .any(|f| matches!(f.fate, Fate::Superseded { .. }) && !f.sheets.is_empty())
}
