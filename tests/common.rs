//! Helpers shared by the integration tests: an independent reader of the
//! form contract (FORMAT.md) written with calamine only.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Every sheet of a workbook as (name, cells "A1" → text).
/// Cells of one sheet: (row, column) → text.
pub type SheetCells = BTreeMap<(u32, u32), String>;

pub fn read_back(path: &Path) -> Vec<(String, SheetCells)> {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            let mut cells = BTreeMap::new();
            for (r, c, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap();
                let text = match v {
                    Data::Empty => continue,
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                };
                cells.insert((r0 + r as u32, c0 + c as u32), text);
            }
            (n, cells)
        })
        .collect()
}

/// Input values of a return read through the contract: (mã số, column
/// number) → cell text, plus where the "Mã số" column is.
pub fn contract_values(cells: &BTreeMap<(u32, u32), String>) -> BTreeMap<(String, usize), String> {
    let mut out = BTreeMap::new();
    let Some((&(hr, code_col), _)) = cells.iter().find(|(_, v)| v.trim() == "Mã số") else {
        return out;
    };
    let number_row = hr + 1;
    let numbers: BTreeMap<u32, usize> = cells
        .iter()
        .filter(|((r, _), v)| *r == number_row && v.starts_with('('))
        .filter_map(|((_, c), v)| v[1..].split(')').next()?.parse().ok().map(|n| (*c, n)))
        .collect();
    for ((r, c), v) in cells {
        if *r <= number_row || *c != code_col {
            continue;
        }
        for (col, n) in &numbers {
            if let Some(x) = cells.get(&(*r, *col)) {
                out.insert((v.clone(), *n), x.clone());
            }
        }
    }
    out
}

/// Parse a typed number the simple way: "1.234" / "1 234" → 1234,
/// "12,5" → 12.5, "25 người" → 25.
pub fn loose_number(s: &str) -> Option<f64> {
    let thousands = s.split('.').count() > 1
        && s.split('.')
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if thousands {
        return s.replace('.', "").parse().ok();
    }
    if let Ok(v) = s.parse::<f64>() {
        return Some(v);
    }
    let kept: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '-')
        .collect();
    kept.replace(',', ".").parse().ok()
}
