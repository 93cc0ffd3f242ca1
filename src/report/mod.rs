//! Output of a consolidation run: the submission status of every unit,
//! the consolidated workbook ([`tong_hop`]), the error report ([`loi`]),
//! the committee's own return and the terminal / JSON summary.

pub mod bao_cao;
pub mod bieu_do;
pub mod cap_tren;
pub mod don_doc;
pub(crate) mod listing;
pub mod loi;
pub mod phan_hoi;
pub mod progress;
pub mod thay_doi;
pub mod tong_hop;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::catalog::{GroupKind, IndicatorKind, Severity};
use crate::consolidate::Consolidated;
use crate::consolidate::Marks;
use crate::diagnostic::Finding;
use crate::form::{Fill, FillValue, ReturnStatus};
use crate::ingest::value::Value;
use crate::ingest::{Fate, Ingest, SavedSource};
use crate::round::{OrgUnit, Round};

/// Whether a unit submitted (DESIGN.md: a blank form is not a submission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Submission {
    /// A return was consolidated.
    Submitted,
    /// Only a blank form came back.
    BlankForm,
    /// Nothing came back (or nothing that counts for the unit).
    Missing,
}

impl std::fmt::Display for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Submission::Submitted => "Đã nộp",
            Submission::BlankForm => "Nộp biểu trống",
            Submission::Missing => "Chưa nộp",
        })
    }
}

/// Output file names.
pub const CONSOLIDATED_FILE: &str = "tong-hop.xlsx";
pub const UPPER_LEVEL_FILE: &str = "gui-cap-tren.xlsx";
pub const ERRORS_XLSX: &str = "bao-cao-loi.xlsx";
pub const ERRORS_CSV: &str = "bao-cao-loi.csv";
pub const ERRORS_JSON: &str = "bao-cao-loi.json";

/// Submission status of one unit of the list.
#[derive(Debug, Clone)]
pub struct Status {
    pub unit: OrgUnit,
    pub state: Submission,
    /// The accepted return (or the blank form), if any.
    pub file: Option<String>,
    pub saved_at: Option<NaiveDateTime>,
    pub saved_source: Option<SavedSource>,
    /// The date the operator recorded the return as received
    /// (`tonghop.toml`): it decides on time / late.
    pub received: Option<NaiveDate>,
    /// Received (or else saved) after the end of the deadline day.
    pub late: bool,
    pub errors: usize,
    pub warnings: usize,
    /// How many times the unit sent a file: its returns, older ones
    /// included, blank forms and files that could not be read (not
    /// byte-identical copies).
    pub sends: usize,
}

impl Status {
    /// "Đã nộp", or "Đã nộp (nộp lần 2)" for a unit that sent again.
    pub fn state_text(&self) -> String {
        if self.sends > 1 {
            format!("{} (nộp lần {})", self.state, self.sends)
        } else {
            self.state.to_string()
        }
    }

    pub fn timeliness(&self) -> &'static str {
        match (self.state, self.late) {
            (Submission::Submitted, false) => "Đúng hạn",
            (Submission::Submitted, true) => "Trễ hạn",
            _ => "",
        }
    }

    /// When the return came: the received date when recorded, else the
    /// save time ("18/06/2021" / "18/06/2021 10:15").
    pub fn when(&self) -> String {
        match (self.received, self.saved_at) {
            (Some(d), _) => d.format("%d/%m/%Y").to_string(),
            (None, Some(t)) => t.format("%d/%m/%Y %H:%M").to_string(),
            (None, None) => String::new(),
        }
    }

    /// Where [`Status::when`] comes from.
    pub fn when_source(&self) -> &'static str {
        match (self.received, self.saved_source) {
            (Some(_), _) => "ngày nhận ghi trong tonghop.toml",
            (None, Some(s)) => s.label(),
            (None, None) => "",
        }
    }
}

/// Status of every unit in list order.
pub fn statuses(round: &Round, ingest: &Ingest, findings: &[Finding]) -> Vec<Status> {
    let end_of_deadline = round
        .settings
        .deadline
        .and_hms_opt(23, 59, 59)
        .expect("valid time");
    let mut returned: std::collections::HashMap<&str, &crate::ingest::FileReport> =
        std::collections::HashMap::new();
    for f in &ingest.files {
        let Some(u) = f.unit.as_deref() else { continue };
        match f.fate {
            Fate::Accepted => {
                returned.insert(u, f);
            }
            // A blank form stands only when no return was accepted; of
            // several blank forms, the one whose lỗi counts.
            Fate::Blank if !f.findings.is_empty() => {
                returned.entry(u).or_insert(f);
            }
            _ => {}
        }
    }
    let mut sends: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in &ingest.files {
        if let (
            Some(u),
            Fate::Accepted | Fate::Superseded { .. } | Fate::Blank | Fate::Rejected { .. },
        ) = (f.unit.as_deref(), &f.fate)
        {
            *sends.entry(u).or_default() += 1;
        }
    }
    let mut counts: std::collections::HashMap<(&str, Severity), usize> =
        std::collections::HashMap::new();
    for x in findings {
        *counts.entry((x.unit.as_str(), x.severity)).or_default() += 1;
    }
    round
        .units
        .iter()
        .map(|u| {
            let f = returned.get(u.code.as_str()).copied();
            let count = |sev| counts.get(&(u.code.as_str(), sev)).copied().unwrap_or(0);
            let state = match f.map(|f| &f.fate) {
                Some(Fate::Accepted) => Submission::Submitted,
                Some(_) => Submission::BlankForm,
                None => Submission::Missing,
            };
            let received = f.and_then(|f| f.received());
            let late = match received {
                Some(d) => d > round.settings.deadline,
                None => f
                    .and_then(|f| f.saved_at)
                    .is_some_and(|t| t > end_of_deadline),
            };
            Status {
                unit: u.clone(),
                state,
                file: f.map(|f| f.file.clone()),
                saved_at: f.and_then(|f| f.saved_at),
                saved_source: f.map(|f| f.saved_source),
                received,
                late: state == Submission::Submitted && late,
                errors: count(Severity::Loi),
                warnings: count(Severity::CanhBao),
                sends: sends.get(u.code.as_str()).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// The sheets of the second pass of a round in `tong-hop.xlsx`, after
/// "Tình hình nộp": the chase list ("Đôn đốc") and, when a unit sent
/// again, what its new return changed ("Thay đổi khi nộp lại").
pub struct Followup<'a> {
    pub chase: Vec<don_doc::Chase<'a>>,
    /// `None` when no unit sent a second readable return.
    pub changes: Option<Vec<thay_doi::Change<'a>>>,
    /// The run date (days left / overdue).
    pub today: NaiveDate,
}

impl Followup<'_> {
    /// Add the sheets to `wb`.
    ///
    /// # Errors
    /// rust_xlsxwriter errors.
    pub fn write(
        &self,
        wb: &mut rust_xlsxwriter::Workbook,
        round: &Round,
        s: &crate::form::Styles,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        don_doc::sheet(wb.add_worksheet(), round, &self.chase, self.today, s)?;
        if let Some(changes) = &self.changes {
            thay_doi::sheet(wb.add_worksheet(), round, changes, s)?;
        }
        Ok(())
    }
}

/// The run summary printed on the terminal (and as JSON with `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub units_expected: usize,
    pub units_submitted: usize,
    pub units_late: usize,
    pub units_missing: Vec<String>,
    /// Units whose only return is a blank form ("nộp biểu trống").
    pub units_blank: Vec<String>,
    /// Files read (every file but the ignored lock and system files).
    pub files_read: usize,
    pub files_rejected: usize,
    pub files_superseded: usize,
    /// Byte-identical copies of another file.
    pub files_duplicate: usize,
    /// Lock and system files, not read.
    pub files_ignored: usize,
    /// Left out by the operator in `tonghop.toml`.
    pub files_excluded: usize,
    pub errors: usize,
    pub warnings: usize,
    pub outputs: Vec<String>,
    /// Outputs that could not be written, each with the Vietnamese reason
    /// (e.g. held open in Excel); the run exits 2 when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unwritten: Vec<String>,
    /// Notes for the operator (e.g. a missing [cap_tren] section).
    pub notes: Vec<String>,
}

impl Summary {
    pub fn new(
        ingest: &Ingest,
        status: &[Status],
        findings: &[Finding],
        outputs: Vec<String>,
    ) -> Summary {
        let named = |state: Submission| {
            status
                .iter()
                .filter(|s| s.state == state)
                .map(|s| format!("{} ({})", s.unit.name, s.unit.code))
                .collect()
        };
        let files = |p: fn(&Fate) -> bool| ingest.files.iter().filter(|f| p(&f.fate)).count();
        Summary {
            units_expected: status.len(),
            units_submitted: status
                .iter()
                .filter(|s| s.state == Submission::Submitted)
                .count(),
            units_late: status.iter().filter(|s| s.late).count(),
            units_missing: named(Submission::Missing),
            units_blank: named(Submission::BlankForm),
            files_read: files(|f| !matches!(f, Fate::Ignored { .. })),
            files_rejected: files(|f| {
                matches!(
                    f,
                    Fate::Rejected { .. } | Fate::UnitConflict { .. } | Fate::Blank
                )
            }),
            files_superseded: files(|f| matches!(f, Fate::Superseded { .. })),
            files_duplicate: files(|f| matches!(f, Fate::Duplicate { .. })),
            files_ignored: files(|f| matches!(f, Fate::Ignored { .. })),
            files_excluded: files(|f| matches!(f, Fate::Excluded { .. })),
            errors: findings
                .iter()
                .filter(|f| f.severity == Severity::Loi)
                .count(),
            warnings: findings
                .iter()
                .filter(|f| f.severity == Severity::CanhBao)
                .count(),
            outputs,
            unwritten: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Vietnamese text for the terminal.
    pub fn text(&self) -> String {
        let blank = if self.units_blank.is_empty() {
            String::new()
        } else {
            format!(", {} nộp biểu trống", self.units_blank.len())
        };
        let mut s = format!(
            "Đơn vị: {} phải nộp, {} đã nộp ({} trễ hạn){blank}, {} chưa nộp.\n",
            self.units_expected,
            self.units_submitted,
            self.units_late,
            self.units_missing.len()
        );
        if !self.units_blank.is_empty() {
            s.push_str(&format!(
                "  Nộp biểu trống: {}\n",
                self.units_blank.join("; ")
            ));
        }
        if !self.units_missing.is_empty() {
            s.push_str(&format!("  Chưa nộp: {}\n", self.units_missing.join("; ")));
        }
        let mut files = format!(
            "Tệp: {} đã đọc, {} không tổng hợp được, {} bị thay thế bởi bản nộp sau",
            self.files_read, self.files_rejected, self.files_superseded
        );
        for (n, what) in [
            (self.files_duplicate, "bản trùng"),
            (self.files_excluded, "loại theo tonghop.toml"),
            (self.files_ignored, "tệp khóa, tệp hệ thống bỏ qua"),
        ] {
            if n > 0 {
                files.push_str(&format!(", {n} {what}"));
            }
        }
        s.push_str(&format!("{files}.\n"));
        s.push_str(&format!(
            "Kiểm tra: {} lỗi, {} cảnh báo.\n",
            self.errors, self.warnings
        ));
        for n in &self.notes {
            s.push_str(&format!("Lưu ý: {n}\n"));
        }
        s.push_str("Kết quả:\n");
        for o in &self.outputs {
            s.push_str(&format!("  {o}\n"));
        }
        if !self.unwritten.is_empty() {
            s.push_str("Chưa ghi được:\n");
            for o in &self.unwritten {
                s.push_str(&format!("  {o}\n"));
            }
        }
        s
    }
}

/// The committee's own return: the totals as a fill of its form, each
/// with a note when it covers fewer units than it applies to, marked with
/// a note when it includes a value with a lỗi, and the whole a draft
/// while `errors` lỗi remain (DESIGN.md "Outputs" 3).
pub fn upper_level_fill(round: &Round, cons: &Consolidated, marks: &Marks, errors: usize) -> Fill {
    let c = &round.catalog;
    let mut fill = Fill {
        status: Some(if errors > 0 {
            ReturnStatus::Draft { errors }
        } else {
            ReturnStatus::Final
        }),
        ..Fill::default()
    };
    let units: Vec<&OrgUnit> = round.units.iter().collect();
    for g in &c.groups {
        let columns = c.columns_of(g);
        for ind in c.indicators_of(&g.id) {
            match g.kind {
                GroupKind::Table => {
                    let i = c.indicator_index(&ind.code).expect("catalogue code");
                    let of = tong_hop::applicable_units(round, ind);
                    // Units that sent a return and have to give this figure:
                    // a total made from fewer says so in a note (the
                    // missing returns are said once, on the Lưu ý sheet).
                    let sent = round
                        .units
                        .iter()
                        .filter(|u| ind.applies_to_type(&u.unit_type))
                        .filter(|u| cons.units.contains_key(&u.code))
                        .count();
                    for (k, col) in columns.iter().enumerate() {
                        let key = (ind.code.clone(), col.key.clone());
                        let n = cons.total_count(&ind.code, &col.key) as usize;
                        let mut note = Vec::new();
                        if n < sent {
                            note.push(format!(
                                "Tổng hợp từ {n}/{of} đơn vị {} ({sent} đơn vị đã nộp báo cáo).",
                                tong_hop::coverage_words(ind)
                            ));
                        }
                        if let Some(text) = tong_hop::total_mark(round, marks, i, k, &units) {
                            fill.marked.insert(key.clone());
                            note.push(text);
                        }
                        if !note.is_empty() {
                            fill.notes.insert(key.clone(), note.join("\n"));
                        }
                        if col.is_computed() {
                            continue;
                        }
                        let Some(v) = cons.total_value(&ind.code, &col.key) else {
                            continue;
                        };
                        let value = if ind.kind == IndicatorKind::YesNo {
                            FillValue::Text(if v > 0.0 { "Có" } else { "Không" }.into())
                        } else {
                            FillValue::Number(v)
                        };
                        fill.cells
                            .insert((ind.code.clone(), col.key.clone()), value);
                    }
                }
                GroupKind::Narrative => {
                    let parts: Vec<String> = round
                        .units
                        .iter()
                        .filter_map(|u| {
                            cons.texts
                                .get(&(ind.code.clone(), u.code.clone()))
                                .map(|t| format!("{}: {}", u.name, t))
                        })
                        .collect();
                    if !parts.is_empty() {
                        let key = (ind.code.clone(), columns[0].key.clone());
                        let cell = cap_tren::fit_cell(&parts);
                        if cell.left > 0 {
                            fill.notes.insert(
                                key.clone(),
                                format!(
                                    "Ô này chỉ chứa được {} trong {} câu trả lời ({}); toàn văn của mọi đơn vị ở trang \"{}\".",
                                    parts.len() - cell.left,
                                    parts.len(),
                                    cell.limit,
                                    cap_tren::FULL_TEXT_SHEET
                                ),
                            );
                        }
                        fill.cells.insert(key, FillValue::Text(cell.text));
                    }
                }
                GroupKind::List => {
                    let listed = cons.list_rows(round, &ind.code);
                    let units: Vec<String> = listed
                        .iter()
                        .map(|l| {
                            round
                                .unit(&l.unit)
                                .map_or(l.unit.clone(), |u| u.name.clone())
                        })
                        .collect();
                    let rows: Vec<Vec<Option<FillValue>>> = listed
                        .into_iter()
                        .map(|l| {
                            (0..columns.len())
                                .map(|i| match l.value(i) {
                                    Some(Value::Text(t)) => Some(FillValue::Text(t.to_string())),
                                    Some(Value::Date(d)) => Some(FillValue::Date(*d)),
                                    Some(Value::Number(n)) => Some(FillValue::Number(*n)),
                                    _ => None,
                                })
                                .collect()
                        })
                        .collect();
                    if !rows.is_empty() {
                        fill.lists.insert(ind.code.clone(), rows);
                        fill.list_units.insert(ind.code.clone(), units);
                    }
                }
            }
        }
    }
    fill
}

/// The committee's Party-document header over one of its report sheets
/// (the parent organisation over the committee as issuing body, "*",
/// "ĐẢNG CỘNG SẢN VIỆT NAM"; then `title` and `lines`), over columns
/// `0..width` already set in `page` ([`crate::form::write_doc_header`]).
pub(crate) fn committee_header(
    ws: &mut rust_xlsxwriter::Worksheet,
    page: &mut crate::print::Layout,
    s: &crate::form::Styles,
    set: &crate::round::Settings,
    title: &str,
    lines: &[String],
    width: u16,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    crate::form::write_doc_header(
        ws,
        page,
        s,
        &set.parent,
        Some(&set.committee_body()),
        title,
        lines,
        width,
    )
}

/// The place/date line and `signatures` under a report sheet's table,
/// from `row`; returns the last row ([`crate::form::write_doc_footer`]).
pub(crate) fn committee_footer(
    ws: &mut rust_xlsxwriter::Worksheet,
    page: &mut crate::print::Layout,
    s: &crate::form::Styles,
    set: &crate::round::Settings,
    row: u32,
    width: u16,
    signatures: &crate::form::Signatures,
) -> Result<u32, rust_xlsxwriter::XlsxError> {
    use chrono::Datelike;
    crate::form::write_doc_footer(
        ws,
        page,
        s,
        &set.place,
        set.deadline.year(),
        row,
        width,
        signatures,
    )
}

/// "(Kèm theo Kế hoạch số 24-KH/ThU ngày 27/4/2021 của …)".
pub(crate) fn plan_line(set: &crate::round::Settings) -> String {
    format!(
        "(Kèm theo Kế hoạch số {} ngày {} của {})",
        set.plan_number, set.plan_date, set.issuer
    )
}
