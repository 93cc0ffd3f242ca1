//! Bounds: counts ≥ 0, percentages 0–100, and the declared min/max of each
//! chỉ tiêu.

use polars::prelude::*;

use super::{column_label, finding_at, floats, strs, Cells};
use crate::catalog::{Catalog, DerivedRule, IndicatorKind, Severity};
use crate::diagnostic::{rules, Finding};
use crate::text::number_vi;

pub fn check(catalog: &Catalog, table: &DataFrame, cells: &Cells) -> PolarsResult<Vec<Finding>> {
    let (mut code, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for r in catalog.derived_rules() {
        if let DerivedRule::Bounds { code: c, min, max } = r {
            code.push(c);
            lo.push(min.unwrap_or(f64::NEG_INFINITY));
            hi.push(max.unwrap_or(f64::INFINITY));
        }
    }
    let bounds = DataFrame::new_infer_height(vec![
        Column::new("code".into(), code),
        Column::new("min".into(), lo),
        Column::new("max".into(), hi),
    ])?;
    let failing = table
        .clone()
        .lazy()
        .inner_join(bounds.lazy(), col("code"), col("code"))
        .filter(col("value").lt(col("min")).or(col("value").gt(col("max"))))
        .sort(["unit", "code", "column"], Default::default())
        .collect()?;
    let units = strs(&failing, "unit")?;
    let codes = strs(&failing, "code")?;
    let columns = strs(&failing, "column")?;
    let values = floats(&failing, "value")?;
    let mins = floats(&failing, "min")?;
    let maxs = floats(&failing, "max")?;
    let mut out = Vec::new();
    for i in 0..failing.height() {
        let ind = catalog.indicator(&codes[i]).expect("catalogue code");
        let v = values[i].unwrap_or(0.0);
        let (min, max) = (
            mins[i].unwrap_or(f64::NEG_INFINITY),
            maxs[i].unwrap_or(f64::INFINITY),
        );
        let col_label = column_label(catalog, ind, &columns[i]);
        let (message, expected) = if ind.kind == IndicatorKind::Percent && v > max {
            (
                format!(
                    "tỷ lệ {}% vượt quá {}% (cột {col_label}).",
                    number_vi(v),
                    number_vi(max)
                ),
                format!("≤ {}%", number_vi(max)),
            )
        } else if v < 0.0 && min >= 0.0 {
            (
                format!(
                    "số âm {} không hợp lệ, {} không thể nhỏ hơn 0 (cột {col_label}).",
                    number_vi(v),
                    ind.label.to_lowercase()
                ),
                "≥ 0".to_string(),
            )
        } else if v < min {
            (
                format!(
                    "giá trị {} nhỏ hơn giới hạn dưới {} (cột {col_label}).",
                    number_vi(v),
                    number_vi(min)
                ),
                format!("≥ {}", number_vi(min)),
            )
        } else {
            (
                format!(
                    "giá trị {} lớn hơn giới hạn trên {} (cột {col_label}).",
                    number_vi(v),
                    number_vi(max)
                ),
                format!("≤ {}", number_vi(max)),
            )
        };
        let rec = cells.get(&units[i], &codes[i], &columns[i]);
        out.push(finding_at(
            cells,
            Severity::Loi,
            &units[i],
            ind,
            &[rec],
            rules::BOUNDS,
            number_vi(v),
            expected,
            message,
        ));
    }
    Ok(out)
}
