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

fn soffice(src: &Path, fmt: &str, outdir: &Path) -> std::path::PathBuf {
    let status = Command::new("soffice")
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
