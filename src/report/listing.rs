//! Long listings: sheets of one row per line (the thuyết minh answers, the
//! list rows, the notes of the committee's return) that go on parts
//! "Thuyết minh", "Thuyết minh (2)", … when their rows would pass Excel's
//! 1,048,576 (the thuyết minh of Đề án 241 needs about 35 rows a unit:
//! past the limit above some 30,000 units). Every part has the sheet's
//! header and column headings, its title says "(PHẦN k/n)", and a heading
//! line never ends a part (it goes with the line after it).

use std::collections::HashMap;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::form::Styles;
use crate::print::Layout;

/// Rows of a sheet in Excel (and .xlsx).
pub(crate) const SHEET_ROWS: u32 = 1_048_576;

/// Lines of one height a part needs for that height to become its sheet's
/// default row height (below it, a short listing stays as it was).
const COMMON_LINES: u32 = 200;

/// Which part of a sheet is being written (0-based `index` of `count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub index: usize,
    pub count: usize,
}

impl Part {
    /// The sheet name of this part: `base`, then `base (2)`, `base (3)`, …
    pub fn sheet_name(&self, base: &str) -> String {
        match self.index {
            0 => base.to_string(),
            k => format!("{base} ({})", k + 1),
        }
    }

    /// What a title gets on a sheet in parts: " (PHẦN 2/3)"; nothing for a
    /// sheet in one part.
    pub fn title_suffix(&self) -> String {
        match self.count {
            0 | 1 => String::new(),
            n => format!(" (PHẦN {}/{n})", self.index + 1),
        }
    }
}

/// A sheet written as a listing.
pub(crate) trait Listing {
    /// One row of the listing.
    type Line;
    /// The sheet name (of the first part).
    fn name(&self) -> &str;
    /// The first row (0-based) below the header, the same on every part:
    /// 8 by default, under a committee header (rows 0–3, up to three lines
    /// on rows 4–6) and the column headings on row 7.
    fn first_row(&self) -> u32 {
        8
    }
    /// Every line in order, each handed to `emit`. Called twice (to count
    /// the parts, then to write), so it gives the same lines both times.
    ///
    /// # Errors
    /// What `emit` returns.
    fn lines(
        &self,
        emit: &mut dyn FnMut(Self::Line) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError>;
    /// A heading: kept on the part of the line after it.
    fn is_heading(line: &Self::Line) -> bool;
    /// Column widths (characters), one per column.
    fn widths(&self) -> &[f64];
    /// The column headings, on the row above [`Listing::first_row`] and
    /// repeated on every printed page, and that row's height (points).
    fn headings(&self) -> (&[&str], f64);
    /// The workbook's styles (the headings use `header`).
    fn styles(&self) -> &Styles;
    /// The header of a part (committee, title, lines), above the headings.
    ///
    /// # Errors
    /// rust_xlsxwriter errors.
    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError>;
    /// The height (points) of a line's row, `None` for a row of Excel's
    /// standard height. The driver sets it: a part's most common height
    /// becomes its sheet's default, so that most rows store none.
    fn height(&self, line: &Self::Line) -> Option<f64>;
    /// One line at `row` (its height is set by the driver).
    ///
    /// # Errors
    /// rust_xlsxwriter errors.
    fn write(
        &self,
        ws: &mut Worksheet,
        page: &mut Layout,
        row: u32,
        line: &Self::Line,
    ) -> Result<(), XlsxError>;
    /// Freeze panes, filters and the print set-up of a part whose last row
    /// is `last` (`first_row() - 1` for a part with no line).
    ///
    /// # Errors
    /// rust_xlsxwriter errors.
    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError>;
    /// The page set-up a part starts from (orientation): landscape by
    /// default.
    fn layout(&self) -> Layout {
        Layout::new(crate::print::Orientation::Landscape)
    }
    /// Whether texts repeat (unit names): they are then stored once in the
    /// workbook's shared strings; unique texts (answers) are written in
    /// their cells instead, not kept in memory until the save.
    fn repeats_texts(&self) -> bool {
        true
    }
}

/// Where lines go: a part holds `capacity` lines.
struct Planner {
    capacity: u32,
    used: u32,
    part: usize,
}

impl Planner {
    fn new(capacity: u32) -> Planner {
        Planner {
            capacity: capacity.max(2),
            used: 0,
            part: 0,
        }
    }

    /// The part and the position in it of the next line; a heading starts
    /// a new part when it would be the part's last line.
    fn place(&mut self, heading: bool) -> (usize, u32) {
        if self.used == self.capacity || (heading && self.used + 1 == self.capacity) {
            self.part += 1;
            self.used = 0;
        }
        self.used += 1;
        (self.part, self.used - 1)
    }
}

/// Write `listing` on new sheets of `wb` (streamed: rows in order), on as
/// many parts of at most `rows` rows as it needs ([`SHEET_ROWS`] but in
/// tests).
///
/// # Errors
/// rust_xlsxwriter errors.
pub(crate) fn write<L: Listing>(
    wb: &mut Workbook,
    listing: &L,
    rows: u32,
) -> Result<(), XlsxError> {
    let first = listing.first_row();
    let capacity = rows.saturating_sub(first);
    let mut count = Planner::new(capacity);
    let mut any = false;
    // Per part: how many lines have each height (by its bits).
    let mut tally: Vec<HashMap<u64, u32>> = vec![HashMap::new()];
    listing.lines(&mut |line| {
        let (part, _) = count.place(L::is_heading(&line));
        if part == tally.len() {
            tally.push(HashMap::new());
        }
        if let Some(h) = listing.height(&line) {
            // As the row gets it: never taller than Excel's tallest row (a
            // sheet default above it would be invalid).
            let h = h.min(crate::print::MAX_ROW_HEIGHT);
            *tally[part].entry(h.to_bits()).or_default() += 1;
        }
        any = true;
        Ok(())
    })?;
    let count = if any { count.part + 1 } else { 1 };
    // The most common height of each part (the lowest of equals), when
    // more than a handful of lines have it.
    let common: Vec<Option<f64>> = tally
        .iter()
        .map(|t| {
            t.iter()
                .map(|(bits, n)| (*n, std::cmp::Reverse(*bits)))
                .max()
                .filter(|(n, _)| *n >= COMMON_LINES)
                .map(|(_, std::cmp::Reverse(bits))| f64::from_bits(bits))
        })
        .collect();
    let begin = |wb: &mut Workbook, index: usize| -> Result<Layout, XlsxError> {
        let part = Part { index, count };
        let ws = if listing.repeats_texts() {
            wb.add_worksheet_with_low_memory()?
        } else {
            wb.add_worksheet_with_constant_memory()?
        };
        ws.set_name(part.sheet_name(listing.name()))?;
        let mut page = listing.layout();
        for (col, w) in listing.widths().iter().enumerate() {
            page.width(ws, col as u16, *w)?;
        }
        if let Some(h) = common.get(index).copied().flatten() {
            // Before any row is written (rows are streamed); the header's
            // rows keep Excel's standard height unless given one.
            page.common_height(ws, h);
            for row in 0..first {
                page.plain(ws, row)?;
            }
        }
        listing.start(ws, &mut page, part)?;
        let row = first - 1;
        let (headings, height) = listing.headings();
        for (col, h) in headings.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, *h, &listing.styles().header)?;
        }
        page.repeat_rows(row, row);
        page.height(ws, row, height)?;
        Ok(page)
    };
    let mut page = begin(wb, 0)?;
    let mut current = 0usize;
    let mut last = first.saturating_sub(1);
    let mut plan = Planner::new(capacity);
    listing.lines(&mut |line| {
        let (part, at) = plan.place(L::is_heading(&line));
        if part != current {
            listing.finish(last_sheet(wb), &page, last)?;
            page = begin(wb, part)?;
            current = part;
        }
        let row = first + at;
        let ws = last_sheet(wb);
        listing.write(ws, &mut page, row, &line)?;
        match listing.height(&line) {
            Some(h) => page.height(ws, row, h)?,
            None => page.plain(ws, row)?,
        }
        last = row;
        Ok(())
    })?;
    listing.finish(last_sheet(wb), &page, last)
}

/// The sheet added last (the part being written).
fn last_sheet(wb: &mut Workbook) -> &mut Worksheet {
    wb.worksheets_mut()
        .last_mut()
        .expect("a part was added before its lines")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts of 3 lines: a heading that would be a part's last line opens
    /// the next part instead.
    #[test]
    fn a_heading_goes_with_the_line_after_it() {
        let mut p = Planner::new(3);
        let placed: Vec<(usize, u32)> = [false, false, true, false, false, false, false]
            .into_iter()
            .map(|heading| p.place(heading))
            .collect();
        assert_eq!(
            placed,
            [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]
        );
        assert_eq!(Part { index: 0, count: 1 }.title_suffix(), "");
        assert_eq!(Part { index: 1, count: 3 }.title_suffix(), " (PHẦN 2/3)");
        assert_eq!(Part { index: 1, count: 3 }.sheet_name("Lưu ý"), "Lưu ý (2)");
    }
}
