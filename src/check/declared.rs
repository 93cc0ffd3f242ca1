//! Declared rules of the catalogue: parts add up to a total (`sum`), parts
//! at most a total (`sum_at_most`), a ≤ b (`at_most`), in every column. A
//! total given with none of its parts (`sum`) is a cảnh báo naming the
//! parts: the committee's breakdown rows then cannot add up to its total.

use polars::prelude::*;

use super::{finding_at, floats, ids, values_by_rule, Cells};
use crate::catalog::{Catalog, Rule};
use crate::diagnostic::Finding;
use crate::text::number_vi;

/// Tolerance of equality between sums (rounding of typed decimals).
const EPS: f64 = 1e-6;

pub fn check(catalog: &Catalog, table: &DataFrame, cells: &Cells) -> PolarsResult<Vec<Finding>> {
    // Roles: the total / right side is 0, parts / left side 1.
    let (mut rule, mut code, mut role) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in catalog.rules.iter().enumerate() {
        let (total, parts) = r.sides();
        let index = |c: &str| catalog.indicator_index(c).expect("validated") as u32;
        rule.push(i as u32);
        code.push(index(total));
        role.push(0u32);
        for p in parts {
            rule.push(i as u32);
            code.push(index(p));
            role.push(1u32);
        }
    }
    let exact: Vec<bool> = rule
        .iter()
        .map(|i| matches!(catalog.rules[*i as usize], Rule::Sum { .. }))
        .collect();
    let roles = DataFrame::new_infer_height(vec![
        Column::new("rule".into(), rule),
        Column::new("ind".into(), code),
        Column::new("role".into(), role),
        Column::new("exact".into(), exact),
    ])?;
    let is_total = col("role").eq(lit(0u32));
    let is_part = col("role").eq(lit(1u32));
    let diff = col("parts") - col("total");
    let failing = values_by_rule(roles, table)
        .agg([
            col("value").filter(is_total).max().alias("total"),
            col("value").filter(is_part.clone()).sum().alias("parts"),
            col("value").filter(is_part).count().alias("n_parts"),
            col("exact").first().alias("exact"),
        ])
        .filter(
            col("total").is_not_null().and(
                col("n_parts")
                    .gt(lit(0))
                    .and(
                        diff.clone()
                            .gt(lit(EPS))
                            .or(col("exact").and(diff.lt(lit(-EPS)))),
                    )
                    .or(col("exact").and(col("n_parts").eq(lit(0)))),
            ),
        )
        .sort(["rule", "unit", "col"], Default::default())
        .collect()?;
    let rules = floats(&failing, "rule")?;
    let units = ids(&failing, "unit")?;
    let columns = ids(&failing, "col")?;
    let totals = floats(&failing, "total")?;
    let parts = floats(&failing, "parts")?;
    let counts = ids(&failing, "n_parts")?;
    let mut out = Vec::new();
    for i in 0..failing.height() {
        let r = &catalog.rules[rules[i].expect("rule index") as usize];
        let (unit, col_id) = (units[i], columns[i]);
        let (total, sum) = (totals[i].unwrap_or(0.0), parts[i].unwrap_or(0.0));
        // The figure the finding is about: the total of a sum, the left
        // side of `at_most`; then the others.
        let (anchor_code, part_codes): (&str, Vec<&str>) = match r {
            Rule::Sum { total, parts, .. } | Rule::SumAtMost { total, parts, .. } => {
                (total, parts.iter().map(String::as_str).collect())
            }
            Rule::AtMost { left, right, .. } => (left, vec![right.as_str()]),
        };
        let anchor = catalog.indicator(anchor_code).expect("validated");
        let mut recs = vec![cells.get_by_code(unit, anchor_code, col_id)];
        recs.extend(
            part_codes
                .iter()
                .map(|c| cells.get_by_code(unit, c, col_id)),
        );
        let col_label = cells.column_label(anchor, col_id);
        let (_, parts_of) = r.sides();
        if counts[i] == 0 {
            // A total without its breakdown (only `sum` rules get here).
            out.push(finding_at(
                cells,
                crate::catalog::Severity::CanhBao,
                unit,
                anchor,
                &recs,
                &r.finding_name(),
                number_vi(total),
                format!("các dòng {}", parts_of.join(", ")),
                format!(
                    "có {} {} nhưng không ghi chi tiết ở các dòng {} (cột {col_label}): số chi tiết của cấp ủy sẽ không cộng đủ bằng tổng; hãy ghi các dòng đó ({}).",
                    anchor.label.to_lowercase(),
                    number_vi(total),
                    parts_of.join(", "),
                    r.label()
                ),
            ));
            continue;
        }
        let (found, expected, message) = match r {
            Rule::Sum { parts, label, .. } => (
                number_vi(total),
                number_vi(sum),
                format!(
                    "{} {} khác tổng các dòng {} = {} (cột {col_label}; {label}).",
                    anchor.label,
                    number_vi(total),
                    parts.join(" + "),
                    number_vi(sum),
                ),
            ),
            Rule::SumAtMost { parts, label, .. } => (
                number_vi(total),
                format!("≥ {}", number_vi(sum)),
                format!(
                    "{} {} nhỏ hơn tổng các dòng \"trong đó\" {} = {} (cột {col_label}; {label}).",
                    anchor.label,
                    number_vi(total),
                    parts.join(" + "),
                    number_vi(sum),
                ),
            ),
            Rule::AtMost { right, label, .. } => (
                number_vi(sum),
                format!("≤ {}", number_vi(total)),
                format!(
                    "{} {} lớn hơn {} = {} của mã số {right} (cột {col_label}; {label}).",
                    anchor.label,
                    number_vi(sum),
                    catalog
                        .indicator(right)
                        .map_or("", |i| i.label.as_str())
                        .to_lowercase(),
                    number_vi(total),
                ),
            ),
        };
        out.push(finding_at(
            cells,
            r.severity(),
            unit,
            anchor,
            &recs,
            &r.finding_name(),
            found,
            expected,
            message,
        ));
    }
    Ok(out)
}
