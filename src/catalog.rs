//! The danh mục chỉ tiêu (indicator catalogue): what a round asks every unit
//! to report, read from a TOML file with serde.
//!
//! The catalogue is data, not code (DESIGN.md, "The catalogue"): forms,
//! ingest, checks and consolidation all work from it, so the next round's
//! outline needs a new file, not a new binary. The Đề án 241 catalogue
//! (`catalog/de-an-241.toml`, from the đề cương of Kế hoạch 24-KH/ThU) is
//! embedded as the default.

pub mod outline;
pub mod syntax;
mod validate;
pub mod workbook;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use syntax::SyntaxError;
pub use validate::{validate, CatalogProblem};

/// TOML text of the embedded Đề án 241 catalogue.
pub const EMBEDDED_TOML: &str = include_str!("../catalog/de-an-241.toml");

/// The headings of the Đề án 241 đề cương (`[[outline]]`), kept beside
/// the catalogue text: forms already sent carry the hash of that text, so
/// it does not change. Attached to the embedded catalogue and to a copy of
/// it read from a file without its own outline.
const EMBEDDED_OUTLINE_TOML: &str = include_str!("../catalog/de-an-241-de-cuong.toml");

/// The embedded catalogue's hash, computed once per run.
fn embedded_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| Catalog::embedded().hash)
}

/// [`EMBEDDED_OUTLINE_TOML`] read.
///
/// # Panics
/// Never in a released binary: a test loads it.
fn embedded_outline() -> Vec<OutlineHeading> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        outline: Vec<OutlineHeading>,
    }
    toml::from_str::<File>(EMBEDDED_OUTLINE_TOML)
        .expect("embedded outline is valid")
        .outline
}

/// Errors while loading a catalogue file (its structure is checked by
/// [`validate`], which reports every problem at once).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("không đọc được tệp danh mục {path}: {}", crate::text::io_error_vi(.error))]
    Io {
        path: String,
        /// Not a `source`: its text is the system's English.
        error: std::io::Error,
    },
    /// A file that is not a catalogue: TOML or JSON syntax, a missing or
    /// unknown field, a value of the wrong type; every one found (TOML),
    /// each with its line.
    #[error("{}", syntax_text(.path, .errors))]
    Syntax {
        path: String,
        errors: Vec<SyntaxError>,
    },
    #[error("danh mục {path} có {} lỗi:\n{}", .problems.len(), .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: String,
        problems: Vec<CatalogProblem>,
    },
}

fn syntax_text(path: &str, errors: &[SyntaxError]) -> String {
    match errors {
        [one] => format!("tệp danh mục {path}, {one}"),
        _ => format!(
            "tệp danh mục {path} có {} lỗi:\n{}",
            errors.len(),
            errors
                .iter()
                .map(|e| format!("  - {}", e.to_string().replace('\n', "\n  ")))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Kind of a chỉ tiêu: decides the form cell (validation, formula) and how
/// the value is read and consolidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Whole number ≥ 0 (people, meetings, documents).
    Count,
    /// Decimal number ≥ 0 (money, area).
    Quantity,
    /// Percentage 0–100 (not a fraction 0–1).
    Percent,
    /// "Có" / "Không".
    YesNo,
    /// Narrative answer (thuyết minh).
    Text,
    /// Rows of a list table (documents issued: số hiệu, ngày, trích yếu).
    List,
}

impl IndicatorKind {
    /// Vietnamese name shown in `tonghop catalog` and the forms.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Count => "số đếm",
            IndicatorKind::Quantity => "số lượng",
            IndicatorKind::Percent => "tỷ lệ %",
            IndicatorKind::YesNo => "có/không",
            IndicatorKind::Text => "thuyết minh",
            IndicatorKind::List => "danh sách",
        }
    }

    /// Whether cells of this kind hold numbers.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            IndicatorKind::Count | IndicatorKind::Quantity | IndicatorKind::Percent
        )
    }
}

/// Số liệu thời kỳ (flow, summed over years) or thời điểm (stock, value at
/// a date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    #[default]
    Flow,
    Stock,
}

impl Nature {
    pub fn label(self) -> &'static str {
        match self {
            Nature::Flow => "thời kỳ",
            Nature::Stock => "thời điểm",
        }
    }
}

/// How a chỉ tiêu consolidates across units (DESIGN.md: never average a
/// percentage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consolidation {
    /// Sum over units.
    Sum,
    /// 100 × Σ numerator / Σ denominator.
    Ratio,
    /// Mean weighted by another indicator (`weight`).
    WeightedMean,
    /// Number of units answering "Có".
    CountYes,
    /// Text listed per unit.
    ByUnit,
    /// Every unit's rows in one table.
    Rows,
}

impl Consolidation {
    pub fn label(self) -> &'static str {
        match self {
            Consolidation::Sum => "cộng",
            Consolidation::Ratio => "tính lại từ tử số / mẫu số",
            Consolidation::WeightedMean => "bình quân gia quyền",
            Consolidation::CountYes => "đếm số đơn vị trả lời Có",
            Consolidation::ByUnit => "liệt kê theo đơn vị",
            Consolidation::Rows => "gộp các dòng kèm đơn vị",
        }
    }
}

/// Lỗi (error: the value cannot be right) or cảnh báo (warning: check it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Loi,
    CanhBao,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Loi => "lỗi",
            Severity::CanhBao => "cảnh báo",
        }
    }
}

/// Kind of a data column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Takes the row's kind (count, percent, ...).
    #[default]
    Value,
    /// Free text (list tables, narrative).
    Text,
    /// A date shown dd/mm/yyyy (list tables).
    Date,
}

/// One data column of a form: numbered (1), (2), … in the order given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Stable key, e.g. `n2016`, `tong`, `t2020`.
    pub key: String,
    /// Header label, e.g. "Năm 2016", "Tại 31/12/2020".
    pub label: String,
    #[serde(default)]
    pub kind: ColumnKind,
    /// Keys of the columns this one sums (a computed column: a formula on
    /// the form, recomputed at ingest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum_of: Vec<String>,
}

impl Column {
    pub fn is_computed(&self) -> bool {
        !self.sum_of.is_empty()
    }
}

/// A named set of columns shared by several groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSet {
    pub columns: Vec<Column>,
}

/// Layout of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Indicator rows × data columns.
    #[default]
    Table,
    /// A list table (rows of documents) for one `list` indicator.
    List,
    /// Narrative answers, one text row per indicator.
    Narrative,
}

/// A nhóm chỉ tiêu: one sheet of the form (Biểu số NN).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Stable id, e.g. `B01`.
    pub id: String,
    /// Biểu số (1 → "Biểu số 01").
    pub number: u32,
    /// Outline reference, e.g. "II.2.2".
    #[serde(rename = "ref")]
    pub outline_ref: String,
    pub title: String,
    /// Name of the column set (`[column_sets.NAME]`).
    pub columns: String,
    #[serde(default)]
    pub kind: GroupKind,
    /// Sheet name in the form (≤ 31 characters), e.g. "Biểu 01".
    pub sheet: String,
    /// Note printed under the title (period, what to count).
    #[serde(default)]
    pub note: String,
}

/// A chỉ tiêu.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Mã số, unique in the catalogue, e.g. "05.03".
    pub code: String,
    /// Group id.
    pub group: String,
    /// Outline reference, e.g. "II.2.2".
    #[serde(rename = "ref")]
    pub outline_ref: String,
    pub label: String,
    pub kind: IndicatorKind,
    /// Đơn vị tính, e.g. "người", "%", "hộ".
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub nature: Nature,
    /// Unit types (loại) this applies to; empty = all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Defaults from the kind (count/quantity: sum; percent: ratio; yes/no:
    /// count_yes; text: by_unit; list: rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidation: Option<Consolidation>,
    /// For `weighted_mean`: the weight indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// For percentages: tử số (numerator) code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// For percentages: mẫu số (denominator) code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Percentage computed by a formula on the form (true) or typed by the
    /// unit and checked (false).
    #[serde(default)]
    pub computed: bool,
    /// Indentation level of the label (0 = top, 1 = "trong đó", ...).
    #[serde(default)]
    pub level: u8,
    /// Input hint shown in the form's data validation message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hint: String,
    /// Derived plausible bound: in every column, the value is at most the
    /// sum of these chỉ tiêu's values of the same unit, e.g. the người
    /// reached by an activity of a chi bộ ≤ its đảng viên (01.01) + its
    /// cán bộ, công chức chưa là đảng viên (01.02). Each named chỉ tiêu is
    /// numeric and in a one-column group (a thời điểm figure); the bound
    /// holds only when the unit gave all of them (blank is not zero).
    /// Beyond it: a finding of `[plausible] derived_severity`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plausible_max_of: Vec<String>,
}

impl Indicator {
    /// Effective consolidation method.
    pub fn consolidation(&self) -> Consolidation {
        self.consolidation.unwrap_or(match self.kind {
            IndicatorKind::Count | IndicatorKind::Quantity => Consolidation::Sum,
            IndicatorKind::Percent => Consolidation::Ratio,
            IndicatorKind::YesNo => Consolidation::CountYes,
            IndicatorKind::Text => Consolidation::ByUnit,
            IndicatorKind::List => Consolidation::Rows,
        })
    }

    /// Whether the indicator applies to units of type `unit_type` (empty
    /// `applies_to` means all; the tổng hợp level `cap_tren` takes all).
    pub fn applies_to_type(&self, unit_type: &str) -> bool {
        self.applies_to.is_empty()
            || unit_type == UPPER_LEVEL_TYPE
            || self.applies_to.iter().any(|t| t == unit_type)
    }

    /// Whether the form cell is a formula (a computed percentage).
    pub fn is_formula(&self) -> bool {
        self.kind == IndicatorKind::Percent && self.computed
    }
}

/// Loại đơn vị of the committee itself in `gui-cap-tren.xlsx`: every
/// indicator applies.
pub const UPPER_LEVEL_TYPE: &str = "cap_tren";

/// Ids of items of the embedded Đề án 241 catalogue
/// (`catalog/de-an-241.toml`) that code names, for behaviour about that
/// catalogue only (the synthetic rounds of `tonghop generate`); every
/// other use reads the catalogue. A test checks each is in it.
pub mod de_an_241 {
    /// `[[unit_types]] id = "xa_phuong"`: Đảng bộ xã, phường, the only
    /// units with households and khẩu (01.04, 01.05).
    pub const XA_PHUONG: &str = "xa_phuong";
    /// `[[unit_types]] id = "chi_bo_co_so"`: Chi bộ cơ sở.
    pub const CHI_BO_CO_SO: &str = "chi_bo_co_so";
    /// Column `gd2011_2015` of the column sets `nam_so_sanh` and
    /// `giai_doan`: "2011 - 2015 (trước Đề án)", five years before the
    /// Đề án.
    pub const BEFORE_PERIOD: &str = "gd2011_2015";
    /// Column `t2015` of the column set `thoi_diem_so_sanh`: "Tại
    /// 31/12/2015 (trước Đề án)".
    pub const BEFORE_DATE: &str = "t2015";
}

/// A loại đơn vị báo cáo (unit type), e.g. `xa_phuong`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitType {
    pub id: String,
    /// Vietnamese name as written in the units list, e.g. "Đảng bộ xã, phường".
    pub label: String,
    /// Other spellings accepted in the units list.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl UnitType {
    /// Whether units of this type are chi bộ (its label starts "Chi bộ":
    /// "Chi bộ cơ sở", "Chi bộ trực thuộc"): a chi bộ is led by its chi
    /// ủy, which signs the unit's forms ("T/M CHI ỦY"); a đảng bộ's đảng
    /// ủy signs the others.
    pub fn is_chi_bo(&self) -> bool {
        crate::text::fold_ascii(&self.label).starts_with("chi bo")
    }
}

/// A declared rule between indicators of one group, checked in every
/// column: one variant per `kind` of the `[[rules]]` table, each with
/// exactly the fields it needs, so a rule missing one (or carrying one of
/// another kind) is a parse error naming its line. Ratio rules
/// (percentage = 100 × tử số / mẫu số; tử số ≤ mẫu số) and bounds rules
/// come from the indicators themselves (see [`Catalog::derived_rules`]).
///
/// ```toml
/// [[rules]]
/// id = "R01"
/// kind = "sum"                       # or "sum_at_most"
/// total = "02.04"
/// parts = ["02.05", "02.06", "02.07"]
/// severity = "loi"
/// label = "…"
///
/// [[rules]]
/// id = "R02"
/// kind = "at_most"
/// left = "02.03"
/// right = "02.02"
/// severity = "loi"
/// label = "…"
/// ```
///
/// Serialised with `#[serde(tag = "kind")]`; read by hand (the same
/// shape), because serde's derived reading of a tagged enum buffers the
/// table first and so loses its position: a TOML error would point at the
/// first `[[rules]]` whatever the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// `sum`: Σ parts = total. A total given with none of its parts is a
    /// cảnh báo naming the parts (the committee's breakdown rows could not
    /// add up to its total).
    Sum {
        id: String,
        /// Mã số of the total.
        total: String,
        /// Mã số of the parts.
        parts: Vec<String>,
        severity: Severity,
        /// Short Vietnamese description shown in reports.
        label: String,
    },
    /// `sum_at_most`: Σ parts ≤ total ("trong đó" breakdowns that need
    /// not be exhaustive).
    SumAtMost {
        id: String,
        /// Mã số of the total.
        total: String,
        /// Mã số of the parts.
        parts: Vec<String>,
        severity: Severity,
        /// Short Vietnamese description shown in reports.
        label: String,
    },
    /// `at_most`: left ≤ right.
    AtMost {
        id: String,
        /// Mã số of the smaller side (the figure a finding is about).
        left: String,
        /// Mã số of the larger side.
        right: String,
        severity: Severity,
        /// Short Vietnamese description shown in reports.
        label: String,
    },
}

impl Rule {
    /// The rule as findings name it ("Quy tắc" column): its id and what it
    /// checks, "R01: Số lượt người … phải bằng tổng số lượt người".
    pub fn finding_name(&self) -> String {
        let label = self.label().trim();
        let what = if !label.is_empty() {
            label.to_string()
        } else {
            match self {
                Rule::Sum { total, parts, .. } => {
                    format!("{total} bằng tổng {}", parts.join(" + "))
                }
                Rule::SumAtMost { total, parts, .. } => {
                    format!("tổng {} không lớn hơn {total}", parts.join(" + "))
                }
                Rule::AtMost { left, right, .. } => format!("{left} không lớn hơn {right}"),
            }
        };
        format!("{}: {what}", self.id())
    }

    pub fn id(&self) -> &str {
        match self {
            Rule::Sum { id, .. } | Rule::SumAtMost { id, .. } | Rule::AtMost { id, .. } => id,
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Rule::Sum { severity, .. }
            | Rule::SumAtMost { severity, .. }
            | Rule::AtMost { severity, .. } => *severity,
        }
    }

    /// Short Vietnamese description shown in reports.
    pub fn label(&self) -> &str {
        match self {
            Rule::Sum { label, .. }
            | Rule::SumAtMost { label, .. }
            | Rule::AtMost { label, .. } => label,
        }
    }

    /// The `kind` as written in the catalogue file.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Rule::Sum { .. } => "sum",
            Rule::SumAtMost { .. } => "sum_at_most",
            Rule::AtMost { .. } => "at_most",
        }
    }

    /// The larger side and the smaller one(s): `(total, parts)` of a sum,
    /// `(right, [left])` of `at_most`.
    pub fn sides(&self) -> (&str, &[String]) {
        match self {
            Rule::Sum { total, parts, .. } | Rule::SumAtMost { total, parts, .. } => (total, parts),
            Rule::AtMost { left, right, .. } => (right, std::slice::from_ref(left)),
        }
    }

    /// Every mã số the rule names, the larger side first.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        let (larger, smaller) = self.sides();
        std::iter::once(larger).chain(smaller.iter().map(String::as_str))
    }

    /// The rule in the shape of the first canonical form (every field of
    /// every kind, absent ones null or empty), so that the catalogue's
    /// [`Catalog::content_hash`] is the same as before rules were typed.
    fn canonical_v1(&self) -> CanonicalRuleV1<'_> {
        let (total, parts, left, right) = match self {
            Rule::Sum { total, parts, .. } | Rule::SumAtMost { total, parts, .. } => {
                (Some(total.as_str()), parts.as_slice(), None, None)
            }
            Rule::AtMost { left, right, .. } => {
                (None, &[][..], Some(left.as_str()), Some(right.as_str()))
            }
        };
        CanonicalRuleV1 {
            id: self.id(),
            kind: self.kind_name(),
            total,
            parts,
            left,
            right,
            severity: self.severity(),
            label: self.label(),
        }
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rule, D::Error> {
        d.deserialize_map(RuleVisitor)
    }
}

/// Reads a rule inside the parser's visit of its table, so that every
/// error (a missing `total`, a `left` in a sum) carries the table's
/// position.
struct RuleVisitor;

impl<'de> serde::de::Visitor<'de> for RuleVisitor {
    type Value = Rule;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("struct Rule")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Rule, A::Error> {
        use serde::de::Error;
        /// Every field any kind has; which ones a kind takes is checked below.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            id: String,
            kind: Kind,
            total: Option<String>,
            parts: Option<Vec<String>>,
            left: Option<String>,
            right: Option<String>,
            severity: Severity,
            label: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Sum,
            SumAtMost,
            AtMost,
        }
        const SUM: &[&str] = &["id", "kind", "total", "parts", "severity", "label"];
        const AT_MOST: &[&str] = &["id", "kind", "left", "right", "severity", "label"];
        let raw = Raw::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        let foreign = |fields: &[(&'static str, bool)], allowed: &'static [&'static str]| {
            fields
                .iter()
                .find(|(_, present)| *present)
                .map_or(Ok(()), |(name, _)| {
                    Err(A::Error::unknown_field(name, allowed))
                })
        };
        let Raw {
            id,
            severity,
            label,
            ..
        } = raw;
        match raw.kind {
            Kind::Sum | Kind::SumAtMost => {
                foreign(
                    &[("left", raw.left.is_some()), ("right", raw.right.is_some())],
                    SUM,
                )?;
                let total = raw.total.ok_or_else(|| A::Error::missing_field("total"))?;
                let parts = raw.parts.ok_or_else(|| A::Error::missing_field("parts"))?;
                Ok(if matches!(raw.kind, Kind::Sum) {
                    Rule::Sum {
                        id,
                        total,
                        parts,
                        severity,
                        label,
                    }
                } else {
                    Rule::SumAtMost {
                        id,
                        total,
                        parts,
                        severity,
                        label,
                    }
                })
            }
            Kind::AtMost => {
                foreign(
                    &[
                        ("total", raw.total.is_some()),
                        ("parts", raw.parts.is_some()),
                    ],
                    AT_MOST,
                )?;
                Ok(Rule::AtMost {
                    id,
                    left: raw.left.ok_or_else(|| A::Error::missing_field("left"))?,
                    right: raw.right.ok_or_else(|| A::Error::missing_field("right"))?,
                    severity,
                    label,
                })
            }
        }
    }
}

/// A rule in the first canonical form (see [`Rule::canonical_v1`]).
#[derive(Serialize)]
struct CanonicalRuleV1<'a> {
    id: &'a str,
    kind: &'a str,
    total: Option<&'a str>,
    parts: &'a [String],
    left: Option<&'a str>,
    right: Option<&'a str>,
    severity: Severity,
    label: &'a str,
}

/// The catalogue as its hash is computed: the fields of [`Catalog`] in
/// order, rules in their first canonical form and an empty `hash` (what
/// the first canonical hash serialised).
#[derive(Serialize)]
struct CanonicalV1<'a> {
    id: &'a str,
    version: &'a str,
    title: &'a str,
    percent_tolerance: f64,
    unit_types: &'a [UnitType],
    column_sets: &'a BTreeMap<String, ColumnSet>,
    groups: &'a [Group],
    indicators: &'a [Indicator],
    rules: Vec<CanonicalRuleV1<'a>>,
    plausible: &'a Plausible,
    hash: &'a str,
}

/// One heading of the đề cương, e.g. `{ ref = "II.2.1", title = "Nâng cao
/// năng lực lãnh đạo …" }`. `ref` is written as the biểu and chỉ tiêu
/// write theirs ("I", "II.2.1", "V").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineHeading {
    #[serde(rename = "ref")]
    pub outline_ref: String,
    pub title: String,
}

impl OutlineHeading {
    /// Depth of the heading: 1 for "II", 2 for "II.2", 3 for "II.2.1".
    pub fn depth(&self) -> usize {
        self.outline_ref.split('.').count()
    }
}

/// The whole catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Stable id of the catalogue, e.g. "de-an-241".
    pub id: String,
    /// Version, e.g. "2021.1"; a return from another version is rejected.
    pub version: String,
    pub title: String,
    /// Tolerance of percentage checks, in percentage points.
    #[serde(default = "default_tolerance")]
    pub percent_tolerance: f64,
    pub unit_types: Vec<UnitType>,
    pub column_sets: BTreeMap<String, ColumnSet>,
    pub groups: Vec<Group>,
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Plausible bounds (`[plausible]`; defaults when absent).
    #[serde(default)]
    pub plausible: Plausible,
    /// The đề cương's headings (`[[outline]]`, ref and title), in outline
    /// order: they title the sections of the draft báo cáo
    /// (`bao-cao-tong-hop.docx`). Optional; without them the report is
    /// headed by the refs of the biểu and chỉ tiêu with the biểu's titles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<OutlineHeading>,
    /// SHA-256 (hex) of the catalogue's content in a canonical form (see
    /// [`Catalog::content_hash`]; not of the TOML text: comments, spacing
    /// and key order do not change it), computed on load. Written in every
    /// form (`catalog_hash`) and in the exports (`tonghop catalog --format
    /// toml|json`); a `hash` read from a file is informative only and
    /// replaced by the one computed, so an exported catalogue reads back
    /// and an edited one gets its new hash.
    #[serde(default)]
    pub hash: String,
    /// SHA-256 (hex) of the TOML text the catalogue was read from: what
    /// `catalog_hash` held in forms written before the canonical hash,
    /// still accepted when the file has not changed. Empty for a
    /// catalogue built in code.
    #[serde(skip)]
    pub text_hash: String,
    /// Mã số → position in `indicators`, filled on load.
    #[serde(skip)]
    index: std::collections::HashMap<String, usize>,
}

fn default_tolerance() -> f64 {
    0.5
}

/// Plausible bounds of a catalogue (`[plausible]`): figures the arithmetic
/// allows but no reporting unit can have, so a slip of the keyboard (three
/// zeros too many) never passes as a figure. Checked in `check::bounds`
/// after the reader's own limit (|value| < 10^15, a lỗi whatever the
/// catalogue). A chỉ tiêu's own `max` replaces these bounds.
///
/// ```toml
/// [plausible]
/// count_max = 100_000_000          # every count (kind = "count")
/// severity = "loi"                 # beyond count_max / measure_max
/// derived_severity = "canh_bao"    # beyond a chỉ tiêu's plausible_max_of
/// [plausible.measure_max]          # by đơn vị tính, counts and quantities
/// "người" = 10_000_000
/// "triệu đồng" = 10_000_000
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plausible {
    /// Upper bound of every count without its own `max` or a
    /// `measure_max`; default 100,000,000 (more than the country's
    /// population: no unit reports that many of anything).
    #[serde(default = "default_count_max")]
    pub count_max: f64,
    /// Upper bounds by đơn vị tính (matched after case, diacritics and
    /// spacing folding) for counts and quantities without their own `max`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measure_max: BTreeMap<String, f64>,
    /// Severity beyond `count_max` / `measure_max`; default lỗi.
    #[serde(default = "default_plausible_severity")]
    pub severity: Severity,
    /// Severity beyond a chỉ tiêu's `plausible_max_of`; default cảnh báo
    /// (a unit's people at 31/12/2020 against a year's activity: check it).
    #[serde(default = "default_derived_severity")]
    pub derived_severity: Severity,
}

impl Default for Plausible {
    fn default() -> Self {
        Plausible {
            count_max: default_count_max(),
            measure_max: BTreeMap::new(),
            severity: default_plausible_severity(),
            derived_severity: default_derived_severity(),
        }
    }
}

fn default_count_max() -> f64 {
    1e8
}

fn default_plausible_severity() -> Severity {
    Severity::Loi
}

fn default_derived_severity() -> Severity {
    Severity::CanhBao
}

/// A plausible upper bound of one chỉ tiêu (see [`Plausible`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PlausibleBound {
    /// value ≤ max (from `measure_max`, else `count_max`).
    Max {
        code: String,
        max: f64,
        /// The đơn vị tính the bound is for, or "" for `count_max`.
        measure: String,
        severity: Severity,
    },
    /// value ≤ Σ of the unit's values of `of` (`plausible_max_of`).
    SumOf {
        code: String,
        of: Vec<String>,
        severity: Severity,
    },
}

/// A rule derived from the indicators (not written in the file).
#[derive(Debug, Clone, PartialEq)]
pub enum DerivedRule {
    /// percent = 100 × numerator / denominator ± tolerance (typed percentages).
    Ratio {
        percent: String,
        numerator: String,
        denominator: String,
    },
    /// numerator ≤ denominator.
    NumeratorAtMost {
        numerator: String,
        denominator: String,
    },
    /// min ≤ value ≤ max.
    Bounds {
        code: String,
        min: Option<f64>,
        max: Option<f64>,
    },
}

impl Catalog {
    /// The embedded Đề án 241 catalogue.
    ///
    /// # Panics
    /// Never in a released binary: a test loads it.
    pub fn embedded() -> Catalog {
        let mut c = Catalog::from_text(EMBEDDED_TOML, "<danh mục Đề án 241 nhúng sẵn>")
            .expect("embedded catalogue is valid");
        c.outline = embedded_outline();
        c
    }

    /// Load and validate a catalogue file, TOML or JSON (see
    /// [`Catalog::parse`]), or a workbook (.xlsx, .xls, .ods: see
    /// [`workbook`]).
    ///
    /// # Errors
    /// I/O, syntax (with its line, or sheet, row and cell), or every
    /// structural problem found by [`validate`].
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let mut c = if workbook::is_workbook(path) {
            workbook::load(path)?
        } else {
            let text = crate::textfile::read(path)
                .map_err(|error| CatalogError::Io {
                    path: path.display().to_string(),
                    error,
                })?
                .text;
            Catalog::from_text(&text, &path.display().to_string())?
        };
        // A copy of the embedded catalogue keeps its đề cương.
        if c.outline.is_empty() && c.hash == embedded_hash() {
            c.outline = embedded_outline();
        }
        Ok(c)
    }

    /// The given file, or the embedded catalogue when `path` is `None`.
    pub fn load_or_embedded(path: Option<&Path>) -> Result<Catalog, CatalogError> {
        match path {
            Some(p) => Catalog::load(p),
            None => Ok(Catalog::embedded()),
        }
    }

    /// Parse a catalogue without validating (used by `catalog --check`):
    /// JSON when the text opens with `{` (what `tonghop catalog --format
    /// json` writes; a TOML file never does), TOML otherwise.
    ///
    /// # Errors
    /// [`CatalogError::Syntax`] with the line, column and a Vietnamese
    /// message ([`SyntaxError`]) (a rule without its `total`, an unknown field, a value of
    /// the wrong type, a TOML or JSON syntax error).
    pub fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let parsed = if syntax::is_json(text) {
            serde_json::from_str::<Catalog>(text)
                .map_err(|e| vec![SyntaxError::from_json(&e, text)])
        } else {
            syntax::from_toml_all::<Catalog>(text)
        };
        let mut catalog = parsed.map_err(|errors| CatalogError::Syntax {
            path: origin.to_string(),
            errors,
        })?;
        catalog.finish_loading(hex(&Sha256::digest(text.as_bytes())));
        Ok(catalog)
    }

    /// Fill what loading computes: the text hash given, the index by mã
    /// số and the content hash.
    fn finish_loading(&mut self, text_hash: String) {
        self.text_hash = text_hash;
        self.index.clear();
        for (i, ind) in self.indicators.iter().enumerate() {
            self.index.entry(ind.code.clone()).or_insert(i);
        }
        self.hash = self.content_hash();
    }

    /// Parse (TOML or JSON, see [`Catalog::parse`]) and validate.
    pub fn from_text(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let catalog = Catalog::parse(text, origin)?;
        let problems = validate(&catalog);
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogError::Invalid {
                path: origin.to_string(),
                problems,
            })
        }
    }

    /// First 12 hex digits of the hash, as written in forms.
    pub fn short_hash(&self) -> &str {
        &self.hash[..12.min(self.hash.len())]
    }

    /// SHA-256 (hex) of the canonical content: the catalogue serialised as
    /// compact JSON, fields in declaration order, column sets by name,
    /// each rule with all of `id`, `kind`, `total`, `parts`, `left`,
    /// `right`, `severity`, `label` (absent ones `null` or `[]`) and the
    /// `hash` field empty. This is the JSON of the first canonical form,
    /// kept so that a catalogue keeps its hash across program versions
    /// (forms already sent carry it).
    pub fn content_hash(&self) -> String {
        // Destructured, so that a new field cannot be left out of the hash.
        let Catalog {
            id,
            version,
            title,
            percent_tolerance,
            unit_types,
            column_sets,
            groups,
            indicators,
            rules,
            plausible,
            // The headings title the draft report only: they decide no
            // cell and no check, so forms already sent keep their hash.
            outline: _,
            hash: _,
            text_hash: _,
            index: _,
        } = self;
        let canonical = CanonicalV1 {
            id,
            version,
            title,
            percent_tolerance: *percent_tolerance,
            unit_types,
            column_sets,
            groups,
            indicators,
            rules: rules.iter().map(Rule::canonical_v1).collect(),
            plausible,
            hash: "",
        };
        let json = serde_json::to_vec(&canonical).expect("a catalogue serialises");
        hex(&Sha256::digest(&json))
    }

    /// The parts of the catalogue that decide which cell holds which
    /// value, per group, in outline order: `(group id, columns, rows)`.
    /// Columns: the group's kind and, in order (they are numbered), each
    /// column's key, kind and parts. Rows: each chỉ tiêu by mã số (rows are
    /// found by mã số, so their order does not matter) with its kind, the
    /// unit types it applies to and whether its cell is a formula. Labels,
    /// đơn vị tính, bounds, rules and consolidation do not decide cells.
    pub fn layout(&self) -> Vec<(String, String, String)> {
        self.groups
            .iter()
            .map(|g| {
                let columns = self
                    .column_sets
                    .get(&g.columns)
                    .map(|set| {
                        set.columns
                            .iter()
                            .map(|c| format!("{}|{:?}|{}", c.key, c.kind, c.sum_of.join(",")))
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .unwrap_or_default();
                let mut rows: Vec<String> = self
                    .indicators_of(&g.id)
                    .map(|i| {
                        let mut types = i.applies_to.clone();
                        types.sort();
                        format!(
                            "{}|{:?}|{}|{}",
                            i.code,
                            i.kind,
                            types.join(","),
                            i.is_formula()
                        )
                    })
                    .collect();
                rows.sort();
                (
                    g.id.clone(),
                    format!("{:?}|{columns}", g.kind),
                    rows.join(";"),
                )
            })
            .collect()
    }

    /// The layout as written in a form's hidden sheet (`layout`): per
    /// group `ID=c:<8 hex>,r:<8 hex>` (short hashes of its columns and
    /// rows), joined by `;`.
    pub fn layout_text(&self) -> String {
        let short = |t: &str| hex(&Sha256::digest(t.as_bytes()))[..8].to_string();
        self.layout()
            .iter()
            .map(|(id, cols, rows)| format!("{id}=c:{},r:{}", short(cols), short(rows)))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// SHA-256 (hex) of the whole layout ([`Catalog::layout`]): equal
    /// layout hashes mean a form's cells read the same under both
    /// catalogues (`layout_hash` in the hidden sheet).
    pub fn layout_hash(&self) -> String {
        let text: String = self
            .layout()
            .iter()
            .map(|(id, cols, rows)| format!("{id}\n{cols}\n{rows}\n"))
            .collect();
        hex(&Sha256::digest(text.as_bytes()))
    }

    /// What differs between the layout written in a form (`layout`, see
    /// [`Catalog::layout_text`]) and this catalogue's, in Vietnamese, one
    /// item per changed group; empty when they agree or `form` is empty.
    pub fn layout_changes(&self, form: &str) -> Vec<String> {
        let theirs: BTreeMap<&str, (&str, &str)> = form
            .split(';')
            .filter_map(|part| {
                let (id, rest) = part.split_once('=')?;
                let (c, r) = rest.split_once(',')?;
                Some((
                    id.trim(),
                    (
                        c.trim().trim_start_matches("c:"),
                        r.trim().trim_start_matches("r:"),
                    ),
                ))
            })
            .collect();
        if theirs.is_empty() {
            return Vec::new();
        }
        let ours = self.layout_text();
        let mut out = Vec::new();
        for part in ours.split(';') {
            let Some((id, rest)) = part.split_once('=') else {
                continue;
            };
            let Some((c, r)) = rest.split_once(',') else {
                continue;
            };
            let (c, r) = (c.trim_start_matches("c:"), r.trim_start_matches("r:"));
            let name = self.group(id).map_or(id.to_string(), |g| {
                format!("Biểu số {:02} ({})", g.number, g.title)
            });
            match theirs.get(id) {
                None => out.push(format!("{name} không có trong biểu mẫu đơn vị đã điền")),
                Some((tc, tr)) => {
                    if *tc != c {
                        out.push(format!(
                            "{name}: các cột đã đổi (số cột, thứ tự hoặc cột tính tổng)"
                        ));
                    }
                    if *tr != r {
                        out.push(format!("{name}: các dòng đã đổi (mã số, loại chỉ tiêu, loại đơn vị áp dụng hoặc ô tính sẵn)"));
                    }
                }
            }
        }
        for id in theirs.keys().filter(|id| self.group(id).is_none()) {
            out.push(format!("biểu {id} của biểu mẫu không còn trong danh mục"));
        }
        out
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicator_index(code).map(|i| &self.indicators[i])
    }

    /// Position of a mã số in `indicators`.
    pub fn indicator_index(&self, code: &str) -> Option<usize> {
        match self.index.get(code) {
            Some(i) => Some(*i),
            // A catalogue built in code rather than parsed has no index.
            None if self.index.is_empty() => self.indicators.iter().position(|i| i.code == code),
            None => None,
        }
    }

    /// Columns of the group of the indicator at `ind`.
    pub fn columns_of_indicator(&self, ind: usize) -> &[Column] {
        let g = self
            .group(&self.indicators[ind].group)
            .expect("validated catalogue");
        self.columns_of(g)
    }

    /// Indicators of a group in catalogue order.
    pub fn indicators_of<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a Indicator> {
        self.indicators.iter().filter(move |i| i.group == group)
    }

    /// Columns of a group.
    ///
    /// # Panics
    /// If the group names an unknown column set (prevented by [`validate`]).
    pub fn columns_of(&self, group: &Group) -> &[Column] {
        &self.column_sets[&group.columns].columns
    }

    /// The unit type whose id, label or alias matches `text` (after
    /// [`crate::text::fold`]).
    pub fn unit_type_for(&self, text: &str) -> Option<&UnitType> {
        let wanted = crate::text::fold_ascii(text);
        self.unit_types.iter().find(|t| {
            crate::text::fold_ascii(&t.id) == wanted
                || crate::text::fold_ascii(&t.label) == wanted
                || t.aliases
                    .iter()
                    .any(|a| crate::text::fold_ascii(a) == wanted)
        })
    }

    /// Ratio, numerator ≤ denominator and bounds rules implied by the
    /// indicators, in catalogue order.
    pub fn derived_rules(&self) -> Vec<DerivedRule> {
        let mut rules = Vec::new();
        for ind in &self.indicators {
            if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
                if ind.kind == IndicatorKind::Percent && !ind.computed {
                    rules.push(DerivedRule::Ratio {
                        percent: ind.code.clone(),
                        numerator: n.clone(),
                        denominator: d.clone(),
                    });
                }
                if !rules.iter().any(|r| {
                    matches!(r, DerivedRule::NumeratorAtMost { numerator, denominator }
                        if numerator == n && denominator == d)
                }) {
                    rules.push(DerivedRule::NumeratorAtMost {
                        numerator: n.clone(),
                        denominator: d.clone(),
                    });
                }
            }
            let (min, max) = self.bounds(ind);
            if ind.kind.is_numeric() && !ind.is_formula() && (min.is_some() || max.is_some()) {
                rules.push(DerivedRule::Bounds {
                    code: ind.code.clone(),
                    min,
                    max,
                });
            }
        }
        rules
    }

    /// Plausible bounds of the numeric input chỉ tiêu, in catalogue order:
    /// the catalogue-wide one of each chỉ tiêu without a declared `max`,
    /// then its `plausible_max_of`.
    pub fn plausible_bounds(&self) -> Vec<PlausibleBound> {
        let p = &self.plausible;
        let by_measure: BTreeMap<String, f64> = p
            .measure_max
            .iter()
            .map(|(m, v)| (crate::text::fold_ascii(m), *v))
            .collect();
        let mut out = Vec::new();
        for ind in &self.indicators {
            if !matches!(ind.kind, IndicatorKind::Count | IndicatorKind::Quantity) {
                continue;
            }
            if ind.max.is_none() {
                let bound = match by_measure.get(&crate::text::fold_ascii(&ind.measure)) {
                    Some(max) => Some((*max, ind.measure.clone())),
                    None if ind.kind == IndicatorKind::Count => Some((p.count_max, String::new())),
                    None => None,
                };
                if let Some((max, measure)) = bound {
                    out.push(PlausibleBound::Max {
                        code: ind.code.clone(),
                        max,
                        measure,
                        severity: p.severity,
                    });
                }
            }
            if !ind.plausible_max_of.is_empty() {
                out.push(PlausibleBound::SumOf {
                    code: ind.code.clone(),
                    of: ind.plausible_max_of.clone(),
                    severity: p.derived_severity,
                });
            }
        }
        out
    }

    /// Effective bounds: declared ones, else 0 ≤ count/quantity and
    /// 0 ≤ percent ≤ 100.
    pub fn bounds(&self, ind: &Indicator) -> (Option<f64>, Option<f64>) {
        let (dmin, dmax) = match ind.kind {
            IndicatorKind::Count | IndicatorKind::Quantity => (Some(0.0), None),
            IndicatorKind::Percent => (Some(0.0), Some(100.0)),
            _ => (None, None),
        };
        (ind.min.or(dmin), ind.max.or(dmax))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_loads_and_has_every_outline_section() {
        let c = Catalog::embedded();
        for r in [
            "I.1", "I.2", "II.1.1", "II.1.2", "II.1.3", "II.1.4", "II.2.1", "II.2.2", "II.2.3",
            "II.2.4", "II.2.5", "II.2.6", "II.2.7", "III.1", "III.2", "III.3", "IV.1", "IV.2", "V",
        ] {
            assert!(
                c.indicators.iter().any(|i| i.outline_ref.starts_with(r)),
                "no indicator for outline item {r}"
            );
        }
        assert_eq!(c.hash.len(), 64);
    }

    #[test]
    fn the_ids_code_names_are_in_the_embedded_catalogue() {
        let c = Catalog::embedded();
        let types: Vec<&str> = c.unit_types.iter().map(|t| t.id.as_str()).collect();
        assert!(types.contains(&de_an_241::XA_PHUONG));
        assert!(types.contains(&de_an_241::CHI_BO_CO_SO));
        assert!(types.contains(&UPPER_LEVEL_TYPE));
        let key_in =
            |set: &str, key: &str| c.column_sets[set].columns.iter().any(|col| col.key == key);
        assert!(key_in("nam_so_sanh", de_an_241::BEFORE_PERIOD));
        assert!(key_in("giai_doan", de_an_241::BEFORE_PERIOD));
        assert!(key_in("thoi_diem_so_sanh", de_an_241::BEFORE_DATE));
        let chi_bo: Vec<&str> = c
            .unit_types
            .iter()
            .filter(|t| t.is_chi_bo())
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(chi_bo, [de_an_241::CHI_BO_CO_SO]);
    }
}
