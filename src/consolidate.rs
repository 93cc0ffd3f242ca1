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
use crate::ingest::value::{CellText, Value};
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

/// Units behind each figure of a [`Table`] (one count per slot).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts(Vec<u32>);

impl Counts {
    pub fn get_slot(&self, slot: usize) -> u32 {
        self.0.get(slot).copied().unwrap_or(0)
    }
}

/// One row of a list table, with its unit.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub unit: String,
    pub code: String,
    pub row: u32,
    /// By the position of the column in the list's column set
    /// (`Catalog::columns_of`); `None` for a column left empty.
    pub values: Vec<Option<Value>>,
}

impl ListRow {
    /// The value in column `col` (its position in the list's columns).
    pub fn value(&self, col: usize) -> Option<&Value> {
        self.values.get(col).and_then(Option::as_ref)
    }
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
    /// How many units each subtotal figure was consolidated from: for a
    /// sum, the units that gave the value; for a percentage, the units that
    /// gave both its tử số and mẫu số; for a weighted mean, both the value
    /// and its weight. By khối, like `blocks`.
    pub block_counts: BTreeMap<String, Counts>,
    /// How many units each grand total was consolidated from.
    pub total_counts: Counts,
    /// Narrative answers: (code, unit) → text.
    pub texts: BTreeMap<(String, String), CellText>,
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

    /// The slot of (mã số, column key).
    pub fn slot_of(&self, code: &str, key: &str) -> Option<usize> {
        let i = *self.index.get(code)?;
        let col = self.keys[i].iter().position(|k| k == key)?;
        Some(self.slots.slot(i, col))
    }

    /// The narrative answer of unit `unit` to chỉ tiêu `code`, if it gave
    /// one.
    pub fn text(&self, code: &str, unit: &str) -> Option<&str> {
        self.texts
            .get(&(code.to_string(), unit.to_string()))
            .map(CellText::as_str)
    }

    /// How many units the grand total of (mã số, column key) was
    /// consolidated from (see [`Consolidated::total_counts`]).
    pub fn total_count(&self, code: &str, key: &str) -> u32 {
        self.slot_of(code, key)
            .map_or(0, |s| self.total_counts.get_slot(s))
    }

    /// How many units a khối subtotal was consolidated from.
    pub fn block_count(&self, block: &str, code: &str, key: &str) -> u32 {
        match (self.slot_of(code, key), self.block_counts.get(block)) {
            (Some(s), Some(c)) => c.get_slot(s),
            _ => 0,
        }
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
            if r.computed() {
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
                            values: vec![None; catalog.columns_of_indicator(r.ind as usize).len()],
                        });
                        out.lists.len() - 1
                    });
                    out.lists[at].values[r.col as usize] = Some(v.clone());
                }
                _ => {}
            }
        }
        recompute(catalog, &out.slots, &mut values);
        for r in cached {
            let Value::Number(c) = r.value else { continue };
            let now = values.get_slot(out.slots.slot(r.ind as usize, r.col as usize));
            let ind = &catalog.indicators[r.ind as usize];
            let Some((severity, message)) = cached_finding(catalog, r, c, now) else {
                continue;
            };
            out.findings.push(
                Finding::value(severity, rules::STALE_CACHE, ind)
                    .of_unit(&unit.code, &unit.name)
                    .in_file(&f.file, f.sheet_of(r))
                    .at([r.cell])
                    .values(
                        crate::text::number_vi(c),
                        now.map_or("(trống)".to_string(), crate::text::number_vi),
                    )
                    .saying(&message),
            );
        }
        out.units.insert(unit.code.clone(), values);
    }
    totals(round, &mut out)?;
    Ok(out)
}

/// What a computed cell's content says against its recomputation `now`
/// (from the unit's input cells), as a severity and message:
/// - its parts are all blank but it holds a figure: a lỗi, since the
///   figure is not consolidated (a unit that knows only the period total
///   must fill the years, or the tử số and mẫu số);
/// - it differs from its parts: a cảnh báo saying whether the formula was
///   typed over with a number (.xlsx tells) or the client did not
///   recalculate, and that the parts were used.
fn cached_finding(
    catalog: &Catalog,
    r: &crate::ingest::Record,
    cached: f64,
    now: Option<f64>,
) -> Option<(Severity, String)> {
    use crate::text::number_vi;
    let ind = &catalog.indicators[r.ind as usize];
    let columns = catalog.columns_of_indicator(r.ind as usize);
    let column = &columns[r.col as usize];
    let percent = ind.kind == IndicatorKind::Percent;
    let parts = if percent {
        format!(
            "tử số {} và mẫu số {}",
            ind.numerator.as_deref().unwrap_or(""),
            ind.denominator.as_deref().unwrap_or("")
        )
    } else {
        let labels: Vec<&str> = column
            .sum_of
            .iter()
            .filter_map(|k| columns.iter().find(|c| &c.key == k))
            .map(|c| c.label.as_str())
            .collect();
        format!("các cột {}", labels.join(", "))
    };
    match now {
        None if r.typed_over() || cached.abs() > 0.01 => Some((
            Severity::Loi,
            format!(
                "ô tự tính \"{}\" ghi {} nhưng {} đều để trống: số này KHÔNG được tổng hợp; hãy ghi {} (ô này tự tính từ đó).",
                column.label,
                number_vi(cached),
                parts,
                parts
            ),
        )),
        Some(v) if (v - cached).abs() > 0.01 => Some((
            Severity::CanhBao,
            if r.typed_over() {
                format!(
                    "công thức của ô tự tính \"{}\" đã bị ghi đè bằng số {}, khác giá trị tính từ {} là {}; đã dùng giá trị tính từ {}: hãy kiểm tra lại.",
                    column.label,
                    number_vi(cached),
                    parts,
                    number_vi(v),
                    parts
                )
            } else {
                format!(
                    "ô công thức lưu sẵn {} nhưng tính lại từ {} được {} (phần mềm không tính lại công thức, hoặc công thức đã bị ghi đè); đã dùng giá trị tính lại.",
                    number_vi(cached),
                    parts,
                    number_vi(v)
                )
            },
        )),
        _ => None,
    }
}

/// Fill the computed cells of one table: `sum_of` columns as the sum of
/// their parts (when any part is present), percentages in computed cells
/// as 100 × tử số / mẫu số (typed percentages stay as typed; their
/// agreement with the tử số and mẫu số is a check).
pub fn recompute(catalog: &Catalog, slots: &Slots, values: &mut Table) {
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
                if !(ind.computed || col.is_computed()) {
                    continue;
                }
                // A unit's percentage exists only when both its tử số and
                // mẫu số do (a blank is no figure, never 0), and 0/0 has
                // no value.
                let num = values.get_slot(slots.slot(n, k));
                let den = values.get_slot(slots.slot(d, k));
                let v = match (num, den) {
                    (Some(num), Some(den)) if den > 0.0 => Some(round2(100.0 * num / den)),
                    _ => None,
                };
                values.set_slot(slots.slot(i, k), v);
            }
        }
    }
}

/// How a figure is consolidated, with the catalogue positions it needs.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// Σ of the units' values (counts, quantities, "Có" answers).
    Sum,
    /// 100 × Σ tử số / Σ mẫu số over the units that gave both (positions
    /// of the tử số and mẫu số).
    Ratio(usize, usize),
    /// Σ value × weight / Σ weight over the units that gave both (position
    /// of the weight).
    WeightedMean(usize),
}

fn plan(catalog: &Catalog, i: usize) -> Option<Plan> {
    let ind = &catalog.indicators[i];
    match ind.consolidation() {
        Method::Sum | Method::CountYes => Some(Plan::Sum),
        Method::Ratio => Some(Plan::Ratio(
            catalog.indicator_index(ind.numerator.as_deref()?)?,
            catalog.indicator_index(ind.denominator.as_deref()?)?,
        )),
        Method::WeightedMean => Some(Plan::WeightedMean(
            catalog.indicator_index(ind.weight.as_deref()?)?,
        )),
        Method::ByUnit | Method::Rows => None,
    }
}

/// Subtotals by khối and the grand total (polars group-by sums and
/// counts). A blank is never a 0: a unit enters a sum only with a value,
/// a percentage only with both its tử số and mẫu số, a weighted mean only
/// with both its value and weight, and every figure counts the units it
/// was made from (DESIGN.md "Percentages").
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
    let plans: Vec<Option<Plan>> = (0..catalog.indicators.len())
        .map(|i| plan(catalog, i))
        .collect();
    // Keys of the long frame: a slot `s` for a plain sum; `len + 2s` and
    // `len + 2s + 1` for the two paired sums of a ratio or weighted mean.
    let len = out.slots.len;
    // (sum, units) by khối and key, and by key: summed a part of the
    // units at a time, so the long frame stays the size of one part.
    let keys = 3 * len;
    let mut by_block = vec![(0.0, 0u32); blocks.len().max(1) * keys];
    let mut grand = vec![(0.0, 0u32); keys];
    let units: Vec<(&String, &Table)> = out.units.iter().collect();
    for part in units.chunks(TOTALS_PART) {
        let (mut block, mut key, mut value) = (Vec::new(), Vec::new(), Vec::new());
        for (unit, values) in part {
            let b = block_of.get(unit.as_str()).copied().unwrap_or(0);
            for (i, p) in plans.iter().enumerate() {
                let Some(p) = p else { continue };
                for k in 0..catalog.columns_of_indicator(i).len() {
                    let s = out.slots.slot(i, k);
                    let at = |j: usize| values.get_slot(out.slots.slot(j, k));
                    let pair = match *p {
                        Plan::Sum => {
                            if let Some(v) = values.get_slot(s) {
                                block.push(b);
                                key.push(s as u32);
                                value.push(v);
                            }
                            continue;
                        }
                        Plan::Ratio(n, d) => at(n).zip(at(d)),
                        Plan::WeightedMean(w) => {
                            values.get_slot(s).zip(at(w)).map(|(v, w)| (v * w, w))
                        }
                    };
                    if let Some((a, z)) = pair {
                        block.extend([b, b]);
                        key.extend([(len + 2 * s) as u32, (len + 2 * s + 1) as u32]);
                        value.extend([a, z]);
                    }
                }
            }
        }
        let table = DataFrame::new_infer_height(vec![
            Column::new("block".into(), block),
            Column::new("key".into(), key),
            Column::new("value".into(), value),
        ])?;
        let agg = [
            col("value").sum().alias("sum"),
            col("value").count().alias("n"),
        ];
        let part_by_block = table
            .clone()
            .lazy()
            .group_by([col("block"), col("key")])
            .agg(agg.clone())
            .collect()?;
        let part_grand = table.lazy().group_by([col("key")]).agg(agg).collect()?;
        let add = |acc: &mut [(f64, u32)], df: &DataFrame, block_col: bool| -> PolarsResult<()> {
            let bs = if block_col {
                ids(df, "block")?
            } else {
                vec![0; df.height()]
            };
            let (ks, sums, ns) = (ids(df, "key")?, floats(df, "sum")?, ids(df, "n")?);
            for i in 0..df.height() {
                let a = &mut acc[bs[i] as usize * keys + ks[i] as usize];
                a.0 += sums[i].unwrap_or(0.0);
                a.1 += ns[i];
            }
            Ok(())
        };
        add(&mut by_block, &part_by_block, true)?;
        add(&mut grand, &part_grand, false)?;
    }
    // The figures with at least one unit behind them: (key, sum, units).
    let figures = |acc: &[(f64, u32)]| -> Vec<(usize, f64, u32)> {
        acc.iter()
            .enumerate()
            .filter(|(_, a)| a.1 > 0)
            .map(|(k, a)| (k, a.0, a.1))
            .collect()
    };
    let mut tables: Vec<(Table, Counts)> = (0..blocks.len().max(1))
        .map(|_| (out.slots.empty(), Counts(vec![0; len])))
        .collect();
    let mut grand_table = (out.slots.empty(), Counts(vec![0; len]));
    let fill = |t: &mut (Table, Counts), rows: &[(usize, f64, u32)]| {
        let mut pairs: HashMap<usize, (f64, f64)> = HashMap::new();
        for &(k, sum, n) in rows {
            if k < len {
                t.0.set_slot(k, Some(sum));
                t.1 .0[k] = n;
            } else {
                let s = (k - len) / 2;
                let e = pairs.entry(s).or_default();
                if (k - len).is_multiple_of(2) {
                    e.0 = sum;
                    t.1 .0[s] = n;
                } else {
                    e.1 = sum;
                }
            }
        }
        for (s, (a, z)) in pairs {
            let is_ratio = is_ratio_slot(&plans, &out.slots, s);
            let v = if z > 0.0 {
                Some(if is_ratio {
                    round2(100.0 * a / z)
                } else {
                    a / z
                })
            } else {
                None
            };
            t.0.set_slot(s, v);
        }
    };
    for (bi, t) in tables.iter_mut().enumerate() {
        fill(t, &figures(&by_block[bi * keys..(bi + 1) * keys]));
    }
    fill(&mut grand_table, &figures(&grand));
    for (b, (t, c)) in blocks.iter().zip(tables) {
        out.blocks.insert(b.clone(), t);
        out.block_counts.insert(b.clone(), c);
    }
    (out.total, out.total_counts) = grand_table;
    Ok(())
}

/// Units whose values are summed together (see `totals`).
const TOTALS_PART: usize = 4_000;

/// Whether slot `s` belongs to a percentage (a ratio) rather than a
/// weighted mean.
fn is_ratio_slot(plans: &[Option<Plan>], slots: &Slots, s: usize) -> bool {
    let i = slots.first.partition_point(|f| *f <= s) - 1;
    matches!(plans[i], Some(Plan::Ratio(..)))
}

/// A percentage as printed: two decimals.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A value that carries findings: the worst severity and the findings'
/// messages.
#[derive(Debug, Clone)]
pub struct Mark {
    pub severity: Severity,
    pub messages: Vec<String>,
    /// The value is a blank a lỗi is about (a required figure left
    /// empty): not in the totals, which are short of it until it is filled.
    pub blank: bool,
}

impl Mark {
    fn add(&mut self, severity: Severity, message: &str) {
        self.severity = self.severity.min(severity);
        if !self.messages.iter().any(|m| m == message) {
            self.messages.push(message.to_string());
        }
    }
}

/// Which values carry findings, and so which consolidated figures include
/// a value known to be wrong (DESIGN.md: "a total that contains a value
/// with a lỗi is marked on every sheet where it appears").
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Mã đơn vị → (chỉ tiêu position, column position) → mark.
    units: HashMap<String, HashMap<(u16, u8), Mark>>,
    /// Findings on the committee's own figures (the checks run on the
    /// totals), by (chỉ tiêu position, column position).
    committee: HashMap<(u16, u8), Mark>,
}

/// A unit whose values with a lỗi went into a consolidated figure, or
/// whose blank with a lỗi (a required figure left empty) is missing from
/// it.
#[derive(Debug, Clone)]
pub struct Tainted<'a> {
    pub unit: &'a crate::round::OrgUnit,
    pub messages: Vec<String>,
    /// Every value of the unit's behind the mark is a blank with a lỗi:
    /// the figure is short of it, rather than including a wrong value.
    pub missing: bool,
}

impl Marks {
    /// Marks from the findings on the accepted returns' cells.
    pub fn new(ingest: &Ingest, findings: &[Finding]) -> Marks {
        let mut by_cell: HashMap<(&str, &str, crate::cell::CellRef), Vec<&Finding>> =
            HashMap::new();
        let mut out = Marks::default();
        for f in findings {
            // A typed percentage that disagrees with its tử số and mẫu số
            // most likely is the wrong one, and the totals never use it:
            // only its own cell is marked. Other rules name values one of
            // which is wrong.
            let cells = if f.rule == crate::diagnostic::rules::RATIO {
                &f.cells[..f.cells.len().min(1)]
            } else {
                &f.cells[..]
            };
            for &c in cells {
                by_cell
                    .entry((f.file.as_str(), f.sheet.as_str(), c))
                    .or_default()
                    .push(f);
            }
        }
        let files: std::collections::HashSet<&str> = by_cell.keys().map(|(f, _, _)| *f).collect();
        for f in ingest
            .accepted()
            .filter(|f| files.contains(f.file.as_str()))
        {
            let unit = out
                .units
                .entry(f.unit.clone().unwrap_or_default())
                .or_default();
            // A value read is in the totals: its finding marks them. A
            // blank a lỗi is about (a required figure left empty) is
            // missing from them: a total short of it is marked too, as
            // incomplete (the coverage count alone reads like a unit
            // that reported nothing to report).
            for r in f
                .records
                .iter()
                .filter(|r| !matches!(r.value, Value::NotApplicable))
            {
                let blank = matches!(r.value, Value::Blank);
                if let Some(found) = by_cell.get(&(f.file.as_str(), f.sheet_of(r), r.cell)) {
                    for x in found
                        .iter()
                        .filter(|x| !blank || x.severity == Severity::Loi)
                    {
                        unit.entry((r.ind, r.col))
                            .or_insert_with(|| Mark {
                                severity: x.severity,
                                messages: Vec::new(),
                                blank,
                            })
                            .add(x.severity, &x.message);
                    }
                }
            }
        }
        out
    }

    /// Mark a figure of the committee's own (a finding of the checks run
    /// on the totals).
    pub fn add_committee(&mut self, ind: usize, col: usize, severity: Severity, message: &str) {
        self.committee
            .entry((ind as u16, col as u8))
            .or_insert_with(|| Mark {
                severity,
                messages: Vec::new(),
                blank: false,
            })
            .add(severity, message);
    }

    /// The mark on one value of a unit.
    pub fn value(&self, unit: &str, ind: usize, col: usize) -> Option<&Mark> {
        self.units.get(unit)?.get(&(ind as u16, col as u8))
    }

    /// The mark the committee's own checks put on a figure.
    pub fn committee(&self, ind: usize, col: usize) -> Option<&Mark> {
        self.committee.get(&(ind as u16, col as u8))
    }

    /// The units among `units` whose values with a lỗi went into the
    /// consolidated figure of indicator `ind` (position), column `col`: the
    /// value itself, the parts of a computed column, and for a percentage
    /// its tử số and mẫu số (and their parts).
    pub fn errors_in<'a>(
        &self,
        catalog: &Catalog,
        ind: usize,
        col: usize,
        units: impl IntoIterator<Item = &'a crate::round::OrgUnit>,
    ) -> Vec<Tainted<'a>> {
        let deps = dependencies(catalog, ind, col);
        units
            .into_iter()
            .filter_map(|u| {
                let marks = self.units.get(&u.code)?;
                let loi: Vec<&Mark> = deps
                    .iter()
                    .filter_map(|&(i, k)| marks.get(&(i as u16, k as u8)))
                    .filter(|m| m.severity == Severity::Loi)
                    .collect();
                let missing = loi.iter().all(|m| m.blank);
                let messages: Vec<String> = loi
                    .iter()
                    .flat_map(|m| m.messages.iter().cloned())
                    .fold(Vec::new(), |mut acc, m| {
                        if !acc.contains(&m) {
                            acc.push(m);
                        }
                        acc
                    });
                (!messages.is_empty()).then_some(Tainted {
                    unit: u,
                    messages,
                    missing,
                })
            })
            .collect()
    }
}

/// The (chỉ tiêu, column) values a consolidated figure is made from: the
/// value itself and the parts of a computed column; for a percentage with
/// a tử số and mẫu số, those (a typed percentage never enters the
/// committee's Σ tử số / Σ mẫu số).
fn dependencies(catalog: &Catalog, ind: usize, col: usize) -> Vec<(usize, usize)> {
    let i = &catalog.indicators[ind];
    if i.kind == IndicatorKind::Percent && i.numerator.is_some() && i.denominator.is_some() {
        return [&i.numerator, &i.denominator]
            .into_iter()
            .flatten()
            .filter_map(|side| catalog.indicator_index(side))
            .flat_map(|j| dependencies(catalog, j, col))
            .collect();
    }
    let mut out = vec![(ind, col)];
    let columns = catalog.columns_of_indicator(ind);
    if let Some(c) = columns.get(col) {
        for key in &c.sum_of {
            if let Some(p) = columns.iter().position(|x| &x.key == key) {
                out.push((ind, p));
            }
        }
    }
    out
}

/// What a marked figure is short of or holds wrongly, from its
/// [`Tainted`] units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taint {
    /// It includes a value with a lỗi.
    Wrong,
    /// It lacks required figures units left blank (a lỗi).
    Missing,
    /// Both.
    WrongAndMissing,
}

impl Taint {
    /// The taint of a figure marked for `tainted`.
    pub fn of(tainted: &[Tainted]) -> Taint {
        match (
            tainted.iter().any(|t| !t.missing),
            tainted.iter().any(|t| t.missing),
        ) {
            (true, true) => Taint::WrongAndMissing,
            (false, true) => Taint::Missing,
            _ => Taint::Wrong,
        }
    }
}

impl std::fmt::Display for Taint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Taint::Wrong => "có cộng giá trị bị lỗi",
            Taint::Missing => "còn thiếu số liệu bắt buộc đơn vị để trống",
            Taint::WrongAndMissing => {
                "có cộng giá trị bị lỗi và còn thiếu số liệu bắt buộc đơn vị để trống"
            }
        })
    }
}

/// A cell note naming the units with a lỗi in a figure and their findings
/// (at most a few, then how many more).
pub fn tainted_note(tainted: &[Tainted]) -> String {
    const SHOWN: usize = 4;
    let mut s = format!("Số này {}, chưa được sửa:", Taint::of(tainted));
    for t in tainted.iter().take(SHOWN) {
        s.push_str(&format!("\n- {}: {}", t.unit.name, t.messages.join(" ")));
    }
    if tainted.len() > SHOWN {
        s.push_str(&format!(
            "\n- và {} đơn vị khác (xem bao-cao-loi.xlsx).",
            tainted.len() - SHOWN
        ));
    }
    s
}
