//! Percentages: a typed tỷ lệ must equal 100 × tử số / mẫu số within the
//! catalogue's tolerance, and a tử số never exceeds its mẫu số. A tử số
//! without its mẫu số, a typed tỷ lệ without its tử số or mẫu số (it could
//! not enter the committee's Σ tử số / Σ mẫu số) and a tỷ lệ over a mẫu
//! số of 0 (0/0 has no value) are lỗi: a figure a unit gave never drops
//! out of the totals silently (DESIGN.md "Percentages").

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
    let both = col("num").is_not_null().and(col("den").is_not_null());
    let failing = values_by_rule(roles, table)
        .agg([pick(0, "pct"), pick(1, "num"), pick(2, "den")])
        .filter(
            both.clone()
                .and(
                    col("num").gt(col("den")).or(col("pct")
                        .is_not_null()
                        .and(col("den").gt(lit(0.0)))
                        .and(off.clone().gt(lit(tol)).or(off.lt(lit(-tol))))),
                )
                .or(col("num").is_not_null().and(col("den").is_null()))
                .or(col("pct")
                    .is_not_null()
                    .and(both.not().or(col("den").lt_eq(lit(0.0))))),
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
        let (p, n, d) = (pcts[i], nums[i], dens[i]);
        match derived[idx[i].expect("rule index") as usize].clone() {
            DerivedRule::NumeratorAtMost {
                numerator,
                denominator,
            } => {
                let ind = catalog.indicator(&numerator).expect("validated");
                let den = catalog.indicator(&denominator).expect("validated");
                let recs = [
                    cells.get_by_code(unit, &numerator, col_id),
                    cells.get_by_code(unit, &denominator, col_id),
                ];
                let column = cells.column_label(ind, col_id);
                let (found, expected, message) = match (n, d) {
                    (Some(n), None) => (
                        number_vi(n),
                        format!("mẫu số {denominator}"),
                        format!(
                            "có {} {} nhưng thiếu {} (mã số {denominator}, cột {column}): không có mẫu số thì không tính được tỷ lệ, số này không được đưa vào tỷ lệ chung; hãy ghi mã số {denominator}.",
                            ind.label.to_lowercase(),
                            number_vi(n),
                            den.label.to_lowercase(),
                        ),
                    ),
                    (Some(n), Some(d)) if n > d => (
                        number_vi(n),
                        format!("≤ {}", number_vi(d)),
                        format!(
                            "{} {} lớn hơn {} {} (mã số {denominator}, cột {column}).",
                            ind.label,
                            number_vi(n),
                            den.label.to_lowercase(),
                            number_vi(d),
                        ),
                    ),
                    _ => continue,
                };
                out.push(finding_at(
                    cells,
                    Severity::Loi,
                    unit,
                    ind,
                    &recs,
                    rules::NUMERATOR,
                    found,
                    expected,
                    message,
                ));
            }
            DerivedRule::Ratio {
                percent,
                numerator,
                denominator,
            } => {
                let Some(p) = p else { continue };
                let ind = catalog.indicator(&percent).expect("validated");
                let recs = [
                    cells.get_by_code(unit, &percent, col_id),
                    cells.get_by_code(unit, &numerator, col_id),
                    cells.get_by_code(unit, &denominator, col_id),
                ];
                let column = cells.column_label(ind, col_id);
                let (expected, message) = match (n, d) {
                    (Some(n), Some(d)) if d > 0.0 => {
                        let want = 100.0 * n / d;
                        if (p - want).abs() <= tol {
                            continue;
                        }
                        (
                            format!("{}%", number_vi(want)),
                            format!(
                                "tỷ lệ {}% không khớp 100 × {numerator} / {denominator} = 100 × {} / {} = {}% (cột {column}; sai số cho phép ±{}).",
                                number_vi(p),
                                number_vi(n),
                                number_vi(d),
                                number_vi(want),
                                number_vi(tol)
                            ),
                        )
                    }
                    (_, Some(d)) if d <= 0.0 => (
                        "(trống)".to_string(),
                        format!(
                            "tỷ lệ {}% nhưng mẫu số {denominator} bằng 0 (cột {column}): không có đối tượng thì không có tỷ lệ; hãy để trống ô tỷ lệ hoặc sửa mẫu số.",
                            number_vi(p)
                        ),
                    ),
                    _ => {
                        let missing: Vec<&str> = [(n, &numerator), (d, &denominator)]
                            .into_iter()
                            .filter(|(v, _)| v.is_none())
                            .map(|(_, c)| c.as_str())
                            .collect();
                        (
                            format!("mã số {}", missing.join(", ")),
                            format!(
                                "có tỷ lệ {}% nhưng thiếu {} (cột {column}): tỷ lệ chỉ được tổng hợp từ tử số và mẫu số, nên số này chưa được tổng hợp; hãy ghi mã số {}.",
                                number_vi(p),
                                missing
                                    .iter()
                                    .map(|c| if *c == numerator { format!("tử số {c}") } else { format!("mẫu số {c}") })
                                    .collect::<Vec<_>>()
                                    .join(" và "),
                                missing.join(" và ")
                            ),
                        )
                    }
                };
                out.push(finding_at(
                    cells,
                    Severity::Loi,
                    unit,
                    ind,
                    &recs,
                    rules::RATIO,
                    format!("{}%", number_vi(p)),
                    expected,
                    message,
                ));
            }
            DerivedRule::Bounds { .. } => {}
        }
    }
    Ok(out)
}
