//! Round trip through real clients (opt-in; run by `.ci/run`, which
//! installs LibreOffice and openpyxl): forms generated here, filled through
//! the documented contract by openpyxl (tests/scripts/fill_forms.py, a
//! different writer than ours), re-saved by LibreOffice as .xlsx, .ods and
//! .xls, then consolidated; every total must equal the sum computed here.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use tonghop::catalog::Catalog;
use tonghop::commands::consolidate::consolidate_round;
use tonghop::commands::forms::write_all_forms;
use tonghop::round::Round;

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?}: {e} (python3/openpyxl/soffice are installed by .ci/run)")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs LibreOffice and openpyxl; run by .ci/run"]
fn forms_filled_by_openpyxl_and_resaved_by_libreoffice_consolidate_to_the_right_totals() {
    let dir = tempfile::tempdir().unwrap();
    let round_dir = dir.path().join("dot");
    std::fs::create_dir_all(round_dir.join("bao-cao")).unwrap();
    std::fs::copy(
        common::samples().join("tonghop.toml"),
        round_dir.join("tonghop.toml"),
    )
    .unwrap();
    let units: Vec<String> = std::fs::read_to_string(common::samples().join("don-vi.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(i, _)| [0, 1, 2, 8, 9, 25, 26].contains(i))
        .map(|(_, l)| l.to_string())
        .collect();
    std::fs::write(round_dir.join("don-vi.csv"), units.join("\n") + "\n").unwrap();
    let round = Round::load(&round_dir, None).unwrap();
    let forms = dir.path().join("bieu-mau");
    write_all_forms(&round, &forms).unwrap();
    let catalog_json = dir.path().join("catalog.json");
    std::fs::write(
        &catalog_json,
        serde_json::to_string(&Catalog::embedded()).unwrap(),
    )
    .unwrap();
    let filled = dir.path().join("da-dien");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/fill_forms.py");
    run(Command::new("python3")
        .arg(&script)
        .arg(&forms)
        .arg(&filled)
        .arg(&catalog_json));
    // Re-save some returns with LibreOffice in three formats.
    let mut names: Vec<String> = std::fs::read_dir(&filled)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xlsx"))
        .collect();
    names.sort();
    for (i, name) in names.iter().enumerate() {
        let src = filled.join(name);
        let fmt = ["xlsx", "ods", "xls"].get(i);
        match fmt {
            Some(fmt) => {
                let tmp = dir.path().join(format!("lo-{fmt}"));
                run(Command::new("soffice")
                    .args(["--headless", "--convert-to", fmt, "--outdir"])
                    .arg(&tmp)
                    .arg(&src));
                let stem = name.trim_end_matches(".xlsx");
                std::fs::copy(
                    tmp.join(format!("{stem}.{fmt}")),
                    round_dir.join("bao-cao").join(format!("{stem}.{fmt}")),
                )
                .unwrap();
            }
            None => {
                std::fs::copy(&src, round_dir.join("bao-cao").join(name)).unwrap();
            }
        }
    }
    let expected: BTreeMap<String, BTreeMap<String, f64>> =
        serde_json::from_str(&std::fs::read_to_string(filled.join("expected.json")).unwrap())
            .unwrap();
    assert_eq!(expected.len(), round.units.len());
    // Totals computed here: per (mã số, column number), plus period totals.
    let c = &round.catalog;
    let mut want: BTreeMap<(String, usize), f64> = BTreeMap::new();
    for values in expected.values() {
        for (key, v) in values {
            let (code, n) = key.split_once('|').unwrap();
            let n: usize = n.parse().unwrap();
            *want.entry((code.to_string(), n)).or_default() += v;
            let ind = c.indicator(code).unwrap();
            let columns = c.columns_of(c.group(&ind.group).unwrap());
            if let Some(t) = columns
                .iter()
                .position(|x| x.sum_of.contains(&columns[n - 1].key))
            {
                *want.entry((code.to_string(), t + 1)).or_default() += v;
            }
        }
    }
    let out = dir.path().join("ket-qua");
    let outcome = consolidate_round(&round_dir, Some(out.clone()), None).unwrap();
    assert_eq!(
        outcome.summary.units_submitted,
        round.units.len(),
        "{:?}",
        outcome.summary
    );
    assert_eq!(outcome.summary.files_rejected, 0);
    let sheets = common::read_back(&out.join("tong-hop.xlsx"));
    let cells = &sheets.iter().find(|(n, _)| n == "Tổng hợp").unwrap().1;
    let mut got: BTreeMap<(String, usize), f64> = BTreeMap::new();
    for ((r, col), v) in cells {
        if *col == 2 && c.indicator(v).is_some() {
            for i in 0..7u32 {
                // A–D labels, E "Đơn vị báo cáo", data from F.
                if let Some(x) = cells.get(&(*r, 5 + i)).and_then(|s| s.parse::<f64>().ok()) {
                    got.insert((v.clone(), i as usize + 1), x);
                }
            }
        }
    }
    assert!(want.len() > 300, "only {} totals", want.len());
    for (key, w) in &want {
        assert_eq!(
            got.get(key),
            Some(w),
            "total of {} column ({})",
            key.0,
            key.1
        );
    }
}
