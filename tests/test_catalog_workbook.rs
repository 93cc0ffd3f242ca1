//! The catalogue as a workbook: the embedded catalogue written as .xlsx
//! reads back field by field (also after LibreOffice re-saves it as .xlsx
//! and .ods), `catalog = "danh-muc.xlsx"` and `--catalog` read it, and
//! `catalog --check` locates every problem by sheet, row and cell.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use tonghop::catalog::{workbook, Catalog, EMBEDDED_TOML};

fn tonghop(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .output()
        .expect("run tonghop");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn write(c: &Catalog, dir: &Path) -> PathBuf {
    let path = dir.join("danh-muc.xlsx");
    std::fs::write(&path, workbook::write(c).unwrap()).unwrap();
    path
}

/// The catalogue read from `path` is `original`, field by field (the
/// JSON of both), with the same hash.
fn assert_same(original: &Catalog, path: &Path) {
    let read = Catalog::load(path).unwrap_or_else(|e| panic!("{e}"));
    let want = serde_json::to_value(original).unwrap();
    let got = serde_json::to_value(&read).unwrap();
    if want != got {
        let w = want.as_object().unwrap();
        let g = got.as_object().unwrap();
        for (k, v) in w {
            if let serde_json::Value::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    assert_eq!(Some(item), g[k].get(i), "{k}[{i}] of {}", path.display());
                }
            }
            assert_eq!(Some(v), g.get(k), "{k} of {}", path.display());
        }
    }
    assert_eq!(read.hash, original.hash);
    assert_eq!(read.layout_text(), original.layout_text());
}

#[test]
fn the_embedded_catalogue_reads_back_from_its_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let original = Catalog::embedded();
    assert_same(&original, &write(&original, dir.path()));
}

/// Fields the embedded catalogue leaves at their defaults (measure_max,
/// weights, plausible severities, column kinds) survive too.
#[test]
fn every_field_reads_back_also_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Catalog::embedded();
    c.plausible
        .measure_max
        .insert("triệu đồng".into(), 1_000_000.0);
    c.plausible.measure_max.insert("người".into(), 10_000_000.5);
    c.plausible.count_max = 5e7;
    c.plausible.severity = tonghop::catalog::Severity::CanhBao;
    c.plausible.derived_severity = tonghop::catalog::Severity::Loi;
    c.percent_tolerance = 0.25;
    c.unit_types[0].aliases = vec!["Xã, phường".into(), "Phường; xã".replace(';', ",")];
    c.indicators[3].hint = "Ghi số nguyên\nkhông ghi chữ".into();
    c.indicators[3].min = Some(-1.5);
    c.indicators[3].level = 2;
    let c = Catalog::from_text(&toml::to_string(&c).unwrap(), "test").unwrap();
    assert_same(&c, &write(&c, dir.path()));
}

#[test]
fn the_workbook_is_used_by_settings_and_by_the_command_line() {
    let dir = common::small_round(&[(
        "P-TANPHONG",
        "Đảng bộ phường Tân Phong",
        "Đảng bộ xã, phường",
        "Khối xã, phường",
    )]);
    let xlsx = dir.path().join("danh-muc.xlsx");
    let (code, out) = tonghop(&[
        "catalog",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = tonghop(&["catalog", "--check", xlsx.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hợp lệ: 15 biểu"), "{out}");
    let (code, tree) = tonghop(&["catalog", "--catalog", xlsx.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(tree, tonghop(&["catalog"]).1);
    let settings = dir.path().join("tonghop.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = text.replacen("units = ", "catalog = \"danh-muc.xlsx\"\nunits = ", 1);
    std::fs::write(&settings, text).unwrap();
    let round = tonghop::round::Round::load(dir.path(), None).unwrap();
    assert_eq!(round.catalog.hash, Catalog::embedded().hash);
    let (code, out) = tonghop(&["forms", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // xlsx needs a file to write to.
    let (code, out) = tonghop(&["catalog", "--format", "xlsx"]);
    assert_eq!(code, 2);
    assert!(out.contains("--out"), "{out}");
}

/// The seeded mistakes of `test_catalog`, written in a workbook: each is
/// found, located by the sheet and row of its item.
#[test]
fn check_reports_every_seeded_mistake_by_sheet_and_row() {
    let mut text = EMBEDDED_TOML.to_string();
    for (from, to) in [
        ("code = \"01.02\"", "code = \"01.01\""),
        ("total = \"02.04\"", "total = \"02.99\""),
        (
            "applies_to = [\"xa_phuong\"]",
            "applies_to = [\"phuong_xa\"]",
        ),
        ("columns = \"giai_doan\"", "columns = \"giai_doan_x\""),
        (
            "code = \"01.05\"",
            "code = \"01.05\"\nmin = 10.0\nmax = 1.0",
        ),
    ] {
        assert!(text.contains(from), "fixture anchor {from} missing");
        text = text.replacen(from, to, 1);
    }
    let bad = Catalog::parse(&text, "bad").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&bad, dir.path());
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let row_of = |code: &str| 2 + bad.indicators.iter().position(|i| i.code == code).unwrap();
    let second = 2 + bad
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.code == "01.01")
        .nth(1)
        .unwrap()
        .0;
    let rule_row = 2 + bad
        .rules
        .iter()
        .position(|r| r.codes().any(|c| c == "02.99"))
        .unwrap();
    let group_row = 2 + bad
        .groups
        .iter()
        .position(|g| g.columns == "giai_doan_x")
        .unwrap();
    for expected in [
        format!("trang Chỉ tiêu, dòng 2, {second} (chỉ tiêu 01.01): mã số \"01.01\" bị trùng"),
        format!("trang Quy tắc, dòng {rule_row} (quy tắc"),
        "mã số \"02.99\" không có trong danh mục".to_string(),
        "loại đơn vị \"phuong_xa\" không được khai báo".to_string(),
        format!("trang Biểu, dòng {group_row} (biểu"),
        "bộ cột \"giai_doan_x\" không được khai báo".to_string(),
        format!("trang Chỉ tiêu, dòng {} (chỉ tiêu 01.05)", row_of("01.05")),
        "giới hạn dưới 10 lớn hơn giới hạn trên 1".to_string(),
    ] {
        assert!(
            out.contains(&expected),
            "--check lacks \"{expected}\":\n{out}"
        );
    }
    // Loading it (forms, consolidate) stops with the same located problems.
    let err = Catalog::load(&path).unwrap_err().to_string();
    assert!(
        err.contains(&format!("trang Chỉ tiêu, dòng 2, {second}")),
        "{err}"
    );
}

/// Cells that are not what their column holds: each named by sheet, row
/// and cell, in Vietnamese, and nothing else read.
#[test]
fn check_names_the_cell_of_a_wrong_value() {
    let c = Catalog::embedded();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&c, dir.path());
    common::edit_xlsx(&path, |name, text| {
        if name == "xl/sharedStrings.xml" {
            let t = text.replacen("<t>tổng không vượt</t>", "<t>tổng gần bằng</t>", 1);
            assert_ne!(t, text);
            t
        } else {
            text
        }
    });
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let n = c
        .rules
        .iter()
        .filter(|r| r.kind_name() == "sum_at_most")
        .count();
    let first = 2 + c
        .rules
        .iter()
        .position(|r| r.kind_name() == "sum_at_most")
        .unwrap();
    assert!(out.contains(&format!("có {n} lỗi")) || n == 1, "{out}");
    assert!(
        out.contains(&format!(
            "trang Quy tắc, dòng {first}, ô B{first}: cột \"Loại quy tắc\": \"tổng gần bằng\" không có trong danh sách"
        )),
        "{out}"
    );
    for english in ["missing", "invalid", "error", "expected"] {
        assert!(!out.to_lowercase().contains(english), "{out}");
    }
}

fn soffice(src: &Path, fmt: &str, outdir: &Path) -> PathBuf {
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            outdir.display()
        ))
        .args(["--headless", "--convert-to", fmt, "--outdir"])
        .arg(outdir)
        .arg(src)
        .output()
        .expect("soffice must be installed for this test (.ci/run installs it)");
    assert!(
        status.status.success(),
        "soffice failed on {}",
        src.display()
    );
    let out = outdir.join(format!(
        "{}.{}",
        src.file_stem().unwrap().to_string_lossy(),
        fmt.split(':').next().unwrap()
    ));
    assert!(out.is_file(), "{} not written", out.display());
    out
}

#[test]
#[ignore = "needs LibreOffice (soffice); run by .ci/run"]
fn the_workbook_reads_back_after_a_libreoffice_resave_as_xlsx_and_ods() {
    let dir = tempfile::tempdir().unwrap();
    let original = Catalog::embedded();
    let path = write(&original, dir.path());
    for fmt in ["xlsx", "ods"] {
        let sub = dir.path().join(fmt);
        std::fs::create_dir_all(&sub).unwrap();
        let resaved = soffice(&path, fmt, &sub);
        assert_same(&original, &resaved);
        let (code, out) = tonghop(&["catalog", "--check", resaved.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}");
    }
}

fn part(path: &Path, sheet: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(&common::sheet_part(path, sheet))
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Kinds, natures, consolidation methods, severities and unit types are
/// chosen from drop-downs; a guide sheet explains every column.
#[test]
fn closed_choices_are_drop_downs_and_every_column_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let c = Catalog::embedded();
    let path = write(&c, dir.path());
    let indicators = part(&path, "Chỉ tiêu");
    for source in [
        "'Danh sách chọn'!$A$2:$A$7", // kind
        "'Danh sách chọn'!$B$2:$B$3", // nature
        "'Danh sách chọn'!$C$2:$C$7", // consolidation
        "'Loại đơn vị'!$A$2:$A$200",  // applies_to
    ] {
        assert!(indicators.contains(source), "Chỉ tiêu lacks {source}");
    }
    assert!(part(&path, "Quy tắc").contains("'Danh sách chọn'!$D$2:$D$3"));
    assert!(part(&path, "Bộ cột").contains("'Danh sách chọn'!$F$2:$F$4"));
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let guide = wb.worksheet_range("Hướng dẫn").unwrap();
    let explained: Vec<(String, String)> = guide
        .rows()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    for sheet in [
        "Loại đơn vị",
        "Bộ cột",
        "Biểu",
        "Chỉ tiêu",
        "Quy tắc",
        "Giới hạn theo ĐVT",
    ] {
        let range = wb.worksheet_range(sheet).unwrap();
        for h in range.rows().next().unwrap() {
            let h = h.to_string();
            assert!(
                explained.iter().any(|(s, c)| s == sheet && *c == h),
                "{sheet}: {h} not explained"
            );
        }
    }
}

/// A header the reader does not know would lose its column: it is named.
#[test]
fn an_unknown_header_is_named_with_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&Catalog::embedded(), dir.path());
    common::edit_xlsx(&path, |name, text| {
        if name == "xl/sharedStrings.xml" {
            let t = text.replacen("<t>Đơn vị tính</t>", "<t>ĐVT</t>", 1);
            assert_ne!(t, text);
            t
        } else {
            text
        }
    });
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("tiêu đề \"ĐVT\" không phải cột nào của trang này"),
        "{out}"
    );
}

#[test]
fn a_missing_workbook_is_told_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khong-co.xlsx");
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.contains("không có tệp hoặc thư mục này"), "{out}");
    let (code, out) = tonghop(&["catalog", "--catalog", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.contains("không có tệp hoặc thư mục này"), "{out}");
}
