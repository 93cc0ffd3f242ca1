//! What the operator reads when the round settings, the units list or the
//! catalogue are not right: Vietnamese, every problem of a file at once
//! with its line, a misspelt key answered with the right one; and units
//! lists as offices really save them (Excel's plain "CSV" in
//! Windows-1258, Notepad's UTF-16, semicolons, a title row).

mod common;

use std::path::Path;

use tonghop::catalog::{Catalog, CatalogError, EMBEDDED_TOML};
use tonghop::round::{OrgUnit, Round};

/// English that must never reach the operator.
fn assert_no_english(text: &str) {
    for english in [
        "TOML parse error",
        "missing field",
        "unknown field",
        "expected one of",
        "stream did not contain valid UTF-8",
        "CSV parse error",
        "invalid type",
        "No such file",
        "os error",
        "expected",
    ] {
        assert!(!text.contains(english), "English \"{english}\" in:\n{text}");
    }
}

fn load_error(dir: &Path) -> String {
    match Round::load(dir, None) {
        Ok(_) => panic!("the round loaded"),
        Err(e) => e.to_string(),
    }
}

fn edit_settings(dir: &Path, edit: impl Fn(String) -> String) {
    let path = dir.join("tonghop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}

/// 1-based line of the first line of `text` starting with `start`.
fn line_of(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

fn replace(text: String, old: &str, new: &str) -> String {
    assert!(text.contains(old), "{old}");
    text.replacen(old, new, 1)
}

#[test]
fn every_problem_of_the_settings_is_told_at_once_with_its_line() {
    let round = common::small_round(&common::THREE_UNITS);
    let original = std::fs::read_to_string(round.path().join("tonghop.toml")).unwrap();
    edit_settings(round.path(), |t| {
        let t = replace(t, "deadline =", "dealine =");
        let t = replace(t, "round_id = \"241-2021-TPLC\"", "round_id = \"\"");
        let t = replace(t, "place = \"Lai Châu\"", "place = 5");
        replace(t, "committee_code =", "commitee_code =")
    });
    let err = load_error(round.path());
    let at = |start: &str| line_of(&original, start);
    assert!(err.contains("tonghop.toml có 4 lỗi:"), "{err}");
    for expected in [
        format!(
            "dòng {}, cột 1: khóa `round_id` đang để trống",
            at("round_id")
        ),
        format!(
            "dòng {}, cột 1: trường `dealine` không dùng ở đây: có phải ý bạn là `deadline`?",
            at("deadline")
        ),
        format!(
            "dòng {}, cột 1: trường `commitee_code` không dùng ở đây: có phải ý bạn là `committee_code`?",
            at("committee_code")
        ),
        format!(
            "dòng {}, cột 9: giá trị sai kiểu: ghi số nguyên 5, cần văn bản trong ngoặc kép.",
            at("place")
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\nnot in:\n{err}");
    }
    // The misspelt keys are not reported missing as well.
    assert!(!err.contains("thiếu"), "{err}");
    assert_no_english(&err);
}

#[test]
fn empty_required_keys_are_refused_naming_key_and_line() {
    let round = common::small_round(&common::THREE_UNITS);
    let original = std::fs::read_to_string(round.path().join("tonghop.toml")).unwrap();
    edit_settings(round.path(), |t| {
        let t = replace(t, "round_id = \"241-2021-TPLC\"", "round_id = \"\"");
        let t = replace(t, "round_id = \"241-2021-TINH\"", "round_id = ''");
        replace(
            t,
            "committee = \"Đảng bộ thành phố Lai Châu\"",
            "committee = \"   \"",
        )
    });
    let err = load_error(round.path());
    assert!(
        err.contains(&format!(
            "dòng {}, cột 1: khóa `round_id` đang để trống: ghi giá trị trong ngoặc kép",
            line_of(&original, "round_id")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "dòng {}, cột 1: khóa `committee` đang để trống",
            line_of(&original, "committee =")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "dòng {}, cột 1: khóa `round_id` của mục [cap_tren] đang để trống",
            line_of(&original, "round_id = \"241-2021-TINH\"")
        )),
        "{err}"
    );
    assert_no_english(&err);
}

#[test]
fn syntax_errors_of_the_settings_are_all_told() {
    let round = common::small_round(&common::THREE_UNITS);
    edit_settings(round.path(), |t| {
        let t = replace(t, "deadline = \"2021-06-20\"", "deadline = 20/6/2021");
        replace(t, "place = \"Lai Châu\"", "place = \"Lai Châu\" \"thừa\"")
    });
    let err = load_error(round.path());
    assert!(err.contains("có 2 lỗi"), "{err}");
    assert!(
        err.contains("văn bản phải đặt trong ngoặc kép (ví dụ title = \"Tổng kết\"; ngày cũng vậy: deadline = \"20/6/2021\")"),
        "{err}"
    );
    assert!(err.contains("có nội dung thừa sau giá trị"), "{err}");
    assert_no_english(&err);
}

#[test]
fn settings_saved_as_utf16_or_ansi_by_notepad_read() {
    let round = common::small_round(&common::THREE_UNITS);
    let path = round.path().join("tonghop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, utf16).unwrap();
    let r = Round::load(round.path(), None).unwrap();
    assert_eq!(r.settings.committee, "Đảng bộ thành phố Lai Châu");
    std::fs::write(&path, windows_1258(&text)).unwrap();
    let r = Round::load(round.path(), None).unwrap();
    assert_eq!(r.settings.committee, "Đảng bộ thành phố Lai Châu");
    assert_eq!(r.settings.place, "Lai Châu");
}

#[test]
fn every_syntax_problem_of_a_catalogue_is_told_at_once() {
    let broken = EMBEDDED_TOML
        .replacen(
            "id = \"R01\"\nkind = \"sum\"\ntotal =",
            "id = \"R01\"\nkind = \"sum\"\ntotl =",
            1,
        )
        .replacen(
            "id = \"R02\"\nkind = \"at_most\"\n",
            "id = \"R02\"\nkind = \"at_most\"\nseverty = \"loi\"\n",
            1,
        );
    let err = match Catalog::from_text(&broken, "a.toml") {
        Err(e @ CatalogError::Syntax { .. }) => e.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(err.starts_with("tệp danh mục a.toml có 2 lỗi:"), "{err}");
    assert!(
        err.contains("quy tắc R01: trường `totl` không dùng ở đây: có phải ý bạn là `total`?"),
        "{err}"
    );
    assert!(
        err.contains(
            "quy tắc R02: trường `severty` không dùng ở đây: có phải ý bạn là `severity`?"
        ),
        "{err}"
    );
    assert_no_english(&err);
}

#[test]
fn a_missing_catalogue_or_units_file_is_told_in_vietnamese() {
    let round = common::small_round(&common::THREE_UNITS);
    std::fs::remove_file(round.path().join("don-vi.csv")).unwrap();
    let err = load_error(round.path());
    assert!(
        err.ends_with("don-vi.csv: không có tệp hoặc thư mục này"),
        "{err}"
    );
    let err = match Catalog::load(Path::new("/khong/co/danh-muc.toml")) {
        Err(e) => e.to_string(),
        Ok(_) => panic!(),
    };
    assert_eq!(
        err,
        "không đọc được tệp danh mục /khong/co/danh-muc.toml: không có tệp hoặc thư mục này"
    );
}

// ---- Units lists as offices save them ----

/// Bytes as Windows writes Vietnamese in code page 1258: a letter the
/// code page has as one byte (ơ, ư, â, đ …), else the letter without its
/// tone mark followed by the combining tone mark ("ả" = a + 0xD2).
fn windows_1258(text: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let enc = |s: &str| {
        let (b, _, unmappable) = encoding_rs::WINDOWS_1258.encode(s);
        (!unmappable).then(|| b.into_owned())
    };
    let mut out = Vec::new();
    for c in text.chars() {
        let one = c.to_string();
        if let Some(b) = enc(&one) {
            out.extend(b);
            continue;
        }
        // The tone mark (grave, acute, tilde, hook, dot below) is written
        // after the letter; the other marks stay with it ("ệ" = "ê" + dot).
        let is_tone = |m: &char| {
            matches!(
                *m,
                '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'
            )
        };
        let nfd: Vec<char> = one.nfd().collect();
        let tone: String = nfd.iter().filter(|m| is_tone(m)).collect();
        let base: String = nfd
            .iter()
            .filter(|m| !is_tone(m))
            .collect::<String>()
            .nfc()
            .collect();
        out.extend(enc(&base).unwrap_or_else(|| panic!("{c:?} not in cp1258")));
        out.extend(enc(&tone).expect("tone mark in cp1258"));
    }
    out
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

/// The units of the sample round's list written as `bytes`.
fn units_from(bytes: &[u8], file: &str) -> Result<Vec<OrgUnit>, String> {
    let round = common::small_round(&common::THREE_UNITS);
    std::fs::remove_file(round.path().join("don-vi.csv")).unwrap();
    std::fs::write(round.path().join(file), bytes).unwrap();
    edit_settings(round.path(), |t| {
        replace(t, "units = \"don-vi.csv\"", &format!("units = \"{file}\""))
    });
    Round::load(round.path(), None)
        .map(|r| r.units)
        .map_err(|e| e.to_string())
}

#[test]
fn units_lists_in_every_encoding_and_separator_read_the_same() {
    let text = std::fs::read_to_string(common::samples().join("don-vi.csv")).unwrap();
    let expected = units_from(text.as_bytes(), "don-vi.csv").unwrap();
    assert_eq!(expected.len(), 30);
    // Excel's "CSV" on a Vietnamese Windows: semicolons (the list
    // separator where the decimal sign is a comma), Windows-1258.
    let semicolons = resplit(&text, ';');
    let tabs = resplit(&text, '\t');
    let titled =
        format!("DANH SÁCH ĐƠN VỊ BÁO CÁO;;;;\nĐợt tổng kết Đề án 241;;;;\n;;;;\n{semicolons}");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for (what, bytes) in [
        ("UTF-8 BOM", bom),
        ("UTF-16 LE", utf16(&text, true)),
        ("UTF-16 BE", utf16(&text, false)),
        ("Windows-1258", windows_1258(&text)),
        ("Windows-1258 ;", windows_1258(&semicolons)),
        ("UTF-16 LE tab", utf16(&tabs, true)),
        ("title rows, Windows-1258 ;", windows_1258(&titled)),
    ] {
        let got = units_from(&bytes, "don-vi.csv").unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, expected, "{what}");
    }
}

/// The sample CSV with fields separated by `sep` (quotes kept where a
/// field holds a comma).
fn resplit(text: &str, sep: char) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = reader.records().next().unwrap().unwrap();
        let fields: Vec<&str> = rec.iter().collect();
        out.push_str(&fields.join(&sep.to_string()));
        out.push('\n');
    }
    out
}

#[test]
fn a_units_problem_names_the_files_own_line_below_title_rows() {
    let text = "Danh sách đơn vị\n\nMã đơn vị;Tên đơn vị;Loại;Khối\nP-A;Đảng bộ phường A;Đảng bộ xã, phường;Khối xã, phường\nP-B;;Đảng bộ xã, phường;Khối xã, phường\n";
    let err = units_from(&windows_1258(text), "don-vi.csv").unwrap_err();
    assert!(err.contains("dòng 5: đơn vị \"P-B\" thiếu tên."), "{err}");
    assert_no_english(&err);
}

#[test]
fn the_parent_column_is_optional() {
    let text = "Mã đơn vị,Tên đơn vị,Loại,Khối\nP-A,Đảng bộ phường A,\"Đảng bộ xã, phường\",\"Khối xã, phường\"\n";
    let units = units_from(text.as_bytes(), "don-vi.csv").unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].parent, "Đảng bộ thành phố Lai Châu");
}

#[test]
fn a_list_without_its_header_row_says_what_to_do() {
    let text = "P-A,Đảng bộ phường A,xa_phuong,Khối\n";
    let err = units_from(text.as_bytes(), "don-vi.csv").unwrap_err();
    assert!(
        err.contains("không tìm thấy dòng tiêu đề với các cột \"Mã đơn vị\", \"Tên đơn vị\", \"Loại\", \"Khối\""),
        "{err}"
    );
    assert!(
        err.contains("File → Save As → \"CSV UTF-8 (Comma delimited) (*.csv)\""),
        "{err}"
    );
    let text = "Mã đơn vị,Tên đơn vị,Khối\nP-A,Đảng bộ phường A,Khối\n";
    let err = units_from(text.as_bytes(), "don-vi.csv").unwrap_err();
    assert!(
        err.contains("thiếu cột \"Loại\" ở dòng tiêu đề (dòng 1)."),
        "{err}"
    );
}

#[test]
fn a_units_workbook_with_a_title_row_reads() {
    let text = std::fs::read_to_string(common::samples().join("don-vi.csv")).unwrap();
    let expected = units_from(text.as_bytes(), "don-vi.csv").unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write(0, 0, "DANH SÁCH ĐƠN VỊ").unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    for (r, rec) in reader.records().enumerate() {
        for (c, v) in rec.unwrap().iter().enumerate() {
            ws.write(r as u32 + 2, c as u16, v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert_eq!(units_from(&bytes, "don-vi.xlsx").unwrap(), expected);
}

#[test]
fn the_settings_file_names_its_round_folder() {
    let round = common::small_round(&common::THREE_UNITS);
    let out = tempfile::tempdir().unwrap();
    let settings = round.path().join("tonghop.toml");
    let code = common::run_cli(&[
        "forms",
        settings.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ])
    .unwrap();
    assert_eq!(code, 0);
    assert!(out.path().join("bieu-mau-chung.xlsx").is_file());
    let r = Round::load(&settings, None).unwrap();
    assert_eq!(r.dir, round.path());
    // Another file is not a round.
    let err = load_error(&round.path().join("don-vi.csv"));
    assert!(
        err.ends_with("đây là một tệp, không phải thư mục đợt báo cáo: hãy ghi thư mục chứa tonghop.toml (hoặc chính tệp tonghop.toml của đợt)."),
        "{err}"
    );
    // A folder without tonghop.toml: how to make a round, in Vietnamese
    // (the operator on Windows has HUONG-DAN.txt, not the README).
    let empty = tempfile::tempdir().unwrap();
    let err = load_error(empty.path());
    assert!(
        err.ends_with("không có tệp tonghop.toml: đây không phải thư mục đợt báo cáo (tạo đợt mới bằng lệnh: tonghop init THƯ_MỤC; xem tệp mẫu samples/tonghop.toml và hướng dẫn HUONG-DAN.txt)."),
        "{err}"
    );
}

// ---- The command line ----

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tonghop(args: &[&str]) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .output()
        .expect("run tonghop");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// clap's own English.
fn assert_no_clap_english(text: &str) {
    for english in [
        "Usage:",
        "Options:",
        "Arguments:",
        "Commands:",
        "Print help",
        "Print version",
        "[OPTIONS]",
        "<ROUND>",
        "<DIR>",
        "<FILE>",
        "<FORMAT>",
        "error:",
        "unexpected argument",
        "panicked",
    ] {
        assert!(!text.contains(english), "English \"{english}\" in:\n{text}");
    }
}

#[test]
fn help_and_help_of_a_command_are_vietnamese() {
    let run = tonghop(&["help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Cách dùng: tonghop <LỆNH> [TÙY CHỌN]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("help         In trợ giúp của tonghop hoặc của một lệnh"),
        "{}",
        run.stdout
    );
    assert_no_clap_english(&run.stdout);
    for command in ["consolidate", "forms", "catalog", "init"] {
        let run = tonghop(&["help", command]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, tonghop(&[command, "--help"]).stdout);
        assert!(run.stdout.contains("-h, --help"), "{}", run.stdout);
        assert!(run.stdout.contains("In trợ giúp"), "{}", run.stdout);
        assert_no_clap_english(&run.stdout);
    }
    let run = tonghop(&["help", "consolidate"]);
    assert!(
        run.stdout
            .contains("Cách dùng: tonghop consolidate [TÙY CHỌN] <ĐỢT>"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("--out <THƯ_MỤC>"), "{}", run.stdout);
    let run = tonghop(&["help", "tonghop"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "Lỗi: không có lệnh \"tonghop\"; các lệnh: init, catalog, forms, consolidate, check, help."
    );
}

#[test]
fn command_line_mistakes_name_the_argument_in_vietnamese() {
    for (args, expected) in [
        (&["consolidate", "a", "b"][..], "Lỗi: thừa tham số \"b\"."),
        (&["consolidate"][..], "Lỗi: thiếu tham số bắt buộc <ĐỢT>."),
        (&["consolidate", "--quiet=3", "a"][..], "Lỗi: --quiet không nhận giá trị (ghi \"3\")."),
        (&["catalog", "--format", "xml"][..], "Lỗi: giá trị \"xml\" không hợp lệ cho --format <ĐỊNH_DẠNG>; cần một trong: tree, json, toml, xlsx."),
        (&["consolidate", "--jsn", "a"][..], "Lỗi: không có tùy chọn --jsn."),
    ] {
        let run = tonghop(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.starts_with(expected), "{args:?}: {}", run.stderr);
        assert_no_clap_english(&run.stderr);
    }
}

#[test]
fn json_output_is_an_object_whatever_fails() {
    let round = common::small_round(&common::THREE_UNITS);
    edit_settings(round.path(), |t| replace(t, "deadline =", "dealine ="));
    let bad = round.path().to_str().unwrap().to_string();
    for (args, error) in [
        (
            vec!["consolidate", "--json"],
            "thiếu tham số bắt buộc <ĐỢT>.",
        ),
        (
            vec!["consolidate", "--json", "a", "b"],
            "thừa tham số \"b\".",
        ),
        (
            vec!["consolidate", "--json", "/khong/co/dot"],
            "không có thư mục này",
        ),
        (
            vec!["consolidate", "--json", bad.as_str()],
            "có phải ý bạn là `deadline`?",
        ),
    ] {
        let run = tonghop(&args);
        assert_eq!(run.code, 2, "{args:?}");
        let v: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{}", run.stdout));
        assert_eq!(v["exit_code"], 2);
        let text = v["error"].as_str().unwrap();
        assert!(text.contains(error), "{args:?}: {text}");
        assert!(v["causes"].is_array());
    }
}

#[test]
fn a_reader_that_stops_early_is_not_a_panic() {
    use std::io::Read;
    for args in [
        &["catalog", "--format", "json"][..],
        &["catalog"][..],
        &["help"][..],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tonghop"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = [0u8; 16];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

// ---- The generic form ----

#[test]
fn the_generic_form_returned_with_no_unit_chosen_says_so() {
    use tonghop::form::{build_form, FormSpec, FormUnit, GUIDE_SHEET, GUIDE_UNIT_CELL};
    let round_dir = common::small_round(&common::THREE_UNITS);
    let round = Round::load(round_dir.path(), None).unwrap();
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Generic(&round.units),
        fill: None,
        deadline_note: None,
        saved_at: round.settings.deadline.and_hms_opt(9, 0, 0).unwrap(),
    };
    let path = round_dir.path().join("bao-cao").join("bieu-mau-chung.xlsx");
    build_form(&spec).unwrap().save(&path).unwrap();
    // The cell named is the drop-down's own.
    let cell = tonghop::cell::CellRef::new(GUIDE_UNIT_CELL.0, GUIDE_UNIT_CELL.1).to_string();
    assert_eq!(cell, "C5");
    let part = common::sheet_part(&path, GUIDE_SHEET);
    let mut xml = String::new();
    {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        zip.by_name(&part)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
    }
    assert!(xml.contains("<dataValidation type=\"list\""), "{xml}");
    assert!(
        xml.contains(&format!("sqref=\"{cell}\"")),
        "no drop-down at {cell}"
    );
    let out = tempfile::tempdir().unwrap();
    let outcome = tonghop::commands::consolidate::consolidate_round(
        round_dir.path(),
        Some(out.path().to_path_buf()),
        None,
    )
    .unwrap();
    let f = outcome
        .findings
        .iter()
        .find(|f| f.file == "bieu-mau-chung.xlsx")
        .expect("a finding about the generic form");
    assert!(
        f.message
            .contains("chưa chọn đơn vị ở ô C5 trang Hướng dẫn"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("_tonghop"), "{}", f.message);
}

// ---- A sheet the unit duplicated ----

/// Add to an .xlsx a copy of sheet `sheet` named `copy_name`, as Excel's
/// "Move or Copy → Create a copy" does (same cells, a new sheet part),
/// the copy's XML passed through `edit`.
fn duplicate_sheet(
    path: &Path,
    sheet: &str,
    copy_name: &str,
    before: bool,
    edit: impl Fn(String) -> String,
) {
    use std::io::{Read, Write};
    let part = common::sheet_part(path, sheet);
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        parts.push((entry.name().unwrap().to_string(), data));
    }
    let new_part = "xl/worksheets/sheet99.xml";
    let text = |parts: &[(String, Vec<u8>)], name: &str| {
        String::from_utf8(parts.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    let copy = edit(text(&parts, &part));
    let rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels";
    let mut added = vec![(new_part.to_string(), copy.into_bytes())];
    if let Some((_, r)) = parts.iter().find(|(n, _)| *n == rels_name) {
        added.push(("xl/worksheets/_rels/sheet99.xml.rels".into(), r.clone()));
    }
    for (name, data) in &mut parts {
        let mut s = match String::from_utf8(data.clone()) {
            Ok(s) => s,
            Err(_) => continue,
        };
        match name.as_str() {
            "[Content_Types].xml" => {
                s = s.replace("</Types>", "<Override PartName=\"/xl/worksheets/sheet99.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>");
            }
            "xl/_rels/workbook.xml.rels" => {
                s = s.replace("</Relationships>", "<Relationship Id=\"rId999\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet99.xml\"/></Relationships>");
            }
            "xl/workbook.xml" => {
                let open = format!("<sheet name=\"{sheet}\"");
                let at = s.find(&open).unwrap();
                let end = at + s[at..].find("/>").unwrap() + 2;
                s.insert_str(
                    if before { at } else { end },
                    &format!("<sheet name=\"{copy_name}\" sheetId=\"99\" r:id=\"rId999\"/>"),
                );
            }
            _ => continue,
        }
        *data = s.into_bytes();
    }
    parts.extend(added);
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in parts {
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// A return of P-A with 777 in one input cell of Biểu 04, Biểu 04
/// duplicated as "Biểu 04 (2)" through `edit`; the findings of P-A.
fn duplicated_return(
    before: bool,
    edit: impl Fn(String) -> String,
) -> Vec<tonghop::diagnostic::Finding> {
    let round_dir = common::small_round(&common::THREE_UNITS);
    let round = Round::load(round_dir.path(), None).unwrap();
    let c = &round.catalog;
    let group = c.groups.iter().find(|g| g.sheet == "Biểu 04").unwrap();
    let ind = c
        .indicators_of(&group.id)
        .find(|i| !i.is_formula() && i.kind == tonghop::catalog::IndicatorKind::Count)
        .unwrap();
    let col = c
        .columns_of(group)
        .iter()
        .find(|k| !k.is_computed())
        .unwrap();
    common::write_return(
        round_dir.path(),
        "P-A",
        "p-a.xlsx",
        &[(ind.code.as_str(), col.key.as_str(), 777.0)],
    );
    let path = round_dir.path().join("bao-cao").join("p-a.xlsx");
    duplicate_sheet(&path, "Biểu 04", "Biểu 04 (2)", before, edit);
    let out = tempfile::tempdir().unwrap();
    let outcome = tonghop::commands::consolidate::consolidate_round(
        round_dir.path(),
        Some(out.path().to_path_buf()),
        None,
    )
    .unwrap();
    outcome
        .findings
        .into_iter()
        .filter(|f| f.unit == "P-A")
        .collect()
}

#[test]
fn an_identical_copy_of_a_sheet_is_one_warning_naming_both_sheets() {
    use tonghop::diagnostic::rules;
    let findings = duplicated_return(false, |xml| xml);
    let about: Vec<_> = findings
        .iter()
        .filter(|f| f.sheet == "Biểu 04 (2)")
        .collect();
    assert_eq!(about.len(), 1, "{about:#?}");
    let f = about[0];
    assert_eq!(f.severity, tonghop::catalog::Severity::CanhBao);
    assert_eq!(f.rule, rules::DUPLICATE_SHEET);
    assert!(
        f.message.starts_with(
            "tệp p-a.xlsx: trang \"Biểu 04 (2)\" là bản sao của trang \"Biểu 04\" (cùng "
        ),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("số liệu giống hệt: chỉ đọc trang \"Biểu 04\" một lần"),
        "{}",
        f.message
    );
    assert!(
        !findings.iter().any(|f| f.rule == rules::DUPLICATE_ROW),
        "{findings:#?}"
    );
}

#[test]
fn a_copy_of_a_sheet_with_other_values_is_one_error_listing_the_cells() {
    use tonghop::diagnostic::rules;
    // The copy stands before the original, as Excel places it by default:
    // the sheet named as the form names it is still the one read.
    let findings = duplicated_return(true, |xml| {
        assert!(xml.contains("<v>777</v>"));
        xml.replace("<v>777</v>", "<v>778</v>")
    });
    let about: Vec<_> = findings
        .iter()
        .filter(|f| f.sheet == "Biểu 04 (2)")
        .collect();
    assert_eq!(about.len(), 1, "{about:#?}");
    let f = about[0];
    assert_eq!(f.severity, tonghop::catalog::Severity::Loi);
    assert_eq!(f.rule, rules::DUPLICATE_SHEET);
    assert!(
        f.message.contains("là bản sao của trang \"Biểu 04\"")
            && f.message.contains("nhưng số liệu khác nhau ở"),
        "{}",
        f.message
    );
    let cell = f.cells[0];
    assert!(
        f.message.contains(&format!(
            "ô {cell} trang \"Biểu 04\" ghi \"777\", ô {cell} trang \"Biểu 04 (2)\" ghi \"778\""
        )),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("Đã đọc trang \"Biểu 04\", bỏ qua trang \"Biểu 04 (2)\""),
        "{}",
        f.message
    );
    // The copy is not read: no finding per row, 777 is the value kept.
    assert!(
        !findings.iter().any(|f| f.rule == rules::DUPLICATE_ROW),
        "{findings:#?}"
    );
}

#[test]
fn rule_names_say_what_they_check() {
    use tonghop::diagnostic::rules;
    for name in [
        rules::FILE,
        rules::UNIT,
        rules::CONVERSION,
        rules::UNREADABLE,
        rules::ERROR_CELL,
        rules::STALE_CACHE,
        rules::RATIO,
        rules::NUMERATOR,
        rules::BOUNDS,
        rules::PLAUSIBLE,
        rules::REQUIRED,
        rules::NOT_APPLICABLE,
        rules::MISSING_ROW,
        rules::DUPLICATE_ROW,
        rules::DUPLICATE_SHEET,
    ] {
        assert!(name.split_whitespace().count() >= 4, "too terse: {name}");
    }
    let c = Catalog::embedded();
    let r01 = c.rules.iter().find(|r| r.id() == "R01").unwrap();
    assert_eq!(
        r01.finding_name(),
        "R01: Số lượt người được quán triệt theo đối tượng phải bằng tổng số lượt người"
    );
}
