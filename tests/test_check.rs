//! `tonghop check FILE...`: the same reading and checks as `consolidate`,
//! for the given files only, writing nothing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tonghop::commands::check::check_files;
use tonghop::diagnostic::Finding;

/// What a finding says, without the unit (a rejected file's unit is known
/// to `consolidate` from the other files of the round).
fn key(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}",
        f.severity.label(),
        f.sheet,
        f.cell_text(),
        f.code,
        f.rule,
        f.message
    )
}

fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    walk(dir)
}

fn walk(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.insert(p);
    }
    out
}

#[test]
fn check_agrees_with_consolidate_on_every_sample_return() {
    let out = tempfile::tempdir().unwrap();
    let outcome = tonghop::commands::consolidate::consolidate_round(
        &common::samples(),
        Some(out.path().to_path_buf()),
        None,
    )
    .unwrap();
    let round = tonghop::round::Round::load(&common::samples(), None).unwrap();
    let ingest = tonghop::ingest::ingest_round(
        &round,
        &[out.path().to_path_buf()],
        &tonghop::ingest::Silent,
    )
    .unwrap();
    let before = listing(&common::samples());
    let mut compared = 0;
    for f in ingest.files.iter().filter(|f| f.fate.findings_count()) {
        let path = round.returns_dir().join(&f.file);
        let checked = check_files(std::slice::from_ref(&path), Some(&common::samples()), None)
            .unwrap()
            .remove(0);
        let want: Vec<String> = outcome
            .findings
            .iter()
            .filter(|x| x.file == f.file)
            .map(key)
            .collect();
        let got: Vec<String> = checked.findings.iter().map(key).collect();
        assert_eq!(got, want, "{}", f.file);
        assert_eq!(
            checked.accepted,
            f.fate == tonghop::ingest::Fate::Accepted,
            "{}",
            f.file
        );
        // Without --round: the embedded catalogue and the hidden sheet.
        if f.fate == tonghop::ingest::Fate::Accepted {
            let alone = check_files(std::slice::from_ref(&path), None, None)
                .unwrap()
                .remove(0);
            assert_eq!(
                alone.findings.iter().map(key).collect::<Vec<_>>(),
                want,
                "{} without --round",
                f.file
            );
        }
        compared += 1;
    }
    assert!(compared >= 28, "{compared} files compared");
    assert_eq!(listing(&common::samples()), before, "check writes nothing");
}

#[test]
fn check_exit_codes_and_json() {
    let returns = common::samples().join("bao-cao");
    let bad = returns.join("x-santhang-dang-bo-xa-san-thang.xlsx");
    let good = returns.join("cb-vptu-chi-bo-van-phong-thanh-uy.xlsx");
    assert_eq!(common::run_cli(&["check", good.to_str().unwrap()]), Ok(0));
    assert_eq!(
        common::run_cli(&["check", good.to_str().unwrap(), bad.to_str().unwrap()]),
        Ok(1)
    );
    let missing = returns.join("khong-co.xlsx");
    let err = common::run_cli(&["check", missing.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("không có tệp"), "{err}");
    let checks = check_files(&[bad], None, None).unwrap();
    let json = serde_json::to_value(&checks).unwrap();
    assert_eq!(json[0]["unit"], "X-SANTHANG");
    assert_eq!(json[0]["errors"], 1);
    assert_eq!(json[0]["findings"][0]["code"], "05.14");
    assert_eq!(json[0]["findings"][0]["cell"], "E23, E22, E10");
    let text = tonghop::commands::check::text(&checks);
    assert!(
        text.contains("1 lỗi, 0 cảnh báo: cần sửa trước khi gửi.")
            && text.contains("ô Biểu 05!E23, E22, E10  mã số 05.14"),
        "{text}"
    );
}
