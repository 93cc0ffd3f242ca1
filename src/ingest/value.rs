//! Reading one cell's value as the catalogue expects it: numbers typed as
//! text with Vietnamese separators, "85%", a fraction in a percentage cell,
//! "25 người", yes/no, dates. Every conversion of text to a number is
//! reported (cảnh báo); anything ambiguous is a lỗi, never a silent guess.

use calamine::Data;
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

use crate::catalog::{ColumnKind, IndicatorKind, Severity};
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
    Text(String),
    Date(NaiveDate),
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

/// Parse a number typed as text: "1.234", "1 234", "12,5", "1.234,5".
/// Returns `Err` with the reason when the text is ambiguous ("1,234":
/// 1.234 or 1234?) or not a number.
pub fn parse_vi_number(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, s.strip_prefix('+').unwrap_or(s).trim()),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let plain = |t: &str| t.parse::<f64>().map_err(|_| "không phải là số".to_string());
    if body.chars().all(|c| c.is_ascii_digit()) && !body.is_empty() {
        return plain(body).map(|v| sign * v);
    }
    if THOUSANDS_DOT.is_match(body) {
        return plain(&body.replace('.', "")).map(|v| sign * v);
    }
    if THOUSANDS_DOT_DECIMAL_COMMA.is_match(body) {
        return plain(&body.replace('.', "").replace(',', ".")).map(|v| sign * v);
    }
    if THOUSANDS_SPACE.is_match(body) {
        return plain(&body.replace(' ', "").replace(',', ".")).map(|v| sign * v);
    }
    if THOUSANDS_COMMA_DECIMAL_DOT.is_match(body) {
        return plain(&body.replace(',', "")).map(|v| sign * v);
    }
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    if commas == 1 && dots == 0 {
        let (a, b) = body.split_once(',').expect("one comma");
        if b.len() == 3 && !a.is_empty() && a.len() <= 3 && a != "0" {
            return Err(format!(
                "không rõ là {a},{b} (số thập phân) hay {a}{b} (phân cách hàng nghìn kiểu Anh)"
            ));
        }
        return plain(&body.replace(',', ".")).map(|v| sign * v);
    }
    if dots == 1 && commas == 0 {
        return plain(body).map(|v| sign * v);
    }
    Err("không phải là số".to_string())
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

/// Read a cell of a numeric indicator (count, quantity, percent).
/// `percent_format`: the cell's number format is a percentage (xlsx
/// style), so a stored 0.85 means 85%.
pub fn read_number(data: &Data, kind: IndicatorKind, percent_format: bool) -> Reading {
    let integral = |v: f64, raw: &str| -> Option<Reading> {
        if kind == IndicatorKind::Count && v.fract().abs() > 1e-9 {
            Some(unreadable(
                raw,
                "không phải số nguyên, chỉ tiêu này đếm số lượng.".to_string(),
                "số nguyên ≥ 0",
            ))
        } else {
            None
        }
    };
    match data {
        Data::Empty => ok(Value::Blank),
        Data::Int(i) => ok(Value::Number(*i as f64)),
        Data::Float(f) => {
            let f = *f;
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
            if let Some(r) = integral(f, &number_vi_raw(f)) {
                return r;
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
        Data::String(raw) => read_number_text(raw, kind),
    }
}

fn number_vi_raw(f: f64) -> String {
    let s = format!("{f}");
    s.replace('.', ",")
}

fn read_number_text(raw: &str, kind: IndicatorKind) -> Reading {
    let s = raw.replace(['\u{a0}', '\u{202f}', '\u{2007}'], " ");
    let s = s.trim();
    if let Some(v) = blank_or_na(s) {
        return ok(v);
    }
    let Some(caps) = UNIT_SUFFIX.captures(s) else {
        return unreadable(raw, "không phải là số.".to_string(), "một số");
    };
    let number = caps.get(1).map_or("", |m| m.as_str()).trim();
    let suffix = caps.get(2).map(|m| m.as_str().trim());
    let value = match parse_vi_number(number) {
        Ok(v) => v,
        Err(why) => {
            return unreadable(
                raw,
                format!("{why}; ghi lại bằng chữ số."),
                "một số rõ ràng",
            )
        }
    };
    if kind == IndicatorKind::Count && value.fract().abs() > 1e-9 {
        return unreadable(
            raw,
            "không phải số nguyên, chỉ tiêu này đếm số lượng.".to_string(),
            "số nguyên ≥ 0",
        );
    }
    let how = match suffix {
        Some("%") if kind == IndicatorKind::Percent => "là văn bản có dấu %".to_string(),
        Some("%") => {
            return unreadable(
                raw,
                "có dấu % nhưng chỉ tiêu này không phải tỷ lệ.".to_string(),
                "một số",
            )
        }
        Some(unit) => format!("là văn bản kèm đơn vị \"{unit}\""),
        None => "là số nhập dạng văn bản".to_string(),
    };
    converted(value, raw, &how)
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
                    value: Some(Value::Text(unicode)),
                },
                None => ok(Value::Text(t)),
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
        Data::Float(f) if f.fract() == 0.0 => ok(Value::Text(format!("{f:.0}"))),
        other => ok(Value::Text(other.to_string())),
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

/// Read a cell for an indicator of `kind` in a column of `column_kind`.
pub fn read_cell(
    data: &Data,
    kind: IndicatorKind,
    column_kind: ColumnKind,
    percent_format: bool,
) -> Reading {
    match (column_kind, kind) {
        (ColumnKind::Date, _) => read_date(data),
        (ColumnKind::Text, _) | (_, IndicatorKind::Text | IndicatorKind::List) => read_text(data),
        (_, IndicatorKind::YesNo) => read_yes_no(data),
        _ => read_number(data, kind, percent_format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str, kind: IndicatorKind) -> (Option<f64>, Option<Severity>) {
        let r = read_number(&Data::String(s.into()), kind, false);
        let v = match r.value {
            Some(Value::Number(n)) => Some(n),
            _ => None,
        };
        (v, r.note.map(|n| n.severity))
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
        let r = read_number(&Data::Float(0.85), IndicatorKind::Percent, true);
        assert_eq!(r.value, Some(Value::Number(85.0)));
        assert_eq!(r.note.unwrap().severity, Severity::CanhBao);
        let r = read_number(&Data::Float(85.0), IndicatorKind::Percent, false);
        assert_eq!(r.value, Some(Value::Number(85.0)));
        assert!(r.note.is_none());
    }

    #[test]
    fn message_quotes_the_value() {
        let r = read_number(&Data::String("1.234".into()), IndicatorKind::Count, false);
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
}
