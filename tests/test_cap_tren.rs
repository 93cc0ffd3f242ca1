//! The committee's own return `gui-cap-tren.xlsx`: a draft while lỗi
//! remain (title, hidden status, a warning at the level above), final
//! without; every total says how many units it covers; a total with a lỗi
//! value is marked; narrative too long for a cell is kept whole.

mod common;

use std::path::Path;

use tonghop::commands::consolidate::consolidate_round;
use tonghop::form::{Fill, FillValue};
use tonghop::round::Round;
use tonghop::synthetic::{plausible_fill, Rng};

const UNITS: [(&str, &str, &str, &str); 3] = common::THREE_UNITS;

fn sheet(path: &Path, name: &str) -> common::SheetCells {
    common::read_back(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

fn meta(path: &Path) -> std::collections::BTreeMap<String, String> {
    let cells = sheet(path, "_tonghop");
    cells
        .iter()
        .filter(|((_, c), _)| *c == 0)
        .filter_map(|((r, _), k)| Some((k.clone(), cells.get(&(*r, 1))?.clone())))
        .collect()
}

/// A cell with no figure: absent, or a formula whose cached result is "".
fn blank(cells: &common::SheetCells, r: u32, c: u32) -> bool {
    cells.get(&(r, c)).is_none_or(|v| v.is_empty())
}

/// A clean return of every unit: no lỗi anywhere.
fn clean_round() -> tempfile::TempDir {
    let dir = common::small_round(&UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let mut rng = Rng::new(7);
    for u in &round.units {
        let fill = plausible_fill(&round.catalog, u, &mut rng);
        common::write_fill(dir.path(), &u.code, &format!("{}.xlsx", u.code), &fill);
    }
    dir
}

#[test]
fn with_no_loi_the_return_is_final() {
    let dir = clean_round();
    let out = dir.path().join("ket-qua");
    let outcome = consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.findings);
    let path = out.join("gui-cap-tren.xlsx");
    assert_eq!(meta(&path)["status"], "chinh_thuc");
    let b02 = sheet(&path, "Biểu 02");
    assert!(!b02.values().any(|v| v.contains("DỰ THẢO")));
    let notes = sheet(&path, "Lưu ý");
    assert!(notes.values().any(|v| v.starts_with("Báo cáo chính thức")));
}

#[test]
fn while_loi_remain_the_return_is_a_draft_and_the_level_above_is_warned() {
    let dir = clean_round();
    // One unit's tử số above its mẫu số: a lỗi.
    common::write_return(
        dir.path(),
        "CB-C",
        "z-sua.xlsx",
        &[
            ("07.01", "gd2016_2020", 540.0),
            ("07.02", "gd2016_2020", 600.0),
        ],
    );
    let out = dir.path().join("ket-qua");
    let outcome = consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let errors = outcome.summary.errors;
    assert!(errors > 0);
    let path = out.join("gui-cap-tren.xlsx");
    assert_eq!(meta(&path)["status"], "du_thao");
    let b07 = sheet(&path, "Biểu 07");
    let title = format!("DỰ THẢO – còn {errors} lỗi chưa sửa");
    assert!(b07.values().any(|v| v.contains(&title)), "{b07:?}");
    // Every sheet says so, the guide too.
    let guide = sheet(&path, "Hướng dẫn");
    assert!(guide.values().any(|v| v.contains(&title)), "{guide:?}");
    // The totals with CB-C's lỗi in them carry its name in a note.
    let notes = common::notes(&path, "Biểu 07");
    assert!(
        notes
            .values()
            .any(|n| n.contains("Chi bộ C") && n.contains("lớn hơn")),
        "{notes:?}"
    );
    // Consolidated at the level above: one draft return, a cảnh báo.
    let upper = common::upper_round(&path);
    let up = consolidate_round(upper.path(), Some(upper.path().join("kq")), None).unwrap();
    assert_eq!(up.summary.units_submitted, 1);
    assert!(
        up.findings
            .iter()
            .any(|f| f.severity == tonghop::catalog::Severity::CanhBao
                && f.message.contains("DỰ THẢO")),
        "{:?}",
        up.findings
    );
}

#[test]
fn every_total_of_the_return_says_how_many_units_it_covers() {
    let dir = common::small_round(&UNITS);
    common::write_return(
        dir.path(),
        "CB-C",
        "c.xlsx",
        &[("07.01", "gd2016_2020", 40.0), ("02.01", "n2016", 2.0)],
    );
    // P-A sent a return without 07.01; P-B sent nothing.
    common::write_return(dir.path(), "P-A", "a.xlsx", &[("02.01", "n2016", 1.0)]);
    let out = dir.path().join("ket-qua");
    consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let path = out.join("gui-cap-tren.xlsx");
    let b07 = sheet(&path, "Biểu 07");
    let r = common::row_of(&b07, 2, "07.01").unwrap();
    // E: 2011–2015 (nobody), F: 2016–2020 (one unit of three).
    assert_eq!(b07[&(r, 5)], "40");
    assert!(blank(&b07, r, 4), "a total nobody gave is blank");
    let notes = common::notes(&path, "Biểu 07");
    assert_eq!(
        notes[&format!("F{}", r + 1)],
        "Tổng hợp từ 1/3 đơn vị có số liệu (2 đơn vị đã nộp báo cáo)."
    );
    assert_eq!(
        notes[&format!("E{}", r + 1)],
        "Tổng hợp từ 0/3 đơn vị có số liệu (2 đơn vị đã nộp báo cáo)."
    );
    // A figure every unit that sent gave has no note: the missing return
    // is said once, on the Lưu ý sheet.
    let b02 = sheet(&path, "Biểu 02");
    let r2 = common::row_of(&b02, 2, "02.01").unwrap();
    assert_eq!(b02[&(r2, 4)], "3");
    let notes02 = common::notes(&path, "Biểu 02");
    assert!(
        !notes02.contains_key(&format!("E{}", r2 + 1)),
        "{notes02:?}"
    );
    // 07.09 (computed from 07.07 / 07.08, nobody gave either): blank, not
    // a cached 0.
    let r = common::row_of(&b07, 2, "07.09").unwrap();
    assert!(blank(&b07, r, 5), "{:?}", b07.get(&(r, 5)));
    // The Lưu ý sheet lists the figure with its coverage.
    let lu_y = sheet(&path, "Lưu ý");
    let r = common::row_of(&lu_y, 1, "07.01").unwrap();
    assert!(lu_y.values().any(|v| v == "1/3"));
    assert!(lu_y[&(r, 5)].contains("đơn vị"));
    assert!(
        lu_y.values()
            .any(|v| v.contains("2/3 đơn vị phải nộp (chưa nộp: Đảng bộ phường B)")),
        "{lu_y:?}"
    );
}

#[test]
fn narrative_too_long_for_one_cell_is_kept_whole_on_the_full_text_sheet() {
    let dir = common::small_round(&UNITS);
    // Unit 0's answer fits the cell (some 13 lines), the others' do not
    // (over 32,767 characters joined, far taller than a row can print).
    let answer_of = |i: usize| {
        let n = if i == 0 { 100 } else { 1100 };
        format!("Trả lời của đơn vị {i}: {}", "nội dung dài ".repeat(n))
    };
    for (i, u) in UNITS.iter().enumerate() {
        let mut fill = Fill::default();
        let answer = answer_of(i);
        fill.cells.insert(
            ("15.01".to_string(), "noi_dung".to_string()),
            FillValue::Text(answer),
        );
        common::write_fill(dir.path(), u.0, &format!("{}.xlsx", u.0), &fill);
    }
    let out = dir.path().join("ket-qua");
    consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let path = out.join("gui-cap-tren.xlsx");
    let tm = sheet(&path, "Thuyết minh");
    let r = common::row_of(&tm, 2, "15.01").unwrap();
    let cell = tm.iter().find(|((rr, c), _)| *rr == r && *c > 3).unwrap().1;
    assert!(cell.chars().count() <= 32_767);
    assert!(
        cell.contains(answer_of(0).trim_end()),
        "unit 0's answer whole"
    );
    assert!(
        !cell.contains("Trả lời của đơn vị 1"),
        "no answer cut short"
    );
    assert!(
        cell.contains("còn 2 câu trả lời"),
        "{}",
        &cell[cell.len() - 200..]
    );
    assert!(cell.contains("xem toàn văn ở trang \"Toàn văn\""), "{cell}");
    // The cell's note says how many answers it holds and why not all.
    let notes = common::notes(&path, "Thuyết minh");
    let note = notes.values().find(|n| n.contains("Toàn văn")).unwrap();
    assert!(
        note.contains("chỉ chứa được 1 trong 3 câu trả lời"),
        "{note}"
    );
    assert!(note.contains("409 pt"), "{note}");
    // Lưu ý says where the answers are.
    let lu_y = sheet(&path, "Lưu ý");
    assert!(
        lu_y.values().any(|v| v.contains("ở trang \"Toàn văn\"")),
        "{lu_y:?}"
    );
    // On Toàn văn each answer is whole, over consecutive rows (a row is at
    // most a page tall): the rows of column B joined give it back, the
    // unit's name beside its first row.
    let full = sheet(&path, "Toàn văn");
    for name in UNITS.iter().map(|u| u.1) {
        assert!(
            full.values().any(|v| v == name),
            "{name} on Toàn văn: {full:?}"
        );
    }
    let mut rows: Vec<_> = full
        .iter()
        .filter(|((r, c), _)| *c == 1 && *r > 8)
        .collect();
    rows.sort();
    let joined: Vec<&str> = rows.iter().map(|(_, v)| v.as_str()).collect();
    let joined = joined.join(" ");
    assert!(rows.len() > 6, "answers over several rows: {}", rows.len());
    for i in 0..3 {
        assert!(
            joined.contains(answer_of(i).trim_end()),
            "answer {i} whole on Toàn văn"
        );
    }
}

/// A level above never finds a lỗi in the committee's figures that the
/// committee's own run did not report.
#[test]
fn the_level_above_finds_no_loi_the_committee_did_not_report() {
    let dir = common::small_round(&UNITS);
    // P-A: 30 of 40 (75%); P-B gives only its 60 cơ quan, no tử số: the
    // committee's 05.24 is 75% over 1 unit, its totals 30 / 100.
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
    common::write_return(dir.path(), "P-B", "b.xlsx", &[("05.22", "t2020", 60.0)]);
    let out = dir.path().join("ket-qua");
    let lower = consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let own: Vec<_> = lower
        .findings
        .iter()
        .filter(|f| f.unit == "TP-LAICHAU")
        .collect();
    assert!(
        own.iter().any(|f| f.code == "05.24"
            && f.severity == tonghop::catalog::Severity::Loi
            && f.file == "gui-cap-tren.xlsx"
            && f.sheet == "Biểu 05"),
        "{own:?}"
    );
    let upper = common::upper_round(&out.join("gui-cap-tren.xlsx"));
    let up = consolidate_round(upper.path(), Some(upper.path().join("kq")), None).unwrap();
    for f in up
        .findings
        .iter()
        .filter(|f| f.severity == tonghop::catalog::Severity::Loi && f.unit == "TP-LAICHAU")
    {
        assert!(
            own.iter().any(|o| o.code == f.code && o.rule == f.rule),
            "the level above found {f:?}, the committee reported {own:?}"
        );
    }
}

#[test]
fn each_list_row_of_the_return_carries_its_unit() {
    let dir = common::small_round(&UNITS);
    let doc = vec![
        Some(FillValue::Text("12-NQ/ĐU".to_string())),
        None,
        Some(FillValue::Text(
            "Nghị quyết về công tác tư tưởng".to_string(),
        )),
    ];
    for code in ["P-A", "CB-C"] {
        let mut fill = Fill::default();
        fill.lists.insert("13.01".to_string(), vec![doc.clone()]);
        common::write_fill(dir.path(), code, &format!("{code}.xlsx"), &fill);
    }
    let out = dir.path().join("ket-qua");
    consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let path = out.join("gui-cap-tren.xlsx");
    let round = Round::load(dir.path(), None).unwrap();
    let g = round.catalog.group("B13").unwrap();
    let cells = sheet(&path, &g.sheet);
    let header = common::row_of(&cells, 5, "Đơn vị báo cáo").expect("a unit column");
    let rows: Vec<(&String, &String)> = cells
        .iter()
        .filter(|((r, c), v)| *r > header + 1 && *c == 2 && v.as_str() == "12-NQ/ĐU")
        .map(|((r, _), v)| (v, &cells[&(*r, 5)]))
        .collect();
    assert_eq!(
        rows.iter().map(|(_, u)| u.as_str()).collect::<Vec<_>>(),
        vec!["Đảng bộ phường A", "Chi bộ C"]
    );
}

/// The committee's return shows "(!)" after a total known to be wrong, as
/// `tong-hop.xlsx` does, so a black-and-white print shows it (the value
/// stays a number); a unit's feedback workbook keeps the red fill only.
#[test]
fn a_wrong_total_of_the_return_shows_its_mark_in_print() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    let styles = |path: &Path| {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    let ret = dir.path().join("gui-cap-tren.xlsx");
    assert!(styles(&ret).contains("&quot; (!)&quot;"), "no (!) format");
    // 01.01 includes San Thàng's wrong value: a number, marked.
    let b01 = sheet(&ret, "Biểu 01");
    let r = common::row_of(&b01, 2, "01.01").unwrap();
    assert!(b01[&(r, 4)].parse::<f64>().is_ok(), "{:?}", b01[&(r, 4)]);
    let feedback = dir
        .path()
        .join("phan-hoi")
        .join("x-santhang-dang-bo-xa-san-thang.xlsx");
    assert!(!styles(&feedback).contains("(!)"));
}
