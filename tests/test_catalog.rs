//! `tonghop catalog`: the embedded catalogue, its TOML and JSON exports
//! reading back, and `--check` finding seeded mistakes and syntax errors
//! (in Vietnamese, with their line).

mod common;

use std::process::Command;

use tonghop::catalog::{validate, Catalog, IndicatorKind, EMBEDDED_TOML};

fn tonghop(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .output()
        .expect("run tonghop");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn tree_shows_every_outline_item_of_the_issue() {
    let (code, out) = tonghop(&["catalog"]);
    assert_eq!(code, 0);
    for needle in [
        "Số đảng viên",
        "chưa là đảng viên",
        "chi bộ trực thuộc",
        "Số hộ dân",
        "Số khẩu",
        "thuận lợi",
        "khó khăn",
        "Đài Tiếng nói Việt Nam",
        "Đài Phát thanh - Truyền hình tỉnh",
        "Đài Truyền thanh Thành phố",
        "báo cáo viên",
        "phát sinh",
        "đã xử lý",
        "xúc tiến đầu tư",
        "đoàn công tác",
        "hộ gia đình",
        "nhà văn hóa",
        "đội văn nghệ",
        "thư viện",
        "tủ sách pháp luật",
        "bưu điện văn hóa",
        "Chi hội văn học",
        "lịch sử",
        "Quy định 164",
        "lý luận chính trị",
        "kỷ luật",
        "tuyên truyền viên",
        "cộng tác viên dư luận xã hội",
        "giảng viên",
        "văn nghệ sĩ",
        "nghệ nhân",
        "Ưu điểm",
        "Hạn chế",
        "khách quan",
        "chủ quan",
        "Kinh nghiệm",
        "Nhiệm vụ",
        "Giải pháp",
        "Kiến nghị",
    ] {
        assert!(
            out.to_lowercase().contains(&needle.to_lowercase()),
            "catalog tree lacks \"{needle}\""
        );
    }
}

/// The first path where two JSON values differ, e.g.
/// `rules[3].left: "03.07" ≠ "03.06"`; `None` when equal.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (&x.get(key), &y.get(key));
                let here = format!("{path}.{key}");
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(va, vb, &here) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{here}: {va:?} ≠ {vb:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(va, vb, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} ≠ {b}")),
    }
}

/// Every export format reads back as the same catalogue: `catalog
/// --check` accepts it, `--catalog` reads it, and the catalogue read is
/// the original field by field, with the same hash and layout.
#[test]
fn every_export_reads_back_as_the_same_catalogue() {
    let original = Catalog::embedded();
    let want = serde_json::to_value(&original).unwrap();
    let (_, tree) = tonghop(&["catalog"]);
    let dir = tempfile::tempdir().unwrap();
    for format in ["toml", "json"] {
        let (code, text) = tonghop(&["catalog", "--format", format]);
        assert_eq!(code, 0, "{text}");
        let path = dir.path().join(format!("danh-muc.{format}"));
        std::fs::write(&path, &text).unwrap();
        let p = path.to_str().unwrap();
        let (code, out) = tonghop(&["catalog", "--check", p]);
        assert_eq!(code, 0, "{format}: {out}");
        assert!(
            out.contains("hợp lệ: 15 biểu, 227 chỉ tiêu, 35 quy tắc"),
            "{out}"
        );
        // Read back through --catalog: the same tree, the same export.
        assert_eq!(tonghop(&["catalog", "--catalog", p]), (0, tree.clone()));
        assert_eq!(
            tonghop(&["catalog", "--catalog", p, "--format", format]),
            (0, text.clone())
        );
        let back = Catalog::load(&path).unwrap();
        let got = serde_json::to_value(&back).unwrap();
        assert_eq!(first_difference(&want, &got, format), None);
        assert_eq!(back.hash, original.hash, "{format}");
        assert_eq!(back.layout_hash(), original.layout_hash(), "{format}");
        assert_eq!(back.rules, original.rules, "{format}");
        // The hash a file carries is informative: an edited export gets the
        // hash of its new content.
        let edited = text.replacen("Số đảng viên", "Tổng số đảng viên", 1);
        let e = Catalog::from_text(&edited, "sửa").unwrap();
        assert_ne!(e.hash, original.hash, "{format}");
        assert_eq!(e.hash, e.content_hash());
    }
}

/// `catalog --format json | head`: a reader that stops early is no error.
#[test]
fn an_export_into_a_closed_pipe_does_not_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["catalog", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout dropped: the rest of the export goes to a closed pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn households_apply_only_to_wards_and_every_percentage_has_its_parts() {
    let c = Catalog::embedded();
    let hh = c.indicator("01.04").unwrap();
    assert_eq!(hh.applies_to, vec!["xa_phuong".to_string()]);
    for i in c
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Percent)
    {
        assert!(
            i.numerator.is_some() && i.denominator.is_some(),
            "{} has no tử số / mẫu số",
            i.code
        );
    }
    assert!(validate(&c).is_empty());
}

/// Each seeded mistake and a fragment of the message it must produce.
#[test]
fn check_reports_every_seeded_mistake_with_its_location() {
    let mut text = EMBEDDED_TOML.to_string();
    let edits: [(&str, &str); 7] = [
        // 1. duplicate mã số
        ("code = \"01.02\"", "code = \"01.01\""),
        // 2. rule naming an unknown code
        ("total = \"02.04\"", "total = \"02.99\""),
        // 3. percentage whose mẫu số is not a count (points at a percentage)
        ("denominator = \"05.22\"", "denominator = \"05.03\""),
        // 4. unknown unit type
        (
            "applies_to = [\"xa_phuong\"]",
            "applies_to = [\"phuong_xa\"]",
        ),
        // 5. unknown column set
        ("columns = \"giai_doan\"", "columns = \"giai_doan_x\""),
        // 6. min > max
        (
            "code = \"01.05\"",
            "code = \"01.05\"\nmin = 10.0\nmax = 1.0",
        ),
        // 7. a sum over different units of measure
        (
            "code = \"02.07\"",
            "code = \"02.07\"\n# measure changed below",
        ),
    ];
    for (from, to) in edits {
        assert!(text.contains(from), "fixture anchor {from} missing");
        text = text.replacen(from, to, 1);
    }
    text = text.replacen(
        "label = \"Quần chúng Nhân dân\"\nkind = \"count\"\nmeasure = \"lượt người\"",
        "label = \"Quần chúng Nhân dân\"\nkind = \"count\"\nmeasure = \"người\"",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, &text).unwrap();
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    for expected in [
        "chỉ tiêu 01.01: mã số \"01.01\" bị trùng",
        "quy tắc nhắc đến mã số \"02.99\" không có trong danh mục",
        "là tỷ lệ %, không phải số đếm",
        "loại đơn vị \"phuong_xa\" không được khai báo",
        "bộ cột \"giai_doan_x\" không được khai báo",
        "giới hạn dưới 10 lớn hơn giới hạn trên 1",
        "phép cộng gộp các chỉ tiêu khác đơn vị tính",
    ] {
        assert!(
            out.contains(expected),
            "--check output lacks \"{expected}\":\n{out}"
        );
    }
}

#[test]
fn check_accepts_the_embedded_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.toml");
    std::fs::write(&path, EMBEDDED_TOML).unwrap();
    let (code, out) = tonghop(&["catalog", "--check", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hợp lệ"));
}

/// `catalog_hash` is a hash of the content, not of the TOML text.
#[test]
fn a_reformatted_catalogue_keeps_its_hash_and_a_corrected_label_its_layout() {
    let c = Catalog::embedded();
    let reformatted = format!(
        "# danh mục, định dạng lại\n\n{}",
        EMBEDDED_TOML.replace("\n[[", "\n\n# ---\n[[")
    );
    let r = Catalog::from_text(&reformatted, "reformatted").unwrap();
    assert_ne!(r.text_hash, c.text_hash);
    assert_eq!(r.hash, c.hash);
    let relabelled = EMBEDDED_TOML.replacen(
        "label = \"Số đảng viên\"",
        "label = \"Tổng số đảng viên\"",
        1,
    );
    let l = Catalog::from_text(&relabelled, "relabelled").unwrap();
    assert_ne!(l.hash, c.hash);
    assert_eq!(l.layout_hash(), c.layout_hash());
    assert!(l.layout_changes(&c.layout_text()).is_empty());
}

/// Mid-round catalogue edits: returns written with the catalogue before the
/// edit are read when no cell moved, rejected naming what changed when one
/// did; older forms (the samples: only the hash of the TOML text) are read
/// under the same catalogue file.
#[test]
fn returns_survive_a_label_fix_but_not_a_change_that_moves_cells() {
    use tonghop::ingest::{read_file, Fate, Rejection};
    const A: &str = "CB-VPTU";
    let (dir, round) = common::sample_units_round(&[A], "");
    let fill = common::clean_fill(&round, A, 1);
    let path = common::write_saved_return(&round, A, Some(&fill), "2021-06-10 09:00", "a.xlsx");
    let sample = common::samples()
        .join("bao-cao")
        .join("cb-vptu-chi-bo-van-phong-thanh-uy.xlsx");
    let with_catalog = |text: &str| {
        std::fs::write(dir.path().join("danh-muc.toml"), text).unwrap();
        let toml = dir.path().join("tonghop.toml");
        let settings = std::fs::read_to_string(&toml).unwrap();
        if !settings.contains("\ncatalog = ") {
            std::fs::write(
                &toml,
                settings.replacen(
                    "\n[cap_tren]",
                    "\ncatalog = \"danh-muc.toml\"\n[cap_tren]",
                    1,
                ),
            )
            .unwrap();
        }
        tonghop::round::Round::load(dir.path(), None).unwrap()
    };
    // The same catalogue as a file: both the new and the older forms read.
    let same = with_catalog(EMBEDDED_TOML);
    assert_eq!(read_file(&path, "a.xlsx", &same).fate, Fate::Accepted);
    assert_eq!(read_file(&sample, "s.xlsx", &same).fate, Fate::Accepted);
    // A corrected label: the new form reads, the older one (no layout in
    // its hidden sheet) is rejected with the reason.
    let fixed = with_catalog(&EMBEDDED_TOML.replacen(
        "label = \"Số đảng viên\"",
        "label = \"Tổng số đảng viên\"",
        1,
    ));
    let r = read_file(&path, "a.xlsx", &fixed);
    assert_eq!(r.fate, Fate::Accepted, "{:?}", r.findings);
    match read_file(&sample, "s.xlsx", &fixed).fate {
        Fate::Rejected {
            reason: Rejection::OtherForm(reason),
        } => assert!(reason.contains("layout_hash"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A year column inserted: cells move, the return is rejected naming the
    // forms whose columns changed.
    let moved = with_catalog(&EMBEDDED_TOML.replacen(
        "  { key = \"n2016\", label = \"Năm 2016\" },",
        "  { key = \"n2015\", label = \"Năm 2015\" },\n  { key = \"n2016\", label = \"Năm 2016\" },",
        1,
    ));
    match read_file(&path, "a.xlsx", &moved).fate {
        Fate::Rejected {
            reason: Rejection::OtherForm(reason),
        } => assert!(
            reason.contains(
                "Biểu số 02 (Công tác lãnh đạo, chỉ đạo thực hiện Đề án): các cột đã đổi"
            ),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    // A chỉ tiêu whose kind changes: its rows changed.
    let kind = with_catalog(&EMBEDDED_TOML.replacen(
        "label = \"Số văn bản lãnh đạo, chỉ đạo thực hiện Đề án đã ban hành\"\nkind = \"count\"",
        "label = \"Số văn bản lãnh đạo, chỉ đạo thực hiện Đề án đã ban hành\"\nkind = \"quantity\"",
        1,
    ));
    match read_file(&path, "a.xlsx", &kind).fate {
        Fate::Rejected {
            reason: Rejection::OtherForm(reason),
        } => assert!(
            reason.contains(
                "Biểu số 02 (Công tác lãnh đạo, chỉ đạo thực hiện Đề án): các dòng đã đổi"
            ) && !reason.contains("Biểu số 01"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
}

/// The embedded catalogue's hash is what forms already sent carry: it must
/// not change with the program (only with the catalogue's content).
#[test]
fn the_embedded_catalogue_keeps_its_hash_across_program_versions() {
    assert_eq!(
        Catalog::embedded().hash,
        "d4739fd6d5adc80cdc11c65795fc96673fb13e6fe841c7185caa747d63c6c7b9"
    );
}

/// Run `catalog --check` on the embedded catalogue with one edit: exit
/// status and output (stdout and stderr).
fn check_edited(from: &str, to: &str) -> (i32, String) {
    assert!(
        EMBEDDED_TOML.contains(from),
        "fixture anchor {from} missing"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sua.toml");
    std::fs::write(&path, EMBEDDED_TOML.replacen(from, to, 1)).unwrap();
    tonghop(&["catalog", "--check", path.to_str().unwrap()])
}

/// The line of `needle` in the embedded catalogue (1-based).
fn line_of(needle: &str) -> usize {
    EMBEDDED_TOML[..EMBEDDED_TOML.find(needle).unwrap()]
        .matches('\n')
        .count()
        + 1
}

fn assert_no_english(out: &str) {
    for english in [
        "missing field",
        "unknown field",
        "expected",
        "invalid",
        "TOML parse",
    ] {
        assert!(!out.contains(english), "English in:\n{out}");
    }
}

#[test]
fn a_sum_rule_without_its_total_is_an_error_at_its_line() {
    let rule = "[[rules]]\nid = \"R01\"\nkind = \"sum\"\ntotal = \"02.04\"\n";
    let (code, out) = check_edited(rule, "[[rules]]\nid = \"R01\"\nkind = \"sum\"\n");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "dòng {}, cột 1: quy tắc R01: thiếu trường `total`: quy tắc cộng",
            line_of(rule)
        )),
        "{out}"
    );
    assert_no_english(&out);
}

#[test]
fn a_rule_with_a_field_of_another_kind_is_an_error_at_its_line() {
    // R05 is the fifth rule: the position is its own, not the first rule's.
    let rule = "id = \"R05\"\nkind = \"at_most\"\nleft = \"03.07\"\n";
    let (code, out) = check_edited(rule, &format!("{rule}total = \"03.05\"\n"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "dòng {}, cột 1: quy tắc R05: trường `total` không dùng ở đây; các trường được dùng: id, kind, left, right, severity, label.",
            line_of(rule) - 1
        )),
        "{out}"
    );
    assert_no_english(&out);
    let (code, out) = check_edited("kind = \"at_most\"", "kind = \"at_mast\"");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("quy tắc R02: giá trị \"at_mast\" không hợp lệ; cần một trong: sum, sum_at_most, at_most."),
        "{out}"
    );
    assert_no_english(&out);
}

#[test]
fn a_value_of_the_wrong_type_is_named_in_vietnamese_with_its_line() {
    let (code, out) = check_edited("percent_tolerance = 0.5", "percent_tolerance = \"0,5\"");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "dòng {}, cột 21: giá trị sai kiểu: ghi văn bản \"0,5\", cần một số.",
            line_of("percent_tolerance")
        )),
        "{out}"
    );
    assert_no_english(&out);
}

/// Syntax errors of both formats: the variant with its position, the
/// message in Vietnamese.
#[test]
fn toml_and_json_syntax_errors_carry_their_line() {
    use tonghop::catalog::{CatalogError, SyntaxError};
    let broken = EMBEDDED_TOML.replacen("[[rules]]\nid = \"R02\"", "[[rules]\nid = \"R02\"", 1);
    match Catalog::from_text(&broken, "a.toml") {
        Err(CatalogError::Syntax { errors, .. }) if errors.len() == 1 => {
            let SyntaxError { line, message, .. } = &errors[0];
            let (line, message) = (*line, message.as_str());
            assert_eq!(line, line_of("id = \"R02\"") - 1);
            assert_eq!(message, "quy tắc R02: thiếu \"]]\" đóng tên bảng [[…]].");
        }
        other => panic!("{other:?}"),
    }
    let json = serde_json::to_string_pretty(&Catalog::embedded()).unwrap();
    let broken = json.replacen("\"version\": \"2021.1\",", "\"version\": \"2021.1\"", 1);
    match Catalog::from_text(&broken, "a.json") {
        Err(e @ CatalogError::Syntax { .. }) => {
            let text = e.to_string();
            assert!(
                text.starts_with("tệp danh mục a.json, dòng 4, cột 3: thiếu dấu phẩy hoặc dấu }."),
                "{text}"
            );
            assert_no_english(&text);
        }
        other => panic!("{other:?}"),
    }
}
