//! The sample round folder and the units list checks.

mod common;

use tonghop::catalog::Catalog;
use tonghop::round::{load_units, Round};

#[test]
fn sample_round_has_its_units_blocks_and_types() {
    let round = Round::load(&common::samples(), None).unwrap();
    assert_eq!(round.units.len(), 30);
    assert_eq!(
        round.blocks(),
        [
            "Khối xã, phường",
            "Khối Đảng - đoàn thể",
            "Khối chính quyền",
            "Khối lực lượng vũ trang, trường học"
        ]
    );
    let wards: Vec<_> = round
        .units
        .iter()
        .filter(|u| u.unit_type == "xa_phuong")
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(wards.len(), 7);
    assert!(wards.contains(&"Đảng bộ xã Nậm Loỏng"));
    assert_eq!(
        round.settings.deadline,
        chrono::NaiveDate::from_ymd_opt(2021, 6, 20).unwrap()
    );
    // Households apply only to phường/xã.
    let hh = round.catalog.indicator("01.04").unwrap();
    for u in &round.units {
        assert_eq!(
            hh.applies_to_type(&u.unit_type),
            u.unit_type == "xa_phuong",
            "{}",
            u.code
        );
    }
}

#[test]
fn a_bad_units_file_names_every_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("don-vi.csv");
    std::fs::write(
        &path,
        "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\nA,Chi bộ A,Chi bộ cơ sở,K1,X\nA,Chi bộ B,Chi bộ cơ sở,K1,X\nC,Chi bộ C,Hội đồng,K1,X\n",
    )
    .unwrap();
    let err = load_units(&path, &Catalog::embedded())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dòng 3: mã đơn vị \"A\" trùng với dòng 2"),
        "{err}"
    );
    assert!(
        err.contains("dòng 4: loại đơn vị \"Hội đồng\" không có trong danh mục"),
        "{err}"
    );
    std::fs::write(
        &path,
        "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\nx-a,Chi bộ A,chi bo co so,K1,X\nX-A,Chi bộ B,Chi bộ cơ sở,K1,X\nC,chi bộ  a,Đảng bộ thị trấn,K1,X\n",
    )
    .unwrap();
    let err = load_units(&path, &Catalog::embedded())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dòng 3: mã đơn vị \"X-A\" trùng với dòng 2"),
        "{err}"
    );
    assert!(
        err.contains("dòng 4: tên đơn vị \"chi bộ  a\" trùng với dòng 2"),
        "{err}"
    );
    assert!(
        !err.contains("loại đơn vị"),
        "diacritic-free loại and thị trấn are accepted: {err}"
    );
    std::fs::write(&path, "Mã đơn vị,Tên đơn vị,Khối\nA,B,C\n").unwrap();
    let err = load_units(&path, &Catalog::embedded())
        .unwrap_err()
        .to_string();
    assert!(err.contains("thiếu cột \"Loại\""), "{err}");
}

/// A mistake in tonghop.toml is told in Vietnamese with its line, never
/// in the TOML reader's English.
#[test]
fn settings_mistakes_are_told_in_vietnamese_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["tonghop.toml", "don-vi.csv"] {
        std::fs::copy(common::samples().join(f), dir.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join("tonghop.toml")).unwrap();
    for (from, to, want) in [
        (
            "deadline = ",
            "deadine = ",
            "trường `deadine` không dùng ở đây",
        ),
        (
            "deadline = \"2021-06-20\"",
            "deadline = \"31/6/2021\"",
            "ngày \"31/6/2021\" không có thật",
        ),
    ] {
        std::fs::write(dir.path().join("tonghop.toml"), text.replacen(from, to, 1)).unwrap();
        let Err(err) = tonghop::round::Round::load(dir.path(), None) else {
            panic!("a settings mistake is an error");
        };
        let err = err.to_string();
        assert!(err.contains(want), "{err}");
        assert!(err.contains("dòng 11"), "{err}");
        for english in ["TOML parse error", "unknown field", "expected", "invalid"] {
            assert!(!err.contains(english), "{err}");
        }
    }
}
