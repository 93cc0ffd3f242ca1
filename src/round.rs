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
    #[error("không đọc được {path}: {}", crate::text::io_error_vi(.error))]
    Io {
        path: String,
        /// Not a `source`: its text is the system's English.
        error: std::io::Error,
    },
    /// Every problem of `tonghop.toml` (syntax, unknown or misspelt keys,
    /// values of the wrong type, missing or empty keys), each with its line.
    #[error("{}", syntax_text(.path, .errors))]
    Syntax {
        path: String,
        errors: Vec<crate::catalog::SyntaxError>,
    },
    #[error("danh sách đơn vị {path} có {} lỗi:\n{}", .problems.len(), .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Units { path: String, problems: Vec<String> },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}

fn syntax_text(path: &str, errors: &[crate::catalog::SyntaxError]) -> String {
    match errors {
        [one] => format!("{path}, {one}"),
        _ => format!(
            "{path} có {} lỗi:\n{}",
            errors.len(),
            errors
                .iter()
                .map(|e| format!("  - {}", e.to_string().replace("\n", "\n  ")))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
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
    /// The committee's name as the issuing body of its documents, printed
    /// under `parent` at the head of `tong-hop.xlsx`, `gui-cap-tren.xlsx`
    /// and the reports, e.g. "Thành ủy Lai Châu" (Hướng dẫn 36-HD/VPTW:
    /// the executive committee issues, not the đảng bộ). Empty: derived
    /// from `committee` by [`issuing_body`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuing_body: String,
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
    /// Chức vụ of who signs the committee's documents for the Ban Thường
    /// vụ, printed under "T/M BAN THƯỜNG VỤ" on the draft report, e.g.
    /// "Phó Bí thư". Empty: a dotted line to fill in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signer_title: String,
    /// Their name, e.g. "Vàng Thị Chính". Empty: a dotted line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signer_name: String,
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

/// The issuing body of a Party organisation's documents, from its name
/// (Hướng dẫn 36-HD/VPTW, tên cơ quan ban hành): "Đảng bộ tỉnh X" →
/// "Tỉnh ủy X", "Đảng bộ thành phố X" → "Thành ủy X", "Đảng bộ huyện X"
/// → "Huyện ủy X", "Đảng bộ quận X" → "Quận ủy X", "Đảng bộ thị xã X" →
/// "Thị ủy X", any other "Đảng bộ X" → "Đảng ủy X"; a chi bộ issues as
/// itself. Other names are returned unchanged.
/// A unit code as compared when written by hand: upper case, without
/// spaces and invisible characters (zero-width space and joiners, BOM,
/// word joiner, soft hyphen).
pub fn code_key(code: &str) -> String {
    code.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
                )
        })
        .flat_map(char::to_uppercase)
        .collect()
}

pub fn issuing_body(name: &str) -> String {
    let name = name.trim();
    let lower = name.to_lowercase();
    const BODIES: [(&str, &str); 6] = [
        ("đảng bộ tỉnh ", "Tỉnh ủy "),
        ("đảng bộ thành phố ", "Thành ủy "),
        ("đảng bộ huyện ", "Huyện ủy "),
        ("đảng bộ quận ", "Quận ủy "),
        ("đảng bộ thị xã ", "Thị ủy "),
        ("đảng bộ ", "Đảng ủy "),
    ];
    for (prefix, body) in BODIES {
        if lower.starts_with(prefix) {
            // Same number of chars in the lower-cased prefix.
            let rest: String = name.chars().skip(prefix.chars().count()).collect();
            return format!("{body}{rest}");
        }
    }
    name.to_string()
}

impl Settings {
    /// The committee as the issuing body of its documents: `issuing_body`,
    /// or derived from `committee` ([`issuing_body`]).
    pub fn committee_body(&self) -> String {
        if self.issuing_body.trim().is_empty() {
            issuing_body(&self.committee)
        } else {
            self.issuing_body.trim().to_string()
        }
    }
}

/// The round folder `arg` names: the folder itself, or the folder of a
/// `tonghop.toml` given as a file (`tonghop consolidate
/// samples/tonghop.toml`).
///
/// # Errors
/// Another file than `tonghop.toml`.
fn round_dir(arg: &Path) -> Result<PathBuf, RoundError> {
    if !arg.is_file() {
        return Ok(arg.to_path_buf());
    }
    let is_settings = arg
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case(SETTINGS_FILE));
    if !is_settings {
        return Err(RoundError::Invalid {
            path: arg.display().to_string(),
            message: format!(
                "đây là một tệp, không phải thư mục đợt báo cáo: hãy ghi thư mục chứa {SETTINGS_FILE} (hoặc chính tệp {SETTINGS_FILE} của đợt)."
            ),
        });
    }
    Ok(match arg.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    })
}

/// Keys of `tonghop.toml` that must hold some text: (table, key); `""`
/// is the top level.
const REQUIRED_TEXT: &[(&str, &str)] = &[
    ("", "title"),
    ("", "round_id"),
    ("", "committee"),
    ("", "committee_code"),
    ("", "parent"),
    ("", "plan_number"),
    ("", "plan_date"),
    ("", "issuer"),
    ("", "period"),
    ("", "send_to"),
    ("", "place"),
    ("", "units"),
    ("", "returns"),
    ("", "output"),
    ("cap_tren", "round_id"),
    ("cap_tren", "plan_number"),
    ("cap_tren", "plan_date"),
    ("cap_tren", "issuer"),
    ("cap_tren", "send_to"),
];

fn empty_message(table: &str, key: &str) -> String {
    let shown = if table.is_empty() {
        format!("`{key}`")
    } else {
        format!("`{key}` của mục [{table}]")
    };
    format!(
        "khóa {shown} đang để trống: ghi giá trị trong ngoặc kép (xem samples/{SETTINGS_FILE})."
    )
}

/// [`REQUIRED_TEXT`] keys written `key = ""` (or only spaces) in a text
/// that does not read as settings.
fn empty_in_text(text: &str) -> Vec<crate::catalog::SyntaxError> {
    REQUIRED_TEXT
        .iter()
        .filter(|(table, key)| {
            crate::catalog::syntax::key_position(text, table, key).is_some_and(|(line, _)| {
                let l = text.lines().nth(line - 1).unwrap_or("");
                let value = l.split_once('=').map_or("", |(_, v)| v);
                let value = value.split('#').next().unwrap_or("").trim();
                value.len() >= 2
                    && (value.starts_with('"') && value.ends_with('"')
                        || value.starts_with('\'') && value.ends_with('\''))
                    && value[1..value.len() - 1].trim().is_empty()
            })
        })
        .map(|(table, key)| {
            crate::catalog::SyntaxError::at_key(text, table, key, empty_message(table, key))
        })
        .collect()
}

impl Settings {
    /// Keys that must hold some text ([`REQUIRED_TEXT`]) and hold none or
    /// only spaces (`round_id = ""`), each at its line of `text`.
    pub fn empty_keys(&self, text: &str) -> Vec<crate::catalog::SyntaxError> {
        let mut out: Vec<_> = REQUIRED_TEXT
            .iter()
            .filter(|(table, key)| {
                self.required_text(table, key)
                    .is_some_and(|v| v.trim().is_empty())
            })
            .map(|(table, key)| {
                crate::catalog::SyntaxError::at_key(text, table, key, empty_message(table, key))
            })
            .collect();
        out.sort_by_key(|e| e.line);
        out
    }

    /// The value of a [`REQUIRED_TEXT`] key; `None` for `[cap_tren]` keys
    /// when there is no `[cap_tren]`.
    fn required_text(&self, table: &str, key: &str) -> Option<String> {
        let path = |p: &Path| p.to_string_lossy().into_owned();
        if table == "cap_tren" {
            let up = self.cap_tren.as_ref()?;
            return Some(
                match key {
                    "round_id" => &up.round_id,
                    "plan_number" => &up.plan_number,
                    "plan_date" => &up.plan_date,
                    "issuer" => &up.issuer,
                    "send_to" => &up.send_to,
                    _ => return None,
                }
                .clone(),
            );
        }
        Some(match key {
            "title" => self.title.clone(),
            "round_id" => self.round_id.clone(),
            "committee" => self.committee.clone(),
            "committee_code" => self.committee_code.clone(),
            "parent" => self.parent.clone(),
            "plan_number" => self.plan_number.clone(),
            "plan_date" => self.plan_date.clone(),
            "issuer" => self.issuer.clone(),
            "period" => self.period.clone(),
            "send_to" => self.send_to.clone(),
            "place" => self.place.clone(),
            "units" => path(&self.units),
            "returns" => path(&self.returns),
            "output" => path(&self.output),
            _ => return None,
        })
    }

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
    /// Codes as [`code_key`] folds them → position: a code written in a
    /// form in another case or with invisible characters.
    code_keys: std::collections::HashMap<String, usize>,
    /// Unit name folded (case, diacritics, spacing: [`fold`]) → position of
    /// the first unit of that name.
    names: std::collections::HashMap<String, usize>,
}

impl Round {
    /// Load `dir/tonghop.toml`, its catalogue (or `catalog_override`, or
    /// the embedded one) and its units list.
    ///
    /// # Errors
    /// Missing or malformed settings, an invalid catalogue, or a units
    /// list with problems (all reported at once, each naming its row).
    pub fn load(dir: &Path, catalog_override: Option<&Path>) -> Result<Round, RoundError> {
        let dir = &round_dir(dir)?;
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
                    "không có tệp {SETTINGS_FILE}: đây không phải thư mục đợt báo cáo (tạo đợt mới bằng lệnh: tonghop init THƯ_MỤC; xem tệp mẫu samples/{SETTINGS_FILE} và hướng dẫn HUONG-DAN.txt)."
                ),
            });
        }
        let text = crate::textfile::read(&path)
            .map_err(|error| RoundError::Io {
                path: path.display().to_string(),
                error,
            })?
            .text;
        let settings: Settings = crate::catalog::syntax::from_toml_all(&text)
            .map_err(|mut errors| {
                // Empty keys are found in the text too when it does not
                // read, so that every problem is told at once.
                errors.extend(empty_in_text(&text));
                errors.sort_by_key(|e| (e.line == 0, e.line, e.column));
                errors.dedup_by(|a, b| a.line == b.line && a.line != 0);
                errors
            })
            .and_then(|s: Settings| {
                let empty = s.empty_keys(&text);
                if empty.is_empty() {
                    Ok(s)
                } else {
                    Err(empty)
                }
            })
            .map_err(|errors| RoundError::Syntax {
                path: path.display().to_string(),
                errors,
            })?;
        let catalog_path = catalog_override
            .map(Path::to_path_buf)
            .or_else(|| settings.catalog.as_ref().map(|p| dir.join(p)));
        let catalog = Catalog::load_or_embedded(catalog_path.as_deref())?;
        let mut units = load_units(&dir.join(&settings.units), &catalog)?;
        // No "Đơn vị cấp trên" column: the units are the committee's own.
        for u in &mut units {
            if u.parent.is_empty() {
                u.parent = settings.committee.clone();
            }
        }
        check_file_choices(&settings.files, &units, &text).map_err(|errors| {
            RoundError::Syntax {
                path: path.display().to_string(),
                errors,
            }
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
        // A key two codes of the list share matches neither.
        let mut code_keys: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut shared = std::collections::HashSet::new();
        for (i, u) in units.iter().enumerate() {
            if code_keys.insert(code_key(&u.code), i).is_some() {
                shared.insert(code_key(&u.code));
            }
        }
        code_keys.retain(|k, _| !shared.contains(k));
        let mut names = std::collections::HashMap::new();
        for (i, u) in units.iter().enumerate() {
            names.entry(fold(&u.name)).or_insert(i);
        }
        Round {
            dir,
            settings,
            catalog,
            units,
            positions,
            code_keys,
            names,
        }
    }

    /// The unit whose name is `text` once both are folded (case,
    /// diacritics, spacing), as a header cell names it; the first such
    /// unit of the list.
    pub fn unit_named(&self, text: &str) -> Option<&OrgUnit> {
        self.names.get(&fold(text)).map(|&i| &self.units[i])
    }

    pub fn unit(&self, code: &str) -> Option<&OrgUnit> {
        self.unit_position(code).map(|i| &self.units[i])
    }

    /// The unit whose code a form or a person wrote: exactly, or in
    /// another case, with spaces or invisible characters around or inside
    /// ("cb-ttvh", "CB-TTVH\u{200b}"). The units list refuses codes that
    /// differ only so, so the match is unambiguous.
    pub fn unit_written(&self, code: &str) -> Option<&OrgUnit> {
        self.unit(code)
            .or_else(|| self.code_keys.get(&code_key(code)).map(|&i| &self.units[i]))
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

/// Problems of the `[[files]]` entries, all at once, each at the line of
/// its `[[files]]` header in `text`: an empty `file`, a `unit` not in the
/// units list, `use` together with `exclude`.
fn check_file_choices(
    files: &[FileChoice],
    units: &[OrgUnit],
    text: &str,
) -> Result<(), Vec<crate::catalog::SyntaxError>> {
    let headers: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().replace(' ', "") == "[[files]]")
        .map(|(i, l)| (i + 1, l))
        .collect();
    let mut all: Vec<(usize, String)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let n = i + 1;
        let mut problems = Vec::new();
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
        all.extend(problems.into_iter().map(|p| (i, p)));
    }
    if all.is_empty() {
        return Ok(());
    }
    Err(all
        .into_iter()
        .map(|(i, message)| {
            let (line, excerpt) = headers.get(i).map_or((0, ""), |h| *h);
            crate::catalog::SyntaxError {
                line,
                column: 1,
                message,
                excerpt: excerpt.to_string(),
            }
        })
        .collect())
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

/// The last column, "Đơn vị cấp trên", may be left out: the units are then
/// the committee's own.
const OPTIONAL_HEADERS: usize = 1;

/// Rows looked at for the header row (title rows may stand above it).
const HEADER_SEARCH_ROWS: usize = 20;

/// Which column of `header` each of [`HEADERS`] is.
fn header_columns(header: &[String]) -> [Option<usize>; 5] {
    let mut index = [None; 5];
    for (i, (name, aliases)) in HEADERS.iter().enumerate() {
        index[i] = header.iter().position(|h| {
            let h = fold(h.trim().trim_end_matches(['*', ':']).trim());
            h == *name || aliases.iter().any(|a| h == *a)
        });
    }
    index
}

/// The header row of a table: the first of its first rows naming the most
/// of [`HEADERS`] (at least two); its position in `rows`.
fn find_header(rows: &[Row]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let found = header_columns(&row.cells).iter().flatten().count();
        if found >= 2 && best.is_none_or(|(_, n)| found > n) {
            best = Some((i, found));
        }
    }
    best
}

/// Read a units list: a .csv (UTF-8 with or without BOM, UTF-16 from
/// Notepad, Windows-1258 from Excel's plain "CSV"; separated by commas,
/// semicolons or tabs, found from the header row) or the first sheet of an
/// .xlsx/.xls/.ods. Title rows above the header row are skipped; the
/// header row is the one naming the columns Mã đơn vị, Tên đơn vị, Loại,
/// Khối and, optionally, Đơn vị cấp trên (empty: the committee fills in).
///
/// # Errors
/// Every problem at once: missing columns, empty code or name, duplicate
/// code, unknown loại, each naming its row (the file's own line or sheet
/// row, 1-based).
pub fn load_units(path: &Path, catalog: &Catalog) -> Result<Vec<OrgUnit>, RoundError> {
    let candidates = read_table(path)?;
    let shown = path.display().to_string();
    let is_csv = is_csv(path);
    // The separator (CSV) whose header row names the most columns.
    let found = candidates
        .iter()
        .filter_map(|rows| find_header(rows).map(|(h, n)| (rows, h, n)))
        .max_by_key(|(_, _, n)| *n);
    let Some((rows, h, _)) = found else {
        let first = candidates.first().and_then(|rows| {
            rows.iter()
                .find(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        });
        let seen = first.map_or_else(
            || "tệp trống".to_string(),
            |r| {
                format!(
                    "dòng {} ghi \"{}\"",
                    r.line,
                    r.cells.join(if is_csv { "," } else { " | " })
                )
            },
        );
        let fix = if is_csv {
            " Nếu tệp lưu từ Excel: mở tệp, chọn File → Save As → \"CSV UTF-8 (Comma delimited) (*.csv)\", hoặc lưu thành .xlsx và ghi units = \"don-vi.xlsx\" trong tonghop.toml."
        } else {
            " Danh sách phải nằm ở trang đầu tiên của bảng tính."
        };
        return Err(RoundError::Units {
            path: shown,
            problems: vec![format!(
                "không tìm thấy dòng tiêu đề với các cột \"Mã đơn vị\", \"Tên đơn vị\", \"Loại\", \"Khối\" (và tùy chọn \"Đơn vị cấp trên\") trong {HEADER_SEARCH_ROWS} dòng đầu ({seen}).{fix}"
            )],
        });
    };
    let (header, body) = (&rows[h], &rows[h + 1..]);
    let columns = header_columns(&header.cells);
    let mut index = [usize::MAX; 5];
    let mut problems = Vec::new();
    for (i, (name, _)) in HEADERS.iter().enumerate() {
        match columns[i] {
            Some(p) => index[i] = p,
            None if i >= HEADERS.len() - OPTIONAL_HEADERS => {}
            None => problems.push(format!(
                "thiếu cột \"{}\" ở dòng tiêu đề (dòng {}).",
                capitalize(name),
                header.line
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
            .cells
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
    for row in body {
        let line = row.line;
        let get = |i: usize| {
            row.cells
                .get(index[i])
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
                .and_then(|c| row.cells.get(c))
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

/// One row of a table: its line in the file (CSV) or its row in the
/// sheet, 1-based, and its cells.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    cells: Vec<String>,
}

fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"))
}

/// The rows of a CSV text split by `separator`; a field that does not
/// parse (an unclosed quote) ends the rows there.
fn csv_rows(text: &str, separator: u8) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        rows.push(Row {
            line: record
                .position()
                .map_or(rows.len() + 1, |p| p.line() as usize),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    rows
}

/// The candidate tables of a units file: for a CSV one per separator
/// (comma, semicolon, tab; [`load_units`] keeps the one whose header row
/// reads), for a workbook its first sheet.
fn read_table(path: &Path) -> Result<Vec<Vec<Row>>, RoundError> {
    let shown = path.display().to_string();
    if is_csv(path) {
        let decoded = crate::textfile::read(path).map_err(|error| RoundError::Io {
            path: shown.clone(),
            error,
        })?;
        return Ok([b',', b';', b'\t']
            .iter()
            .map(|sep| csv_rows(&decoded.text, *sep))
            .collect());
    }
    if !path.is_file() {
        return Err(RoundError::Io {
            path: shown,
            error: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let mut wb = calamine::open_workbook_auto(path).map_err(|_| RoundError::Invalid {
        path: shown.clone(),
        message: "không mở được bảng tính (tệp hỏng, đang được ghi, hoặc không phải .xlsx/.xls/.ods): mở thử bằng Excel rồi lưu lại, hoặc lưu danh sách thành .csv.".into(),
    })?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| RoundError::Invalid {
            path: shown.clone(),
            message: "bảng tính không có trang nào.".into(),
        })?
        .map_err(|_| RoundError::Invalid {
            path: shown.clone(),
            message:
                "không đọc được trang đầu của bảng tính (tệp hỏng?): mở bằng Excel rồi lưu lại."
                    .into(),
        })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    Ok(vec![range
        .rows()
        .enumerate()
        .map(|(i, r)| Row {
            line: first_row + i + 1,
            cells: std::iter::repeat_n(String::new(), first_col)
                .chain(r.iter().map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    other => other.to_string(),
                }))
                .collect(),
        })
        .collect()])
}

#[cfg(test)]
mod tests {
    use super::issuing_body;

    #[test]
    fn issuing_bodies_follow_the_party_convention() {
        assert_eq!(issuing_body("Đảng bộ tỉnh Lai Châu"), "Tỉnh ủy Lai Châu");
        assert_eq!(
            issuing_body("Đảng bộ thành phố Lai Châu"),
            "Thành ủy Lai Châu"
        );
        assert_eq!(
            issuing_body("Đảng bộ huyện Tam Đường"),
            "Huyện ủy Tam Đường"
        );
        assert_eq!(
            issuing_body("Đảng bộ phường Tân Phong"),
            "Đảng ủy phường Tân Phong"
        );
        assert_eq!(
            issuing_body("Đảng bộ Quân sự thành phố"),
            "Đảng ủy Quân sự thành phố"
        );
        assert_eq!(issuing_body("Chi bộ phòng Nội vụ"), "Chi bộ phòng Nội vụ");
        assert_eq!(issuing_body("ĐẢNG BỘ XÃ SAN THÀNG"), "Đảng ủy XÃ SAN THÀNG");
    }
}
