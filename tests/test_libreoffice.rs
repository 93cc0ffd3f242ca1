//! LibreOffice as a real client (opt-in: `cargo test --release --
//! --include-ignored`, run by `.ci/run` after installing LibreOffice).
//! A generated form converts to .xlsx, .ods, .xls and .pdf; a filled form
//! re-saved by LibreOffice recalculates its formulas to the expected totals
//! and consolidates to the same figures; the outputs open without repair.

mod common;

use std::path::Path;
use std::process::Command;

use tonghop::commands::consolidate::consolidate_round;
use tonghop::round::Round;

/// A LibreOffice profile that recalculates every formula on load (its
/// default keeps the cached results of .xlsx files, which would compare
/// tonghop's cached values with themselves).
fn recalculating_profile() -> &'static Path {
    static PROFILE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    PROFILE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("user")).unwrap();
            std::fs::write(
                dir.path().join("user/registrymodifications.xcu"),
                r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
            )
            .unwrap();
            dir
        })
        .path()
}

fn soffice(src: &Path, fmt: &str, outdir: &Path) -> std::path::PathBuf {
    let profile = format!(
        "-env:UserInstallation=file://{}",
        recalculating_profile().display()
    );
    let status = Command::new("soffice")
        .arg(profile)
        .args(["--headless", "--convert-to", fmt, "--outdir"])
        .arg(outdir)
        .arg(src)
        .status()
        .expect("soffice must be installed for this test (.ci/run installs it)");
    assert!(status.success(), "soffice failed on {}", src.display());
    let stem = src.file_stem().unwrap().to_string_lossy().to_string();
    let ext = fmt.split(':').next().unwrap();
    let out = outdir.join(format!("{stem}.{ext}"));
    assert!(
        out.exists() && std::fs::metadata(&out).unwrap().len() > 0,
        "{} not written",
        out.display()
    );
    out
}

#[test]
#[ignore = "needs LibreOffice (soffice); run by .ci/run"]
fn forms_convert_and_recalculate_in_libreoffice() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A filled return (written by the generator) re-saved by LibreOffice.
    let src = common::samples().join("bao-cao/p-dongphong-dang-bo-phuong-dong-phong.xlsx");
    for fmt in ["xlsx", "ods", "xls", "pdf"] {
        let sub = dir.path().join(fmt);
        std::fs::create_dir_all(&sub).unwrap();
        soffice(&src, fmt, &sub);
    }
    let resaved = common::read_back(
        &dir.path()
            .join("xlsx/p-dongphong-dang-bo-phuong-dong-phong.xlsx"),
    );
    let original = common::read_back(&src);
    // LibreOffice's recalculated formula results equal ours: every period
    // total and computed percentage of every sheet.
    let c = &round.catalog;
    let mut compared = 0;
    for g in &c.groups {
        let get = |s: &Vec<(String, common::SheetCells)>| {
            common::contract_values(&s.iter().find(|(n, _)| n == &g.sheet).unwrap().1)
        };
        let (a, b) = (get(&original), get(&resaved));
        for ind in c.indicators_of(&g.id) {
            for (i, col) in c.columns_of(g).iter().enumerate() {
                if !(ind.is_formula() || (col.is_computed() && ind.kind.is_numeric())) {
                    continue;
                }
                let key = (ind.code.clone(), i + 1);
                let x = a.get(&key).and_then(|s| s.parse::<f64>().ok());
                let y = b.get(&key).and_then(|s| s.parse::<f64>().ok());
                assert_eq!(
                    x.map(|v| (v * 100.0).round()),
                    y.map(|v| (v * 100.0).round()),
                    "{} ({})",
                    ind.code,
                    i + 1
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} formula cells compared");
}

#[test]
#[ignore = "needs LibreOffice (soffice); run by .ci/run"]
fn outputs_open_in_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    for f in ["tong-hop.xlsx", "gui-cap-tren.xlsx", "bao-cao-loi.xlsx"] {
        let sub = dir.path().join("ods");
        std::fs::create_dir_all(&sub).unwrap();
        let out = soffice(&dir.path().join(f), "ods", &sub);
        // The converted file reads back with every sheet.
        assert_eq!(
            common::read_back(&out).len(),
            common::read_back(&dir.path().join(f)).len()
        );
    }
}

/// The cached result of every formula tonghop writes in `tong-hop.xlsx`
/// and `gui-cap-tren.xlsx` (khối subtotals, totals, paired percentages,
/// period totals) equals what LibreOffice computes from the same cells: a
/// reader who recalculates sees tonghop's figures, blanks included.
#[test]
#[ignore = "needs LibreOffice (soffice); run by .ci/run"]
fn consolidated_formulas_recalculate_to_the_cached_figures() {
    use tonghop::synthetic::{plausible_fill, Rng};
    let dir = common::small_round(&[
        (
            "P-A",
            "Đảng bộ phường A",
            "Đảng bộ xã, phường",
            "Khối xã, phường",
        ),
        (
            "P-B",
            "Đảng bộ phường B",
            "Đảng bộ xã, phường",
            "Khối xã, phường",
        ),
        ("CB-C", "Chi bộ C", "Chi bộ cơ sở", "Khối cơ quan"),
        ("CB-D", "Chi bộ D", "Chi bộ cơ sở", "Khối cơ quan"),
    ]);
    let round = Round::load(dir.path(), None).unwrap();
    let mut rng = Rng::new(11);
    for code in ["P-B", "CB-C"] {
        let fill = plausible_fill(&round.catalog, round.unit(code).unwrap(), &mut rng);
        common::write_fill(dir.path(), code, &format!("{code}.xlsx"), &fill);
    }
    // P-A: households without the tử số; CB-D did not send.
    common::write_return(dir.path(), "P-A", "P-A.xlsx", &[("05.01", "t2020", 1000.0)]);
    let out = dir.path().join("ket-qua");
    consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let mut compared = 0;
    for f in ["tong-hop.xlsx", "gui-cap-tren.xlsx"] {
        let conv = dir.path().join("conv");
        std::fs::create_dir_all(&conv).unwrap();
        let again = common::read_back(&soffice(&out.join(f), "xlsx", &conv));
        let ours = common::read_back(&out.join(f));
        let formulas = formula_cells(&out.join(f));
        for (sheet, cells) in &ours {
            let Some(theirs) = again.iter().find(|(n, _)| n == sheet).map(|(_, c)| c) else {
                panic!("{f}: sheet {sheet} lost");
            };
            for key in formulas.get(sheet).into_iter().flatten() {
                let a = cells.get(key).map(String::as_str).unwrap_or("");
                let b = theirs.get(key).map(String::as_str).unwrap_or("");
                let same = match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) => (x - y).abs() < 0.006,
                    _ => a.trim() == b.trim(),
                };
                assert!(
                    same,
                    "{f} {sheet} {key:?}: tonghop {a:?}, LibreOffice {b:?}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "only {compared} formula cells compared");
}

/// (sheet name → cells holding a formula) of an .xlsx, read from its XML.
fn formula_cells(path: &Path) -> std::collections::BTreeMap<String, Vec<(u32, u32)>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_formula(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let cells: Vec<(u32, u32)> = range
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, _)| (r0 + r as u32, c0 + c as u32))
            .collect();
        out.insert(name, cells);
    }
    out
}
