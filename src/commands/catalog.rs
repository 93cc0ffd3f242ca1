//! `tonghop catalog`: show the catalogue as an outline tree, export it as
//! JSON or TOML (both read back as catalogue files), or check a catalogue
//! file.

use std::fmt::Write as _;

use crate::catalog::{validate, Catalog, CatalogError, DerivedRule, GroupKind, Rule};
use crate::cli::{CatalogArgs, CatalogFormat};

pub fn run(args: &CatalogArgs) -> anyhow::Result<u8> {
    if let Some(outline) = &args.from_outline {
        return from_outline(outline, args.out.as_deref());
    }
    if let Some(path) = &args.check {
        if crate::catalog::workbook::is_workbook(path) {
            return check_workbook(path);
        }
        let text = crate::textfile::read(path)
            .map_err(|error| CatalogError::Io {
                path: path.display().to_string(),
                error,
            })?
            .text;
        let origin = path.display().to_string();
        let catalog = match Catalog::parse(&text, &origin) {
            Ok(c) => c,
            Err(e @ CatalogError::Syntax { .. }) => {
                super::print_out(&format!("{e}\n"))?;
                return Ok(1);
            }
            Err(e) => return Err(e.into()),
        };
        return report(&origin, &catalog, &validate(&catalog));
    }
    let catalog = Catalog::load_or_embedded(args.catalog.as_deref())?;
    // Every export reads back as a catalogue (`--catalog`, `--check`): the
    // `hash` it carries is informative and recomputed on reading.
    let text = match args.format {
        CatalogFormat::Tree => tree(&catalog),
        CatalogFormat::Json => serde_json::to_string_pretty(&catalog)? + "\n",
        CatalogFormat::Toml => toml::to_string_pretty(&catalog)?,
        CatalogFormat::Xlsx => {
            let Some(out) = &args.out else {
                anyhow::bail!("--format xlsx ghi ra một tệp: hãy thêm --out danh-muc.xlsx.");
            };
            let bytes = crate::catalog::workbook::write(&catalog).map_err(|e| {
                anyhow::anyhow!("không tạo được bảng tính {} ({e}).", out.display())
            })?;
            crate::atomic::write_atomic(out, &bytes).map_err(|e| {
                anyhow::anyhow!(
                    "không ghi được {}: {}",
                    out.display(),
                    crate::text::io_error_vi(&e)
                )
            })?;
            format!("Đã ghi danh mục ra bảng tính {}.\n", out.display())
        }
    };
    match (&args.out, args.format) {
        (Some(out), f) if f != CatalogFormat::Xlsx => {
            crate::atomic::write_atomic(out, text.as_bytes()).map_err(|e| {
                anyhow::anyhow!(
                    "không ghi được {}: {}",
                    out.display(),
                    crate::text::io_error_vi(&e)
                )
            })?;
        }
        _ => super::print_out(&text)?,
    }
    Ok(0)
}

/// `catalog --check` of a workbook: every cell problem, else every
/// structural one, each by sheet and row.
fn check_workbook(path: &std::path::Path) -> anyhow::Result<u8> {
    let origin = path.display().to_string();
    let read = match crate::catalog::workbook::read(path) {
        Ok(r) => r,
        Err(e @ CatalogError::Syntax { .. }) => {
            super::print_out(&format!("{e}\n"))?;
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    };
    report(&origin, &read.catalog, &read.problems())
}

fn report(
    origin: &str,
    catalog: &Catalog,
    problems: &[crate::catalog::CatalogProblem],
) -> anyhow::Result<u8> {
    if problems.is_empty() {
        super::print_out(&format!(
            "Danh mục {origin} hợp lệ: {} biểu, {} chỉ tiêu, {} quy tắc.\n",
            catalog.groups.len(),
            catalog.indicators.len(),
            catalog.rules.len()
        ))?;
        return Ok(0);
    }
    let mut text = format!("Danh mục {origin} có {} lỗi:\n", problems.len());
    for p in problems {
        let _ = writeln!(text, "  - {p}");
    }
    super::print_out(&text)?;
    Ok(1)
}

/// The catalogue as an indented outline tree (forms, indicators, rules).
pub fn tree(c: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (danh mục {} phiên bản {}, mã băm {})",
        c.title,
        c.id,
        c.version,
        c.short_hash()
    );
    let _ = writeln!(
        out,
        "{} biểu, {} chỉ tiêu, {} quy tắc khai báo, sai số tỷ lệ cho phép ±{} điểm %",
        c.groups.len(),
        c.indicators.len(),
        c.rules.len(),
        crate::text::number_vi(c.percent_tolerance)
    );
    for g in &c.groups {
        let cols: Vec<String> = c
            .columns_of(g)
            .iter()
            .map(|col| col.label.clone())
            .collect();
        let _ = writeln!(
            out,
            "\nBiểu số {:02} [{}] mục {}: {}",
            g.number, g.sheet, g.outline_ref, g.title
        );
        if g.kind == GroupKind::Table {
            let _ = writeln!(out, "  cột: {}", cols.join(" | "));
        }
        for ind in c.indicators_of(&g.id) {
            let indent = "  ".repeat(ind.level as usize + 1);
            let applies = if ind.applies_to.is_empty() {
                "mọi đơn vị".to_string()
            } else {
                ind.applies_to
                    .iter()
                    .map(|t| {
                        c.unit_types
                            .iter()
                            .find(|u| &u.id == t)
                            .map_or(t.as_str(), |u| u.label.as_str())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut extra = Vec::new();
            if ind.required {
                extra.push("bắt buộc".to_string());
            }
            if let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) {
                extra.push(format!(
                    "= 100 × {n} / {d}{}",
                    if ind.computed {
                        " (công thức)"
                    } else {
                        " (đơn vị ghi, kiểm tra)"
                    }
                ));
            }
            let _ = writeln!(
                out,
                "{indent}{} {} [mục {}] – {}; {}; {}; áp dụng: {}; tổng hợp: {}{}",
                ind.code,
                ind.label,
                ind.outline_ref,
                if ind.measure.is_empty() {
                    "không có đơn vị tính"
                } else {
                    &ind.measure
                },
                ind.kind.label(),
                ind.nature.label(),
                applies,
                ind.consolidation().label(),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; {}", extra.join("; "))
                }
            );
        }
    }
    let _ = writeln!(out, "\nQuy tắc kiểm tra:");
    for r in &c.rules {
        let what = match r {
            Rule::Sum { total, parts, .. } => format!("{total} = {}", parts.join(" + ")),
            Rule::SumAtMost { total, parts, .. } => format!("{total} ≥ {}", parts.join(" + ")),
            Rule::AtMost { left, right, .. } => format!("{left} ≤ {right}"),
        };
        let _ = writeln!(
            out,
            "  {} [{}] {}: {}",
            r.id(),
            r.severity().label(),
            r.label(),
            what
        );
    }
    for r in c.derived_rules() {
        let line = match r {
            DerivedRule::Ratio {
                percent,
                numerator,
                denominator,
            } => format!(
                "[lỗi] tỷ lệ {percent} = 100 × {numerator} / {denominator} (sai số ±{})",
                crate::text::number_vi(c.percent_tolerance)
            ),
            DerivedRule::NumeratorAtMost {
                numerator,
                denominator,
            } => {
                format!("[lỗi] tử số {numerator} ≤ mẫu số {denominator}")
            }
            DerivedRule::Bounds { code, min, max } => format!(
                "[lỗi] {code} trong khoảng {} – {}",
                min.map_or("-∞".into(), crate::text::number_vi),
                max.map_or("+∞".into(), crate::text::number_vi)
            ),
        };
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// `catalog --from-outline`: draft a catalogue from an outline and write
/// it as a catalogue workbook with its "Cần xem lại" notes, beside the
/// outline (`danh-muc.xlsx`) unless `--out` says where; an existing file
/// is never replaced (the operator may have started editing it).
fn from_outline(outline: &std::path::Path, out: Option<&std::path::Path>) -> anyhow::Result<u8> {
    let out = match out {
        Some(o) => o.to_path_buf(),
        None => outline
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("danh-muc.xlsx"),
    };
    if !out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        anyhow::bail!(
            "--out {}: bản nháp danh mục là bảng tính, hãy đặt tên tệp .xlsx (ví dụ danh-muc.xlsx).",
            out.display()
        );
    }
    let draft = crate::catalog::outline::draft_file(outline)?;
    let bytes = crate::catalog::workbook::write_reviewed(&draft.catalog, &draft.review)
        .map_err(|e| anyhow::anyhow!("không tạo được bảng tính {} ({e}).", out.display()))?;
    crate::atomic::write_atomic_new(&out, &bytes).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "đã có tệp {}: không ghi đè (có thể đã được sửa). Đổi tên hoặc xóa tệp đó, hoặc chọn tệp khác bằng --out.",
                out.display()
            )
        } else {
            anyhow::anyhow!("không ghi được {}: {}", out.display(), crate::text::io_error_vi(&e))
        }
    })?;
    let problems = validate(&draft.catalog);
    let c = &draft.catalog;
    super::print_out(&format!(
        "Đã ghi bản nháp danh mục {}: {} đề mục của đề cương, {} biểu, {} chỉ tiêu ({} dòng cần xem lại, ghi ở cột \"Cần xem lại\").\nSửa trong Excel rồi kiểm tra: tonghop catalog --check \"{}\"\n",
        out.display(),
        draft.headings.len(),
        c.groups.len(),
        c.indicators.len(),
        draft.review.len(),
        out.display()
    ))?;
    if !problems.is_empty() {
        // Not expected of a draft (a heading with more than 99 figures
        // makes a three-digit mã số): told, never hidden.
        let mut text = format!(
            "Bản nháp còn {} lỗi cần sửa trước khi dùng:\n",
            problems.len()
        );
        for p in &problems {
            let _ = writeln!(text, "  - {p}");
        }
        super::print_out(&text)?;
    }
    Ok(u8::from(!problems.is_empty()))
}
