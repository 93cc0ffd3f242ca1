//! Feedback workbooks (`phan-hoi/`), the chase list and what a
//! resubmission changed: the second pass of a round. The round trip is
//! the one a unit makes: its feedback workbook corrected with openpyxl (a
//! different writer than ours, through the form contract), sent back as a
//! newer return, consolidated again.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use tonghop::catalog::Catalog;
use tonghop::commands::consolidate::consolidate_round_on;
use tonghop::form::{Fill, FillValue};
use tonghop::round::Round;

const A: &str = "P-TANPHONG";
const B: &str = "X-SANTHANG";
const C: &str = "CB-TNMT";

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2021, 6, 25).unwrap()
}

fn number(fill: &Fill, code: &str, key: &str) -> f64 {
    match fill.cells.get(&(code.to_string(), key.to_string())) {
        Some(FillValue::Number(n)) => *n,
        other => panic!("{code}/{key}: {other:?}"),
    }
}

/// Column number (1-based) of a column key of a chỉ tiêu.
fn column_number(c: &Catalog, code: &str, key: &str) -> usize {
    let i = c.indicator_index(code).unwrap();
    c.columns_of_indicator(i)
        .iter()
        .position(|x| x.key == key)
        .unwrap()
        + 1
}

/// Correct `feedback` with openpyxl into `dest`; returns the marked cells
/// and the rows of its first sheet ("Cần sửa").
fn correct(
    feedback: &Path,
    dest: &Path,
    edits: &serde_json::Value,
) -> (BTreeSet<(String, String)>, Vec<Vec<serde_json::Value>>) {
    let dir = tempfile::tempdir().unwrap();
    let edits_path = dir.path().join("edits.json");
    let report_path = dir.path().join("report.json");
    std::fs::write(&edits_path, edits.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/correct_feedback.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(feedback)
        .arg(dest)
        .arg(&edits_path)
        .arg(&report_path)
        .output()
        .expect("python3 with openpyxl (installed by .ci/run)");
    assert!(
        out.status.success(),
        "correct_feedback.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let red = report["red"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let todo = report["todo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().clone())
        .collect();
    (red, todo)
}

/// Every table and narrative value of a fill as contract edits.
fn all_edits(c: &Catalog, fill: &Fill) -> Vec<serde_json::Value> {
    fill.cells
        .iter()
        .filter_map(|((code, key), v)| {
            // Computed cells keep their formulas, as a unit leaves them.
            let i = c.indicator_index(code).unwrap();
            let col = c.columns_of_indicator(i).iter().find(|x| &x.key == key)?;
            if c.indicators[i].is_formula() || col.is_computed() {
                return None;
            }
            let v = match v {
                FillValue::Number(n) => serde_json::json!(n),
                FillValue::Text(t) => serde_json::json!(t),
                FillValue::Date(_) => return None,
            };
            Some(serde_json::json!([code, column_number(c, code, key), v]))
        })
        .collect()
}

#[test]
#[ignore = "needs openpyxl; run by .ci/run"]
fn feedback_corrected_with_openpyxl_clears_value_percentage_and_rejected_file_findings() {
    let (dir, round) = common::sample_units_round(&[A, B, C], "");
    let c = &round.catalog;
    let clean: Vec<Fill> = [A, B, C]
        .iter()
        .enumerate()
        .map(|(i, u)| common::clean_fill(&round, u, 7 + i as u64))
        .collect();
    // A: a total that is not the sum of its parts (a value finding).
    let mut a = clean[0].clone();
    let a_total = number(&a, "02.04", "n2016");
    a.cells.insert(
        ("02.04".into(), "n2016".into()),
        FillValue::Number(a_total + 7.0),
    );
    // B: a tử số above its mẫu số, so the typed percentage and the
    // committee's Σ tử số / Σ mẫu số are wrong (a percentage finding).
    let mut b = clean[1].clone();
    let b_num = number(&b, "05.13", "t2015");
    let b_den = number(&b, "05.01", "t2015");
    b.cells.insert(
        ("05.13".into(), "t2015".into()),
        FillValue::Number(b_den + 40.0),
    );
    common::write_saved_return(&round, A, Some(&a), "2021-06-15 09:00", "a.xlsx");
    common::write_saved_return(&round, B, Some(&b), "2021-06-15 09:00", "b.xlsx");
    // C: a form of another round (rejected; its hidden sheet names C).
    let c_path = common::write_saved_return(
        &round,
        C,
        Some(&clean[2]),
        "2021-06-15 09:00",
        &tonghop::form::form_file_name(round.unit(C).unwrap()),
    );
    common::edit_xlsx(&c_path, |name, text| {
        if name == "xl/sharedStrings.xml" {
            text.replace("241-2021-TPLC", "241-2020-TPLC")
        } else {
            text
        }
    });

    let first =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today()).unwrap();
    for u in [A, B, C] {
        assert!(
            first
                .findings
                .iter()
                .any(|f| f.unit == u && f.severity == tonghop::catalog::Severity::Loi),
            "{u} has a lỗi: {:#?}",
            first.findings
        );
    }
    let feedback = first.out.join("phan-hoi");
    let file_of = |u: &str| feedback.join(tonghop::form::form_file_name(round.unit(u).unwrap()));
    let returns = round.returns_dir();

    // A: the marked cells are the finding's cells, the fix is the sum.
    let (red, todo) = correct(
        &file_of(A),
        &returns.join("a-da-sua.xlsx"),
        &serde_json::json!([["02.04", column_number(c, "02.04", "n2016"), a_total]]),
    );
    let a_finding = first.findings.iter().find(|f| f.unit == A).unwrap();
    let want: BTreeSet<(String, String)> = a_finding
        .cells
        .iter()
        .map(|cell| (a_finding.sheet.clone(), cell.to_string()))
        .collect();
    assert_eq!(red, want, "marked cells of {A}");
    assert_eq!(
        todo[0][0].as_str(),
        Some("CẦN SỬA – ĐẢNG BỘ PHƯỜNG TÂN PHONG")
    );
    assert!(
        todo.iter()
            .any(|r| r.get(4).and_then(|v| v.as_str()) == Some("02.04")),
        "Cần sửa lists 02.04: {todo:?}"
    );

    // B: the tử số put back.
    let (red, _) = correct(
        &file_of(B),
        &returns.join("b-da-sua.xlsx"),
        &serde_json::json!([["05.13", column_number(c, "05.13", "t2015"), b_num]]),
    );
    assert!(
        red.iter().any(|(s, _)| s == "Biểu 05"),
        "{B}: a cell of Biểu 05 marked: {red:?}"
    );

    // C: the blank form of C, filled; its "Cần sửa" says why the file was
    // not accepted.
    let (red, todo) = correct(
        &file_of(C),
        &returns.join("c-bieu-moi.xlsx"),
        &serde_json::Value::Array(all_edits(c, &clean[2])),
    );
    assert!(red.is_empty(), "a blank form has no marked cell: {red:?}");
    let text = serde_json::to_string(&todo).unwrap();
    assert!(
        text.contains("biểu mẫu của đợt hoặc danh mục khác"),
        "{text}"
    );

    let second =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today()).unwrap();
    let left: Vec<_> = second
        .findings
        .iter()
        .filter(|f| [A, B, C].contains(&f.unit.as_str()))
        .collect();
    assert!(left.is_empty(), "findings left: {left:#?}");
    assert!(!file_of(A).exists(), "no feedback left for A");
    // The corrected values are in the totals.
    let round = Round::load(dir.path(), None).unwrap();
    let ingest = tonghop::ingest::ingest_round(
        &round,
        std::slice::from_ref(&second.out),
        &tonghop::ingest::Silent,
    )
    .unwrap();
    let rejected = ingest
        .files
        .iter()
        .find(|f| f.file == c_path.file_name().unwrap().to_str().unwrap())
        .unwrap();
    assert!(
        matches!(rejected.fate, tonghop::ingest::Fate::Superseded { .. }),
        "{:?}",
        rejected.fate
    );
    let cons = tonghop::consolidate::consolidate(&round, &ingest).unwrap();
    let sum = |code: &str, key: &str, units: &[usize]| -> f64 {
        units.iter().map(|&i| number(&clean[i], code, key)).sum()
    };
    assert_eq!(
        cons.total_value("02.04", "n2016"),
        Some(sum("02.04", "n2016", &[0, 1, 2]))
    );
    // Tử số and mẫu số of the two wards (the chi bộ has no households).
    let num = sum("05.13", "t2015", &[0, 1]);
    let den = sum("05.01", "t2015", &[0, 1]);
    assert_eq!(cons.total_value("05.13", "t2015"), Some(num));
    let pct = cons.total_value("05.14", "t2015").unwrap();
    assert!((pct - 100.0 * num / den).abs() < 0.01, "{pct}");
}

#[test]
#[ignore = "needs LibreOffice and openpyxl; run by .ci/run"]
fn sample_feedback_marks_the_finding_cells_and_reads_back_after_libreoffice() {
    let out = tempfile::tempdir().unwrap();
    let outcome = consolidate_round_on(
        &common::samples(),
        Some(out.path().to_path_buf()),
        None,
        &tonghop::ingest::Silent,
        today(),
    )
    .unwrap();
    let findings: Vec<_> = outcome.findings.iter().filter(|f| f.unit == B).collect();
    assert!(!findings.is_empty());
    let feedback = out
        .path()
        .join("phan-hoi/x-santhang-dang-bo-xa-san-thang.xlsx");
    // Marked cells read back with openpyxl: exactly the findings' cells.
    let scratch = tempfile::tempdir().unwrap();
    let (red, todo) = correct(
        &feedback,
        &scratch.path().join("same.xlsx"),
        &serde_json::json!([]),
    );
    let want: BTreeSet<(String, String)> = findings
        .iter()
        .flat_map(|f| f.cells.iter().map(|c| (f.sheet.clone(), c.to_string())))
        .collect();
    assert_eq!(red, want);
    assert_eq!(todo.len(), 7 + findings.len(), "{todo:?}");
    // LibreOffice opens it and saves it again; read back as a return, it is
    // X-SANTHANG's with the same findings as the return it was made from.
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(scratch.path().join("lo"))
        .arg(&feedback)
        .status()
        .expect("soffice (installed by .ci/run)");
    assert!(status.success());
    let resaved = scratch
        .path()
        .join("lo/x-santhang-dang-bo-xa-san-thang.xlsx");
    let checked = tonghop::commands::check::check_files(
        std::slice::from_ref(&resaved),
        Some(&common::samples()),
        None,
    )
    .unwrap()
    .remove(0);
    assert!(checked.accepted, "{}", checked.fate);
    assert_eq!(checked.unit, B);
    let messages = |fs: Vec<&tonghop::diagnostic::Finding>| {
        fs.iter()
            .map(|f| (f.sheet.clone(), f.cell_text(), f.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        messages(checked.findings.iter().collect()),
        messages(findings)
    );
}

#[test]
fn a_password_file_named_for_its_unit_gets_a_blank_form_then_is_superseded() {
    let dir = common::small_round(&common::THREE_UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let unit = round.unit("CB-C").unwrap();
    let locked = round
        .returns_dir()
        .join(tonghop::form::form_file_name(unit));
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/encrypted.xlsx"),
        &locked,
    )
    .unwrap();
    common::set_mtime(&locked, "2021-06-10 02:00");
    let first =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today()).unwrap();
    let mine: Vec<_> = first.findings.iter().filter(|f| f.unit == "CB-C").collect();
    assert_eq!(mine.len(), 1, "{:#?}", first.findings);
    assert!(mine[0].message.contains("mật khẩu"), "{}", mine[0].message);
    let feedback = first
        .out
        .join("phan-hoi")
        .join(tonghop::form::form_file_name(unit));
    let sheets = common::read_back(&feedback);
    assert_eq!(sheets[0].0, "Cần sửa");
    let todo: Vec<&String> = sheets[0].1.values().collect();
    assert!(
        todo.iter()
            .any(|t| t.starts_with("Tệp có mật khẩu nên không đọc được.")),
        "{todo:?}"
    );
    // The blank form of CB-C: the contract's hidden sheet names it.
    let meta = &sheets.iter().find(|(n, _)| n == "_tonghop").unwrap().1;
    assert!(meta.values().any(|v| v == "CB-C"));
    let chase = common::read_back(&first.out.join("tong-hop.xlsx"));
    let chase = &chase.iter().find(|(n, _)| n == "Đôn đốc").unwrap().1;
    let row = common::row_of(chase, 1, "CB-C").unwrap();
    assert_eq!(chase[&(row, 6)], "Tệp gửi về không dùng được");

    // A readable return saved later: the password file is an old copy.
    let fill = common::clean_fill(&round, "CB-C", 3);
    common::write_saved_return(&round, "CB-C", Some(&fill), "2021-06-15 09:00", "c.xlsx");
    let second =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today()).unwrap();
    assert!(
        second.findings.iter().all(|f| f.unit != "CB-C"),
        "{:#?}",
        second.findings
    );
    let status = common::read_back(&second.out.join("tong-hop.xlsx"));
    let status = &status.iter().find(|(n, _)| n == "Tình hình nộp").unwrap().1;
    let row = common::row_of(status, 1, "CB-C").unwrap();
    assert_eq!(status[&(row, 4)], "Đã nộp (nộp lần 2)");
    // The rejected file, superseded, is listed with the other files.
    let others = common::read_back(&second.out.join("tong-hop.xlsx"));
    let others = &others.iter().find(|(n, _)| n == "Tệp khác").unwrap().1;
    assert!(others
        .values()
        .any(|v| v.starts_with("bản cũ, không tổng hợp: dùng c.xlsx")));
}

#[test]
fn a_list_cell_with_a_finding_is_marked_on_its_row_with_a_note() {
    let dir = common::small_round(&common::THREE_UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let mut fill = common::clean_fill(&round, "P-A", 5);
    let text = |s: &str| Some(FillValue::Text(s.to_string()));
    fill.lists.insert(
        "13.01".into(),
        vec![
            vec![
                text("01-NQ/ĐU"),
                Some(FillValue::Date(
                    chrono::NaiveDate::from_ymd_opt(2017, 3, 15).unwrap(),
                )),
                text("Nghị quyết về công tác tư tưởng"),
            ],
            vec![
                text("02-KH/ĐU"),
                text("ngày 32 tháng 13"),
                text("Kế hoạch thực hiện Đề án"),
            ],
        ],
    );
    common::write_saved_return(&round, "P-A", Some(&fill), "2021-06-15 09:00", "a.xlsx");
    let outcome =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today()).unwrap();
    let finding = outcome
        .findings
        .iter()
        .find(|f| f.unit == "P-A" && f.code == "13.01")
        .unwrap_or_else(|| panic!("a finding on the date: {:#?}", outcome.findings));
    let feedback = outcome
        .out
        .join("phan-hoi")
        .join(tonghop::form::form_file_name(round.unit("P-A").unwrap()));
    let group = round.catalog.group("B13").unwrap();
    // The second list row, the date column (C Số, ký hiệu; D Ngày).
    let cell = tonghop::cell::CellRef::new(tonghop::form::FIRST_BODY_ROW + 1, 3);
    let notes = common::notes(&feedback, &group.sheet);
    let note = notes
        .get(&cell.to_string())
        .unwrap_or_else(|| panic!("a note at {cell}: {notes:?}"));
    assert!(note.contains(&finding.message), "{note}");
    let sheets = common::read_back(&feedback);
    let todo = &sheets[0].1;
    assert!(
        todo.values().any(|v| v == &cell.to_string()),
        "Cần sửa links {cell}: {todo:?}"
    );
}
