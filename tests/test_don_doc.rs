//! The chase list ("Đôn đốc", `don-doc.csv`) with the optional contact
//! columns of the units list, what a resubmission changed ("Thay đổi khi
//! nộp lại", "nộp lần 2"), and user text that looks like a formula staying
//! text in every new output.

mod common;

use calamine::{open_workbook_auto, Data, Reader};
use tonghop::commands::consolidate::consolidate_round_on;
use tonghop::form::{Fill, FillValue};

fn round_with_contacts() -> (tempfile::TempDir, tonghop::round::Round) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::samples().join("tonghop.toml"),
        dir.path().join("tonghop.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("don-vi.csv"),
        "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên,Người liên hệ,Điện thoại,Email\n\
         P-A,Đảng bộ phường A,\"Đảng bộ xã, phường\",\"Khối xã, phường\",Đảng bộ thành phố Lai Châu,Lò Văn Minh,0912 345 678,minh@laichau.gov.vn\n\
         P-B,Đảng bộ phường B,\"Đảng bộ xã, phường\",\"Khối xã, phường\",Đảng bộ thành phố Lai Châu,=Nguyễn Văn An,+84 214 3876 543,\n\
         CB-C,Chi bộ C,Chi bộ cơ sở,Khối cơ quan,Đảng bộ thành phố Lai Châu,,,\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("bao-cao")).unwrap();
    let round = tonghop::round::Round::load(dir.path(), None).unwrap();
    (dir, round)
}

fn sheet(path: &std::path::Path, name: &str) -> calamine::Range<Data> {
    let mut wb = open_workbook_auto(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn row_with(range: &calamine::Range<Data>, text: &str) -> Vec<Data> {
    range
        .rows()
        .find(|r| r.iter().any(|c| matches!(c, Data::String(s) if s == text)))
        .unwrap_or_else(|| panic!("no row with {text}"))
        .to_vec()
}

fn num(fill: &Fill, code: &str, key: &str) -> f64 {
    match fill.cells[&(code.to_string(), key.to_string())] {
        FillValue::Number(n) => n,
        ref v => panic!("{v:?}"),
    }
}

#[test]
fn chase_list_changes_on_resubmission_and_formula_like_text() {
    let (dir, round) = round_with_contacts();
    assert_eq!(round.units[0].contact.person, "Lò Văn Minh");
    assert_eq!(round.units[1].contact.phone, "+84 214 3876 543");
    assert_eq!(round.units[2].contact.text(), "");
    // P-A: on time, one cảnh báo (a number typed as text), a narrative
    // answer that looks like a formula.
    let mut a = common::clean_fill(&round, "P-A", 1);
    let v = num(&a, "01.01", "t2020");
    a.cells.insert(
        ("01.01".into(), "t2020".into()),
        FillValue::Text(format!("{v} người")),
    );
    a.cells.insert(
        ("15.01".into(), "noi_dung".into()),
        FillValue::Text("=1+1 là câu trả lời".into()),
    );
    common::write_saved_return(&round, "P-A", Some(&a), "2021-06-12 09:00", "a.xlsx");
    // CB-C: a draft, then a return with a lỗi that changes, adds and
    // clears values.
    let old = common::clean_fill(&round, "CB-C", 2);
    let mut new = old.clone();
    let members = num(&old, "01.01", "t2020");
    new.cells.insert(
        ("01.01".into(), "t2020".into()),
        FillValue::Number(members + 3.0),
    );
    let total = num(&old, "02.04", "n2016");
    new.cells.insert(
        ("02.04".into(), "n2016".into()),
        FillValue::Number(total + 5.0),
    );
    let cleared = new
        .cells
        .remove(&("03.01".to_string(), "n2017".to_string()))
        .is_some();
    assert!(cleared, "the clean fill has 03.01 Năm 2017");
    let mut draft = old.clone();
    draft
        .cells
        .remove(&("03.02".to_string(), "n2016".to_string()));
    common::write_saved_return(
        &round,
        "CB-C",
        Some(&draft),
        "2021-06-10 09:00",
        "c-nhap.xlsx",
    );
    common::write_saved_return(&round, "CB-C", Some(&new), "2021-06-15 09:00", "c.xlsx");

    let today = chrono::NaiveDate::from_ymd_opt(2021, 6, 18).unwrap();
    let outcome =
        consolidate_round_on(dir.path(), None, None, &tonghop::ingest::Silent, today).unwrap();
    let book = outcome.out.join("tong-hop.xlsx");

    let chase = sheet(&book, "Đôn đốc");
    let b = row_with(&chase, "P-B");
    assert_eq!(
        b[3],
        Data::String("=Nguyễn Văn An".into()),
        "text, not a formula"
    );
    assert_eq!(b[6], Data::String("Chưa nộp".into()));
    assert_eq!(b[8], Data::String("còn 2 ngày".into()));
    let message = b[9].to_string();
    assert!(
        message.starts_with("Kính gửi Đảng bộ phường B (đồng chí =Nguyễn Văn An).")
            && message.contains("chậm nhất ngày 20/06/2021 (còn 2 ngày)"),
        "{message}"
    );
    let c = row_with(&chase, "CB-C");
    assert_eq!(c[6], Data::String("Có 1 lỗi cần sửa".into()));
    assert!(
        c[9].to_string()
            .contains("Gửi kèm tệp phan-hoi/cb-c-chi-bo-c.xlsx"),
        "{:?}",
        c[9]
    );
    assert!(
        !chase
            .rows()
            .any(|r| r.iter().any(|x| matches!(x, Data::String(s) if s == "P-A"))),
        "a unit on time with only cảnh báo is not chased"
    );
    let csv = String::from_utf8(std::fs::read(outcome.out.join("don-doc.csv")).unwrap()).unwrap();
    assert!(csv.contains(",'=Nguyễn Văn An,"), "{csv}");

    let status = sheet(&book, "Tình hình nộp");
    assert_eq!(
        row_with(&status, "CB-C")[4],
        Data::String("Đã nộp (nộp lần 2)".into())
    );
    let changes = sheet(&book, "Thay đổi khi nộp lại");
    let rows: Vec<Vec<String>> = changes
        .rows()
        .skip(4)
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect();
    let find = |code: &str, column: &str| {
        rows.iter()
            .find(|r| r[6] == code && r[8] == column)
            .unwrap_or_else(|| panic!("{code} {column}: {rows:?}"))
    };
    let n = |x: f64| tonghop::text::number_vi(x);
    assert_eq!(
        find("01.01", "Tại 31/12/2020")[9..11],
        [n(members), n(members + 3.0)]
    );
    assert_eq!(find("03.01", "Năm 2017")[10], "(trống)");
    assert_eq!(find("03.02", "Năm 2016")[9], "(trống)");
    assert_eq!(find("02.04", "Năm 2016")[2], "c-nhap.xlsx");

    // The feedback workbook of P-A keeps the narrative as text.
    let fb = outcome
        .out
        .join("phan-hoi")
        .join("p-a-dang-bo-phuong-a.xlsx");
    let names = open_workbook_auto(&fb).unwrap().sheet_names();
    assert_eq!(names[0], "Cần sửa");
    let narrative = sheet(&fb, "Thuyết minh");
    assert!(
        narrative
            .rows()
            .any(|r| r.contains(&Data::String("=1+1 là câu trả lời".into()))),
        "narrative kept as text"
    );
    let mut wb = open_workbook_auto(&fb).unwrap();
    let formulas = wb.worksheet_formula("Thuyết minh").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| !f.contains("1+1")),
        "no formula from user text"
    );
}
