//! Synthetic returns for tests and benchmarks: plausible values for every
//! applicable input cell of a unit's form that pass every rule of the
//! catalogue, and one error of a chosen kind injected into a fill. Used by
//! `tonghop generate` and by the tests; deterministic for a seed.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::catalog::{Catalog, ColumnKind, GroupKind, IndicatorKind, Nature, Rule};
use crate::form::{Fill, FillValue};
use crate::round::OrgUnit;

/// The error kinds injected into returns, in rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A breakdown that does not add up to its total.
    SumMismatch,
    /// A typed percentage inconsistent with its numerator and denominator.
    RatioMismatch,
    /// A percentage over 100.
    PercentOver100,
    /// A negative count.
    NegativeCount,
    /// Numbers typed as text with Vietnamese separators ("1.234", "85%").
    TextNumbers,
    /// A required cell left blank.
    BlankRequired,
}

pub const KINDS: [ErrorKind; 6] = [
    ErrorKind::SumMismatch,
    ErrorKind::RatioMismatch,
    ErrorKind::PercentOver100,
    ErrorKind::NegativeCount,
    ErrorKind::TextNumbers,
    ErrorKind::BlankRequired,
];

/// SplitMix64: a small deterministic generator for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// Typical size of an indicator's yearly value by measure and unit type.
fn scale(measure: &str, unit: &OrgUnit) -> u64 {
    let big = unit.unit_type == crate::catalog::de_an_241::XA_PHUONG;
    match measure {
        "hộ" => {
            if big {
                1400
            } else {
                0
            }
        }
        "khẩu" => {
            if big {
                5600
            } else {
                0
            }
        }
        m if m.contains("lượt") || m == "người" => {
            if big {
                300
            } else {
                25
            }
        }
        "tin, bài" | "tin bài" => 40,
        "triệu đồng" => 150,
        "giờ" => 300,
        _ => {
            if big {
                12
            } else {
                4
            }
        }
    }
}

/// Values for every applicable input cell that satisfy every rule.
pub fn plausible_fill(catalog: &Catalog, unit: &OrgUnit, rng: &mut Rng) -> Fill {
    let mut fill = Fill::default();
    let mut values: BTreeMap<(String, String), f64> = BTreeMap::new();
    for g in &catalog.groups {
        let columns = catalog.columns_of(g);
        for ind in catalog.indicators_of(&g.id) {
            if !ind.applies_to_type(&unit.unit_type) {
                continue;
            }
            match g.kind {
                GroupKind::Narrative => {
                    fill.cells.insert(
                        (ind.code.clone(), columns[0].key.clone()),
                        FillValue::Text(format!(
                            "{}: {} đã triển khai nghiêm túc, có kết quả cụ thể (mục {}).",
                            ind.label, unit.name, ind.outline_ref
                        )),
                    );
                }
                GroupKind::List => {
                    let n = rng.range(2, 5);
                    let rows = (0..n)
                        .map(|k| {
                            let d = NaiveDate::from_ymd_opt(
                                2016 + (k as i32 % 5),
                                1 + (k as u32 * 3) % 12,
                                10,
                            )
                            .expect("valid date");
                            columns
                                .iter()
                                .map(|c| {
                                    Some(match c.kind {
                                        ColumnKind::Date => FillValue::Date(d),
                                        _ if c.key.contains("so") => {
                                            FillValue::Text(format!("{:02}-KH/ĐU", k + 1))
                                        }
                                        _ => FillValue::Text(format!(
                                            "Kế hoạch thực hiện Đề án 241 năm {}",
                                            2016 + k
                                        )),
                                    })
                                })
                                .collect()
                        })
                        .collect();
                    fill.lists.insert(ind.code.clone(), rows);
                }
                GroupKind::Table => {
                    for col in columns.iter().filter(|c| !c.is_computed()) {
                        let v = match ind.kind {
                            IndicatorKind::YesNo => {
                                fill.cells.insert(
                                    (ind.code.clone(), col.key.clone()),
                                    FillValue::Text(
                                        if rng.range(0, 4) > 0 { "Có" } else { "Không" }.into(),
                                    ),
                                );
                                continue;
                            }
                            IndicatorKind::Percent => 0.0,
                            _ => {
                                let s = scale(&ind.measure, unit).max(1);
                                let base = rng.range(s / 2, s + s / 2) as f64;
                                let factor = if col.key == crate::catalog::de_an_241::BEFORE_PERIOD
                                {
                                    3.0
                                } else if ind.nature == Nature::Stock
                                    && col.key == crate::catalog::de_an_241::BEFORE_DATE
                                {
                                    0.8
                                } else {
                                    1.0
                                };
                                (base * factor).round()
                            }
                        };
                        values.insert((ind.code.clone(), col.key.clone()), v);
                    }
                }
            }
        }
    }
    // Enforce the rules until nothing changes: the first sum rule of a
    // total sets it, later ones (a second breakdown of the same total)
    // redistribute their parts; comparisons lower the smaller side.
    for _ in 0..20 {
        let before = values.clone();
        let keys: Vec<String> = values
            .keys()
            .map(|(_, k)| k.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for key in &keys {
            let get = |c: &str, v: &BTreeMap<(String, String), f64>| {
                v.get(&(c.to_string(), key.clone())).copied()
            };
            let mut fixed: Vec<String> = Vec::new();
            for r in &catalog.rules {
                let total = &r.sides().0.to_string();
                match r {
                    Rule::Sum {
                        parts: rule_parts, ..
                    } => {
                        let Some(t) = get(total, &values) else {
                            continue;
                        };
                        let parts: Vec<&String> = rule_parts
                            .iter()
                            .filter(|p| get(p, &values).is_some())
                            .collect();
                        if parts.is_empty() {
                            continue;
                        }
                        let s: f64 = parts.iter().filter_map(|p| get(p, &values)).sum();
                        if !fixed.contains(total) {
                            values.insert((total.clone(), key.clone()), s);
                            fixed.push(total.clone());
                        } else if (s - t).abs() > 1e-9 {
                            let mut left = t;
                            for (i, p) in parts.iter().enumerate() {
                                let v = if i + 1 == parts.len() {
                                    left
                                } else {
                                    let share = get(p, &values).unwrap_or(0.0) / s.max(1.0);
                                    (t * share).floor().min(left)
                                };
                                values.insert(((*p).clone(), key.clone()), v);
                                left -= v;
                            }
                        }
                    }
                    Rule::SumAtMost { parts, .. } => {
                        let s: f64 = parts.iter().filter_map(|p| get(p, &values)).sum();
                        if let Some(t) = get(total, &values) {
                            if s > t {
                                for p in parts {
                                    if let Some(v) = get(p, &values) {
                                        values
                                            .insert((p.clone(), key.clone()), (v * t / s).floor());
                                    }
                                }
                            }
                        }
                    }
                    Rule::AtMost { left: l, .. } => {
                        if let (Some(a), Some(b)) = (get(l, &values), get(total, &values)) {
                            if a > b {
                                values.insert((l.clone(), key.clone()), (b * 0.6).floor());
                            }
                        }
                    }
                }
            }
            for ind in &catalog.indicators {
                if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
                    if let (Some(nv), Some(dv)) = (get(n, &values), get(d, &values)) {
                        if nv > dv {
                            values.insert((n.clone(), key.clone()), (dv * 0.85).floor());
                        }
                    }
                }
            }
        }
        if values == before {
            break;
        }
    }
    for ind in &catalog.indicators {
        if ind.kind == IndicatorKind::Percent && !ind.computed {
            if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
                let keys: Vec<String> = values
                    .keys()
                    .filter(|(c, _)| c == &ind.code)
                    .map(|(_, k)| k.clone())
                    .collect();
                for key in keys {
                    let nv = values
                        .get(&(n.clone(), key.clone()))
                        .copied()
                        .unwrap_or(0.0);
                    let dv = values
                        .get(&(d.clone(), key.clone()))
                        .copied()
                        .unwrap_or(0.0);
                    let p = if dv > 0.0 {
                        (1000.0 * nv / dv).round() / 10.0
                    } else {
                        0.0
                    };
                    values.insert((ind.code.clone(), key), p);
                }
            }
        }
    }
    for ((c, k), v) in values {
        fill.cells.insert((c, k), FillValue::Number(v));
    }
    fill
}

/// Put one error of `kind` into a valid fill.
pub fn inject(catalog: &Catalog, unit: &OrgUnit, fill: &mut Fill, kind: ErrorKind) {
    let number = |fill: &Fill, code: &str, key: &str| match fill
        .cells
        .get(&(code.to_string(), key.to_string()))
    {
        Some(FillValue::Number(n)) => Some(*n),
        _ => None,
    };
    let first_key = |code: &str, fill: &Fill| {
        fill.cells
            .keys()
            .find(|(c, _)| c == code)
            .map(|(_, k)| k.clone())
    };
    match kind {
        ErrorKind::SumMismatch => {
            if let Some(Rule::Sum { total, .. }) =
                catalog.rules.iter().find(|r| matches!(r, Rule::Sum { .. }))
            {
                let total = total.clone();
                if let Some(key) = first_key(&total, fill) {
                    let v = number(fill, &total, &key).unwrap_or(0.0);
                    fill.cells.insert((total, key), FillValue::Number(v + 7.0));
                }
            }
        }
        ErrorKind::RatioMismatch | ErrorKind::PercentOver100 => {
            let typed = catalog.indicators.iter().find(|i| {
                i.kind == IndicatorKind::Percent
                    && !i.computed
                    && i.applies_to_type(&unit.unit_type)
                    && first_key(&i.code, fill).is_some()
            });
            if let Some(ind) = typed {
                let key = first_key(&ind.code, fill).expect("checked");
                let v = number(fill, &ind.code, &key).unwrap_or(50.0);
                let wrong = if kind == ErrorKind::PercentOver100 {
                    112.0
                } else if v > 20.0 {
                    v - 15.0
                } else {
                    v + 15.0
                };
                fill.cells
                    .insert((ind.code.clone(), key), FillValue::Number(wrong));
            }
        }
        ErrorKind::NegativeCount => {
            if let Some(((c, k), _)) = fill.cells.iter().find(|((c, _), v)| {
                matches!(v, FillValue::Number(n) if *n > 0.0)
                    && catalog.indicator(c).is_some_and(|i| {
                        i.kind == IndicatorKind::Count
                            && !catalog.rules.iter().any(|r| r.codes().any(|k| k == c))
                            && i.numerator.is_none()
                    })
                    && !catalog.indicators.iter().any(|i| {
                        i.numerator.as_ref() == Some(c) || i.denominator.as_ref() == Some(c)
                    })
            }) {
                let key = (c.clone(), k.clone());
                fill.cells.insert(key, FillValue::Number(-3.0));
            }
        }
        ErrorKind::TextNumbers => {
            let mut done = 0;
            let keys: Vec<(String, String)> = fill.cells.keys().cloned().collect();
            for key in keys {
                if done >= 2 {
                    break;
                }
                let ind = catalog.indicator(&key.0).expect("catalogue code");
                if let Some(FillValue::Number(n)) = fill.cells.get(&key).cloned() {
                    if ind.kind == IndicatorKind::Count && n >= 1000.0 {
                        fill.cells
                            .insert(key, FillValue::Text(crate::text::number_vi(n)));
                        done += 1;
                    } else if ind.kind == IndicatorKind::Count && n >= 10.0 && done == 0 {
                        fill.cells
                            .insert(key, FillValue::Text(format!("{} người", n)));
                        done += 1;
                    }
                }
            }
        }
        ErrorKind::BlankRequired => {
            if let Some(ind) = catalog.indicators.iter().find(|i| {
                i.required && i.kind == IndicatorKind::Count && i.applies_to_type(&unit.unit_type)
            }) {
                if let Some(key) = first_key(&ind.code, fill) {
                    fill.cells.remove(&(ind.code.clone(), key));
                }
            }
        }
    }
}
