//! Presence: required values left blank, and values written in cells that
//! do not apply to the unit's loại (blank, zero and "không áp dụng" are
//! three different things).

use polars::prelude::*;

use super::{column_label, finding_at, strs, Cells};
use crate::catalog::{GroupKind, IndicatorKind, Severity};
use crate::diagnostic::{rules, Finding};
use crate::ingest::value::Value;
use crate::ingest::Ingest;
use crate::round::Round;

pub fn check(
    round: &Round,
    ingest: &Ingest,
    table: &DataFrame,
    cells: &Cells,
) -> PolarsResult<Vec<Finding>> {
    let catalog = &round.catalog;
    let mut out = Vec::new();
    // Required cells of accepted units.
    let (mut unit, mut code, mut column) = (Vec::new(), Vec::new(), Vec::new());
    for f in ingest.accepted() {
        let Some(u) = f.unit.as_deref().and_then(|c| round.unit(c)) else {
            continue;
        };
        for ind in catalog
            .indicators
            .iter()
            .filter(|i| i.required && i.applies_to_type(&u.unit_type))
        {
            let g = catalog.group(&ind.group).expect("validated");
            if g.kind != GroupKind::Table
                || !ind.kind.is_numeric() && ind.kind != IndicatorKind::YesNo
                || ind.is_formula()
            {
                continue;
            }
            for c in catalog.columns_of(g).iter().filter(|c| !c.is_computed()) {
                unit.push(u.code.clone());
                code.push(ind.code.clone());
                column.push(c.key.clone());
            }
        }
    }
    let required = DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("code".into(), code),
        Column::new("column".into(), column),
    ])?;
    let keys = [col("unit"), col("code"), col("column")];
    let missing = required
        .lazy()
        .join(
            table
                .clone()
                .lazy()
                .select([col("unit"), col("code"), col("column"), col("value")]),
            keys.clone(),
            keys,
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("value").is_null())
        .sort(["unit", "code", "column"], Default::default())
        .collect()?;
    let (units, codes, columns) = (
        strs(&missing, "unit")?,
        strs(&missing, "code")?,
        strs(&missing, "column")?,
    );
    for i in 0..missing.height() {
        let ind = catalog.indicator(&codes[i]).expect("catalogue code");
        // The blank cell itself is not in the long table: name it from the
        // file's other cells of that row when possible.
        let rec = ingest
            .accepted()
            .filter(|f| f.unit.as_deref() == Some(units[i].as_str()))
            .flat_map(|f| f.records.iter())
            .find(|r| r.code == codes[i] && r.column == columns[i]);
        let message = format!(
            "chỉ tiêu bắt buộc \"{}\" để trống (cột {}); ghi 0 nếu thực tế không có.",
            ind.label,
            column_label(catalog, ind, &columns[i])
        );
        let mut f = finding_at(
            cells,
            Severity::Loi,
            &units[i],
            ind,
            &[rec],
            rules::REQUIRED,
            "(trống)".into(),
            "một số".into(),
            message,
        );
        if f.file.is_empty() {
            if let Some(file) = ingest
                .accepted()
                .find(|f| f.unit.as_deref() == Some(units[i].as_str()))
            {
                f.file = file.file.clone();
                f.sheet = catalog
                    .group(&ind.group)
                    .map(|g| g.sheet.clone())
                    .unwrap_or_default();
            }
        }
        out.push(f);
    }
    // Required narrative answers (thuyết minh) left empty.
    for f in ingest.accepted() {
        let Some(u) = f.unit.as_deref().and_then(|c| round.unit(c)) else {
            continue;
        };
        for ind in catalog.indicators.iter().filter(|i| {
            i.required && i.kind == IndicatorKind::Text && i.applies_to_type(&u.unit_type)
        }) {
            let answered = f.records.iter().any(|r| {
                r.code == ind.code && matches!(&r.value, Value::Text(t) if !t.trim().is_empty())
            });
            if answered {
                continue;
            }
            let rec = f.records.iter().find(|r| r.code == ind.code);
            let message = format!(
                "mục thuyết minh bắt buộc \"{}\" (mục {} đề cương) để trống.",
                ind.label, ind.outline_ref
            );
            let mut finding = finding_at(
                cells,
                Severity::Loi,
                &u.code,
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
        .sort(["unit", "code", "column"], Default::default())
        .collect()?;
    let (units, codes, columns) = (
        strs(&stray, "unit")?,
        strs(&stray, "code")?,
        strs(&stray, "column")?,
    );
    for i in 0..stray.height() {
        let ind = catalog.indicator(&codes[i]).expect("catalogue code");
        let rec = cells.get(&units[i], &codes[i], &columns[i]);
        let found = rec.map_or(String::new(), |r| match &r.value {
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
            column_label(catalog, ind, &columns[i])
        );
        out.push(finding_at(
            cells,
            Severity::CanhBao,
            &units[i],
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
