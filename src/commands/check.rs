//! `tonghop check FILE... [--round ROUND] [--json]`: a unit (or the
//! operator, for one file) checks a return before sending it. Each file is
//! read and checked as `consolidate` reads and checks it (the same reader,
//! the same rules), on its own; nothing is written. Without `--round` the
//! round is what the file's hidden sheet says (round, period, plan, the
//! unit and its loại) with the embedded catalogue (or `--catalog`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::catalog::{Catalog, Severity};
use crate::cli::CheckArgs;
use crate::diagnostic::Finding;
use crate::ingest::{FileReport, Ingest};
use crate::round::{OrgUnit, Round, Settings};

/// The result of checking one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// The file as given on the command line.
    pub file: String,
    /// Mã đơn vị and tên đơn vị, when known.
    pub unit: String,
    pub unit_name: String,
    /// Whether `consolidate` would use the file as the unit's return.
    pub accepted: bool,
    /// What becomes of the file, in Vietnamese ("đã tổng hợp", or why not).
    pub fate: String,
    pub errors: usize,
    pub warnings: usize,
    /// The round checked against: `--round`'s, or without it the one the
    /// file's hidden sheet names (with the embedded catalogue).
    pub round_id: String,
    /// Whether the round is the file's own (no `--round`).
    pub round_from_file: bool,
    /// Sorted as in the error report.
    pub findings: Vec<Finding>,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let checks = check_files(&args.files, args.round.as_deref(), args.catalog.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        print!("{}", text(&checks));
    }
    Ok(u8::from(checks.iter().any(|c| c.errors > 0)))
}

/// Check every file.
///
/// # Errors
/// A file that does not exist, an unreadable round (with `--round`) or
/// catalogue, a polars error (a bug).
pub fn check_files(
    files: &[PathBuf],
    round_dir: Option<&Path>,
    catalog: Option<&Path>,
) -> anyhow::Result<Vec<FileCheck>> {
    let round = match round_dir {
        Some(dir) => Some(Round::load(dir, catalog)?),
        None => None,
    };
    let embedded = match catalog {
        Some(p) => Catalog::load(p)?,
        None => Catalog::embedded(),
    };
    files
        .iter()
        .map(|path| {
            if !path.is_file() {
                anyhow::bail!("không có tệp {}", path.display());
            }
            match &round {
                Some(round) => {
                    let rel = relative(path, &round.returns_dir());
                    check_one(round, path, &rel, false)
                }
                None => {
                    let round = round_of_file(path, &embedded);
                    check_one(&round, path, &path.display().to_string(), true)
                }
            }
        })
        .collect()
}

/// A path under the returns folder as `consolidate` names it (relative,
/// with `/`); another path as given.
fn relative(path: &Path, returns: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match canon(path).strip_prefix(canon(returns)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}

/// Read and check one file on its own: the reader's findings, the checks
/// and the consolidation's own findings on that file.
fn check_one(
    round: &Round,
    path: &Path,
    rel: &str,
    round_from_file: bool,
) -> anyhow::Result<FileCheck> {
    let report: FileReport = crate::ingest::read_file(path, rel, round);
    let ingest = Ingest {
        files: vec![report],
        findings: Vec::new(),
    };
    let mut findings: Vec<Finding> = ingest.files[0].findings.clone();
    findings.extend(
        crate::check::run_all(round, &ingest, &crate::timing::Quiet)
            .context("lỗi khi kiểm tra số liệu")?,
    );
    findings.extend(
        crate::consolidate::consolidate(round, &ingest)
            .context("lỗi khi tổng hợp")?
            .findings,
    );
    crate::diagnostic::sort(&mut findings);
    let f = &ingest.files[0];
    let unit = f.unit.as_deref().and_then(|c| round.unit(c));
    let errors = findings
        .iter()
        .filter(|x| x.severity == Severity::Loi)
        .count();
    Ok(FileCheck {
        file: path.display().to_string(),
        unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        accepted: f.fate == crate::ingest::Fate::Accepted,
        fate: f.fate.label(),
        errors,
        warnings: findings.len() - errors,
        round_id: round.settings.round_id.clone(),
        round_from_file,
        findings,
    })
}

/// The key/value pairs of a workbook's hidden sheet `_tonghop` (empty when
/// it has none or cannot be opened: the reader then says why).
fn hidden_sheet(path: &Path) -> BTreeMap<String, String> {
    use calamine::Reader;
    let mut out = BTreeMap::new();
    let Ok(mut wb) = calamine::open_workbook_auto(path) else {
        return out;
    };
    let Some(name) = wb
        .sheet_names()
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(crate::form::META_SHEET))
    else {
        return out;
    };
    let Ok(range) = wb.worksheet_range(&name) else {
        return out;
    };
    for row in range.rows() {
        if let (Some(calamine::Data::String(k)), Some(v)) = (row.first(), row.get(1)) {
            let v = match v {
                calamine::Data::String(s) => s.trim().to_string(),
                calamine::Data::Empty => String::new(),
                other => other.to_string(),
            };
            out.insert(k.trim().to_string(), v);
        }
    }
    out
}

/// The round a file says it belongs to: its hidden sheet's round, period,
/// plan and unit, with `catalog`. A file without one gets a round with no
/// unit (the reader then says it cannot tell the unit).
fn round_of_file(path: &Path, catalog: &Catalog) -> Round {
    let meta = hidden_sheet(path);
    let get = |k: &str| meta.get(k).cloned().unwrap_or_default();
    let plan = get("plan");
    let (plan_number, plan_date) = match plan.split_once(" ngày ") {
        Some((n, d)) => (n.to_string(), d.to_string()),
        None => (plan.clone(), String::new()),
    };
    let today = chrono::Local::now().date_naive();
    let settings = Settings {
        title: String::new(),
        round_id: get("round_id"),
        committee: String::new(),
        committee_code: String::new(),
        parent: String::new(),
        issuing_body: String::new(),
        cap_tren: None,
        plan_number,
        plan_date,
        issuer: String::new(),
        period: get("period"),
        deadline: today,
        send_to: String::new(),
        place: String::new(),
        signer_title: String::new(),
        signer_name: String::new(),
        units: PathBuf::new(),
        returns: PathBuf::new(),
        output: PathBuf::new(),
        catalog: None,
        files: Vec::new(),
    };
    let units = match (get("unit_code"), get("unit_type")) {
        (code, kind) if !code.is_empty() && !kind.is_empty() => vec![OrgUnit {
            code,
            name: get("unit_name"),
            unit_type: kind,
            block: String::new(),
            parent: String::new(),
            contact: Default::default(),
        }],
        _ => Vec::new(),
    };
    Round::new(PathBuf::new(), settings, catalog.clone(), units)
}

/// The short Vietnamese list printed on the terminal.
pub fn text(checks: &[FileCheck]) -> String {
    let mut s = String::new();
    for c in checks {
        let who = if c.unit.is_empty() {
            String::new()
        } else {
            format!(" ({}, {})", c.unit_name, c.unit)
        };
        let verdict = match (c.errors, c.warnings, c.accepted) {
            (0, 0, true) => "không có lỗi, không có cảnh báo: có thể gửi.".to_string(),
            (0, w, true) => format!("không có lỗi, {w} cảnh báo (nên xem lại): có thể gửi."),
            (e, w, _) => format!("{e} lỗi, {w} cảnh báo: cần sửa trước khi gửi."),
        };
        s.push_str(&format!("Tệp {}{who}: {verdict}\n", c.file));
        if c.round_from_file && !c.round_id.is_empty() {
            s.push_str(&format!(
                "  Kiểm tra theo đợt báo cáo \"{}\" ghi trong tệp và danh mục có sẵn (dùng --round để kiểm tra theo đợt của mình).\n",
                c.round_id
            ));
        }
        if !c.accepted {
            s.push_str(&format!("  Kết quả: {}\n", c.fate));
        }
        for f in &c.findings {
            let place = match (f.sheet.is_empty(), f.cell_text().is_empty()) {
                (false, false) => format!("{}!{}", f.sheet, f.cell_text()),
                (false, true) => f.sheet.clone(),
                _ => String::new(),
            };
            let code = if f.code.is_empty() {
                String::new()
            } else {
                format!("mã số {}  ", f.code)
            };
            let place = if place.is_empty() {
                String::new()
            } else {
                format!("ô {place}  ")
            };
            s.push_str(&format!(
                "  - {}: {place}{code}{}\n",
                f.severity.label(),
                f.message
            ));
        }
    }
    s
}
