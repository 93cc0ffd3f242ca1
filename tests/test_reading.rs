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
        let errs = errors_on(&outcome.findings, code, "giá trị không đọc được");
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
    let errs = errors_on(&outcome.findings, "01.01", "giới hạn hợp lý");
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
        .filter(|f| f.rule == "giới hạn hợp lý")
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
