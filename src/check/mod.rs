//! Checks: every catalogue rule runs over all units at once on the long
//! table (polars), one file per rule family. Each failing (rule, unit,
//! column) becomes a [`Finding`] naming the file, sheet and cells.

mod bounds;
mod declared;
mod presence;
mod ratio;

use std::collections::HashMap;

use polars::prelude::*;

use crate::catalog::Indicator;
use crate::catalog::Severity;
use crate::consolidate::Consolidated;
use crate::diagnostic::{rules, Finding};
use crate::ingest::value::Value;
use crate::ingest::{FileReport, Ingest, Record};
use crate::round::{OrgUnit, Round};

/// The long table of numeric input values of `accepted` returns, with
/// integer keys so that ten thousand returns stay small: `unit` (u32,
/// position in the units list), `ind` (u32, position in the catalogue),
/// `col` (u32, position in its column set), `value` (f64; yes/no as 1/0),
/// `applicable` (bool).
pub fn long_table(round: &Round, accepted: &[&FileReport]) -> PolarsResult<DataFrame> {
    let (mut unit, mut ind, mut col, mut value, mut applicable) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in accepted {
        let Some(u) = f.unit.as_deref().and_then(|c| round.unit_position(c)) else {
            continue;
        };
        let unit_type = round.units[u].unit_type.as_str();
        for r in f.records.iter().filter(|r| !r.computed()) {
            let v = match r.value {
                Value::Number(n) => n,
                Value::YesNo(b) => f64::from(u8::from(b)),
                _ => continue,
            };
            unit.push(u as u32);
            ind.push(u32::from(r.ind));
            col.push(u32::from(r.col));
            value.push(v);
            applicable.push(round.catalog.indicators[r.ind as usize].applies_to_type(unit_type));
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("ind".into(), ind),
        Column::new("col".into(), col),
        Column::new("value".into(), value),
        Column::new("applicable".into(), applicable),
    ])
}

/// A value's origin: its file and record.
pub type Origin<'a> = (&'a FileReport, &'a Record);

/// Where each value came from, to name cells in findings, and the integer
/// keys of the long table turned back into codes.
pub struct Cells<'a> {
    /// The accepted return of each unit (by position): origins are looked
    /// up in it only for the few values a finding names, so no index of
    /// every value is kept.
    files: HashMap<u32, &'a FileReport>,
    round: &'a Round,
    /// When checking the committee's own totals: the one "unit".
    committee: Option<OrgUnit>,
}

impl<'a> Cells<'a> {
    pub fn new(round: &'a Round, ingest: &'a Ingest) -> Cells<'a> {
        let files = ingest
            .accepted()
            .filter_map(|f| Some((round.unit_position(f.unit.as_deref()?)? as u32, f)))
            .collect();
        Cells {
            files,
            round,
            committee: None,
        }
    }

    /// The origin of the value of unit `unit` (position), indicator `ind`,
    /// column `col` (positions).
    pub fn get(&self, unit: u32, ind: usize, col: u32) -> Option<Origin<'a>> {
        let f = *self.files.get(&unit)?;
        f.records
            .iter()
            .find(|r| {
                r.ind as usize == ind && u32::from(r.col) == col && !r.computed() && r.list_row == 0
            })
            .map(|r| (f, r))
    }

    pub fn get_by_code(&self, unit: u32, code: &str, col: u32) -> Option<Origin<'a>> {
        self.get(unit, self.round.catalog.indicator_index(code)?, col)
    }

    pub fn unit_code(&self, unit: u32) -> &str {
        match &self.committee {
            Some(c) => &c.code,
            None => &self.round.units[unit as usize].code,
        }
    }

    pub fn unit_name(&self, unit: u32) -> &str {
        match &self.committee {
            Some(c) => &c.name,
            None => &self.round.units[unit as usize].name,
        }
    }

    pub fn indicator(&self, ind: u32) -> &'a Indicator {
        &self.round.catalog.indicators[ind as usize]
    }

    /// Label of column `col` (position) of the group of `ind`, e.g. "Năm 2016".
    pub fn column_label(&self, ind: &Indicator, col: u32) -> &'a str {
        let c = &self.round.catalog;
        c.group(&ind.group)
            .and_then(|g| c.columns_of(g).get(col as usize))
            .map_or("", |column| column.label.as_str())
    }
}

/// A finding about values of `unit` in `column`, anchored at the first
/// record given (the one the message is about) and listing all cells.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finding_at(
    cells: &Cells,
    severity: crate::catalog::Severity,
    unit: u32,
    anchor: &Indicator,
    records: &[Option<Origin>],
    rule: &str,
    found: String,
    expected: String,
    message: String,
) -> Finding {
    let present: Vec<Origin> = records.iter().flatten().copied().collect();
    let (file, sheet) = present
        .first()
        .map_or(("", ""), |(f, r)| (f.file.as_str(), f.sheet_of(r)));
    Finding::value(severity, rule, anchor)
        .of_unit(cells.unit_code(unit), cells.unit_name(unit))
        .in_file(file, sheet)
        .at(present.iter().map(|(_, r)| r.cell))
        .values(found, expected)
        .saying(&message)
}

/// The values of the indicators named in a small `roles` table (columns
/// `rule`, `ind`, `role`, …), grouped by (rule, unit, column): the shape every
/// rule between indicators is checked in.
pub(crate) fn values_by_rule(roles: DataFrame, table: &DataFrame) -> LazyGroupBy {
    // The roles table is small: join the values onto it.
    roles
        .lazy()
        .inner_join(
            table
                .clone()
                .lazy()
                .select([col("unit"), col("ind"), col("col"), col("value")]),
            col("ind"),
            col("ind"),
        )
        .group_by([col("rule"), col("unit"), col("col")])
}

/// Read an unsigned integer column of a collected frame.
pub(crate) fn ids(df: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    Ok(df
        .column(name)?
        .cast(&DataType::UInt32)?
        .u32()?
        .iter()
        .map(|v| v.unwrap_or(0))
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

/// A finding of the checks run on the committee's own totals, with the
/// figure it is about (chỉ tiêu position, column position).
#[derive(Debug, Clone)]
pub struct CommitteeFinding {
    pub ind: usize,
    pub col: usize,
    /// The other chỉ tiêu (positions) the finding is about: a declared
    /// rule's parts or right side, so the breakdown rows are marked too.
    pub also: Vec<usize>,
    pub finding: Finding,
}

/// The checks a return passes (declared rules, percentages, bounds) run on
/// the committee's own totals, the figures `gui-cap-tren.xlsx` sends up:
/// a level above must never find a lỗi in figures the level below
/// produced (issue "No silent misreading"). A computed percentage is
/// checked as if typed, since the level above recomputes it from the
/// summed tử số and mẫu số, which differ from the pairs it was
/// consolidated from when a unit gave only one side. Findings name the
/// committee as their unit and no file.
///
/// # Errors
/// Polars errors (a bug, not bad data).
pub fn committee(round: &Round, cons: &Consolidated) -> PolarsResult<Vec<CommitteeFinding>> {
    let catalog = &round.catalog;
    let cells = Cells {
        files: HashMap::new(),
        round,
        committee: Some(round.committee_unit()),
    };
    let widest = (0..catalog.indicators.len())
        .map(|i| catalog.columns_of_indicator(i).len())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    // Column by column, so that each finding is known to be about its column.
    for k in 0..widest {
        let (mut ind, mut value) = (Vec::new(), Vec::new());
        for (i, indicator) in catalog.indicators.iter().enumerate() {
            let Some(column) = catalog.columns_of_indicator(i).get(k) else {
                continue;
            };
            if !indicator.kind.is_numeric()
                || (column.is_computed()
                    && indicator.kind != crate::catalog::IndicatorKind::Percent)
            {
                continue;
            }
            if let Some(v) = cons.total_value(&indicator.code, &column.key) {
                ind.push(i as u32);
                value.push(v);
            }
        }
        let n = ind.len();
        let table = DataFrame::new_infer_height(vec![
            Column::new("unit".into(), vec![0u32; n]),
            Column::new("ind".into(), ind),
            Column::new("col".into(), vec![k as u32; n]),
            Column::new("value".into(), value),
            Column::new("applicable".into(), vec![true; n]),
        ])?;
        let mut found = declared::check(catalog, &table, &cells)?;
        found.extend(ratio::check(catalog, &table, &cells)?);
        found.extend(bounds::check(catalog, &table, &cells)?);
        found.extend(required_totals(round, cons, k));
        let committee = round.committee_unit();
        for mut f in found {
            let Some(i) = catalog.indicator_index(&f.code) else {
                continue;
            };
            f.unit = committee.code.clone();
            f.unit_name = committee.name.clone();
            // Where the figure stands on the committee's return.
            let ind = &catalog.indicators[i];
            if let Some(g) = catalog.group(&ind.group) {
                let row = crate::form::indicator_rows(catalog, g)[&ind.code];
                let cell = crate::cell::CellRef::new(row, crate::form::FIRST_DATA_COL + k as u16);
                f.sheet = g.sheet.clone();
                f.cells = vec![cell];
            }
            let what = f.message.replacen("Mã số", "mã số", 1);
            let lacking = lacking_breakdown(round, cons, &f.rule, k);
            let what = if lacking.is_empty() {
                what
            } else {
                format!(
                    "{what} Đơn vị ghi tổng nhưng không ghi chi tiết: {}.",
                    lacking.join(", ")
                )
            };
            let why = if f.rule == crate::diagnostic::rules::RATIO {
                " Tỷ lệ chung được tính trên các đơn vị có đủ tử số và mẫu số, còn cấp trên tính lại từ tổng tử số và tổng mẫu số: hai cách khác nhau vì có đơn vị chỉ ghi một trong hai số; cần các đơn vị đó bổ sung."
            } else {
                ""
            };
            f.message = format!(
                "Số tổng hợp của {} (báo cáo gửi cấp trên), {what}{why}",
                round.settings.committee
            );
            let also = catalog
                .rules
                .iter()
                .find(|r| r.finding_name() == f.rule)
                .map(|r| {
                    r.codes()
                        .filter_map(|c| catalog.indicator_index(c))
                        .filter(|j| *j != i)
                        .collect()
                })
                .unwrap_or_default();
            out.push(CommitteeFinding {
                ind: i,
                col: k,
                also,
                finding: f,
            });
        }
    }
    Ok(out)
}

/// The units that gave the total of the declared `sum` rule `rule` (its
/// id) in column `k` but none of its parts: why the committee's breakdown
/// rows do not add up to its total.
fn lacking_breakdown(round: &Round, cons: &Consolidated, rule: &str, k: usize) -> Vec<String> {
    let catalog = &round.catalog;
    let Some((total, parts)) = catalog.rules.iter().find_map(|r| match r {
        crate::catalog::Rule::Sum { total, parts, .. } if r.finding_name() == rule => {
            Some((total.as_str(), parts))
        }
        _ => None,
    }) else {
        return Vec::new();
    };
    let Some(key) = catalog
        .indicator_index(total)
        .and_then(|i| catalog.columns_of_indicator(i).get(k))
        .map(|c| c.key.as_str())
    else {
        return Vec::new();
    };
    round
        .units
        .iter()
        .filter(|u| {
            cons.unit_value(&u.code, total, key).is_some()
                && parts
                    .iter()
                    .all(|p| cons.unit_value(&u.code, p, key).is_none())
        })
        .map(|u| u.name.clone())
        .collect()
}

/// Required figures of column `k` (position) that the committee's return
/// leaves blank because no unit gave them (the level above would find the
/// required cell empty).
fn required_totals(round: &Round, cons: &Consolidated, k: usize) -> Vec<Finding> {
    let catalog = &round.catalog;
    let mut out = Vec::new();
    for ind in catalog.indicators.iter().filter(|i| i.required) {
        let Some(g) = catalog.group(&ind.group) else {
            continue;
        };
        // A figure no unit of the round has to give is absent, not missing.
        if !round
            .units
            .iter()
            .any(|u| ind.applies_to_type(&u.unit_type))
        {
            continue;
        }
        if g.kind == crate::catalog::GroupKind::Narrative {
            let answered = cons.texts.keys().any(|(code, _)| code == &ind.code);
            if k == 0 && !answered {
                out.push(
                    Finding::value(Severity::Loi, rules::REQUIRED, ind)
                        .values("(trống)".into(), "nội dung".into())
                        .saying(&format!(
                            "mục thuyết minh bắt buộc \"{}\" (mục {} đề cương) để trống vì chưa đơn vị nào trả lời.",
                            ind.label, ind.outline_ref
                        )),
                );
            }
            continue;
        }
        if g.kind != crate::catalog::GroupKind::Table
            || !(ind.kind.is_numeric() || ind.kind == crate::catalog::IndicatorKind::YesNo)
            || ind.is_formula()
        {
            continue;
        }
        let Some(column) = catalog.columns_of(g).get(k) else {
            continue;
        };
        if column.is_computed() || cons.total_value(&ind.code, &column.key).is_some() {
            continue;
        }
        out.push(
            Finding::value(Severity::Loi, rules::REQUIRED, ind)
                .values("(trống)".into(), "một số".into())
                .saying(&format!(
                    "chỉ tiêu bắt buộc \"{}\" để trống (cột {}) vì chưa đơn vị nào ghi số liệu.",
                    ind.label, column.label
                )),
        );
    }
    out
}

/// Run every check; findings unsorted.
///
/// # Errors
/// Polars errors (a bug, not bad data).
pub fn run_all(
    round: &Round,
    ingest: &Ingest,
    timing: &dyn crate::timing::Laps,
) -> PolarsResult<Vec<Finding>> {
    let peak = |what: &str| timing.lap(&format!("kiểm tra: {what}"));
    let cells = Cells::new(round, ingest);
    let accepted: Vec<&FileReport> = ingest.accepted().collect();
    let mut out = Vec::new();
    // Every check is within one unit's return, so the returns are checked
    // a part at a time: the long table and the joins stay the size of one
    // part however large the round (52,000 returns at once took 2.7 GiB
    // more for the declared rules alone).
    for part in accepted.chunks(CHECK_PART) {
        let table = long_table(round, part)?;
        peak("bảng dài");
        out.extend(declared::check(&round.catalog, &table, &cells)?);
        peak("quy tắc khai báo");
        out.extend(ratio::check(&round.catalog, &table, &cells)?);
        peak("tỷ lệ");
        out.extend(bounds::check(&round.catalog, &table, &cells)?);
        out.extend(bounds::check_plausible(&round.catalog, &table, &cells)?);
        peak("giới hạn");
        out.extend(presence::check(round, part, &table, &cells)?);
        peak("bắt buộc, không áp dụng");
    }
    Ok(out)
}

/// Returns checked together (see [`run_all`]): a round of up to this many
/// is checked in one part.
const CHECK_PART: usize = 4_000;
