//! Reading the returned workbooks (calamine): find every file under the
//! returns folder, decide what it is from its content (not its extension),
//! identify the unit, locate every cell through the form contract
//! (FORMAT.md) and read it into the long table. Every file ends with a
//! fate: accepted, superseded by a later return of the same unit, or
//! rejected with the reason.

mod attribute;
pub mod grid;
pub mod ods;
pub mod sniff;
pub mod value;
pub mod xls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Sheets};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use regex::Regex;
use std::sync::LazyLock;

use crate::catalog::{Catalog, GroupKind, Indicator, Severity};
use crate::cell::CellRef;
use crate::diagnostic::{rules, Finding};
use crate::form::{FORM_ID, META_SHEET};
use crate::round::{FileChoice, OrgUnit, Round};
use crate::text::fold;
use grid::Grid;
pub use sniff::FileKind;
use value::{Reading, Value};

/// Time zone of deadlines and save times (Việt Nam, UTC+7).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// One value read from a return: 32 bytes (a test holds it to that), so
/// that the 52,000 returns of the whole country, about 820 values each,
/// fit in memory. The unit and file are those of the [`FileReport`]
/// holding it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Position of the chỉ tiêu in `Catalog::indicators`.
    pub ind: u16,
    /// Position of the column in the chỉ tiêu's column set.
    pub col: u8,
    /// An input cell, or the cached value of a computed one.
    pub origin: Origin,
    /// Row number in a list table (1-based), 0 elsewhere.
    pub list_row: u16,
    /// Position of the sheet name in `FileReport::sheets`.
    pub sheet: u16,
    pub cell: CellRef,
    pub value: Value,
}

/// Where a [`Record`]'s value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A cell the unit fills in.
    Input,
    /// A computed cell (a total, a percentage): the value the file had
    /// cached. The recomputed value is produced by consolidation, never
    /// read.
    Cached,
    /// A computed cell that holds a typed number instead of its formula
    /// (known for .xlsx only: other formats give [`Origin::Cached`]).
    TypedOver,
}

impl Record {
    /// For a computed cell: the value the file had cached.
    pub fn computed(&self) -> bool {
        self.origin != Origin::Input
    }

    /// A computed cell that holds a typed number instead of its formula.
    pub fn typed_over(&self) -> bool {
        self.origin == Origin::TypedOver
    }

    /// Mã số.
    pub fn code<'c>(&self, c: &'c Catalog) -> &'c str {
        &c.indicators[self.ind as usize].code
    }

    /// Column key (`n2016`, `tong`, `so_hieu`, …).
    pub fn column<'c>(&self, c: &'c Catalog) -> &'c str {
        &c.columns_of_indicator(self.ind as usize)[self.col as usize].key
    }
}

/// Why a file was not consolidated. The kinds are typed; the text of
/// each (`Display`) is the Vietnamese reason the reports print.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// Larger than [`MAX_FILE_BYTES`] (sizes in MB).
    TooLarge { mb: u64, limit_mb: u64 },
    /// The file system would not give the file (the reason, Vietnamese).
    Unreadable(String),
    /// Not a workbook this round reads, or a damaged one (what the content
    /// was found to be, from the sniffer or the reader).
    Content(String),
    /// A form of another catalogue, version or round (from its hidden sheet).
    OtherForm(String),
    /// This committee's own consolidated return, not a unit's.
    CommitteeOwn { committee: String, code: String },
    /// A unit code not in the units list (code, name from the hidden sheet).
    UnknownUnit { code: String, name: String },
    /// No hidden sheet and no header cell names a unit of the list (the
    /// first texts seen).
    Unidentified { seen: Vec<String> },
    /// No hidden sheet, and the tables do not match this round's forms
    /// (the differences found).
    OtherStructure(Vec<String>),
    /// The generic form (bieu-mau-chung.xlsx) with no unit chosen in its
    /// drop-down: the sheet and cell of the drop-down.
    NoUnitChosen { sheet: String, cell: CellRef },
    /// No table of the form contract in the file.
    NoTable,
    /// A bug of ours while reading it (technical detail).
    Internal(String),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::TooLarge { mb, limit_mb } => {
                write!(f, "tệp quá lớn ({mb} MB, giới hạn {limit_mb} MB).")
            }
            Rejection::Unreadable(why) => write!(f, "không đọc được tệp ({why})."),
            Rejection::Content(text) | Rejection::OtherForm(text) => write!(f, "{text}"),
            Rejection::CommitteeOwn { committee, code } => write!(
                f,
                "đây là báo cáo tổng hợp của chính {committee} (mã {code}), không phải báo cáo của đơn vị trực thuộc."
            ),
            Rejection::UnknownUnit { code, name } => write!(
                f,
                "đơn vị mã \"{code}\" ({name}) không có trong danh sách đơn vị của đợt."
            ),
            Rejection::Unidentified { seen } => write!(
                f,
                "không xác định được đơn vị: không có trang ẩn \"{META_SHEET}\" và không ô tiêu đề nào trùng tên một đơn vị trong danh sách (thấy: {}).",
                if seen.is_empty() {
                    "không có chữ nào".to_string()
                } else {
                    seen.join(", ")
                }
            ),
            Rejection::OtherStructure(list) => write!(
                f,
                "không có trang ẩn \"{META_SHEET}\" và bảng không khớp biểu mẫu của đợt này (biểu mẫu của đợt hoặc danh mục khác?): {}.",
                list.join("; ")
            ),
            Rejection::NoUnitChosen { sheet, cell } => write!(
                f,
                "biểu mẫu chung nhưng chưa chọn đơn vị ở ô {cell} trang {sheet}: đơn vị mở tệp, chọn tên đơn vị mình trong danh sách thả xuống ở ô {cell} trang {sheet}, lưu và gửi lại."
            ),
            Rejection::NoTable => write!(
                f,
                "không tìm thấy bảng số liệu nào theo mẫu (không có cột \"Mã số\" với mã số của danh mục)."
            ),
            Rejection::Internal(what) => write!(
                f,
                "lỗi nội bộ của chương trình khi đọc tệp này; hãy gửi tệp cho người phát triển (chi tiết kỹ thuật: {what})."
            ),
        }
    }
}

/// What became of an input file. Only `Accepted` files are consolidated;
/// the findings of `Superseded`, `Duplicate`, `Ignored`, `Excluded` files
/// and of a `Blank` file of a unit that has a return are not counted.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    /// The unit's return, consolidated.
    Accepted,
    /// Another return of the same unit is used (the file named, and why).
    Superseded { by: String, why: Choice },
    /// A byte-identical copy of another input file (the file named).
    Duplicate { of: String },
    /// An office lock file or a system file: not a return.
    Ignored { kind: SystemFile },
    /// Left out by the operator (`exclude = true` in `tonghop.toml`).
    Excluded { note: String },
    /// The hidden sheet names one unit and a header cell another: the
    /// file counts for neither until the operator decides.
    UnitConflict {
        /// Mã đơn vị in the hidden sheet.
        hidden: String,
        /// Mã đơn vị named in the header.
        header: String,
    },
    /// A form sent back with no figure filled: not a submission.
    Blank,
    /// Not consolidated; the reason in Vietnamese.
    Rejected { reason: Rejection },
}

impl std::fmt::Display for Fate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fate::Accepted => write!(f, "đã tổng hợp"),
            Fate::Superseded { by, why } => {
                write!(f, "bản cũ, không tổng hợp: dùng {by} ({why})")
            }
            Fate::Duplicate { of } => {
                write!(f, "bản trùng, không tổng hợp: giống hệt tệp {of}")
            }
            Fate::Ignored { kind } => write!(f, "bỏ qua: {kind}, không phải báo cáo"),
            Fate::Excluded { note } if note.is_empty() => {
                write!(f, "không tổng hợp theo tonghop.toml (exclude = true)")
            }
            Fate::Excluded { note } => {
                write!(f, "không tổng hợp theo tonghop.toml (exclude = true): {note}")
            }
            Fate::UnitConflict { hidden, header } => write!(
                f,
                "không tổng hợp: trang ẩn ghi đơn vị {hidden}, tiêu đề ghi đơn vị {header}; chờ quyết định trong tonghop.toml (mục [[files]], unit = ...)"
            ),
            Fate::Blank => write!(f, "nộp biểu trống (chưa điền số liệu nào), không tổng hợp"),
            Fate::Rejected { reason } => write!(f, "không tổng hợp: {reason}"),
        }
    }
}

impl Fate {
    /// Vietnamese text of the fate (as [`std::fmt::Display`]).
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// Whether the file's findings count in the error report and the
    /// per-unit counts (accepted, rejected, in conflict, blank: the
    /// others are another file's business or not returns at all).
    pub fn findings_count(&self) -> bool {
        matches!(
            self,
            Fate::Accepted | Fate::Rejected { .. } | Fate::UnitConflict { .. } | Fate::Blank
        )
    }
}

/// Why one return of a unit was used rather than another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Saved later (the workbook's save time).
    SavedLater,
    /// Same save time; modified later on disk.
    SameTimeLaterOnDisk,
    /// Same save time and disk time; its name sorts after.
    SameTimeNameAfter,
    /// Chosen in `tonghop.toml` (`use = true`).
    Operator,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Choice::SavedLater => "bản lưu sau",
            Choice::SameTimeLaterOnDisk => {
                "cùng thời điểm lưu; tệp được dùng có thời điểm sửa trên đĩa muộn hơn"
            }
            Choice::SameTimeNameAfter => {
                "cùng thời điểm lưu và thời điểm sửa trên đĩa; tệp được dùng có tên đứng sau theo thứ tự chữ cái"
            }
            Choice::Operator => "chọn trong tonghop.toml, use = true",
        })
    }
}

/// Files that office programs and operating systems leave in a folder:
/// never a return, listed as ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFile {
    /// `~$name.xlsx`: Excel's owner file while a workbook is open.
    OfficeLock,
    /// `.~lock.name.xlsx#`: LibreOffice's lock file.
    LibreOfficeLock,
    /// `desktop.ini`: Windows folder settings.
    DesktopIni,
    /// `Thumbs.db`: Windows thumbnail cache.
    Thumbs,
    /// `.DS_Store`: macOS folder settings.
    DsStore,
    /// `._name`: macOS resource fork copied to a USB stick.
    AppleDouble,
}

impl SystemFile {
    /// The kind of a file from its name (the last path component), when it
    /// is a lock or system file.
    pub fn from_name(name: &str) -> Option<SystemFile> {
        let lower = name.to_lowercase();
        if name.starts_with("~$") {
            Some(SystemFile::OfficeLock)
        } else if name.starts_with(".~lock.") && name.ends_with('#') {
            Some(SystemFile::LibreOfficeLock)
        } else if lower == "desktop.ini" {
            Some(SystemFile::DesktopIni)
        } else if lower == "thumbs.db" {
            Some(SystemFile::Thumbs)
        } else if name == ".DS_Store" {
            Some(SystemFile::DsStore)
        } else if name.starts_with("._") {
            Some(SystemFile::AppleDouble)
        } else {
            None
        }
    }
}

impl std::fmt::Display for SystemFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SystemFile::OfficeLock => "tệp khóa của Excel (tạo ra khi tệp đang mở)",
            SystemFile::LibreOfficeLock => "tệp khóa của LibreOffice (tạo ra khi tệp đang mở)",
            SystemFile::DesktopIni => "tệp thiết lập thư mục của Windows",
            SystemFile::Thumbs => "tệp ảnh thu nhỏ của Windows",
            SystemFile::DsStore => "tệp thiết lập thư mục của macOS",
            SystemFile::AppleDouble => "tệp phụ của macOS (tên bắt đầu bằng \"._\")",
        })
    }
}

/// Where the time a return was made comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedSource {
    /// The workbook's own last-saved time (docProps/core.xml, meta.xml,
    /// summary information).
    Workbook,
    /// The file system's modification time.
    FileSystem,
}

impl SavedSource {
    pub fn label(self) -> &'static str {
        match self {
            SavedSource::Workbook => "thời điểm lưu ghi trong tệp",
            SavedSource::FileSystem => "thời điểm sửa tệp trên đĩa",
        }
    }
}

/// How the unit of a return was identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identified {
    /// The operator's `[[files]]` entry in `tonghop.toml`.
    Settings,
    /// `unit_code` in the hidden sheet.
    HiddenCode,
    /// `unit_name` in the hidden sheet.
    HiddenName,
    /// A header cell holding the unit's name.
    HeaderName { sheet: String, cell: CellRef },
    /// A header cell holding the unit's name typed in a legacy encoding
    /// (TCVN3, VNI), converted to Unicode.
    LegacyHeaderName {
        encoding: crate::legacy::LegacyEncoding,
        sheet: String,
        cell: CellRef,
        unicode: String,
    },
    /// A file that could not be read (rejected), whose name begins with
    /// the unit's code as `tonghop forms` names forms ("cb-c-….xlsx").
    FileName,
}

impl std::fmt::Display for Identified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identified::Settings => write!(f, "đơn vị ghi trong tonghop.toml (mục [[files]])"),
            Identified::HiddenCode => write!(f, "mã đơn vị trong trang ẩn"),
            Identified::HiddenName => write!(f, "tên đơn vị trong trang ẩn"),
            Identified::HeaderName { sheet, cell } => write!(f, "tên đơn vị ở ô {sheet}!{cell}"),
            Identified::LegacyHeaderName {
                encoding,
                sheet,
                cell,
                unicode,
            } => write!(
                f,
                "tên đơn vị gõ bằng bảng mã {} ở ô {sheet}!{cell} (đã chuyển sang Unicode: \"{unicode}\")",
                encoding.label()
            ),
            Identified::FileName => write!(f, "tên tệp bắt đầu bằng mã đơn vị"),
        }
    }
}

/// Everything learnt from one input file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Path relative to the returns folder, with `/`.
    pub file: String,
    pub kind: FileKind,
    /// Mã đơn vị when identified.
    pub unit: Option<String>,
    /// How the unit was identified (hidden sheet, header name).
    pub identified_by: Option<Identified>,
    pub saved_at: Option<NaiveDateTime>,
    pub saved_source: SavedSource,
    /// The file system's modification time (ties of `saved_at`).
    pub file_time: Option<NaiveDateTime>,
    /// SHA-256 of the file's bytes (byte-identical copies), when read.
    pub sha256: Option<[u8; 32]>,
    /// The operator's decision about this file (`[[files]]`), if any.
    pub choice: Option<crate::round::FileChoice>,
    pub fate: Fate,
    pub records: Vec<Record>,
    /// Names of the sheets the records point at.
    pub sheets: Vec<String>,
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// Sheet name of a record of this file.
    pub fn sheet_of(&self, r: &Record) -> &str {
        &self.sheets[r.sheet as usize]
    }
}

impl FileReport {
    /// The date the operator recorded the file as received, if any.
    pub fn received(&self) -> Option<chrono::NaiveDate> {
        self.choice.as_ref().and_then(|c| c.received)
    }
}

/// All input files of a round.
#[derive(Debug, Clone, Default)]
pub struct Ingest {
    pub files: Vec<FileReport>,
    /// Findings about the round's settings rather than one file (a
    /// `[[files]]` entry that names no file).
    pub findings: Vec<Finding>,
}

impl Ingest {
    /// Accepted returns.
    pub fn accepted(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.fate == Fate::Accepted)
    }

    /// Every finding that counts: those of the settings and of the files
    /// whose fate counts them ([`Fate::findings_count`]).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().chain(
            self.files
                .iter()
                .filter(|f| f.fate.findings_count())
                .flat_map(|f| f.findings.iter()),
        )
    }
}

/// Fatal problems of the returns folder: the run cannot give a result.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The returns folder does not exist (a typo in `returns = ...`).
    #[error("không có thư mục báo cáo {dir} (tonghop.toml: returns = \"{setting}\"). {}", nearby_text(.round_dir, .nearby))]
    MissingReturns {
        dir: String,
        setting: String,
        round_dir: String,
        /// Folders that exist in the round folder.
        nearby: Vec<String>,
    },
    /// The returns folder cannot be listed.
    #[error("không đọc được thư mục báo cáo {dir}: {}", crate::text::io_error_vi(.source))]
    Io { dir: String, source: std::io::Error },
}

fn nearby_text(round_dir: &str, nearby: &[String]) -> String {
    if nearby.is_empty() {
        format!("Thư mục đợt {round_dir} không có thư mục con nào: hãy tạo thư mục báo cáo và chép các tệp đơn vị gửi vào đó.")
    } else {
        format!(
            "Các thư mục có trong {round_dir}: {}. Hãy sửa returns trong tonghop.toml cho đúng tên thư mục chứa các tệp đơn vị gửi.",
            nearby
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Files larger than this are rejected unread.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Every file under `dir` (recursively, sorted), skipping `skip` folders
/// (the tool's own output).
///
/// # Errors
/// The returns folder cannot be listed.
pub fn discover(dir: &Path, skip: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
                if !skip.contains(&canon) {
                    stack.push(p);
                }
            } else if ft.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Progress of a long run: files done / total and the current file.
pub trait Progress: Sync {
    fn start(&self, total: usize);
    fn file_done(&self, file: &str);
    fn finish(&self);
}

/// No progress output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn file_done(&self, _: &str) {}
    fn finish(&self) {}
}

/// Read every file under the round's returns folder (in parallel, one task
/// per file, on polars' thread pool so that one pool serves the whole run)
/// and decide each file's fate: lock and system files ignored, the
/// operator's `[[files]]` decisions applied, byte-identical copies
/// counted once, one return per unit. The order of the result does not
/// depend on scheduling.
///
/// # Errors
/// The returns folder does not exist or cannot be listed (a bad file is
/// never an error).
pub fn ingest_round(
    round: &Round,
    skip: &[PathBuf],
    progress: &dyn Progress,
) -> Result<Ingest, IngestError> {
    use rayon::prelude::*;
    let dir = round.returns_dir();
    if !dir.is_dir() {
        return Err(missing_returns(round, skip));
    }
    let paths = discover(&dir, skip).map_err(|source| IngestError::Io {
        dir: dir.display().to_string(),
        source,
    })?;
    let rels: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let (choices, findings) = match_choices(round, &rels);
    progress.start(paths.len());
    // Polars' own thread pool: the whole run uses one pool.
    let mut files: Vec<FileReport> = polars_core::runtime::THREAD_POOL.install(|| {
        paths
            .par_iter()
            .zip(rels.par_iter())
            .zip(choices.par_iter())
            .map(|((p, rel), choice)| {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                if let Some(kind) = SystemFile::from_name(name) {
                    progress.file_done(rel);
                    let mut r = rejected(
                        rel,
                        FileKind::Unknown,
                        (file_mtime(p), SavedSource::FileSystem),
                        Rejection::Content(String::new()),
                    );
                    r.fate = Fate::Ignored { kind };
                    r.findings.clear();
                    return r;
                }
                // A bug must never cost the other files: a panic while reading
                // one file rejects that file with the reason and goes on.
                let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    read_file_with(p, rel, round, choice.as_ref())
                }))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    rejected(
                        rel,
                        FileKind::Unknown,
                        (file_mtime(p), SavedSource::FileSystem),
                        Rejection::Internal(what),
                    )
                });
                progress.file_done(rel);
                report
            })
            .collect()
    });
    progress.finish();
    resolve(&mut files, round);
    Ok(Ingest { files, findings })
}

/// The error for a missing returns folder, naming the folders that exist
/// in the round folder (not the output folders).
fn missing_returns(round: &Round, skip: &[PathBuf]) -> IngestError {
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut nearby: Vec<String> = std::fs::read_dir(&round.dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| e.path().canonicalize().map_or(true, |c| !skip.contains(&c)))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    nearby.sort();
    IngestError::MissingReturns {
        dir: round.returns_dir().display().to_string(),
        setting: round.settings.returns.display().to_string(),
        round_dir: round.dir.display().to_string(),
        nearby,
    }
}

/// The `[[files]]` entry of every file (by position), and a cảnh báo for
/// every entry that names no file or more than one.
fn match_choices(round: &Round, rels: &[String]) -> (Vec<Option<FileChoice>>, Vec<Finding>) {
    let mut out = vec![None; rels.len()];
    let mut findings = Vec::new();
    for c in &round.settings.files {
        let hits: Vec<usize> = (0..rels.len()).filter(|&i| c.matches(&rels[i])).collect();
        let problem = match hits.as_slice() {
            [] => Some(format!(
                "tonghop.toml, mục [[files]] file = \"{}\": không có tệp này trong thư mục báo cáo; quyết định này không được áp dụng.",
                c.file
            )),
            [i] => {
                out[*i] = Some(c.clone());
                None
            }
            many => Some(format!(
                "tonghop.toml, mục [[files]] file = \"{}\": trùng tên {} tệp ({}); hãy ghi cả đường dẫn thư mục. Quyết định này không được áp dụng.",
                c.file,
                many.len(),
                many.iter().map(|i| rels[*i].as_str()).collect::<Vec<_>>().join(", ")
            )),
        };
        if let Some(message) = problem {
            findings.push(Finding::file(
                Severity::CanhBao,
                crate::round::SETTINGS_FILE,
                rules::FILE,
                message,
            ));
        }
    }
    (out, findings)
}

/// Decide which files count: the operator's exclusions, byte-identical
/// copies (one is kept), blank forms, then one return per unit.
fn resolve(files: &mut [FileReport], round: &Round) {
    for f in files.iter_mut() {
        if f.choice.as_ref().is_some_and(|c| c.exclude) && !matches!(f.fate, Fate::Ignored { .. }) {
            f.fate = Fate::Excluded {
                note: f
                    .choice
                    .as_ref()
                    .map(|c| c.note.clone())
                    .unwrap_or_default(),
            };
        }
    }
    resolve_copies(files);
    resolve_units(files, round);
    attribute::rejected_files(files, round);
}

/// Byte-identical files are one file: the one chosen by the operator, else
/// the oldest on disk (then the shortest path: "a.xlsx" before its copy
/// "a (1).xlsx"), is kept; the others are duplicates of it.
fn resolve_copies(files: &mut [FileReport]) {
    let mut by_hash: BTreeMap<[u8; 32], Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if matches!(f.fate, Fate::Ignored { .. } | Fate::Excluded { .. }) {
            continue;
        }
        if let Some(h) = f.sha256 {
            by_hash.entry(h).or_default().push(i);
        }
    }
    for idx in by_hash.values().filter(|v| v.len() > 1) {
        let keep = idx
            .iter()
            .copied()
            .find(|&i| files[i].choice.as_ref().is_some_and(|c| c.chosen))
            .unwrap_or_else(|| {
                *idx.iter()
                    .min_by_key(|&&i| (files[i].file_time, files[i].file.len(), &files[i].file))
                    .expect("non-empty")
            });
        let of = files[keep].file.clone();
        for &i in idx.iter().filter(|&&i| i != keep) {
            files[i].fate = Fate::Duplicate { of: of.clone() };
        }
    }
}

/// One return per unit: the one chosen in `tonghop.toml`, else the latest
/// by save time; equal save times are decided by the file system time,
/// then the name, with a cảnh báo saying which was used and why. A blank
/// form counts only for a unit with no other return.
fn resolve_units(files: &mut [FileReport], round: &Round) {
    let mut by_unit: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let Some(u) = &f.unit else { continue };
        match f.fate {
            Fate::Accepted => by_unit.entry(u.clone()).or_default().0.push(i),
            Fate::Blank => by_unit.entry(u.clone()).or_default().1.push(i),
            _ => {}
        }
    }
    for (unit, (returns, blanks)) in by_unit {
        if !returns.is_empty() {
            // A blank form beside a real return: listed, not counted.
            for i in blanks {
                files[i].findings.clear();
            }
            if returns.len() > 1 {
                pick_return(files, round, &unit, &returns);
            }
        } else if blanks.len() > 1 {
            // Several blank forms: one lỗi is enough.
            let latest = latest(files, &blanks).0;
            for i in blanks.into_iter().filter(|&i| i != latest) {
                files[i].findings.clear();
            }
        }
    }
}

/// The latest of `idx` by save time, then file system time, then name;
/// and why it won over the runner-up.
fn latest(files: &[FileReport], idx: &[usize]) -> (usize, Choice) {
    let key = |i: usize| {
        (
            files[i].saved_at,
            files[i].file_time,
            files[i].file.as_str(),
        )
    };
    let mut sorted = idx.to_vec();
    sorted.sort_by(|a, b| key(*a).cmp(&key(*b)));
    let win = sorted[sorted.len() - 1];
    let why = match sorted.len().checked_sub(2).map(|p| sorted[p]) {
        Some(next) if files[next].saved_at == files[win].saved_at => {
            if files[next].file_time == files[win].file_time {
                Choice::SameTimeNameAfter
            } else {
                Choice::SameTimeLaterOnDisk
            }
        }
        _ => Choice::SavedLater,
    };
    (win, why)
}

fn pick_return(files: &mut [FileReport], round: &Round, unit: &str, idx: &[usize]) {
    let chosen = idx
        .iter()
        .copied()
        .find(|&i| files[i].choice.as_ref().is_some_and(|c| c.chosen));
    let (win, why) = match chosen {
        Some(i) => (i, Choice::Operator),
        None => latest(files, idx),
    };
    let by = files[win].file.clone();
    let when = |t: Option<NaiveDateTime>| {
        t.map_or("(không rõ)".to_string(), |t| {
            t.format("%d/%m/%Y %H:%M:%S").to_string()
        })
    };
    for &i in idx.iter().filter(|&&i| i != win) {
        files[i].fate = Fate::Superseded {
            by: by.clone(),
            why,
        };
    }
    if matches!(why, Choice::SameTimeLaterOnDisk | Choice::SameTimeNameAfter) {
        let tied: Vec<&str> = idx
            .iter()
            .filter(|&&i| files[i].saved_at == files[win].saved_at)
            .map(|&i| files[i].file.as_str())
            .collect();
        let reason = match why {
            Choice::SameTimeLaterOnDisk => format!(
                "vì thời điểm sửa tệp trên đĩa muộn hơn ({})",
                when(files[win].file_time)
            ),
            _ => "vì thời điểm sửa trên đĩa cũng trùng nhau, chọn theo tên tệp (tên đứng sau theo thứ tự chữ cái)".to_string(),
        };
        let message = format!(
            "đơn vị {unit} có {} bản cùng thời điểm lưu {} ({}): dùng {by} {reason}. Nếu cần dùng bản khác, ghi vào tonghop.toml: [[files]] file = \"...\" use = true.",
            tied.len(),
            when(files[win].saved_at),
            tied.join(", ")
        );
        let mut finding = Finding::file(Severity::CanhBao, &by, rules::FILE, message);
        finding.unit = unit.to_string();
        finding.unit_name = round.unit(unit).map(|u| u.name.clone()).unwrap_or_default();
        files[win].findings.push(finding);
    }
}

fn rejected(
    file: &str,
    kind: FileKind,
    saved: (Option<NaiveDateTime>, SavedSource),
    reason: Rejection,
) -> FileReport {
    let finding = Finding::file(
        Severity::Loi,
        file,
        rules::FILE,
        format!("tệp {file}: {reason}"),
    );
    FileReport {
        findings: vec![finding],
        ..FileReport::new(file, kind, saved, Fate::Rejected { reason })
    }
}

impl FileReport {
    /// A report of `file` with its fate and save time, nothing read yet.
    fn new(
        file: &str,
        kind: FileKind,
        saved: (Option<NaiveDateTime>, SavedSource),
        fate: Fate,
    ) -> FileReport {
        FileReport {
            file: file.to_string(),
            kind,
            unit: None,
            identified_by: None,
            saved_at: saved.0,
            saved_source: saved.1,
            file_time: None,
            sha256: None,
            choice: None,
            fate,
            records: Vec::new(),
            sheets: Vec::new(),
            findings: Vec::new(),
        }
    }
}

fn file_mtime(path: &Path) -> Option<NaiveDateTime> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let utc: DateTime<chrono::Utc> = modified.into();
    Some(utc.with_timezone(&vietnam()).naive_local())
}

/// Parse a saved time from document properties ("2021-06-18T03:15:00Z",
/// with or without zone) into Việt Nam local time.
pub fn parse_saved_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&vietnam()).naive_local());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            // No zone: LibreOffice writes local time; take it as written.
            return Some(t);
        }
    }
    None
}

/// Read one file; never fails: problems become the file's fate and
/// findings. The operator's `[[files]]` entry naming exactly this path
/// applies (the round reader, [`ingest_round`], also matches bare names).
pub fn read_file(path: &Path, rel: &str, round: &Round) -> FileReport {
    let choice = round.settings.files.iter().find(|c| c.matches(rel));
    read_file_with(path, rel, round, choice)
}

fn read_file_with(
    path: &Path,
    rel: &str,
    round: &Round,
    choice: Option<&FileChoice>,
) -> FileReport {
    let mtime = (file_mtime(path), SavedSource::FileSystem);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut report = if size > MAX_FILE_BYTES {
        rejected(
            rel,
            FileKind::Unknown,
            mtime,
            Rejection::TooLarge {
                mb: size / 1_048_576,
                limit_mb: MAX_FILE_BYTES / 1_048_576,
            },
        )
    } else {
        match std::fs::read(path) {
            Ok(bytes) => read_bytes_with(bytes, rel, round, mtime.0, choice),
            Err(e) => rejected(
                rel,
                FileKind::Unknown,
                mtime,
                Rejection::Unreadable(crate::text::io_error_vi(&e)),
            ),
        }
    };
    report.file_time = mtime.0;
    report.choice = choice.cloned();
    report
}

/// Read a file's content (the fuzz target's entry point); `mtime` is the
/// file system's modification time, used when the workbook has no saved
/// time of its own.
pub fn read_bytes(
    bytes: Vec<u8>,
    rel: &str,
    round: &Round,
    mtime: Option<NaiveDateTime>,
) -> FileReport {
    let choice = round.settings.files.iter().find(|c| c.matches(rel));
    read_bytes_with(bytes, rel, round, mtime, choice)
}

fn read_bytes_with(
    bytes: Vec<u8>,
    rel: &str,
    round: &Round,
    mtime: Option<NaiveDateTime>,
    choice: Option<&FileChoice>,
) -> FileReport {
    use sha2::{Digest, Sha256};
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let mut report = read_content(bytes, rel, round, mtime, choice);
    report.sha256 = Some(sha256);
    report.file_time = mtime;
    report.choice = choice.cloned();
    report
}

fn read_content(
    bytes: Vec<u8>,
    rel: &str,
    round: &Round,
    mtime: Option<NaiveDateTime>,
    choice: Option<&FileChoice>,
) -> FileReport {
    let mtime = (mtime, SavedSource::FileSystem);
    let kind = match sniff::sniff(&bytes) {
        Ok(k) => k,
        Err(reason) => {
            return rejected(
                rel,
                sniff::FileKind::Unknown,
                mtime,
                Rejection::Content(reason),
            )
        }
    };
    // Stray cells far outside the form: removed before calamine builds the
    // .xls and .ods sheets as dense ranges (read like an .xlsx, where they
    // are harmless).
    let trimmed = match kind {
        FileKind::Xls => xls::trim_far_cells(bytes),
        FileKind::Ods => ods::trim_far_cells(bytes),
        _ => Ok((bytes, 0)),
    };
    let bytes = match trimmed {
        Ok((b, _)) => b,
        Err(reason) => return rejected(rel, kind, mtime, Rejection::Content(reason)),
    };
    let mut wb = match open(kind, bytes) {
        Ok(wb) => wb,
        Err(reason) => return rejected(rel, kind, mtime, Rejection::Content(reason)),
    };
    let saved = wb
        .workbook_properties()
        .ok()
        .and_then(|p| p.modified)
        .and_then(|m| parse_saved_time(&m))
        .map(|t| (Some(t), SavedSource::Workbook))
        .unwrap_or(mtime);
    let mut reader = FileReader {
        round,
        rel,
        choice,
        findings: Vec::new(),
        records: Vec::new(),
        sheets: Vec::new(),
        blank_inputs: Vec::new(),
        meta_unit: None,
    };
    let read = reader.read(&mut wb);
    let meta_unit = reader.meta_unit.take().filter(|c| round.unit(c).is_some());
    // Filled: a value was read, or a cell holds something that a finding
    // names (an unreadable or refused figure is typed, not blank).
    let filled = reader
        .records
        .iter()
        .any(|r| !r.computed() && !matches!(r.value, Value::Blank | Value::NotApplicable))
        || reader.findings.iter().any(|f| f.position().is_some());
    // Held until the outputs are written: no spare capacity (a pushed
    // vector keeps up to twice its length).
    reader.records.shrink_to_fit();
    let mut report = FileReport {
        records: reader.records,
        sheets: reader.sheets,
        findings: reader.findings,
        ..FileReport::new(rel, kind, saved, Fate::Accepted)
    };
    match read {
        Ok((unit, identified_by)) if filled => {
            report.unit = Some(unit.code);
            report.identified_by = Some(identified_by);
        }
        Ok((unit, identified_by)) => {
            let mut f = Finding::file(
                Severity::Loi,
                rel,
                rules::FILE,
                format!("tệp {rel}: biểu mẫu gửi về còn trống, chưa ô nhập liệu nào có số liệu; đơn vị {} ({}) cần điền biểu mẫu rồi gửi lại.", unit.name, unit.code),
            );
            f.unit = unit.code.clone();
            f.unit_name = unit.name.clone();
            report.unit = Some(unit.code);
            report.identified_by = Some(identified_by);
            report.fate = Fate::Blank;
            report.records.clear();
            report.findings = vec![f];
        }
        Err(ReadError::UnitConflict(c)) => {
            let Conflict {
                hidden,
                header,
                cell,
            } = *c;
            let message = format!(
                "tệp {rel}: trang ẩn \"{META_SHEET}\" ghi đơn vị {} ({}), nhưng ô {cell} ghi tên đơn vị {} ({}): có thể {} đã điền vào biểu mẫu của {}. Tệp không được tổng hợp cho đơn vị nào; nếu đây là báo cáo của {}, ghi vào tonghop.toml: [[files]] file = \"{rel}\" unit = \"{}\".",
                hidden.name, hidden.code, header.name, header.code, header.name, hidden.name, header.name, header.code
            );
            report.fate = Fate::UnitConflict {
                hidden: hidden.code,
                header: header.code,
            };
            report.records.clear();
            report.findings = vec![Finding::file(Severity::Loi, rel, rules::UNIT, message)];
        }
        Err(ReadError::Reject(reason)) => {
            let r = rejected(rel, kind, saved, reason);
            if meta_unit.is_some() {
                report.identified_by = Some(Identified::HiddenCode);
            }
            report.unit = meta_unit;
            report.fate = r.fate;
            report.records.clear();
            report.sheets.clear();
            report.findings = r.findings;
        }
    }
    report
}

/// Why a workbook was not read as a unit's return.
enum ReadError {
    /// Rejected, with the reason.
    Reject(Rejection),
    /// The hidden sheet and a header cell name different units.
    UnitConflict(Box<Conflict>),
}

/// A form whose hidden sheet names one unit and a header cell another.
struct Conflict {
    hidden: OrgUnit,
    header: OrgUnit,
    /// Where the header names the other unit ("Biểu 01!A2").
    cell: String,
}

/// A sheet the reader could not read (the Vietnamese reason).
impl From<String> for ReadError {
    fn from(reason: String) -> ReadError {
        ReadError::Reject(Rejection::Content(reason))
    }
}

type Workbook = Sheets<Cursor<Vec<u8>>>;

fn open(kind: FileKind, bytes: Vec<u8>) -> Result<Workbook, String> {
    let cursor = Cursor::new(bytes);
    let result = match kind {
        FileKind::Xlsx | FileKind::Xlsm => calamine::Xlsx::new(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        FileKind::Xlsb => calamine::Xlsb::new(cursor)
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        FileKind::Xls => calamine::Xls::new(cursor)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        FileKind::Ods => calamine::Ods::new(cursor)
            .map(Sheets::Ods)
            .map_err(|e| e.to_string()),
        FileKind::Unknown => Err("không phải tệp bảng tính".to_string()),
    };
    result.map_err(|e| grid::explain(&format!("tệp {}", kind.label()), &e))
}

/// The value of a cell absent from a sheet's grid.
static EMPTY: Data = Data::Empty;

/// A sheet name as Excel names a copy: "Biểu 04 (2)".
static COPY_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s\(\d+\)$").expect("static regex"));

static COLUMN_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(\s*(\d{1,3})\s*\)").expect("static regex"));

/// The located table of one sheet: the mã số column and data column
/// numbers → sheet columns.
struct Located {
    code_col: u32,
    /// The row of the "Mã số" header: the column labels.
    header_row: u32,
    number_row: u32,
    columns: BTreeMap<usize, u32>,
}

/// Find the "Mã số" header cell and the numbered column row under it.
fn locate(grid: &Grid) -> Option<Located> {
    let r0 = grid.first_row()?;
    for ((r, c), d) in grid.rows(r0, r0.saturating_add(60)) {
        let Data::String(s) = d else { continue };
        // "Mã số" has 4 letters (7 decomposed): no folded copy of the
        // other header texts.
        let letters = s.chars().filter(|c| !c.is_whitespace()).count();
        if c > 200 || !(4..=12).contains(&letters) || fold(s) != "mã số" {
            continue;
        }
        for nr in r.saturating_add(1)..=r.saturating_add(3) {
            let mut columns = BTreeMap::new();
            for (cc, d) in grid.row(nr) {
                if let Data::String(t) = d {
                    if let Some(m) = COLUMN_NUMBER.captures(t.trim()) {
                        if let Ok(n) = m[1].parse::<usize>() {
                            columns.entry(n).or_insert(cc);
                        }
                    }
                }
            }
            if !columns.is_empty() {
                return Some(Located {
                    code_col: c,
                    header_row: r,
                    number_row: nr,
                    columns,
                });
            }
        }
    }
    None
}

/// What differs between a table of a return without the hidden sheet and
/// this round's form.
#[derive(Debug, Clone, PartialEq)]
enum MismatchKind {
    /// The label over column (n).
    ColumnLabel(usize),
    /// A column (n) this biểu does not have.
    ExtraColumn(usize),
    /// The "Biểu số NN: …" title.
    Title,
}

/// One difference, with its place.
#[derive(Debug, Clone, PartialEq)]
struct Mismatch {
    sheet: String,
    cell: Option<CellRef>,
    what: MismatchKind,
    found: String,
    expected: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell {
            Some(cell) => write!(f, "trang \"{}\" ô {cell}: ", self.sheet)?,
            None => write!(f, "trang \"{}\": ", self.sheet)?,
        }
        match &self.what {
            MismatchKind::ColumnLabel(n) => write!(
                f,
                "tiêu đề cột ({n}) là \"{}\", biểu mẫu của đợt này là \"{}\"",
                self.found, self.expected
            ),
            MismatchKind::ExtraColumn(n) => write!(
                f,
                "có cột ({n}) \"{}\" mà biểu mẫu của đợt này không có",
                self.found
            ),
            MismatchKind::Title if self.found.is_empty() => write!(
                f,
                "không có tiêu đề biểu, biểu mẫu của đợt này là \"{}\"",
                self.expected
            ),
            MismatchKind::Title => write!(
                f,
                "tiêu đề là \"{}\", biểu mẫu của đợt này là \"{}\"",
                self.found, self.expected
            ),
        }
    }
}

/// A label folded for comparison: case, diacritics (NFC or NFD), spacing
/// and punctuation do not count; leading zeros of numbers neither ("Biểu
/// số 1" = "BIỂU SỐ 01").
fn label_key(s: &str) -> String {
    let folded = crate::text::fold_ascii(s);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                let t = w.trim_start_matches('0');
                if t.is_empty() { "0" } else { t }.to_string()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

static FOOTER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^,]{0,60},\s*ngày[\s.…\d]*tháng[\s.…\d]*năm[\s.…\d]*$").expect("static regex")
});

/// Whether row `r` starts the footer under a table: the place and date
/// line ("Lai Châu, ngày ..... tháng ..... năm 2021"), "NGƯỜI LẬP BIỂU" or a
/// "T/M …" signature.
fn is_footer_row(grid: &Grid, r: u32) -> bool {
    grid.row(r).any(|(_, d)| match d {
        Data::String(s) => {
            let f = fold(s);
            f.contains("người lập biểu") || f.starts_with("t/m ") || FOOTER_DATE.is_match(&f)
        }
        _ => false,
    })
}

/// Text of a cell as the reader sees it, for messages.
fn shown(data: &Data) -> String {
    match data {
        Data::String(s) => s.clone(),
        Data::Float(f) => crate::text::number_vi(*f),
        other => other.to_string(),
    }
}

/// The catalogue rows read so far in a file: (chỉ tiêu by its position in
/// the catalogue, occurrence in a list biểu, 0 otherwise) → the sheet (its
/// position in the file's sheet list) and the mã số cell where it was read.
type Seen = HashMap<(u16, u32), (u16, CellRef)>;

/// A value quoted for a message, or "(trống)".
fn quoted_or_blank(s: &str) -> String {
    if s.is_empty() {
        "(trống)".to_string()
    } else {
        format!("\"{s}\"")
    }
}

/// An input cell of a located table: row, column, chỉ tiêu (its position
/// in the catalogue).
type InputCell = (u32, u32, u16);

struct FileReader<'a> {
    round: &'a Round,
    rel: &'a str,
    /// The operator's decision about this file.
    choice: Option<&'a FileChoice>,
    findings: Vec<Finding>,
    records: Vec<Record>,
    sheets: Vec<String>,
    /// Sheets with blank input cells, and the input cells (row, column,
    /// mã số): where merged cells may hide values.
    blank_inputs: Vec<(String, Vec<InputCell>)>,
    /// `unit_code` of the hidden sheet, when there is one (the unit of a
    /// form of another round is still known).
    meta_unit: Option<String>,
}

impl FileReader<'_> {
    fn catalog(&self) -> &Catalog {
        &self.round.catalog
    }

    /// Read the workbook: returns the unit code and how it was identified,
    /// or the reason the file is rejected.
    fn read(&mut self, wb: &mut Workbook) -> Result<(OrgUnit, Identified), ReadError> {
        let names = wb.sheet_names();
        let mut budget = grid::Budget::default();
        let meta = match names.iter().find(|n| n.eq_ignore_ascii_case(META_SHEET)) {
            Some(n) => read_meta(&grid::read_sheet(wb, n, &mut budget)?),
            None => BTreeMap::new(),
        };
        // As the list writes it, when the form wrote it otherwise.
        self.meta_unit = meta
            .get("unit_code")
            .map(|c| match self.round.unit_written(c) {
                Some(u) => u.code.clone(),
                None => c.trim().to_string(),
            })
            .filter(|c| !c.is_empty());
        let trusted = self
            .check_meta(&meta)
            .map_err(|e| ReadError::Reject(Rejection::OtherForm(e)))?;
        let mut sheets = Vec::new();
        for name in names.iter().filter(|n| !n.eq_ignore_ascii_case(META_SHEET)) {
            match grid::read_sheet(wb, name, &mut budget) {
                Ok(g) => sheets.push((name.clone(), g)),
                Err(e) => return Err(e.into()),
            }
        }
        let (unit, how) = self.identify(&meta, &sheets)?;
        if meta.get(crate::form::STATUS_KEY).map(String::as_str)
            == Some(crate::form::ReturnStatus::Draft { errors: 0 }.key())
        {
            self.findings.push(Finding::file(
                Severity::CanhBao,
                self.rel,
                rules::FILE,
                format!(
                    "tệp {}: đây là bản DỰ THẢO của {} (cấp dưới còn lỗi chưa sửa); số liệu có thể còn thay đổi: nên chờ bản chính thức.",
                    self.rel, unit.name
                ),
            ));
        }
        if matches!(how, Identified::LegacyHeaderName { .. }) {
            self.findings.push(Finding::file(
                Severity::CanhBao,
                self.rel,
                rules::CONVERSION,
                format!("tệp {}: {how}; nên dùng phông Unicode.", self.rel),
            ));
        }
        let unit = unit.clone();
        if trusted {
            self.check_unit_type(&meta, &unit);
        }
        let mut seen: Seen = HashMap::new();
        let mut found_any = false;
        let mut mismatches = Vec::new();
        let located: Vec<Option<Located>> = sheets.iter().map(|(_, g)| locate(g)).collect();
        let copies = self.copied_sheets(&sheets, &located);
        for (i, (name, grid)) in sheets.iter().enumerate() {
            if copies.contains(&i) {
                continue;
            }
            if let Some(loc) = &located[i] {
                if !trusted {
                    mismatches.extend(self.structure_mismatches(name, grid, loc));
                }
                found_any |= self.read_sheet(&unit, name, grid, loc, &mut seen);
            }
        }
        if !mismatches.is_empty() {
            const SHOWN: usize = 4;
            let mut list: Vec<String> = mismatches
                .iter()
                .take(SHOWN)
                .map(|m| m.to_string())
                .collect();
            if mismatches.len() > SHOWN {
                list.push(format!("và {} chỗ khác", mismatches.len() - SHOWN));
            }
            return Err(ReadError::Reject(Rejection::OtherStructure(list)));
        }
        if !found_any {
            return Err(ReadError::Reject(Rejection::NoTable));
        }
        self.check_merges(wb, &sheets);
        self.missing_rows(&unit, &seen);
        for f in &mut self.findings {
            f.unit = unit.code.clone();
            f.unit_name = unit.name.clone();
        }
        Ok((unit, how))
    }

    /// Check the hidden sheet against the round: `Ok(true)` when it is ours
    /// and matches, `Ok(false)` when there is none (or another tool's),
    /// the reason when the return is from another catalogue or round.
    fn check_meta(&self, meta: &BTreeMap<String, String>) -> Result<bool, String> {
        if meta.is_empty() {
            return Ok(false);
        }
        let get = |k: &str| meta.get(k).map(String::as_str).unwrap_or("");
        // A hidden sheet of ours: form_id, or our other keys (a unit may
        // have cleared a cell).
        if get("form_id") != FORM_ID
            && !meta.contains_key("catalog_id")
            && !meta.contains_key("round_id")
        {
            return Ok(false);
        }
        let c = self.catalog();
        if get("catalog_id") != c.id {
            return Err(format!(
                "biểu mẫu của danh mục \"{}\", không phải danh mục \"{}\" của đợt này.",
                get("catalog_id"),
                c.id
            ));
        }
        if get("catalog_version") != c.version {
            return Err(format!(
                "biểu mẫu theo phiên bản danh mục {}, đợt này dùng phiên bản {}: đơn vị cần điền lại biểu mẫu mới.",
                get("catalog_version"),
                c.version
            ));
        }
        // The same catalogue (its canonical hash, or the hash of the same
        // TOML text that older forms carry), or another one whose parts
        // that decide cells are the same (a corrected label, a reformatted
        // file): the cells read the same.
        let form_hash = get("catalog_hash");
        let same_catalog = form_hash.is_empty()
            || form_hash == c.hash
            || (!c.text_hash.is_empty() && form_hash == c.text_hash);
        if !same_catalog {
            let shown = &form_hash[..12.min(form_hash.len())];
            let layout = get("layout_hash");
            if layout.is_empty() {
                return Err(format!(
                    "biểu mẫu theo một bản danh mục khác (mã băm {shown}…, đợt này {}…) và không ghi bố cục ô (layout_hash, biểu mẫu của phiên bản chương trình cũ), nên không biết các ô có còn đúng vị trí không: đơn vị cần điền lại biểu mẫu mới.",
                    c.short_hash()
                ));
            }
            if layout != c.layout_hash() {
                let changes = c.layout_changes(get("layout"));
                let what = if changes.is_empty() {
                    "vị trí các ô đã đổi".to_string()
                } else {
                    changes.join("; ")
                };
                return Err(format!(
                    "biểu mẫu theo một bản danh mục khác (mã băm {shown}…, đợt này {}…) mà các ô không còn như cũ: {what}. Đơn vị cần điền lại biểu mẫu mới.",
                    c.short_hash()
                ));
            }
        }
        let round_id = &self.round.settings.round_id;
        if !get("round_id").is_empty() && get("round_id") != round_id {
            return Err(format!(
                "biểu mẫu của đợt báo cáo \"{}\", không phải đợt \"{round_id}\".",
                get("round_id")
            ));
        }
        Ok(true)
    }

    /// A return whose hidden sheet says it was made for another loại đơn
    /// vị than the list gives its unit: its "x" cells and inputs are those
    /// of the other type (lỗi naming both).
    fn check_unit_type(&mut self, meta: &BTreeMap<String, String>, unit: &OrgUnit) {
        let Some(form_type) = meta.get("unit_type").map(|t| t.trim()) else {
            return;
        };
        if form_type.is_empty() || form_type == unit.unit_type {
            return;
        }
        let c = self.catalog();
        let label = |id: &str| {
            c.unit_type_for(id)
                .map_or_else(|| id.to_string(), |t| t.label.clone())
        };
        self.findings.push(Finding::file(
            Severity::Loi,
            self.rel,
            rules::UNIT,
            format!(
                "tệp {}: biểu mẫu này tạo cho loại đơn vị \"{}\", nhưng danh sách đơn vị ghi {} là \"{}\": các chỉ tiêu áp dụng khác nhau; đơn vị cần điền biểu mẫu của đúng loại đơn vị (hoặc sửa loại trong danh sách).",
                self.rel,
                label(form_type),
                unit.name,
                label(&unit.unit_type)
            ),
        ));
    }

    /// Without the hidden sheet nothing says which round a table is from:
    /// its biểu title and the labels over its numbered columns must be
    /// this round's (compared folded: case, diacritics, spacing and
    /// punctuation), or the file is from another round ("Năm 2013" would be
    /// read as "Năm 2016").
    fn structure_mismatches(&self, sheet: &str, grid: &Grid, loc: &Located) -> Vec<Mismatch> {
        let c = self.catalog();
        let Some(r1) = grid.last_row() else {
            return Vec::new();
        };
        let Some(group) = grid
            .rows(loc.number_row + 1, r1)
            .filter(|((_, col), _)| *col == loc.code_col)
            .find_map(|(_, d)| match d {
                Data::String(s) => c.indicator(s.trim()),
                _ => None,
            })
            .and_then(|ind| c.group(&ind.group))
        else {
            return Vec::new();
        };
        let columns = c.columns_of(group);
        let mut out = Vec::new();
        let text_at = |r: u32, col: u32| match grid.get(r, col) {
            Some(Data::String(s)) => s.trim().to_string(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => other.to_string(),
        };
        for (&n, &col) in &loc.columns {
            let cell = CellRef::new(loc.header_row, col as u16);
            let found = text_at(loc.header_row, col);
            match columns.get(n - 1) {
                Some(want) if label_key(&found) == label_key(&want.label) => {}
                Some(want) => out.push(Mismatch {
                    sheet: sheet.to_string(),
                    cell: Some(cell),
                    what: MismatchKind::ColumnLabel(n),
                    found,
                    expected: want.label.clone(),
                }),
                None => out.push(Mismatch {
                    sheet: sheet.to_string(),
                    cell: Some(cell),
                    what: MismatchKind::ExtraColumn(n),
                    found,
                    expected: String::new(),
                }),
            }
        }
        let want = crate::form::group_title(group);
        let r0 = grid.first_row().unwrap_or(0);
        let title =
            grid.rows(r0, loc.header_row.saturating_sub(1))
                .find_map(|((r, col), d)| match d {
                    Data::String(s) if label_key(s).starts_with("bieu so") => {
                        Some((CellRef::new(r, col as u16), s.trim().to_string()))
                    }
                    _ => None,
                });
        match title {
            Some((_, found)) if label_key(&found) == label_key(&want) => {}
            Some((cell, found)) => out.push(Mismatch {
                sheet: sheet.to_string(),
                cell: Some(cell),
                what: MismatchKind::Title,
                found,
                expected: want,
            }),
            None => out.push(Mismatch {
                sheet: sheet.to_string(),
                cell: None,
                what: MismatchKind::Title,
                found: String::new(),
                expected: want,
            }),
        }
        out
    }

    /// The unit: from the hidden sheet's unit code, else its unit name,
    /// else a header cell naming a unit of the list.
    fn identify(
        &self,
        meta: &BTreeMap<String, String>,
        sheets: &[(String, Grid)],
    ) -> Result<(OrgUnit, Identified), ReadError> {
        if let Some(u) = self
            .choice
            .and_then(|c| c.unit.as_deref())
            .and_then(|c| self.round.unit(c))
        {
            return Ok((u.clone(), Identified::Settings));
        }
        let code = meta.get("unit_code").map(|s| s.trim()).unwrap_or("");
        // Folded once per round, not per header cell.
        let by_name = |text: &str| self.round.unit_named(text);
        // A form forwarded to another unit: the hidden sheet names one
        // unit, the header was retyped with another's name.
        let checked = |u: &OrgUnit, how: Identified| match header_unit(sheets, u, &by_name) {
            Some((other, cell)) => Err(ReadError::UnitConflict(Box::new(Conflict {
                hidden: u.clone(),
                header: other.clone(),
                cell,
            }))),
            None => Ok((u.clone(), how)),
        };
        if !code.is_empty() {
            if let Some(u) = self.round.unit_written(code) {
                return checked(u, Identified::HiddenCode);
            }
            if crate::round::code_key(code)
                == crate::round::code_key(&self.round.settings.committee_code)
            {
                return Err(ReadError::Reject(Rejection::CommitteeOwn {
                    committee: self.round.settings.committee.clone(),
                    code: code.to_string(),
                }));
            }
            return Err(ReadError::Reject(Rejection::UnknownUnit {
                code: code.to_string(),
                name: meta.get("unit_name").cloned().unwrap_or_default(),
            }));
        }
        if let Some(u) = meta.get("unit_name").and_then(|n| by_name(n)) {
            return checked(u, Identified::HiddenName);
        }
        let mut seen_texts = Vec::new();
        for (name, grid) in sheets {
            let Some(r0) = grid.first_row() else { continue };
            for ((r, c), d) in grid.rows(r0, r0.saturating_add(6)) {
                let Data::String(s) = d else { continue };
                if c > 12 {
                    continue;
                }
                if let Some(u) = by_name(s) {
                    return Ok((
                        u.clone(),
                        Identified::HeaderName {
                            sheet: name.clone(),
                            cell: CellRef::new(r, c as u16),
                        },
                    ));
                }
                if let Some((unicode, enc)) = crate::legacy::convert_if_legacy(s) {
                    if let Some(u) = by_name(&unicode) {
                        let cell = CellRef::new(r, c as u16);
                        return Ok((
                            u.clone(),
                            Identified::LegacyHeaderName {
                                encoding: enc,
                                sheet: name.clone(),
                                cell,
                                unicode,
                            },
                        ));
                    }
                }
                if r <= r0.saturating_add(2) && seen_texts.len() < 4 && !s.trim().is_empty() {
                    seen_texts.push(format!("\"{}\"", s.trim()));
                }
            }
        }
        // The generic form, its drop-down left blank: say so, not "no
        // hidden sheet".
        if meta.get("form_id").map(String::as_str) == Some(FORM_ID) {
            let (r, c) = crate::form::GUIDE_UNIT_CELL;
            if let Some((sheet, grid)) = sheets.iter().find(|(n, _)| n == crate::form::GUIDE_SHEET)
            {
                let blank = match grid.get(r, c as u32) {
                    None | Some(Data::Empty) => true,
                    Some(Data::String(s)) => s.trim().is_empty(),
                    Some(_) => false,
                };
                if blank {
                    return Err(ReadError::Reject(Rejection::NoUnitChosen {
                        sheet: sheet.clone(),
                        cell: CellRef::new(r, c),
                    }));
                }
            }
        }
        Err(ReadError::Reject(Rejection::Unidentified {
            seen: seen_texts,
        }))
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        severity: Severity,
        sheet: &str,
        cell: CellRef,
        ind: &Indicator,
        rule: &str,
        found: String,
        expected: String,
        message: String,
    ) -> Finding {
        Finding::value(severity, rule, ind)
            .in_file(self.rel, sheet)
            .at([cell])
            .values(found, expected)
            .saying(&message)
    }

    /// Sheets that copy another sheet of the file (Excel's "Move or Copy →
    /// Create a copy" gives "Biểu 04 (2)" with the same mã số rows): one
    /// finding per copy naming both sheets, a lỗi listing the cells whose
    /// values differ, a cảnh báo when the copies are the same. Returns the
    /// positions in `sheets` of the copies, which are not read: the sheet
    /// read is the one named as the form names it, else the first.
    fn copied_sheets(
        &mut self,
        sheets: &[(String, Grid)],
        located: &[Option<Located>],
    ) -> Vec<usize> {
        let catalog = &self.round.catalog;
        // Each sheet's catalogue rows: (mã số, occurrence) → row.
        let rows: Vec<BTreeMap<(String, u32), u32>> = sheets
            .iter()
            .zip(located)
            .map(|((_, grid), loc)| {
                let mut out = BTreeMap::new();
                let (Some(loc), Some(r1)) = (loc, grid.last_row()) else {
                    return out;
                };
                for ((r, _), d) in grid
                    .rows(loc.number_row.saturating_add(1), r1)
                    .filter(|((_, c), _)| *c == loc.code_col)
                {
                    let Data::String(s) = d else { continue };
                    let code = s.trim();
                    if catalog.indicator(code).is_none() {
                        continue;
                    }
                    let n = (1..)
                        .find(|n| !out.contains_key(&(code.to_string(), *n)))
                        .unwrap_or(1);
                    out.insert((code.to_string(), n), r);
                }
                out
            })
            .collect();
        // The sheet name the form gives the biểu of a sheet's first row.
        let form_name = |i: usize| {
            rows[i]
                .keys()
                .next()
                .and_then(|(code, _)| catalog.indicator(code))
                .and_then(|ind| catalog.group(&ind.group))
                .map(|g| g.sheet.clone())
        };
        let mut copies: Vec<usize> = Vec::new();
        let mut findings = Vec::new();
        for a in 0..sheets.len() {
            for b in a + 1..sheets.len() {
                if copies.contains(&a) || copies.contains(&b) {
                    continue;
                }
                let shared: Vec<&(String, u32)> = rows[a]
                    .keys()
                    .filter(|k| rows[b].contains_key(*k))
                    .collect();
                let smaller = rows[a].len().min(rows[b].len());
                if shared.is_empty() || shared.len() * 2 < smaller {
                    continue;
                }
                // The original: the sheet named as the form names it, else
                // the one whose name is not Excel's copy name "… (2)", else
                // the first (Excel puts a copy before the sheet by default).
                let named = |i: usize| form_name(i).as_deref() == Some(sheets[i].0.as_str());
                let copy_name = |i: usize| COPY_NAME.is_match(&sheets[i].0);
                let (orig, copy) = if (named(b) && !named(a))
                    || (named(a) == named(b) && copy_name(a) && !copy_name(b))
                {
                    (b, a)
                } else {
                    (a, b)
                };
                let (Some(lo), Some(lc)) = (&located[orig], &located[copy]) else {
                    continue;
                };
                let (go, gc) = (&sheets[orig].1, &sheets[copy].1);
                let text = |g: &Grid, r: u32, c: u32| {
                    g.get(r, c)
                        .map_or(String::new(), |d| shown(d).trim().to_string())
                };
                let mut differ = Vec::new();
                let mut cells = Vec::new();
                for key in &shared {
                    let (ro, rc) = (rows[orig][*key], rows[copy][*key]);
                    for (n, co) in &lo.columns {
                        let Some(cc) = lc.columns.get(n) else {
                            continue;
                        };
                        let (vo, vc) = (text(go, ro, *co), text(gc, rc, *cc));
                        if vo != vc {
                            let cell = CellRef::new(rc, *cc as u16);
                            cells.push(cell);
                            differ.push(format!(
                                "mã số {} cột ({n}): ô {} trang \"{}\" ghi {}, ô {cell} trang \"{}\" ghi {}",
                                key.0,
                                CellRef::new(ro, *co as u16),
                                sheets[orig].0,
                                quoted_or_blank(&vo),
                                sheets[copy].0,
                                quoted_or_blank(&vc),
                            ));
                        }
                    }
                }
                let (o, c) = (&sheets[orig].0, &sheets[copy].0);
                let mut f = if differ.is_empty() {
                    Finding::file(
                        Severity::CanhBao,
                        self.rel,
                        rules::DUPLICATE_SHEET,
                        format!(
                            "tệp {}: trang \"{c}\" là bản sao của trang \"{o}\" (cùng {} dòng mã số), số liệu giống hệt: chỉ đọc trang \"{o}\" một lần; nên xóa trang \"{c}\".",
                            self.rel,
                            shared.len()
                        ),
                    )
                } else {
                    const SHOWN: usize = 10;
                    let n = differ.len();
                    let mut list: Vec<String> = differ.into_iter().take(SHOWN).collect();
                    if n > SHOWN {
                        list.push(format!("và {} ô khác", n - SHOWN));
                    }
                    Finding::file(
                        Severity::Loi,
                        self.rel,
                        rules::DUPLICATE_SHEET,
                        format!(
                            "tệp {}: trang \"{c}\" là bản sao của trang \"{o}\" (cùng {} dòng mã số) nhưng số liệu khác nhau ở {n} ô: {}. Đã đọc trang \"{o}\", bỏ qua trang \"{c}\": đơn vị cần giữ lại một trang đúng, xóa trang kia rồi gửi lại.",
                            self.rel,
                            shared.len(),
                            list.join("; ")
                        ),
                    )
                    .values(format!("{n} ô khác nhau"), "một trang cho mỗi biểu".into())
                };
                f.sheet = c.clone();
                f.cells = cells;
                findings.push(f);
                copies.push(copy);
            }
        }
        self.findings.extend(findings);
        copies
    }

    /// Read every row of a located sheet; returns whether any catalogue
    /// row was found.
    fn read_sheet(
        &mut self,
        unit: &OrgUnit,
        sheet: &str,
        grid: &Grid,
        loc: &Located,
        seen: &mut Seen,
    ) -> bool {
        let Some(r1) = grid.last_row() else {
            return false;
        };
        let mut found = false;
        let mut list_counter: HashMap<u16, u32> = HashMap::new();
        let mut input_cells: Vec<InputCell> = Vec::new();
        let catalog = &self.round.catalog;
        let sheet_id = self.sheets.len().min(u16::MAX as usize) as u16;
        self.sheets.push(sheet.to_string());
        let code_rows: Vec<(u32, String)> = grid
            .rows(loc.number_row.saturating_add(1), r1)
            .filter(|((_, c), _)| *c == loc.code_col)
            .filter_map(|((r, _), d)| match d {
                Data::String(s) => Some((r, s.trim().to_string())),
                _ => None,
            })
            .collect();
        let code_rows = self.complete_list_rows(sheet, grid, loc, code_rows, r1);
        for (r, code) in code_rows {
            let code = code.as_str();
            let Some(ind_id) = catalog.indicator_index(code) else {
                continue;
            };
            let ind = &catalog.indicators[ind_id];
            let ind_id = ind_id as u16;
            let group = catalog.group(&ind.group).expect("validated catalogue");
            let columns = catalog.columns_of(group);
            found = true;
            let list_row = if group.kind == GroupKind::List {
                let n = list_counter.entry(ind_id).or_insert(0);
                *n += 1;
                *n
            } else {
                0
            };
            if list_row > u16::MAX as u32 {
                continue;
            }
            let here = CellRef::new(r, loc.code_col as u16);
            if let Some((first_sheet, first)) = seen.get(&(ind_id, list_row)) {
                let first_sheet = self.sheets[usize::from(*first_sheet)].as_str();
                let place = if first_sheet == sheet {
                    format!("ô {first} trang này")
                } else {
                    format!("ô {first} trang \"{first_sheet}\"")
                };
                self.findings.push(self.finding(
                    Severity::Loi, sheet, here, ind, rules::DUPLICATE_ROW,
                    code.to_string(), String::new(),
                    format!("mã số {code} xuất hiện lần nữa (lần đầu ở {place}); dòng này bị bỏ qua, hãy xóa dòng trùng."),
                ));
                continue;
            }
            seen.insert((ind_id, list_row), (sheet_id, here));
            let applicable = ind.applies_to_type(&unit.unit_type);
            let mut list_values = Vec::new();
            for (i, col) in columns.iter().enumerate() {
                let Some(&c) = loc.columns.get(&(i + 1)) else {
                    self.findings.push(self.finding(
                        Severity::Loi,
                        sheet,
                        here,
                        ind,
                        rules::MISSING_ROW,
                        String::new(),
                        format!("cột ({})", i + 1),
                        format!(
                            "không tìm thấy cột ({}) \"{}\" trên trang này.",
                            i + 1,
                            col.label
                        ),
                    ));
                    continue;
                };
                let cell = CellRef::new(r, c as u16);
                let data = grid.get(r, c).unwrap_or(&EMPTY);
                let computed = ind.is_formula() || (col.is_computed() && ind.kind.is_numeric());
                let percent_format = grid.percent.contains(&(r, c));
                if !computed && grid.uncomputed.contains(&(r, c)) {
                    self.findings.push(self.finding(
                        Severity::Loi, sheet, cell, ind, rules::UNREADABLE,
                        "(công thức chưa tính)".into(), "một giá trị".into(),
                        "ô có công thức nhưng không có giá trị lưu sẵn (phần mềm đã lưu tệp mà chưa tính): mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi.".into(),
                    ));
                    continue;
                }
                if !computed {
                    input_cells.push((r, c, ind_id));
                }
                let reading: Reading = value::read_cell(data, ind, col.kind, percent_format);
                if computed {
                    // Cached value of a formula: kept for the comparison with
                    // the recomputation, never used as data.
                    if let Some(Value::Number(v)) = reading.value {
                        let typed_over =
                            grid.formulas.as_ref().is_some_and(|f| !f.contains(&(r, c)));
                        self.records.push(Record {
                            ind: ind_id,
                            col: i as u8,
                            origin: if typed_over {
                                Origin::TypedOver
                            } else {
                                Origin::Cached
                            },
                            list_row: list_row as u16,
                            sheet: sheet_id,
                            cell,
                            value: Value::Number(v),
                        });
                    }
                    continue;
                }
                if let Some(note) = &reading.note {
                    if applicable
                        || !matches!(reading.value, Some(Value::NotApplicable | Value::Blank))
                    {
                        self.findings.push(self.finding(
                            note.severity,
                            sheet,
                            cell,
                            ind,
                            note.rule,
                            shown(data),
                            note.expected.clone(),
                            note.message.clone(),
                        ));
                    }
                }
                let Some(v) = reading.value else { continue };
                // Keep blanks only where a finding may need the cell (a
                // required value), and no "x" markers: both are not data.
                let keep_blank = ind.required && group.kind != GroupKind::List;
                if matches!(v, Value::NotApplicable) || (matches!(v, Value::Blank) && !keep_blank) {
                    continue;
                }
                if group.kind == GroupKind::List {
                    list_values.push((i as u8, v, cell));
                    continue;
                }
                self.records.push(Record {
                    ind: ind_id,
                    col: i as u8,
                    origin: Origin::Input,
                    list_row: list_row as u16,
                    sheet: sheet_id,
                    cell,
                    value: v,
                });
            }
            if list_values
                .iter()
                .any(|(_, v, _)| !matches!(v, Value::NotApplicable))
            {
                for (i, v, cell) in list_values {
                    self.records.push(Record {
                        ind: ind_id,
                        col: i,
                        origin: Origin::Input,
                        list_row: list_row as u16,
                        sheet: sheet_id,
                        cell,
                        value: v,
                    });
                }
            }
        }
        if input_cells
            .iter()
            .any(|(r, c, _)| grid.get(*r, *c).is_none())
        {
            self.blank_inputs.push((sheet.to_string(), input_cells));
        }
        found
    }

    /// The rows of a list table: the coded rows, and every other row
    /// inside the table (above the footer) that holds something in the
    /// list's columns. A row with an empty mã số cell (what Excel's Insert
    /// Row leaves) is a row of the list; one with a mã số outside the
    /// catalogue is a lỗi naming the cell. Other sheets: the coded rows.
    fn complete_list_rows(
        &mut self,
        sheet: &str,
        grid: &Grid,
        loc: &Located,
        code_rows: Vec<(u32, String)>,
        r1: u32,
    ) -> Vec<(u32, String)> {
        let catalog = &self.round.catalog;
        let Some(list) = code_rows.iter().find_map(|(_, code)| {
            let ind = catalog.indicator(code)?;
            (catalog.group(&ind.group)?.kind == GroupKind::List).then_some(ind)
        }) else {
            return code_rows;
        };
        let last_coded = code_rows
            .iter()
            .filter(|(_, c)| catalog.indicator(c).is_some())
            .map(|(r, _)| *r)
            .max()
            .unwrap_or(loc.number_row);
        let end = (last_coded + 1..=r1)
            .find(|r| is_footer_row(grid, *r))
            .map_or(r1, |r| r - 1);
        let has_content = |r: u32| {
            loc.columns.values().any(|c| match grid.get(r, *c) {
                None | Some(Data::Empty) => false,
                Some(Data::String(s)) => !s.trim().is_empty(),
                Some(_) => true,
            })
        };
        let coded: BTreeMap<u32, String> = code_rows.into_iter().collect();
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for r in loc.number_row + 1..=end.max(last_coded) {
            match coded.get(&r).map(String::as_str) {
                Some(code) if catalog.indicator(code).is_some() => {
                    out.push((r, code.to_string()));
                }
                Some(code) if !code.is_empty() => {
                    if has_content(r) {
                        unknown.push((r, code.to_string()));
                    }
                }
                _ => {
                    if r <= end && has_content(r) {
                        out.push((r, list.code.clone()));
                    }
                }
            }
        }
        for (r, code) in unknown {
            let cell = CellRef::new(r, loc.code_col as u16);
            let f = self.finding(
                Severity::Loi,
                sheet,
                cell,
                list,
                rules::UNREADABLE,
                code.clone(),
                list.code.clone(),
                format!(
                    "dòng {} của danh sách có mã số \"{code}\" không thuộc danh mục nhưng có nội dung; dòng này không được đọc: ghi mã số {} hoặc để trống ô mã số.",
                    r + 1,
                    list.code
                ),
            );
            self.findings.push(f);
        }
        out
    }

    /// Merged cells over inputs: only the first cell of a merge holds a
    /// value, the others read as blank. A lỗi when a value in the first
    /// cell spreads over other input cells (its column is ambiguous); a
    /// cảnh báo when every input cell under the merge is empty (nothing
    /// was lost). Checked only on sheets with blank inputs, since reading
    /// merges is another pass over an .xlsx sheet.
    fn check_merges(&mut self, wb: &mut Workbook, grids: &[(String, Grid)]) {
        let catalog = &self.round.catalog;
        for (sheet, input_cells) in std::mem::take(&mut self.blank_inputs) {
            let Some((_, grid)) = grids.iter().find(|(n, _)| *n == sheet) else {
                continue;
            };
            for ((r0, c0), (r1, c1)) in grid::merges(wb, &sheet) {
                let hidden: Vec<&InputCell> = input_cells
                    .iter()
                    .filter(|(r, c, _)| {
                        (r0..=r1).contains(r)
                            && (c0..=c1).contains(c)
                            && (*r, *c) != (r0, c0)
                            && grid.get(*r, *c).is_none()
                    })
                    .collect();
                let Some(&&(_, _, ind_id)) = hidden.first() else {
                    continue;
                };
                let first_value = input_cells
                    .iter()
                    .any(|(r, c, _)| (*r, *c) == (r0, c0))
                    .then(|| grid.get(r0, c0))
                    .flatten()
                    .filter(|d| !matches!(d, Data::Empty))
                    .filter(|d| !matches!(d, Data::String(t) if t.trim().is_empty()));
                let ind = &catalog.indicators[usize::from(ind_id)];
                let first = CellRef::new(r0, c0 as u16);
                let range = crate::cell::range_name(first, CellRef::new(r1, c1 as u16));
                let mut f = match first_value {
                    Some(v) => self.finding(
                        Severity::Loi, &sheet, first, ind, rules::UNREADABLE,
                        format!("ô gộp {range}"), "các ô riêng".into(),
                        format!("các ô {range} bị gộp (merge) trên vùng nhập số liệu: giá trị \"{}\" ở ô {first} trùm lên {} ô nhập liệu khác nên không rõ thuộc cột nào; đã đọc cho ô {first}, các ô còn lại coi như trống: hãy bỏ gộp ô và ghi số liệu vào đúng từng ô.", shown(v), hidden.len()),
                    ),
                    None => self.finding(
                        Severity::CanhBao, &sheet, first, ind, rules::UNREADABLE,
                        format!("ô gộp {range}"), "các ô riêng".into(),
                        format!("các ô {range} bị gộp (merge) trên vùng nhập số liệu; {} ô nhập liệu bị gộp đều trống, không mất số liệu nào: nên bỏ gộp ô để điền được từng ô.", hidden.len()),
                    ),
                };
                f.merged_to = Some(CellRef::new(r1, c1 as u16));
                self.findings.push(f);
            }
        }
    }

    /// Report groups (sheets) and rows of the catalogue that the file does
    /// not have.
    fn missing_rows(&mut self, unit: &OrgUnit, seen: &Seen) {
        let catalog = &self.round.catalog;
        // Chỉ tiêu (by position) with at least one row in the file.
        let present: HashSet<u16> = seen.keys().map(|(i, _)| *i).collect();
        for g in &catalog.groups {
            let codes: Vec<(u16, &Indicator)> = catalog
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.group == g.id)
                .map(|(n, i)| (n as u16, i))
                .collect();
            let any_present = codes.iter().any(|(n, _)| present.contains(n));
            if !any_present {
                if g.kind == GroupKind::List
                    && codes
                        .iter()
                        .all(|(_, i)| !i.applies_to_type(&unit.unit_type))
                {
                    continue;
                }
                self.findings.push(Finding::file(
                    Severity::Loi,
                    self.rel,
                    rules::MISSING_ROW,
                    format!(
                        "không tìm thấy Biểu số {:02} ({}) trong tệp: không trang nào có các mã số {}…",
                        g.number, g.title, codes.first().map_or("", |(_, i)| i.code.as_str())
                    ),
                ));
                continue;
            }
            if g.kind == GroupKind::List {
                continue;
            }
            for (_, ind) in codes.iter().filter(|(n, _)| !seen.contains_key(&(*n, 0))) {
                let mut f = Finding::file(
                    if ind.required {
                        Severity::Loi
                    } else {
                        Severity::CanhBao
                    },
                    self.rel,
                    rules::MISSING_ROW,
                    format!(
                        "không tìm thấy dòng mã số {} ({}) trong Biểu số {:02}.",
                        ind.code, ind.label, g.number
                    ),
                );
                f.code = ind.code.clone();
                f.indicator = ind.label.clone();
                self.findings.push(f);
            }
        }
    }
}

/// A unit other than `unit` named in a header cell (the first rows of a
/// sheet, as the reader without a hidden sheet looks for it), with the
/// cell ("Biểu 01!A2").
fn header_unit<'u>(
    sheets: &[(String, Grid)],
    unit: &OrgUnit,
    by_name: &dyn Fn(&str) -> Option<&'u OrgUnit>,
) -> Option<(&'u OrgUnit, String)> {
    for (name, grid) in sheets {
        let Some(r0) = grid.first_row() else { continue };
        for ((r, c), d) in grid.rows(r0, r0.saturating_add(6)) {
            let Data::String(s) = d else { continue };
            if c > 12 {
                continue;
            }
            let found = by_name(s)
                .or_else(|| crate::legacy::convert_if_legacy(s).and_then(|(u, _)| by_name(&u)));
            if let Some(other) = found.filter(|o| o.code != unit.code) {
                return Some((other, format!("{}!{}", name, CellRef::new(r, c as u16))));
            }
        }
    }
    None
}

/// Key → value pairs of the hidden metadata sheet (columns A and B).
fn read_meta(grid: &Grid) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ((r, c), k) in grid.iter() {
        if c != 0 {
            continue;
        }
        if let (Data::String(k), Some(v)) = (k, grid.get(r, 1)) {
            let v = match v {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                other => other.to_string(),
            };
            out.insert(k.trim().to_string(), v);
        }
    }
    out
}

#[cfg(test)]
mod identified_tests {
    use super::*;

    /// One test per message text: how a unit was identified, as the
    /// reports say it.
    #[test]
    fn identification_texts() {
        let cell = CellRef::new(1, 0);
        let cases = [
            (Identified::Settings, "đơn vị ghi trong tonghop.toml (mục [[files]])"),
            (Identified::HiddenCode, "mã đơn vị trong trang ẩn"),
            (Identified::HiddenName, "tên đơn vị trong trang ẩn"),
            (
                Identified::HeaderName {
                    sheet: "Biểu 01".into(),
                    cell,
                },
                "tên đơn vị ở ô Biểu 01!A2",
            ),
            (
                Identified::LegacyHeaderName {
                    encoding: crate::legacy::LegacyEncoding::Tcvn3,
                    sheet: "Biểu 01".into(),
                    cell,
                    unicode: "Chi bộ A".into(),
                },
                "tên đơn vị gõ bằng bảng mã TCVN3 (ABC) ở ô Biểu 01!A2 (đã chuyển sang Unicode: \"Chi bộ A\")",
            ),
        ];
        for (how, text) in cases {
            assert_eq!(how.to_string(), text);
        }
    }
}

#[cfg(test)]
mod rejection_tests {
    use super::*;

    /// One test per reason text (the structured kinds; the others carry
    /// the text of the sniffer, reader or hidden-sheet check).
    #[test]
    fn rejection_texts() {
        let cases = [
            (
                Rejection::TooLarge {
                    mb: 60,
                    limit_mb: 50,
                },
                "tệp quá lớn (60 MB, giới hạn 50 MB).",
            ),
            (
                Rejection::Unreadable("không có quyền đọc".into()),
                "không đọc được tệp (không có quyền đọc).",
            ),
            (
                Rejection::CommitteeOwn {
                    committee: "Đảng bộ thành phố Lai Châu".into(),
                    code: "TP-LAICHAU".into(),
                },
                "đây là báo cáo tổng hợp của chính Đảng bộ thành phố Lai Châu (mã TP-LAICHAU), không phải báo cáo của đơn vị trực thuộc.",
            ),
            (
                Rejection::UnknownUnit {
                    code: "CB-KHOBAC".into(),
                    name: "Chi bộ Kho bạc".into(),
                },
                "đơn vị mã \"CB-KHOBAC\" (Chi bộ Kho bạc) không có trong danh sách đơn vị của đợt.",
            ),
            (
                Rejection::Unidentified { seen: Vec::new() },
                "không xác định được đơn vị: không có trang ẩn \"_tonghop\" và không ô tiêu đề nào trùng tên một đơn vị trong danh sách (thấy: không có chữ nào).",
            ),
            (
                Rejection::NoUnitChosen {
                    sheet: "Hướng dẫn".into(),
                    cell: CellRef::new(4, 2),
                },
                "biểu mẫu chung nhưng chưa chọn đơn vị ở ô C5 trang Hướng dẫn: đơn vị mở tệp, chọn tên đơn vị mình trong danh sách thả xuống ở ô C5 trang Hướng dẫn, lưu và gửi lại.",
            ),
            (
                Rejection::NoTable,
                "không tìm thấy bảng số liệu nào theo mẫu (không có cột \"Mã số\" với mã số của danh mục).",
            ),
            (
                Rejection::Internal("x".into()),
                "lỗi nội bộ của chương trình khi đọc tệp này; hãy gửi tệp cho người phát triển (chi tiết kỹ thuật: x).",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// About 820 records a return, 43 million for the whole country: every
    /// byte of a record is 43 MB there.
    #[test]
    fn a_record_is_32_bytes_and_a_value_16() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<Record>(), 32);
    }
}
