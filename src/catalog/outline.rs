//! A draft catalogue from a đề cương báo cáo (`tonghop catalog
//! --from-outline DE-CUONG.txt|.docx`): the next round's outline arrives
//! as a Word file or plain text, and nobody writes a catalogue from
//! nothing. The draft is what a person finishes in the catalogue workbook
//! ([`super::workbook`]); every guess carries a note ([`Review`]).
//!
//! How the outline is read (shapes of `catalog/de-an-241.toml`):
//! - the numbered headings ("I.", "II.", "1.", "1.1.", also "1)" and
//!   "1.1)", typed or from Word's automatic numbering of the paragraph)
//!   are the outline references: "1.1." under "II." is `II.1.1`;
//!   every heading's reference is the `ref` of a biểu or chỉ tiêu, or the
//!   parent of some;
//! - an item asking for "số …", "số lượng …", "tổng số …" becomes a count
//!   (đơn vị tính guessed from its noun: người, hộ, lớp, buổi…; thời điểm
//!   for people and households, thời kỳ for events); "số liệu" alone a
//!   count to be named; "tỷ lệ % X", "X đạt …%", "số X, đạt tỷ lệ …%" a
//!   percentage computed from its tử số (Số X) and mẫu số (Tổng số of X's
//!   population), the three in one biểu;
//! - "nêu rõ số, nội dung và ngày tháng ban hành" a list biểu of documents;
//! - assessment (đánh giá, thuận lợi, khó khăn, ưu điểm, hạn chế,
//!   nguyên nhân, kinh nghiệm, nhiệm vụ, giải pháp, kiến nghị, đề xuất,
//!   kết quả, chất lượng, hiệu quả, hình thức…) and every item asking for
//!   no figure become narrative rows of the biểu "Thuyết minh";
//! - "giai đoạn 2016 - 2020" gives the years (2016 … 2020 with a total;
//!   31/12/2020 for thời điểm figures); a heading whose text compares
//!   ("so sánh với … trước khi …", "trước và sau") gets the before/after
//!   columns (2011 - 2015 beside the years, 31/12/2015 beside 31/12/2020).
//!
//! Text is matched after NFC, case folding and whitespace collapsing, so
//! NFD input, tabs and "1)" read as "1.".

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::workbook::Review;
use super::{
    Catalog, Column, ColumnKind, ColumnSet, Group, GroupKind, Indicator, IndicatorKind, Nature,
    Plausible,
};

/// Why an outline could not be drafted. The Display is the Vietnamese
/// message for the operator and names the file.
#[derive(Debug, thiserror::Error)]
pub enum OutlineError {
    #[error("không đọc được tệp đề cương {}: {}", .path.display(), crate::text::io_error_vi(.error))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("tệp đề cương {} không phải tệp Word .docx đọc được ({reason}); hãy lưu lại bằng Word dưới dạng .docx hoặc văn bản thuần .txt.", .path.display())]
    NotDocx { path: PathBuf, reason: String },
    #[error("tệp đề cương {} không phải văn bản (có ký tự không đọc được): hãy lưu đề cương dưới dạng Word .docx hoặc văn bản thuần .txt.", .path.display())]
    NotText { path: PathBuf },
    #[error("tệp đề cương {} không có đề mục đánh số nào (I., II., 1., 1.1. …): không lập được danh mục. Số của đề mục phải ở đầu dòng (gõ tay, hoặc đánh số tự động của Word đặt cho chính đoạn văn).", .path.display())]
    NoHeadings { path: PathBuf },
}

/// A numbered heading of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Outline reference, e.g. "II.2.2".
    pub reference: String,
    /// The heading's text after its number, e.g. "Tình hình chung: Số
    /// lượng đảng viên? …".
    pub text: String,
    /// Lines under it up to the next heading (bullets kept).
    pub body: Vec<String>,
}

/// A drafted catalogue with what to check.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Valid ([`super::validate`] finds nothing).
    pub catalog: Catalog,
    /// What a person should check, by item.
    pub review: Review,
    /// The headings found, in outline order.
    pub headings: Vec<Heading>,
}

/// Read an outline file: .docx (its paragraphs, by content, whatever the
/// extension) or text in any encoding [`crate::textfile`] reads; lines
/// in NFC.
///
/// # Errors
/// [`OutlineError::Io`] (missing, unreadable), [`OutlineError::NotDocx`]
/// (a zip that is not a Word document, or a damaged one),
/// [`OutlineError::NotText`] (binary bytes: a picture, a PDF, an old
/// .doc).
pub fn read_lines(path: &Path) -> Result<Vec<String>, OutlineError> {
    let bytes = std::fs::read(path).map_err(|error| OutlineError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let is_docx_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    let text = if bytes.starts_with(b"PK\x03\x04") || is_docx_name {
        docx_text(&bytes).map_err(|reason| OutlineError::NotDocx {
            path: path.to_path_buf(),
            reason,
        })?
    } else {
        let decoded = crate::textfile::decode(&bytes);
        if decoded.lossy || decoded.text.contains('\0') {
            return Err(OutlineError::NotText {
                path: path.to_path_buf(),
            });
        }
        decoded.text
    };
    Ok(crate::text::nfc(&text)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The value of attribute `key` of an element.
fn attr(e: &quick_xml::events::BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.to_string())
}

/// One level of a Word list (`w:abstractNum/w:lvl`): its start, format
/// (`decimal`, `upperRoman`, `bullet`, …) and text (`%1.%2.`).
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

/// Word's automatic numbering (`word/numbering.xml`): list id → its
/// abstract definition's levels; the counters of each abstract list.
#[derive(Debug, Default)]
struct Numbering {
    nums: BTreeMap<String, String>,
    levels: BTreeMap<(String, u32), Level>,
    counters: BTreeMap<String, Vec<u32>>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        use quick_xml::events::Event;
        let mut n = Numbering::default();
        let mut reader = quick_xml::Reader::from_str(xml);
        let (mut abs, mut num, mut lvl): (Option<String>, Option<String>, Option<u32>) =
            (None, None, None);
        while let Ok(ev) = reader.read_event() {
            let (e, start) = match &ev {
                Event::Start(e) => (e, true),
                Event::Empty(e) => (e, false),
                Event::End(e) => {
                    match e.name().as_ref() {
                        "w:abstractNum" => abs = None,
                        "w:num" => num = None,
                        "w:lvl" => lvl = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            match e.name().as_ref() {
                "w:abstractNum" if start => abs = attr(e, "w:abstractNumId"),
                "w:num" if start => num = attr(e, "w:numId"),
                "w:abstractNumId" => {
                    if let (Some(id), Some(a)) = (&num, attr(e, "w:val")) {
                        n.nums.insert(id.clone(), a);
                    }
                }
                "w:lvl" if start => lvl = attr(e, "w:ilvl").and_then(|v| v.parse().ok()),
                "w:start" | "w:numFmt" | "w:lvlText" => {
                    if let (Some(a), Some(l), Some(v)) = (&abs, lvl, attr(e, "w:val")) {
                        let level = n.levels.entry((a.clone(), l)).or_insert(Level {
                            start: 1,
                            ..Level::default()
                        });
                        match e.name().as_ref() {
                            "w:start" => level.start = v.parse().unwrap_or(1),
                            "w:numFmt" => level.format = v,
                            _ => level.text = v,
                        }
                    }
                }
                _ => {}
            }
        }
        n
    }

    /// The number Word shows before a paragraph of list `num_id` at
    /// level `ilvl` ("II. ", "1.1. ", "- " for a bullet), counting it.
    fn label(&mut self, num_id: &str, ilvl: u32) -> Option<String> {
        let abs = self.nums.get(num_id)?.clone();
        let level = self.levels.get(&(abs.clone(), ilvl))?.clone();
        if level.format == "bullet" || level.format == "none" {
            return Some(if level.format == "bullet" {
                "- ".into()
            } else {
                String::new()
            });
        }
        let starts: Vec<u32> = (0..=ilvl)
            .map(|l| self.levels.get(&(abs.clone(), l)).map_or(1, |x| x.start))
            .collect();
        let counters = self.counters.entry(abs.clone()).or_default();
        let i = ilvl as usize;
        if counters.len() <= i {
            counters.resize(i + 1, 0);
            for (k, c) in counters.iter_mut().enumerate() {
                if *c == 0 && k < i {
                    *c = starts[k];
                }
            }
            counters[i] = starts[i];
        } else {
            counters[i] += 1;
            counters.truncate(i + 1);
        }
        let counters = counters.clone();
        let mut text = level.text.clone();
        for (k, c) in counters.iter().enumerate() {
            let format = self
                .levels
                .get(&(abs.clone(), k as u32))
                .map_or("decimal", |x| x.format.as_str());
            let shown = match format {
                "upperRoman" => ROMAN
                    .get(*c as usize - 1)
                    .map_or(c.to_string(), |r| r.to_string()),
                "lowerRoman" => ROMAN
                    .get(*c as usize - 1)
                    .map_or(c.to_string(), |r| r.to_lowercase()),
                "upperLetter" => char::from(b'A' + ((*c - 1) % 26) as u8).to_string(),
                "lowerLetter" => char::from(b'a' + ((*c - 1) % 26) as u8).to_string(),
                _ => c.to_string(),
            };
            text = text.replace(&format!("%{}", k + 1), &shown);
        }
        Some(format!("{text} "))
    }
}

/// The paragraphs of a .docx's `word/document.xml`, one per line (tabs
/// as tabs, line breaks as new lines), each with the number Word's
/// automatic numbering shows before it (`w:numPr` of the paragraph).
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| "không phải tệp nén của Word".to_string())?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| "không có phần word/document.xml".to_string())?
        .take(256 << 20)
        .read_to_string(&mut xml)
        .map_err(|_| "phần word/document.xml bị hỏng".to_string())?;
    let mut numbering = String::new();
    if let Ok(part) = zip.by_name("word/numbering.xml") {
        // Without it (or damaged) paragraphs are read without numbers.
        let _ = part.take(64 << 20).read_to_string(&mut numbering);
    }
    let mut numbering = Numbering::parse(&numbering);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    let (mut num_id, mut ilvl): (Option<String>, u32) = (None, 0);
    // Inside a paragraph's properties a `w:tab` is a tab stop, not text.
    let mut in_props = false;
    loop {
        match reader
            .read_event()
            .map_err(|_| "phần word/document.xml bị hỏng".to_string())?
        {
            Event::Start(e) if e.name().as_ref() == "w:p" => {
                num_id = None;
                ilvl = 0;
            }
            Event::Start(e) if e.name().as_ref() == "w:pPr" => in_props = true,
            Event::End(e) if e.name().as_ref() == "w:pPr" => {
                in_props = false;
                if let Some(label) = num_id.take().and_then(|n| numbering.label(&n, ilvl)) {
                    out.push_str(&label);
                }
            }
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => out.push('\n'),
            Event::Empty(e) => match e.name().as_ref() {
                "w:numId" => num_id = attr(&e, "w:val").filter(|v| v != "0"),
                "w:ilvl" => ilvl = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                "w:tab" if !in_props => out.push('\t'),
                "w:br" | "w:cr" if !in_props => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Whitespace collapsed (tabs too), trimmed.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower case, one char for one char of the same UTF-8 length, so byte
/// positions in the result are those of `s` (true of every Vietnamese
/// letter; any other is kept as it is).
fn lower(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_lowercase().next() {
            Some(l) if l.len_utf8() == c.len_utf8() => l,
            _ => c,
        })
        .collect()
}

const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// A heading line: its number ("II" or "1.2") and the rest.
enum Numbered {
    Roman(String, String),
    Arabic(Vec<u32>, String),
}

fn numbered(line: &str) -> Option<Numbered> {
    let roman = regex_lite(r"^([IVX]{1,4})\s*[.)]\s*(.*)$");
    if let Some(c) = roman.captures(line) {
        if ROMAN.contains(&&c[1]) {
            return Some(Numbered::Roman(c[1].to_string(), c[2].to_string()));
        }
    }
    // "1." "1)" "1.1." "1.1)" "1.1 Text"; never a date or a year.
    let arabic = regex_lite(r"^(\d{1,2}(?:\s*\.\s*\d{1,2})*)\s*(\.|\))?\s*(.*)$");
    let c = arabic.captures(line)?;
    let parts: Vec<u32> = c[1]
        .split('.')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let rest = c[3].to_string();
    let terminated = c.get(2).is_some();
    if (!terminated && parts.len() < 2)
        || rest.is_empty()
        || rest.starts_with(|ch: char| ch.is_ascii_digit() || ch == '/' || ch == '%')
        || parts.contains(&0)
    {
        return None;
    }
    Some(Numbered::Arabic(parts, rest))
}

fn regex_lite(re: &str) -> regex::Regex {
    regex::Regex::new(re).expect("static regex")
}

/// The headings of an outline's lines. When a line reads "ĐỀ CƯƠNG BÁO
/// CÁO" (a plan with its outline attached), only what follows its last
/// such line is the outline.
pub fn headings(lines: &[String]) -> Vec<Heading> {
    let lines: Vec<String> = lines.iter().map(|l| clean(l)).collect();
    let start = lines
        .iter()
        .rposition(|l| crate::text::fold_ascii(l).starts_with("de cuong bao cao"))
        .map_or(0, |i| i + 1);
    let mut out: Vec<Heading> = Vec::new();
    let mut roman: Option<String> = None;
    for line in &lines[start..] {
        if line.is_empty() {
            continue;
        }
        match numbered(line) {
            Some(Numbered::Roman(r, rest)) => {
                roman = Some(r.clone());
                out.push(Heading {
                    reference: r,
                    text: rest,
                    body: Vec::new(),
                });
            }
            Some(Numbered::Arabic(parts, rest)) => {
                let path = parts
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                out.push(Heading {
                    reference: match &roman {
                        Some(r) => format!("{r}.{path}"),
                        None => path,
                    },
                    text: rest,
                    body: Vec::new(),
                });
            }
            None => {
                if let Some(h) = out.last_mut() {
                    h.body.push(line.clone());
                }
            }
        }
    }
    out
}

/// Draft a catalogue from an outline file (see the module documentation).
///
/// # Errors
/// As [`read_lines`]; [`OutlineError::NoHeadings`] when no numbered
/// heading is found.
pub fn draft_file(path: &Path) -> Result<Draft, OutlineError> {
    let lines = read_lines(path)?;
    let id = crate::text::slug(
        &path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    draft(&lines, &id).ok_or_else(|| OutlineError::NoHeadings {
        path: path.to_path_buf(),
    })
}

// ---------------------------------------------------------------- items

/// Which kind of biểu a drafted chỉ tiêu goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    /// Counts of events by year (thời kỳ).
    Flow,
    /// Counts at a date (thời điểm), also their percentages.
    Stock,
    /// Percentages over the whole period with their parts (thời kỳ, no
    /// total column).
    Period,
}

#[derive(Debug, Clone)]
struct Item {
    label: String,
    kind: IndicatorKind,
    measure: String,
    family: Family,
    /// For a percentage: positions of its tử số and mẫu số in the
    /// heading's items.
    parts: Option<(usize, usize)>,
    applies_to: Vec<String>,
    note: String,
}

/// What one heading asks for.
#[derive(Debug, Default)]
struct Asked {
    numbers: Vec<Item>,
    lists: Vec<String>,
    narrative: Vec<(String, String)>,
}

/// Words after which a noun phrase stops being the population counted.
const POPULATION_END: [&str; 11] = [
    " được ",
    " có ",
    " đạt ",
    " tham gia",
    " tham dự",
    " thuộc ",
    " bị ",
    " làm ",
    " sử dụng",
    " hoàn thành",
    " xếp loại",
];

/// Whether the words after "đạt" ask for a figure ("đạt …%", "đạt ___%",
/// "đạt 90%") rather than qualify who is counted ("đạt trong sạch vững
/// mạnh").
fn asks_a_figure(rest: &str) -> bool {
    let after = rest.trim_start();
    let after = after.strip_prefix("đạt").unwrap_or(after).trim();
    after.is_empty()
        || after.contains("..")
        || after
            .chars()
            .any(|c| matches!(c, '%' | '…' | '_') || c.is_ascii_digit())
}

/// Assessment words: an item holding one is (also) a narrative answer.
const ASSESSMENT: [&str; 18] = [
    "đánh giá",
    "thuận lợi",
    "khó khăn",
    "ưu điểm",
    "hạn chế",
    "nguyên nhân",
    "bài học",
    "kinh nghiệm",
    "nhiệm vụ",
    "giải pháp",
    "kiến nghị",
    "đề xuất",
    "kết quả",
    "chất lượng",
    "hiệu quả",
    "hình thức",
    "cách làm",
    "nhận thức",
];

/// Where a clause is cut after a comma: another figure or another
/// question starts there.
const CLAUSE_START: [&str; 10] = [
    "so sánh",
    "số ",
    "tổng số",
    "tỷ lệ",
    "tỉ lệ",
    "đạt tỷ lệ",
    "đạt",
    "nội dung",
    "kết quả",
    "đánh giá",
];

/// Things counted at a date (thời điểm) whatever the wording.
const ALWAYS: u8 = 2;
/// People: at a date unless an activity ([`EVENT_WORDS`]).
const PEOPLE: u8 = 1;
/// Events, counted over the period (thời kỳ).
const EVENTS: u8 = 0;

/// (noun at the start of a counted phrase, đơn vị tính, [`ALWAYS`],
/// [`PEOPLE`] or [`EVENTS`]).
const MEASURES: [(&str, &str, u8); 42] = [
    ("lượt", "lượt người", EVENTS),
    ("hộ", "hộ", ALWAYS),
    ("khẩu", "khẩu", ALWAYS),
    ("chi bộ", "chi bộ", ALWAYS),
    ("đảng viên", "người", PEOPLE),
    ("cán bộ", "người", PEOPLE),
    ("công chức", "người", PEOPLE),
    ("phóng viên", "người", PEOPLE),
    ("biên tập viên", "người", PEOPLE),
    ("giảng viên", "người", PEOPLE),
    ("báo cáo viên", "người", PEOPLE),
    ("cộng tác viên", "người", PEOPLE),
    ("tuyên truyền viên", "người", PEOPLE),
    ("hội viên", "người", PEOPLE),
    ("học viên", "người", EVENTS),
    ("người", "người", EVENTS),
    ("đối tượng", "người", EVENTS),
    ("quần chúng", "người", EVENTS),
    ("nghệ nhân", "người", EVENTS),
    ("văn nghệ sỹ", "người", EVENTS),
    ("văn nghệ sĩ", "người", EVENTS),
    ("hội nghị", "hội nghị", EVENTS),
    ("lớp", "lớp", EVENTS),
    ("buổi", "buổi", EVENTS),
    ("cuộc", "cuộc", EVENTS),
    ("tin", "tin, bài", EVENTS),
    ("bài", "tin, bài", EVENTS),
    ("chuyên mục", "chuyên mục", EVENTS),
    ("văn bản", "văn bản", EVENTS),
    ("nghị quyết", "văn bản", EVENTS),
    ("kế hoạch", "văn bản", EVENTS),
    ("đội", "đội", ALWAYS),
    ("câu lạc bộ", "câu lạc bộ", ALWAYS),
    ("hoạt động", "hoạt động", EVENTS),
    ("thư viện", "thư viện", ALWAYS),
    ("tủ sách", "tủ sách", ALWAYS),
    ("điểm", "điểm", ALWAYS),
    ("bản", "bản, TDP", ALWAYS),
    ("nhà văn hóa", "nhà văn hóa", ALWAYS),
    ("tài liệu", "tài liệu", EVENTS),
    ("cơ quan", "cơ quan, đơn vị", ALWAYS),
    ("cử", "lượt người", EVENTS),
];

/// Words of a people count that make it an activity (thời kỳ).
const EVENT_WORDS: [&str; 12] = [
    "được",
    "bị",
    "tham gia",
    "tham dự",
    "nghe",
    "học",
    "cử",
    "lượt",
    // People who joined or left during the period: a thời kỳ figure.
    "kết nạp",
    "mới",
    "trong năm",
    "trong kỳ",
];

/// Đơn vị tính of a counted phrase, whether it is a guess, and whether
/// it is a thời điểm figure.
fn measure_of(phrase: &str) -> (String, bool, bool) {
    let l = lower(phrase);
    let l = l
        .trim_start_matches("lượng ")
        .trim_start_matches("các ")
        .trim_start_matches("những ");
    for (noun, measure, stock) in MEASURES {
        if l.starts_with(noun)
            && l[noun.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphabetic())
        {
            let stock =
                stock == ALWAYS || (stock == PEOPLE && !EVENT_WORDS.iter().any(|w| has_word(l, w)));
            return (measure.to_string(), false, stock);
        }
    }
    let words: Vec<&str> = phrase.split_whitespace().take(2).collect();
    (lower(&words.join(" ")), true, false)
}

/// Whether `word` occurs in `text` (both lower case) as whole words.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphabetic()) && after.is_none_or(|c| !c.is_alphabetic())
    })
}

/// `s` with its first letter upper case.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A heading's title for the report: its text before a colon or a
/// parenthesis, without trailing punctuation ("Những thuận lợi, khó khăn
/// (Nêu rõ …)" → "Những thuận lợi, khó khăn").
fn heading_title(text: &str) -> String {
    let (outside, _) = split_parens(text);
    trim_punct(outside.split(':').next().unwrap_or("")).to_string()
}

/// A heading typed in capitals ("KIẾN NGHỊ, ĐỀ XUẤT") in sentence case.
fn sentence_case(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        s.to_string()
    } else {
        capitalize(&lower(s))
    }
}

/// Trim punctuation and spaces at both ends.
fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '?' | '-' | '+' | '·' | '•' | '*')
    })
}

/// At most `max` characters, cut at a word.
/// Longest label drafted whole: an item of the đề cương is a sentence or
/// two; beyond, the label is cut at a word and the review note says so.
const LABEL_MAX: usize = 220;

/// The review note of a label cut to [`LABEL_MAX`]; empty when whole.
fn cut_note(label: &str) -> String {
    if clean(label).chars().count() <= LABEL_MAX {
        String::new()
    } else {
        "Tên chỉ tiêu dài, đã cắt bớt (…): viết lại cho gọn.".to_string()
    }
}

fn shorten(s: &str, max: usize) -> String {
    // A blank of the outline ("đạt...%", kept as "___" while cutting).
    let s = &clean(&s.replace("___", "…"));
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", trim_punct(cut))
}

/// A line without its bullet ("- ", "+ ", "· ", "• ").
fn unbullet(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '+' | '·' | '•' | '*'))
        .trim()
}

/// Text outside parentheses, and the texts inside them.
fn split_parens(s: &str) -> (String, Vec<String>) {
    let (mut outside, mut inside, mut cur) = (String::new(), Vec::new(), String::new());
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth == 1 {
                    outside.push(' ');
                    continue;
                }
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    inside.push(std::mem::take(&mut cur));
                    continue;
                }
            }
            _ => {}
        }
        if depth > 0 {
            cur.push(c);
        } else {
            outside.push(c);
        }
    }
    if !cur.is_empty() {
        inside.push(cur);
    }
    (clean(&outside), inside)
}

/// Dots standing for a blank ("đạt...%") as "___", not full stops.
fn blanks(text: &str) -> String {
    let text = text.replace('…', " ___ ");
    regex_lite(r"\.{2,}")
        .replace_all(&text, " ___ ")
        .into_owned()
}

/// The sentences of a text: cut at "?" and at a full stop.
fn sentences(text: &str) -> Vec<String> {
    let text = blanks(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, c) in chars.iter().enumerate() {
        cur.push(*c);
        if *c == '?' || (*c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace())) {
            out.push(std::mem::take(&mut cur));
        }
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

/// The clauses of a text: cut at ; ? : / ( ) and at a full stop, and at
/// a comma that starts another figure or question ([`CLAUSE_START`]).
fn clauses(text: &str) -> Vec<String> {
    let text = blanks(text);
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let stop = matches!(c, ';' | '?' | ':' | '/' | '(' | ')')
            || (c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()));
        if stop {
            out.push(std::mem::take(&mut cur));
        } else if c == ',' {
            let rest: String = lower(&chars[i + 1..].iter().collect::<String>());
            let rest = rest.trim_start();
            if CLAUSE_START.iter().any(|w| rest.starts_with(w)) {
                out.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        } else {
            cur.push(c);
        }
        i += 1;
    }
    out.push(cur);
    out.into_iter()
        .map(|c| clean(trim_punct(&c)))
        .filter(|c| !c.is_empty())
        .collect()
}

/// The counted phrase of a clause: what follows its word "số" (also
/// "tổng số", "số lượng"), unless it is "số liệu" or empty.
fn counted(clause: &str) -> Option<String> {
    let l = lower(clause);
    let at = l
        .match_indices("số")
        .find(|(i, _)| {
            l[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphabetic())
        })?
        .0;
    let after = &clause[at + "số".len()..];
    let phrase = trim_punct(after).trim();
    let lp = lower(phrase);
    if phrase.is_empty()
        || phrase.starts_with(|c: char| c.is_ascii_digit())
        || ["liệu", "hiệu", "ký hiệu", "thứ tự"]
            .iter()
            .any(|w| lp.starts_with(w))
        || !after.starts_with(' ')
    {
        return None;
    }
    let phrase = phrase
        .trim_start_matches("lượng ")
        .trim_start_matches("các ")
        .trim_start_matches("những ");
    (!phrase.trim().is_empty()).then(|| crate::text::lower_first(phrase.trim()))
}

/// The population of a percentage's subject: its noun phrase before
/// [`POPULATION_END`].
fn population(subject: &str) -> String {
    let l = lower(subject);
    let end = POPULATION_END
        .iter()
        .filter_map(|w| l.find(w))
        .min()
        .unwrap_or(subject.len());
    trim_punct(&subject[..end]).to_string()
}

/// Unit types named by "đối với …" in a parenthesis.
fn applies_to(text: &str) -> Vec<String> {
    let l = crate::text::fold_ascii(text);
    if !l.contains("doi voi") {
        return Vec::new();
    }
    let mut out = Vec::new();
    if l.contains("xa, phuong") || l.contains("xa phuong") || l.contains("xa/phuong") {
        out.push(super::de_an_241::XA_PHUONG.to_string());
    }
    if l.contains("dang bo co so") {
        out.push("dang_bo_co_so".to_string());
    }
    if l.contains("chi bo co so") {
        out.push(super::de_an_241::CHI_BO_CO_SO.to_string());
    }
    out
}

impl Asked {
    fn count(&mut self, phrase: &str, applies: &[String], why: &str) -> usize {
        let key = lower(phrase);
        if let Some(i) = self
            .numbers
            .iter()
            .position(|n| n.kind == IndicatorKind::Count && lower(&n.label) == format!("số {key}"))
        {
            return i;
        }
        let (measure, guessed, stock) = measure_of(phrase);
        let mut note = format!("Lập từ \"{}\" của đề cương", shorten(why, 80));
        if guessed {
            note.push_str(&format!(
                "; đơn vị tính \"{measure}\" là phỏng đoán, sửa cho đúng"
            ));
        }
        if !applies.is_empty() {
            note.push_str("; loại đơn vị áp dụng đoán từ \"đối với …\"");
        }
        note.push('.');
        self.numbers.push(Item {
            label: format!("Số {phrase}"),
            kind: IndicatorKind::Count,
            measure,
            family: if stock { Family::Stock } else { Family::Flow },
            parts: None,
            applies_to: applies.to_vec(),
            note,
        });
        self.numbers.len() - 1
    }

    fn percent(&mut self, subject: &str, why: &str) {
        let subject = trim_punct(subject);
        if subject.is_empty() {
            return;
        }
        let subject = crate::text::lower_first(subject);
        let subject = subject.as_str();
        let pop = population(subject);
        let pop = if pop.is_empty() {
            subject.to_string()
        } else {
            pop
        };
        // The subject starts with the population's noun: one đơn vị tính
        // for both, and "được học tập" makes people an activity.
        let (measure, guessed, stock) = measure_of(subject);
        let family = if stock { Family::Stock } else { Family::Period };
        let numerator = self.count(subject, &[], why);
        self.numbers[numerator].measure = measure.clone();
        self.numbers[numerator].family = family;
        let den_label = format!("Tổng số {pop}");
        let denominator = match self
            .numbers
            .iter()
            .position(|n| lower(&n.label) == lower(&den_label))
        {
            Some(i) => i,
            None => {
                self.numbers.push(Item {
                    label: den_label,
                    kind: IndicatorKind::Count,
                    measure: measure.clone(),
                    family,
                    parts: None,
                    applies_to: Vec::new(),
                    note: format!(
                        "Mẫu số đoán cho tỷ lệ \"{}\": kiểm tra đúng là tổng số đối tượng{}.",
                        shorten(subject, 60),
                        if guessed { " và đơn vị tính" } else { "" }
                    ),
                });
                self.numbers.len() - 1
            }
        };
        self.numbers[numerator].note = format!(
            "Tử số của tỷ lệ \"{}\" (lập từ \"{}\"); cùng đơn vị tính với mẫu số.",
            shorten(subject, 60),
            shorten(why, 60)
        );
        self.numbers.push(Item {
            label: format!("Tỷ lệ {}", crate::text::lower_first(subject)),
            kind: IndicatorKind::Percent,
            measure: "%".into(),
            family,
            parts: Some((numerator, denominator)),
            applies_to: Vec::new(),
            note:
                "Tỷ lệ tính bằng công thức từ tử số và mẫu số ngay trên biểu; kiểm tra hai dòng đó."
                    .into(),
        });
    }

    /// Figures and lists asked by one item (a heading's text or a line
    /// under it); whether it asked any.
    fn figures(&mut self, item: &str) -> bool {
        let before = (self.numbers.len(), self.lists.len());
        let l = lower(item);
        if l.contains("ngày tháng ban hành")
            || l.contains("ngày ban hành")
            || l.contains("số, ký hiệu")
        {
            let (outside, _) = split_parens(item);
            let label = shorten(trim_punct(unbullet(&outside)), 100);
            self.lists.push(capitalize(&label));
        }
        // Each parenthesis's "đối với …" applies to the figures since the
        // previous one.
        let mut pending: Vec<usize> = Vec::new();
        let mut qualifier: Option<String> = None;
        let mut generic: Option<String> = None;
        let mut last_count: Option<usize> = None;
        let all: Vec<(bool, String)> = sentences(item)
            .iter()
            .flat_map(|s| clauses(s).into_iter().enumerate().map(|(k, c)| (k == 0, c)))
            .collect();
        for (starts_sentence, clause) in all {
            if starts_sentence {
                pending.clear();
            }
            let lc = lower(&clause);
            let applies = applies_to(&clause);
            if !applies.is_empty() {
                for i in pending.drain(..) {
                    let n = &mut self.numbers[i];
                    n.applies_to = applies.clone();
                    let note = n.note.strip_suffix('.').unwrap_or(&n.note).to_string();
                    n.note = format!("{note}; loại đơn vị áp dụng đoán từ \"{clause}\".");
                }
                continue;
            }
            let is_percent = lc.contains('%') || lc.contains("tỷ lệ") || lc.contains("tỉ lệ");
            if is_percent {
                let subject = match lc.find("tỷ lệ").or_else(|| lc.find("tỉ lệ")) {
                    Some(at) => clause[at + "tỷ lệ".len()..]
                        .trim_start_matches([' ', '%'])
                        .to_string(),
                    None => clause.clone(),
                };
                // "X đạt …%" asks the rate of X; "chi bộ đạt trong sạch
                // vững mạnh" is the qualifier of who is counted: kept.
                let subject = match lower(&subject).find(" đạt") {
                    Some(at) if asks_a_figure(&subject[at..]) => subject[..at].to_string(),
                    Some(_) => subject,
                    None if lower(&subject).starts_with("đạt") => String::new(),
                    None => subject,
                };
                let subject = subject.replace("___", "");
                let subject = trim_punct(subject.trim_end_matches('%')).to_string();
                if subject.is_empty() {
                    if let Some(c) = last_count.take() {
                        let s = self.numbers[c].label["Số ".len()..].to_string();
                        self.percent(&s, &clause);
                    } else if lc.starts_with("tỷ lệ đạt") || lc.starts_with("tỉ lệ đạt")
                    {
                        qualifier = Some(clause["tỷ lệ ".len()..].to_string());
                    }
                    continue;
                }
                if lower(&subject).starts_with("đạt") {
                    qualifier = Some(subject);
                    continue;
                }
                let subject = match (&qualifier, lc.contains("tỷ lệ") || lc.contains("tỉ lệ"))
                {
                    (Some(q), false) => format!("{subject} {q}"),
                    _ => subject,
                };
                self.percent(&subject, &clause);
                last_count = None;
                continue;
            }
            if let Some(phrase) = counted(&clause) {
                let i = self.count(&phrase, &[], &clause);
                pending.push(i);
                last_count = Some(i);
            } else if lc.contains("số liệu") && generic.is_none() {
                generic = Some(clause.clone());
            }
        }
        let asked = (self.numbers.len(), self.lists.len()) != before;
        if !asked {
            if let Some(g) = generic {
                let (outside, _) = split_parens(item);
                let outside = unbullet(&outside);
                let outside = match outside.split_once(':') {
                    Some((head, _)) if head.split_whitespace().count() >= 2 => head,
                    _ => outside,
                };
                let title = shorten(trim_punct(outside), 160);
                self.numbers.push(Item {
                    label: format!("Số liệu: {}", crate::text::lower_first(&title)),
                    kind: IndicatorKind::Count,
                    measure: String::new(),
                    family: Family::Flow,
                    parts: None,
                    applies_to: Vec::new(),
                    note: format!(
                        "Đề cương chỉ ghi \"{}\": đặt tên chỉ tiêu cụ thể, đơn vị tính (có thể tách thành nhiều dòng) hoặc xóa dòng này.",
                        shorten(&g, 60)
                    ),
                });
                return true;
            }
        }
        asked
    }
}

/// What a heading asks for: figures of its text and every line under
/// it; a narrative row for each line (or the heading itself, when it has
/// no lines) that assesses or asks for no figure.
fn asked(h: &Heading, is_leaf: bool) -> Asked {
    let mut a = Asked::default();
    let heading_figures = a.figures(&h.text);
    let (title, _) = split_parens(&h.text);
    let title = sentence_case(trim_punct(title.split(':').next().unwrap_or("")));
    let assesses = |t: &str| {
        // "hoàn thành (tốt) nhiệm vụ" qualifies who is counted; it asks
        // for no assessment.
        let l = lower(t)
            .replace("hoàn thành tốt nhiệm vụ", "")
            .replace("hoàn thành nhiệm vụ", "");
        ASSESSMENT.iter().any(|w| l.contains(w))
    };
    let lines: Vec<&String> = h
        .body
        .iter()
        .filter(|l| !trim_punct(unbullet(l)).is_empty())
        .collect();
    for line in &lines {
        let figures = a.figures(line);
        let text = unbullet(line);
        // A sub-heading ("Hoạt động văn hóa, văn nghệ:") over its items.
        if text.trim_end().ends_with(':') && !figures {
            continue;
        }
        if assesses(text) || !figures {
            let (outside, _) = split_parens(text);
            // Without the figures the line also asks for.
            let words: Vec<String> = clauses(&outside)
                .into_iter()
                .filter(|c| {
                    let l = lower(c);
                    counted(c).is_none() && !l.contains('%') && !l.contains("tỷ lệ")
                })
                .collect();
            let label = if words.is_empty() {
                trim_punct(&outside).to_string()
            } else {
                words.join("; ")
            };
            a.narrative
                .push((capitalize(&shorten(&label, LABEL_MAX)), cut_note(&label)));
        }
    }
    if lines.is_empty() && is_leaf && (assesses(&h.text) || !heading_figures) {
        // "Những thuận lợi, khó khăn": a row for each.
        let l = lower(&title);
        let pair = ["thuận lợi", "khó khăn"];
        if pair.iter().all(|w| l.contains(w)) {
            for w in pair {
                a.narrative.push((
                    format!("Những {w}"),
                    format!("Mục \"{title}\" của đề cương tách thành từng ý."),
                ));
            }
        } else {
            a.narrative
                .push((shorten(&title, LABEL_MAX), cut_note(&title)));
        }
    }
    a
}

// ---------------------------------------------------------------- draft

/// The period the outline reports on: "giai đoạn 2016 - 2020".
fn period(lines: &[String]) -> Option<(u32, u32)> {
    let re = regex_lite(r"(?i)giai\s+đoạn\s+(\d{4})\s*[-–—]\s*(\d{4})");
    lines.iter().find_map(|l| {
        let l = crate::text::nfc(l);
        let c = re.captures(&l)?;
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
        (a < b && b - a < 20).then_some((a, b))
    })
}

/// The title of the outline: the line(s) after "ĐỀ CƯƠNG BÁO CÁO" up to
/// "(Kèm theo …)" or the first heading.
fn title(lines: &[String]) -> Option<String> {
    let lines: Vec<String> = lines.iter().map(|l| clean(l)).collect();
    let at = lines
        .iter()
        .rposition(|l| crate::text::fold_ascii(l).starts_with("de cuong bao cao"))?;
    let mut parts = Vec::new();
    for l in &lines[at + 1..] {
        if l.is_empty() {
            continue;
        }
        if l.starts_with('(') || l.starts_with("---") || numbered(l).is_some() || parts.len() > 3 {
            break;
        }
        parts.push(l.clone());
    }
    let t = parts.join(" ");
    (!t.is_empty()).then(|| capitalize(&t))
}

fn col(key: &str, label: &str) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        kind: ColumnKind::Value,
        sum_of: Vec::new(),
    }
}

/// The column sets of the draft, named as in the Đề án 241 catalogue.
fn column_sets(period: Option<(u32, u32)>, before_label: &str) -> BTreeMap<String, ColumnSet> {
    let mut sets = BTreeMap::new();
    let set = |columns| ColumnSet { columns };
    match period {
        Some((a, b)) => {
            let years: Vec<Column> = (a..=b)
                .map(|y| col(&format!("n{y}"), &format!("Năm {y}")))
                .collect();
            let total = Column {
                key: "tong".into(),
                label: format!("Tổng {a} - {b}"),
                kind: ColumnKind::Value,
                sum_of: years.iter().map(|c| c.key.clone()).collect(),
            };
            let (pa, pb) = (a - (b - a + 1), a - 1);
            let before = col(
                &format!("gd{pa}_{pb}"),
                &format!("{pa} - {pb} ({before_label})"),
            );
            let mut nam = years.clone();
            nam.push(total.clone());
            let mut so_sanh = vec![before.clone()];
            so_sanh.extend(years);
            so_sanh.push(total);
            sets.insert("nam".into(), set(nam));
            sets.insert("nam_so_sanh".into(), set(so_sanh));
            sets.insert(
                "thoi_diem".into(),
                set(vec![col(&format!("t{b}"), &format!("Tại 31/12/{b}"))]),
            );
            sets.insert(
                "thoi_diem_so_sanh".into(),
                set(vec![
                    col(
                        &format!("t{pb}"),
                        &format!("Tại 31/12/{pb} ({before_label})"),
                    ),
                    col(&format!("t{b}"), &format!("Tại 31/12/{b}")),
                ]),
            );
            sets.insert(
                "ca_giai_doan".into(),
                set(vec![col(&format!("gd{a}_{b}"), &format!("{a} - {b}"))]),
            );
            sets.insert(
                "giai_doan".into(),
                set(vec![
                    before,
                    col(&format!("gd{a}_{b}"), &format!("{a} - {b}")),
                ]),
            );
        }
        None => {
            for name in ["nam", "thoi_diem", "ca_giai_doan"] {
                sets.insert(name.into(), set(vec![col("ky_nay", "Kỳ báo cáo")]));
            }
            for name in ["nam_so_sanh", "thoi_diem_so_sanh", "giai_doan"] {
                sets.insert(
                    name.into(),
                    set(vec![
                        col("ky_truoc", "Kỳ trước"),
                        col("ky_nay", "Kỳ báo cáo"),
                    ]),
                );
            }
        }
    }
    sets.insert(
        "van_ban".into(),
        set(vec![
            Column {
                key: "so_hieu".into(),
                label: "Số, ký hiệu".into(),
                kind: ColumnKind::Text,
                sum_of: Vec::new(),
            },
            Column {
                key: "ngay".into(),
                label: "Ngày ban hành".into(),
                kind: ColumnKind::Date,
                sum_of: Vec::new(),
            },
            Column {
                key: "trich_yeu".into(),
                label: "Trích yếu nội dung".into(),
                kind: ColumnKind::Text,
                sum_of: Vec::new(),
            },
        ]),
    );
    sets.insert(
        "tra_loi".into(),
        set(vec![Column {
            key: "noi_dung".into(),
            label: "Nội dung báo cáo".into(),
            kind: ColumnKind::Text,
            sum_of: Vec::new(),
        }]),
    );
    sets
}

/// Whether a heading's text asks to compare with before.
fn compares(h: &Heading) -> bool {
    let all = lower(&format!("{} {}", h.text, h.body.join(" ")));
    let all = crate::text::fold(&all);
    (all.contains("so sánh") && all.contains("trước")) || all.contains("trước và sau")
}

/// Draft a catalogue from an outline's lines; `None` when it has no
/// numbered heading. `id` is the catalogue id (the file name's slug).
pub fn draft(lines: &[String], id: &str) -> Option<Draft> {
    let lines: Vec<String> = lines.iter().map(|l| crate::text::nfc(l)).collect();
    let hs = headings(&lines);
    if hs.is_empty() {
        return None;
    }
    let period = period(&lines);
    let mentions_plan = lines.iter().any(|l| lower(l).contains("đề án"));
    let before_label = if mentions_plan {
        "trước Đề án"
    } else {
        "giai đoạn trước"
    };
    let mut review = Review::default();
    let title = title(&lines);
    review.general.insert(
        "title".into(),
        if title.is_some() {
            "Lấy từ dòng dưới \"ĐỀ CƯƠNG BÁO CÁO\"; sửa nếu cần.".into()
        } else {
            "Không tìm thấy tên đề cương: ghi tên danh mục.".into()
        },
    );
    review.general.insert(
        "id".into(),
        "Lấy từ tên tệp đề cương: đặt mã cố định của đợt (không dấu, không cách).".into(),
    );
    review.general.insert(
        "version".into(),
        "Phiên bản nháp: giữ nguyên hoặc đổi trước khi tạo biểu mẫu; không đổi sau khi đã gửi biểu mẫu.".into(),
    );
    let embedded = Catalog::embedded();
    for t in &embedded.unit_types {
        review.unit_types.insert(
            t.id.clone(),
            "Loại đơn vị lấy theo danh mục Đề án 241: sửa, thêm hoặc xóa cho đúng các đơn vị của đợt.".into(),
        );
    }
    let sets = column_sets(period, before_label);
    let period_note = match period {
        Some((a, b)) => format!("Các năm lấy từ \"giai đoạn {a} - {b}\" của đề cương."),
        None => "Đề cương không ghi giai đoạn (ví dụ \"giai đoạn 2016 - 2020\"): đặt các cột cho đúng kỳ báo cáo.".into(),
    };
    for name in sets.keys() {
        if !matches!(name.as_str(), "van_ban" | "tra_loi") {
            review.column_sets.insert(name.clone(), period_note.clone());
        }
    }

    let mut catalog = Catalog {
        id: if id.is_empty() {
            "de-cuong".into()
        } else {
            id.into()
        },
        version: format!("{}.nhap", period.map_or(1, |(_, b)| b + 1)),
        title: title.unwrap_or_else(|| "Danh mục chỉ tiêu (bản nháp từ đề cương)".into()),
        percent_tolerance: 0.5,
        unit_types: embedded.unit_types.clone(),
        column_sets: sets,
        groups: Vec::new(),
        indicators: Vec::new(),
        rules: Vec::new(),
        plausible: Plausible::default(),
        // The headings title the draft report: the heading's words before
        // its questions ("Tình hình chung: Số lượng …" → "Tình hình chung").
        outline: hs
            .iter()
            .map(|h| crate::catalog::OutlineHeading {
                outline_ref: h.reference.clone(),
                title: heading_title(&h.text),
            })
            .collect(),
        hash: String::new(),
        text_hash: String::new(),
        index: Default::default(),
    };

    // Tables in outline order, then lists, then narrative (as in the
    // Đề án 241 catalogue).
    struct Table {
        reference: String,
        title: String,
        set: &'static str,
        items: Vec<Item>,
        note: String,
    }
    let mut tables: Vec<Table> = Vec::new();
    let mut lists: Vec<(String, String)> = Vec::new();
    let mut narrative: Vec<(String, String, String)> = Vec::new();
    for (i, h) in hs.iter().enumerate() {
        let is_leaf = hs
            .get(i + 1)
            .is_none_or(|n| !n.reference.starts_with(&format!("{}.", h.reference)));
        let a = asked(h, is_leaf);
        let cmp = compares(h);
        let (head, _) = split_parens(&h.text);
        let head = sentence_case(trim_punct(head.split(':').next().unwrap_or("")));
        for family in [Family::Flow, Family::Stock, Family::Period] {
            let idx: Vec<usize> = (0..a.numbers.len())
                .filter(|j| a.numbers[*j].family == family)
                .collect();
            if idx.is_empty() {
                continue;
            }
            let set = match (family, cmp) {
                (Family::Flow, false) => "nam",
                (Family::Flow, true) => "nam_so_sanh",
                (Family::Stock, false) => "thoi_diem",
                (Family::Stock, true) => "thoi_diem_so_sanh",
                (Family::Period, false) => "ca_giai_doan",
                (Family::Period, true) => "giai_doan",
            };
            // Positions renumbered within the biểu.
            let pos: BTreeMap<usize, usize> =
                idx.iter().enumerate().map(|(k, j)| (*j, k)).collect();
            let items = idx
                .iter()
                .map(|j| {
                    let mut it = a.numbers[*j].clone();
                    it.parts = it.parts.map(|(n, d)| (pos[&n], pos[&d]));
                    it
                })
                .collect();
            let note = match (family, cmp) {
                (Family::Flow, false) => "Số liệu từng năm; cột Tổng tự cộng.",
                (Family::Flow, true) => "Cột giai đoạn trước ghi tổng cả giai đoạn để so sánh; các năm ghi từng năm; cột Tổng tự cộng.",
                (Family::Stock, false) => "Số liệu thời điểm cuối kỳ; tỷ lệ tự tính.",
                (Family::Stock, true) => "Số liệu thời điểm trước và cuối kỳ; tỷ lệ tự tính.",
                (Family::Period, _) => "Ghi số liệu cả giai đoạn; mỗi người chỉ tính một lần; tỷ lệ tự tính.",
            };
            tables.push(Table {
                reference: h.reference.clone(),
                title: head.clone(),
                set,
                items,
                note: note.into(),
            });
        }
        for l in &a.lists {
            lists.push((h.reference.clone(), l.clone()));
        }
        for (label, note) in a.narrative {
            narrative.push((h.reference.clone(), label, note));
        }
    }

    let mut number = 0u32;
    let mut new_group = |catalog: &mut Catalog,
                         reference: &str,
                         title: &str,
                         set: &str,
                         kind: GroupKind,
                         sheet: String,
                         note: &str| {
        number += 1;
        let id = format!("B{number:02}");
        catalog.groups.push(Group {
            id: id.clone(),
            number,
            outline_ref: reference.into(),
            title: title.into(),
            columns: set.into(),
            kind,
            sheet: if sheet.is_empty() {
                format!("Biểu {number:02}")
            } else {
                sheet
            },
            note: note.into(),
        });
        (id, number)
    };
    let indicator = |code: String, group: &str, reference: &str, label: &str| Indicator {
        code,
        group: group.into(),
        outline_ref: reference.into(),
        label: label.into(),
        kind: IndicatorKind::Text,
        measure: String::new(),
        nature: Nature::Flow,
        applies_to: Vec::new(),
        required: false,
        min: None,
        max: None,
        consolidation: None,
        weight: None,
        numerator: None,
        denominator: None,
        computed: false,
        level: 0,
        hint: String::new(),
        plausible_max_of: Vec::new(),
    };
    for t in tables {
        // More than 99 rows make a mã số of three digits, which the
        // validation names: never cut silently.
        {
            let chunk = &t.items;
            let (gid, n) = new_group(
                &mut catalog,
                &t.reference,
                &t.title,
                t.set,
                GroupKind::Table,
                String::new(),
                &t.note,
            );
            review.groups.insert(
                gid.clone(),
                format!(
                    "Biểu lập từ mục {} của đề cương; bộ cột \"{}\" đoán từ {}.",
                    t.reference,
                    t.set,
                    if t.set.contains("so_sanh") || t.set == "giai_doan" {
                        "lời \"so sánh … trước …\" của mục"
                    } else if t.set.starts_with("thoi_diem") {
                        "loại số liệu (thời điểm)"
                    } else {
                        "loại số liệu (thời kỳ)"
                    }
                ),
            );
            let code = |k: usize| format!("{n:02}.{:02}", k + 1);
            for (k, it) in chunk.iter().enumerate() {
                let mut ind = indicator(code(k), &gid, &t.reference, &it.label);
                ind.kind = it.kind;
                ind.measure = it.measure.clone();
                ind.nature = match it.family {
                    Family::Stock => Nature::Stock,
                    _ => Nature::Flow,
                };
                ind.applies_to = it.applies_to.clone();
                if let Some((num, den)) = it.parts {
                    ind.numerator = Some(code(num));
                    ind.denominator = Some(code(den));
                    ind.computed = true;
                }
                review.indicators.insert(ind.code.clone(), it.note.clone());
                catalog.indicators.push(ind);
            }
        }
    }
    for (reference, label) in lists {
        let (gid, n) = new_group(
            &mut catalog,
            &reference,
            &shorten(&label, 80),
            "van_ban",
            GroupKind::List,
            String::new(),
            "Mỗi văn bản một dòng: số, ký hiệu; ngày ban hành (dd/mm/yyyy); trích yếu nội dung.",
        );
        review.groups.insert(
            gid.clone(),
            format!("Bảng kê văn bản của mục {reference}; tên biểu rút gọn từ đề cương."),
        );
        let mut ind = indicator(format!("{n:02}.01"), &gid, &reference, &label);
        ind.kind = IndicatorKind::List;
        review.indicators.insert(
            ind.code.clone(),
            "Bảng kê văn bản vì đề cương hỏi \"số, nội dung và ngày tháng ban hành\"; sửa tên nếu cần."
                .into(),
        );
        catalog.indicators.push(ind);
    }
    let parts = narrative.chunks(99).count();
    for (p, chunk) in narrative.chunks(99).enumerate() {
        let first = hs.first().map_or("", |h| h.reference.as_str());
        let last = hs
            .last()
            .map_or("", |h| h.reference.split('.').next().unwrap_or(""));
        let range = if first.split('.').next() == Some(last) {
            last.to_string()
        } else {
            format!("{} - {last}", first.split('.').next().unwrap_or(first))
        };
        let sheet = if parts == 1 {
            "Thuyết minh".to_string()
        } else {
            format!("Thuyết minh {}", p + 1)
        };
        let (gid, n) = new_group(
            &mut catalog,
            &range,
            "Thuyết minh",
            "tra_loi",
            GroupKind::Narrative,
            sheet,
            "Trả lời ngắn gọn từng nội dung theo đề cương; nêu số liệu chứng minh khi có.",
        );
        review.groups.insert(
            gid.clone(),
            format!("Các ý trả lời bằng lời của đề cương, mục {range}: thêm, gộp hoặc bỏ dòng cho phù hợp."),
        );
        for (k, (reference, label, note)) in chunk.iter().enumerate() {
            let ind = indicator(format!("{n:02}.{:02}", k + 1), &gid, reference, label);
            review.indicators.insert(
                ind.code.clone(),
                if note.is_empty() {
                    "Câu trả lời bằng lời (đánh giá, nội dung) theo mục đề cương; tên rút gọn từ đề cương.".into()
                } else {
                    note.clone()
                },
            );
            catalog.indicators.push(ind);
        }
    }
    catalog.finish_loading(String::new());
    Some(Draft {
        catalog,
        review,
        headings: hs,
    })
}

// ---------------------------------------------------------------- coverage

/// How much of a reference catalogue a draft found (the README figure:
/// the seed's đề cương against the embedded Đề án 241 catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Outline references of the reference's chỉ tiêu (distinct).
    pub reference_refs: usize,
    /// Of those, the ones some draft chỉ tiêu has.
    pub refs_found: usize,
    /// Chỉ tiêu of the reference.
    pub reference_indicators: usize,
    /// Chỉ tiêu of the draft.
    pub draft_indicators: usize,
    /// Chỉ tiêu matched one to one by outline reference and kind.
    pub matched: usize,
    /// By kind: (kind, in the reference, matched).
    pub by_kind: Vec<(IndicatorKind, usize, usize)>,
    /// Percentages of the reference matched whose draft has a tử số and
    /// a mẫu số.
    pub ratios_with_parts: usize,
}

/// Compare a draft with a reference catalogue: references found, and chỉ
/// tiêu matched one to one by (outline reference, kind), i.e. for each
/// pair the smaller of the two counts.
pub fn coverage(draft: &Catalog, reference: &Catalog) -> Coverage {
    use std::collections::BTreeSet;
    let refs: BTreeSet<&str> = reference
        .indicators
        .iter()
        .map(|i| i.outline_ref.as_str())
        .collect();
    let draft_refs: BTreeSet<&str> = draft
        .indicators
        .iter()
        .map(|i| i.outline_ref.as_str())
        .collect();
    let key = |i: &Indicator| (i.outline_ref.clone(), format!("{:?}", i.kind));
    let mut want: BTreeMap<(String, String), usize> = BTreeMap::new();
    for i in &reference.indicators {
        *want.entry(key(i)).or_default() += 1;
    }
    let mut have: BTreeMap<(String, String), usize> = BTreeMap::new();
    for i in &draft.indicators {
        *have.entry(key(i)).or_default() += 1;
    }
    let matched_of = |k: &(String, String)| want[k].min(have.get(k).copied().unwrap_or(0));
    let kinds = [
        IndicatorKind::Count,
        IndicatorKind::Quantity,
        IndicatorKind::Percent,
        IndicatorKind::YesNo,
        IndicatorKind::Text,
        IndicatorKind::List,
    ];
    let by_kind = kinds
        .iter()
        .map(|k| {
            let name = format!("{k:?}");
            let total = want
                .iter()
                .filter(|((_, n), _)| *n == name)
                .map(|(_, c)| c)
                .sum();
            let matched = want
                .keys()
                .filter(|(_, n)| *n == name)
                .map(matched_of)
                .sum();
            (*k, total, matched)
        })
        .filter(|(_, total, _)| *total > 0)
        .collect();
    let percent_key = format!("{:?}", IndicatorKind::Percent);
    let ratios_with_parts = want
        .keys()
        .filter(|(_, n)| *n == percent_key)
        .map(|k| {
            let with_parts = draft
                .indicators
                .iter()
                .filter(|i| key(i) == *k && i.numerator.is_some() && i.denominator.is_some())
                .count();
            want[k].min(with_parts)
        })
        .sum();
    Coverage {
        reference_refs: refs.len(),
        refs_found: refs.iter().filter(|r| draft_refs.contains(*r)).count(),
        reference_indicators: reference.indicators.len(),
        draft_indicators: draft.indicators.len(),
        matched: want.keys().map(matched_of).sum(),
        by_kind,
        ratios_with_parts,
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Mục đề cương có chỉ tiêu: {}/{} tìm thấy trong bản nháp.",
            self.refs_found, self.reference_refs
        )?;
        writeln!(
            f,
            "Chỉ tiêu khớp theo mục đề cương và loại: {}/{} (bản nháp có {} chỉ tiêu).",
            self.matched, self.reference_indicators, self.draft_indicators
        )?;
        for (kind, total, matched) in &self.by_kind {
            writeln!(f, "  {}: {matched}/{total}", kind.label())?;
        }
        write!(
            f,
            "Tỷ lệ % khớp có đủ tử số và mẫu số: {}.",
            self.ratios_with_parts
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &str) -> Vec<String> {
        t.lines().map(str::to_string).collect()
    }

    #[test]
    fn headings_nest_under_roman_numerals_and_accept_parentheses() {
        let hs = headings(&lines(
            "KẾ HOẠCH\nI. MỤC ĐÍCH\n1. Không lấy\nĐỀ CƯƠNG BÁO CÁO\nI. ĐẶC ĐIỂM\n1)\tTình hình chung\n- ý\nII. KẾT QUẢ\n1.1) Việc\n2.2. Khác\n15/6/2021 hạn\n2016 - 2020 giai đoạn",
        ));
        let refs: Vec<&str> = hs.iter().map(|h| h.reference.as_str()).collect();
        assert_eq!(refs, ["I", "I.1", "II", "II.1.1", "II.2.2"]);
        assert_eq!(hs[1].text, "Tình hình chung");
        assert_eq!(hs[1].body, ["- ý"]);
        assert_eq!(hs[4].body, ["15/6/2021 hạn", "2016 - 2020 giai đoạn"]);
    }

    #[test]
    fn clauses_cut_at_another_figure_not_inside_a_noun() {
        assert_eq!(
            clauses("số cuộc kiểm tra, giám sát/số đối tượng; số lớp, số học viên"),
            [
                "số cuộc kiểm tra, giám sát",
                "số đối tượng",
                "số lớp",
                "số học viên"
            ]
        );
        assert_eq!(
            clauses("Hộ gia đình đạt...%; bản"),
            ["Hộ gia đình đạt ___ %", "bản"]
        );
        assert_eq!(
            sentences("Số a? Số b. Đạt...%."),
            ["Số a?", " Số b.", " Đạt ___ %."]
        );
    }

    #[test]
    fn a_percentage_gets_its_numerator_and_denominator() {
        let mut a = Asked::default();
        a.figures("(tỷ lệ % hộ dân được nghe Đài; tỷ lệ % hộ dân được xem Truyền hình)");
        let labels: Vec<&str> = a.numbers.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Số hộ dân được nghe Đài",
                "Tổng số hộ dân",
                "Tỷ lệ hộ dân được nghe Đài",
                "Số hộ dân được xem Truyền hình",
                "Tỷ lệ hộ dân được xem Truyền hình"
            ]
        );
        assert_eq!(a.numbers[2].parts, Some((0, 1)));
        assert_eq!(a.numbers[4].parts, Some((3, 1)));
        assert!(a.numbers.iter().all(|n| n.family == Family::Stock));
        assert_eq!(a.numbers[1].measure, "hộ");
    }
}
