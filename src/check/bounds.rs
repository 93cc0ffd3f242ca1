//! Bounds: counts ≥ 0, percentages 0–100, and the declared min/max of each
//! chỉ tiêu.

use polars::prelude::*;

use super::{finding_at, floats, ids, Cells};
use crate::catalog::{Catalog, DerivedRule, IndicatorKind, Severity};
use crate::diagnostic::{rules, Finding};
use crate::text::number_vi;

pub fn check(catalog: &Catalog, table: &DataFrame, cells: &Cells) -> PolarsResult<Vec<Finding>> {
    let (mut code, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for r in catalog.derived_rules() {
        if let DerivedRule::Bounds { code: c, min, max } = r {
            code.push(catalog.indicator_index(&c).expect("validated") as u32);
            lo.push(min.unwrap_or(f64::NEG_INFINITY));
            hi.push(max.unwrap_or(f64::INFINITY));
        }
    }
    let bounds = DataFrame::new_infer_height(vec![
        Column::new("ind".into(), code),
        Column::new("min".into(), lo),
        Column::new("max".into(), hi),
    ])?;
    let failing = table
        .clone()
        .lazy()
        .inner_join(bounds.lazy(), col("ind"), col("ind"))
        .filter(col("value").lt(col("min")).or(col("value").gt(col("max"))))
        .sort(["unit", "ind", "col"], Default::default())
        .collect()?;
    let units = ids(&failing, "unit")?;
    let inds = ids(&failing, "ind")?;
    let columns = ids(&failing, "col")?;
    let values = floats(&failing, "value")?;
    let mins = floats(&failing, "min")?;
    let maxs = floats(&failing, "max")?;
    let mut out = Vec::new();
    for i in 0..failing.height() {
        let ind = cells.indicator(inds[i]);
        let v = values[i].unwrap_or(0.0);
        let (min, max) = (
            mins[i].unwrap_or(f64::NEG_INFINITY),
            maxs[i].unwrap_or(f64::INFINITY),
        );
        let col_label = cells.column_label(ind, columns[i]);
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
        let rec = cells.get(units[i], inds[i] as usize, columns[i]);
        out.push(finding_at(
            cells,
            Severity::Loi,
            units[i],
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
