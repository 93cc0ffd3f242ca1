//! `phan-hoi/`: a feedback workbook for every unit with a finding (DESIGN.md
//! "Outputs" 5). It is the unit's own form, written by the same writer as
//! `tonghop forms` (same layout, contract and hidden sheet), pre-filled
//! with what was read from the unit's return, every cell with a finding
//! filled red with a note (the message and the expected value or rule), and
//! a first sheet "Cần sửa" listing every finding with a link to its cell,
//! the deadline and where to send. The unit corrects it and sends it back
//! as its new return. A unit whose file could not be read (a password, a
//! form of another round, a damaged or blank file) gets its blank form and
//! a "Cần sửa" sheet saying why and what to send instead.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, Url, Workbook, Worksheet, XlsxError};

use crate::catalog::{GroupKind, Severity};
use crate::cell::CellRef;
use crate::diagnostic::{rules, Finding};
use crate::form::{
    build_form, form_file_name, indicator_rows, Fill, FillValue, FormSpec, FormUnit, Styles,
    FIRST_BODY_ROW, FIRST_DATA_COL,
};
use crate::ingest::value::Value;
use crate::ingest::{Fate, FileReport, Ingest, Rejection};
use crate::print::{self, Layout, Orientation};
use crate::round::{OrgUnit, Round};

/// Folder of the feedback workbooks in the output folder.
pub const FOLDER: &str = "phan-hoi";
/// Name of the first sheet of a feedback workbook.
pub const TODO_SHEET: &str = "Cần sửa";

/// What one unit is told: its findings and the return they are about.
#[derive(Debug, Clone)]
pub struct Feedback<'a> {
    pub unit: &'a OrgUnit,
    /// The unit's accepted return, which the form is filled from; `None`
    /// when no file of the unit could be used (a blank form is sent).
    pub file: Option<&'a FileReport>,
    /// The unit's other files that count (rejected, blank, in conflict).
    pub other_files: Vec<&'a FileReport>,
    /// Every finding of the unit, in report order.
    pub findings: Vec<&'a Finding>,
}

impl Feedback<'_> {
    /// File name in [`FOLDER`]: the unit's form name,
    /// "<mã>-<tên không dấu>.xlsx".
    pub fn file_name(&self) -> String {
        form_file_name(self.unit)
    }

    /// Counts of lỗi and cảnh báo.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Loi)
            .count();
        (errors, self.findings.len() - errors)
    }
}

/// The units with at least one finding, in units-list order.
pub fn plan<'a>(
    round: &'a Round,
    ingest: &'a Ingest,
    findings: &'a [Finding],
) -> Vec<Feedback<'a>> {
    let mut by_unit: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings {
        by_unit.entry(f.unit.as_str()).or_default().push(f);
    }
    let mut files: HashMap<&str, Vec<&FileReport>> = HashMap::new();
    for f in ingest.files.iter().filter(|f| f.fate.findings_count()) {
        if let Some(u) = f.unit.as_deref() {
            files.entry(u).or_default().push(f);
        }
    }
    round
        .units
        .iter()
        .filter_map(|u| {
            let findings = by_unit.remove(u.code.as_str())?;
            let mine = files.remove(u.code.as_str()).unwrap_or_default();
            let file = mine.iter().copied().find(|f| f.fate == Fate::Accepted);
            let other_files = mine
                .into_iter()
                .filter(|f| f.fate != Fate::Accepted)
                .collect();
            Some(Feedback {
                unit: u,
                file,
                other_files,
                findings,
            })
        })
        .collect()
}

/// One row of the "Cần sửa" sheet: a finding and where it is in the
/// feedback workbook (sheet and cell), when it is about a cell.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub finding: &'a Finding,
    pub sheet: String,
    pub cell: Option<CellRef>,
}

/// Where a value of the catalogue sits in a unit's form: the biểu's sheet
/// and cell (list rows from 1).
fn form_cell(
    round: &Round,
    ind: usize,
    col: usize,
    list_row: u16,
) -> Option<(String, CellRef, GroupKind)> {
    let c = &round.catalog;
    let indicator = c.indicators.get(ind)?;
    let group = c.group(&indicator.group)?;
    let cell = match group.kind {
        GroupKind::List => CellRef::new(
            FIRST_BODY_ROW + u32::from(list_row.max(1)) - 1,
            2 + col as u16,
        ),
        _ => CellRef::new(
            *indicator_rows(c, group).get(&indicator.code)?,
            FIRST_DATA_COL + col as u16,
        ),
    };
    Some((group.sheet.clone(), cell, group.kind))
}

fn fill_value(v: &Value) -> Option<FillValue> {
    match v {
        Value::Number(n) => Some(FillValue::Number(*n)),
        Value::Text(t) => Some(FillValue::Text(t.to_string())),
        Value::YesNo(b) => Some(FillValue::Text(if *b { "Có" } else { "Không" }.into())),
        Value::Date(d) => Some(FillValue::Date(*d)),
        Value::Blank | Value::NotApplicable => None,
    }
}

/// The note of a marked cell: each finding's message and what is
/// expected.
fn note_line(f: &Finding) -> String {
    let mut s = format!("{}: {}", capitalized(f.severity.label()), f.message);
    if !f.expected.is_empty() {
        s.push_str(&format!("\nGiá trị đúng / quy tắc: {}", f.expected));
    }
    s
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The fill of a unit's feedback form (what its return held, the cells
/// with findings marked and noted) and the rows of its "Cần sửa" sheet.
pub fn fill<'a>(round: &Round, fb: &Feedback<'a>) -> (Fill, Vec<Item<'a>>) {
    let c = &round.catalog;
    let mut fill = Fill::default();
    let mut items = Vec::new();
    // (sheet, cell) of the unit's file → (chỉ tiêu, column, list row).
    let mut at: HashMap<(&str, CellRef), (usize, usize, u16)> = HashMap::new();
    // Column position of a sheet column on each sheet (for cells that
    // hold no value read: an unreadable figure).
    let mut column_of: HashMap<(&str, u16), usize> = HashMap::new();
    // List row of a sheet row (from the other cells of the row).
    let mut list_row_of: HashMap<(&str, u32), u16> = HashMap::new();
    if let Some(file) = fb.file {
        for r in &file.records {
            let sheet = file.sheet_of(r);
            at.insert(
                (sheet, r.cell),
                (r.ind as usize, r.col as usize, r.list_row),
            );
            column_of.insert((sheet, r.cell.col), r.col as usize);
            if r.list_row > 0 {
                list_row_of.insert((sheet, r.cell.row), r.list_row);
            }
            if r.computed() {
                continue;
            }
            let Some(v) = fill_value(&r.value) else {
                continue;
            };
            let ind = &c.indicators[r.ind as usize];
            let key = r.column(c).to_string();
            let kind = c.group(&ind.group).map(|g| g.kind);
            if kind == Some(GroupKind::List) {
                let width = c.columns_of_indicator(r.ind as usize).len();
                let rows = fill.lists.entry(ind.code.clone()).or_default();
                let n = r.list_row.max(1) as usize;
                if rows.len() < n {
                    rows.resize(n, vec![None; width]);
                }
                if let Some(slot) = rows[n - 1].get_mut(r.col as usize) {
                    *slot = Some(v);
                }
            } else {
                fill.cells.insert((ind.code.clone(), key), v);
            }
        }
    }
    let mut notes: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut list_notes: BTreeMap<(String, usize, String), Vec<String>> = BTreeMap::new();
    for f in &fb.findings {
        let in_file = fb.file.is_some_and(|file| file.file == f.file);
        let mut item = Item {
            finding: f,
            sheet: String::new(),
            cell: None,
        };
        if in_file {
            for (k, &cell) in f.cells.iter().enumerate() {
                let found = at.get(&(f.sheet.as_str(), cell)).copied().or_else(|| {
                    // Only the cell the message names can be placed from
                    // the finding's own mã số.
                    (k == 0)
                        .then(|| {
                            let ind = c.indicator_index(&f.code)?;
                            let col = *column_of.get(&(f.sheet.as_str(), cell.col))?;
                            let is_list =
                                c.group(&c.indicators[ind].group)?.kind == GroupKind::List;
                            let list_row = match list_row_of.get(&(f.sheet.as_str(), cell.row)) {
                                Some(&n) if is_list => n,
                                // A list row of which nothing was read.
                                None if is_list => return None,
                                _ => 0,
                            };
                            Some((ind, col, list_row))
                        })
                        .flatten()
                });
                let Some((ind, col, list_row)) = found else {
                    continue;
                };
                let Some((sheet, new_cell, kind)) = form_cell(round, ind, col, list_row) else {
                    continue;
                };
                if k == 0 {
                    item.sheet = sheet;
                    item.cell = Some(new_cell);
                }
                let code = c.indicators[ind].code.clone();
                let key_col = c.columns_of_indicator(ind)[col].key.clone();
                if kind == GroupKind::List {
                    let key = (code, usize::from(list_row.max(1)) - 1, key_col);
                    let line = note_line(f);
                    let lines = list_notes.entry(key).or_default();
                    if !lines.contains(&line) {
                        lines.push(line);
                    }
                    continue;
                }
                let key = (code, key_col);
                if k == 0
                    && f.rule == rules::UNREADABLE
                    && !f.found.is_empty()
                    && !f.found.starts_with('(')
                    && !fill.cells.contains_key(&key)
                {
                    // What the unit typed, so that it sees it again.
                    fill.cells
                        .insert(key.clone(), FillValue::Text(f.found.clone()));
                }
                fill.marked.insert(key.clone());
                let line = note_line(f);
                let lines = notes.entry(key).or_default();
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        if item.cell.is_none() && !f.code.is_empty() {
            // A finding about a whole chỉ tiêu: its row.
            if let Some(ind) = c.indicator_index(&f.code) {
                if let Some((sheet, cell, _)) = form_cell(round, ind, 0, 1) {
                    item.sheet = sheet;
                    item.cell = Some(CellRef::new(cell.row, 1));
                }
            }
        }
        items.push(item);
    }
    fill.notes = notes.into_iter().map(|(k, v)| (k, v.join("\n"))).collect();
    fill.list_notes = list_notes
        .into_iter()
        .map(|(k, v)| (k, v.join("\n")))
        .collect();
    (fill, items)
}

/// What a unit must do about a finding ("việc cần làm").
pub fn action(f: &Finding, fb: &Feedback) -> String {
    if f.cells.is_empty() && f.code.is_empty() {
        // About a whole file.
        let fate = fb
            .other_files
            .iter()
            .chain(fb.file.iter())
            .find(|x| x.file == f.file)
            .map(|x| &x.fate);
        return match fate {
            Some(Fate::Rejected { reason }) => match reason {
                Rejection::OtherForm(_) => "Tệp gửi về là biểu mẫu của đợt hoặc danh mục khác. Điền số liệu vào biểu mẫu của đợt này (chính tệp này, các trang \"Biểu …\"), lưu lại và gửi tệp này.".to_string(),
                Rejection::Content(text) if text.contains("mật khẩu") => "Tệp có mật khẩu nên không đọc được. Gỡ mật khẩu rồi gửi lại tệp cũ, hoặc điền số liệu vào chính tệp này (không đặt mật khẩu) và gửi tệp này.".to_string(),
                _ => "Tệp gửi về không đọc được. Điền số liệu vào chính tệp này (các trang \"Biểu …\"), lưu dạng .xlsx và gửi tệp này.".to_string(),
            },
            Some(Fate::Blank) => "Biểu mẫu gửi về chưa có số liệu. Điền số liệu vào chính tệp này, lưu lại và gửi tệp này.".to_string(),
            Some(Fate::UnitConflict { .. }) => "Tệp gửi về ghi tên hai đơn vị khác nhau. Điền số liệu của đơn vị mình vào chính tệp này (biểu mẫu của đơn vị mình) và gửi tệp này.".to_string(),
            _ => "Kiểm tra theo nội dung bên cạnh và gửi lại báo cáo.".to_string(),
        };
    }
    let text = match f.rule.as_str() {
        rules::RATIO => {
            "Sửa tỷ lệ cho khớp với tử số và mẫu số (hoặc sửa tử số, mẫu số nếu chúng sai)."
        }
        rules::NUMERATOR => "Sửa để tử số không lớn hơn mẫu số.",
        rules::BOUNDS => "Ghi lại giá trị trong giới hạn cho phép.",
        rules::PLAUSIBLE => "Kiểm tra lại giá trị; sửa nếu ghi nhầm.",
        rules::REQUIRED => "Điền số liệu (ghi 0 nếu thực tế không có).",
        rules::CONVERSION => {
            "Ghi lại bằng chữ số, không kèm chữ (biểu này đã ghi sẵn số đã đọc được: kiểm tra lại)."
        }
        rules::UNREADABLE => "Ghi lại giá trị bằng chữ số, không kèm chữ hoặc đơn vị tính.",
        rules::ERROR_CELL => "Thay ô báo lỗi bằng giá trị đúng.",
        rules::STALE_CACHE => "Không ghi đè lên ô tính sẵn; sửa các ô thành phần.",
        rules::NOT_APPLICABLE => "Xóa giá trị ở ô không áp dụng đối với đơn vị.",
        rules::MISSING_ROW => {
            "Khôi phục dòng, cột theo biểu mẫu (không xóa, không ghi trùng mã số)."
        }
        rules::UNIT | rules::FILE => "Kiểm tra theo nội dung bên cạnh và gửi lại báo cáo.",
        _ if f.cells.len() > 1 => "Sửa để tổng bằng tổng các phần (kiểm tra từng ô liên quan).",
        _ => "Sửa theo nội dung lỗi bên cạnh.",
    };
    text.to_string()
}

/// When to send, said on `today`: "chậm nhất ngày 20/06/2021 (còn 3
/// ngày)", "trong ngày hôm nay (20/06/2021)" or "sớm nhất (hạn nộp
/// 20/06/2021 đã qua 5 ngày)".
pub fn deadline_text(deadline: NaiveDate, today: NaiveDate) -> String {
    let days = (deadline - today).num_days();
    let d = deadline.format("%d/%m/%Y");
    match days {
        0 => format!("trong ngày hôm nay ({d})"),
        n if n > 0 => format!("chậm nhất ngày {d} (còn {n} ngày)"),
        n => format!("sớm nhất (hạn nộp {d} đã qua {} ngày)", -n),
    }
}

/// The feedback workbook of one unit: its form ([`build_form`], as
/// `tonghop forms` writes it) filled from its return with the findings
/// marked, and the "Cần sửa" sheet first.
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn workbook(
    round: &Round,
    fb: &Feedback,
    today: NaiveDate,
    saved_at: chrono::NaiveDateTime,
) -> Result<Workbook, XlsxError> {
    let (fill, items) = fill(round, fb);
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(fb.unit),
        fill: Some(&fill),
        // The round's deadline may be past: when to send the correction.
        deadline_note: Some(format!(
            "gửi lại {}",
            deadline_text(round.settings.deadline, today)
        )),
        saved_at,
    };
    let mut wb = build_form(&spec)?;
    let mut ws = Worksheet::new();
    todo_sheet(&mut ws, round, fb, &items, today)?;
    ws.set_active(true);
    let sheets = wb.worksheets_mut();
    for s in sheets.iter_mut() {
        s.set_active(false);
    }
    sheets.insert(0, ws);
    Ok(wb)
}

/// Column headers and widths of the "Cần sửa" sheet.
const TODO_HEADERS: [(&str, f64); 10] = [
    ("STT", 5.0),
    ("Mức độ", 9.0),
    ("Biểu", 9.0),
    ("Ô", 7.0),
    ("Mã số chỉ tiêu", 8.0),
    ("Chỉ tiêu", 28.0),
    ("Giá trị đã ghi", 11.0),
    ("Giá trị đúng / quy tắc", 16.0),
    ("Lỗi", 48.0),
    ("Việc cần làm", 30.0),
];

/// Row (0-based) of the header of the "Cần sửa" table.
pub const TODO_HEADER_ROW: u32 = 6;

fn todo_sheet(
    ws: &mut Worksheet,
    round: &Round,
    fb: &Feedback,
    items: &[Item],
    today: NaiveDate,
) -> Result<(), XlsxError> {
    let s = &round.settings;
    let styles = Styles::new();
    ws.set_name(TODO_SHEET)?;
    let last = TODO_HEADERS.len() as u16 - 1;
    for (i, (_, w)) in TODO_HEADERS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let width: f64 = TODO_HEADERS.iter().map(|(_, w)| w).sum();
    ws.merge_range(
        0,
        0,
        0,
        last,
        &format!("CẦN SỬA – {}", fb.unit.name.to_uppercase()),
        &styles.title,
    )?;
    ws.set_row_height(0, 30)?;
    let (errors, warnings) = fb.counts();
    let received = match fb.file {
        Some(f) => format!(
            "Tệp đã nhận: {}{}.",
            f.file,
            f.saved_at
                .map(|t| format!(" (lưu lúc {})", t.format("%d/%m/%Y %H:%M")))
                .unwrap_or_default()
        ),
        None => {
            let files: Vec<&str> = fb.other_files.iter().map(|f| f.file.as_str()).collect();
            format!(
                "Chưa có báo cáo nào của đơn vị dùng được{}: các trang \"Biểu …\" của tệp này là biểu mẫu trống của đơn vị.",
                if files.is_empty() {
                    String::new()
                } else {
                    format!(" (tệp đã nhận: {})", files.join(", "))
                }
            )
        }
    };
    let lines = [
        format!(
            "Báo cáo {} (Kế hoạch số {} ngày {} của {}).",
            s.title, s.plan_number, s.plan_date, s.issuer
        ),
        format!(
            "{received} Kiểm tra ngày {}: {errors} lỗi, {warnings} cảnh báo.",
            today.format("%d/%m/%Y")
        ),
        if fb.file.is_some() {
            "Cách sửa: sửa các ô nền đỏ trong các trang biểu của tệp này (ghi chú của ô nói rõ lỗi; bấm vào địa chỉ ở cột \"Ô\" để đến ô đó), rồi lưu và gửi lại chính tệp này; không xóa trang ẩn \"_tonghop\", có thể đổi tên tệp. Cảnh báo: kiểm tra lại, sửa nếu sai."
        } else {
            "Cách làm: điền số liệu vào các trang biểu của tệp này (ô nền vàng, xem trang \"Hướng dẫn\"), rồi lưu và gửi lại chính tệp này; không xóa trang ẩn \"_tonghop\", có thể đổi tên tệp."
        }
        .to_string(),
        format!(
            "Gửi lại {}. Nơi nhận: {}.",
            deadline_text(s.deadline, today),
            s.send_to
        ),
    ];
    for (i, line) in lines.iter().enumerate() {
        let r = 1 + i as u32;
        ws.merge_range(r, 0, r, last, line, &styles.wrap)?;
        ws.set_row_height(r, print::text_height(line, width, 12.0, false))?;
    }
    for (i, (h, _)) in TODO_HEADERS.iter().enumerate() {
        ws.write_string_with_format(TODO_HEADER_ROW, i as u16, *h, &styles.header)?;
    }
    ws.set_row_height(TODO_HEADER_ROW, 32)?;
    let cell_fmt = styles.locked_text.clone().set_font_size(11);
    let center = styles.stt.clone().set_font_size(11);
    let link = Format::new()
        .set_font_name(crate::form::FONT)
        .set_font_size(11)
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_font_color(rust_xlsxwriter::Color::RGB(0x0563C1))
        .set_underline(rust_xlsxwriter::FormatUnderline::Single);
    let red = center
        .clone()
        .set_bold()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    for (row, (n, item)) in (TODO_HEADER_ROW + 1..).zip(items.iter().enumerate()) {
        let f = item.finding;
        ws.write_number_with_format(row, 0, (n + 1) as f64, &center)?;
        let sev = if f.severity == Severity::Loi {
            &red
        } else {
            &center
        };
        ws.write_string_with_format(row, 1, f.severity.label(), sev)?;
        ws.write_string_with_format(row, 2, &item.sheet, &center)?;
        match item.cell {
            Some(cell) => {
                let url = Url::new(format!("internal:'{}'!{cell}", item.sheet))
                    .set_text(cell.to_string());
                ws.write_url_with_format(row, 3, url, &link)?;
            }
            None => {
                ws.write_string_with_format(row, 3, "", &center)?;
            }
        }
        ws.write_string_with_format(row, 4, &f.code, &center)?;
        let texts = [
            (5, f.indicator.clone()),
            (6, f.found.clone()),
            (7, f.expected.clone()),
            (8, f.message.clone()),
            (9, action(f, fb)),
        ];
        let mut height = print::line_height(11.0);
        for (col, text) in &texts {
            ws.write_string_with_format(row, *col, text, &cell_fmt)?;
            let w = TODO_HEADERS[*col as usize].1;
            height = f64::max(height, print::text_height(text, w, 11.0, false));
        }
        ws.set_row_height(row, height.min(print::MAX_ROW_HEIGHT))?;
    }
    ws.set_freeze_panes(TODO_HEADER_ROW + 1, 0)?;
    // A working table: fit to the page width, the sheet's name and page
    // numbers in the footer as on every sheet.
    let mut page = Layout::new(Orientation::Landscape);
    page.repeat_rows(TODO_HEADER_ROW, TODO_HEADER_ROW);
    page.apply_fit_width(
        ws,
        TODO_HEADERS.len() as u16,
        TODO_HEADER_ROW + items.len().max(1) as u32,
    )?;
    Ok(())
}
