//! Consolidation: each unit's effective values (inputs plus its computed
//! cells recomputed, never the cached formula results), then subtotals by
//! khối and the grand total. Counts and quantities are summed; percentages
//! are recomputed from the summed tử số and mẫu số, never averaged; yes/no
//! counts the units answering "Có"; text and lists are kept per unit.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::catalog::{Catalog, Consolidation as Method, GroupKind, IndicatorKind, Severity};
use crate::check::{floats, strs};
use crate::diagnostic::{rules, Finding};
use crate::ingest::value::Value;
use crate::ingest::Ingest;
use crate::round::Round;

/// Key of a value: (mã số, column key).
pub type Key = (String, String);

/// One row of a list table, with its unit.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub unit: String,
    pub code: String,
    pub row: u32,
    pub values: BTreeMap<String, Value>,
}

/// The consolidated figures of a round.
#[derive(Debug, Clone, Default)]
pub struct Consolidated {
    /// Effective numeric value of every unit: unit → (code, column) → value.
    /// Yes/no is 1 (Có) or 0 (Không).
    pub units: BTreeMap<String, HashMap<Key, f64>>,
    /// Subtotals: khối → (code, column) → value.
    pub blocks: BTreeMap<String, HashMap<Key, f64>>,
    /// Grand totals.
    pub total: HashMap<Key, f64>,
    /// Narrative answers: (code, unit) → text.
    pub texts: BTreeMap<(String, String), String>,
    /// List rows of every unit.
    pub lists: Vec<ListRow>,
    /// Cached formula results that disagree with the recomputation.
    pub findings: Vec<Finding>,
}

/// Consolidate the accepted returns.
///
/// # Errors
/// Polars errors (a bug, not bad data).
pub fn consolidate(round: &Round, ingest: &Ingest) -> PolarsResult<Consolidated> {
    let catalog = &round.catalog;
    let mut out = Consolidated::default();
    for f in ingest.accepted() {
        let Some(unit) = f.unit.as_deref().and_then(|c| round.unit(c)) else {
            continue;
        };
        let mut values: HashMap<Key, f64> = HashMap::new();
        let mut cached = Vec::new();
        let mut list_index: HashMap<(String, u32), usize> = HashMap::new();
        for r in &f.records {
            let Some(ind) = catalog.indicator(&r.code) else {
                continue;
            };
            if !ind.applies_to_type(&unit.unit_type) {
                continue;
            }
            if r.computed {
                cached.push(r);
                continue;
            }
            match (&r.value, r.list_row) {
                (Value::Number(n), 0) => {
                    values.insert((r.code.clone(), r.column.clone()), *n);
                }
                (Value::YesNo(b), 0) => {
                    values.insert((r.code.clone(), r.column.clone()), f64::from(u8::from(*b)));
                }
                (Value::Text(t), 0) => {
                    out.texts
                        .insert((r.code.clone(), unit.code.clone()), t.clone());
                }
                (v, row) if row > 0 => {
                    let at = *list_index.entry((r.code.clone(), row)).or_insert_with(|| {
                        out.lists.push(ListRow {
                            unit: unit.code.clone(),
                            code: r.code.clone(),
                            row,
                            values: BTreeMap::new(),
                        });
                        out.lists.len() - 1
                    });
                    out.lists[at].values.insert(r.column.clone(), v.clone());
                }
                _ => {}
            }
        }
        recompute(catalog, &mut values, None);
        for r in cached {
            let Value::Number(c) = r.value else { continue };
            let now = values.get(&(r.code.clone(), r.column.clone())).copied();
            let differs = match now {
                Some(v) => (v - c).abs() > 0.01,
                None => c.abs() > 0.01,
            };
            if differs {
                let ind = catalog.indicator(&r.code).expect("catalogue code");
                let now_text = now.map_or("(trống)".to_string(), crate::text::number_vi);
                out.findings.push(Finding {
                    severity: Severity::CanhBao,
                    unit: unit.code.clone(),
                    unit_name: unit.name.clone(),
                    file: r.file.clone(),
                    sheet: r.sheet.clone(),
                    cell: r.cell.to_string(),
                    code: r.code.clone(),
                    indicator: ind.label.clone(),
                    rule: rules::STALE_CACHE.to_string(),
                    found: crate::text::number_vi(c),
                    expected: now_text.clone(),
                    message: format!(
                        "Ô {} (mã số {}): ô công thức lưu sẵn {} nhưng tính lại từ các ô nhập được {} (phần mềm không tính lại công thức?); dùng giá trị tính lại.",
                        r.cell,
                        r.code,
                        crate::text::number_vi(c),
                        now_text
                    ),
                    position: Some(r.cell),
                });
            }
        }
        out.units.insert(unit.code.clone(), values);
    }
    totals(round, &mut out)?;
    Ok(out)
}

/// Fill the computed cells of one set of values: `sum_of` columns as the
/// sum of their parts (when any part is present), percentages in computed
/// cells as 100 × tử số / mẫu số. With `force_ratio`, every percentage is
/// recomputed (totals: a percentage is never summed).
pub fn recompute(catalog: &Catalog, values: &mut HashMap<Key, f64>, force_ratio: Option<()>) {
    for g in catalog.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        let columns = catalog.columns_of(g);
        for ind in catalog
            .indicators_of(&g.id)
            .filter(|i| i.kind.is_numeric() && i.kind != IndicatorKind::Percent)
        {
            for col in columns.iter().filter(|c| c.is_computed()) {
                let parts: Vec<f64> = col
                    .sum_of
                    .iter()
                    .filter_map(|k| values.get(&(ind.code.clone(), k.clone())).copied())
                    .collect();
                let key = (ind.code.clone(), col.key.clone());
                if parts.is_empty() {
                    values.remove(&key);
                } else {
                    values.insert(key, parts.iter().sum());
                }
            }
        }
        for ind in catalog
            .indicators_of(&g.id)
            .filter(|i| i.kind == IndicatorKind::Percent)
        {
            let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) else {
                continue;
            };
            for col in columns {
                if !(ind.computed || col.is_computed() || force_ratio.is_some()) {
                    continue;
                }
                let key = (ind.code.clone(), col.key.clone());
                let num = values.get(&(n.clone(), col.key.clone())).copied();
                let den = values.get(&(d.clone(), col.key.clone())).copied();
                match (num, den) {
                    (num, Some(den)) if den > 0.0 => {
                        values.insert(
                            key,
                            ((100.0 * num.unwrap_or(0.0) / den) * 100.0).round() / 100.0,
                        );
                    }
                    _ => {
                        values.remove(&key);
                    }
                }
            }
        }
    }
}

/// Subtotals by khối and the grand total (polars group-by sums), then
/// percentages recomputed from the summed parts and weighted means.
fn totals(round: &Round, out: &mut Consolidated) -> PolarsResult<()> {
    let catalog = &round.catalog;
    let (mut block, mut code, mut column, mut value) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (unit, values) in &out.units {
        let b = round
            .unit(unit)
            .map(|u| u.block.clone())
            .unwrap_or_default();
        for ((c, k), v) in values {
            let ind = catalog.indicator(c).expect("catalogue code");
            let v = match ind.consolidation() {
                Method::Sum | Method::CountYes => *v,
                Method::WeightedMean => {
                    let w = ind
                        .weight
                        .as_ref()
                        .and_then(|w| values.get(&(w.clone(), k.clone())))
                        .copied()
                        .unwrap_or(0.0);
                    v * w
                }
                _ => continue,
            };
            block.push(b.clone());
            code.push(c.clone());
            column.push(k.clone());
            value.push(v);
        }
    }
    let table = DataFrame::new_infer_height(vec![
        Column::new("block".into(), block),
        Column::new("code".into(), code),
        Column::new("column".into(), column),
        Column::new("value".into(), value),
    ])?;
    let by_block = table
        .clone()
        .lazy()
        .group_by([col("block"), col("code"), col("column")])
        .agg([col("value").sum().alias("sum")])
        .sort(["block", "code", "column"], Default::default())
        .collect()?;
    let grand = table
        .lazy()
        .group_by([col("code"), col("column")])
        .agg([col("value").sum().alias("sum")])
        .sort(["code", "column"], Default::default())
        .collect()?;
    let (blocks, codes, columns, sums) = (
        strs(&by_block, "block")?,
        strs(&by_block, "code")?,
        strs(&by_block, "column")?,
        floats(&by_block, "sum")?,
    );
    for i in 0..by_block.height() {
        out.blocks.entry(blocks[i].clone()).or_default().insert(
            (codes[i].clone(), columns[i].clone()),
            sums[i].unwrap_or(0.0),
        );
    }
    let (codes, columns, sums) = (
        strs(&grand, "code")?,
        strs(&grand, "column")?,
        floats(&grand, "sum")?,
    );
    for i in 0..grand.height() {
        out.total.insert(
            (codes[i].clone(), columns[i].clone()),
            sums[i].unwrap_or(0.0),
        );
    }
    for b in round.blocks() {
        out.blocks.entry(b).or_default();
    }
    let weighted: Vec<_> = catalog
        .indicators
        .iter()
        .filter(|i| i.consolidation() == Method::WeightedMean)
        .collect();
    for values in out
        .blocks
        .values_mut()
        .chain(std::iter::once(&mut out.total))
    {
        for ind in &weighted {
            let keys: Vec<Key> = values
                .keys()
                .filter(|(c, _)| c == &ind.code)
                .cloned()
                .collect();
            for key in keys {
                let w = ind
                    .weight
                    .as_ref()
                    .and_then(|w| values.get(&(w.clone(), key.1.clone())))
                    .copied()
                    .unwrap_or(0.0);
                if w > 0.0 {
                    let v = values[&key] / w;
                    values.insert(key, v);
                } else {
                    values.remove(&key);
                }
            }
        }
        recompute(catalog, values, Some(()));
    }
    Ok(())
}
