//! `tonghop forms`: every generated workbook read back with calamine.

mod common;

use std::collections::BTreeMap;

use tonghop::catalog::GroupKind;
use tonghop::commands::forms::write_all_forms;
use tonghop::form::GENERIC_FORM_FILE;
use tonghop::round::Round;

#[test]
fn every_form_has_its_sheets_codes_inputs_and_x_marks() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = write_all_forms(&round, dir.path()).unwrap();
    assert_eq!(written.len(), round.units.len() + 1);
    let c = &round.catalog;
    let mut expected_sheets = vec!["Hướng dẫn".to_string()];
    expected_sheets.extend(c.groups.iter().map(|g| g.sheet.clone()));
    expected_sheets.push("_tonghop".to_string());
    for (unit, path) in round.units.iter().map(Some).chain([None]).zip(&written) {
        let sheets = common::read_back(path);
        let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(names, expected_sheets, "{}", path.display());
        let meta: BTreeMap<String, String> = sheets
            .last()
            .unwrap()
            .1
            .iter()
            .filter(|((_, c), _)| *c == 0)
            .map(|((r, _), k)| {
                (
                    k.clone(),
                    sheets
                        .last()
                        .unwrap()
                        .1
                        .get(&(*r, 1))
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(meta["catalog_hash"], c.hash);
        assert_eq!(
            meta.get("unit_code")
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
            unit.map_or(String::new(), |u| u.code.clone())
        );
        for g in &c.groups {
            let cells = &sheets.iter().find(|(n, _)| n == &g.sheet).unwrap().1;
            let values = common::contract_values(cells);
            let columns = c.columns_of(g);
            for ind in c.indicators_of(&g.id) {
                let applies = unit.is_none_or(|u| ind.applies_to_type(&u.unit_type));
                for (i, col) in columns.iter().enumerate() {
                    let v = values.get(&(ind.code.clone(), i + 1));
                    let computed = ind.is_formula() || (col.is_computed() && ind.kind.is_numeric());
                    if !applies {
                        assert_eq!(
                            v.map(String::as_str),
                            Some("x"),
                            "{} {} ({}) should be x",
                            path.display(),
                            ind.code,
                            i + 1
                        );
                    } else if !computed && g.kind != GroupKind::List {
                        assert!(
                            v.is_none() || v.map(String::as_str) != Some("x"),
                            "{} {} ({}) must be an input",
                            path.display(),
                            ind.code,
                            i + 1
                        );
                    }
                }
                // Every mã số is on the sheet, in the "Mã số" column.
                assert!(
                    cells.values().any(|v| v == &ind.code),
                    "{} lacks {}",
                    g.sheet,
                    ind.code
                );
            }
        }
    }
}

#[test]
fn households_are_x_on_a_chi_bo_form_and_open_on_a_ward_form() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_all_forms(&round, dir.path()).unwrap();
    let read = |name: &str| {
        let sheets = common::read_back(&dir.path().join(name));
        common::contract_values(&sheets.iter().find(|(n, _)| n == "Biểu 01").unwrap().1)
    };
    let chi_bo = read("cb-vptu-chi-bo-van-phong-thanh-uy.xlsx");
    assert_eq!(
        chi_bo.get(&("01.04".to_string(), 1)).map(String::as_str),
        Some("x")
    );
    let ward = read("p-tanphong-dang-bo-phuong-tan-phong.xlsx");
    assert_eq!(ward.get(&("01.04".to_string(), 1)), None);
}

/// `templates_xlsx/bieu-mau-chung.xlsx` is the generic form of the embedded
/// catalogue; regenerate with `tonghop forms samples --out templates_xlsx`
/// (keeping only the generic file) when this fails.
#[test]
fn committed_generic_template_is_current() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_all_forms(&round, dir.path()).unwrap();
    let fresh = common::read_back(&dir.path().join(GENERIC_FORM_FILE));
    let committed_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates_xlsx")
        .join(GENERIC_FORM_FILE);
    let committed = common::read_back(&committed_path);
    let strip = |s: Vec<(String, common::SheetCells)>| {
        s.into_iter()
            .map(|(n, mut cells)| {
                // The generator version line changes with every release.
                cells.retain(|_, v| !v.starts_with("tonghop "));
                (n, cells)
            })
            .collect::<Vec<_>>()
    };
    assert!(
        strip(fresh) == strip(committed),
        "templates_xlsx/{GENERIC_FORM_FILE} is stale: regenerate it"
    );
}

/// The xml text of one part of an .xlsx.
fn part(path: &std::path::Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Required chỉ tiêu carry "(*)" on the form with the legend on the guide
/// sheet, their input message never says to leave them blank; the sheet
/// protection allows what the guide says (insert rows, format cells); the
/// header is the Party document's (parent over the issuing body).
#[test]
fn required_items_are_marked_and_the_protection_allows_what_the_guide_says() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_all_forms(&round, dir.path()).unwrap();
    let path = dir.path().join("p-tanphong-dang-bo-phuong-tan-phong.xlsx");
    let sheets: BTreeMap<String, common::SheetCells> =
        common::read_back(&path).into_iter().collect();
    let c = &round.catalog;
    let mut required = 0;
    for g in c.groups.iter().filter(|g| g.kind != GroupKind::List) {
        let cells = &sheets[&g.sheet];
        for ind in c.indicators_of(&g.id) {
            let col = 2;
            let row = common::row_of(cells, col, &ind.code).unwrap();
            let label = &cells[&(row, 1)];
            assert_eq!(
                label.ends_with("(*)"),
                ind.required,
                "{}: {label}",
                ind.code
            );
            required += usize::from(ind.required);
        }
    }
    assert!(required > 0);
    let guide = &sheets["Hướng dẫn"];
    assert!(guide
        .values()
        .any(|v| v.contains("Chỉ tiêu có dấu (*) sau tên là bắt buộc")));
    assert!(guide.values().any(|v| v.contains("chèn thêm dòng")));
    // Biểu 01's first chỉ tiêu is required: its input message asks for a
    // figure, never to leave the cell blank.
    let b01 = c.groups.iter().find(|g| g.sheet == "Biểu 01").unwrap();
    let first = c.indicators_of(&b01.id).next().unwrap();
    assert!(first.required, "{}", first.code);
    let xml = part(&path, &common::sheet_part(&path, "Biểu 01"));
    let row = common::row_of(&sheets["Biểu 01"], 2, &first.code).unwrap() + 1;
    let dv = xml
        .split("<dataValidation ")
        .find(|d| d.contains(&format!("sqref=\"E{row}")))
        .unwrap_or_else(|| panic!("no validation on row {row}"));
    assert!(
        dv.contains("phải ghi số liệu") && !dv.contains("Để trống"),
        "{dv}"
    );
    // Protection: insert rows and format cells allowed ("0" = not locked).
    for sheet in ["Biểu 01", "Biểu 13"] {
        let xml = part(&path, &common::sheet_part(&path, sheet));
        let prot = xml.split("<sheetProtection").nth(1).unwrap();
        assert!(
            prot.contains("insertRows=\"0\"") && prot.contains("formatCells=\"0\""),
            "{sheet}: {prot}"
        );
    }
    // The Party-document header: the parent over the issuing body.
    let b = &sheets["Biểu 01"];
    assert_eq!(b[&(0, 0)], "ĐẢNG BỘ THÀNH PHỐ LAI CHÂU");
    assert_eq!(b[&(1, 0)], "ĐẢNG ỦY PHƯỜNG TÂN PHONG");
    assert_eq!(b[&(2, 0)], "*");
    let chi_bo = common::read_back(&dir.path().join("cb-noivu-chi-bo-phong-noi-vu.xlsx"));
    assert_eq!(chi_bo[1].1[&(1, 0)], "CHI BỘ PHÒNG NỘI VỤ");
}
