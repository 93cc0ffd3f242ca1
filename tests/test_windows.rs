//! The Windows build (`tonghop.exe`, x86_64-pc-windows-gnu) run under
//! wine: same findings and totals as the Linux binary, paths with
//! diacritics, spaces and more than 260 characters, the double-click menu
//! driven from standard input, and an output held open the way Excel holds
//! it. Opt-in (`--include-ignored`, as `.ci/run` does): they need the
//! Windows target, mingw-w64 and wine64.
//!
//! Wine 8 lacks `ProcessPrng` in bcryptprimitives.dll, which Rust's
//! standard library imports; the test puts a stand-in built from
//! tests/windows/bcryptprimitives.c next to the exe (never shipped).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const NEEDS_WINE: &str = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)";

/// The cargo target folder this test binary was built in
/// (`<target>/release/deps/test_windows-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// The folder holding `tonghop.exe` (built now if out of date), the
/// ProcessPrng stand-in and the share-lock helper.
fn windows_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let target = target_dir();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "x86_64-pc-windows-gnu",
                "--bin",
                "tonghop",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo");
        assert!(status.success(), "{NEEDS_WINE}: the Windows build failed");
        let bin = target.join("wine-test");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(
            target.join("x86_64-pc-windows-gnu/release/tonghop.exe"),
            bin.join("tonghop.exe"),
        )
        .unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/windows");
        mingw(&[
            "-shared",
            "-O2",
            "-o",
            bin.join("bcryptprimitives.dll").to_str().unwrap(),
            src.join("bcryptprimitives.c").to_str().unwrap(),
            "-ladvapi32",
        ]);
        mingw(&[
            "-municode",
            "-O2",
            "-o",
            bin.join("hold-open.exe").to_str().unwrap(),
            src.join("hold-open.c").to_str().unwrap(),
        ]);
        bin
    })
}

fn mingw(args: &[&str]) {
    let status = Command::new("x86_64-w64-mingw32-gcc")
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{NEEDS_WINE}: x86_64-w64-mingw32-gcc: {e}"));
    assert!(status.success(), "x86_64-w64-mingw32-gcc {args:?}");
}

/// Put `tonghop.exe` and the ProcessPrng stand-in into `dir` (as the
/// operator puts the exe into a round folder).
fn install_exe(dir: &Path) -> PathBuf {
    for f in ["tonghop.exe", "bcryptprimitives.dll"] {
        std::fs::copy(windows_bin().join(f), dir.join(f)).unwrap();
    }
    dir.join("tonghop.exe")
}

/// `Z:\…` for a path on this machine (wine maps Z: to /).
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// `wine64` with a prefix of its own in the target folder, no debug
/// chatter and no Mono/Gecko install prompts.
fn wine(exe: &Path) -> Command {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let p = target_dir().join("wine-prefix");
        std::fs::create_dir_all(&p).unwrap();
        // Create the prefix once, before tests run wine side by side.
        let out = run(bare_wine(&p).arg("wineboot").arg("--init"));
        assert!(out.status.success(), "wineboot: {}", text(&out));
        p
    });
    let mut c = bare_wine(prefix);
    c.arg(exe);
    c
}

fn bare_wine(prefix: &Path) -> Command {
    let loader = ["/usr/lib/wine/wine64", "/usr/bin/wine64"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("wine");
    let mut c = Command::new(loader);
    c.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null());
    c
}

fn run(mut c: impl std::borrow::BorrowMut<Command>) -> Output {
    let c = c.borrow_mut();
    c.output()
        .unwrap_or_else(|e| panic!("{NEEDS_WINE}: {c:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The sample round copied into `<tmp>/Nguyễn Văn A/Báo cáo 241`.
fn sample_round(tmp: &Path) -> PathBuf {
    let round = tmp.join("Nguyễn Văn A").join("Báo cáo 241");
    copy_dir(&common::samples(), &round);
    round
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Findings as JSON values (the order is the program's, already sorted).
fn findings(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("bao-cao-loi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
#[ignore = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)"]
fn the_exe_finds_and_totals_what_the_linux_binary_does() {
    let tmp = tempfile::tempdir().unwrap();
    let round = sample_round(tmp.path());
    let linux_out = tmp.path().join("Kết quả Linux");
    let windows_out = tmp.path().join("Kết quả Windows");
    let linux = run({
        let mut c = Command::new(env!("CARGO_BIN_EXE_tonghop"));
        c.arg("consolidate")
            .arg(&round)
            .arg("--out")
            .arg(&linux_out);
        c
    });
    let exe = install_exe(tmp.path());
    let windows = run({
        let mut c = wine(&exe);
        c.args(["consolidate", &win(&round), "--out", &win(&windows_out)]);
        c
    });
    // The samples have seeded lỗi: exit 1 on both.
    assert_eq!(linux.status.code(), Some(1), "{}", text(&linux));
    assert_eq!(windows.status.code(), Some(1), "{}", text(&windows));
    let (l, w) = (findings(&linux_out), findings(&windows_out));
    assert!(l.as_array().is_some_and(|a| a.len() > 10), "{l}");
    assert_eq!(l, w, "findings differ between Linux and Windows");
    for file in ["tong-hop.xlsx", "gui-cap-tren.xlsx", "bao-cao-loi.xlsx"] {
        let (l, w) = (
            common::read_back(&linux_out.join(file)),
            common::read_back(&windows_out.join(file)),
        );
        assert_eq!(l.len(), w.len(), "{file}: sheets");
        for ((ls, lc), (ws, wc)) in l.iter().zip(&w) {
            assert_eq!(ls, ws, "{file}: sheet names");
            let differ: Vec<_> = lc
                .iter()
                .filter(|(k, v)| wc.get(k) != Some(v))
                .map(|(k, v)| (k, v, wc.get(k)))
                .collect();
            assert!(differ.is_empty(), "{file} sheet {ls}: {differ:?}");
            assert_eq!(lc.len(), wc.len(), "{file} sheet {ls}: cell count");
        }
    }
    // The summary names the outputs with the Windows path.
    let stdout = String::from_utf8(windows.stdout).unwrap();
    assert!(
        stdout.contains("Kết quả Windows\\tong-hop.xlsx"),
        "{stdout}"
    );
    assert!(stdout.contains("Kiểm tra: "), "{stdout}");
}

#[test]
#[ignore = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)"]
fn forms_and_consolidate_run_from_a_folder_with_diacritics_and_a_long_path() {
    let tmp = tempfile::tempdir().unwrap();
    // Past Windows' old 260-character limit (MAX_PATH) once a file name
    // is added.
    let mut deep = tmp.path().join("Nguyễn Văn A").join("Desktop");
    while win(&deep).chars().count() < 240 {
        deep = deep.join("Thư mục lưu trữ báo cáo năm");
    }
    let round = deep.join("Báo cáo 241");
    copy_dir(&common::samples(), &round);
    let exe = install_exe(tmp.path());
    let forms = run({
        let mut c = wine(&exe);
        c.args(["forms", &win(&round)]);
        c
    });
    assert_eq!(forms.status.code(), Some(0), "{}", text(&forms));
    let forms_dir = round.join("ket-qua").join("bieu-mau");
    let units = std::fs::read_to_string(round.join("don-vi.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    let written: Vec<_> = std::fs::read_dir(&forms_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), units + 1, "{written:?}");
    assert!(
        win(&written[0]).chars().count() > 260,
        "{}",
        win(&written[0])
    );
    assert!(text(&forms).contains(&format!("Đã tạo {} biểu mẫu", units + 1)));
    let cons = run({
        let mut c = wine(&exe);
        c.args(["consolidate", &win(&round)]);
        c
    });
    assert_eq!(cons.status.code(), Some(1), "{}", text(&cons));
    for f in [
        "tong-hop.xlsx",
        "gui-cap-tren.xlsx",
        "bao-cao-loi.xlsx",
        "bao-cao-loi.csv",
        "bao-cao-loi.json",
    ] {
        assert!(round.join("ket-qua").join(f).is_file(), "{f}");
    }
    // The forms just written are not read back as returns.
    assert!(!text(&cons).contains("bieu-mau"), "{}", text(&cons));
}

#[test]
#[ignore = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)"]
fn the_double_click_menu_takes_its_choices_from_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let round = sample_round(tmp.path());
    // Unzipped: the exe stands beside the round folder, not in it.
    let exe = install_exe(round.parent().unwrap());
    let mut c = wine(&exe);
    c.current_dir(round.parent().unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    // Forms, consolidate, a choice that is not on the menu, quit, Enter.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1\r\n2\r\n7\r\n0\r\n\r\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = text(&out);
    // The last command run was consolidate, with lỗi in the samples.
    assert_eq!(out.status.code(), Some(1), "{shown}");
    for expected in [
        "Đợt báo cáo: Tổng kết thực hiện Đề án 241 giai đoạn 2016 - 2020",
        "1. Tạo biểu mẫu cho các đơn vị",
        "3. Kiểm tra một tệp báo cáo",
        "4. Mở thư mục kết quả",
        "Đã tạo ",
        "Đơn vị: 30 phải nộp",
        "Không có mục \"7\"",
        "Nhấn Enter để đóng cửa sổ.",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in:\n{shown}");
    }
    assert!(round.join("ket-qua/bieu-mau/bieu-mau-chung.xlsx").is_file());
    assert!(round.join("ket-qua/tong-hop.xlsx").is_file());

    // The round folder dropped onto an exe that stands elsewhere.
    let elsewhere = tmp.path().join("Tải về");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let exe = install_exe(&elsewhere);
    let mut c = wine(&exe);
    c.arg(win(&round))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"0\r\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(&format!("Thư mục: {}", win(&round))));

    // Double-clicked where there is no round.
    let out = run({
        let mut c = wine(&exe);
        c.current_dir(&elsewhere);
        c
    });
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("Không tìm thấy đợt báo cáo: không có tệp tonghop.toml"),
        "{}",
        text(&out)
    );
}

/// `hold-open.exe FILE` under wine, once it holds the file; dropping the
/// returned stdin lets it go.
fn hold_open(file: &Path) -> (std::process::Child, std::process::ChildStdin) {
    let mut c = wine(&windows_bin().join("hold-open.exe"));
    c.arg(win(file))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = c.spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "held", "hold-open.exe did not open {file:?}");
    (child, stdin)
}

#[test]
#[ignore = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)"]
fn an_output_open_in_excel_is_named_and_the_others_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let round = sample_round(tmp.path());
    let exe = install_exe(tmp.path());
    let consolidate = || {
        let mut c = wine(&exe);
        c.args(["consolidate", &win(&round)]);
        run(c)
    };
    let first = consolidate();
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let out = round.join("ket-qua");
    let before = std::fs::read(out.join("tong-hop.xlsx")).unwrap();
    // Last run's outputs made old, to see which ones the next run writes.
    let old = "2021-01-01 08:00";
    let others = [
        "gui-cap-tren.xlsx",
        "bao-cao-loi.xlsx",
        "bao-cao-loi.csv",
        "bao-cao-loi.json",
    ];
    for f in others.iter().chain(&["tong-hop.xlsx"]) {
        common::set_mtime(&out.join(f), old);
    }
    let (mut holder, release) = hold_open(&out.join("tong-hop.xlsx"));
    let second = consolidate();
    drop(release);
    holder.wait().unwrap();
    let shown = text(&second);
    assert_eq!(second.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(&format!(
            "không ghi được {}: tệp đang mở trong Excel (hoặc chương trình khác). Đóng tệp này trong Excel rồi chạy lại",
            win(&out.join("tong-hop.xlsx"))
        )),
        "{shown}"
    );
    assert!(shown.contains("Chưa ghi được:"), "{shown}");
    let cutoff = std::time::SystemTime::from(
        chrono::NaiveDateTime::parse_from_str(old, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc(),
    );
    for f in others {
        let modified = std::fs::metadata(out.join(f)).unwrap().modified().unwrap();
        assert!(modified > cutoff, "{f} was not written again");
        assert!(shown.contains(f), "{f} not in the summary:\n{shown}");
    }
    assert_eq!(std::fs::read(out.join("tong-hop.xlsx")).unwrap(), before);
    // No temporary file left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tonghop-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
#[ignore = "needs wine64, mingw-w64 and the Windows target (.ci/run installs them)"]
fn a_form_open_in_excel_is_named_and_the_other_forms_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let round = sample_round(tmp.path());
    let exe = install_exe(tmp.path());
    let forms = || {
        let mut c = wine(&exe);
        c.args(["forms", &win(&round)]);
        run(c)
    };
    let first = forms();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let dir = round.join("ket-qua").join("bieu-mau");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let old = "2021-01-01 08:00";
    for f in &files {
        common::set_mtime(f, old);
    }
    let held = files[0].clone();
    let (mut holder, release) = hold_open(&held);
    let second = forms();
    drop(release);
    holder.wait().unwrap();
    let shown = text(&second);
    assert_eq!(second.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(&format!(
            "Đã tạo {} trong {} biểu mẫu",
            files.len() - 1,
            files.len()
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "Lỗi: không ghi được {}: tệp đang mở trong Excel",
            win(&held)
        )),
        "{shown}"
    );
    let cutoff = std::fs::metadata(&held).unwrap().modified().unwrap();
    for f in &files[1..] {
        let modified = std::fs::metadata(f).unwrap().modified().unwrap();
        assert!(modified > cutoff, "{} was not written again", f.display());
    }
}
