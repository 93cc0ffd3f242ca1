//! The "Lưu ý" and "Toàn văn" sheets of `gui-cap-tren.xlsx`: what the
//! level above must know about the committee's return that the form's
//! cells cannot say. "Lưu ý": whether it is final or a draft, how many
//! units each total covers, the totals that include a value with a lỗi.
//! "Toàn văn": narrative answers too long for one cell, every unit's in
//! full. Neither sheet has a "Mã số" table, so a reader of the form
//! contract (FORMAT.md) passes over them.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::catalog::{Column, Group, GroupKind, Indicator};
use crate::consolidate::Consolidated;
use crate::form::{Fill, FillValue, ReturnStatus, Styles};
use crate::print::{self, Layout};
use crate::report::committee_header;
use crate::report::listing::{self, Listing, Part, SHEET_ROWS};
use crate::round::Round;

/// Name of the notes sheet.
pub const NOTES_SHEET: &str = "Lưu ý";

/// Name of the sheet of narrative answers in full.
pub const FULL_TEXT_SHEET: &str = "Toàn văn";

/// Most characters tonghop puts in one cell (Excel's limit is 32,767).
pub const CELL_CHARS: usize = 32_000;

/// Why a thuyết minh cell of the committee's return holds only some of
/// the units' answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellLimit {
    /// The answers joined pass [`CELL_CHARS`] characters.
    Chars,
    /// The answers joined, wrapped in the answer column, are taller than
    /// the tallest row Excel keeps and prints ([`print::MAX_ROW_HEIGHT`],
    /// some 25 lines): what is below is cut off the page.
    Height,
}

impl std::fmt::Display for CellLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CellLimit::Chars => "giới hạn 32.767 ký tự của một ô Excel",
            CellLimit::Height => {
                "một dòng của bảng tính cao nhiều nhất 409 pt, khoảng 25 dòng chữ: phần dài hơn không in ra được"
            }
        })
    }
}

/// A thuyết minh cell of the committee's return: the answers it holds and
/// what became of the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FittedCell {
    /// Whole answers, one a line, then (when some are left out) a line
    /// saying where they are.
    pub text: String,
    /// Answers left out of the cell (on the [`FULL_TEXT_SHEET`] sheet).
    pub left: usize,
    /// Why they were left out (meaningful when `left > 0`).
    pub limit: CellLimit,
}

/// Wrapped lines of `text` in the answer column of a thuyết minh sheet
/// (12 pt, [`form::NARRATIVE_WIDTH`] units).
fn answer_lines(text: &str) -> usize {
    print::wrapped_lines(text, crate::form::NARRATIVE_WIDTH, 12.0, false)
}

/// The narrative answers `parts` ("Đơn vị: câu trả lời") joined into one
/// cell of the thuyết minh sheet: all of them when they fit both
/// [`CELL_CHARS`] and a row Excel can print whole
/// ([`print::MAX_ROW_HEIGHT`] in the answer column), otherwise as many
/// whole answers as fit with a last line saying where the rest is (the
/// [`FULL_TEXT_SHEET`] sheet, every unit's answer in full). Seen: 27
/// units' answers for 15.01 joined to 6,400 characters, the row cut at
/// 409 pt on paper, eleven units' answers never printed.
pub fn fit_cell(parts: &[String]) -> FittedCell {
    let max_lines = ((print::MAX_ROW_HEIGHT - 2.0) / print::line_height(12.0)).floor() as usize;
    let marker = |left: usize| {
        format!("[… còn {left} câu trả lời: xem toàn văn ở trang \"{FULL_TEXT_SHEET}\"]")
    };
    // Explicit line breaks join the answers, so the lines of the cell are
    // the sum of each answer's lines.
    let sizes: Vec<(usize, usize)> = parts
        .iter()
        .map(|p| (p.chars().count(), answer_lines(p)))
        .collect();
    let chars: usize = sizes.iter().map(|s| s.0).sum::<usize>() + parts.len().saturating_sub(1);
    let lines: usize = sizes.iter().map(|s| s.1).sum();
    if chars <= CELL_CHARS && lines <= max_lines {
        return FittedCell {
            text: parts.join("\n"),
            left: 0,
            limit: CellLimit::Chars,
        };
    }
    // The height binds first (25 lines of the answer column hold some
    // 2,600 characters); the characters stay a bound of their own.
    let limit = if lines > max_lines {
        CellLimit::Height
    } else {
        CellLimit::Chars
    };
    // Room for the pointer line at its longest (every answer left out).
    let longest = marker(parts.len());
    let room_chars = CELL_CHARS - longest.chars().count() - 1;
    let room_lines = max_lines.saturating_sub(answer_lines(&longest));
    let (mut used_chars, mut used_lines, mut used) = (0, 0, 0);
    for (i, (c, l)) in sizes.iter().enumerate() {
        let c = used_chars + c + usize::from(i > 0);
        let l = used_lines + l;
        if c > room_chars || l > room_lines {
            break;
        }
        (used_chars, used_lines, used) = (c, l, used + 1);
    }
    let left = parts.len() - used;
    let mut text = parts[..used].join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&marker(left));
    FittedCell { text, left, limit }
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

/// The thuyết minh items whose answers, joined, are too long for the
/// form's cell or too tall to print in it ([`fit_cell`] left some out,
/// `fill` notes it): their
/// answers go on the [`FULL_TEXT_SHEET`] sheet.
fn long_answers<'c>(catalog: &'c crate::catalog::Catalog, fill: &Fill) -> Vec<&'c Indicator> {
    catalog
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Narrative)
        .flat_map(|g| {
            let col = &catalog.columns_of(g)[0].key;
            catalog.indicators_of(&g.id).filter(move |ind| {
                let key = (ind.code.clone(), col.clone());
                matches!(fill.cells.get(&key), Some(FillValue::Text(_)))
                    && fill.notes.contains_key(&key)
            })
        })
        .collect()
}

/// Add the "Lưu ý" sheet to the committee's return, after its forms, then
/// the "Toàn văn" sheet when an answer did not fit its cell (each on parts
/// "Lưu ý (2)", … past Excel's row limit: every unit's long answers at
/// 52,000 units fill some 1.8 million rows).
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn notes_sheets(
    wb: &mut Workbook,
    round: &Round,
    cons: &Consolidated,
    fill: &Fill,
) -> Result<(), XlsxError> {
    let s = Styles::new();
    let long = long_answers(&round.catalog, fill);
    listing::write(
        wb,
        &Notes {
            round,
            cons,
            fill,
            s: &s,
            full_texts: !long.is_empty(),
        },
        SHEET_ROWS,
    )?;
    if long.is_empty() {
        return Ok(());
    }
    let items: Vec<(&Indicator, String)> = long
        .into_iter()
        .map(|ind| (ind, format!("{} ({})", ind.outline_ref, ind.code)))
        .collect();
    listing::write(
        wb,
        &FullTexts {
            round,
            cons,
            items: &items,
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
    /// Some answers are on the [`FULL_TEXT_SHEET`] sheet (the header says
    /// so).
    full_texts: bool,
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
}

/// A row of the "Toàn văn" sheet.
enum FullTextLine<'a> {
    /// The empty row above an item's answers.
    Gap,
    /// "Mục … – … (…)".
    Heading(String),
    /// A unit's answer in full, or a further part of a long one, and its
    /// item ("I.2 (15.01)", on every row: the heading is pages away at
    /// 52,000 units). Cells of their own, no merged range: 1.8 million
    /// rows at 52,000 units, and the writer keeps every merged cell in
    /// memory until the save.
    Answer {
        name: &'a str,
        text: String,
        item: &'a str,
    },
}

/// "Đơn vị báo cáo", the answer (as wide as on the notes' sheet), "Mục":
/// as wide together as the notes' columns, the last column narrow enough
/// for the header's "ĐẢNG CỘNG SẢN VIỆT NAM" to stand on the right.
const FULL_TEXT_WIDTHS: [f64; 3] = [30.0, 91.0, 30.0];

struct FullTexts<'a> {
    round: &'a Round,
    cons: &'a Consolidated,
    /// The thuyết minh items whose answers did not fit their cell, each
    /// with its "I.2 (15.01)".
    items: &'a [(&'a Indicator, String)],
    s: &'a Styles,
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
        // "Đơn vị báo cáo": two lines in its column.
        (
            &[
                "Biểu",
                "Mã số",
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
        Ok(())
    }

    fn is_heading(_: &NoteLine<'a>) -> bool {
        false
    }

    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError> {
        let (round, cons, fill, s) = (self.round, self.cons, self.fill, self.s);
        let status = match fill.status {
            Some(st @ ReturnStatus::Draft { .. }) => format!(
                "{st}: các số có lỗi được đánh dấu đỏ; báo cáo chính thức sẽ gửi khi các đơn vị đã sửa."
            ),
            _ => "Báo cáo chính thức: không còn lỗi trong số liệu tổng hợp.".to_string(),
        };
        let mut lines = vec![
            status,
            format!(
                "Các số tổng hợp từ {}/{} đơn vị phải nộp{}; dưới đây là các số có ít đơn vị có số liệu hơn số đơn vị đã nộp, hoặc có lỗi (số đơn vị có số liệu / số đơn vị phải báo cáo chỉ tiêu).",
                cons.units.len(),
                round.units.len(),
                missing_units(round, cons)
            ),
        ];
        if self.full_texts {
            lines.push(format!("Câu trả lời thuyết minh quá dài để in trọn trong một ô của biểu: toàn văn của từng đơn vị ở trang \"{FULL_TEXT_SHEET}\"."));
        }
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
        _: &mut Layout,
        row: u32,
        line: &NoteLine<'a>,
    ) -> Result<(), XlsxError> {
        let s = self.s;
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
                ws.write_string_with_format(row, 2, &ind.label, &s.locked_text)?;
                ws.write_string_with_format(row, 3, &col.label, &s.locked_text)?;
                ws.write_string_with_format(row, 4, of, &s.stt)?;
                ws.write_string_with_format(row, 5, *note, &s.locked_text)?;
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
        }
    }

    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError> {
        page.apply(ws, NOTE_WIDTHS.len() as u16, last)
    }
}

impl<'a> Listing for FullTexts<'a> {
    type Line = FullTextLine<'a>;

    fn name(&self) -> &str {
        FULL_TEXT_SHEET
    }

    fn widths(&self) -> &[f64] {
        &FULL_TEXT_WIDTHS
    }

    fn headings(&self) -> (&[&str], f64) {
        (&["Đơn vị báo cáo", "Câu trả lời (toàn văn)", "Mục"], 20.0)
    }

    fn styles(&self) -> &Styles {
        self.s
    }

    fn repeats_texts(&self) -> bool {
        false
    }

    fn lines(
        &self,
        emit: &mut dyn FnMut(FullTextLine<'a>) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError> {
        for (ind, item) in self.items {
            emit(FullTextLine::Gap)?;
            emit(FullTextLine::Heading(format!(
                "Mục {} – {} ({})",
                ind.outline_ref, ind.label, ind.code
            )))?;
            for u in &self.round.units {
                let Some(t) = self.cons.text(&ind.code, &u.code) else {
                    continue;
                };
                // A long answer continues over several rows (a row is at
                // most one page tall).
                for (i, text) in print::chunks(t, FULL_TEXT_WIDTHS[1], 12.0, 20)
                    .into_iter()
                    .enumerate()
                {
                    let name = if i == 0 { u.name.as_str() } else { "" };
                    emit(FullTextLine::Answer { name, text, item })?;
                }
            }
        }
        Ok(())
    }

    fn is_heading(line: &FullTextLine<'a>) -> bool {
        matches!(line, FullTextLine::Heading(_) | FullTextLine::Gap)
    }

    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError> {
        let lines = ["Các câu trả lời thuyết minh mà một ô của biểu không chứa hoặc không in trọn được (một ô in được khoảng 25 dòng chữ): toàn văn của từng đơn vị, theo thứ tự danh sách đơn vị.".to_string()];
        committee_header(
            ws,
            page,
            self.s,
            &self.round.settings,
            &format!(
                "TOÀN VĂN CÁC CÂU TRẢ LỜI THUYẾT MINH{}",
                part.title_suffix()
            ),
            &lines,
            FULL_TEXT_WIDTHS.len() as u16,
        )
    }

    fn write(
        &self,
        ws: &mut Worksheet,
        page: &mut Layout,
        row: u32,
        line: &FullTextLine<'a>,
    ) -> Result<(), XlsxError> {
        let s = self.s;
        match line {
            FullTextLine::Gap => {}
            FullTextLine::Heading(title) => {
                ws.merge_range(row, 0, row, 2, title, &s.label[0])?;
                page.keep(row, row + 1);
            }
            FullTextLine::Answer { name, text, item } => {
                // A bordered table, like the notes' rows.
                ws.write_string_with_format(row, 0, *name, &s.locked_text)?;
                ws.write_string_with_format(row, 1, text, &s.locked_text)?;
                ws.write_string_with_format(row, 2, *item, &s.stt)?;
            }
        }
        Ok(())
    }

    fn height(&self, line: &FullTextLine<'a>) -> Option<f64> {
        match line {
            FullTextLine::Gap | FullTextLine::Heading(_) => None,
            FullTextLine::Answer { name, text, .. } => {
                Some(
                    print::text_height(text, FULL_TEXT_WIDTHS[1], 12.0, false)
                        .max(print::text_height(name, FULL_TEXT_WIDTHS[0], 12.0, false)),
                )
            }
        }
    }

    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError> {
        page.apply(ws, FULL_TEXT_WIDTHS.len() as u16, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(n: usize, chars: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("Đơn vị {i:02}: {}", "lời ".repeat(chars / 4)))
            .collect()
    }

    #[test]
    fn answers_that_print_in_one_row_are_kept_whole() {
        let parts = answers(3, 200);
        let cell = fit_cell(&parts);
        assert_eq!(cell.left, 0);
        assert_eq!(cell.text, parts.join("\n"));
    }

    #[test]
    fn answers_taller_than_a_row_go_to_the_full_text_sheet() {
        // As seen: 27 units, 6,400 characters joined for one item.
        let parts = answers(27, 236);
        let cell = fit_cell(&parts);
        let max = ((print::MAX_ROW_HEIGHT - 2.0) / print::line_height(12.0)).floor() as usize;
        assert!(cell.left > 0, "{}", cell.text);
        assert_eq!(cell.limit, CellLimit::Height);
        assert!(
            answer_lines(&cell.text) <= max,
            "{}",
            answer_lines(&cell.text)
        );
        assert!(
            print::text_height(&cell.text, crate::form::NARRATIVE_WIDTH, 12.0, false)
                <= print::MAX_ROW_HEIGHT
        );
        let kept = parts.len() - cell.left;
        // The answers kept are whole and first; the last line says how
        // many are elsewhere.
        let lines: Vec<&str> = cell.text.split('\n').collect();
        assert_eq!(
            lines[..kept],
            parts[..kept].iter().map(|p| p.as_str()).collect::<Vec<_>>()[..]
        );
        assert_eq!(
            lines[kept],
            format!(
                "[… còn {} câu trả lời: xem toàn văn ở trang \"Toàn văn\"]",
                cell.left
            )
        );
        assert_eq!(lines.len(), kept + 1);
    }

    #[test]
    fn a_first_answer_too_tall_leaves_only_the_pointer() {
        let parts = answers(2, 4000);
        let cell = fit_cell(&parts);
        assert_eq!(cell.left, 2);
        assert_eq!(
            cell.text,
            "[… còn 2 câu trả lời: xem toàn văn ở trang \"Toàn văn\"]"
        );
    }

    #[test]
    fn the_limit_says_why_in_vietnamese() {
        assert!(CellLimit::Height.to_string().contains("409 pt"));
        assert!(CellLimit::Chars.to_string().contains("32.767 ký tự"));
    }
}
