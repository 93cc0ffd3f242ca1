//! The double-click menu (`tonghop` with no argument, or with a round
//! folder as its only argument) driven through standard input, on this
//! system's binary; tests/test_windows.rs runs the same under wine.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Run the binary in `cwd` with `args`, typing `input`.
fn menu(cwd: &Path, args: &[&Path], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn shown(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The sample round copied to `<dir>/<name>`.
fn copy_samples(dir: &Path, name: &str) -> PathBuf {
    let round = dir.join(name);
    copy_dir(&common::samples(), &round);
    let _ = std::fs::remove_dir_all(round.join("ket-qua"));
    round
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn in_a_round_folder_the_menu_runs_forms_then_consolidate() {
    let tmp = tempfile::tempdir().unwrap();
    let round = copy_samples(tmp.path(), "Báo cáo 241");
    let out = menu(&round, &[], "1\n\n2\nx\n0\n\n");
    let text = shown(&out);
    // The last command run: consolidate, with the samples' seeded lỗi.
    assert_eq!(out.status.code(), Some(1), "{text}");
    for expected in [
        "Đợt báo cáo: Tổng kết thực hiện Đề án 241 giai đoạn 2016 - 2020",
        "  1. Tạo biểu mẫu cho các đơn vị",
        "  2. Tổng hợp các báo cáo đã nộp",
        "  3. Kiểm tra một tệp báo cáo",
        "  4. Mở thư mục kết quả",
        "  0. Thoát",
        "Đang tạo biểu mẫu...",
        "Đã tạo 31 biểu mẫu (30 đơn vị và 1 biểu mẫu chung)",
        "Đơn vị: 30 phải nộp, 27 đã nộp",
        "Kiểm tra: ",
        "Không có mục \"x\": gõ 0, 1, 2, 3 hoặc 4.",
        "Nhấn Enter để đóng cửa sổ.",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(round.join("ket-qua/bieu-mau/bieu-mau-chung.xlsx").is_file());
    assert!(round.join("ket-qua/tong-hop.xlsx").is_file());
    // The menu is shown again after each command: four times here (forms,
    // the empty line, consolidate, "x"), then 0.
    assert_eq!(text.matches("Chọn một số rồi nhấn Enter").count(), 5);
}

#[test]
fn a_dropped_folder_is_the_round_and_the_end_of_input_ends_the_menu() {
    let tmp = tempfile::tempdir().unwrap();
    let round = copy_samples(tmp.path(), "Báo cáo 241");
    let out = menu(tmp.path(), &[&round], "");
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(
        shown(&out).contains(&format!("Thư mục: {}", round.display())),
        "{}",
        shown(&out)
    );
    // With no return written yet, "open the output folder" says so.
    let out = menu(tmp.path(), &[&round], "4\n0\n");
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(shown(&out).contains(&format!(
        "Chưa có thư mục kết quả {}: chọn 1 (tạo biểu mẫu) hoặc 2 (tổng hợp) trước.",
        round.join("ket-qua").display()
    )));
}

#[test]
fn beside_several_rounds_the_menu_asks_which() {
    let tmp = tempfile::tempdir().unwrap();
    copy_samples(tmp.path(), "Đợt A");
    let b = copy_samples(tmp.path(), "Đợt B");
    std::fs::create_dir_all(tmp.path().join("Tài liệu khác")).unwrap();
    let out = menu(tmp.path(), &[], "3\n2\n0\n");
    let text = shown(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Có 2 đợt báo cáo:"), "{text}");
    assert!(text.contains("Không có đợt số \"3\"."), "{text}");
    assert!(
        text.contains(&format!("Thư mục: {}", b.display())),
        "{text}"
    );
}

#[test]
fn without_a_round_the_menu_says_where_it_looked() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("Tải về")).unwrap();
    let out = menu(tmp.path(), &[], "\n");
    let text = shown(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("Không tìm thấy đợt báo cáo: không có tệp tonghop.toml trong"),
        "{text}"
    );
    assert!(text.contains(&tmp.path().display().to_string()), "{text}");
    assert!(text.contains("Nhấn Enter để đóng cửa sổ."), "{text}");
}

#[test]
fn check_one_file_runs_the_check_command_when_there_is_one() {
    let tmp = tempfile::tempdir().unwrap();
    let round = copy_samples(tmp.path(), "Báo cáo 241");
    let file = round.join("bao-cao/kho-bac.xlsx");
    // A path dropped onto the console window comes quoted.
    let out = menu(&round, &[], &format!("3\n\"{}\"\n0\n", file.display()));
    let text = shown(&out);
    let has_check = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["check", "--help"])
        .output()
        .unwrap()
        .status
        .success();
    let missing = "Bản tonghop này chưa có lệnh kiểm tra một tệp.";
    if has_check {
        assert!(!text.contains(missing), "{text}");
        assert_ne!(out.status.code(), Some(2), "{text}");
    } else {
        assert!(text.contains(missing), "{text}");
        assert_eq!(out.status.code(), Some(2), "{text}");
    }
}

#[test]
fn command_lines_with_arguments_are_not_the_menu() {
    let tmp = tempfile::tempdir().unwrap();
    let out = menu(tmp.path(), &[Path::new("--version")], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(!shown(&out).contains("Chọn một số"));
    // A file (not a folder) as the only argument is a command-line error,
    // as before.
    let file = tmp.path().join("a.xlsx");
    std::fs::write(&file, b"x").unwrap();
    let out = menu(tmp.path(), &[&file], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        shown(&out).contains("Lỗi: không có lệnh"),
        "{}",
        shown(&out)
    );
}
