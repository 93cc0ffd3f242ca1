//! `tonghop consolidate ROUND`: read every return, check, consolidate and
//! write `tong-hop.xlsx`, `gui-cap-tren.xlsx` and the error report.

use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;

use crate::atomic::{save_workbook, write_output, write_output_with, WriteError};
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
    /// Outputs that could not be written (e.g. held open in Excel); the
    /// others were written. Not empty means exit status 2.
    pub unwritten: Vec<WriteError>,
}

impl Outcome {
    /// The exit status: 2 when an output was not written, 1 with lỗi in
    /// the data, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        if !self.unwritten.is_empty() {
            2
        } else if self.summary.errors > 0 {
            1
        } else {
            0
        }
    }
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
        for e in &outcome.unwritten {
            eprintln!("Lỗi: {e}");
        }
    } else {
        // The summary lists them under "Chưa ghi được".
        super::print_out(&outcome.summary.text())?;
    }
    Ok(outcome.exit_code())
}

/// Go on past an output that could not be written (collected in
/// `unwritten`, so the other outputs are still written); any other error
/// stops the run.
fn keep_going(r: anyhow::Result<()>, unwritten: &mut Vec<WriteError>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.is::<WriteError>() => {
            unwritten.push(e.downcast().expect("checked with is"));
            Ok(())
        }
        other => other,
    }
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
    lap("nạp đợt báo cáo");
    let out = out.unwrap_or_else(|| round.dir.join(&round.settings.output));
    // Never read our own outputs back as returns.
    let skip = vec![out.clone(), round.dir.join(&round.settings.output)];
    // A missing returns folder is a failed run (exit 2), never a clean run
    // with nothing read: the error names the folder and what exists.
    let ingest = ingest_round(&round, &skip, progress)?;
    crate::memory::release_free();
    lap("đọc tệp");
    // Superseded, duplicate, ignored and excluded files' findings do not
    // count.
    let mut findings: Vec<_> = ingest.findings().cloned().collect();
    std::fs::create_dir_all(&out)
        .with_context(|| format!("không tạo được thư mục kết quả {}", out.display()))?;
    // What a run stopped mid-way left (outputs are renamed into place only
    // when complete, so these are never results).
    for dir in [out.clone(), out.join(report::phan_hoi::FOLDER)] {
        crate::atomic::remove_stale_temps(&dir, STALE_TEMP_IDLE);
    }
    findings.extend(
        crate::check::run_all(&round, &ingest, &timing).context("lỗi khi kiểm tra số liệu")?,
    );
    crate::memory::release_free();
    lap("kiểm tra");
    let cons = crate::consolidate::consolidate(&round, &ingest).context("lỗi khi tổng hợp")?;
    crate::memory::release_free();
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
    let audit_path = out.join(if report::tong_hop::audit_fits_sheet(audit_rows) {
        report::tong_hop::AUDIT_XLSX
    } else {
        report::tong_hop::AUDIT_CSV
    });
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::catalog::Severity::Loi)
        .count();
    let chase_csv = out.join(report::don_doc::CSV_FILE);
    let report_path = out.join(report::bao_cao::REPORT_DOCX);
    let feedback_dir = out.join(report::phan_hoi::FOLDER);
    // Every output, independent of the others: one entry each, written in
    // parallel on rayon's pool; listed in the summary in this order.
    let jobs: Vec<Output> = vec![
        Output::new(&paths[0], || {
            let mut wb = report::tong_hop::build(
                &round, &ingest, &cons, &marks, &status, audit_rows, &followup,
            )
            .context("không tạo được bảng tổng hợp")?;
            lap("dựng tong-hop.xlsx");
            save_workbook(&mut wb, &paths[0])?;
            lap("ghi tong-hop.xlsx");
            Ok(())
        })
        .heavy(),
        Output::new(&report_path, || {
            let doc = report::bao_cao::document(&round, &cons, &marks, &status, &findings);
            let bytes = report::bao_cao::to_bytes(doc).context("không tạo được dự thảo báo cáo")?;
            write_output(&report_path, &bytes)?;
            lap("ghi bao-cao-tong-hop.docx");
            Ok(())
        }),
        Output::new(&audit_path, || {
            if report::tong_hop::audit_fits_sheet(audit_rows) {
                let mut wb = report::tong_hop::audit_workbook(&round, &ingest, &findings)
                    .context("không tạo được bảng dữ liệu gốc")?;
                save_workbook(&mut wb, &audit_path)?;
            } else {
                write_output_with(&audit_path, |w| {
                    report::tong_hop::write_audit_csv(&round, &ingest, &findings, w)
                })?;
            }
            lap("ghi dữ liệu gốc");
            Ok(())
        })
        .heavy(),
        Output::new(&paths[1], || {
            let committee = round.committee_unit();
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
            report::cap_tren::notes_sheets(&mut wb, &round, &cons, &fill)
                .context("không tạo được trang Lưu ý, Toàn văn của báo cáo gửi cấp trên")?;
            save_workbook(&mut wb, &paths[1])?;
            lap("ghi gui-cap-tren.xlsx");
            Ok(())
        })
        .early(),
        Output::new(&paths[2], || {
            let mut wb = report::loi::workbook(&round, &findings, &status)
                .context("không tạo được báo cáo lỗi")?;
            save_workbook(&mut wb, &paths[2])
        }),
        Output::new(&paths[3], || {
            Ok(write_output(&paths[3], &report::loi::csv_bytes(&findings))?)
        }),
        Output::new(&paths[4], || {
            let json = serde_json::to_string_pretty(&findings)?;
            Ok(write_output(&paths[4], json.as_bytes())?)
        }),
        Output::new(&chase_csv, || {
            let bytes = report::don_doc::csv_bytes(&followup.chase, round.settings.deadline);
            Ok(write_output(&chase_csv, &bytes)?)
        }),
        Output::folder(&feedback_dir, || {
            let unwritten = write_feedback(&round, &feedback, &feedback_dir, today)?;
            lap("ghi phan-hoi/");
            Ok(unwritten)
        })
        .heavy(),
    ];
    let mut unwritten = Vec::new();
    let mut outputs = Vec::new();
    for (job, result) in run_heaviest_first(&jobs).into_iter().enumerate() {
        unwritten.extend(result?);
        outputs.push(jobs[job].shown.clone());
    }
    drop(jobs);
    lap("ghi các tệp kết quả");
    outputs.retain(|p| !unwritten.iter().any(|e| e.path() == p));
    let mut summary = Summary::new(
        &ingest,
        &status,
        &findings,
        outputs.iter().map(|p| p.display().to_string()).collect(),
    );
    summary.unwritten = unwritten
        .iter()
        .map(|e| match std::error::Error::source(e) {
            Some(cause) => format!("{e} (do: {cause})"),
            None => e.to_string(),
        })
        .collect();
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
        unwritten,
    })
}

/// Run every job on rayon's pool, the early and heavy ones first, each thread taking
/// the next job when it is free; results in the jobs' order. (Split in
/// halves, the two large workbooks queued one behind the other on one
/// thread while the other thread ran out of work: 1.5 s more at 1,000
/// returns on two cores.)
fn run_heaviest_first(jobs: &[Output]) -> Vec<anyhow::Result<Vec<WriteError>>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    // Stable: the list's order within each kind of start.
    order.sort_by_key(|&i| jobs[i].start);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<anyhow::Result<Vec<WriteError>>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads().min(jobs.len()) {
            scope.spawn(|_| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let done = (jobs[i].write)();
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(done);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job ran")
        })
        .collect()
}

/// One output of a run: the path the summary shows and how to write it
/// (the write errors of the files it could not write, so that the others
/// are still written; any other error stops the run).
struct Output<'a> {
    shown: PathBuf,
    #[allow(clippy::type_complexity)]
    write: Box<dyn Fn() -> anyhow::Result<Vec<WriteError>> + Send + Sync + 'a>,
    /// When it starts: [`Start::Early`], then [`Start::Heavy`], then the
    /// rest, each in the list's order.
    start: Start,
}

/// When a job starts.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Start {
    /// Before the heavy jobs: `gui-cap-tren.xlsx`, whose "Lưu ý" holds the
    /// long answers of every unit, is built while `tong-hop.xlsx` is still
    /// small (at 52,000 returns, built at its end, the two peaked together:
    /// 0.4 GiB more).
    Early,
    /// The large outputs, started before the light ones.
    Heavy,
    Light,
}

impl<'a> Output<'a> {
    /// A single file.
    fn new(
        path: &std::path::Path,
        write: impl Fn() -> anyhow::Result<()> + Send + Sync + 'a,
    ) -> Output<'a> {
        Output {
            shown: path.to_path_buf(),
            write: Box::new(move || {
                let mut unwritten = Vec::new();
                keep_going(write(), &mut unwritten)?;
                Ok(unwritten)
            }),
            start: Start::Light,
        }
    }

    /// Started before the light jobs.
    fn heavy(self) -> Output<'a> {
        Output {
            start: Start::Heavy,
            ..self
        }
    }

    /// Started before the heavy jobs.
    fn early(self) -> Output<'a> {
        Output {
            start: Start::Early,
            ..self
        }
    }

    /// A folder of files, shown with a trailing separator.
    fn folder(
        dir: &std::path::Path,
        write: impl Fn() -> anyhow::Result<Vec<WriteError>> + Send + Sync + 'a,
    ) -> Output<'a> {
        Output {
            shown: PathBuf::from(format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR)),
            write: Box::new(write),
            start: Start::Light,
        }
    }
}

/// A temporary output file not modified for this long was left by a run
/// that stopped mid-way ([`crate::atomic::remove_stale_temps`]).
const STALE_TEMP_IDLE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Write `phan-hoi/` (one workbook per unit with a finding, in parallel)
/// and remove the feedback workbooks of an earlier run for units that no
/// longer have one; returns the workbooks that could not be written.
fn write_feedback(
    round: &Round,
    feedback: &[report::phan_hoi::Feedback],
    dir: &std::path::Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<Vec<WriteError>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("không tạo được thư mục {}", dir.display()))?;
    let now = chrono::Local::now().naive_local();
    let results: Vec<anyhow::Result<Vec<WriteError>>> = feedback
        .par_iter()
        .map(|fb| {
            let path = dir.join(fb.file_name());
            let mut wb = report::phan_hoi::workbook(round, fb, today, now)
                .with_context(|| format!("không tạo được tệp phản hồi của {}", fb.unit.name))?;
            // One held open in Excel: said, and the others still written.
            let mut unwritten = Vec::new();
            keep_going(save_workbook(&mut wb, &path), &mut unwritten)?;
            Ok(unwritten)
        })
        .collect();
    let mut unwritten = Vec::new();
    for r in results {
        unwritten.extend(r?);
    }
    let written: std::collections::HashSet<String> =
        feedback.iter().map(|fb| fb.file_name()).collect();
    for u in &round.units {
        let name = crate::form::form_file_name(u);
        let stale = dir.join(&name);
        if !written.contains(&name) && stale.is_file() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("không xóa được tệp phản hồi cũ {}", stale.display()))?;
        }
    }
    Ok(unwritten)
}
