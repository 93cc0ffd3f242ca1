//! The binary as the operator runs it: exit status 0 for a clean round, 1
//! when lỗi remain (the samples), 2 when the run itself failed (a missing
//! round folder) or the command line is wrong, the latter in Vietnamese
//! with none of clap's English; `--json` prints a JSON object whatever the
//! outcome.

mod common;

use std::path::Path;
use std::process::Command;

use tonghop::round::Round;
use tonghop::synthetic::{plausible_fill, Rng};

/// The result of one run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tonghop(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .output()
        .expect("run tonghop");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

const UNITS: [(&str, &str, &str, &str); 3] = [
    (
        "P-A",
        "Đảng bộ phường A",
        "Đảng bộ xã, phường",
        "Khối xã, phường",
    ),
    ("CQ-B", "Đảng bộ cơ quan B", "Đảng bộ cơ sở", "Khối cơ quan"),
    ("CB-C", "Chi bộ C", "Chi bộ cơ sở", "Khối cơ quan"),
];

/// A small round where every unit sent a clean return.
fn clean_round() -> tempfile::TempDir {
    let dir = common::small_round(&UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let mut rng = Rng::new(11);
    for u in &round.units {
        let fill = plausible_fill(&round.catalog, u, &mut rng);
        common::write_fill(dir.path(), &u.code, &format!("{}.xlsx", u.code), &fill);
    }
    dir
}

/// English clap (or serde) text that must never reach the operator.
fn assert_no_english(text: &str) {
    for english in [
        "error:",
        "Usage",
        "unexpected argument",
        "For more information",
        "required",
        "tip:",
        "invalid value",
    ] {
        assert!(!text.contains(english), "English \"{english}\" in:\n{text}");
    }
}

#[test]
fn a_clean_round_exits_0() {
    let dir = clean_round();
    let out = tempfile::tempdir().unwrap();
    let run = tonghop(&[
        "consolidate",
        path(dir.path()),
        "--out",
        path(out.path()),
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Kiểm tra: 0 lỗi"), "{}", run.stdout);
    assert!(out.path().join("tong-hop.xlsx").is_file());
    // The same with --json: one JSON object, no lỗi.
    let run = tonghop(&[
        "consolidate",
        path(dir.path()),
        "--out",
        path(out.path()),
        "--json",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["units_submitted"], 3);
}

#[test]
fn the_samples_with_their_seeded_errors_exit_1() {
    let out = tempfile::tempdir().unwrap();
    let samples = common::samples();
    let run = tonghop(&[
        "consolidate",
        path(&samples),
        "--out",
        path(out.path()),
        "--json",
        "-q",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(summary["errors"].as_u64().unwrap() > 0, "{summary}");
    assert!(out.path().join("bao-cao-loi.csv").is_file());
}

#[test]
fn a_missing_round_folder_exits_2_in_vietnamese_and_json_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("khong-co");
    let run = tonghop(&["consolidate", path(&missing), "-q"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.starts_with("Lỗi: ") && run.stderr.contains("không có thư mục này"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // With --json, stdout holds a JSON object with the same message.
    let run = tonghop(&["consolidate", path(&missing), "--json", "-q"]);
    assert_eq!(run.code, 2);
    let failure: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(failure["exit_code"], 2);
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .contains("không có thư mục này"),
        "{failure}"
    );
}

#[test]
fn command_line_mistakes_exit_2_in_vietnamese() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["consolidate", "samples", "--bogus"],
            "Lỗi: không có tùy chọn --bogus.",
        ),
        (&["consolidate"], "Lỗi: thiếu tham số bắt buộc <ĐỢT>."),
        (&["consolidat", "samples"], "Có phải ý bạn là: consolidate?"),
        (
            &["catalog", "--format", "yaml"],
            "Lỗi: giá trị \"yaml\" không hợp lệ cho --format",
        ),
    ];
    for (args, expected) in cases {
        let run = tonghop(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}:\n{}", run.stderr);
        assert!(run
            .stderr
            .contains("Xem hướng dẫn: tonghop help, hoặc tonghop help <LỆNH>."));
        assert_no_english(&run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

/// `tonghop forms` exits 0 and signs each form as its unit's committee
/// does: a chi bộ's by its chi ủy, a đảng bộ's by its đảng ủy.
#[test]
fn forms_exit_0_and_are_signed_by_the_units_committee() {
    let dir = common::small_round(&UNITS);
    let out = tempfile::tempdir().unwrap();
    let run = tonghop(&["forms", path(dir.path()), "--out", path(out.path())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signer = |code: &str| {
        let prefix = format!("{}-", code.to_lowercase());
        let file = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&prefix)
            })
            .unwrap_or_else(|| panic!("no form of {code}"));
        let sheets = common::read_back(&file);
        let texts: Vec<&String> = sheets.iter().flat_map(|(_, c)| c.values()).collect();
        ["T/M CHI ỦY", "T/M ĐẢNG ỦY"]
            .into_iter()
            .filter(|s| texts.iter().any(|t| t.as_str() == *s))
            .collect::<Vec<_>>()
    };
    assert_eq!(signer("CB-C"), ["T/M CHI ỦY"]);
    assert_eq!(signer("CQ-B"), ["T/M ĐẢNG ỦY"]);
    assert_eq!(signer("P-A"), ["T/M ĐẢNG ỦY"]);
}

/// An output that cannot be replaced (here a folder where tong-hop.xlsx
/// goes; on Windows typically the workbook open in Excel) does not stop
/// the run: the other outputs are written, the summary says which one is
/// missing, and the exit status is 2.
#[test]
fn an_output_that_cannot_be_written_does_not_stop_the_others() {
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("tong-hop.xlsx").join("x")).unwrap();
    let samples = common::samples();
    let run = tonghop(&["consolidate", path(&samples), "--out", path(out.path())]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let missing = out.path().join("tong-hop.xlsx");
    assert!(
        run.stdout.contains(&format!(
            "Chưa ghi được:\n  không ghi được {}",
            missing.display()
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&format!("  {}\n", missing.display())));
    for f in [
        "gui-cap-tren.xlsx",
        "bao-cao-loi.xlsx",
        "bao-cao-loi.csv",
        "bao-cao-loi.json",
    ] {
        let p = out.path().join(f);
        assert!(p.is_file(), "{f} not written");
        assert!(run.stdout.contains(&format!("  {}\n", p.display())), "{f}");
    }
    // --json: the summary lists it too, and stderr says it.
    let run = tonghop(&[
        "consolidate",
        path(&samples),
        "--out",
        path(out.path()),
        "--json",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["unwritten"].as_array().map(Vec::len), Some(1));
    assert!(run.stderr.contains("Lỗi: không ghi được"), "{}", run.stderr);
}
