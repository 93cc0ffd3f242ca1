//! Percentages: a typed tỷ lệ must equal 100 × tử số / mẫu số within the
//! catalogue's tolerance, and a tử số never exceeds its mẫu số.

use polars::prelude::*;

use super::{finding_at, floats, ids, values_by_rule, Cells};
use crate::catalog::{Catalog, DerivedRule, Severity};
use crate::diagnostic::{rules, Finding};
use crate::text::number_vi;

pub fn check(catalog: &Catalog, table: &DataFrame, cells: &Cells) -> PolarsResult<Vec<Finding>> {
    let derived = catalog.derived_rules();
    let (mut rule, mut code, mut role) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in derived.iter().enumerate() {
        let parts: Vec<(&String, u32)> = match r {
            DerivedRule::Ratio {
                percent,
                numerator,
                denominator,
            } => {
                vec![(percent, 0u32), (numerator, 1u32), (denominator, 2u32)]
            }
            DerivedRule::NumeratorAtMost {
                numerator,
                denominator,
            } => vec![(numerator, 1u32), (denominator, 2u32)],
            DerivedRule::Bounds { .. } => continue,
        };
        for (c, ro) in parts {
            rule.push(i as u32);
            code.push(catalog.indicator_index(c).expect("validated") as u32);
            role.push(ro);
        }
    }
    let roles = DataFrame::new_infer_height(vec![
        Column::new("rule".into(), rule),
        Column::new("ind".into(), code),
        Column::new("role".into(), role),
    ])?;
    let pick = |code: u32, name: &str| {
        col("value")
            .filter(col("role").eq(lit(code)))
            .max()
            .alias(name)
    };
    let tol = catalog.percent_tolerance;
    let expected = lit(100.0) * col("num") / col("den");
    let off = col("pct") - expected;
    let failing = values_by_rule(roles, table)
        .agg([pick(0, "pct"), pick(1, "num"), pick(2, "den")])
        .filter(
            col("num").is_not_null().and(col("den").is_not_null()).and(
                col("num").gt(col("den")).or(col("pct")
                    .is_not_null()
                    .and(col("den").gt(lit(0.0)))
                    .and(off.clone().gt(lit(tol)).or(off.lt(lit(-tol))))),
            ),
        )
        .sort(["rule", "unit", "col"], Default::default())
        .collect()?;
    let idx = floats(&failing, "rule")?;
    let units = ids(&failing, "unit")?;
    let columns = ids(&failing, "col")?;
    let (pcts, nums, dens) = (
        floats(&failing, "pct")?,
        floats(&failing, "num")?,
        floats(&failing, "den")?,
    );
    let mut out = Vec::new();
    for i in 0..failing.height() {
        let (unit, col_id) = (units[i], columns[i]);
        let (n, d) = (nums[i].unwrap_or(0.0), dens[i].unwrap_or(0.0));
        match derived[idx[i].expect("rule index") as usize].clone() {
            DerivedRule::NumeratorAtMost {
                numerator,
                denominator,
            } => {
                if n <= d {
                    continue;
                }
                let ind = catalog.indicator(&numerator).expect("validated");
                let den = catalog.indicator(&denominator).expect("validated");
                let recs = [
                    cells.get_by_code(unit, &numerator, col_id),
                    cells.get_by_code(unit, &denominator, col_id),
                ];
                let message = format!(
                    "{} {} lớn hơn {} {} (mã số {denominator}, cột {}).",
                    ind.label,
                    number_vi(n),
                    den.label.to_lowercase(),
                    number_vi(d),
                    cells.column_label(ind, col_id)
                );
                out.push(finding_at(
                    cells,
                    Severity::Loi,
                    unit,
                    ind,
                    &recs,
                    rules::NUMERATOR,
                    number_vi(n),
                    format!("≤ {}", number_vi(d)),
                    message,
                ));
            }
            DerivedRule::Ratio {
                percent,
                numerator,
                denominator,
            } => {
                let Some(p) = pcts[i] else { continue };
                if d <= 0.0 {
                    continue;
                }
                let want = 100.0 * n / d;
                if (p - want).abs() <= tol {
                    continue;
                }
                let ind = catalog.indicator(&percent).expect("validated");
                let recs = [
                    cells.get_by_code(unit, &percent, col_id),
                    cells.get_by_code(unit, &numerator, col_id),
                    cells.get_by_code(unit, &denominator, col_id),
                ];
                let message = format!(
                    "tỷ lệ {}% không khớp 100 × {numerator} / {denominator} = 100 × {} / {} = {}% (cột {}; sai số cho phép ±{}).",
                    number_vi(p),
                    number_vi(n),
                    number_vi(d),
                    number_vi(want),
                    cells.column_label(ind, col_id),
                    number_vi(tol)
                );
                out.push(finding_at(
                    cells,
                    Severity::Loi,
                    unit,
                    ind,
                    &recs,
                    rules::RATIO,
                    format!("{}%", number_vi(p)),
                    format!("{}%", number_vi(want)),
                    message,
                ));
            }
            DerivedRule::Bounds { .. } => {}
        }
    }
    Ok(out)
}
