//! The menu for an operator who never opens a terminal: `tonghop.exe`
//! double-clicked (no arguments) or with a round folder dropped onto it
//! (one argument that is a folder, not a command). It finds the round,
//! offers a short Vietnamese menu read from standard input, runs the
//! chosen command as `tonghop <command>` would (progress and summary on
//! the console), and waits for Enter before the window closes. Any other
//! command line goes to clap unchanged.

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::cli::Cli;
use crate::round::SETTINGS_FILE;

/// Where the menu looks for the round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Double-clicked: the folder the exe stands in, then the current
    /// folder (the exe run from a terminal in a round folder).
    NoArguments(Vec<PathBuf>),
    /// A folder dropped onto the exe.
    Dropped(PathBuf),
}

/// Whether this command line is for the menu: no argument at all, or one
/// argument naming an existing folder that is not a command or a flag.
/// `None` means "parse it with clap as always".
pub fn start(args: &[OsString]) -> Option<Start> {
    match args {
        [_] => {
            let mut places = Vec::new();
            if let Some(dir) = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
            {
                places.push(dir);
            }
            if let Ok(cwd) = std::env::current_dir() {
                if !places.contains(&cwd) {
                    places.push(cwd);
                }
            }
            Some(Start::NoArguments(places))
        }
        [_, one] => {
            let text = one.to_string_lossy();
            let command = Cli::try_parse_from(["tonghop", text.as_ref(), "--help"])
                .err()
                .is_some_and(|e| e.kind() != clap::error::ErrorKind::InvalidSubcommand);
            let path = PathBuf::from(one);
            (!text.starts_with('-') && !command && path.is_dir()).then_some(Start::Dropped(path))
        }
        _ => None,
    }
}

/// One entry of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Forms,
    Consolidate,
    CheckFile,
    OpenOutput,
    Quit,
}

impl Choice {
    const MENU: [(Choice, &'static str); 5] = [
        (Choice::Forms, "Tạo biểu mẫu cho các đơn vị"),
        (Choice::Consolidate, "Tổng hợp các báo cáo đã nộp"),
        (Choice::CheckFile, "Kiểm tra một tệp báo cáo"),
        (Choice::OpenOutput, "Mở thư mục kết quả"),
        (Choice::Quit, "Thoát"),
    ];

    fn key(self) -> &'static str {
        match self {
            Choice::Forms => "1",
            Choice::Consolidate => "2",
            Choice::CheckFile => "3",
            Choice::OpenOutput => "4",
            Choice::Quit => "0",
        }
    }

    fn parse(answer: &str) -> Option<Choice> {
        Choice::MENU
            .iter()
            .map(|(c, _)| *c)
            .find(|c| c.key() == answer.trim())
    }
}

/// Run the menu on the real console; returns the exit status of the last
/// command run (0 when none ran, 2 when no round was found).
pub fn run(start: Start) -> u8 {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let code = run_with(start, &mut input);
    wait_for_enter(&mut input);
    code
}

/// [`run`] reading the choices from `input` (tests give them as lines).
pub fn run_with(start: Start, input: &mut dyn BufRead) -> u8 {
    println!("tonghop {} — Tổng hợp báo cáo", env!("CARGO_PKG_VERSION"));
    let Some(round) = find_round(&start, input) else {
        return 2;
    };
    let title = match crate::round::Round::load(&round, None) {
        Ok(r) => r.settings.title,
        Err(e) => {
            print_error(&anyhow::Error::new(e));
            return 2;
        }
    };
    let mut code = 0;
    loop {
        println!();
        println!("Đợt báo cáo: {title}");
        println!("Thư mục: {}", round.display());
        for (choice, text) in Choice::MENU {
            println!("  {}. {text}", choice.key());
        }
        let Some(answer) = ask("Chọn một số rồi nhấn Enter: ", input) else {
            return code;
        };
        if answer.trim().is_empty() {
            continue;
        }
        let Some(choice) = Choice::parse(&answer) else {
            println!("Không có mục \"{}\": gõ 0, 1, 2, 3 hoặc 4.", answer.trim());
            continue;
        };
        println!();
        code = match choice {
            Choice::Quit => return code,
            Choice::Forms => {
                println!("Đang tạo biểu mẫu...");
                command(&[OsString::from("forms"), round.clone().into()])
            }
            Choice::Consolidate => {
                println!("Đang đọc, kiểm tra và tổng hợp các báo cáo đã nộp...");
                command(&[OsString::from("consolidate"), round.clone().into()])
            }
            Choice::CheckFile => {
                let Some(file) = ask(
                    "Kéo tệp báo cáo vào cửa sổ này (hoặc gõ đường dẫn của tệp) rồi nhấn Enter: ",
                    input,
                ) else {
                    return code;
                };
                check_file(&round, &dropped_path(&file))
            }
            Choice::OpenOutput => open_output(&round),
        };
    }
}

/// The round folder to work on, or `None` after saying (in Vietnamese) why
/// there is none: a folder is a round when it holds `tonghop.toml`; when
/// the folder itself is not one, its subfolders that are (the zip puts the
/// exe beside the sample round) are offered, and several are chosen from.
fn find_round(start: &Start, input: &mut dyn BufRead) -> Option<PathBuf> {
    let places = match start {
        Start::NoArguments(places) => places.clone(),
        Start::Dropped(dir) => vec![dir.clone()],
    };
    if let Some(dir) = places.iter().find(|d| d.join(SETTINGS_FILE).is_file()) {
        return Some(dir.clone());
    }
    let mut rounds: Vec<PathBuf> = Vec::new();
    for dir in &places {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut inside: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join(SETTINGS_FILE).is_file())
            .collect();
        inside.sort();
        if !inside.is_empty() {
            rounds = inside;
            break;
        }
    }
    match rounds.len() {
        0 => {
            let names: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
            println!(
                "Không tìm thấy đợt báo cáo: không có tệp {SETTINGS_FILE} trong {} hay trong thư mục con nào của nó.",
                names.join(" hoặc ")
            );
            println!(
                "Đặt tonghop.exe vào thư mục đợt báo cáo (thư mục có {SETTINGS_FILE}), hoặc kéo thư mục đó thả vào tonghop.exe."
            );
            None
        }
        1 => rounds.pop(),
        _ => loop {
            println!("Có {} đợt báo cáo:", rounds.len());
            for (i, r) in rounds.iter().enumerate() {
                println!("  {}. {}", i + 1, r.display());
            }
            let answer = ask("Chọn đợt báo cáo (gõ số rồi nhấn Enter): ", input)?;
            match answer.trim().parse::<usize>() {
                Ok(n) if (1..=rounds.len()).contains(&n) => return Some(rounds[n - 1].clone()),
                _ => println!("Không có đợt số \"{}\".", answer.trim()),
            }
        },
    }
}

/// Print `prompt` and read one line; `None` at the end of the input.
fn ask(prompt: &str, input: &mut dyn BufRead) -> Option<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => {
            println!();
            None
        }
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

/// A path typed, pasted or dropped onto the console window: Windows puts
/// quotes around a dropped path with spaces.
fn dropped_path(text: &str) -> PathBuf {
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t);
    PathBuf::from(t)
}

/// Run `tonghop ARGS...` in this process, printing errors as `main`
/// does; returns its exit status.
fn command(args: &[OsString]) -> u8 {
    let argv = std::iter::once(OsString::from("tonghop")).chain(args.iter().cloned());
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(_) => {
            let line: Vec<String> = args.iter().map(|a| a.to_string_lossy().into()).collect();
            println!("Lỗi: không chạy được lệnh tonghop {}.", line.join(" "));
            return 2;
        }
    };
    match crate::commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            2
        }
    }
}

/// "Kiểm tra một tệp": `tonghop check FILE --round ROUND` (issue 13's
/// command) when this build has it.
fn check_file(round: &Path, file: &Path) -> u8 {
    let args = [
        OsString::from("check"),
        file.into(),
        "--round".into(),
        round.into(),
    ];
    let has_check = Cli::try_parse_from(["tonghop", "check", "--help"])
        .err()
        .is_some_and(|e| e.kind() == clap::error::ErrorKind::DisplayHelp);
    if !has_check {
        println!(
            "Bản tonghop này chưa có lệnh kiểm tra một tệp. Chọn 2 (tổng hợp): bao-cao-loi.xlsx trong thư mục kết quả ghi lỗi của từng tệp đã nộp."
        );
        return 2;
    }
    command(&args)
}

/// "Mở thư mục kết quả": the output folder of `tonghop.toml` in the file
/// manager (Explorer on Windows).
fn open_output(round: &Path) -> u8 {
    let out = match crate::round::Round::load(round, None) {
        Ok(r) => r.dir.join(&r.settings.output),
        Err(e) => {
            print_error(&anyhow::Error::new(e));
            return 2;
        }
    };
    if !out.is_dir() {
        println!(
            "Chưa có thư mục kết quả {}: chọn 1 (tạo biểu mẫu) hoặc 2 (tổng hợp) trước.",
            out.display()
        );
        return 2;
    }
    let opener = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener).arg(&out).spawn() {
        Ok(_) => {
            println!("Đã mở {}.", out.display());
            0
        }
        Err(_) => {
            println!("Không mở được thư mục; kết quả nằm ở {}.", out.display());
            2
        }
    }
}

/// An error and its causes, as `main` prints them.
fn print_error(e: &anyhow::Error) {
    let top = e.to_string();
    println!("Lỗi: {top}");
    let mut shown = top;
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !shown.contains(&text) {
            println!("  do: {text}");
            shown.push_str(&text);
        }
    }
}

/// Keep the console window open until the operator has read it.
fn wait_for_enter(input: &mut dyn BufRead) {
    print!("\nNhấn Enter để đóng cửa sổ.");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = input.read_line(&mut line);
}

/// Make the Windows console show UTF-8 (Vietnamese) output and read UTF-8
/// input (code page 65001), for text written as bytes by anything other
/// than Rust's console writer. Does nothing elsewhere.
pub fn utf8_console() {
    #[cfg(windows)]
    {
        #[link(name = "kernel32")]
        extern "system" {
            fn SetConsoleOutputCP(code_page: u32) -> i32;
            fn SetConsoleCP(code_page: u32) -> i32;
        }
        const CP_UTF8: u32 = 65001;
        // SAFETY: both take a plain integer and only change this
        // console's code pages; failure (no console) is harmless.
        unsafe {
            SetConsoleOutputCP(CP_UTF8);
            SetConsoleCP(CP_UTF8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_flags_are_not_dropped_folders() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().as_os_str().to_os_string();
        assert_eq!(
            start(&["tonghop".into(), d.clone()]),
            Some(Start::Dropped(dir.path().to_path_buf()))
        );
        assert_eq!(start(&["tonghop".into(), "--help".into()]), None);
        assert_eq!(start(&["tonghop".into(), "consolidate".into()]), None);
        assert_eq!(start(&["tonghop".into(), "forms".into(), d]), None);
        let file = dir.path().join("a.xlsx");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(start(&["tonghop".into(), file.into()]), None);
    }

    #[test]
    fn a_dropped_path_loses_its_quotes() {
        assert_eq!(
            dropped_path("  \"C:\\Báo cáo 241\\a b.xlsx\" \r"),
            PathBuf::from("C:\\Báo cáo 241\\a b.xlsx")
        );
        assert_eq!(dropped_path("x.xlsx"), PathBuf::from("x.xlsx"));
    }
}
