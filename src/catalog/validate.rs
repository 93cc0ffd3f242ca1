//! Structural checks of a catalogue file (`tonghop catalog --check`): every
//! problem is collected with its location, none stops the others.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{Catalog, ColumnKind, GroupKind, IndicatorKind, Rule};

/// One problem in a catalogue file, located by the item it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProblem {
    /// Where: e.g. "chỉ tiêu 05.03", "quy tắc R04", "biểu B02".
    pub location: String,
    /// What is wrong, one Vietnamese sentence quoting the value.
    pub message: String,
}

impl fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// All structural problems of `catalog`; empty when it is usable.
///
/// Checked: duplicate mã số / group id / sheet name / biểu số; malformed mã
/// số; unknown group, column set or unit type; a percentage without its tử
/// số / mẫu số, with a mẫu số that is not a count, or with them in another
/// group; a rule naming an unknown code, mixing groups or (for sums) units
/// of measure; a stock indicator in a group with a total column; min > max;
/// list and narrative groups holding the wrong kinds; sheet names Excel
/// refuses.
pub fn validate(c: &Catalog) -> Vec<CatalogProblem> {
    let mut v = Validator {
        c,
        problems: Vec::new(),
    };
    v.run();
    v.problems
}

struct Validator<'a> {
    c: &'a Catalog,
    problems: Vec<CatalogProblem>,
}

impl Validator<'_> {
    fn problem(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.problems.push(CatalogProblem {
            location: location.into(),
            message: message.into(),
        });
    }

    fn run(&mut self) {
        self.unit_types();
        self.column_sets();
        self.groups();
        self.indicators();
        self.rules();
    }

    fn unit_types(&mut self) {
        let mut seen = BTreeSet::new();
        for t in &self.c.unit_types {
            if !seen.insert(t.id.clone()) {
                self.problem(
                    format!("loại đơn vị {}", t.id),
                    format!("mã loại đơn vị \"{}\" bị trùng.", t.id),
                );
            }
        }
    }

    fn column_sets(&mut self) {
        for (name, set) in &self.c.column_sets {
            let loc = format!("bộ cột {name}");
            if set.columns.is_empty() {
                self.problem(&loc, "bộ cột không có cột nào.");
            }
            let keys: Vec<&str> = set.columns.iter().map(|c| c.key.as_str()).collect();
            let mut seen = BTreeSet::new();
            for col in &set.columns {
                if !seen.insert(col.key.as_str()) {
                    self.problem(&loc, format!("khóa cột \"{}\" bị trùng.", col.key));
                }
                for part in &col.sum_of {
                    if !keys.contains(&part.as_str()) || part == &col.key {
                        self.problem(
                            &loc,
                            format!(
                                "cột \"{}\" cộng cột \"{}\" không có trong bộ cột.",
                                col.key, part
                            ),
                        );
                    }
                }
                if col.is_computed() && col.kind != ColumnKind::Value {
                    self.problem(
                        &loc,
                        format!("cột tính tổng \"{}\" phải là cột số.", col.key),
                    );
                }
            }
        }
    }

    fn groups(&mut self) {
        let mut ids = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        let mut sheets = BTreeSet::new();
        for g in &self.c.groups {
            let loc = format!("biểu {}", g.id);
            if !ids.insert(g.id.as_str()) {
                self.problem(&loc, format!("mã biểu \"{}\" bị trùng.", g.id));
            }
            if !numbers.insert(g.number) {
                self.problem(&loc, format!("biểu số {} bị trùng.", g.number));
            }
            if !sheets.insert(crate::text::fold(&g.sheet)) {
                self.problem(&loc, format!("tên trang tính \"{}\" bị trùng.", g.sheet));
            }
            if let Err(e) = crate::text::check_sheet_name(&g.sheet) {
                self.problem(&loc, e);
            }
            if !self.c.column_sets.contains_key(&g.columns) {
                self.problem(
                    &loc,
                    format!("bộ cột \"{}\" không được khai báo.", g.columns),
                );
            }
            let members: Vec<_> = self.c.indicators_of(&g.id).collect();
            if members.is_empty() {
                self.problem(&loc, "biểu không có chỉ tiêu nào.");
            }
            match g.kind {
                GroupKind::List => {
                    if members.len() != 1 || members[0].kind != IndicatorKind::List {
                        self.problem(&loc, "biểu danh sách phải có đúng một chỉ tiêu loại list.");
                    }
                }
                GroupKind::Narrative => {
                    for m in members.iter().filter(|m| m.kind != IndicatorKind::Text) {
                        self.problem(
                            &loc,
                            format!(
                                "chỉ tiêu {} loại {} không thể nằm trong biểu thuyết minh.",
                                m.code,
                                m.kind.label()
                            ),
                        );
                    }
                }
                GroupKind::Table => {}
            }
        }
    }

    fn indicators(&mut self) {
        let code_re = regex::Regex::new(r"^\d{2}\.\d{2}$").expect("static regex");
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for ind in &self.c.indicators {
            *seen.entry(ind.code.as_str()).or_default() += 1;
        }
        for (code, n) in &seen {
            if *n > 1 {
                self.problem(
                    format!("chỉ tiêu {code}"),
                    format!("mã số \"{code}\" bị trùng ({n} chỉ tiêu)."),
                );
            }
        }
        let type_ids: BTreeSet<&str> = self.c.unit_types.iter().map(|t| t.id.as_str()).collect();
        for ind in &self.c.indicators {
            let loc = format!("chỉ tiêu {}", ind.code);
            if !code_re.is_match(&ind.code) {
                self.problem(
                    &loc,
                    format!("mã số \"{}\" không đúng dạng NN.MM.", ind.code),
                );
            }
            let Some(group) = self.c.group(&ind.group) else {
                self.problem(&loc, format!("biểu \"{}\" không được khai báo.", ind.group));
                continue;
            };
            if code_re.is_match(&ind.code)
                && !ind.code.starts_with(&format!("{:02}.", group.number))
            {
                self.problem(
                    &loc,
                    format!(
                        "mã số \"{}\" phải bắt đầu bằng số biểu {:02}.",
                        ind.code, group.number
                    ),
                );
            }
            for t in &ind.applies_to {
                if !type_ids.contains(t.as_str()) {
                    self.problem(&loc, format!("loại đơn vị \"{t}\" không được khai báo."));
                }
            }
            for of in &ind.plausible_max_of {
                let ok = self.c.indicator(of).is_some_and(|o| {
                    o.kind.is_numeric()
                        && o.kind != IndicatorKind::Percent
                        && self
                            .c
                            .group(&o.group)
                            .and_then(|g| self.c.column_sets.get(&g.columns))
                            .is_some_and(|set| set.columns.len() == 1)
                });
                if !ok {
                    self.problem(
                        &loc,
                        format!("plausible_max_of: \"{of}\" không phải một chỉ tiêu số (đếm, số lượng) của biểu một cột."),
                    );
                }
            }
            if let (Some(min), Some(max)) = (ind.min, ind.max) {
                if min > max {
                    self.problem(
                        &loc,
                        format!("giới hạn dưới {min} lớn hơn giới hạn trên {max}."),
                    );
                }
            }
            let has_total = self
                .c
                .column_sets
                .get(&group.columns)
                .is_some_and(|s| s.columns.iter().any(|c| c.is_computed()));
            if ind.nature == super::Nature::Stock && has_total && ind.kind != IndicatorKind::Percent
            {
                self.problem(
                    &loc,
                    format!(
                        "chỉ tiêu thời điểm nằm trong biểu {} có cột tổng cộng các năm.",
                        group.id
                    ),
                );
            }
            if group.kind == GroupKind::Table
                && matches!(ind.kind, IndicatorKind::Text | IndicatorKind::List)
            {
                self.problem(
                    &loc,
                    format!(
                        "chỉ tiêu loại {} phải nằm trong biểu thuyết minh hoặc biểu danh sách.",
                        ind.kind.label()
                    ),
                );
            }
            self.percent(ind, group);
            if let Some(w) = &ind.weight {
                if self.c.indicator(w).is_none() {
                    self.problem(&loc, format!("trọng số \"{w}\" không có trong danh mục."));
                }
            } else if ind.consolidation() == super::Consolidation::WeightedMean {
                self.problem(&loc, "tổng hợp bình quân gia quyền cần khai báo weight.");
            }
        }
    }

    fn percent(&mut self, ind: &super::Indicator, group: &super::Group) {
        let loc = format!("chỉ tiêu {}", ind.code);
        if ind.kind != IndicatorKind::Percent {
            if ind.numerator.is_some() || ind.denominator.is_some() {
                self.problem(&loc, "chỉ tiêu không phải tỷ lệ mà có tử số/mẫu số.");
            }
            return;
        }
        let pair = [("tử số", &ind.numerator), ("mẫu số", &ind.denominator)];
        let needs_pair = ind.computed || ind.consolidation() == super::Consolidation::Ratio;
        for (name, code) in pair {
            match code {
                None if needs_pair => self.problem(
                    &loc,
                    format!("tỷ lệ phần trăm thiếu {name} (cần để tính lại, không lấy bình quân)."),
                ),
                None => {}
                Some(code) => match self.c.indicator(code) {
                    None => {
                        self.problem(&loc, format!("{name} \"{code}\" không có trong danh mục."))
                    }
                    Some(other) => {
                        if !matches!(other.kind, IndicatorKind::Count | IndicatorKind::Quantity) {
                            self.problem(
                                &loc,
                                format!(
                                    "{name} \"{code}\" là {}, không phải số đếm.",
                                    other.kind.label()
                                ),
                            );
                        }
                        if other.group != group.id {
                            self.problem(
                                &loc,
                                format!(
                                    "{name} \"{code}\" nằm ở biểu {}, không cùng biểu {}.",
                                    other.group, group.id
                                ),
                            );
                        }
                    }
                },
            }
        }
        if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
            if let (Some(n), Some(d)) = (self.c.indicator(n), self.c.indicator(d)) {
                if n.measure != d.measure {
                    self.problem(
                        &loc,
                        format!(
                            "tử số {} ({}) và mẫu số {} ({}) khác đơn vị tính.",
                            n.code, n.measure, d.code, d.measure
                        ),
                    );
                }
            }
        }
    }

    fn rules(&mut self) {
        let mut ids = BTreeSet::new();
        for r in &self.c.rules {
            let loc = format!("quy tắc {}", r.id());
            if !ids.insert(r.id()) {
                self.problem(&loc, format!("mã quy tắc \"{}\" bị trùng.", r.id()));
            }
            let (larger, smaller) = r.sides();
            let is_sum = matches!(r, Rule::Sum { .. } | Rule::SumAtMost { .. });
            if is_sum && smaller.is_empty() {
                self.problem(&loc, "quy tắc cộng cần ít nhất một thành phần (parts).");
            }
            if smaller.iter().any(|p| p == larger) {
                self.problem(
                    &loc,
                    if is_sum {
                        "tổng không được nằm trong các thành phần."
                    } else {
                        "hai vế của phép so sánh là cùng một mã số."
                    },
                );
            }
            let codes: Vec<&str> = r.codes().collect();
            let mut groups = BTreeSet::new();
            let mut measures = BTreeSet::new();
            for code in &codes {
                match self.c.indicator(code) {
                    None => self.problem(
                        &loc,
                        format!("quy tắc nhắc đến mã số \"{code}\" không có trong danh mục."),
                    ),
                    Some(ind) => {
                        groups.insert(ind.group.clone());
                        measures.insert(ind.measure.clone());
                        if !ind.kind.is_numeric() {
                            self.problem(&loc, format!("mã số \"{code}\" không phải chỉ tiêu số."));
                        }
                    }
                }
            }
            if groups.len() > 1 {
                self.problem(
                    &loc,
                    format!(
                        "các mã số của quy tắc nằm ở nhiều biểu khác nhau ({}).",
                        groups.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            if is_sum && measures.len() > 1 {
                self.problem(
                    &loc,
                    format!(
                        "phép cộng gộp các chỉ tiêu khác đơn vị tính ({}).",
                        measures.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
}
