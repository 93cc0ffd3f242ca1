//! A sheet's cells held sparsely, read with bounded memory.
//!
//! A hostile or careless workbook can claim a used range of A1:XFD1048576
//! (a `<dimension>` that lies, a stray value in a far cell) or repeat one
//! long shared string a million times. Dense ranges of that size must never
//! be allocated, so .xlsx/.xlsm sheets are read cell by cell with calamine's
//! cell reader into a map, and every workbook has a budget of cells and
//! text bytes; going over it rejects the file with a reason.

use std::collections::HashSet;
use std::io::{Read, Seek};

use calamine::{Data, DataRef, Range, Reader, Sheets};

/// Most non-empty cells read from one workbook.
pub const MAX_CELLS: usize = 2_000_000;
/// Most text bytes held from one workbook.
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

/// The non-empty cells of one sheet, by (row, column), 0-based.
#[derive(Debug, Default, Clone)]
pub struct Grid {
    /// Sorted by (row, column), each position once (a sheet's cells come
    /// in that order, so building it is a push per cell; the rare file
    /// that repeats or reorders cells is sorted once, the last value of a
    /// position kept, as Excel keeps the last one it reads).
    cells: Vec<((u32, u32), Data)>,
    /// Cells whose number format is a percentage (.xlsx only).
    pub percent: HashSet<(u32, u32)>,
    /// Cells holding a formula with no cached value (.xlsx only): a client
    /// that never calculated; the value is unknown.
    pub uncomputed: HashSet<(u32, u32)>,
    /// Cells holding a formula (.xlsx only; `None` where the format's
    /// reader does not say): tells a computed total typed over with a
    /// number from one whose client did not recalculate.
    pub formulas: Option<HashSet<(u32, u32)>>,
}

impl Grid {
    /// The grid of `cells` in any order; of a position given twice, the
    /// later value.
    fn from_cells(cells: Vec<((u32, u32), Data)>) -> Grid {
        let mut g = Grid {
            cells,
            ..Grid::default()
        };
        g.sort_cells();
        g
    }

    /// Put the cells pushed in reading order into (row, column) order,
    /// the later of two values of one position kept.
    fn sort_cells(&mut self) {
        if self.cells.windows(2).all(|w| w[0].0 < w[1].0) {
            return;
        }
        // Stable: of equal positions the later stays after the earlier,
        // and takes the earlier's place when the run is deduplicated.
        self.cells.sort_by_key(|(k, _)| *k);
        self.cells.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&(row, col), |(k, _)| *k)
            .ok()
            .map(|i| &self.cells[i].1)
    }

    /// Every non-empty cell, in (row, column) order.
    pub fn iter(&self) -> impl Iterator<Item = ((u32, u32), &Data)> {
        self.cells.iter().map(|(k, d)| (*k, d))
    }

    /// Non-empty cells of one row, in column order.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Data)> {
        self.rows(row, row).map(|((_, c), d)| (c, d))
    }

    /// Non-empty cells in rows `first..=last`, in (row, column) order;
    /// nothing when `first > last` (a table whose numbered row is the
    /// sheet's last row: found by fuzzing, a reversed range once panicked).
    pub fn rows(&self, first: u32, last: u32) -> impl Iterator<Item = ((u32, u32), &Data)> {
        let span = if first <= last {
            let lo = self.cells.partition_point(|(k, _)| *k < (first, 0));
            let hi = self.cells.partition_point(|(k, _)| *k <= (last, u32::MAX));
            &self.cells[lo..hi]
        } else {
            &[]
        };
        span.iter().map(|(k, d)| (*k, d))
    }

    pub fn first_row(&self) -> Option<u32> {
        self.cells.first().map(|((r, _), _)| *r)
    }

    pub fn last_row(&self) -> Option<u32> {
        self.cells.last().map(|((r, _), _)| *r)
    }

    fn from_range(range: &Range<Data>) -> Grid {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        Grid::from_cells(
            range
                .used_cells()
                .map(|(r, c, d)| ((r0 + r as u32, c0 + c as u32), d.clone()))
                .collect(),
        )
    }
}

/// The running budget of one workbook.
#[derive(Debug, Default)]
pub struct Budget {
    cells: usize,
    text: usize,
}

impl Budget {
    fn take(&mut self, data: &Data) -> Result<(), String> {
        self.cells += 1;
        if let Data::String(s) = data {
            self.text += s.len();
        }
        if self.cells > MAX_CELLS {
            return Err(format!(
                "bảng tính có quá nhiều ô dữ liệu (hơn {} ô), không phải biểu mẫu: từ chối đọc.",
                MAX_CELLS
            ));
        }
        if self.text > MAX_TEXT_BYTES {
            return Err(format!(
                "bảng tính chứa quá nhiều chữ (hơn {} MB), nghi là tệp bất thường: từ chối đọc.",
                MAX_TEXT_BYTES / 1_048_576
            ));
        }
        Ok(())
    }
}

/// Read one sheet within the workbook's budget.
///
/// # Errors
/// A Vietnamese reason: the sheet cannot be read, or the budget is spent.
pub fn read_sheet<RS: Read + Seek>(
    wb: &mut Sheets<RS>,
    name: &str,
    budget: &mut Budget,
) -> Result<Grid, String> {
    match wb {
        Sheets::Xlsx(x) => {
            let err =
                |e: calamine::XlsxError| explain(&format!("trang \"{name}\""), &e.to_string());
            // One pass for values and formulas (a formula without a cached
            // value is an unknown value, not a blank).
            let mut g = Grid {
                formulas: Some(HashSet::new()),
                ..Grid::default()
            };
            let mut fractions = false;
            let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
            while let Some(rec) = reader.next_cell_with_formula_metadata().map_err(err)? {
                let data: Data = match rec.value {
                    DataRef::Empty => {
                        if rec.formula.is_some() {
                            g.uncomputed.insert(rec.pos);
                        }
                        continue;
                    }
                    v => v.into(),
                };
                if rec.formula.is_some() {
                    if let Some(f) = g.formulas.as_mut() {
                        f.insert(rec.pos);
                    }
                }
                budget.take(&data)?;
                fractions |= matches!(data, Data::Float(f) if f > 0.0 && f <= 1.0);
                g.cells.push((rec.pos, data));
            }
            drop(reader);
            g.sort_cells();
            // Number formats matter only to read a fraction in a percentage
            // cell (0,85 formatted as 85%): a second pass only then.
            if fractions {
                let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
                let percent_styles: HashSet<usize> = reader
                    .styles()
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        s.number_format
                            .as_ref()
                            .is_some_and(|f| f.format_code.contains('%'))
                    })
                    .map(|(i, _)| i)
                    .collect();
                if !percent_styles.is_empty() {
                    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(err)? {
                        if percent_styles.contains(&style) {
                            g.percent.insert(cell.get_position());
                        }
                    }
                }
            }
            Ok(g)
        }
        Sheets::Xlsb(x) => {
            let mut reader = x
                .worksheet_cells_reader(name)
                .map_err(|e| explain(&format!("trang \"{name}\""), &e.to_string()))?;
            let mut g = Grid::default();
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| explain(&format!("trang \"{name}\""), &e.to_string()))?
            {
                let (r, c) = cell.get_position();
                let data: Data = match cell.get_value() {
                    DataRef::Empty => continue,
                    v => v.clone().into(),
                };
                budget.take(&data)?;
                g.cells.push(((r, c), data));
            }
            g.sort_cells();
            Ok(g)
        }
        other => {
            let range = other
                .worksheet_range(name)
                .map_err(|e| explain(&format!("trang \"{name}\""), &e.to_string()))?;
            let g = Grid::from_range(&range);
            for (_, d) in &g.cells {
                budget.take(d)?;
            }
            Ok(g)
        }
    }
}

/// Merged ranges of a sheet ((first row, first col), (last row, last col)):
/// read on demand, because for .xlsx it is another pass over the sheet.
pub fn merges<RS: Read + Seek>(wb: &mut Sheets<RS>, name: &str) -> Vec<((u32, u32), (u32, u32))> {
    let dims = match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    };
    dims.iter().map(|d| (d.start, d.end)).collect()
}

/// A Vietnamese reason for a reader error of calamine or zip, with the
/// technical detail kept for whoever supports the operator.
pub fn explain(what: &str, detail: &str) -> String {
    let d = detail.to_lowercase();
    let reason = if d.contains("unsupported cell error value") {
        format!("{what} có ô báo lỗi kiểu mới của Excel 365 (#SPILL!, #CALC!, …) mà chương trình chưa đọc được: hãy thay các công thức lỗi bằng số rồi gửi lại")
    } else if d.contains("declared uncompressed size")
        || d.contains("eocd")
        || d.contains("invalid zip")
        || d.contains("zip archive")
        || d.contains("unexpected eof")
    {
        "tệp nén bị hỏng hoặc không đầy đủ (bị cắt khi gửi, hoặc đã bị sửa): hãy gửi lại tệp gốc"
            .to_string()
    } else if d.contains("entity") || d.contains("doctype") {
        format!("{what} có khai báo XML không được phép (DOCTYPE/thực thể), không đọc: hãy lưu lại tệp bằng Excel hoặc LibreOffice")
    } else if d.contains("cell limit exceeded") || d.contains("too many cells") {
        "bảng tính có ô dữ liệu ở rất xa vùng biểu mẫu (vùng dữ liệu quá lớn): hãy xóa các ô thừa ngoài biểu rồi gửi lại".to_string()
    } else if d.contains("password") || d.contains("encrypt") {
        "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại".to_string()
    } else if d.contains("xml") {
        format!("{what} có nội dung XML hỏng")
    } else {
        format!("{what} bị hỏng, không đọc được")
    };
    // The technical detail (English, from the reader libraries) is for
    // support, not for the operator: only with TONGHOP_DEBUG, in the
    // reason itself (domain code never prints).
    if std::env::var_os("TONGHOP_DEBUG").is_some() {
        format!("{reason} (chi tiết kỹ thuật: {detail}).")
    } else {
        format!("{reason}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: a table whose numbered column row is the last row
    /// of the sheet asked for rows `last + 1 ..= last`.
    #[test]
    fn rows_of_a_reversed_range_are_empty_not_a_panic() {
        let g = Grid::from_cells(vec![((5, 2), Data::Float(2.0)), ((3, 1), Data::Float(1.0))]);
        assert_eq!(g.rows(6, 5).count(), 0);
        assert_eq!(g.rows(u32::MAX, 0).count(), 0);
        assert_eq!(g.rows(3, 5).count(), 2);
        assert_eq!(g.rows(5, 5).count(), 1);
    }

    /// Cells in any order, a position twice: read in (row, column) order,
    /// the later value of the position kept, as the map kept it before.
    #[test]
    fn cells_out_of_order_are_sorted_and_the_later_value_wins() {
        let g = Grid::from_cells(vec![
            ((2, 0), Data::Float(1.0)),
            ((0, 3), Data::Float(2.0)),
            ((2, 0), Data::Float(3.0)),
            ((0, 1), Data::String("a".into())),
        ]);
        let cells: Vec<((u32, u32), &Data)> = g.iter().collect();
        assert_eq!(
            cells,
            [
                ((0, 1), &Data::String("a".into())),
                ((0, 3), &Data::Float(2.0)),
                ((2, 0), &Data::Float(3.0)),
            ]
        );
        assert_eq!(g.get(2, 0), Some(&Data::Float(3.0)));
        assert_eq!(g.get(1, 0), None);
        assert_eq!(g.row(0).map(|(c, _)| c).collect::<Vec<_>>(), [1, 3]);
        assert_eq!((g.first_row(), g.last_row()), (Some(0), Some(2)));
    }
}
