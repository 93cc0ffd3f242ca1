//! `tonghop forms ROUND`: the form workbook of every unit plus the generic
//! form, written atomically into the output folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::cli::FormsArgs;
use crate::form::{build_form, form_file_name, FormSpec, FormUnit, GENERIC_FORM_FILE};
use crate::round::Round;

pub fn run(args: &FormsArgs) -> anyhow::Result<u8> {
    let round = Round::load(&args.round, args.catalog.as_deref())?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| round.dir.join(&round.settings.output).join("bieu-mau"));
    let started = Instant::now();
    let (written, unwritten) = write_forms(&round, &out)?;
    if unwritten.is_empty() {
        super::print_out(&format!(
            "Đã tạo {} biểu mẫu ({} đơn vị và 1 biểu mẫu chung) trong {} sau {:.2} giây.\n",
            written.len(),
            written.len() - 1,
            out.display(),
            started.elapsed().as_secs_f64()
        ))?;
        return Ok(0);
    }
    super::print_out(&format!(
        "Đã tạo {} trong {} biểu mẫu trong {} sau {:.2} giây.\n",
        written.len(),
        written.len() + unwritten.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    ))?;
    for e in &unwritten {
        eprintln!("Lỗi: {e}");
    }
    Ok(2)
}

/// Write every unit's form and the generic form into `out`; returns the
/// paths written, generic form last.
///
/// # Errors
/// A form that cannot be built, or the first form that cannot be written.
pub fn write_all_forms(round: &Round, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let (written, unwritten) = write_forms(round, out)?;
    match unwritten.into_iter().next() {
        Some(e) => Err(e.into()),
        None => Ok(written),
    }
}

/// [`write_all_forms`] going on past forms that cannot be written (e.g. a
/// form open in Excel): returns the paths written (in unit order, generic
/// form last) and the forms not written.
///
/// # Errors
/// Two units with the same form file name, an unwritable folder, or a form
/// that cannot be built.
pub fn write_forms(
    round: &Round,
    out: &Path,
) -> anyhow::Result<(Vec<PathBuf>, Vec<crate::atomic::WriteError>)> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("không tạo được thư mục {}", out.display()))?;
    let now = chrono::Local::now().naive_local();
    let mut jobs: Vec<(FormUnit, PathBuf)> = round
        .units
        .iter()
        .map(|u| (FormUnit::Unit(u), out.join(form_file_name(u))))
        .collect();
    jobs.push((FormUnit::Generic(&round.units), out.join(GENERIC_FORM_FILE)));
    let mut seen = std::collections::BTreeSet::new();
    for (_, p) in &jobs {
        anyhow::ensure!(
            seen.insert(p.clone()),
            "hai đơn vị cho cùng tên tệp biểu mẫu {}: đổi mã đơn vị cho khác nhau",
            p.display()
        );
    }
    use rayon::prelude::*;
    let results: Vec<anyhow::Result<PathBuf>> = polars_core::runtime::THREAD_POOL.install(|| {
        jobs.par_iter()
            .map(|(unit, path)| {
                let spec = FormSpec {
                    catalog: &round.catalog,
                    settings: &round.settings,
                    unit: *unit,
                    fill: None,
                    deadline_note: None,
                    saved_at: now,
                };
                let mut wb = build_form(&spec)
                    .with_context(|| format!("không tạo được biểu mẫu {}", path.display()))?;
                crate::atomic::save_workbook(&mut wb, path)?;
                Ok(path.clone())
            })
            .collect()
    });
    let (mut written, mut unwritten) = (Vec::new(), Vec::new());
    for r in results {
        match r {
            Ok(p) => written.push(p),
            Err(e) => match e.downcast::<crate::atomic::WriteError>() {
                Ok(w) => unwritten.push(w),
                Err(e) => return Err(e),
            },
        }
    }
    Ok((written, unwritten))
}
