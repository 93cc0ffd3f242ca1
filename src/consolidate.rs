//! Consolidation: each unit's effective values (inputs plus its computed
//! cells recomputed, never the cached formula results), then subtotals by
//! khối and the grand total. Counts and quantities are summed; percentages
//! are recomputed from the summed tử số and mẫu số, never averaged; yes/no
//! counts the units answering "Có"; text and lists are kept per unit.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::catalog::{Catalog, Consolidation as Method, GroupKind, IndicatorKind, Severity};
use crate::check::{floats, ids};
use crate::diagnostic::{rules, Finding};
use crate::ingest::value::Value;
use crate::ingest::Ingest;
use crate::round::Round;

/// Positions of every (chỉ tiêu, column) pair in a flat [`Table`].
#[derive(Debug, Clone, Default)]
pub struct Slots {
    /// First slot of each indicator (catalogue order).
    first: Vec<usize>,
    len: usize,
}

impl Slots {
    pub fn new(c: &Catalog) -> Slots {
        let mut first = Vec::with_capacity(c.indicators.len());
        let mut len = 0;
        for i in 0..c.indicators.len() {
            first.push(len);
            len += c.columns_of_indicator(i).len();
        }
        Slots { first, len }
    }

    pub fn slot(&self, ind: usize, col: usize) -> usize {
        self.first[ind] + col
    }

    /// A table with no values.
    pub fn empty(&self) -> Table {
        Table(vec![f64::NAN; self.len])
    }
}

/// One value per (chỉ tiêu, column) slot; NaN = no value. Yes/no is 1 (Có)
/// or 0 (Không).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table(Vec<f64>);

impl Table {
    pub fn get_slot(&self, slot: usize) -> Option<f64> {
        self.0.get(slot).copied().filter(|v| !v.is_nan())
    }

    fn set_slot(&mut self, slot: usize, v: Option<f64>) {
        self.0[slot] = v.unwrap_or(f64::NAN);
    }
}

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
    pub slots: Slots,
    /// Effective values of every unit that reported, by mã đơn vị.
    pub units: BTreeMap<String, Table>,
    /// Subtotals by khối.
    pub blocks: BTreeMap<String, Table>,
    /// Grand totals.
    pub total: Table,
    /// Narrative answers: (code, unit) → text.
    pub texts: BTreeMap<(String, String), String>,
    /// List rows of every unit.
    pub lists: Vec<ListRow>,
    /// Cached formula results that disagree with the recomputation.
    pub findings: Vec<Finding>,
    /// Mã số → indicator position.
    index: HashMap<String, usize>,
    /// Column keys per indicator.
    keys: Vec<Vec<String>>,
}

impl Consolidated {
    /// The value of `code` in column `key` of a table.
    pub fn get(&self, table: &Table, code: &str, key: &str) -> Option<f64> {
        let i = *self.index.get(code)?;
        let col = self.keys[i].iter().position(|k| k == key)?;
        table.get_slot(self.slots.slot(i, col))
    }

    /// The value of a unit (None when the unit did not report).
    pub fn unit_value(&self, unit: &str, code: &str, key: &str) -> Option<f64> {
        self.get(self.units.get(unit)?, code, key)
    }

    pub fn block_value(&self, block: &str, code: &str, key: &str) -> Option<f64> {
        self.get(self.blocks.get(block)?, code, key)
    }

    pub fn total_value(&self, code: &str, key: &str) -> Option<f64> {
        self.get(&self.total, code, key)
    }

    /// Rows of the list `code`, in units-list order then row order.
    pub fn list_rows<'a>(&'a self, round: &Round, code: &str) -> Vec<&'a ListRow> {
        let mut rows: Vec<&ListRow> = self.lists.iter().filter(|l| l.code == code).collect();
        rows.sort_by_key(|l| (round.unit_position(&l.unit).unwrap_or(usize::MAX), l.row));
        rows
    }
}

/// Consolidate the accepted returns.
///
/// # Errors
/// Polars errors (a bug, not bad data).
pub fn consolidate(round: &Round, ingest: &Ingest) -> PolarsResult<Consolidated> {
    let catalog = &round.catalog;
    let slots = Slots::new(catalog);
    let mut out = Consolidated {
        total: slots.empty(),
        index: catalog
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.code.clone(), i))
            .collect(),
        keys: (0..catalog.indicators.len())
            .map(|i| {
                catalog
                    .columns_of_indicator(i)
                    .iter()
                    .map(|c| c.key.clone())
                    .collect()
            })
            .collect(),
        slots,
        ..Consolidated::default()
    };
    for f in ingest.accepted() {
        let Some(unit) = f.unit.as_deref().and_then(|c| round.unit(c)) else {
            continue;
        };
        let mut values = out.slots.empty();
        let mut cached = Vec::new();
        let mut list_index: HashMap<(u16, u16), usize> = HashMap::new();
        for r in &f.records {
            let ind = &catalog.indicators[r.ind as usize];
            if !ind.applies_to_type(&unit.unit_type) {
                continue;
            }
            if r.computed {
                cached.push(r);
                continue;
            }
            let slot = out.slots.slot(r.ind as usize, r.col as usize);
            match (&r.value, r.list_row) {
                (Value::Number(n), 0) => values.set_slot(slot, Some(*n)),
                (Value::YesNo(b), 0) => values.set_slot(slot, Some(f64::from(u8::from(*b)))),
                (Value::Text(t), 0) => {
                    out.texts
                        .insert((ind.code.clone(), unit.code.clone()), t.clone());
                }
                (v, row) if row > 0 => {
                    let at = *list_index.entry((r.ind, row)).or_insert_with(|| {
                        out.lists.push(ListRow {
                            unit: unit.code.clone(),
                            code: ind.code.clone(),
                            row: u32::from(row),
                            values: BTreeMap::new(),
                        });
                        out.lists.len() - 1
                    });
                    out.lists[at]
                        .values
                        .insert(r.column(catalog).to_string(), v.clone());
                }
                _ => {}
            }
        }
        recompute(catalog, &out.slots, &mut values, false);
        for r in cached {
            let Value::Number(c) = r.value else { continue };
            let now = values.get_slot(out.slots.slot(r.ind as usize, r.col as usize));
            let differs = match now {
                Some(v) => (v - c).abs() > 0.01,
                None => c.abs() > 0.01,
            };
            if differs {
                let ind = &catalog.indicators[r.ind as usize];
                let now_text = now.map_or("(trống)".to_string(), crate::text::number_vi);
                out.findings.push(Finding {
                    severity: Severity::CanhBao,
                    unit: unit.code.clone(),
                    unit_name: unit.name.clone(),
                    file: f.file.clone(),
                    sheet: f.sheet_of(r).to_string(),
                    cell: r.cell.to_string(),
                    code: ind.code.clone(),
                    indicator: ind.label.clone(),
                    rule: rules::STALE_CACHE.to_string(),
                    found: crate::text::number_vi(c),
                    expected: now_text.clone(),
                    message: format!(
                        "Ô {} (mã số {}): ô công thức lưu sẵn {} nhưng tính lại từ các ô nhập được {} (phần mềm không tính lại công thức?); dùng giá trị tính lại.",
                        r.cell,
                        ind.code,
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

/// Fill the computed cells of one table: `sum_of` columns as the sum of
/// their parts (when any part is present), percentages in computed cells
/// as 100 × tử số / mẫu số. With `all_ratios`, every percentage is
/// recomputed (totals: a percentage is never summed).
pub fn recompute(catalog: &Catalog, slots: &Slots, values: &mut Table, all_ratios: bool) {
    for g in catalog.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        let columns = catalog.columns_of(g);
        let members: Vec<usize> = (0..catalog.indicators.len())
            .filter(|i| catalog.indicators[*i].group == g.id)
            .collect();
        for &i in &members {
            let ind = &catalog.indicators[i];
            if !ind.kind.is_numeric() || ind.kind == IndicatorKind::Percent {
                continue;
            }
            for (k, col) in columns.iter().enumerate().filter(|(_, c)| c.is_computed()) {
                let parts: Vec<f64> = col
                    .sum_of
                    .iter()
                    .filter_map(|key| columns.iter().position(|c| &c.key == key))
                    .filter_map(|p| values.get_slot(slots.slot(i, p)))
                    .collect();
                let v = (!parts.is_empty()).then(|| parts.iter().sum());
                values.set_slot(slots.slot(i, k), v);
            }
        }
        for &i in &members {
            let ind = &catalog.indicators[i];
            if ind.kind != IndicatorKind::Percent {
                continue;
            }
            let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) else {
                continue;
            };
            let (Some(n), Some(d)) = (catalog.indicator_index(n), catalog.indicator_index(d))
            else {
                continue;
            };
            for (k, col) in columns.iter().enumerate() {
                if !(ind.computed || col.is_computed() || all_ratios) {
                    continue;
                }
                let num = values.get_slot(slots.slot(n, k));
                let den = values.get_slot(slots.slot(d, k));
                let v = match den {
                    Some(den) if den > 0.0 => {
                        Some(((100.0 * num.unwrap_or(0.0) / den) * 100.0).round() / 100.0)
                    }
                    _ => None,
                };
                values.set_slot(slots.slot(i, k), v);
            }
        }
    }
}

/// Subtotals by khối and the grand total (polars group-by sums), then
/// percentages recomputed from the summed parts and weighted means.
fn totals(round: &Round, out: &mut Consolidated) -> PolarsResult<()> {
    let catalog = &round.catalog;
    let blocks = round.blocks();
    let block_of: HashMap<&str, u32> = round
        .units
        .iter()
        .map(|u| {
            (
                u.code.as_str(),
                blocks.iter().position(|b| b == &u.block).unwrap_or(0) as u32,
            )
        })
        .collect();
    let (mut block, mut slot, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for (unit, values) in &out.units {
        let b = block_of.get(unit.as_str()).copied().unwrap_or(0);
        for (i, ind) in catalog.indicators.iter().enumerate() {
            let method = ind.consolidation();
            if !matches!(
                method,
                Method::Sum | Method::CountYes | Method::WeightedMean
            ) {
                continue;
            }
            for k in 0..catalog.columns_of_indicator(i).len() {
                let s = out.slots.slot(i, k);
                let Some(v) = values.get_slot(s) else {
                    continue;
                };
                let v = if method == Method::WeightedMean {
                    let w = ind
                        .weight
                        .as_deref()
                        .and_then(|w| catalog.indicator_index(w))
                        .and_then(|w| values.get_slot(out.slots.slot(w, k)))
                        .unwrap_or(0.0);
                    v * w
                } else {
                    v
                };
                block.push(b);
                slot.push(s as u32);
                value.push(v);
            }
        }
    }
    let table = DataFrame::new_infer_height(vec![
        Column::new("block".into(), block),
        Column::new("slot".into(), slot),
        Column::new("value".into(), value),
    ])?;
    let by_block = table
        .clone()
        .lazy()
        .group_by([col("block"), col("slot")])
        .agg([col("value").sum().alias("sum")])
        .collect()?;
    let grand = table
        .lazy()
        .group_by([col("slot")])
        .agg([col("value").sum().alias("sum")])
        .collect()?;
    for b in &blocks {
        out.blocks.insert(b.clone(), out.slots.empty());
    }
    let (bs, ss, sums) = (
        ids(&by_block, "block")?,
        ids(&by_block, "slot")?,
        floats(&by_block, "sum")?,
    );
    for i in 0..by_block.height() {
        if let Some(t) = blocks
            .get(bs[i] as usize)
            .and_then(|b| out.blocks.get_mut(b))
        {
            t.set_slot(ss[i] as usize, Some(sums[i].unwrap_or(0.0)));
        }
    }
    let (ss, sums) = (ids(&grand, "slot")?, floats(&grand, "sum")?);
    for i in 0..grand.height() {
        out.total
            .set_slot(ss[i] as usize, Some(sums[i].unwrap_or(0.0)));
    }
    let weighted: Vec<usize> = (0..catalog.indicators.len())
        .filter(|i| catalog.indicators[*i].consolidation() == Method::WeightedMean)
        .collect();
    let slots = out.slots.clone();
    for values in out
        .blocks
        .values_mut()
        .chain(std::iter::once(&mut out.total))
    {
        for &i in &weighted {
            let w = catalog.indicators[i]
                .weight
                .as_deref()
                .and_then(|w| catalog.indicator_index(w));
            for k in 0..catalog.columns_of_indicator(i).len() {
                let s = slots.slot(i, k);
                let weight = w
                    .and_then(|w| values.get_slot(slots.slot(w, k)))
                    .unwrap_or(0.0);
                let v = values
                    .get_slot(s)
                    .filter(|_| weight > 0.0)
                    .map(|v| v / weight);
                values.set_slot(s, v);
            }
        }
        recompute(catalog, &slots, values, true);
    }
    Ok(())
}
