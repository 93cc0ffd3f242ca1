//! A catalogue file that does not parse (TOML or JSON syntax, a missing or
//! unknown field, a value of the wrong type, a rule without the fields its
//! `kind` needs): the line and column, the text of that line and one
//! Vietnamese sentence. The parsers' own messages are English, so they are
//! translated here and never shown. Any TOML file the tool reads (the
//! round settings too) can use [`SyntaxError::from_toml`].

use std::fmt;

/// Whether a catalogue text is JSON (what `tonghop catalog --format json`
/// writes): it opens with `{`, which a TOML document never does.
pub(super) fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Where a TOML or JSON text does not read, and why, in Vietnamese.
/// Displayed as "dòng 12, cột 5: <message>" and the line's text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line and column (in characters) of the problem; 0 when
    /// the parser gave none.
    pub line: usize,
    pub column: usize,
    /// What is wrong, one Vietnamese sentence, led by the catalogue item
    /// it is in when known ("quy tắc R05: …").
    pub message: String,
    /// The text of that line, quoted under the message.
    pub excerpt: String,
}

impl SyntaxError {
    /// A TOML parse or deserialisation error of `text`.
    pub fn from_toml(e: &toml::de::Error, text: &str) -> SyntaxError {
        let span = e.span();
        let (line, column) = span.as_ref().map_or((0, 0), |s| line_column(text, s.start));
        let mut message = translate(e.message(), Format::Toml);
        if let Some(item) = span.and_then(|s| item_of(table_around(text, s.start))) {
            message = format!("{item}: {message}");
        }
        SyntaxError {
            line,
            column,
            message,
            excerpt: line_text(text, line),
        }
    }

    /// A JSON parse or deserialisation error of `text`.
    pub fn from_json(e: &serde_json::Error, text: &str) -> SyntaxError {
        let full = e.to_string();
        // serde_json appends " at line L column C" to its message.
        let message = match full.rfind(" at line ") {
            Some(i) => &full[..i],
            None => full.as_str(),
        };
        SyntaxError {
            line: e.line(),
            column: e.column(),
            message: translate(message, Format::Json),
            excerpt: line_text(text, e.line()),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return f.write_str(&self.message);
        }
        write!(
            f,
            "dòng {}, cột {}: {}",
            self.line, self.column, self.message
        )?;
        if !self.excerpt.trim().is_empty() {
            let shown: String = self.excerpt.trim_end().chars().take(120).collect();
            write!(f, "\n    {} | {shown}", self.line)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Json,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The text of 1-based line `line`, or "" when there is none.
fn line_text(text: &str, line: usize) -> String {
    match line.checked_sub(1) {
        Some(i) => text.lines().nth(i).unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// The lines of the TOML table (`[…]` or `[[…]]` up to the next header)
/// holding byte `offset`; "" at the top level.
fn table_around(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let is_header = |line: &str| line.trim_start().starts_with('[');
    let mut start = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > offset && start.is_some() && is_header(line) {
            return &text[start.unwrap_or(0)..pos];
        }
        if pos <= offset && is_header(line) {
            start = Some(pos);
        }
        pos += line.len();
    }
    start.map_or("", |s| &text[s..])
}

/// The catalogue item a TOML table describes, by its header and its
/// `id = "…"` or `code = "…"`: "quy tắc R01", "chỉ tiêu 05.03", "biểu
/// B02", "bộ cột nam"; as the locations of [`super::validate`] read.
fn item_of(table: &str) -> Option<String> {
    let mut lines = table.lines();
    let header = lines.next()?.trim();
    let name = header.trim_matches(|c| c == '[' || c == ']').trim();
    let value = |key: &str| {
        table.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let what = match name {
        "rules" => "quy tắc",
        "indicators" => return value("code").map(|c| format!("chỉ tiêu {c}")),
        "groups" => "biểu",
        "outline" => "đề mục đề cương",
        "unit_types" => "loại đơn vị",
        _ => {
            return match name.strip_prefix("column_sets.") {
                Some(set) => Some(format!("bộ cột {set}")),
                None if name == "plausible" || name.starts_with("plausible.") => {
                    Some("mục [plausible]".to_string())
                }
                // Other tables (`[cap_tren]`, `[[files]]` of the round
                // settings): by their header.
                None if !name.is_empty() => Some(format!("mục {header}")),
                None => None,
            };
        }
    };
    value("id").map(|id| format!("{what} {id}"))
}

/// The parser's English message in Vietnamese.
fn translate(message: &str, format: Format) -> String {
    let message = message.trim();
    // Our own deserializers (dates, …) already speak Vietnamese: letters
    // of Vietnamese outside the quoted values.
    let unquoted: String = message
        .split('"')
        .step_by(2)
        .flat_map(|part| part.split('`').step_by(2))
        .collect();
    if unquoted
        .chars()
        .any(|c| matches!(c, 'ă' | 'â' | 'đ' | 'ê' | 'ô' | 'ơ' | 'ư' | 'ạ'..='ỹ'))
    {
        return message.to_string();
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = first_quoted(rest);
        return match field.as_str() {
            "kind" => "thiếu trường `kind` (loại quy tắc: sum, sum_at_most hoặc at_most).".into(),
            "total" | "parts" => format!(
                "thiếu trường `{field}`: quy tắc cộng (sum, sum_at_most) cần total (mã số của tổng) và parts (mã số các thành phần)."
            ),
            "left" | "right" => format!(
                "thiếu trường `{field}`: quy tắc so sánh (at_most) cần left (mã số vế nhỏ hơn) và right (mã số vế lớn hơn)."
            ),
            _ => format!("thiếu trường bắt buộc `{field}`."),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = first_quoted(rest);
        let allowed = expected_list(rest);
        return match (allowed.is_empty(), closest(&field, &allowed)) {
            (true, _) => format!("trường `{field}` không dùng ở đây."),
            (false, Some(near)) => format!(
                "trường `{field}` không dùng ở đây: có phải ý bạn là `{near}`? (các trường được dùng: {}).",
                allowed.join(", ")
            ),
            (false, None) => format!(
                "trường `{field}` không dùng ở đây; các trường được dùng: {}.",
                allowed.join(", ")
            ),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = first_quoted(rest);
        let allowed = expected_list(rest);
        return format!(
            "giá trị \"{value}\" không hợp lệ; cần một trong: {}.",
            allowed.join(", ")
        );
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        return format!("trường `{}` được ghi hai lần.", first_quoted(rest));
    }
    for (prefix, what) in [
        ("invalid type: ", "sai kiểu"),
        ("invalid value: ", "không hợp lệ"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            return format!(
                "giá trị {what}: ghi {}, cần {}.",
                unexpected_vi(found),
                expected_vi(expected)
            );
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let (n, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("có {n} phần tử, cần {}.", expected_vi(expected));
    }
    if message.starts_with("duplicate key") {
        return "khóa này đã được ghi ở trên (mỗi khóa chỉ ghi một lần trong một bảng).".into();
    }
    match format {
        Format::Toml => toml_syntax(message),
        Format::Json => json_syntax(message),
    }
}

/// TOML syntax errors (toml_parser's descriptions).
fn toml_syntax(message: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "string values must be quoted",
            "văn bản phải đặt trong ngoặc kép (ví dụ title = \"Tổng kết\"; ngày cũng vậy: deadline = \"20/6/2021\")",
        ),
        (
            "invalid literal string",
            "chuỗi trong dấu nháy đơn thiếu dấu ' đóng",
        ),
        (
            "unquoted keys cannot be empty",
            "thiếu tên khóa trước dấu \"=\"",
        ),
        ("unclosed array table", "thiếu \"]]\" đóng tên bảng [[…]]"),
        (
            "invalid date-time",
            "ngày giờ viết sai (dạng 2021-06-20; ngày kiểu 20/6/2021 phải đặt trong ngoặc kép)",
        ),
        (
            "unexpected leading zero",
            "số không được bắt đầu bằng chữ số 0",
        ),
        (
            "invalid comment character",
            "chú thích chứa ký tự không được phép",
        ),
        ("unclosed table", "thiếu \"]\" đóng tên bảng […]"),
        ("unclosed array", "thiếu \"]\" đóng danh sách"),
        ("unclosed inline table", "thiếu \"}\" đóng bảng { … }"),
        (
            "missing comma between array elements",
            "thiếu dấu phẩy giữa các phần tử của danh sách",
        ),
        (
            "missing comma between key-value pairs",
            "thiếu dấu phẩy giữa các cặp khóa = giá trị",
        ),
        (
            "missing assignment between key-value pairs",
            "thiếu dấu \"=\" giữa khóa và giá trị",
        ),
        (
            "key with no value",
            "khóa chưa có giá trị (thiếu \"= giá trị\")",
        ),
        ("missing value", "thiếu giá trị sau dấu \"=\""),
        ("extra comma", "thừa dấu phẩy"),
        ("extra `=`", "thừa dấu \"=\""),
        (
            "invalid basic string",
            "chuỗi trong ngoặc kép viết sai (thiếu dấu \" đóng hoặc ký tự \\ sai)",
        ),
        ("invalid string", "chuỗi viết sai (thiếu dấu ngoặc kép)"),
        (
            "invalid float",
            "số thập phân viết sai (TOML dùng dấu chấm: 0.5)",
        ),
        ("invalid integer", "số nguyên viết sai"),
        (
            "invalid boolean",
            "giá trị đúng/sai phải là true hoặc false",
        ),
        ("invalid key", "tên khóa viết sai"),
        (
            "invalid unquoted key",
            "tên khóa có ký tự không được phép (hãy đặt trong ngoặc kép)",
        ),
        ("invalid table", "tên bảng viết sai"),
        (
            "unexpected content",
            "có nội dung thừa sau giá trị (mỗi dòng một cặp khóa = giá trị)",
        ),
        (
            "unexpected key or value",
            "có nội dung thừa sau giá trị (mỗi dòng một cặp khóa = giá trị)",
        ),
        ("invalid value", "giá trị viết sai"),
    ];
    let found = KNOWN
        .iter()
        .find(|(en, _)| message.starts_with(en))
        .map_or("nội dung không đúng cú pháp TOML", |(_, vi)| vi);
    format!("{found}.")
}

/// JSON syntax errors (serde_json's messages).
fn json_syntax(message: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "EOF while parsing",
            "tệp JSON kết thúc giữa chừng (thiếu dấu đóng } hoặc ])",
        ),
        ("trailing comma", "thừa dấu phẩy trước dấu đóng"),
        ("trailing characters", "có nội dung thừa sau đối tượng JSON"),
        (
            "key must be a string",
            "tên trường phải đặt trong ngoặc kép",
        ),
        ("expected `:`", "thiếu dấu \":\" sau tên trường"),
        ("expected `,` or `}`", "thiếu dấu phẩy hoặc dấu }"),
        ("expected `,` or `]`", "thiếu dấu phẩy hoặc dấu ]"),
        ("expected value", "thiếu giá trị hoặc giá trị viết sai"),
        ("invalid number", "số viết sai"),
        (
            "control character",
            "chuỗi chứa ký tự điều khiển (xuống dòng trong ngoặc kép)",
        ),
        ("invalid escape", "ký tự \\ trong chuỗi viết sai"),
    ];
    let found = KNOWN
        .iter()
        .find(|(en, _)| message.starts_with(en))
        .map_or("nội dung không đúng cú pháp JSON", |(_, vi)| vi);
    format!("{found}.")
}

/// The allowed name closest to a misspelt `name` ("dealine" →
/// "deadline"), when it is near enough to be meant: at most 1 edit for
/// names up to 4 letters, 2 up to 8, 3 beyond (Damerau–Levenshtein,
/// case-insensitive).
pub fn closest<'a>(name: &str, allowed: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = match lower.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(&lower, &a.to_lowercase()), a))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.as_str())
}

/// Deserialize a TOML text, reporting every problem of the file at once,
/// each with its line: all syntax errors (the parser recovers); else
/// every unknown key, value of the wrong type and missing key. After a
/// problem the offending lines (a key, or a `[[…]]` table lacking a key)
/// are blanked and the text read again, so later problems are found too;
/// a key reported misspelt or wrong is not reported missing as well.
///
/// # Errors
/// The problems in file order (at most 50).
pub fn from_toml_all<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Vec<SyntaxError>> {
    let (_, syntax) = toml::de::DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let mut out: Vec<SyntaxError> = syntax
            .iter()
            .map(|e| SyntaxError::from_toml(e, text))
            .collect();
        out.dedup_by(|a, b| a.line == b.line && a.message == b.message);
        return Err(out);
    }
    let mut work = text.as_bytes().to_vec();
    let mut errors: Vec<SyntaxError> = Vec::new();
    // Keys already reported (misspelt, wrong value): not "missing" too.
    let mut covered: Vec<String> = Vec::new();
    for _ in 0..50 {
        let current = String::from_utf8(work.clone()).expect("only ASCII spaces written");
        if !errors.is_empty() && toml::de::DeTable::parse(&current).is_err() {
            // Blanking broke the text (a value running over several
            // lines): what follows would be our own doing.
            break;
        }
        let e = match toml::from_str::<T>(&current) {
            Ok(v) if errors.is_empty() => return Ok(v),
            Ok(_) => break,
            Err(e) => e,
        };
        let raw = e.message().trim().to_string();
        if let Some(rest) = raw.strip_prefix("missing field ") {
            let field = first_quoted(rest);
            let span = e
                .span()
                .filter(|s| !table_around(&current, s.start).is_empty());
            if covered.contains(&field) {
                // Reported as misspelt or wrong already; the text cannot
                // be read further without it.
                match span {
                    Some(s) => blank_table(&mut work, s.start),
                    None => break,
                }
                continue;
            }
            let mut err = SyntaxError::from_toml(&e, text);
            if span.is_none() {
                // The top-level table: no useful position.
                err.line = 0;
                err.column = 0;
                err.message = format!("thiếu khóa bắt buộc `{field}` (ghi `{field} = …`).");
            }
            errors.push(err);
            match span {
                Some(s) => blank_table(&mut work, s.start),
                None => break,
            }
            continue;
        }
        let Some(span) = e.span() else {
            errors.push(SyntaxError::from_toml(&e, text));
            break;
        };
        let err = SyntaxError::from_toml(&e, text);
        if let Some(rest) = raw.strip_prefix("unknown field ") {
            let allowed = expected_list(rest);
            if let Some(near) = closest(&first_quoted(rest), &allowed) {
                covered.push(near.to_string());
            }
        }
        if let Some(key) = key_of_line(&current, span.start) {
            covered.push(key);
        }
        let before = work.clone();
        let mut end = blank_lines(&mut work, span.start, span.end);
        // A value running over several lines (an array): blank its other
        // lines too, up to where the text reads again.
        for _ in 0..500 {
            let Ok(t) = std::str::from_utf8(&work) else {
                break;
            };
            if end >= work.len() || toml::de::DeTable::parse(t).is_ok() {
                break;
            }
            end = blank_lines(&mut work, end + 1, end + 1);
        }
        errors.push(err);
        if work == before {
            break;
        }
    }
    errors.sort_by_key(|e| (e.line == 0, e.line, e.column));
    Err(errors)
}

/// Where `key = …` is written in `table` (`""`: the top level, before
/// any `[table]` header; `"cap_tren"`: under `[cap_tren]`): 1-based line
/// and column of the key.
pub fn key_position(text: &str, table: &str, key: &str) -> Option<(usize, usize)> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            current = t
                .trim_end()
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        if current == table && k.trim().trim_matches('"') == key {
            let column = line.chars().count() - t.chars().count() + 1;
            return Some((i + 1, column));
        }
    }
    None
}

impl SyntaxError {
    /// A problem with the value of `key` in `table` (see
    /// [`key_position`]), placed at the key's line when it is written.
    pub fn at_key(text: &str, table: &str, key: &str, message: String) -> SyntaxError {
        let (line, column) = key_position(text, table, key).unwrap_or((0, 0));
        SyntaxError {
            line,
            column,
            message,
            excerpt: line_text(text, line),
        }
    }
}

/// The key of the `key = value` line holding byte `offset`.
fn key_of_line(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let last = key.rsplit('.').next()?.trim().trim_matches('"');
    (!last.is_empty() && !last.starts_with('[')).then(|| last.to_string())
}

/// Blank (with spaces, keeping every byte offset and line) the whole
/// lines from the one holding `start` to the one holding `end`; returns
/// the offset of the end of the last line blanked (its newline).
fn blank_lines(work: &mut [u8], start: usize, end: usize) -> usize {
    let start = start.min(work.len());
    let end = end.max(start).min(work.len());
    let from = work[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let to = work[end.saturating_sub(1).max(from)..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(work.len(), |i| end.saturating_sub(1).max(from) + i);
    for b in &mut work[from..to] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    to
}

/// Blank the TOML table (header and body) holding byte `offset`.
fn blank_table(work: &mut [u8], offset: usize) {
    let text = String::from_utf8_lossy(work).into_owned();
    let table = table_around(&text, offset);
    if table.is_empty() {
        return;
    }
    let start = table.as_ptr() as usize - text.as_ptr() as usize;
    blank_lines(work, start, start + table.len());
}

/// The first `quoted` name of a serde message.
fn first_quoted(s: &str) -> String {
    s.split('`').nth(1).unwrap_or("").to_string()
}

/// The names after "expected" of a serde message ("expected one of `a`,
/// `b`" or "expected `a`"); empty for "there are no fields".
fn expected_list(s: &str) -> Vec<String> {
    let Some((_, list)) = s.split_once("expected") else {
        return Vec::new();
    };
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// serde's `Unexpected` ("string \"x\"", "integer `5`", …) in Vietnamese.
fn unexpected_vi(s: &str) -> String {
    let quoted = || first_quoted(s);
    if let Some(rest) = s.strip_prefix("string ") {
        format!("văn bản {rest}")
    } else if s.starts_with("integer") {
        format!("số nguyên {}", quoted())
    } else if s.starts_with("floating point") {
        format!("số {}", quoted())
    } else if s.starts_with("boolean") {
        format!("giá trị {}", quoted())
    } else if s.starts_with("sequence") || s.starts_with("array") {
        "một danh sách".into()
    } else if s.starts_with("map") || s.contains("table") {
        "một bảng".into()
    } else {
        "một giá trị khác".into()
    }
}

/// serde's "expected …" (a visitor's `expecting`) in Vietnamese.
fn expected_vi(s: &str) -> String {
    let s = s.trim();
    match s {
        "a string" | "a borrowed string" | "string" => "văn bản trong ngoặc kép".into(),
        "f64" | "f32" | "a float" => "một số".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "một số nguyên không âm".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "một số nguyên".into(),
        "a boolean" => "true hoặc false".into(),
        "a sequence" => "một danh sách [ … ]".into(),
        _ if s.starts_with("struct ") || s.contains("enum") || s == "a map" => {
            "một bảng (các cặp khóa = giá trị)".into()
        }
        _ => "một giá trị đúng kiểu".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_in_vietnamese() {
        assert_eq!(
            translate(
                "unknown field `left`, expected one of `id`, `total`, `parts`, `severity`, `label`",
                Format::Toml
            ),
            "trường `left` không dùng ở đây; các trường được dùng: id, total, parts, severity, label."
        );
        assert_eq!(
            translate(
                "unknown variant `sum_max`, expected one of `sum`, `sum_at_most`, `at_most`",
                Format::Toml
            ),
            "giá trị \"sum_max\" không hợp lệ; cần một trong: sum, sum_at_most, at_most."
        );
        assert_eq!(
            translate("invalid type: string \"năm\", expected f64", Format::Toml),
            "giá trị sai kiểu: ghi văn bản \"năm\", cần một số."
        );
        assert_eq!(
            translate("missing field `code`", Format::Json),
            "thiếu trường bắt buộc `code`."
        );
        assert_eq!(
            translate("something new", Format::Json),
            "nội dung không đúng cú pháp JSON."
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Demo {
        title: String,
        deadline: String,
        #[serde(default)]
        parts: Vec<String>,
    }

    #[test]
    fn every_problem_is_found_and_a_misspelt_key_is_not_also_missing() {
        let text = "title = 5\ndealine = \"x\"\npatrs = [\n  \"a\",\n  \"b\",\n]\n";
        let errors = from_toml_all::<Demo>(text).unwrap_err();
        let shown: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}", e.line, e.message))
            .collect();
        assert_eq!(
            shown,
            [
                "1:giá trị sai kiểu: ghi số nguyên 5, cần văn bản trong ngoặc kép.",
                "2:trường `dealine` không dùng ở đây: có phải ý bạn là `deadline`? (các trường được dùng: title, deadline, parts).",
                "3:trường `patrs` không dùng ở đây: có phải ý bạn là `parts`? (các trường được dùng: title, deadline, parts).",
            ]
        );
    }

    #[test]
    fn a_near_name_is_suggested_a_far_one_not() {
        let allowed: Vec<String> = ["deadline", "round_id", "units"].map(String::from).to_vec();
        assert_eq!(closest("dealine", &allowed), Some("deadline"));
        assert_eq!(closest("Round_ID", &allowed), Some("round_id"));
        assert_eq!(closest("unit", &allowed), Some("units"));
        assert_eq!(closest("catalog", &allowed), None);
    }

    #[test]
    fn positions_count_characters_from_one() {
        let text = "a = 1\nđề = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        let off = text.find('=').unwrap();
        assert_eq!(line_column(text, off), (1, 3));
        let off = text.rfind('"').unwrap();
        assert_eq!(line_column(text, off), (2, 8));
        assert_eq!(line_text(text, 2), "đề = \"x\"");
    }

    #[test]
    fn an_error_names_the_rule_or_indicator_it_is_in() {
        let text = "id = \"x\"\n[[rules]]\nid = \"R07\"\nkind = \"sum\"\n\n[[indicators]]\ncode = \"01.02\"\n";
        let at = |needle: &str| item_of(table_around(text, text.find(needle).unwrap()));
        assert_eq!(at("[[rules]]").as_deref(), Some("quy tắc R07"));
        assert_eq!(at("kind").as_deref(), Some("quy tắc R07"));
        assert_eq!(at("code").as_deref(), Some("chỉ tiêu 01.02"));
        assert_eq!(at("id = \"x\""), None);
    }
}
