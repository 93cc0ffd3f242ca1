//! Issue 10, "No silent misreading": small rounds built here, one altered
//! return at a time; every figure is read as meant or named in a lỗi.

mod common;

use std::io::Read;
use std::path::Path;

use tonghop::catalog::Severity;
use tonghop::commands::consolidate::consolidate_round;
use tonghop::diagnostic::Finding;
use tonghop::form::{build_form, Fill, FillValue, FormSpec, FormUnit};
use tonghop::round::Round;

const UNITS: &str = "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên
CB-A,Chi bộ thử A,Chi bộ cơ sở,Khối thử,Đảng bộ thành phố Lai Châu
CB-B,Chi bộ thử B,Chi bộ cơ sở,Khối thử,Đảng bộ thành phố Lai Châu
";

/// A round folder with the sample settings and `units`.
fn round_dir(units: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::samples().join("tonghop.toml"),
        dir.path().join("tonghop.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("don-vi.csv"), units).unwrap();
    std::fs::create_dir_all(dir.path().join("bao-cao")).unwrap();
    dir
}

/// Write the return of unit `unit` (position) filled with `fill` as
/// `bao-cao/<name>`.
fn write_return(root: &Path, round: &Round, unit: usize, fill: &Fill, name: &str) {
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(&round.units[unit]),
        fill: Some(fill),
        deadline_note: None,
        saved_at: chrono::NaiveDate::from_ymd_opt(2021, 6, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    };
    build_form(&spec)
        .unwrap()
        .save(root.join("bao-cao").join(name))
        .unwrap();
}

fn fill(cells: &[(&str, &str, FillValue)]) -> Fill {
    let mut f = Fill::default();
    for (code, key, v) in cells {
        f.cells
            .insert((code.to_string(), key.to_string()), v.clone());
    }
    f
}

/// The lỗi of `rule` on `code`.
fn errors_on<'a>(findings: &'a [Finding], code: &str, rule: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Loi && f.code == code && f.rule == rule)
        .collect()
}

fn messages(findings: &[&Finding]) -> Vec<String> {
    findings.iter().map(|f| f.message.clone()).collect()
}

/// Every XML part of an .xlsx, as text.
fn xml_parts(path: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).ok();
            (f.name().map(|n| n.to_string()).unwrap_or_default(), s)
        })
        .collect()
}

/// Issue 10: two units with 1e308 made the committee's total "INF" in
/// gui-cap-tren.xlsx and "inf" in tong-hop.xlsx. Such a number is a lỗi at
/// reading, and no workbook holds a non-finite number.
#[test]
fn huge_numbers_are_errors_and_never_reach_a_workbook() {
    let dir = round_dir(UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    for (i, name) in ["a.xlsx", "b.xlsx"].iter().enumerate() {
        let f = fill(&[
            ("01.01", "t2020", FillValue::Number(1e308)),
            ("01.02", "t2020", FillValue::Number(1e15)),
        ]);
        write_return(dir.path(), &round, i, &f, name);
    }
    let out = dir.path().join("ket-qua");
    let outcome = consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    for code in ["01.01", "01.02"] {
        let errs = errors_on(
            &outcome.findings,
            code,
            tonghop::diagnostic::rules::UNREADABLE,
        );
        assert_eq!(errs.len(), 2, "{code}: {:?}", messages(&errs));
        assert!(errs[0].message.contains("quá lớn"), "{}", errs[0].message);
    }
    for file in ["tong-hop.xlsx", "gui-cap-tren.xlsx"] {
        for (part, xml) in xml_parts(&out.join(file)) {
            let lower = xml.to_lowercase();
            assert!(
                !lower.contains("<v>inf")
                    && !lower.contains("<v>-inf")
                    && !lower.contains("<v>nan"),
                "{file}/{part} holds a non-finite number"
            );
        }
    }
}

/// A finite figure the arithmetic allows but no unit can have: 10^14
/// people is a lỗi from the catalogue's plausible bound.
#[test]
fn a_count_beyond_the_plausible_bound_is_named() {
    let dir = round_dir(UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let f = fill(&[("01.01", "t2020", FillValue::Number(1e14))]);
    write_return(dir.path(), &round, 0, &f, "a.xlsx");
    let outcome = consolidate_round(dir.path(), Some(dir.path().join("ket-qua")), None).unwrap();
    let errs = errors_on(
        &outcome.findings,
        "01.01",
        tonghop::diagnostic::rules::PLAUSIBLE,
    );
    assert_eq!(errs.len(), 1, "{:?}", messages(&errs));
    assert!(
        errs[0].message.contains("giới hạn hợp lý"),
        "{}",
        errs[0].message
    );
}

/// The catalogue's bounds: `[plausible] measure_max` and a chỉ tiêu's
/// `plausible_max_of` (07.01, cán bộ, đảng viên thuộc đối tượng học tập ≤
/// 01.01 + 01.02 of the unit), each with the severity the catalogue says.
#[test]
fn catalogue_plausible_bounds_by_measure_and_derived() {
    let dir = round_dir(UNITS);
    let toml = tonghop::catalog::EMBEDDED_TOML.replace(
        "code = \"07.01\"\n",
        "code = \"07.01\"\nplausible_max_of = [\"01.01\", \"01.02\"]\n",
    ) + "\n[plausible]\nmeasure_max = { \"triệu đồng\" = 100000 }\n";
    std::fs::write(dir.path().join("danh-muc.toml"), toml).unwrap();
    let settings = std::fs::read_to_string(dir.path().join("tonghop.toml")).unwrap();
    std::fs::write(
        dir.path().join("tonghop.toml"),
        settings.replace(
            "# catalog = \"danh-muc.toml\"",
            "catalog = \"danh-muc.toml\"",
        ),
    )
    .unwrap();
    let round = Round::load(dir.path(), None).unwrap();
    assert!(
        round
            .catalog
            .indicator("07.01")
            .unwrap()
            .plausible_max_of
            .len()
            == 2
    );
    let money = round
        .catalog
        .indicators
        .iter()
        .find(|i| i.measure == "triệu đồng" && i.group != "B01")
        .unwrap();
    let money_col = round
        .catalog
        .columns_of_indicator(round.catalog.indicator_index(&money.code).unwrap())[0]
        .key
        .clone();
    let f = fill(&[
        ("01.01", "t2020", FillValue::Number(20.0)),
        ("01.02", "t2020", FillValue::Number(10.0)),
        ("07.01", "gd2011_2015", FillValue::Number(30.0)),
        ("07.01", "gd2016_2020", FillValue::Number(31.0)),
        (&money.code, &money_col, FillValue::Number(250_000.0)),
    ]);
    write_return(dir.path(), &round, 0, &f, "a.xlsx");
    // Unit B left 01.02 blank: no derived bound (blank is not zero).
    let f = fill(&[
        ("01.01", "t2020", FillValue::Number(20.0)),
        ("07.01", "gd2016_2020", FillValue::Number(31.0)),
    ]);
    write_return(dir.path(), &round, 1, &f, "b.xlsx");
    let outcome = consolidate_round(dir.path(), Some(dir.path().join("ket-qua")), None).unwrap();
    let plausible: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == tonghop::diagnostic::rules::PLAUSIBLE)
        .collect();
    assert_eq!(plausible.len(), 2, "{:?}", messages(&plausible));
    let derived = plausible.iter().find(|f| f.code == "07.01").unwrap();
    assert_eq!(derived.severity, Severity::CanhBao);
    assert_eq!(derived.unit, "CB-A");
    assert_eq!(
        derived.message,
        "Ô F10 (mã số 07.01): giá trị 31 lớn hơn 01.01 + 01.02 = 30 của đơn vị (cột 2016 - 2020), vượt giới hạn hợp lý; kiểm tra lại số liệu."
    );
    let by_measure = plausible.iter().find(|f| f.code == money.code).unwrap();
    assert_eq!(by_measure.severity, Severity::Loi);
    assert!(
        by_measure.message.contains("giá trị 250.000 vượt giới hạn hợp lý 100.000 của danh mục cho đơn vị tính \"triệu đồng\""),
        "{}",
        by_measure.message
    );
}

/// Rewrite the XML parts of an .xlsx whose name satisfies `which` with `f`.
fn rewrite_xlsx(path: &Path, which: impl Fn(&str) -> bool, f: impl Fn(String) -> String) {
    use std::io::Write;
    let parts = xml_parts(path);
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in parts {
        let text = if which(&name) { f(text) } else { text };
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap();
}

/// Delete the hidden sheet `_tonghop` from a return (what a unit that
/// copied the tables into a new workbook leaves): it disappears from the
/// workbook's sheet list.
fn drop_meta_sheet(path: &Path) {
    let re = regex::Regex::new(r#"<sheet name="_tonghop"[^>]*/>"#).unwrap();
    rewrite_xlsx(
        path,
        |n| n == "xl/workbook.xml",
        |t| re.replace(&t, "").into_owned(),
    );
}

/// Issue 10: a return from another round (catalogue 2018.1, years 2013 –
/// 2017) with its hidden sheet deleted was identified by its header name
/// and "Năm 2013" summed into "Năm 2016". Without the hidden sheet the
/// column labels and biểu titles must be this round's.
#[test]
fn a_return_of_another_round_without_its_hidden_sheet_is_rejected() {
    let dir = round_dir(UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    // The other round: its own catalogue file and settings.
    let other = round_dir(UNITS);
    let mut toml =
        tonghop::catalog::EMBEDDED_TOML.replace("version = \"2021.1\"", "version = \"2018.1\"");
    for (a, b) in [
        ("2016", "2013"),
        ("2017", "2014"),
        ("2018", "2015"),
        ("2019", "2016"),
        ("2020", "2017"),
    ] {
        toml = toml.replace(
            &format!("label = \"Năm {a}\""),
            &format!("label = \"Năm {b}\""),
        );
    }
    std::fs::write(other.path().join("danh-muc.toml"), toml).unwrap();
    let settings = std::fs::read_to_string(other.path().join("tonghop.toml")).unwrap();
    std::fs::write(
        other.path().join("tonghop.toml"),
        settings
            .replace(
                "# catalog = \"danh-muc.toml\"",
                "catalog = \"danh-muc.toml\"",
            )
            .replace(
                "round_id = \"241-2021-TPLC\"",
                "round_id = \"241-2018-TPLC\"",
            ),
    )
    .unwrap();
    let other_round = Round::load(other.path(), None).unwrap();
    let f = fill(&[("02.01", "n2016", FillValue::Number(4.0))]);
    write_return(dir.path(), &other_round, 0, &f, "cu.xlsx");
    let path = dir.path().join("bao-cao/cu.xlsx");
    drop_meta_sheet(&path);
    // The same round's form without its hidden sheet, its labels in NFD
    // and upper case (a Mac or a retyping unit): accepted.
    write_return(dir.path(), &round, 1, &f, "moi.xlsx");
    let path = dir.path().join("bao-cao/moi.xlsx");
    drop_meta_sheet(&path);
    rewrite_xlsx(
        &path,
        |n| n == "xl/sharedStrings.xml",
        |t| {
            let nfd: String =
                unicode_normalization::UnicodeNormalization::nfd(t.as_str()).collect();
            nfd.replace("Năm 2016", "NĂM  2016")
        },
    );
    let ingest = tonghop::ingest::ingest_round(&round, &[], &tonghop::ingest::Silent).unwrap();
    let old = ingest.files.iter().find(|f| f.file == "cu.xlsx").unwrap();
    let tonghop::ingest::Fate::Rejected {
        reason: tonghop::ingest::Rejection::OtherStructure(differences),
    } = &old.fate
    else {
        panic!("not rejected for its structure: {:?}", old.fate);
    };
    let reason = differences.join("; ");
    assert!(
        reason.contains("trang \"Biểu 02\" ô E8: tiêu đề cột (1) là \"Năm 2013\", biểu mẫu của đợt này là \"Năm 2016\""),
        "{reason}"
    );
    let new = ingest.files.iter().find(|f| f.file == "moi.xlsx").unwrap();
    assert_eq!(new.fate, tonghop::ingest::Fate::Accepted, "{:?}", new.fate);
    assert_eq!(new.unit.as_deref(), Some("CB-B"));
}

/// Issue 10: a form generated for a xã/phường filled by a unit the list
/// calls a chi bộ gave only cảnh báo on its "x" cells.
#[test]
fn a_form_of_another_unit_type_is_an_error_naming_both() {
    let dir = round_dir(UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let mut as_ward = round.units[0].clone();
    as_ward.unit_type = "xa_phuong".into();
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(&as_ward),
        fill: Some(&fill(&[("01.01", "t2020", FillValue::Number(20.0))])),
        deadline_note: None,
        saved_at: chrono::NaiveDate::from_ymd_opt(2021, 6, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    };
    build_form(&spec)
        .unwrap()
        .save(dir.path().join("bao-cao/a.xlsx"))
        .unwrap();
    let outcome = consolidate_round(dir.path(), Some(dir.path().join("ket-qua")), None).unwrap();
    let errs: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Loi && f.rule == tonghop::diagnostic::rules::UNIT)
        .collect();
    assert_eq!(errs.len(), 1, "{:?}", messages(&errs));
    assert_eq!(errs[0].unit, "CB-A");
    assert_eq!(
        errs[0].message,
        "tệp a.xlsx: biểu mẫu này tạo cho loại đơn vị \"Đảng bộ xã, phường\", nhưng danh sách đơn vị ghi Chi bộ thử A là \"Chi bộ cơ sở\": các chỉ tiêu áp dụng khác nhau; đơn vị cần điền biểu mẫu của đúng loại đơn vị (hoặc sửa loại trong danh sách)."
    );
}

/// Issue 10: list rows added below the coded rows with an empty mã số
/// cell were dropped (30 of 33 documents kept). Every non-empty row of the
/// list table is read; a row with a mã số outside the catalogue is a lỗi
/// naming the cell.
#[test]
fn list_rows_without_a_code_are_read_and_unknown_codes_named() {
    let dir = round_dir(UNITS);
    let round = Round::load(dir.path(), None).unwrap();
    let mut f = Fill::default();
    let rows: Vec<Vec<Option<FillValue>>> = (1..=34)
        .map(|i| {
            vec![
                Some(FillValue::Text(format!("{i}-KH/CB"))),
                Some(FillValue::Date(
                    chrono::NaiveDate::from_ymd_opt(2017, 3, 15).unwrap(),
                )),
                Some(FillValue::Text(format!("Kế hoạch số {i}"))),
            ]
        })
        .collect();
    f.lists.insert("13.01".into(), rows);
    write_return(dir.path(), &round, 0, &f, "a.xlsx");
    let path = dir.path().join("bao-cao/a.xlsx");
    // Rows 40–42 (documents 31–33): the mã số cell emptied; row 43
    // (document 34): a mã số outside the catalogue. Sheet "Biểu 13" is
    // the 14th sheet (after the guide).
    let sheet = "xl/worksheets/sheet14.xml";
    let code = |r: u32| regex::Regex::new(&format!(r#"<c r="B{r}"[^>]*?(/>|>.*?</c>)"#)).unwrap();
    rewrite_xlsx(
        &path,
        |n| n == sheet,
        |t| {
            assert!(code(40).is_match(&t), "the list is on {sheet}");
            let mut t = t;
            for r in 40..=42 {
                t = code(r).replace(&t, "").into_owned();
            }
            code(43)
                .replace(&t, r#"<c r="B43" t="inlineStr"><is><t>13.x</t></is></c>"#)
                .into_owned()
        },
    );
    let ingest = tonghop::ingest::ingest_round(&round, &[], &tonghop::ingest::Silent).unwrap();
    let report = &ingest.files[0];
    assert_eq!(report.fate, tonghop::ingest::Fate::Accepted);
    let list = round.catalog.indicator_index("13.01").unwrap() as u16;
    let docs: std::collections::BTreeSet<u16> = report
        .records
        .iter()
        .filter(|r| r.ind == list)
        .map(|r| r.list_row)
        .collect();
    assert_eq!(docs.len(), 33, "{docs:?}");
    let texts: Vec<String> = report
        .records
        .iter()
        .filter(|r| r.ind == list && r.col == 0)
        .filter_map(|r| match &r.value {
            tonghop::ingest::value::Value::Text(t) => Some(t.to_string()),
            _ => None,
        })
        .collect();
    assert!(texts.contains(&"33-KH/CB".to_string()), "{texts:?}");
    let unknown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Loi && f.cell_text() == "B43")
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", messages(&unknown));
    assert!(
        unknown[0].message.contains("\"13.x\""),
        "{}",
        unknown[0].message
    );
}
