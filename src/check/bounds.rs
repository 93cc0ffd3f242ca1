//! Bounds: counts ≥ 0, percentages 0–100, the declared min/max of each
//! chỉ tiêu, and the catalogue's plausible bounds (`[plausible]`: a count
//! no unit can have, a figure beyond the people the unit has).

use polars::prelude::*;

use super::{finding_at, floats, ids, Cells};
use crate::catalog::{Catalog, DerivedRule, IndicatorKind, PlausibleBound, Severity};
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

/// The catalogue's plausible bounds ([`Catalog::plausible_bounds`]): the
/// value of a chỉ tiêu beyond its `count_max` / `measure_max`, or beyond the
/// sum of the unit's values named by its `plausible_max_of`.
pub fn check_plausible(
    catalog: &Catalog,
    table: &DataFrame,
    cells: &Cells,
) -> PolarsResult<Vec<Finding>> {
    let bounds = catalog.plausible_bounds();
    let mut out = Vec::new();
    let (mut code, mut hi, mut sev) = (Vec::new(), Vec::new(), Vec::new());
    for b in &bounds {
        if let PlausibleBound::Max {
            code: c,
            max,
            severity,
            ..
        } = b
        {
            code.push(catalog.indicator_index(c).expect("validated") as u32);
            hi.push(*max);
            sev.push(*severity == Severity::Loi);
        }
    }
    let maxima = DataFrame::new_infer_height(vec![
        Column::new("ind".into(), code),
        Column::new("max".into(), hi),
    ])?;
    let failing = table
        .clone()
        .lazy()
        .inner_join(maxima.lazy(), col("ind"), col("ind"))
        .filter(col("value").gt(col("max")))
        .sort(["unit", "ind", "col"], Default::default())
        .collect()?;
    let (units, inds, columns) = (
        ids(&failing, "unit")?,
        ids(&failing, "ind")?,
        ids(&failing, "col")?,
    );
    let (values, maxs) = (floats(&failing, "value")?, floats(&failing, "max")?);
    for i in 0..failing.height() {
        let ind = cells.indicator(inds[i]);
        let (v, max) = (values[i].unwrap_or(0.0), maxs[i].unwrap_or(0.0));
        let Some(PlausibleBound::Max {
            measure, severity, ..
        }) = bounds
            .iter()
            .find(|b| matches!(b, PlausibleBound::Max { code, .. } if *code == ind.code))
        else {
            continue;
        };
        let whose = if measure.is_empty() {
            "cho mọi chỉ tiêu đếm".to_string()
        } else {
            format!("cho đơn vị tính \"{measure}\"")
        };
        let col_label = cells.column_label(ind, columns[i]);
        let rec = cells.get(units[i], inds[i] as usize, columns[i]);
        out.push(finding_at(
            cells,
            *severity,
            units[i],
            ind,
            &[rec],
            rules::PLAUSIBLE,
            number_vi(v),
            format!("≤ {}", number_vi(max)),
            format!(
                "giá trị {} vượt giới hạn hợp lý {} của danh mục {whose} (cột {col_label}); kiểm tra lại số liệu (thừa chữ số 0?).",
                number_vi(v),
                number_vi(max)
            ),
        ));
    }
    for b in &bounds {
        let PlausibleBound::SumOf { code, of, severity } = b else {
            continue;
        };
        let ind_id = catalog.indicator_index(code).expect("validated") as u32;
        let of_ids: Vec<u32> = of
            .iter()
            .map(|c| catalog.indicator_index(c).expect("validated") as u32)
            .collect();
        let n_of = of_ids.len() as u32;
        // The unit's cap: Σ of the named values, only when all are given.
        let named = DataFrame::new_infer_height(vec![Column::new("ind".into(), of_ids)])?;
        let caps = named
            .lazy()
            .inner_join(table.clone().lazy(), col("ind"), col("ind"))
            .group_by([col("unit")])
            .agg([
                col("value").sum().alias("cap"),
                col("ind").n_unique().alias("given"),
            ])
            .filter(col("given").eq(lit(n_of)));
        let failing = table
            .clone()
            .lazy()
            .filter(col("ind").eq(lit(ind_id)))
            .inner_join(caps, col("unit"), col("unit"))
            .filter(col("value").gt(col("cap")))
            .sort(["unit", "col"], Default::default())
            .collect()?;
        let (units, columns) = (ids(&failing, "unit")?, ids(&failing, "col")?);
        let (values, caps) = (floats(&failing, "value")?, floats(&failing, "cap")?);
        let ind = cells.indicator(ind_id);
        for i in 0..failing.height() {
            let (v, cap) = (values[i].unwrap_or(0.0), caps[i].unwrap_or(0.0));
            let col_label = cells.column_label(ind, columns[i]);
            let mut recs = vec![cells.get(units[i], ind_id as usize, columns[i])];
            recs.extend(of.iter().map(|c| cells.get_by_code(units[i], c, 0)));
            out.push(finding_at(
                cells,
                *severity,
                units[i],
                ind,
                &recs,
                rules::PLAUSIBLE,
                number_vi(v),
                format!("≤ {}", number_vi(cap)),
                format!(
                    "giá trị {} lớn hơn {} = {} của đơn vị (cột {col_label}), vượt giới hạn hợp lý; kiểm tra lại số liệu.",
                    number_vi(v),
                    of.join(" + "),
                    number_vi(cap)
                ),
            ));
        }
    }
    Ok(out)
}
