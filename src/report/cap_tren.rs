//! The "Lưu ý" sheet of `gui-cap-tren.xlsx`: what the level above must
//! know about the committee's return that the form's cells cannot say:
//! whether it is final or a draft, how many units each total covers, the
//! totals that include a value with a lỗi, and narrative answers too long
//! for one cell, in full. The sheet has no "Mã số" table, so a reader of
//! the form contract (FORMAT.md) passes over it.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::catalog::GroupKind;
use crate::consolidate::Consolidated;
use crate::form::{Fill, FillValue, ReturnStatus, Styles};
use crate::print::{self, Layout, Orientation};
use crate::report::committee_header;
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

/// Add the "Lưu ý" sheet to the committee's return, after its forms.
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
    let c = &round.catalog;
    let set = &round.settings;
    // Rows streamed (every unit's long answers at 52,000 units): written
    // in order.
    let ws = wb.add_worksheet_with_low_memory()?;
    ws.set_name(NOTES_SHEET)?;
    let width = 6u16;
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
    let mut page = Layout::new(Orientation::Landscape);
    for (col, w) in [
        (0u16, 9.0),
        (1, 8.0),
        (2, 44.0),
        (3, 18.0),
        (4, 12.0),
        (5, 60.0),
    ] {
        page.width(ws, col, w)?;
    }
    committee_header(
        ws,
        &mut page,
        &s,
        set,
        "LƯU Ý KÈM THEO BÁO CÁO TỔNG HỢP",
        &lines,
        width,
    )?;
    let mut row = 7u32;
    for (i, h) in [
        "Biểu",
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Cột",
        "Đơn vị báo cáo",
        "Lưu ý",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, i as u16, *h, &s.header)?;
    }
    page.repeat_rows(row, row);
    row += 1;
    for g in c.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        for ind in c.indicators_of(&g.id) {
            let of = crate::report::tong_hop::applicable_units(round, ind);
            for col in c.columns_of(g) {
                let key = (ind.code.clone(), col.key.clone());
                let Some(note) = fill.notes.get(&key) else {
                    continue;
                };
                let n = cons.total_count(&ind.code, &col.key);
                ws.write_string_with_format(row, 0, format!("Biểu {:02}", g.number), &s.stt)?;
                ws.write_string_with_format(row, 1, &ind.code, &s.code)?;
                ws.write_string_with_format(row, 2, &ind.label, &s.wrap)?;
                ws.write_string_with_format(row, 3, &col.label, &s.wrap)?;
                ws.write_string_with_format(row, 4, format!("{n}/{of}"), &s.stt)?;
                let text = note.clone();
                ws.write_string_with_format(row, 5, &text, &s.wrap)?;
                let h = print::text_height(&text, 60.0, 12.0, false)
                    .max(print::text_height(&ind.label, 44.0, 12.0, false))
                    .max(print::text_height(&col.label, 18.0, 12.0, false));
                page.height(ws, row, h.min(print::MAX_ROW_HEIGHT))?;
                row += 1;
            }
        }
    }
    // Narrative answers too long for the form's cell, in full.
    for g in c.groups.iter().filter(|g| g.kind == GroupKind::Narrative) {
        for ind in c.indicators_of(&g.id) {
            let key = (ind.code.clone(), c.columns_of(g)[0].key.clone());
            if !matches!(fill.cells.get(&key), Some(FillValue::Text(_)))
                || !fill.notes.contains_key(&key)
            {
                continue;
            }
            row += 1;
            ws.merge_range(
                row,
                0,
                row,
                width - 1,
                &format!(
                    "Toàn văn mục {} – {} ({})",
                    ind.outline_ref, ind.label, ind.code
                ),
                &s.label[0],
            )?;
            page.keep(row, row + 1);
            row += 1;
            let answer_width = page.span(3, width - 1);
            for u in &round.units {
                let Some(t) = cons.texts.get(&(ind.code.clone(), u.code.clone())) else {
                    continue;
                };
                // A long answer continues over several rows (a row is at
                // most one page tall).
                for (i, part) in print::chunks(t, answer_width, 12.0, 20).iter().enumerate() {
                    let name = if i == 0 { u.name.as_str() } else { "" };
                    ws.merge_range(row, 0, row, 2, name, &s.wrap)?;
                    ws.merge_range(row, 3, row, width - 1, part, &s.wrap)?;
                    page.height(ws, row, print::text_height(part, answer_width, 12.0, false))?;
                    row += 1;
                }
            }
        }
    }
    page.apply(ws, width, row)?;
    Ok(())
}
