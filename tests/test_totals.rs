//! Trustworthy totals on small rounds built here: a blank is never a 0, a
//! percentage is Σ tử số / Σ mẫu số over the units that gave both, every
//! figure says how many units it covers, and a total that includes a
//! value with a lỗi is marked wherever it appears.

mod common;

use std::path::Path;

use tonghop::commands::consolidate::consolidate_round;
use tonghop::round::Round;

const UNITS: [(&str, &str, &str, &str); 3] = common::THREE_UNITS;

/// Run `consolidate` on the round; the output folder.
fn run(dir: &Path) -> (tonghop::commands::consolidate::Outcome, std::path::PathBuf) {
    let out = dir.join("ket-qua");
    let outcome = consolidate_round(dir, Some(out.clone()), None).unwrap();
    (outcome, out)
}

/// (row of the mã số, cells) of the summary sheet.
fn summary(out: &Path) -> common::SheetCells {
    common::read_back(&out.join("tong-hop.xlsx"))
        .into_iter()
        .find(|(n, _)| n == "Tổng hợp")
        .unwrap()
        .1
}

/// Data column (0-based) of the summary sheet for column number `n` (1-based).
fn data(n: u32) -> u32 {
    4 + n
}

#[test]
fn a_blank_numerator_is_no_figure_and_never_enters_the_committee_percentage() {
    let dir = common::small_round(&UNITS);
    // P-A gave its households but not how many hear the radio; P-B both.
    common::write_return(dir.path(), "P-A", "a.xlsx", &[("05.01", "t2020", 1000.0)]);
    common::write_return(
        dir.path(),
        "P-B",
        "b.xlsx",
        &[("05.01", "t2020", 590.0), ("05.02", "t2020", 500.0)],
    );
    let (_, out) = run(dir.path());
    let round = Round::load(dir.path(), None).unwrap();
    let ingest =
        tonghop::ingest::ingest_round(&round, std::slice::from_ref(&out), &tonghop::ingest::Silent)
            .unwrap();
    let cons = tonghop::consolidate::consolidate(&round, &ingest).unwrap();
    assert_eq!(cons.unit_value("P-A", "05.03", "t2020"), None);
    assert_eq!(cons.unit_value("P-B", "05.03", "t2020"), Some(84.75));
    assert_eq!(cons.total_value("05.03", "t2020"), Some(84.75));
    assert_eq!(cons.total_count("05.03", "t2020"), 1);
    // The households total still counts both units.
    assert_eq!(cons.total_value("05.01", "t2020"), Some(1590.0));
    assert_eq!(cons.total_count("05.01", "t2020"), 2);

    let cells = summary(&out);
    let r = common::row_of(&cells, 2, "05.03").unwrap();
    assert_eq!(cells[&(r, data(2))], "84.75");
    // Nobody gave 31/12/2015, one of the two xã, phường gave 31/12/2020.
    assert_eq!(cells[&(r, 4)], "0–1/2");
    let notes = common::notes(&out.join("tong-hop.xlsx"), "Tổng hợp");
    let note = &notes[&format!("E{}", r + 1)];
    assert!(
        note.contains("0–1/2 đơn vị có đủ tử số và mẫu số"),
        "{note}"
    );
    assert!(note.contains("Tại 31/12/2020: 1/2"), "{note}");

    // On the form's sheet, P-A's row shows no percentage and the total
    // row's cached value is the paired one.
    let th = common::read_back(&out.join("tong-hop.xlsx"))
        .into_iter()
        .find(|(n, _)| n == "TH Biểu 05")
        .unwrap()
        .1;
    let title = th
        .iter()
        .find(|(_, v)| v.starts_with("05.03 – "))
        .map(|((r, _), _)| *r)
        .unwrap();
    let unit_row = th
        .iter()
        .find(|((r, c), v)| *r > title && *c == 2 && v.as_str() == "P-A")
        .map(|((r, _), _)| *r)
        .unwrap();
    assert!(!th.contains_key(&(unit_row, 4)), "P-A's 05.03 is blank");
    let total_row = th
        .iter()
        .find(|((r, c), v)| *r > title && *c == 0 && v.as_str() == "TỔNG CỘNG")
        .map(|((r, _), _)| *r)
        .unwrap();
    assert_eq!(th[&(total_row, 4)], "84.75");
    assert_eq!(th[&(total_row + 1, 4)], "1/2");
}

#[test]
fn a_percentage_nobody_could_compute_is_blank_not_zero() {
    let dir = common::small_round(&UNITS);
    common::write_return(
        dir.path(),
        "CB-C",
        "c.xlsx",
        &[("07.01", "gd2016_2020", 40.0)],
    );
    let (_, out) = run(dir.path());
    let cells = summary(&out);
    let r = common::row_of(&cells, 2, "07.09").unwrap();
    for n in 1..=2 {
        assert!(
            !cells.contains_key(&(r, data(n))),
            "07.09 column ({n}) must be blank, is {:?}",
            cells.get(&(r, data(n)))
        );
    }
    assert_eq!(cells[&(r, 4)], "0/3");
    let r = common::row_of(&cells, 2, "07.01").unwrap();
    assert_eq!(cells[&(r, data(2))], "40");
    assert!(!cells.contains_key(&(r, data(1))), "nobody gave 2011–2015");
}

#[test]
fn a_total_that_includes_a_value_with_a_loi_is_marked_on_the_summary() {
    let dir = common::small_round(&UNITS);
    common::write_return(
        dir.path(),
        "CB-C",
        "c.xlsx",
        &[
            ("07.01", "gd2016_2020", 540.0),
            ("07.02", "gd2016_2020", 600.0),
            ("07.03", "gd2016_2020", 111.11),
        ],
    );
    common::write_return(
        dir.path(),
        "P-A",
        "a.xlsx",
        &[
            ("07.01", "gd2016_2020", 100.0),
            ("07.02", "gd2016_2020", 50.0),
            // Typed wrong: a lỗi, but the committee's rate never uses it.
            ("07.03", "gd2016_2020", 90.0),
            ("01.01", "t2020", 20.0),
        ],
    );
    // P-B leaves its required 01.01 blank: a lỗi; the 01.01 total is short
    // of it, and marked so (not as including a wrong value).
    common::write_return(dir.path(), "P-B", "b.xlsx", &[("02.01", "n2016", 1.0)]);
    let (outcome, out) = run(dir.path());
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.unit == "P-A" && f.code == "07.03"));
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.unit == "P-B" && f.code == "01.01"));
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.unit == "CB-C" && f.code == "07.02"));
    let cells = summary(&out);
    let notes = common::notes(&out.join("tong-hop.xlsx"), "Tổng hợp");
    for code in ["07.02", "07.03"] {
        let r = common::row_of(&cells, 2, code).unwrap();
        let at = format!("G{}", r + 1);
        let note = notes
            .get(&at)
            .unwrap_or_else(|| panic!("{code}: no note at {at}: {notes:?}"));
        assert!(note.contains("Chi bộ C"), "{note}");
        assert!(note.contains("lớn hơn"), "{note}");
        assert!(!note.contains("phường A"), "{note}");
    }
    // The lỗi names both 07.02 and its mẫu số 07.01: either may be the
    // wrong one, so the 07.01 total is marked too; the 2011–2015 column
    // holds no value with a lỗi.
    let r = common::row_of(&cells, 2, "07.01").unwrap();
    assert!(notes[&format!("G{}", r + 1)].contains("Chi bộ C"));
    let r = common::row_of(&cells, 2, "07.03").unwrap();
    assert!(!notes.contains_key(&format!("F{}", r + 1)));
    let r = common::row_of(&cells, 2, "01.01").unwrap();
    let note = notes
        .get(&format!("F{}", r + 1))
        .unwrap_or_else(|| panic!("01.01: the total short of P-B's blank is marked: {notes:?}"));
    assert!(
        note.starts_with("Số này còn thiếu số liệu bắt buộc đơn vị để trống"),
        "{note}"
    );
    assert!(note.contains("phường B"), "{note}");
    assert!(!note.contains("có cộng giá trị bị lỗi"), "{note}");
}

#[test]
fn a_numerator_without_its_denominator_is_a_loi_and_stays_out_of_the_ratio() {
    let dir = common::small_round(&UNITS);
    // P-A: 30 of 40 (75%); P-B: the tử số 30 with no mẫu số at all.
    common::write_return(
        dir.path(),
        "P-A",
        "a.xlsx",
        &[
            ("05.22", "t2020", 40.0),
            ("05.23", "t2020", 30.0),
            ("05.24", "t2020", 75.0),
        ],
    );
    common::write_return(
        dir.path(),
        "P-B",
        "b.xlsx",
        &[("05.23", "t2020", 30.0), ("05.24", "t2020", 75.0)],
    );
    let (outcome, out) = run(dir.path());
    let about = |code: &str| {
        outcome
            .findings
            .iter()
            .filter(|f| f.unit == "P-B" && f.code == code)
            .collect::<Vec<_>>()
    };
    let numerator = about("05.23");
    assert!(
        numerator
            .iter()
            .any(|f| f.severity == tonghop::catalog::Severity::Loi
                && f.rule == tonghop::diagnostic::rules::NUMERATOR
                && f.message.contains("thiếu")),
        "{numerator:?}"
    );
    let percent = about("05.24");
    assert!(
        percent
            .iter()
            .any(|f| f.severity == tonghop::catalog::Severity::Loi
                && f.message.contains("chưa được tổng hợp")),
        "{percent:?}"
    );
    let cells = summary(&out);
    let r = common::row_of(&cells, 2, "05.24").unwrap();
    assert_eq!(cells[&(r, data(2))], "75", "only P-A gave both");
    assert_eq!(cells[&(r, 4)], "0–1/3");
}

#[test]
fn a_typed_percentage_over_zero_is_a_loi() {
    let dir = common::small_round(&UNITS);
    common::write_return(
        dir.path(),
        "CB-C",
        "c.xlsx",
        &[
            ("05.22", "t2020", 0.0),
            ("05.23", "t2020", 0.0),
            ("05.24", "t2020", 100.0),
        ],
    );
    let (outcome, out) = run(dir.path());
    assert!(
        outcome.findings.iter().any(|f| f.code == "05.24"
            && f.severity == tonghop::catalog::Severity::Loi
            && f.message.contains("bằng 0")),
        "{:?}",
        outcome.findings
    );
    let cells = summary(&out);
    let r = common::row_of(&cells, 2, "05.24").unwrap();
    assert!(!cells.contains_key(&(r, data(2))), "0/0 has no value");
}

/// Replace the formula of `cell` on sheet `sheet` of a return by the typed
/// number `value` (what a unit typing over a total leaves).
fn type_over(path: &Path, sheet: &str, cell: &str, value: f64) {
    let part = common::sheet_part(path, sheet);
    let re = regex::Regex::new(&format!(
        r#"<c r="{cell}"([^>]*?)( t="str")?><f>[^<]*</f><v>[^<]*</v></c>"#
    ))
    .unwrap();
    common::edit_xlsx(path, |name, text| {
        if name != part {
            return text;
        }
        assert!(re.is_match(&text), "{cell} is no formula cell");
        re.replace(
            &text,
            format!(r#"<c r="{cell}"$1><v>{value}</v></c>"#).as_str(),
        )
        .into_owned()
    });
}

/// The cell of (mã số, column number) on a form sheet written by tonghop.
fn form_cell(round: &Round, code: &str, n: u16) -> String {
    let c = &round.catalog;
    let ind = c.indicator(code).unwrap();
    let g = c.group(&ind.group).unwrap();
    let row = tonghop::form::indicator_rows(c, g)[code];
    tonghop::cell::CellRef::new(row, tonghop::form::FIRST_DATA_COL + n - 1).to_string()
}

#[test]
fn a_total_typed_over_its_formula_is_said_so_and_its_parts_are_used() {
    let dir = common::small_round(&UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    common::write_return(
        dir.path(),
        "CB-C",
        "c.xlsx",
        &[("02.01", "n2016", 1.0), ("02.01", "n2017", 2.0)],
    );
    // "Tổng 2016 - 2020" is column (6).
    let path = dir.path().join("bao-cao/c.xlsx");
    type_over(&path, "Biểu 02", &form_cell(&round, "02.01", 6), 5.0);
    let (outcome, out) = run(dir.path());
    let f = outcome
        .findings
        .iter()
        .find(|f| f.code == "02.01" && f.rule == tonghop::diagnostic::rules::STALE_CACHE)
        .expect("a finding on the typed-over total");
    assert_eq!(f.severity, tonghop::catalog::Severity::CanhBao);
    assert!(
        f.message.contains("đã bị ghi đè bằng số 5"),
        "{}",
        f.message
    );
    assert!(f.message.contains("là 3"), "{}", f.message);
    let cells = summary(&out);
    let r = common::row_of(&cells, 2, "02.01").unwrap();
    assert_eq!(cells[&(r, data(6))], "3", "the parts are used");
}

#[test]
fn a_total_typed_without_its_parts_is_a_loi_never_a_silent_drop() {
    let dir = common::small_round(&UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    // The unit knows only the period total: 50 typed into "Tổng".
    common::write_return(dir.path(), "CB-C", "c.xlsx", &[("02.01", "n2016", 1.0)]);
    let path = dir.path().join("bao-cao/c.xlsx");
    type_over(&path, "Biểu 02", &form_cell(&round, "02.04", 6), 50.0);
    let (outcome, _) = run(dir.path());
    let f = outcome
        .findings
        .iter()
        .find(|f| f.code == "02.04" && f.rule == tonghop::diagnostic::rules::STALE_CACHE)
        .expect("a finding on the total without parts");
    assert_eq!(f.severity, tonghop::catalog::Severity::Loi);
    assert!(f.message.contains("KHÔNG được tổng hợp"), "{}", f.message);
    assert!(f.message.contains("Năm 2016"), "{}", f.message);
}

#[test]
fn a_khoi_with_no_returns_has_blank_subtotals() {
    let dir = common::small_round(&UNITS);
    common::write_return(dir.path(), "P-A", "a.xlsx", &[("02.01", "n2016", 4.0)]);
    let (_, out) = run(dir.path());
    let th = common::read_back(&out.join("tong-hop.xlsx"))
        .into_iter()
        .find(|(n, _)| n == "TH Biểu 02")
        .unwrap()
        .1;
    let sub = common::row_of(&th, 0, "Cộng: Khối cơ quan (0/1 đơn vị có số liệu)").unwrap();
    for c in 3..9 {
        assert!(
            th.get(&(sub, c)).is_none_or(|v| v.is_empty()),
            "Cộng row of a khối with no returns: {:?}",
            th.get(&(sub, c))
        );
    }
    let sub = common::row_of(&th, 0, "Cộng: Khối xã, phường (0–1/2 đơn vị có số liệu)").unwrap();
    assert_eq!(th[&(sub, 3)], "4");
}

#[test]
fn a_total_without_its_breakdown_is_named_and_the_committees_breakdown_says_why() {
    let dir = common::small_round(&UNITS);
    // P-A: 02.04 = 100 split 60 + 30 + 10; CB-C: 02.04 = 40 with no split.
    common::write_return(
        dir.path(),
        "P-A",
        "a.xlsx",
        &[
            ("02.04", "n2016", 100.0),
            ("02.05", "n2016", 60.0),
            ("02.06", "n2016", 30.0),
            ("02.07", "n2016", 10.0),
        ],
    );
    common::write_return(dir.path(), "CB-C", "c.xlsx", &[("02.04", "n2016", 40.0)]);
    let (outcome, out) = run(dir.path());
    let unit = outcome
        .findings
        .iter()
        .find(|f| f.unit == "CB-C" && f.code == "02.04" && f.rule.starts_with("R01: "))
        .expect("a cảnh báo on the total without its breakdown");
    assert_eq!(unit.severity, tonghop::catalog::Severity::CanhBao);
    assert!(
        unit.message.contains("02.05, 02.06, 02.07"),
        "{}",
        unit.message
    );
    let own = outcome
        .findings
        .iter()
        .find(|f| f.unit == "TP-LAICHAU" && f.rule.starts_with("R01: "))
        .expect("the committee's breakdown does not add up");
    assert!(
        own.message.contains("không ghi chi tiết: Chi bộ C"),
        "{}",
        own.message
    );
    // On the summary, the breakdown rows carry the note.
    let cells = summary(&out);
    let notes = common::notes(&out.join("tong-hop.xlsx"), "Tổng hợp");
    for code in ["02.04", "02.05"] {
        let r = common::row_of(&cells, 2, code).unwrap();
        let note = &notes[&format!("F{}", r + 1)];
        assert!(note.contains("Chi bộ C"), "{code}: {note}");
    }
}

#[test]
fn khoi_names_differing_in_case_or_spacing_are_one_khoi() {
    let dir = common::small_round(&[
        ("CB-A", "Chi bộ A", "Chi bộ cơ sở", "Khối Chính quyền"),
        ("CB-B", "Chi bộ B", "Chi bộ cơ sở", "Khối  chính quyền"),
        ("CB-C", "Chi bộ C", "Chi bộ cơ sở", "khối chính quyền "),
    ]);
    let round = Round::load(dir.path(), None).unwrap();
    assert_eq!(round.blocks(), vec!["Khối Chính quyền".to_string()]);
    for (code, v) in [("CB-A", 100.0), ("CB-B", 200.0), ("CB-C", 321.0)] {
        common::write_return(
            dir.path(),
            code,
            &format!("{code}.xlsx"),
            &[("02.01", "n2016", v)],
        );
    }
    let (_, out) = run(dir.path());
    let th = common::read_back(&out.join("tong-hop.xlsx"))
        .into_iter()
        .find(|(n, _)| n == "TH Biểu 02")
        .unwrap()
        .1;
    let sub = common::row_of(&th, 0, "Cộng: Khối Chính quyền (0–3/3 đơn vị có số liệu)").unwrap();
    assert_eq!(th[&(sub, 3)], "621");
}

/// The per-unit counts of bao-cao-loi.xlsx add up to the run's counts,
/// the committee's own findings and unknown files included.
#[test]
fn the_error_report_counts_add_up_to_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let outcome =
        consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    let per_unit = common::read_back(&dir.path().join("bao-cao-loi.xlsx"))
        .into_iter()
        .find(|(n, _)| n == "Theo đơn vị")
        .unwrap()
        .1;
    let sum = |col: u32| -> usize {
        per_unit
            .iter()
            // The table's header is row 7 (under the document header).
            .filter(|((r, c), _)| *r > 7 && *c == col)
            .map(|(_, v)| v.parse::<f64>().unwrap() as usize)
            .sum()
    };
    assert_eq!(sum(4), outcome.summary.errors);
    assert_eq!(sum(5), outcome.summary.warnings);
}
