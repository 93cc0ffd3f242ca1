//! The corpus of ugly files (tests/fixtures/corpus, built by
//! tests/fixtures/make_corpus.py): each file's fate, reason and the exact
//! values read are in tests/fixtures/expected.toml. Nothing is lost: every
//! input file is accounted for; nothing panics.

mod common;

use std::path::{Path, PathBuf};

use tonghop::ingest::value::Value;
use tonghop::ingest::{ingest_round, Fate, Silent};
use tonghop::round::Round;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A temporary round: the sample settings and units, the corpus as returns.
fn corpus_round() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["tonghop.toml", "don-vi.csv"] {
        std::fs::copy(common::samples().join(f), dir.path().join(f)).unwrap();
    }
    let returns = dir.path().join("bao-cao");
    std::fs::create_dir_all(&returns).unwrap();
    for e in std::fs::read_dir(fixtures().join("corpus")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn every_corpus_file_meets_its_expectation() {
    let expected: toml::Value =
        toml::from_str(&std::fs::read_to_string(fixtures().join("expected.toml")).unwrap())
            .unwrap();
    let files = expected["file"].as_array().unwrap();
    let dir = corpus_round();
    let round = Round::load(dir.path(), None).unwrap();
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    let on_disk = std::fs::read_dir(dir.path().join("bao-cao"))
        .unwrap()
        .count();
    assert_eq!(
        ingest.files.len(),
        on_disk,
        "every input file is accounted for"
    );
    let mut problems = Vec::new();
    for f in files {
        let name = f["name"].as_str().unwrap();
        let Some(report) = ingest.files.iter().find(|r| r.file == name) else {
            problems.push(format!("{name}: not in the ingest report"));
            continue;
        };
        let texts: Vec<String> = report
            .findings
            .iter()
            .map(|x| x.message.clone())
            .chain([report.fate.label()])
            .collect();
        match f["fate"].as_str().unwrap() {
            "accepted" => {
                if report.fate != Fate::Accepted {
                    problems.push(format!(
                        "{name}: expected accepted, got {}",
                        report.fate.label()
                    ));
                }
                let unit = f.get("unit").and_then(|u| u.as_str());
                if report.unit.as_deref() != unit {
                    problems.push(format!("{name}: unit {:?}, expected {unit:?}", report.unit));
                }
            }
            "duplicate" => {
                if !matches!(report.fate, Fate::Duplicate { .. }) {
                    problems.push(format!(
                        "{name}: expected a duplicate, got {}",
                        report.fate.label()
                    ));
                }
            }
            "superseded" => {
                if !matches!(report.fate, Fate::Superseded { .. }) {
                    problems.push(format!(
                        "{name}: expected superseded, got {}",
                        report.fate.label()
                    ));
                }
            }
            _ => {
                if !matches!(report.fate, Fate::Rejected { .. }) {
                    problems.push(format!(
                        "{name}: expected rejected, got {}",
                        report.fate.label()
                    ));
                }
            }
        }
        if let Some(want) = f.get("reason_contains").and_then(|r| r.as_str()) {
            if !texts.iter().any(|t| t.contains(want)) {
                problems.push(format!(
                    "{name}: no reason or finding contains \"{want}\": {texts:?}"
                ));
            }
        }
        for v in f
            .get("value")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let (code, column) = (v["code"].as_str().unwrap(), v["column"].as_str().unwrap());
            let row = v.get("row").and_then(|r| r.as_integer()).unwrap_or(0) as u32;
            let got = report
                .records
                .iter()
                .find(|r| {
                    r.code(&round.catalog) == code
                        && r.column(&round.catalog) == column
                        && u32::from(r.list_row) == row
                        && !r.computed()
                })
                .map(|r| &r.value);
            let ok = match (&v["value"], got) {
                (toml::Value::Integer(i), Some(Value::Number(n))) => (*n - *i as f64).abs() < 1e-9,
                (toml::Value::Float(x), Some(Value::Number(n))) => (*n - x).abs() < 1e-9,
                (toml::Value::String(s), Some(Value::Text(t))) => t.as_str() == s,
                (toml::Value::String(s), Some(Value::YesNo(b))) => (s == "Có") == *b,
                (toml::Value::String(s), Some(Value::Date(d))) => {
                    d.format("%Y-%m-%d").to_string() == *s
                }
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{name}: {code}/{column} read {got:?}, expected {}",
                    v["value"]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_whole_corpus_consolidates_and_every_file_is_in_the_status_sheet() {
    let dir = corpus_round();
    let out = dir.path().join("ket-qua");
    let outcome =
        tonghop::commands::consolidate::consolidate_round(dir.path(), Some(out.clone()), None)
            .unwrap();
    assert_eq!(
        outcome.summary.files_read,
        std::fs::read_dir(dir.path().join("bao-cao"))
            .unwrap()
            .count()
    );
    let sheets = common::read_back(&out.join("tong-hop.xlsx"));
    // Every file is on "Tình hình nộp" (the return used for a unit) or
    // on "Tệp khác" (every other file, with the reason).
    let listed = |name: &str| {
        ["Tình hình nộp", "Tệp khác"].iter().any(|sheet| {
            sheets
                .iter()
                .find(|(n, _)| n == sheet)
                .unwrap()
                .1
                .values()
                .any(|v| v == name)
        })
    };
    for e in std::fs::read_dir(dir.path().join("bao-cao")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            listed(&name),
            "{name} missing from Tình hình nộp and Tệp khác"
        );
    }
    // Inputs are never written.
    for e in std::fs::read_dir(dir.path().join("bao-cao")).unwrap() {
        let p = e.unwrap().path();
        let original = fixtures().join("corpus").join(p.file_name().unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(original).unwrap());
    }
}

/// The tool's own output folder inside the returns folder is never read
/// back as returns, run after run.
#[test]
fn output_folder_inside_the_returns_folder_is_never_ingested() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["tonghop.toml", "don-vi.csv"] {
        std::fs::copy(common::samples().join(f), dir.path().join(f)).unwrap();
    }
    let returns = dir.path().join("bao-cao");
    std::fs::create_dir_all(&returns).unwrap();
    for name in [
        "p-dongphong-dang-bo-phuong-dong-phong.xlsx",
        "cb-vptu-chi-bo-van-phong-thanh-uy.xlsx",
    ] {
        std::fs::copy(
            common::samples().join("bao-cao").join(name),
            returns.join(name),
        )
        .unwrap();
    }
    let out = returns.join("ket-qua");
    for _ in 0..2 {
        let outcome =
            tonghop::commands::consolidate::consolidate_round(dir.path(), Some(out.clone()), None)
                .unwrap();
        assert_eq!(
            outcome.summary.files_read, 2,
            "outputs were read back as returns"
        );
        assert_eq!(outcome.summary.units_submitted, 2);
    }
}

/// The .xls fixtures with a stray value at IV65536 really hold it (the
/// LibreOffice re-save kept it), and it is removed from the Workbook
/// stream before calamine reads the file: once, with nothing left to
/// remove after.
#[test]
fn stray_far_cells_of_an_xls_are_removed_before_reading() {
    use tonghop::ingest::xls::trim_far_cells;
    for (name, far) in [
        ("stray-value-iv65536.xls", 1),
        ("stray-space-iv65536-sample.xls", 2),
    ] {
        let bytes = std::fs::read(fixtures().join("corpus").join(name)).unwrap();
        let (trimmed, removed) = trim_far_cells(bytes.clone()).unwrap();
        assert_eq!(removed, far, "{name}");
        assert_ne!(trimmed, bytes, "{name}");
        let (again, none) = trim_far_cells(trimmed.clone()).unwrap();
        assert_eq!((none, again == trimmed), (0, true), "{name}");
    }
    // An .xls without far cells loses no record (its formulas' tokens
    // are emptied, nothing else).
    for name in ["excel97.xls", "excel95-biff5.xls"] {
        let bytes = std::fs::read(fixtures().join("corpus").join(name)).unwrap();
        let (_, removed) = trim_far_cells(bytes).unwrap();
        assert_eq!(removed, 0, "{name}");
    }
}
