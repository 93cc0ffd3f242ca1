use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;

fn main() -> ExitCode {
    tonghop::menu::utf8_console();
    // Double-clicked, or a round folder dropped onto the exe.
    let args: Vec<_> = std::env::args_os().collect();
    if let Some(start) = tonghop::menu::start(&args) {
        return ExitCode::from(tonghop::menu::run(start));
    }
    let cli = match tonghop::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(&e),
    };
    // `consolidate --json`: a failed run prints a JSON object too, so a
    // script reading stdout always gets one.
    let json = matches!(&cli.command, tonghop::cli::Command::Consolidate(a) if a.json);
    match tonghop::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let top = e.to_string();
            eprintln!("Lỗi: {top}");
            let mut shown = top.clone();
            let mut causes = Vec::new();
            for cause in e.chain().skip(1) {
                let text = cause.to_string();
                // Messages often quote their cause already.
                if !shown.contains(&text) {
                    eprintln!("  do: {text}");
                    shown.push_str(&text);
                    causes.push(text);
                }
            }
            if json {
                let failure = serde_json::json!({
                    "exit_code": 2,
                    "error": top,
                    "causes": causes,
                });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&failure).unwrap_or_default()
                );
            }
            ExitCode::from(2)
        }
    }
}

/// Help and version as clap prints them; mistakes on the command line in
/// Vietnamese (clap's own messages are English), exit status 2.
fn command_line_error(e: &clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                2
            } else {
                0
            },
        );
    }
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let message = match e.kind() {
        ErrorKind::UnknownArgument => {
            format!("không có tùy chọn {}.", context(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => {
            format!("không có lệnh {}.", context(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!(
            "thiếu tham số bắt buộc {}.",
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => format!(
            "giá trị \"{}\" không hợp lệ cho {}.",
            context(ContextKind::InvalidValue),
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::ArgumentConflict => format!(
            "không dùng cùng lúc {} và {}.",
            context(ContextKind::InvalidArg),
            context(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues => {
            format!(
                "tham số {} được ghi quá nhiều lần.",
                context(ContextKind::InvalidArg)
            )
        }
        _ => "dòng lệnh không hợp lệ.".to_string(),
    };
    eprintln!("Lỗi: {message}");
    let suggested = context(ContextKind::SuggestedArg) + &context(ContextKind::SuggestedSubcommand);
    if !suggested.is_empty() {
        eprintln!("  Có phải ý bạn là: {suggested}?");
    }
    eprintln!("  Xem hướng dẫn: tonghop --help, hoặc tonghop <LỆNH> --help.");
    ExitCode::from(2)
}
