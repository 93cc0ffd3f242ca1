//! Text from returns and the units list that starts with `=`, `+`, `-` or
//! `@` is written as text, never as a formula, in every output (CSV too).

mod common;

use calamine::{open_workbook_auto, Reader};
use tonghop::commands::consolidate::consolidate_round;
use tonghop::form::{build_form, Fill, FillValue, FormSpec, FormUnit};
use tonghop::round::Round;

#[test]
fn formula_like_text_stays_text_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(
        common::samples().join("tonghop.toml"),
        root.join("tonghop.toml"),
    )
    .unwrap();
    std::fs::write(
        root.join("don-vi.csv"),
        "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\nCB-X,=2+3 Chi bộ thử,Chi bộ cơ sở,Khối thử,Đảng bộ thành phố Lai Châu\n",
    )
    .unwrap();
    let round = Round::load(root, None).unwrap();
    let mut fill = Fill::default();
    let evil = "=HYPERLINK(\"http://example.invalid\",\"bấm vào đây\")";
    fill.cells.insert(
        ("15.01".into(), "noi_dung".into()),
        FillValue::Text(evil.into()),
    );
    fill.cells.insert(
        ("15.02".into(), "noi_dung".into()),
        FillValue::Text("@SUM(A1:A9)".into()),
    );
    // A negative count, so that a finding (with the unit name) is written.
    fill.cells
        .insert(("01.01".into(), "t2020".into()), FillValue::Number(-1.0));
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(&round.units[0]),
        fill: Some(&fill),
        deadline_note: None,
        saved_at: chrono::NaiveDate::from_ymd_opt(2021, 6, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    };
    std::fs::create_dir_all(root.join("bao-cao")).unwrap();
    build_form(&spec)
        .unwrap()
        .save(root.join("bao-cao/x.xlsx"))
        .unwrap();
    let out = root.join("ket-qua");
    consolidate_round(root, Some(out.clone()), None).unwrap();
    for file in ["tong-hop.xlsx", "gui-cap-tren.xlsx", "bao-cao-loi.xlsx"] {
        let mut wb = open_workbook_auto(out.join(file)).unwrap();
        for name in wb.sheet_names() {
            let formulas = wb.worksheet_formula(&name).unwrap();
            for (_, _, f) in formulas.used_cells() {
                assert!(
                    !f.contains("HYPERLINK") && !f.contains("SUM(A1:A9)") && !f.starts_with("2+3"),
                    "{file}!{name}: formula {f}"
                );
            }
        }
    }
    let th = common::read_back(&out.join("tong-hop.xlsx"));
    let narrative = &th.iter().find(|(n, _)| n == "Thuyết minh").unwrap().1;
    assert!(
        narrative.values().any(|v| v == evil),
        "the answer is kept as text"
    );
    let csv = std::fs::read_to_string(out.join("bao-cao-loi.csv")).unwrap();
    assert!(csv.contains("'=2+3 Chi bộ thử"), "{csv}");
    assert!(!csv.contains(",=2+3"), "{csv}");
}
