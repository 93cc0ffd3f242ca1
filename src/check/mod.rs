//! Checks: every catalogue rule runs over all units at once on the long
//! table (polars), one file per rule family. Each failing (rule, unit,
//! column) becomes a [`Finding`] naming the file, sheet and cells.

mod bounds;
mod declared;
mod presence;
mod ratio;

use std::collections::HashMap;

use polars::prelude::*;

use crate::catalog::{Catalog, Indicator};
use crate::diagnostic::Finding;
use crate::ingest::value::Value;
use crate::ingest::{Ingest, Record};
use crate::round::Round;

/// The long table of numeric input values of accepted returns: columns
/// `unit`, `code`, `column` (str), `value` (f64), `applicable` (bool).
pub fn long_table(round: &Round, ingest: &Ingest) -> PolarsResult<DataFrame> {
    let mut unit = Vec::new();
    let mut code = Vec::new();
    let mut column = Vec::new();
    let mut value = Vec::new();
    let mut applicable = Vec::new();
    let types: HashMap<&str, &str> = round
        .units
        .iter()
        .map(|u| (u.code.as_str(), u.unit_type.as_str()))
        .collect();
    for f in ingest.accepted() {
        for r in f.records.iter().filter(|r| !r.computed) {
            let v = match r.value {
                Value::Number(n) => n,
                Value::YesNo(b) => f64::from(u8::from(b)),
                _ => continue,
            };
            let ind = round
                .catalog
                .indicator(&r.code)
                .expect("ingest keeps catalogue codes");
            unit.push(r.unit.clone());
            code.push(r.code.clone());
            column.push(r.column.clone());
            value.push(v);
            applicable.push(ind.applies_to_type(types.get(r.unit.as_str()).copied().unwrap_or("")));
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("code".into(), code),
        Column::new("column".into(), column),
        Column::new("value".into(), value),
        Column::new("applicable".into(), applicable),
    ])
}

/// Where each value came from, to name cells in findings.
pub struct Cells<'a> {
    by_key: HashMap<(&'a str, &'a str, &'a str), &'a Record>,
    names: HashMap<&'a str, &'a str>,
}

impl<'a> Cells<'a> {
    pub fn new(round: &'a Round, ingest: &'a Ingest) -> Cells<'a> {
        let mut by_key = HashMap::new();
        for f in ingest.accepted() {
            for r in f.records.iter().filter(|r| !r.computed && r.list_row == 0) {
                by_key.insert((r.unit.as_str(), r.code.as_str(), r.column.as_str()), r);
            }
        }
        let names = round
            .units
            .iter()
            .map(|u| (u.code.as_str(), u.name.as_str()))
            .collect();
        Cells { by_key, names }
    }

    pub fn get(&self, unit: &str, code: &str, column: &str) -> Option<&'a Record> {
        self.by_key.get(&(unit, code, column)).copied()
    }

    pub fn unit_name(&self, unit: &str) -> &'a str {
        self.names.get(unit).copied().unwrap_or("")
    }
}

/// A finding about values of `unit` in `column`, anchored at the first
/// record given (the one the message is about) and listing all cells.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finding_at(
    cells: &Cells,
    severity: crate::catalog::Severity,
    unit: &str,
    anchor: &Indicator,
    records: &[Option<&Record>],
    rule: &str,
    found: String,
    expected: String,
    message: String,
) -> Finding {
    let present: Vec<&Record> = records.iter().flatten().copied().collect();
    let first = present.first();
    let cell_list: Vec<String> = present.iter().map(|r| r.cell.to_string()).collect();
    let anchor_cell = first.map(|r| r.cell.to_string()).unwrap_or_default();
    Finding {
        severity,
        unit: unit.to_string(),
        unit_name: cells.unit_name(unit).to_string(),
        file: first.map(|r| r.file.clone()).unwrap_or_default(),
        sheet: first.map(|r| r.sheet.clone()).unwrap_or_default(),
        cell: cell_list.join(", "),
        code: anchor.code.clone(),
        indicator: anchor.label.clone(),
        rule: rule.to_string(),
        found,
        expected,
        message: if anchor_cell.is_empty() {
            format!("Mã số {}: {message}", anchor.code)
        } else {
            format!("Ô {anchor_cell} (mã số {}): {message}", anchor.code)
        },
        position: first.map(|r| r.cell),
    }
}

/// Label of a column key in the group of `ind`.
pub(crate) fn column_label(catalog: &Catalog, ind: &Indicator, key: &str) -> String {
    catalog
        .group(&ind.group)
        .and_then(|g| catalog.columns_of(g).iter().find(|c| c.key == key))
        .map_or_else(|| key.to_string(), |c| c.label.clone())
}

/// Read a string column of a collected frame.
pub(crate) fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect())
}

/// Read a float column of a collected frame.
pub(crate) fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

/// Run every check; findings unsorted.
///
/// # Errors
/// Polars errors (a bug, not bad data).
pub fn run_all(round: &Round, ingest: &Ingest) -> PolarsResult<Vec<Finding>> {
    let table = long_table(round, ingest)?;
    let cells = Cells::new(round, ingest);
    let mut out = Vec::new();
    out.extend(declared::check(&round.catalog, &table, &cells)?);
    out.extend(ratio::check(&round.catalog, &table, &cells)?);
    out.extend(bounds::check(&round.catalog, &table, &cells)?);
    out.extend(presence::check(round, ingest, &table, &cells)?);
    Ok(out)
}
