//! Reading one cell's value as the catalogue expects it: numbers typed as
//! text with Vietnamese separators, "85%", a fraction in a percentage cell,
//! "25 người", yes/no, dates. Every conversion of text to a number is
//! reported (cảnh báo); anything ambiguous is a lỗi, never a silent guess.

use calamine::Data;
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

use crate::catalog::{ColumnKind, Indicator, IndicatorKind, Severity};
use crate::text::number_vi;

/// What a cell holds after reading.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Blank cell (no data reported).
    Blank,
    /// Marked "x" / "-": not applicable.
    NotApplicable,
    Number(f64),
    /// Yes (true) / no (false).
    YesNo(bool),
    Text(CellText),
    Date(NaiveDate),
}

/// The text of a cell, one pointer wide, so that a [`Value`] is 16 bytes
/// (a `String` would make it 24, and every record read 8 bytes larger);
/// shared, so that the consolidation's copy of an answer is the same text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellText(std::sync::Arc<Box<str>>);

impl CellText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for CellText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for CellText {
    fn from(s: String) -> CellText {
        CellText(std::sync::Arc::new(s.into_boxed_str()))
    }
}

impl From<&str> for CellText {
    fn from(s: &str) -> CellText {
        CellText(std::sync::Arc::new(s.into()))
    }
}

impl std::fmt::Debug for CellText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for CellText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// A note about how a value was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub severity: Severity,
    /// Built-in rule name (see `diagnostic::rules`).
    pub rule: &'static str,
    pub message: String,
    pub expected: String,
}

/// The value read and what happened on the way. `value` is `None` when the
/// cell could not be read (the note says why).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: Option<Value>,
    pub note: Option<Note>,
}

fn ok(value: Value) -> Reading {
    Reading {
        value: Some(value),
        note: None,
    }
}

fn converted(value: f64, raw: &str, how: &str) -> Reading {
    Reading {
        value: Some(Value::Number(value)),
        note: Some(Note {
            severity: Severity::CanhBao,
            rule: crate::diagnostic::rules::CONVERSION,
            message: format!(
                "giá trị \"{raw}\" {how}, đã đọc thành {}; nên nhập số trực tiếp.",
                number_vi(value)
            ),
            expected: number_vi(value),
        }),
    }
}

fn unreadable(raw: &str, why: String, expected: &str) -> Reading {
    Reading {
        value: None,
        note: Some(Note {
            severity: Severity::Loi,
            rule: crate::diagnostic::rules::UNREADABLE,
            message: format!("giá trị \"{raw}\" {why}"),
            expected: expected.to_string(),
        }),
    }
}

static UNIT_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([+\-]?[0-9][0-9.,\s]*)\s*(%|[\p{L}][\p{L}\s/,.]*)?$").expect("static regex")
});
static THOUSANDS_DOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(\.\d{3})+$").expect("static regex"));
static THOUSANDS_DOT_DECIMAL_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(\.\d{3})+,\d+$").expect("static regex"));
static THOUSANDS_COMMA_DECIMAL_DOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(,\d{3})+\.\d+$").expect("static regex"));
static THOUSANDS_SPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}( \d{3})+(,\d+)?$").expect("static regex"));
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$").expect("static regex")
});

/// Largest magnitude read from a cell (exclusive): from 10^15 on a number
/// is no figure of a report, and past 2^53 whole numbers stop being exact.
/// Plausible bounds of a round are the catalogue's (`[plausible]`,
/// checked in `check::bounds`); this one holds for every catalogue.
pub const MAX_READABLE: f64 = 1e15;

/// Why a cell is not read as a number (each one a lỗi: the unit retypes
/// the figure). Displays as the Vietnamese reason, after the quoted value.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberProblem {
    /// Not a number at all ("khoảng 20").
    NotANumber,
    /// "1,234": decimal comma (1,234) or English thousands (1234).
    CommaOrThousands { int: String, frac: String },
    /// "1.500" where decimals are allowed: Vietnamese thousands (1500) or
    /// an English decimal point (1,5), both plausible.
    DotOrThousands { thousands: String, decimal: String },
    /// "0.750.000", "0 750": a thousands group never follows a lone 0.
    LeadingZeroGroup,
    /// A fraction in a count.
    NotWhole,
    /// Infinite or not a number (an overflowing formula).
    NotFinite,
    /// |value| ≥ [`MAX_READABLE`].
    TooLarge,
    /// "%" in a cell that is not a percentage.
    PercentSign,
    /// A magnitude word ("nghìn", "triệu", …) in a percentage.
    MagnitudeInPercent { word: String },
    /// The typed unit word contradicts the chỉ tiêu's đơn vị tính ("20
    /// nghìn đồng" in a "người" cell).
    UnitMismatch { typed: String, measure: String },
}

impl std::fmt::Display for NumberProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberProblem::NotANumber => write!(f, "không phải là số."),
            NumberProblem::CommaOrThousands { int, frac } => write!(
                f,
                "không rõ là {int},{frac} (số thập phân) hay {int}{frac} (phân cách hàng nghìn kiểu Anh); ghi lại bằng chữ số."
            ),
            NumberProblem::DotOrThousands { thousands, decimal } => write!(
                f,
                "không rõ là {thousands} (dấu chấm phân cách hàng nghìn) hay {decimal} (dấu chấm thập phân kiểu Anh); ghi lại bằng chữ số, phần thập phân sau dấu phẩy."
            ),
            NumberProblem::LeadingZeroGroup => write!(
                f,
                "không phải số viết đúng cách: nhóm hàng nghìn không thể đứng sau một chữ số 0; ghi lại bằng chữ số."
            ),
            NumberProblem::NotWhole => {
                write!(f, "không phải số nguyên, chỉ tiêu này đếm số lượng.")
            }
            NumberProblem::NotFinite => write!(
                f,
                "không phải một số hữu hạn (công thức bị tràn số?); ghi lại số liệu."
            ),
            NumberProblem::TooLarge => write!(
                f,
                "quá lớn (từ 10^15 trở lên), không thể là số liệu báo cáo; kiểm tra lại."
            ),
            NumberProblem::PercentSign => {
                write!(f, "có dấu % nhưng chỉ tiêu này không phải tỷ lệ.")
            }
            NumberProblem::MagnitudeInPercent { word } => write!(
                f,
                "có chữ \"{word}\" nhưng chỉ tiêu này là tỷ lệ %; ghi lại tỷ lệ bằng chữ số."
            ),
            NumberProblem::UnitMismatch { typed, measure } => write!(
                f,
                "ghi đơn vị \"{typed}\", khác đơn vị tính \"{measure}\" của chỉ tiêu; ghi lại số theo đơn vị tính {measure}."
            ),
        }
    }
}

impl NumberProblem {
    /// What the cell should hold, for the "giá trị đúng" column.
    fn expected(&self) -> &'static str {
        match self {
            NumberProblem::NotWhole => "số nguyên ≥ 0",
            NumberProblem::CommaOrThousands { .. }
            | NumberProblem::DotOrThousands { .. }
            | NumberProblem::LeadingZeroGroup => "một số rõ ràng",
            NumberProblem::UnitMismatch { .. } => "số theo đơn vị tính của chỉ tiêu",
            _ => "một số",
        }
    }
}

/// A number read from text, kept exact as a plain decimal ("-1234.5") so
/// that a magnitude word shifts its decimal point, never multiplies a
/// rounded float.
#[derive(Debug, Clone, PartialEq)]
pub struct Decimal(String);

impl Decimal {
    fn new(plain: &str) -> Result<Decimal, NumberProblem> {
        plain
            .parse::<f64>()
            .map_err(|_| NumberProblem::NotANumber)?;
        // Normal form: no leading zeros, no trailing decimal zeros.
        Ok(Decimal(plain.to_string()).shift(0))
    }

    pub fn value(&self) -> f64 {
        self.0.parse().expect("checked on construction")
    }

    /// × 10^k, exactly.
    pub fn shift(&self, k: i32) -> Decimal {
        let (neg, body) = match self.0.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = format!("{int}{frac}");
        let point = int.len() as i64 + i64::from(k);
        let (int, frac) = if point <= 0 {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat((-point) as usize)),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{digits}{}", "0".repeat(point as usize - digits.len())),
                String::new(),
            )
        } else {
            (
                digits[..point as usize].to_string(),
                digits[point as usize..].to_string(),
            )
        };
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let frac = frac.trim_end_matches('0');
        let sign = if neg { "-" } else { "" };
        if frac.is_empty() {
            Decimal(format!("{sign}{int}"))
        } else {
            Decimal(format!("{sign}{int}.{frac}"))
        }
    }

    fn is_whole(&self) -> bool {
        !self.0.contains('.')
    }

    /// Vietnamese notation with every decimal kept: "1.234,0005".
    pub fn to_vi(&self) -> String {
        let (neg, body) = match self.0.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(ch);
        }
        if !frac.is_empty() {
            out.push(',');
            out.push_str(frac);
        }
        out
    }
}

/// How a typed number reads: one way, or two ("1.500": 1500 or 1,5),
/// which only the chỉ tiêu's kind can settle (a count is whole).
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    One(Decimal),
    /// The dot is a thousands separator (Vietnamese) or a decimal point
    /// (English).
    DotOrThousands {
        thousands: Decimal,
        decimal: Decimal,
    },
    /// "0.750": the dot can only be a decimal point, since a thousands
    /// group never follows a lone 0.
    DotDecimal(Decimal),
}

/// Parse a number typed as text: "1.234", "1 234", "12,5", "1.234,5",
/// "0.750" (0,75: a thousands group never follows a lone 0).
///
/// # Errors
/// The reason when the text is ambiguous ("1,234": 1,234 or 1234?), badly
/// grouped ("0.750.000") or not a number.
pub fn parse_vi_number(s: &str) -> Result<Parsed, NumberProblem> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, s.strip_prefix('+').unwrap_or(s).trim()),
    };
    let sign = if neg { "-" } else { "" };
    let plain = |t: &str| Decimal::new(&format!("{sign}{t}"));
    // A first group "0", "00", "012" cannot be followed by thousands groups.
    let zero_led = |t: &str| {
        let first: String = t.chars().take_while(char::is_ascii_digit).collect();
        first.starts_with('0')
    };
    if body.chars().all(|c| c.is_ascii_digit()) && !body.is_empty() {
        return plain(body).map(Parsed::One);
    }
    let grouped = THOUSANDS_DOT.is_match(body)
        || THOUSANDS_DOT_DECIMAL_COMMA.is_match(body)
        || THOUSANDS_SPACE.is_match(body)
        || THOUSANDS_COMMA_DECIMAL_DOT.is_match(body);
    if grouped && zero_led(body) {
        // "0.750" alone is a decimal point (below); "0.750.000", "0 750",
        // "0.750,5" are no number.
        let (a, b) = body.split_once('.').unwrap_or((body, ""));
        if a == "0" && b.len() == 3 && b.bytes().all(|c| c.is_ascii_digit()) {
            return plain(body).map(Parsed::DotDecimal);
        }
        return Err(NumberProblem::LeadingZeroGroup);
    }
    if THOUSANDS_DOT.is_match(body) {
        let thousands = plain(&body.replace('.', ""))?;
        if body.matches('.').count() == 1 {
            return Ok(Parsed::DotOrThousands {
                thousands,
                decimal: plain(body)?,
            });
        }
        return Ok(Parsed::One(thousands));
    }
    if THOUSANDS_DOT_DECIMAL_COMMA.is_match(body) {
        return plain(&body.replace('.', "").replace(',', ".")).map(Parsed::One);
    }
    if THOUSANDS_SPACE.is_match(body) {
        return plain(&body.replace(' ', "").replace(',', ".")).map(Parsed::One);
    }
    if THOUSANDS_COMMA_DECIMAL_DOT.is_match(body) {
        return plain(&body.replace(',', "")).map(Parsed::One);
    }
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    let digits_around = |sep: char| {
        body.split(sep)
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    };
    if commas == 1 && dots == 0 && digits_around(',') {
        let (a, b) = body.split_once(',').expect("one comma");
        if b.len() == 3 && a.len() <= 3 && !a.starts_with('0') {
            return Err(NumberProblem::CommaOrThousands {
                int: a.to_string(),
                frac: b.to_string(),
            });
        }
        return plain(&body.replace(',', ".")).map(Parsed::One);
    }
    if dots == 1 && commas == 0 && digits_around('.') {
        return plain(body).map(Parsed::One);
    }
    Err(NumberProblem::NotANumber)
}

/// Magnitude words and their power of ten, folded without diacritics:
/// trăm, nghìn/ngàn (k), triệu (tr), tỷ/tỉ.
const MAGNITUDES: [(&str, i32); 8] = [
    ("tram", 2),
    ("nghin", 3),
    ("ngan", 3),
    ("k", 3),
    ("trieu", 6),
    ("tr", 6),
    ("ty", 9),
    ("ti", 9),
];

/// Words naming money, taken as the "đồng" of a money đơn vị tính.
const MONEY_WORDS: [&str; 3] = ["dong", "d", "vnd"];

/// An đơn vị tính or a typed unit split into its magnitude (power of ten
/// of its leading magnitude words) and its words: "triệu đồng" → (6,
/// ["dong"]), "lượt người" → (0, ["luot", "nguoi"]).
fn split_unit(text: &str) -> (i32, Vec<String>) {
    let folded = crate::text::fold_ascii(text);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut exp = 0;
    let mut i = 0;
    while let Some((_, e)) = words
        .get(i)
        .and_then(|w| MAGNITUDES.iter().find(|(m, _)| m == w))
    {
        exp += e;
        i += 1;
    }
    (exp, words[i..].to_vec())
}

/// Whether typed unit words agree with the đơn vị tính's: every typed word
/// is one of its words ("người" in "lượt người"), or both name money.
fn unit_agrees(typed: &[String], measure: &[String]) -> bool {
    if typed.is_empty() || measure.is_empty() {
        return true;
    }
    if typed.iter().all(|w| measure.contains(w)) {
        return true;
    }
    measure.iter().any(|w| w == "dong") && typed.iter().all(|w| MONEY_WORDS.contains(&w.as_str()))
}

/// Whether a text cell means "not applicable" or is empty.
fn blank_or_na(s: &str) -> Option<Value> {
    match s {
        "" => Some(Value::Blank),
        "x" | "X" | "-" | "–" | "—" | "không áp dụng" | "Không áp dụng" => {
            Some(Value::NotApplicable)
        }
        _ => None,
    }
}

/// A number stored in a cell that is no figure (non-finite, absurdly
/// large).
fn out_of_range(v: f64) -> Option<NumberProblem> {
    if !v.is_finite() {
        Some(NumberProblem::NotFinite)
    } else if v.abs() >= MAX_READABLE {
        Some(NumberProblem::TooLarge)
    } else {
        None
    }
}

fn problem(raw: &str, p: NumberProblem) -> Reading {
    unreadable(raw, p.to_string(), p.expected())
}

/// Read a cell of a numeric indicator (count, quantity, percent) of
/// đơn vị tính `measure`. `percent_format`: the cell's number format is a
/// percentage (xlsx style), so a stored 0.85 means 85%.
pub fn read_number(
    data: &Data,
    kind: IndicatorKind,
    measure: &str,
    percent_format: bool,
) -> Reading {
    match data {
        Data::Empty => ok(Value::Blank),
        Data::Int(i) => {
            let v = *i as f64;
            match out_of_range(v) {
                Some(p) => problem(&i.to_string(), p),
                None => ok(Value::Number(v)),
            }
        }
        Data::Float(f) => {
            let f = *f;
            if let Some(p) = out_of_range(f) {
                return problem(&number_vi_raw(f), p);
            }
            if kind == IndicatorKind::Percent && (percent_format || (f > 0.0 && f < 1.0)) {
                let pct = (f * 100.0 * 1e9).round() / 1e9;
                let how = if percent_format {
                    "là ô định dạng phần trăm"
                } else {
                    "nhỏ hơn 1, được hiểu là tỷ lệ dạng thập phân"
                };
                let raw = number_vi_raw(f);
                return converted(pct, &raw, how);
            }
            if kind == IndicatorKind::Count {
                // A count a formula left at 17.0000000001 or 16.9999999999
                // (binary rounding) is 17; -1e-10 is 0 (never "-0").
                let whole = f.round();
                if (f - whole).abs() > 1e-9 {
                    return problem(&number_vi_raw(f), NumberProblem::NotWhole);
                }
                return ok(Value::Number(whole + 0.0));
            }
            ok(Value::Number(f))
        }
        Data::Bool(b) => unreadable(
            if *b { "TRUE" } else { "FALSE" },
            "là giá trị đúng/sai, không phải số.".to_string(),
            "một số",
        ),
        Data::DateTime(dt) => unreadable(
            &dt.to_string(),
            "là ngày tháng, không phải số (ô bị định dạng ngày?).".to_string(),
            "một số",
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            unreadable(s, "là ngày giờ, không phải số.".to_string(), "một số")
        }
        Data::Error(e) => Reading {
            value: None,
            note: Some(Note {
                severity: Severity::Loi,
                rule: crate::diagnostic::rules::ERROR_CELL,
                message: format!("ô báo lỗi {e}, không có số liệu."),
                expected: "một số".to_string(),
            }),
        },
        Data::String(raw) => read_number_text(raw, kind, measure),
    }
}

fn number_vi_raw(f: f64) -> String {
    let s = if f.is_finite() && f.abs() >= MAX_READABLE {
        format!("{f:e}")
    } else {
        format!("{f}")
    };
    s.replace('.', ",")
}

/// A number typed as text, with its separators, an optional "%", unit
/// words and magnitude words ("1,2 tỷ đồng"). Magnitude words convert
/// exactly to the chỉ tiêu's đơn vị tính (cảnh báo saying so); a unit word
/// that contradicts it, or a reading that could go two ways, is a lỗi.
fn read_number_text(raw: &str, kind: IndicatorKind, measure: &str) -> Reading {
    let s = raw.replace(['\u{a0}', '\u{202f}', '\u{2007}'], " ");
    let s = crate::text::nfc(s.trim());
    let s = s.as_str();
    if let Some(v) = blank_or_na(s) {
        return ok(v);
    }
    let Some(caps) = UNIT_SUFFIX.captures(s) else {
        return problem(raw, NumberProblem::NotANumber);
    };
    let number = caps.get(1).map_or("", |m| m.as_str()).trim();
    let suffix = caps
        .get(2)
        .map(|m| m.as_str().trim().trim_end_matches(['.', ',']).trim())
        .filter(|t| !t.is_empty());
    let parsed = match parse_vi_number(number) {
        Ok(p) => p,
        Err(why) => return problem(raw, why),
    };
    let percent_words = suffix.is_some_and(|t| crate::text::fold_ascii(t) == "phan tram");
    // Power of ten from the typed unit to the chỉ tiêu's đơn vị tính.
    let mut shift = 0;
    let mut how = match suffix {
        Some(_) if percent_words || suffix == Some("%") => {
            if kind != IndicatorKind::Percent {
                return problem(raw, NumberProblem::PercentSign);
            }
            "là văn bản có dấu %".to_string()
        }
        Some(unit) => {
            let (typed_exp, typed_words) = split_unit(unit);
            let (measure_exp, measure_words) = split_unit(measure);
            if kind == IndicatorKind::Percent && typed_exp != 0 {
                return problem(
                    raw,
                    NumberProblem::MagnitudeInPercent {
                        word: unit.to_string(),
                    },
                );
            }
            if !unit_agrees(&typed_words, &measure_words) {
                return problem(
                    raw,
                    NumberProblem::UnitMismatch {
                        typed: unit.to_string(),
                        measure: measure.to_string(),
                    },
                );
            }
            // A plain unit word ("người") means the đơn vị tính; a magnitude
            // or a money word ("500.000 đồng" in "triệu đồng") is converted.
            if typed_exp != 0 || (!typed_words.is_empty() && measure_exp != 0) {
                shift = typed_exp - measure_exp;
            }
            if shift == 0 {
                format!("là văn bản kèm đơn vị \"{unit}\"")
            } else {
                let factor = Decimal("1".into()).shift(shift.abs()).to_vi();
                format!(
                    "là văn bản kèm đơn vị \"{unit}\", đã đổi sang đơn vị tính \"{measure}\" của chỉ tiêu ({} {factor})",
                    if shift > 0 { "nhân" } else { "chia" }
                )
            }
        }
        None => "là số nhập dạng văn bản".to_string(),
    };
    let whole_wanted = kind == IndicatorKind::Count;
    let value = match parsed {
        Parsed::One(d) => d.shift(shift),
        Parsed::DotDecimal(d) => {
            how.push_str(", dấu chấm là dấu thập phân (nhóm hàng nghìn không đứng sau số 0)");
            d.shift(shift)
        }
        Parsed::DotOrThousands { thousands, decimal } => {
            let (t, d) = (thousands.shift(shift), decimal.shift(shift));
            // Only a count settles it: the decimal reading is not whole.
            if whole_wanted && t.is_whole() && !d.is_whole() {
                t
            } else {
                // The readings as typed, before any conversion.
                return problem(
                    raw,
                    NumberProblem::DotOrThousands {
                        thousands: thousands.to_vi(),
                        decimal: decimal.to_vi(),
                    },
                );
            }
        }
    };
    if whole_wanted && !value.is_whole() {
        return problem(raw, NumberProblem::NotWhole);
    }
    let v = value.value();
    if let Some(p) = out_of_range(v) {
        return problem(raw, p);
    }
    Reading {
        value: Some(Value::Number(v)),
        note: Some(Note {
            severity: Severity::CanhBao,
            rule: crate::diagnostic::rules::CONVERSION,
            message: format!(
                "giá trị \"{raw}\" {how}, đã đọc thành {}; nên nhập số trực tiếp.",
                value.to_vi()
            ),
            expected: value.to_vi(),
        }),
    }
}

/// Read a yes/no cell: "Có"/"Không" (any case, with or without
/// diacritics), 1/0.
pub fn read_yes_no(data: &Data) -> Reading {
    let raw = match data {
        Data::Empty => return ok(Value::Blank),
        Data::Bool(b) => return ok(Value::YesNo(*b)),
        Data::Int(1) => return ok(Value::YesNo(true)),
        Data::Int(0) => return ok(Value::YesNo(false)),
        Data::Float(f) if *f == 1.0 => return ok(Value::YesNo(true)),
        Data::Float(f) if *f == 0.0 => return ok(Value::YesNo(false)),
        other => other.to_string(),
    };
    let folded = crate::text::fold(&raw);
    match folded.as_str() {
        "" => ok(Value::Blank),
        "có" | "co" | "c" | "yes" => ok(Value::YesNo(true)),
        "không" | "khong" | "k" | "no" => ok(Value::YesNo(false)),
        "x" | "-" => ok(Value::NotApplicable),
        _ => unreadable(
            &raw,
            "không phải \"Có\" hoặc \"Không\".".to_string(),
            "Có hoặc Không",
        ),
    }
}

/// Read a text cell (narrative, list text columns): numbers become their
/// text, everything NFC.
pub fn read_text(data: &Data) -> Reading {
    match data {
        Data::Empty => ok(Value::Blank),
        Data::String(s) => {
            let t = crate::text::nfc(s.trim());
            if t.is_empty() {
                return ok(Value::Blank);
            }
            match crate::legacy::convert_if_legacy(&t) {
                Some((unicode, enc)) => Reading {
                    note: Some(Note {
                        severity: Severity::CanhBao,
                        rule: crate::diagnostic::rules::CONVERSION,
                        message: format!(
                            "văn bản gõ bằng bảng mã {} đã được chuyển sang Unicode: \"{}\"; nên gõ lại bằng Unicode.",
                            enc.label(),
                            short(&unicode)
                        ),
                        expected: short(&unicode),
                    }),
                    value: Some(Value::Text(unicode.into())),
                },
                None => ok(Value::Text(t.into())),
            }
        }
        Data::Error(e) => Reading {
            value: None,
            note: Some(Note {
                severity: Severity::Loi,
                rule: crate::diagnostic::rules::ERROR_CELL,
                message: format!("ô báo lỗi {e}, không có nội dung."),
                expected: "nội dung".to_string(),
            }),
        },
        Data::Float(f) if f.fract() == 0.0 => ok(Value::Text(format!("{f:.0}").into())),
        other => ok(Value::Text(other.to_string().into())),
    }
}

/// The first 60 characters of a text, for messages.
fn short(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        s.chars().take(59).collect::<String>() + "…"
    }
}

/// Read a date cell of a list table: a real date, or text "15/3/2017"
/// (converted, cảnh báo); other text is kept as text with a cảnh báo.
pub fn read_date(data: &Data) -> Reading {
    match data {
        Data::Empty => ok(Value::Blank),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => ok(Value::Date(d.date())),
            None => unreadable(
                &dt.to_string(),
                "không phải ngày hợp lệ.".into(),
                "ngày/tháng/năm",
            ),
        },
        Data::DateTimeIso(s) => {
            match NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d") {
                Ok(d) => ok(Value::Date(d)),
                Err(_) => unreadable(s, "không phải ngày hợp lệ.".into(), "ngày/tháng/năm"),
            }
        }
        Data::String(raw) => {
            let s = raw.trim();
            if s.is_empty() {
                return ok(Value::Blank);
            }
            if let Some(c) = DMY.captures(s) {
                let num = |i: usize| c[i].parse::<u32>().unwrap_or(0);
                if let Some(d) = NaiveDate::from_ymd_opt(num(3) as i32, num(2), num(1)) {
                    return Reading {
                        value: Some(Value::Date(d)),
                        note: Some(Note {
                            severity: Severity::CanhBao,
                            rule: crate::diagnostic::rules::CONVERSION,
                            message: format!(
                                "ngày \"{raw}\" nhập dạng văn bản, đã đọc thành {}.",
                                d.format("%d/%m/%Y")
                            ),
                            expected: d.format("%d/%m/%Y").to_string(),
                        }),
                    };
                }
            }
            unreadable(
                raw,
                "không phải ngày dạng ngày/tháng/năm.".into(),
                "ngày/tháng/năm",
            )
        }
        Data::Float(_) | Data::Int(_) => unreadable(
            &data.to_string(),
            "là số, không phải ngày.".into(),
            "ngày/tháng/năm",
        ),
        other => unreadable(
            &other.to_string(),
            "không phải ngày.".into(),
            "ngày/tháng/năm",
        ),
    }
}

/// Read a cell of chỉ tiêu `ind` in a column of `column_kind`.
pub fn read_cell(
    data: &Data,
    ind: &Indicator,
    column_kind: ColumnKind,
    percent_format: bool,
) -> Reading {
    let kind = ind.kind;
    match (column_kind, kind) {
        (ColumnKind::Date, _) => read_date(data),
        (ColumnKind::Text, _) | (_, IndicatorKind::Text | IndicatorKind::List) => read_text(data),
        (_, IndicatorKind::YesNo) => read_yes_no(data),
        _ => read_number(data, kind, &ind.measure, percent_format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str, kind: IndicatorKind) -> (Option<f64>, Option<Severity>) {
        let measure = match kind {
            IndicatorKind::Count => "người",
            IndicatorKind::Percent => "%",
            _ => "giờ",
        };
        num_in(s, kind, measure)
    }

    fn num_in(s: &str, kind: IndicatorKind, measure: &str) -> (Option<f64>, Option<Severity>) {
        let r = read_number(&Data::String(s.into()), kind, measure, false);
        let v = match r.value {
            Some(Value::Number(n)) => Some(n),
            _ => None,
        };
        (v, r.note.map(|n| n.severity))
    }

    /// A count stored with binary rounding noise is its whole number, on
    /// either side (was: 17.0000000001 summed as is, 16.9999999999 "không
    /// phải số nguyên", -1e-10 "số âm -0").
    #[test]
    fn a_count_with_rounding_noise_is_its_whole_number() {
        let read = |f: f64| {
            let r = read_number(&Data::Float(f), IndicatorKind::Count, "người", false);
            let v = match r.value {
                Some(Value::Number(n)) => Some(n),
                _ => None,
            };
            (v, r.note.map(|n| n.severity))
        };
        assert_eq!(read(17.000_000_000_1), (Some(17.0), None));
        assert_eq!(read(16.999_999_999_9), (Some(17.0), None));
        let (zero, note) = read(-1e-10);
        assert_eq!((zero, note), (Some(0.0), None));
        assert!(zero.unwrap().is_sign_positive());
        assert_eq!(read(17.5).1, Some(Severity::Loi));
        assert_eq!(read(17.000_001).1, Some(Severity::Loi));
    }

    #[test]
    fn vietnamese_separators_are_converted_with_a_warning() {
        use IndicatorKind::*;
        assert_eq!(num("1.234", Count), (Some(1234.0), Some(Severity::CanhBao)));
        assert_eq!(num("1 234", Count), (Some(1234.0), Some(Severity::CanhBao)));
        assert_eq!(
            num("1\u{a0}234", Count),
            (Some(1234.0), Some(Severity::CanhBao))
        );
        assert_eq!(num("12,5", Quantity), (Some(12.5), Some(Severity::CanhBao)));
        assert_eq!(
            num("1.234,5", Quantity),
            (Some(1234.5), Some(Severity::CanhBao))
        );
        assert_eq!(num("85%", Percent), (Some(85.0), Some(Severity::CanhBao)));
        assert_eq!(
            num("12,5 %", Percent),
            (Some(12.5), Some(Severity::CanhBao))
        );
        assert_eq!(
            num("25 người", Count),
            (Some(25.0), Some(Severity::CanhBao))
        );
    }

    #[test]
    fn ambiguous_or_wrong_text_is_an_error() {
        use IndicatorKind::*;
        assert_eq!(num("1,234", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("khoảng 20", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("12,5", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("85%", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("x", Count), (None, None));
    }

    #[test]
    fn fraction_in_a_percentage_cell_reads_as_percent() {
        let r = read_number(&Data::Float(0.85), IndicatorKind::Percent, "%", true);
        assert_eq!(r.value, Some(Value::Number(85.0)));
        assert_eq!(r.note.unwrap().severity, Severity::CanhBao);
        let r = read_number(&Data::Float(85.0), IndicatorKind::Percent, "%", false);
        assert_eq!(r.value, Some(Value::Number(85.0)));
        assert!(r.note.is_none());
    }

    #[test]
    fn message_quotes_the_value() {
        let r = read_number(
            &Data::String("1.234".into()),
            IndicatorKind::Count,
            "người",
            false,
        );
        assert_eq!(
            r.note.unwrap().message,
            "giá trị \"1.234\" là số nhập dạng văn bản, đã đọc thành 1.234; nên nhập số trực tiếp."
        );
    }

    #[test]
    fn yes_no_and_dates() {
        assert_eq!(
            read_yes_no(&Data::String("KHÔNG".into())).value,
            Some(Value::YesNo(false))
        );
        assert_eq!(
            read_yes_no(&Data::String("co".into())).value,
            Some(Value::YesNo(true))
        );
        assert_eq!(
            read_date(&Data::String("15/3/2017".into())).value,
            Some(Value::Date(NaiveDate::from_ymd_opt(2017, 3, 15).unwrap()))
        );
    }

    fn message(s: &str, kind: IndicatorKind, measure: &str) -> String {
        read_number(&Data::String(s.into()), kind, measure, false)
            .note
            .expect("a note")
            .message
    }

    /// Issue 10: "0.750" in 12.11 (triệu đồng) was read as 750, "0.500" /
    /// "0.050" in counts as 500 / 50.
    #[test]
    fn a_thousands_group_never_follows_a_lone_zero() {
        use IndicatorKind::*;
        assert_eq!(
            num_in("0.750", Quantity, "triệu đồng"),
            (Some(0.75), Some(Severity::CanhBao))
        );
        assert_eq!(
            message("0.750", Quantity, "triệu đồng"),
            "giá trị \"0.750\" là số nhập dạng văn bản, dấu chấm là dấu thập phân (nhóm hàng nghìn không đứng sau số 0), đã đọc thành 0,75; nên nhập số trực tiếp."
        );
        assert_eq!(num("0.500", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("0.050", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("0.750.000", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("0 750", Count), (None, Some(Severity::Loi)));
        assert_eq!(num("012.345", Count), (None, Some(Severity::Loi)));
        assert_eq!(
            num("0,750", Quantity),
            (Some(0.75), Some(Severity::CanhBao))
        );
    }

    /// "1.500" where decimals are allowed reads two ways: a lỗi naming both;
    /// in a count only 1500 is whole.
    #[test]
    fn a_dot_that_reads_two_ways_is_an_error() {
        use IndicatorKind::*;
        assert_eq!(
            num_in("1.500", Quantity, "triệu đồng"),
            (None, Some(Severity::Loi))
        );
        assert_eq!(
            message("1.500", Quantity, "triệu đồng"),
            "giá trị \"1.500\" không rõ là 1.500 (dấu chấm phân cách hàng nghìn) hay 1,5 (dấu chấm thập phân kiểu Anh); ghi lại bằng chữ số, phần thập phân sau dấu phẩy."
        );
        assert_eq!(num("12.500", Percent), (None, Some(Severity::Loi)));
        assert_eq!(num("1.500", Count), (Some(1500.0), Some(Severity::CanhBao)));
        assert_eq!(
            num("1.500.000", Quantity),
            (Some(1_500_000.0), Some(Severity::CanhBao))
        );
        assert_eq!(num("12.5", Quantity), (Some(12.5), Some(Severity::CanhBao)));
        // "1.500 nghìn" in a count: 1.500.000 or 1.500, both whole.
        assert_eq!(num("1.500 nghìn", Count), (None, Some(Severity::Loi)));
    }

    /// Issue 10: magnitude words were dropped ("1,2 tỷ đồng" read as 1,2).
    #[test]
    fn magnitude_words_convert_exactly_to_the_measure() {
        use IndicatorKind::*;
        let money = "triệu đồng";
        assert_eq!(
            num_in("1,2 tỷ đồng", Quantity, money),
            (Some(1200.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            message("1,2 tỷ đồng", Quantity, money),
            "giá trị \"1,2 tỷ đồng\" là văn bản kèm đơn vị \"tỷ đồng\", đã đổi sang đơn vị tính \"triệu đồng\" của chỉ tiêu (nhân 1.000), đã đọc thành 1.200; nên nhập số trực tiếp."
        );
        assert_eq!(
            num_in("1,2 tỉ", Quantity, money),
            (Some(1200.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("100 triệu", Quantity, money),
            (Some(100.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("2tr", Quantity, money),
            (Some(2.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("500 nghìn đồng", Quantity, money),
            (Some(0.5), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("500000 đồng", Quantity, money),
            (Some(0.5), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("750.000.000đ", Quantity, money),
            (Some(750.0), Some(Severity::CanhBao))
        );
        // One dot group in money reads two ways, converted or not.
        assert_eq!(
            num_in("500.000 đồng", Quantity, money),
            (None, Some(Severity::Loi))
        );
        assert_eq!(
            message("500.000 đồng", Quantity, money),
            "giá trị \"500.000 đồng\" không rõ là 500.000 (dấu chấm phân cách hàng nghìn) hay 500 (dấu chấm thập phân kiểu Anh); ghi lại bằng chữ số, phần thập phân sau dấu phẩy."
        );
        assert_eq!(
            num_in("1,2 ty dong", Quantity, money),
            (Some(1200.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("20 nghìn", Count, "người"),
            (Some(20000.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("20 ngàn người", Count, "người"),
            (Some(20000.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("2 triệu", Count, "lượt người"),
            (Some(2e6), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("5 trăm", Count, "người"),
            (Some(500.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("1,5 nghìn", Count, "người"),
            (Some(1500.0), Some(Severity::CanhBao))
        );
        // NFD input converts the same.
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("1,2 tỷ đồng").collect();
        assert_eq!(
            num_in(&nfd, Quantity, money),
            (Some(1200.0), Some(Severity::CanhBao))
        );
    }

    /// A unit word that contradicts the đơn vị tính, or a magnitude in a
    /// percentage, is a lỗi, never a guess.
    #[test]
    fn contradicting_unit_words_are_errors() {
        use IndicatorKind::*;
        assert_eq!(
            num_in("20 nghìn đồng", Count, "người"),
            (None, Some(Severity::Loi))
        );
        assert_eq!(
            message("20 nghìn đồng", Count, "người"),
            "giá trị \"20 nghìn đồng\" ghi đơn vị \"nghìn đồng\", khác đơn vị tính \"người\" của chỉ tiêu; ghi lại số theo đơn vị tính người."
        );
        assert_eq!(num_in("25 hộ", Count, "người"), (None, Some(Severity::Loi)));
        assert_eq!(num_in("2 triệu", Percent, "%"), (None, Some(Severity::Loi)));
        assert_eq!(
            num_in("0,5 người", Count, "người"),
            (None, Some(Severity::Loi))
        );
        assert_eq!(
            num_in("25 người", Count, "lượt người"),
            (Some(25.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("12 bài", Count, "tin, bài"),
            (Some(12.0), Some(Severity::CanhBao))
        );
        assert_eq!(
            num_in("85 phần trăm", Percent, "%"),
            (Some(85.0), Some(Severity::CanhBao))
        );
    }

    /// Issue 10: 10^15 people passed, 1e308 + 1e308 became "INF" in the
    /// outputs. Non-finite and absurd numbers are never read.
    #[test]
    fn non_finite_and_absurd_numbers_are_errors() {
        use IndicatorKind::*;
        for d in [
            Data::Float(1e308),
            Data::Float(f64::INFINITY),
            Data::Float(f64::NAN),
            Data::Float(1e15),
            Data::Int(1_000_000_000_000_000),
        ] {
            let r = read_number(&d, Count, "người", false);
            assert_eq!(r.value, None, "{d:?}");
            assert_eq!(r.note.unwrap().severity, Severity::Loi);
        }
        assert_eq!(
            num("1.000.000.000.000.000", Count),
            (None, Some(Severity::Loi))
        );
        assert_eq!(num("1 triệu tỷ", Count), (None, Some(Severity::Loi)));
        let r = read_number(&Data::Float(999_999_999_999_999.0), Count, "người", false);
        assert_eq!(r.value, Some(Value::Number(999_999_999_999_999.0)));
    }

    #[test]
    fn decimals_shift_exactly() {
        let d = |s: &str| Decimal(s.to_string());
        assert_eq!(d("1.2").shift(3), d("1200"));
        assert_eq!(d("500").shift(-6), d("0.0005"));
        assert_eq!(d("-0.75").shift(2), d("-75"));
        assert_eq!(d("1234.5").shift(-1), d("123.45"));
        assert_eq!(d("1200").shift(0), d("1200"));
        assert_eq!(d("1234567.0005").to_vi(), "1.234.567,0005");
    }
}
