//! Presence: required values left blank, and values written in cells that
//! do not apply to the unit's loại (blank, zero and "không áp dụng" are
//! three different things).

use std::collections::HashMap;

use polars::prelude::*;

use super::{finding_at, ids, Cells, Origin};
use crate::catalog::{GroupKind, IndicatorKind, Severity};
use crate::diagnostic::{rules, Finding};
use crate::ingest::value::Value;
use crate::ingest::FileReport;
use crate::round::Round;

pub fn check(
    round: &Round,
    accepted: &[&FileReport],
    table: &DataFrame,
    cells: &Cells,
) -> PolarsResult<Vec<Finding>> {
    let catalog = &round.catalog;
    let mut out = Vec::new();
    let files: HashMap<u32, &FileReport> = accepted
        .iter()
        .filter_map(|&f| Some((round.unit_position(f.unit.as_deref()?)? as u32, f)))
        .collect();
    // Required cells of accepted units.
    let (mut unit, mut ind_ids, mut col_ids) = (Vec::new(), Vec::new(), Vec::new());
    for &u in files.keys() {
        let unit_type = &round.units[u as usize].unit_type;
        for (i, ind) in catalog.indicators.iter().enumerate() {
            if !ind.required || !ind.applies_to_type(unit_type) {
                continue;
            }
            let g = catalog.group(&ind.group).expect("validated");
            if g.kind != GroupKind::Table
                || !ind.kind.is_numeric() && ind.kind != IndicatorKind::YesNo
                || ind.is_formula()
            {
                continue;
            }
            for (k, c) in catalog.columns_of(g).iter().enumerate() {
                if !c.is_computed() {
                    unit.push(u);
                    ind_ids.push(i as u32);
                    col_ids.push(k as u32);
                }
            }
        }
    }
    let required = DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("ind".into(), ind_ids),
        Column::new("col".into(), col_ids),
    ])?;
    let keys = [col("unit"), col("ind"), col("col")];
    // Only the values of required indicators take part in the join.
    let required_inds = required
        .clone()
        .lazy()
        .select([col("ind")])
        .unique(None, UniqueKeepStrategy::Any);
    let present = table
        .clone()
        .lazy()
        .select([col("unit"), col("ind"), col("col"), col("value")])
        .inner_join(required_inds, col("ind"), col("ind"));
    let missing = required
        .lazy()
        .join(present, keys.clone(), keys, JoinArgs::new(JoinType::Left))
        .filter(col("value").is_null())
        .sort(["unit", "ind", "col"], Default::default())
        .collect()?;
    let (units, inds, cols) = (
        ids(&missing, "unit")?,
        ids(&missing, "ind")?,
        ids(&missing, "col")?,
    );
    for i in 0..missing.height() {
        let ind = cells.indicator(inds[i]);
        let file = files[&units[i]];
        // The blank cell is kept in the file's records (required cells only).
        let rec: Option<Origin> = file
            .records
            .iter()
            .find(|r| u32::from(r.ind) == inds[i] && u32::from(r.col) == cols[i] && !r.computed())
            .map(|r| (file, r));
        let message = format!(
            "chỉ tiêu bắt buộc \"{}\" để trống (cột {}); ghi 0 nếu thực tế không có.",
            ind.label,
            cells.column_label(ind, cols[i])
        );
        let mut f = finding_at(
            cells,
            Severity::Loi,
            units[i],
            ind,
            &[rec],
            rules::REQUIRED,
            "(trống)".into(),
            "một số".into(),
            message,
        );
        if f.file.is_empty() {
            f.file = file.file.clone();
            f.sheet = catalog
                .group(&ind.group)
                .map(|g| g.sheet.clone())
                .unwrap_or_default();
        }
        out.push(f);
    }
    // Required narrative answers (thuyết minh) left empty.
    let mut by_unit: Vec<(&u32, &&FileReport)> = files.iter().collect();
    by_unit.sort_by_key(|(u, _)| **u);
    for (&u, &f) in by_unit {
        let unit_type = &round.units[u as usize].unit_type;
        for (i, ind) in catalog.indicators.iter().enumerate() {
            if !(ind.required && ind.kind == IndicatorKind::Text && ind.applies_to_type(unit_type))
            {
                continue;
            }
            let mine = |r: &&crate::ingest::Record| r.ind as usize == i;
            let answered = f
                .records
                .iter()
                .filter(mine)
                .any(|r| matches!(&r.value, Value::Text(t) if !t.trim().is_empty()));
            if answered {
                continue;
            }
            let rec = f.records.iter().find(mine).map(|r| (f, r));
            let message = format!(
                "mục thuyết minh bắt buộc \"{}\" (mục {} đề cương) để trống.",
                ind.label, ind.outline_ref
            );
            let mut finding = finding_at(
                cells,
                Severity::Loi,
                u,
                ind,
                &[rec],
                rules::REQUIRED,
                "(trống)".into(),
                "nội dung".into(),
                message,
            );
            if finding.file.is_empty() {
                finding.file = f.file.clone();
                finding.sheet = catalog
                    .group(&ind.group)
                    .map(|g| g.sheet.clone())
                    .unwrap_or_default();
            }
            out.push(finding);
        }
    }
    // Values on cells that do not apply.
    let stray = table
        .clone()
        .lazy()
        .filter(col("applicable").not())
        .sort(["unit", "ind", "col"], Default::default())
        .collect()?;
    let (units, inds, cols) = (
        ids(&stray, "unit")?,
        ids(&stray, "ind")?,
        ids(&stray, "col")?,
    );
    for i in 0..stray.height() {
        let ind = cells.indicator(inds[i]);
        let rec = cells.get(units[i], inds[i] as usize, cols[i]);
        let found = rec.map_or(String::new(), |(_, r)| match &r.value {
            Value::Number(n) => crate::text::number_vi(*n),
            Value::YesNo(b) => {
                if *b {
                    "Có".into()
                } else {
                    "Không".into()
                }
            }
            _ => String::new(),
        });
        let message = format!(
            "có số liệu {found} ở ô không áp dụng cho loại đơn vị này (cột {}); số liệu không được tổng hợp, hãy xóa.",
            cells.column_label(ind, cols[i])
        );
        out.push(finding_at(
            cells,
            Severity::CanhBao,
            units[i],
            ind,
            &[rec],
            rules::NOT_APPLICABLE,
            found,
            "x (không áp dụng)".into(),
            message,
        ));
    }
    Ok(out)
}
