//! How every sheet the tool writes prints: A4, an orientation a person
//! would choose, scaled to the page width, header rows repeated, page
//! numbers "Trang x/y" with the sheet's name in the footer, and page
//! breaks placed so that a block (a chỉ tiêu with its units, a signature
//! block with the last rows of the table it signs) is not split.
//!
//! Excel ignores manual page breaks on a sheet printed "fit to width", so a
//! paginated sheet gets a fixed print scale computed here from its column
//! widths, and its breaks from the row heights it was given (rows without
//! one count as one line of 12 pt text). The estimates are deliberately
//! generous (a page is filled to [`FILL`] of its height): a page a little
//! short is harmless, a row pushed onto a page of its own is not.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Footer of every sheet: its name left, "Trang x/y" centred.
pub const FOOTER: &str = "&L&\"Times New Roman,Italic\"&9&A&C&\"Times New Roman\"&11Trang &P/&N";

/// Share of a page's height the pagination fills (room for differences in
/// font metrics between Excel and LibreOffice).
pub const FILL: f64 = 0.9;

/// Sheets of more pages than this print at the scale that fits the width.
const SEARCH_PAGES: usize = 12;

/// Share of a page's width the columns fill.
pub const WIDTH_FILL: f64 = 0.92;

/// Height in points of one line of text in a `pt` font (Excel: 15.75 for
/// 12 pt), as a row holding it needs.
pub fn line_height(pt: f64) -> f64 {
    (pt * 1.3125 * 4.0).ceil() / 4.0
}

/// Lines a wrapped text takes in a cell `width` Excel width units wide at
/// `pt` points (bold text is wider). Words are not split; explicit line
/// breaks count. An estimate on the generous side for Times New Roman:
/// each character weighs [`char_weight`] average characters.
pub fn wrapped_lines(text: &str, width: f64, pt: f64, bold: bool) -> usize {
    let per_char = char_px(pt, bold);
    let capacity = (((width - 1.0).max(1.0) * 7.0) / per_char).floor().max(1.0);
    text.split('\n')
        .map(|paragraph| {
            let mut lines = 1;
            let mut used = 0.0;
            for word in paragraph.split_whitespace() {
                let n = text_weight(word);
                if used == 0.0 {
                    used = n;
                } else if used + 1.0 + n <= capacity {
                    used += 1.0 + n;
                } else {
                    lines += 1;
                    used = n;
                }
                while used > capacity {
                    lines += 1;
                    used -= capacity;
                }
            }
            lines
        })
        .sum()
}

/// Width of a character in average characters of Times New Roman as
/// [`char_px`] measures them (on Vietnamese labels, mostly lower case): a
/// capital letter is about half as wide again (the bold "ĐẢNG CỘNG SẢN
/// VIỆT NAM" is 13.8 em for 22 characters, 0.63 em each against some
/// 0.41 em), a digit a quarter (0.5 em). Nothing weighs less than one,
/// so the estimate stays on the generous side. Seen: the line "(Mục I.1
/// đề cương; kèm theo Kế hoạch số 24-KH/ThU ngày 27/4/2021 …)" counted
/// as one line printed on two, over the title above it; the motto was
/// given too narrow a range and cut at both ends.
fn char_weight(c: char) -> f64 {
    if c.is_uppercase() {
        1.5
    } else if c.is_ascii_digit() {
        1.25
    } else {
        1.0
    }
}

/// Sum of [`char_weight`] over `text`.
fn text_weight(text: &str) -> f64 {
    text.chars().map(char_weight).sum()
}

/// Width in pixels of an average character of Times New Roman at `pt`
/// points as a cell shows Vietnamese text (measured on the samples'
/// labels in LibreOffice: 5.8 px at 12 pt), with a margin (6.2 px, a bold
/// one 6.8 px) so that a row is never too short for its text;
/// one width unit of a column is one "0" of Calibri 11, 7 px.
pub fn char_px(pt: f64, bold: bool) -> f64 {
    6.2 * pt / 12.0 * if bold { 1.09 } else { 1.0 }
}

/// Width (Excel units) a single line of `text` needs at `pt` points.
pub fn line_width(text: &str, pt: f64, bold: bool) -> f64 {
    text_weight(text) * char_px(pt, bold) / 7.0 + 2.0
}

/// Height in points of a row whose tallest cell holds `text` wrapped in
/// `width` units at `pt` points: at least one line.
pub fn text_height(text: &str, width: f64, pt: f64, bold: bool) -> f64 {
    wrapped_lines(text, width, pt, bold) as f64 * line_height(pt) + 2.0
}

/// Excel's tallest row, in points.
pub const MAX_ROW_HEIGHT: f64 = 409.0;

/// Excel's standard row height (points): a row with no height of its own.
pub const EXCEL_ROW_HEIGHT: f64 = 15.0;

/// A long text cut into parts of at most `max_lines` wrapped lines each
/// (at word boundaries) for cells `width` units wide at `pt` points, so
/// that every part fits a row no taller than a page. A short text is one
/// part; no text is lost (the parts joined by spaces or line breaks give
/// the text back).
pub fn chunks(text: &str, width: f64, pt: f64, max_lines: usize) -> Vec<String> {
    // Nearly every text fits: one part, the text itself (what the loop
    // below gives back for it, without measuring every prefix).
    if wrapped_lines(text, width, pt, false) <= max_lines {
        return vec![text.to_string()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            let joined = if current.is_empty() {
                candidate.clone()
            } else {
                format!("{current}\n{candidate}")
            };
            if wrapped_lines(&joined, width, pt, false) > max_lines
                && !(current.is_empty() && line.is_empty())
            {
                let done = if current.is_empty() {
                    std::mem::take(&mut line)
                } else if line.is_empty() {
                    std::mem::take(&mut current)
                } else {
                    format!(
                        "{}\n{}",
                        std::mem::take(&mut current),
                        std::mem::take(&mut line)
                    )
                };
                parts.push(done);
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        current = if current.is_empty() {
            line
        } else {
            format!("{current}\n{line}")
        };
    }
    if !current.is_empty() || parts.is_empty() {
        parts.push(current);
    }
    parts
}

/// Orientation of a printed sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    /// Printable width and height in points of A4 within the margins of
    /// [`Layout::apply`] (0.5 in left and right, 0.6 in top and bottom).
    fn printable(self) -> (f64, f64) {
        let (w, h) = match self {
            Orientation::Portrait => (595.0, 842.0),
            Orientation::Landscape => (842.0, 595.0),
        };
        (w - 72.0, h - 86.4)
    }
}

/// Print layout of one sheet being written: its column widths and row
/// heights (set through it, so the sheet and the estimate agree), the rows
/// repeated on every page, and the row ranges kept on one page.
#[derive(Debug, Clone)]
pub struct Layout {
    orientation: Orientation,
    widths: BTreeMap<u16, f64>,
    heights: BTreeMap<u32, f64>,
    default_height: f64,
    /// The sheet's own default row height when a listing changed it
    /// ([`Layout::common_height`]); rows of Excel's 15 pt are then pinned.
    sheet_default: Option<f64>,
    /// Rows pinned to Excel's standard height ([`Layout::plain`]).
    pinned: std::collections::HashSet<u32>,
    repeat: Option<(u32, u32)>,
    repeat_cols: Option<(u16, u16)>,
    keep: Vec<(u32, u32)>,
    /// Blocks (first row, last row, height) whose title row is repeated
    /// where a page starts inside them ([`Layout::continued`]).
    continued: Vec<(u32, u32, f64)>,
    /// The repeated title rows already written ([`Layout::continuation`]).
    continuations: std::collections::HashSet<u32>,
    one_page: bool,
    /// Orientation chosen at [`Layout::apply`]: the one with fewer pages.
    auto: bool,
}

impl Layout {
    pub fn new(orientation: Orientation) -> Layout {
        Layout {
            orientation,
            widths: BTreeMap::new(),
            heights: BTreeMap::new(),
            default_height: line_height(12.0),
            sheet_default: None,
            pinned: std::collections::HashSet::new(),
            repeat: None,
            repeat_cols: None,
            keep: Vec::new(),
            continued: Vec::new(),
            continuations: std::collections::HashSet::new(),
            one_page: false,
            auto: false,
        }
    }

    /// A layout whose orientation is chosen when applied: portrait when it
    /// prints on fewer pages than landscape at 60 % or more, or on as many
    /// at 70 % or more (a narrow, long table); landscape otherwise.
    pub fn auto() -> Layout {
        Layout {
            auto: true,
            ..Layout::new(Orientation::Landscape)
        }
    }

    /// The orientation [`Layout::apply`] uses for `cols` columns and rows
    /// up to `last`.
    pub fn orientation(&self, cols: u16, last: u32) -> Orientation {
        self.plan(cols, last).0
    }

    /// The orientation and print scale [`Layout::apply`] uses.
    fn plan(&self, cols: u16, last: u32) -> (Orientation, u16) {
        if !self.auto {
            let (scale, _) = self.scale_in(self.orientation, cols, last);
            return (self.orientation, scale);
        }
        let (portrait_scale, portrait) = self.scale_in(Orientation::Portrait, cols, last);
        let (landscape_scale, landscape) = self.scale_in(Orientation::Landscape, cols, last);
        // Portrait at a readable scale (a reviewer reads the print): on
        // fewer pages at 60 % or more, on as many at 70 % or more.
        if (portrait < landscape && portrait_scale >= 60)
            || (portrait == landscape && portrait_scale >= 70)
        {
            (Orientation::Portrait, portrait_scale)
        } else {
            (Orientation::Landscape, landscape_scale)
        }
    }

    /// The whole sheet on one page (a guide, a short note).
    pub fn one_page(mut self) -> Layout {
        self.one_page = true;
        self
    }

    /// Rows `first..=last` (the table header) printed on top of every page.
    pub fn repeat_rows(&mut self, first: u32, last: u32) {
        self.repeat = Some((first, last));
    }

    /// Columns `first..=last` (the labels) printed left on every page.
    pub fn repeat_cols(&mut self, first: u16, last: u16) {
        self.repeat_cols = Some((first, last));
    }

    /// Set a column's width (Excel width units) on the sheet and here.
    pub fn width(&mut self, ws: &mut Worksheet, col: u16, width: f64) -> Result<(), XlsxError> {
        ws.set_column_width(col, width)?;
        self.widths.insert(col, width);
        Ok(())
    }

    /// Give every row of the sheet `height` points unless set otherwise:
    /// a long table whose rows are one wrapped line each then stores no
    /// height per row (the sheet and the writer both kept one per row: 26
    /// million at 52,000 units).
    pub fn default_height(&mut self, ws: &mut Worksheet, height: f64) {
        ws.set_default_row_height(height);
        self.default_height = height;
    }

    /// Make `height` (points) the sheet's default row height, for a long
    /// listing whose rows are mostly that tall: those rows then store no
    /// height of their own (rust_xlsxwriter keeps some 300 bytes for every
    /// row given a height until the workbook is saved: 100 MB for the
    /// 350,000 rows of a listing at 10,000 units). Rows that are not given
    /// a height must then be pinned with [`Layout::plain`]; the estimate of
    /// rows given none is unchanged. Call it before writing any row.
    pub fn common_height(&mut self, ws: &mut Worksheet, height: f64) {
        ws.set_default_row_height(height);
        self.sheet_default = Some(height);
    }

    /// A row with no height of its own: Excel's standard 15 pt on the
    /// sheet (needed only after [`Layout::common_height`]).
    pub fn plain(&mut self, ws: &mut Worksheet, row: u32) -> Result<(), XlsxError> {
        if self.sheet_default.is_some() && !self.heights.contains_key(&row) {
            ws.set_row_height(row, EXCEL_ROW_HEIGHT)?;
            self.pinned.insert(row);
        }
        Ok(())
    }

    /// Set a row's height (points) on the sheet and here.
    pub fn height(&mut self, ws: &mut Worksheet, row: u32, height: f64) -> Result<(), XlsxError> {
        let height = height.min(MAX_ROW_HEIGHT);
        let unset = !self.heights.contains_key(&row) && !self.pinned.contains(&row);
        match self.sheet_default {
            None if unset && height == self.default_height => return Ok(()),
            Some(d) if unset && height == d => {
                self.heights.insert(row, height);
                return Ok(());
            }
            _ => {}
        }
        ws.set_row_height(row, height)?;
        self.heights.insert(row, height);
        Ok(())
    }

    /// Raise a row to at least `height` points (a row holding several
    /// wrapped cells gets the tallest).
    pub fn at_least(&mut self, ws: &mut Worksheet, row: u32, height: f64) -> Result<(), XlsxError> {
        let h = self.heights.get(&row).copied().unwrap_or(0.0).max(height);
        self.height(ws, row, h)
    }

    /// Record a row hidden on the sheet (it prints with no height).
    pub fn hidden(&mut self, row: u32) {
        self.heights.insert(row, 0.0);
    }

    /// Sum of the column widths (Excel units) of columns `0..cols`, for
    /// sizing text merged across them.
    pub fn span(&self, first: u16, last: u16) -> f64 {
        (first..=last)
            .map(|c| self.widths.get(&c).copied().unwrap_or(8.43))
            .sum()
    }

    /// Keep rows `first..=last` on one page when they fit on one.
    pub fn keep(&mut self, first: u32, last: u32) {
        if last > first {
            self.keep.push((first, last));
        }
    }

    /// Rows `first..=last` are a block whose title row (`height` points
    /// tall) the sheet repeats above the row where a page starts inside
    /// it: such a page holds that much less. The sheet finds where from
    /// [`Layout::page_starts`] and writes the rows, each marked with
    /// [`Layout::continuation`].
    pub fn continued(&mut self, first: u32, last: u32, height: f64) {
        if last > first {
            self.continued.push((first, last, height));
        }
    }

    /// `row` is a repeated title row of a [`Layout::continued`] block: a
    /// page starting on it holds it already.
    pub fn continuation(&mut self, row: u32) {
        self.continuations.insert(row);
    }

    /// Height a page starting at `row` gives to a repeated title row.
    fn continued_height(&self, row: u32) -> f64 {
        if self.continuations.contains(&row) {
            return 0.0;
        }
        self.continued
            .iter()
            .filter(|(a, b, _)| *a < row && row <= *b)
            .map(|(_, _, h)| *h)
            .fold(0.0, f64::max)
    }

    fn row_height(&self, row: u32) -> f64 {
        self.heights
            .get(&row)
            .copied()
            .unwrap_or(self.default_height)
    }

    /// Width in points of the printed columns `0..cols`.
    fn sheet_width(&self, cols: u16) -> f64 {
        (0..cols)
            .map(|c| {
                let w = self.widths.get(&c).copied().unwrap_or(8.43);
                // Excel: a column w units wide is 7w + 5 px (Calibri 11).
                if w <= 0.0 {
                    0.0
                } else {
                    (7.0 * w + 5.0).floor() * 0.75
                }
            })
            .sum()
    }

    /// Print scale (10–100 %) that fits `cols` columns to the page width
    /// (with room for wider font metrics: LibreOffice renders columns a
    /// few percent wider than Excel), lowered by at most a fifth when that
    /// saves a page for the rows up to `last`; and the pages it gives.
    pub fn scale(&self, cols: u16, last: u32) -> (u16, usize) {
        self.scale_in(self.orientation, cols, last)
    }

    fn scale_in(&self, orientation: Orientation, cols: u16, last: u32) -> (u16, usize) {
        let (page_w, _) = orientation.printable();
        let width = self.sheet_width(cols).max(1.0);
        let by_width =
            ((100.0 * WIDTH_FILL * page_w / width).min(100.0).floor() as u16).clamp(10, 100);
        let floor = ((f64::from(by_width) * 0.8).ceil() as u16).max(10);
        let pages = |scale: u16| self.breaks_in(orientation, last, scale).len() + 1;
        let mut best = (by_width, pages(by_width));
        // A page saved matters on a short sheet, not on a long one (and the
        // search would cost a pass over every row per scale tried).
        if best.1 > SEARCH_PAGES {
            return best;
        }
        for scale in (floor..by_width).rev() {
            let n = pages(scale);
            if n < best.1 {
                best = (scale, n);
            }
        }
        best
    }

    /// Rows before which a page starts (row 0 excluded), for a sheet whose
    /// last printed row is `last`, printed at `scale` percent.
    pub fn breaks(&self, last: u32, scale: u16) -> Vec<u32> {
        self.breaks_in(self.orientation, last, scale)
    }

    fn breaks_in(&self, orientation: Orientation, last: u32, scale: u16) -> Vec<u32> {
        let (_, page_h) = orientation.printable();
        let capacity = page_h * FILL * 100.0 / f64::from(scale);
        let repeat_h: f64 = self
            .repeat
            .map(|(a, b)| (a..=b).map(|r| self.row_height(r)).sum())
            .unwrap_or(0.0);
        // Kept ranges by first row, for the ranges that start on a page.
        let mut keep = self.keep.clone();
        keep.sort_unstable();
        let mut breaks = Vec::new();
        let mut page_start = 0u32;
        let mut used = 0.0;
        let mut row = 0u32;
        while row <= last {
            let h = self.row_height(row);
            if used + h > capacity && row > page_start {
                // Break before the outermost kept range holding `row` that
                // starts on this page (not at its top: it would not fit on
                // any page, so it is split).
                let from = keep.partition_point(|(a, _)| *a <= page_start);
                let to = keep.partition_point(|(a, _)| *a <= row);
                let at = keep[from..to]
                    .iter()
                    .filter(|(_, b)| row <= *b)
                    .filter(|(a, b)| {
                        (*a..=*b).map(|r| self.row_height(r)).sum::<f64>() + repeat_h <= capacity
                    })
                    .map(|(a, _)| *a)
                    .min()
                    .unwrap_or(row);
                let in_header = self.repeat.is_some_and(|(a, b)| a <= at && at <= b);
                let at = if in_header { row } else { at };
                breaks.push(at);
                page_start = at;
                used = repeat_h
                    + self.continued_height(at)
                    + (at..row).map(|r| self.row_height(r)).sum::<f64>();
                continue;
            }
            used += h;
            row += 1;
        }
        breaks
    }

    /// Rows before which a page starts as [`Layout::apply`] will print
    /// the sheet (its orientation and scale): none on a one-page sheet.
    pub fn page_starts(&self, cols: u16, last: u32) -> Vec<u32> {
        if self.one_page {
            return Vec::new();
        }
        let (orientation, scale) = self.plan(cols, last);
        self.breaks_in(orientation, last, scale)
    }

    /// Apply the layout to a long data table (the audit trail): fit to the
    /// page width with the page breaks left to Excel (no blocks to keep).
    pub fn apply_fit_width(
        &self,
        ws: &mut Worksheet,
        cols: u16,
        last: u32,
    ) -> Result<(), XlsxError> {
        self.apply_common(ws, self.orientation, cols, last)?;
        ws.set_print_fit_to_pages(1, 0);
        Ok(())
    }

    fn apply_common(
        &self,
        ws: &mut Worksheet,
        orientation: Orientation,
        cols: u16,
        last: u32,
    ) -> Result<(), XlsxError> {
        match orientation {
            Orientation::Portrait => ws.set_portrait(),
            Orientation::Landscape => ws.set_landscape(),
        };
        ws.set_paper_size(9);
        ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
        ws.set_print_center_horizontally(true);
        ws.set_footer(FOOTER);
        ws.set_print_area(0, 0, last, cols.max(1) - 1)?;
        if let Some((a, b)) = self.repeat {
            ws.set_repeat_rows(a, b)?;
        }
        if let Some((a, b)) = self.repeat_cols {
            ws.set_repeat_columns(a, b)?;
        }
        Ok(())
    }

    /// Apply the layout to the sheet: A4, orientation, margins, footer,
    /// repeated rows and columns, and either one page or a print scale that
    /// fits `cols` columns with page breaks up to row `last`.
    pub fn apply(&self, ws: &mut Worksheet, cols: u16, last: u32) -> Result<(), XlsxError> {
        if self.one_page {
            self.apply_common(ws, self.orientation, cols, last)?;
            ws.set_print_fit_to_pages(1, 1);
            return Ok(());
        }
        let (orientation, scale) = self.plan(cols, last);
        self.apply_common(ws, orientation, cols, last)?;
        ws.set_print_scale(scale);
        let breaks = self.breaks_in(orientation, last, scale);
        if !breaks.is_empty() {
            // Excel holds at most 1,023 manual breaks on a sheet.
            let breaks: Vec<u32> = breaks.into_iter().take(1023).collect();
            ws.set_page_breaks(&breaks)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_count_words_and_breaks() {
        assert_eq!(wrapped_lines("Một dòng ngắn", 40.0, 12.0, false), 1);
        let long = "chữ ".repeat(60);
        let n = wrapped_lines(&long, 40.0, 12.0, false);
        assert!((6..=9).contains(&n), "{n}");
        assert_eq!(wrapped_lines("a\nb\nc", 40.0, 12.0, false), 3);
        assert!(wrapped_lines(&long, 40.0, 14.0, true) > n);
    }

    #[test]
    fn capitals_and_digits_are_wider_than_lower_case() {
        // The bold motto is about 32 units wide printed (13.8 em at 12 pt).
        let motto = line_width("ĐẢNG CỘNG SẢN VIỆT NAM", 12.0, true);
        assert!(motto >= 31.5, "{motto}");
        assert!(line_width("đảng cộng sản việt nam", 12.0, true) < motto);
        // The line seen printed on two lines in 90.5 units.
        let line = "(Mục I.1 đề cương; kèm theo Kế hoạch số 24-KH/ThU ngày 27/4/2021 của Ban Thường vụ Thành ủy Lai Châu)";
        assert_eq!(wrapped_lines(line, 90.5, 12.0, false), 2);
    }

    #[test]
    fn chunks_cut_long_texts_without_losing_words() {
        let text = (0..400)
            .map(|i| format!("từ{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let parts = chunks(&text, 60.0, 12.0, 5);
        assert!(parts.len() > 3, "{}", parts.len());
        assert!(parts
            .iter()
            .all(|p| wrapped_lines(p, 60.0, 12.0, false) <= 5));
        assert_eq!(parts.join(" "), text);
        assert_eq!(chunks("ngắn", 60.0, 12.0, 5), vec!["ngắn".to_string()]);
        let two = "dòng một\ndòng hai";
        assert_eq!(chunks(two, 60.0, 12.0, 5), vec![two.to_string()]);
    }

    #[test]
    fn breaks_keep_blocks_and_signatures_together() {
        let mut l = Layout::new(Orientation::Landscape);
        l.repeat = Some((2, 2));
        // 100 rows of 15.75 pt; 509 × 0.9 / 15.75 ≈ 29 rows per page.
        l.keep(25, 35);
        let breaks = l.breaks(99, 100);
        assert_eq!(breaks[0], 25, "{breaks:?}");
        assert!(breaks.windows(2).all(|w| w[0] < w[1]));
        // Every page fits: rows between breaks plus the repeated header.
        let mut starts = vec![0];
        starts.extend(&breaks);
        starts.push(100);
        for w in starts.windows(2) {
            let rows = (w[1] - w[0]) as f64 + if w[0] > 0 { 1.0 } else { 0.0 };
            assert!(rows * 15.75 <= 509.0 * FILL + 0.01, "{w:?}");
        }
    }

    #[test]
    fn a_block_taller_than_a_page_is_split() {
        let mut l = Layout::new(Orientation::Portrait);
        l.keep(10, 200);
        let breaks = l.breaks(200, 100);
        assert!(breaks[0] > 10, "{breaks:?}");
    }

    #[test]
    fn a_narrow_long_table_prints_portrait() {
        let mut l = Layout::auto();
        for (c, w) in [(0u16, 6.0), (1, 46.0), (2, 14.0), (3, 16.0), (4, 16.0)] {
            l.widths.insert(c, w);
        }
        assert_eq!(l.orientation(5, 400), Orientation::Portrait);
        let mut wide = Layout::auto();
        for c in 0..12 {
            wide.widths.insert(c, 14.0);
        }
        assert_eq!(wide.orientation(12, 20), Orientation::Landscape);
    }

    #[test]
    fn scale_fits_the_width() {
        let mut l = Layout::new(Orientation::Landscape);
        for c in 0..10 {
            l.widths.insert(c, 20.0);
        }
        // 10 × (145 px × 0.75) = 1,087.5 pt on 92 % of 770 pt: 65 %.
        assert_eq!(l.scale(10, 10), (65, 1));
        assert_eq!(l.scale(2, 10), (100, 1));
        // 40 rows of 15.75 pt: 630 pt on 90 % of 509 pt needs 72 %, more
        // than a fifth less: two pages at 100 %.
        assert_eq!(l.scale(2, 39), (100, 2));
        // 34 rows: 535 pt, one page at 85 %.
        assert_eq!(l.scale(2, 33), (85, 1));
    }
}
