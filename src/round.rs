//! A round folder: its settings (`tonghop.toml`) and its units list (danh
//! sách đơn vị báo cáo), read and checked before any work starts.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::text::fold;

/// Name of the settings file in a round folder.
pub const SETTINGS_FILE: &str = "tonghop.toml";

/// Fatal problems with a round folder (the run cannot start).
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error("không đọc được {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} sai cú pháp: {message}")]
    Syntax { path: String, message: String },
    #[error("danh sách đơn vị {path} có {} lỗi:\n{}", .problems.len(), .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Units { path: String, problems: Vec<String> },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}

/// The round settings, `tonghop.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Round title, e.g. "Tổng kết thực hiện Đề án 241".
    pub title: String,
    /// Id of the round (kỳ báo cáo), written in every form and checked on
    /// every return, e.g. "241-2021".
    pub round_id: String,
    /// The consolidating committee, e.g. "Đảng bộ thành phố Lai Châu".
    pub committee: String,
    /// Its unit code in `gui-cap-tren.xlsx`, e.g. "TP-LAICHAU".
    pub committee_code: String,
    /// The level above, printed as "ĐẢNG BỘ …" on the committee's own
    /// return, e.g. "Đảng bộ tỉnh Lai Châu".
    pub parent: String,
    /// The level above's round, printed on `gui-cap-tren.xlsx` (the
    /// committee's own return); absent: this round's own plan is used.
    #[serde(default)]
    pub cap_tren: Option<UpperRound>,
    /// Số hiệu of the plan, e.g. "24-KH/ThU".
    pub plan_number: String,
    /// Date of the plan as printed, e.g. "27/4/2021".
    pub plan_date: String,
    /// Who issued the plan, e.g. "Ban Thường vụ Thành ủy Lai Châu".
    pub issuer: String,
    /// Kỳ báo cáo as printed on forms.
    pub period: String,
    /// Hạn nộp (deadline), "2021-06-20" or "20/6/2021"; a return saved
    /// after the end of that day (Việt Nam time) is trễ hạn.
    #[serde(
        deserialize_with = "deserialize_date",
        serialize_with = "serialize_date"
    )]
    pub deadline: NaiveDate,
    /// Where units send their return (printed on the "Hướng dẫn" sheet).
    pub send_to: String,
    /// Place name in the date line, e.g. "Lai Châu".
    pub place: String,
    /// Units list (.csv or .xlsx), relative to the round folder.
    pub units: PathBuf,
    /// Folder of returned workbooks, relative to the round folder.
    #[serde(default = "default_returns")]
    pub returns: PathBuf,
    /// Default output folder, relative to the round folder.
    #[serde(default = "default_output")]
    pub output: PathBuf,
    /// Catalogue file; the embedded Đề án 241 catalogue when absent.
    #[serde(default)]
    pub catalog: Option<PathBuf>,
    /// The operator's decisions about single returned files (`[[files]]`):
    /// whose return a file is, which file of a unit is used, which is left
    /// out, when a file was received. Absent in older settings files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileChoice>,
}

/// One `[[files]]` entry of `tonghop.toml`: the operator's decision about
/// one file of the returns folder.
///
/// ```toml
/// [[files]]
/// file = "email-18-6/Doan Ket ban nhap.xlsx"  # path under the returns folder
/// unit = "P-DOANKET"        # whose return it is (when the form names another unit)
/// use = true                # the unit's return, whatever its save time
/// received = "18/6/2021"    # received by e-mail, Zalo or on paper: decides on time / late
/// note = "nhận qua Zalo"
///
/// [[files]]
/// file = "ban-nhap.xlsx"
/// exclude = true            # not consolidated
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChoice {
    /// Path of the file under the returns folder with `/`, or its bare
    /// name when no other file has that name (matched after Unicode NFC,
    /// case-insensitively).
    pub file: String,
    /// Mã đơn vị whose return the file is; decides a file whose hidden
    /// sheet and header name different units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Use this file as its unit's return, whatever the save times.
    #[serde(default, rename = "use", skip_serializing_if = "std::ops::Not::not")]
    pub chosen: bool,
    /// Leave this file out (not consolidated, findings not counted).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude: bool,
    /// The date the file was received ("2021-06-18" or "18/6/2021"):
    /// decides đúng hạn / trễ hạn instead of the save time.
    #[serde(
        default,
        deserialize_with = "deserialize_opt_date",
        serialize_with = "serialize_opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub received: Option<NaiveDate>,
    /// Free text shown on "Tình hình nộp" (how it was received, why).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl FileChoice {
    /// Whether this entry names the file at `rel` (path under the returns
    /// folder with `/`); a bare name matches the file name in any folder.
    pub fn matches(&self, rel: &str) -> bool {
        let want = crate::text::nfc(self.file.trim())
            .replace('\\', "/")
            .to_lowercase();
        let rel = crate::text::nfc(rel).to_lowercase();
        if want.contains('/') {
            rel == want
        } else {
            rel.rsplit('/').next() == Some(want.as_str())
        }
    }
}

/// Parse a date written "2021-06-20" or "20/6/2021".
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

fn deserialize_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "ngày \"{text}\" không có thật hoặc viết sai: ghi một ngày có thật, dạng \"2021-06-20\" hoặc \"20/6/2021\""
        ))
    })
}

fn serialize_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format("%Y-%m-%d").to_string())
}

/// The round of the level above (`[cap_tren]` in `tonghop.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpperRound {
    /// Its round id, so that the level above accepts the return.
    pub round_id: String,
    /// Its plan, e.g. "26-KH/TU".
    pub plan_number: String,
    /// e.g. "07/4/2021".
    pub plan_date: String,
    /// e.g. "Ban Thường vụ Tỉnh ủy Lai Châu".
    pub issuer: String,
    /// Its deadline, when known.
    #[serde(
        default,
        deserialize_with = "deserialize_opt_date",
        serialize_with = "serialize_opt_date"
    )]
    pub deadline: Option<NaiveDate>,
    /// Where the return goes, e.g. "Ban Tuyên giáo Tỉnh ủy Lai Châu".
    pub send_to: String,
}

fn deserialize_opt_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    deserialize_date(d).map(Some)
}

fn serialize_opt_date<S: serde::Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => serialize_date(d, s),
        None => s.serialize_none(),
    }
}

impl Settings {
    /// The settings a form for the level above is written with: its round
    /// id, plan, deadline and recipient (`[cap_tren]`), this round's title
    /// and period.
    pub fn for_upper_level(&self) -> (Settings, Option<String>) {
        let Some(up) = &self.cap_tren else {
            return (self.clone(), None);
        };
        let mut s = self.clone();
        s.round_id = up.round_id.clone();
        s.plan_number = up.plan_number.clone();
        s.plan_date = up.plan_date.clone();
        s.issuer = up.issuer.clone();
        s.send_to = up.send_to.clone();
        let note = match up.deadline {
            Some(d) => {
                s.deadline = d;
                None
            }
            None => Some(format!(
                "theo Kế hoạch số {} ngày {} của {}",
                up.plan_number, up.plan_date, up.issuer
            )),
        };
        (s, note)
    }
}

fn default_returns() -> PathBuf {
    PathBuf::from("bao-cao")
}

fn default_output() -> PathBuf {
    PathBuf::from("ket-qua")
}

/// An đơn vị báo cáo (reporting unit), one row of the units list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Mã đơn vị, unique, e.g. "P-TANPHONG".
    pub code: String,
    /// Tên đơn vị, e.g. "Đảng bộ phường Tân Phong".
    pub name: String,
    /// Loại: a unit type id of the catalogue, e.g. "xa_phuong".
    pub unit_type: String,
    /// Khối: block subtotalled together.
    pub block: String,
    /// Đơn vị cấp trên, e.g. "Đảng bộ thành phố Lai Châu".
    pub parent: String,
    /// Optional contact columns of the units list (for the chase list).
    #[serde(default)]
    pub contact: Contact,
}

/// Who to call about a unit's return: the optional columns "Người liên
/// hệ", "Điện thoại", "Email" of the units list (empty when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub person: String,
    pub phone: String,
    pub email: String,
}

impl Contact {
    /// "Nguyễn Văn A, 0912 345 678, a@x.vn" (the parts given).
    pub fn text(&self) -> String {
        [&self.person, &self.phone, &self.email]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A loaded round: folder, settings, catalogue and units.
#[derive(Debug, Clone)]
pub struct Round {
    pub dir: PathBuf,
    pub settings: Settings,
    pub catalog: Catalog,
    pub units: Vec<OrgUnit>,
    /// Mã đơn vị → position in `units`.
    positions: std::collections::HashMap<String, usize>,
}

impl Round {
    /// Load `dir/tonghop.toml`, its catalogue (or `catalog_override`, or
    /// the embedded one) and its units list.
    ///
    /// # Errors
    /// Missing or malformed settings, an invalid catalogue, or a units
    /// list with problems (all reported at once, each naming its row).
    pub fn load(dir: &Path, catalog_override: Option<&Path>) -> Result<Round, RoundError> {
        let path = dir.join(SETTINGS_FILE);
        if !dir.is_dir() {
            return Err(RoundError::Invalid {
                path: dir.display().to_string(),
                message: "không có thư mục này (cần thư mục đợt báo cáo chứa tonghop.toml, ví dụ samples).".into(),
            });
        }
        if !path.is_file() {
            return Err(RoundError::Invalid {
                path: dir.display().to_string(),
                message: format!(
                    "không có tệp {SETTINGS_FILE}: đây không phải thư mục đợt báo cáo (xem mục \"The round folder\" trong README hoặc samples/{SETTINGS_FILE})."
                ),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|source| RoundError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let settings: Settings = toml::from_str(&text).map_err(|e| RoundError::Syntax {
            path: path.display().to_string(),
            message: crate::catalog::SyntaxError::from_toml(&e, &text).to_string(),
        })?;
        let catalog_path = catalog_override
            .map(Path::to_path_buf)
            .or_else(|| settings.catalog.as_ref().map(|p| dir.join(p)));
        let catalog = Catalog::load_or_embedded(catalog_path.as_deref())?;
        let units = load_units(&dir.join(&settings.units), &catalog)?;
        check_file_choices(&settings.files, &units).map_err(|message| RoundError::Invalid {
            path: path.display().to_string(),
            message,
        })?;
        Ok(Round::new(dir.to_path_buf(), settings, catalog, units))
    }

    pub fn returns_dir(&self) -> PathBuf {
        self.dir.join(&self.settings.returns)
    }

    /// A round from its parts.
    pub fn new(dir: PathBuf, settings: Settings, catalog: Catalog, units: Vec<OrgUnit>) -> Round {
        let positions = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.clone(), i))
            .collect();
        Round {
            dir,
            settings,
            catalog,
            units,
            positions,
        }
    }

    pub fn unit(&self, code: &str) -> Option<&OrgUnit> {
        self.unit_position(code).map(|i| &self.units[i])
    }

    /// Position of a unit in the units list.
    pub fn unit_position(&self, code: &str) -> Option<usize> {
        self.positions.get(code).copied()
    }

    /// Blocks (khối) in the order they first appear in the units list.
    pub fn blocks(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for u in &self.units {
            if !out.contains(&u.block) {
                out.push(u.block.clone());
            }
        }
        out
    }

    /// The committee itself as a unit (for `gui-cap-tren.xlsx`).
    pub fn committee_unit(&self) -> OrgUnit {
        OrgUnit {
            code: self.settings.committee_code.clone(),
            name: self.settings.committee.clone(),
            unit_type: crate::catalog::UPPER_LEVEL_TYPE.to_string(),
            block: String::new(),
            parent: self.settings.parent.clone(),
            contact: Contact::default(),
        }
    }
}

/// Problems of the `[[files]]` entries, all at once: an empty `file`, a
/// `unit` not in the units list, `use` together with `exclude`.
fn check_file_choices(files: &[FileChoice], units: &[OrgUnit]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let n = i + 1;
        if f.file.trim().is_empty() {
            problems.push(format!(
                "mục [[files]] thứ {n}: thiếu tên tệp (file = \"...\")."
            ));
        }
        if let Some(u) = &f.unit {
            if !units.iter().any(|x| &x.code == u) {
                problems.push(format!(
                    "mục [[files]] thứ {n} (tệp \"{}\"): đơn vị \"{u}\" không có trong danh sách đơn vị.",
                    f.file
                ));
            }
        }
        if f.chosen && f.exclude {
            problems.push(format!(
                "mục [[files]] thứ {n} (tệp \"{}\"): không thể vừa dùng (use = true) vừa loại (exclude = true).",
                f.file
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join(" "))
    }
}

/// Column headers of the units list, matched after [`fold`].
const HEADERS: [(&str, &[&str]); 5] = [
    ("mã đơn vị", &["ma don vi", "mã", "code"]),
    ("tên đơn vị", &["ten don vi", "tên", "name"]),
    ("loại", &["loai", "loại đơn vị", "type"]),
    ("khối", &["khoi", "block"]),
    (
        "đơn vị cấp trên",
        &["don vi cap tren", "cấp trên", "parent"],
    ),
];

/// Read a units list (.csv, UTF-8 with or without BOM; or the first sheet
/// of an .xlsx/.xls/.ods).
///
/// # Errors
/// Every problem at once: missing columns, empty code or name, duplicate
/// code, unknown loại, each naming its row (1-based, header is row 1).
pub fn load_units(path: &Path, catalog: &Catalog) -> Result<Vec<OrgUnit>, RoundError> {
    let rows = read_table(path)?;
    let shown = path.display().to_string();
    let Some((header, body)) = rows.split_first() else {
        return Err(RoundError::Units {
            path: shown,
            problems: vec!["tệp không có dòng tiêu đề.".into()],
        });
    };
    let mut index = [usize::MAX; 5];
    let mut problems = Vec::new();
    for (i, (name, aliases)) in HEADERS.iter().enumerate() {
        match header
            .iter()
            .position(|h| fold(h) == *name || aliases.iter().any(|a| fold(h) == *a))
        {
            Some(p) => index[i] = p,
            None => problems.push(format!(
                "thiếu cột \"{}\" ở dòng tiêu đề.",
                capitalize(name)
            )),
        }
    }
    if !problems.is_empty() {
        return Err(RoundError::Units {
            path: shown,
            problems,
        });
    }
    // Optional contact columns: "Người liên hệ", "Điện thoại", "Email".
    let contact_col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| fold(h) == *n))
    };
    let contact_cols = [
        contact_col(&["người liên hệ", "nguoi lien he", "liên hệ"]),
        contact_col(&["điện thoại", "dien thoai", "số điện thoại"]),
        contact_col(&["email", "e-mail", "thư điện tử"]),
    ];
    let mut units = Vec::new();
    let mut codes: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut blocks: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut names: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (n, row) in body.iter().enumerate() {
        let line = n + 2;
        let get = |i: usize| {
            row.get(index[i])
                .map(|s| crate::text::nfc(s.trim()))
                .unwrap_or_default()
        };
        let (code, name, kind, block, parent) = (get(0), get(1), get(2), get(3), get(4));
        if code.is_empty() && name.is_empty() && kind.is_empty() {
            continue;
        }
        if code.is_empty() {
            problems.push(format!("dòng {line}: thiếu mã đơn vị."));
            continue;
        }
        if name.is_empty() {
            problems.push(format!("dòng {line}: đơn vị \"{code}\" thiếu tên."));
        }
        if let Some(first) = codes.insert(code.to_uppercase(), line) {
            problems.push(format!("dòng {line}: mã đơn vị \"{code}\" trùng với dòng {first} (mã không phân biệt chữ hoa, thường)."));
        }
        if !name.is_empty() {
            if let Some(first) = names.insert(fold(&name), line) {
                problems.push(format!("dòng {line}: tên đơn vị \"{name}\" trùng với dòng {first}; mỗi đơn vị cần một tên riêng để nhận ra báo cáo."));
            }
        }
        let unit_type = match catalog.unit_type_for(&kind) {
            Some(t) => t.id.clone(),
            None => {
                let known: Vec<_> = catalog
                    .unit_types
                    .iter()
                    .map(|t| t.label.as_str())
                    .collect();
                problems.push(format!(
                    "dòng {line}: loại đơn vị \"{kind}\" không có trong danh mục (dùng một trong: {}).",
                    known.join("; ")
                ));
                continue;
            }
        };
        if block.is_empty() {
            problems.push(format!("dòng {line}: đơn vị \"{code}\" thiếu khối."));
        }
        // Khối names that differ only in case or spacing are one khối
        // (its first spelling), as codes and names are matched.
        let block = blocks
            .entry(fold(&block))
            .or_insert_with(|| block.split_whitespace().collect::<Vec<_>>().join(" "))
            .clone();
        let contact_at = |i: usize| {
            contact_cols[i]
                .and_then(|c| row.get(c))
                .map(|s| crate::text::nfc(s.trim()))
                .unwrap_or_default()
        };
        units.push(OrgUnit {
            code,
            name,
            unit_type,
            block,
            parent,
            contact: Contact {
                person: contact_at(0),
                phone: contact_at(1),
                email: contact_at(2),
            },
        });
    }
    if units.is_empty() && problems.is_empty() {
        problems.push("danh sách không có đơn vị nào.".into());
    }
    if problems.is_empty() {
        Ok(units)
    } else {
        Err(RoundError::Units {
            path: shown,
            problems,
        })
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Rows of strings from a CSV or the first sheet of a workbook.
fn read_table(path: &Path) -> Result<Vec<Vec<String>>, RoundError> {
    let shown = path.display().to_string();
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let bytes = std::fs::read(path).map_err(|source| RoundError::Io {
            path: shown.clone(),
            source,
        })?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| RoundError::Invalid {
                path: shown.clone(),
                message: format!("dòng {}: không đọc được CSV ({e}).", i + 1),
            })?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        return Ok(rows);
    }
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| RoundError::Invalid {
        path: shown.clone(),
        message: format!("không mở được bảng tính ({e})."),
    })?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| RoundError::Invalid {
            path: shown.clone(),
            message: "bảng tính không có trang nào.".into(),
        })?
        .map_err(|e| RoundError::Invalid {
            path: shown.clone(),
            message: format!("không đọc được trang đầu ({e})."),
        })?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}
