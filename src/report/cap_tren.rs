//! The "Lưu ý" sheet of `gui-cap-tren.xlsx`: what the level above must
//! know about the committee's return that the form's cells cannot say:
//! whether it is final or a draft, how many units each total covers, the
//! totals that include a value with a lỗi, and narrative answers too long
//! for one cell, in full. The sheet has no "Mã số" table, so a reader of
//! the form contract (FORMAT.md) passes over it.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::catalog::{Column, Group, GroupKind, Indicator};
use crate::consolidate::Consolidated;
use crate::form::{Fill, FillValue, ReturnStatus, Styles};
use crate::print::{self, Layout, Orientation};
use crate::report::committee_header;
use crate::report::listing::{self, Listing, Part, SHEET_ROWS};
use crate::round::Round;

/// Name of the sheet.
pub const NOTES_SHEET: &str = "Lưu ý";

/// Most characters tonghop puts in one cell (Excel's limit is 32,767).
pub const CELL_CHARS: usize = 32_000;

/// The narrative answers `parts` ("Đơn vị: câu trả lời") joined into one
/// cell: as many whole answers as fit in [`CELL_CHARS`], then a line
/// saying where the rest is. Returns the text and how many answers were
/// left out (they are on the [`NOTES_SHEET`] sheet in full).
pub fn fit_cell(parts: &[String]) -> (String, usize) {
    let marker =
        |left: usize| format!("[… còn {left} câu trả lời: xem toàn văn ở trang \"{NOTES_SHEET}\"]");
    let mut text = String::new();
    let mut used = 0;
    for (i, p) in parts.iter().enumerate() {
        let room = CELL_CHARS - marker(parts.len()).chars().count() - 1;
        let len = text.chars().count() + p.chars().count() + usize::from(i > 0);
        if len > room {
            break;
        }
        if i > 0 {
            text.push('\n');
        }
        text.push_str(p);
        used += 1;
    }
    let left = parts.len() - used;
    if left > 0 {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&marker(left));
    }
    (text, left)
}

/// " (chưa nộp: A, B)" for the units without a return, or "".
fn missing_units(round: &Round, cons: &Consolidated) -> String {
    let missing: Vec<&str> = round
        .units
        .iter()
        .filter(|u| !cons.units.contains_key(&u.code))
        .map(|u| u.name.as_str())
        .collect();
    if missing.is_empty() {
        String::new()
    } else {
        format!(" (chưa nộp: {})", missing.join(", "))
    }
}

/// Add the "Lưu ý" sheet to the committee's return, after its forms (on
/// parts "Lưu ý (2)", … past Excel's row limit: every unit's long answers
/// at 52,000 units).
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn notes_sheet(
    wb: &mut Workbook,
    round: &Round,
    cons: &Consolidated,
    fill: &Fill,
) -> Result<(), XlsxError> {
    let s = Styles::new();
    listing::write(
        wb,
        &Notes {
            round,
            cons,
            fill,
            s: &s,
        },
        SHEET_ROWS,
    )
}

struct Notes<'a> {
    round: &'a Round,
    cons: &'a Consolidated,
    fill: &'a Fill,
    s: &'a Styles,
}

/// A row of the "Lưu ý" sheet.
enum NoteLine<'a> {
    /// A total's note: biểu, chỉ tiêu, column, units with a figure of the
    /// units it applies to, the note.
    Total {
        group: &'a Group,
        ind: &'a Indicator,
        col: &'a Column,
        of: String,
        note: &'a str,
    },
    /// The empty row above a full text.
    Gap,
    /// "Toàn văn mục … – … (…)".
    Heading(String),
    /// A unit's answer in full, or a further part of a long one.
    Answer { name: &'a str, text: String },
}

const NOTE_WIDTHS: [f64; 6] = [9.0, 8.0, 44.0, 18.0, 12.0, 60.0];

impl<'a> Listing for Notes<'a> {
    type Line = NoteLine<'a>;

    fn name(&self) -> &str {
        NOTES_SHEET
    }

    fn widths(&self) -> &[f64] {
        &NOTE_WIDTHS
    }

    fn headings(&self) -> (&[&str], f64) {
        // "Mã chỉ tiêu", "Đơn vị báo cáo": two lines in their columns.
        (
            &[
                "Biểu",
                "Mã chỉ tiêu",
                "Chỉ tiêu",
                "Cột",
                "Đơn vị báo cáo",
                "Lưu ý",
            ],
            32.0,
        )
    }

    fn styles(&self) -> &Styles {
        self.s
    }

    fn repeats_texts(&self) -> bool {
        false
    }

    fn first_row(&self) -> u32 {
        8
    }

    fn layout(&self) -> Layout {
        Layout::new(Orientation::Landscape)
    }

    fn lines(
        &self,
        emit: &mut dyn FnMut(NoteLine<'a>) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError> {
        let (round, cons, fill) = (self.round, self.cons, self.fill);
        let c = &round.catalog;
        for group in c.groups.iter().filter(|g| g.kind == GroupKind::Table) {
            for ind in c.indicators_of(&group.id) {
                let of = crate::report::tong_hop::applicable_units(round, ind);
                for col in c.columns_of(group) {
                    let Some(note) = fill.notes.get(&(ind.code.clone(), col.key.clone())) else {
                        continue;
                    };
                    let n = cons.total_count(&ind.code, &col.key);
                    emit(NoteLine::Total {
                        group,
                        ind,
                        col,
                        of: format!("{n}/{of}"),
                        note,
                    })?;
                }
            }
        }
        // Narrative answers too long for the form's cell, in full.
        let answer_width: f64 = NOTE_WIDTHS[3..].iter().sum();
        for g in c.groups.iter().filter(|g| g.kind == GroupKind::Narrative) {
            for ind in c.indicators_of(&g.id) {
                let key = (ind.code.clone(), c.columns_of(g)[0].key.clone());
                if !matches!(fill.cells.get(&key), Some(FillValue::Text(_)))
                    || !fill.notes.contains_key(&key)
                {
                    continue;
                }
                emit(NoteLine::Gap)?;
                emit(NoteLine::Heading(format!(
                    "Toàn văn mục {} – {} ({})",
                    ind.outline_ref, ind.label, ind.code
                )))?;
                for u in &round.units {
                    let Some(t) = cons.text(&ind.code, &u.code) else {
                        continue;
                    };
                    // A long answer continues over several rows (a row is
                    // at most one page tall).
                    for (i, text) in print::chunks(t, answer_width, 12.0, 20)
                        .into_iter()
                        .enumerate()
                    {
                        let name = if i == 0 { u.name.as_str() } else { "" };
                        emit(NoteLine::Answer { name, text })?;
                    }
                }
            }
        }
        Ok(())
    }

    fn is_heading(line: &NoteLine<'a>) -> bool {
        matches!(line, NoteLine::Heading(_) | NoteLine::Gap)
    }

    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError> {
        let (round, cons, fill, s) = (self.round, self.cons, self.fill, self.s);
        let status = match fill.status {
            Some(st @ ReturnStatus::Draft { .. }) => format!(
                "{st}: các số có lỗi được đánh dấu đỏ; báo cáo chính thức sẽ gửi khi các đơn vị đã sửa."
            ),
            _ => "Báo cáo chính thức: không còn lỗi trong số liệu tổng hợp.".to_string(),
        };
        let lines = [
            status,
            format!(
                "Các số tổng hợp từ {}/{} đơn vị phải nộp{}; dưới đây là các số có ít đơn vị có số liệu hơn số đơn vị đã nộp, hoặc có lỗi (số đơn vị có số liệu / số đơn vị phải báo cáo chỉ tiêu).",
                cons.units.len(),
                round.units.len(),
                missing_units(round, cons)
            ),
        ];
        committee_header(
            ws,
            page,
            s,
            &round.settings,
            &format!("LƯU Ý KÈM THEO BÁO CÁO TỔNG HỢP{}", part.title_suffix()),
            &lines,
            NOTE_WIDTHS.len() as u16,
        )?;
        Ok(())
    }

    fn write(
        &self,
        ws: &mut Worksheet,
        page: &mut Layout,
        row: u32,
        line: &NoteLine<'a>,
    ) -> Result<(), XlsxError> {
        let s = self.s;
        let last = NOTE_WIDTHS.len() as u16 - 1;
        match line {
            NoteLine::Total {
                group,
                ind,
                col,
                of,
                note,
            } => {
                ws.write_string_with_format(row, 0, format!("Biểu {:02}", group.number), &s.stt)?;
                ws.write_string_with_format(row, 1, &ind.code, &s.code)?;
                ws.write_string_with_format(row, 2, &ind.label, &s.wrap)?;
                ws.write_string_with_format(row, 3, &col.label, &s.wrap)?;
                ws.write_string_with_format(row, 4, of, &s.stt)?;
                ws.write_string_with_format(row, 5, *note, &s.wrap)?;
            }
            NoteLine::Gap => {}
            NoteLine::Heading(title) => {
                ws.merge_range(row, 0, row, last, title, &s.label[0])?;
                page.keep(row, row + 1);
            }
            NoteLine::Answer { name, text } => {
                ws.merge_range(row, 0, row, 2, name, &s.wrap)?;
                ws.merge_range(row, 3, row, last, text, &s.wrap)?;
            }
        }
        Ok(())
    }

    fn height(&self, line: &NoteLine<'a>) -> Option<f64> {
        match line {
            NoteLine::Total { ind, col, note, .. } => Some(
                print::text_height(note, NOTE_WIDTHS[5], 12.0, false)
                    .max(print::text_height(&ind.label, NOTE_WIDTHS[2], 12.0, false))
                    .max(print::text_height(&col.label, NOTE_WIDTHS[3], 12.0, false))
                    .min(print::MAX_ROW_HEIGHT),
            ),
            NoteLine::Gap | NoteLine::Heading(_) => None,
            NoteLine::Answer { text, .. } => {
                let width: f64 = NOTE_WIDTHS[3..].iter().sum();
                Some(print::text_height(text, width, 12.0, false))
            }
        }
    }

    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError> {
        page.apply(ws, NOTE_WIDTHS.len() as u16, last)
    }
}
