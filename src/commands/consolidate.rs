//! `tonghop consolidate ROUND`: read every return, check, consolidate and
//! write `tong-hop.xlsx`, `gui-cap-tren.xlsx` and the error report.

use std::path::PathBuf;

use anyhow::Context;

use crate::atomic::{save_workbook, write_atomic, write_atomic_with};
use crate::cli::ConsolidateArgs;
use crate::form::{build_form, FormSpec, FormUnit};
use crate::ingest::ingest_round;
use crate::report::{
    self, Summary, CONSOLIDATED_FILE, ERRORS_CSV, ERRORS_JSON, ERRORS_XLSX, UPPER_LEVEL_FILE,
};
use crate::round::Round;

/// The result of a run, for tests and the terminal.
pub struct Outcome {
    pub summary: Summary,
    pub findings: Vec<crate::diagnostic::Finding>,
    pub out: PathBuf,
}

pub fn run(args: &ConsolidateArgs) -> anyhow::Result<u8> {
    let progress = crate::report::progress::Bar::new(args.quiet);
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let outcome = consolidate_round_on(
        &args.round,
        args.out.clone(),
        args.catalog.as_deref(),
        &progress,
        today,
    )?;
    if args.json {
        super::print_out(&(serde_json::to_string_pretty(&outcome.summary)? + "\n"))?;
    } else {
        super::print_out(&outcome.summary.text())?;
    }
    Ok(if outcome.summary.errors > 0 { 1 } else { 0 })
}

/// Run the whole job on a round folder.
///
/// # Errors
/// An unreadable round (settings, units, catalogue) or unwritable outputs;
/// bad returns are findings, never errors.
pub fn consolidate_round(
    round_dir: &std::path::Path,
    out: Option<PathBuf>,
    catalog: Option<&std::path::Path>,
) -> anyhow::Result<Outcome> {
    consolidate_round_with(round_dir, out, catalog, &crate::ingest::Silent)
}

/// [`consolidate_round`] reporting progress.
pub fn consolidate_round_with(
    round_dir: &std::path::Path,
    out: Option<PathBuf>,
    catalog: Option<&std::path::Path>,
    progress: &dyn crate::ingest::Progress,
) -> anyhow::Result<Outcome> {
    let today = chrono::Local::now().date_naive();
    consolidate_round_on(round_dir, out, catalog, progress, today)
}

/// [`consolidate_round_with`] on the run date `today` (days left or
/// overdue in the chase list and the feedback workbooks).
pub fn consolidate_round_on(
    round_dir: &std::path::Path,
    out: Option<PathBuf>,
    catalog: Option<&std::path::Path>,
    progress: &dyn crate::ingest::Progress,
    today: chrono::NaiveDate,
) -> anyhow::Result<Outcome> {
    let timing = crate::report::progress::Timing::from_env();
    let lap = |what: &str| timing.lap(what);
    let round = Round::load(round_dir, catalog)?;
    let out = out.unwrap_or_else(|| round.dir.join(&round.settings.output));
    // Never read our own outputs back as returns.
    let skip = vec![out.clone(), round.dir.join(&round.settings.output)];
    // A missing returns folder is a failed run (exit 2), never a clean run
    // with nothing read: the error names the folder and what exists.
    let ingest = ingest_round(&round, &skip, progress)?;
    lap("đọc tệp");
    // Superseded, duplicate, ignored and excluded files' findings do not
    // count.
    let mut findings: Vec<_> = ingest.findings().cloned().collect();
    std::fs::create_dir_all(&out)
        .with_context(|| format!("không tạo được thư mục kết quả {}", out.display()))?;
    findings.extend(
        crate::check::run_all(&round, &ingest, &timing).context("lỗi khi kiểm tra số liệu")?,
    );
    lap("kiểm tra");
    let cons = crate::consolidate::consolidate(&round, &ingest).context("lỗi khi tổng hợp")?;
    lap("tổng hợp");
    findings.extend(cons.findings.iter().cloned());
    let mut marks = crate::consolidate::Marks::new(&ingest, &findings);
    // The committee's own totals pass the checks a return passes; say
    // which units' lỗi a failing total comes from.
    let mut own = crate::check::committee(&round, &cons).context("lỗi khi kiểm tra số tổng hợp")?;
    for c in &mut own {
        let from = marks.errors_in(&round.catalog, c.ind, c.col, &round.units);
        if !from.is_empty() {
            let names: Vec<&str> = from.iter().map(|t| t.unit.name.as_str()).collect();
            c.finding
                .message
                .push_str(&format!(" Do lỗi chưa sửa của: {}.", names.join(", ")));
        }
        c.finding.file = UPPER_LEVEL_FILE.to_string();
        for i in std::iter::once(c.ind).chain(c.also.iter().copied()) {
            marks.add_committee(i, c.col, c.finding.severity, &c.finding.message);
        }
    }
    findings.extend(own.into_iter().map(|c| c.finding));
    crate::diagnostic::sort(&mut findings);
    let status = report::statuses(&round, &ingest, &findings);

    let paths = [
        CONSOLIDATED_FILE,
        UPPER_LEVEL_FILE,
        ERRORS_XLSX,
        ERRORS_CSV,
        ERRORS_JSON,
    ]
    .map(|f| out.join(f));
    let feedback = report::phan_hoi::plan(&round, &ingest, &findings);
    let followup = report::Followup {
        chase: report::don_doc::rows(&round, &status, &feedback, today),
        changes: report::thay_doi::any_resubmission(&ingest)
            .then(|| report::thay_doi::changes(&round, &ingest)),
        today,
    };
    let audit_rows = report::tong_hop::audit_len(&ingest);
    let mut wb = report::tong_hop::build(
        &round, &ingest, &cons, &marks, &status, audit_rows, &followup,
    )
    .context("không tạo được bảng tổng hợp")?;
    lap("dựng tong-hop.xlsx");
    save_workbook(&mut wb, &paths[0])?;
    lap("ghi tong-hop.xlsx");
    let mut outputs: Vec<PathBuf> = paths.to_vec();
    if report::tong_hop::audit_fits_sheet(audit_rows) {
        let path = out.join(report::tong_hop::AUDIT_XLSX);
        let mut wb = report::tong_hop::audit_workbook(&round, &ingest, &findings)
            .context("không tạo được bảng dữ liệu gốc")?;
        save_workbook(&mut wb, &path)?;
        outputs.insert(1, path);
        lap("ghi du-lieu-goc.xlsx");
    } else {
        let path = out.join(report::tong_hop::AUDIT_CSV);
        write_atomic_with(&path, |w| {
            report::tong_hop::write_audit_csv(&round, &ingest, &findings, w)
        })
        .with_context(|| format!("không ghi được {}", path.display()))?;
        outputs.insert(1, path);
        lap("ghi du-lieu-goc.csv");
    }
    let committee = round.committee_unit();
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::catalog::Severity::Loi)
        .count();
    let fill = report::upper_level_fill(&round, &cons, &marks, errors);
    let (settings, deadline_note) = round.settings.for_upper_level();
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &settings,
        unit: FormUnit::Unit(&committee),
        fill: Some(&fill),
        deadline_note,
        saved_at: chrono::Local::now().naive_local(),
    };
    let mut wb = build_form(&spec).context("không tạo được báo cáo gửi cấp trên")?;
    report::cap_tren::notes_sheet(&mut wb, &round, &cons, &fill)
        .context("không tạo được trang Lưu ý của báo cáo gửi cấp trên")?;
    save_workbook(&mut wb, &paths[1])?;
    let mut wb =
        report::loi::workbook(&round, &findings, &status).context("không tạo được báo cáo lỗi")?;
    save_workbook(&mut wb, &paths[2])?;
    write_atomic(&paths[3], &report::loi::csv_bytes(&findings))
        .with_context(|| format!("không ghi được {}", paths[3].display()))?;
    write_atomic(
        &paths[4],
        serde_json::to_string_pretty(&findings)?.as_bytes(),
    )
    .with_context(|| format!("không ghi được {}", paths[4].display()))?;
    let chase_csv = out.join(report::don_doc::CSV_FILE);
    write_atomic(
        &chase_csv,
        &report::don_doc::csv_bytes(&followup.chase, round.settings.deadline),
    )
    .with_context(|| format!("không ghi được {}", chase_csv.display()))?;
    outputs.push(chase_csv);
    let folder = write_feedback(&round, &feedback, &out, today)?;
    outputs.push(folder);
    lap("ghi các tệp còn lại");
    let mut summary = Summary::new(
        &ingest,
        &status,
        &findings,
        outputs.iter().map(|p| p.display().to_string()).collect(),
    );
    if round.settings.cap_tren.is_none() {
        summary.notes.push(format!(
            "tonghop.toml chưa có mục [cap_tren] (kế hoạch, mã đợt và nơi nhận của cấp trên): {} ghi kế hoạch và mã đợt của chính đợt này.",
            UPPER_LEVEL_FILE
        ));
    }
    Ok(Outcome {
        summary,
        findings,
        out,
    })
}

/// Write `phan-hoi/` (one workbook per unit with a finding) and remove
/// the feedback workbooks of an earlier run for units that no longer have
/// one; returns the folder, as the summary names it.
fn write_feedback(
    round: &Round,
    feedback: &[report::phan_hoi::Feedback],
    out: &std::path::Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<PathBuf> {
    let dir = out.join(report::phan_hoi::FOLDER);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("không tạo được thư mục {}", dir.display()))?;
    let now = chrono::Local::now().naive_local();
    let mut written = std::collections::HashSet::new();
    for fb in feedback {
        let path = dir.join(fb.file_name());
        let mut wb = report::phan_hoi::workbook(round, fb, today, now)
            .with_context(|| format!("không tạo được tệp phản hồi của {}", fb.unit.name))?;
        save_workbook(&mut wb, &path)?;
        written.insert(fb.file_name());
    }
    for u in &round.units {
        let name = crate::form::form_file_name(u);
        let stale = dir.join(&name);
        if !written.contains(&name) && stale.is_file() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("không xóa được tệp phản hồi cũ {}", stale.display()))?;
        }
    }
    Ok(PathBuf::from(format!(
        "{}{}",
        dir.display(),
        std::path::MAIN_SEPARATOR
    )))
}
