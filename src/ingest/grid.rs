//! A sheet's cells held sparsely, read with bounded memory.
//!
//! A hostile or careless workbook can claim a used range of A1:XFD1048576
//! (a `<dimension>` that lies, a stray value in a far cell) or repeat one
//! long shared string a million times. Dense ranges of that size must never
//! be allocated, so .xlsx/.xlsm sheets are read cell by cell with calamine's
//! cell reader into a map, and every workbook has a budget of cells and
//! text bytes; going over it rejects the file with a reason.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek};

use calamine::{Data, DataRef, Range, Reader, Sheets};

/// Most non-empty cells read from one workbook.
pub const MAX_CELLS: usize = 2_000_000;
/// Most text bytes held from one workbook.
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

/// The non-empty cells of one sheet, by (row, column), 0-based.
#[derive(Debug, Default, Clone)]
pub struct Grid {
    pub cells: BTreeMap<(u32, u32), Data>,
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
    pub fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.cells.get(&(row, col))
    }

    /// Non-empty cells of one row, in column order.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Data)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|((_, c), d)| (*c, d))
    }

    /// Non-empty cells in rows `first..=last`, in (row, column) order;
    /// nothing when `first > last` (a table whose numbered row is the
    /// sheet's last row: found by fuzzing, `BTreeMap::range` panics on a
    /// reversed range).
    pub fn rows(&self, first: u32, last: u32) -> impl Iterator<Item = ((u32, u32), &Data)> {
        (first <= last)
            .then(|| self.cells.range((first, 0)..=(last, u32::MAX)))
            .into_iter()
            .flatten()
            .map(|(k, d)| (*k, d))
    }

    pub fn first_row(&self) -> Option<u32> {
        self.cells.keys().next().map(|(r, _)| *r)
    }

    pub fn last_row(&self) -> Option<u32> {
        self.cells.keys().next_back().map(|(r, _)| *r)
    }

    fn from_range(range: &Range<Data>) -> Grid {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut g = Grid::default();
        for (r, c, d) in range.used_cells() {
            g.cells.insert((r0 + r as u32, c0 + c as u32), d.clone());
        }
        g
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
                g.cells.insert(rec.pos, data);
            }
            drop(reader);
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
                g.cells.insert((r, c), data);
            }
            Ok(g)
        }
        other => {
            let range = other
                .worksheet_range(name)
                .map_err(|e| explain(&format!("trang \"{name}\""), &e.to_string()))?;
            let g = Grid::from_range(&range);
            for d in g.cells.values() {
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
        let mut g = Grid::default();
        g.cells.insert((3, 1), Data::Float(1.0));
        g.cells.insert((5, 2), Data::Float(2.0));
        assert_eq!(g.rows(6, 5).count(), 0);
        assert_eq!(g.rows(u32::MAX, 0).count(), 0);
        assert_eq!(g.rows(3, 5).count(), 2);
        assert_eq!(g.rows(5, 5).count(), 1);
    }
}
