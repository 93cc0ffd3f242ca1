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
    // `--json`: a failed run prints a JSON object too (also a mistake on
    // the command line), so a script reading stdout always gets one.
    let json_asked = std::env::args_os().skip(1).any(|a| a == "--json");
    let cli = match tonghop::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(&e, json_asked),
    };
    // `consolidate --json` and `check --json`: a failed run prints a JSON
    // object too, so a script reading stdout always gets one.
    let json = match &cli.command {
        tonghop::cli::Command::Consolidate(a) => a.json,
        tonghop::cli::Command::Check(a) => a.json,
        _ => false,
    };
    // A bug that panics is a failed run too: said in Vietnamese (the
    // technical detail with TONGHOP_DEBUG), exit status 2, JSON if asked.
    if std::env::var_os("TONGHOP_DEBUG").is_none() {
        std::panic::set_hook(Box::new(|info| {
            let at = info
                .location()
                .map_or(String::new(), |l| format!(" ({}:{})", l.file(), l.line()));
            eprintln!("Lỗi nội bộ của chương trình{at}: hãy chạy lại với biến môi trường TONGHOP_DEBUG=1 và gửi thông báo cho người phát triển.");
        }));
    }
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tonghop::commands::run(cli)));
    let Ok(result) = result else {
        if json {
            print_json_failure(
                "lỗi nội bộ của chương trình (chương trình dừng bất thường)",
                &[],
            );
        }
        return ExitCode::from(2);
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let (top, causes) = tonghop::commands::failure(&e);
            eprintln!("Lỗi: {top}");
            for cause in &causes {
                eprintln!("  do: {cause}");
            }
            if json {
                print_json_failure(&top, &causes);
            }
            ExitCode::from(2)
        }
    }
}

/// The JSON object of a failed run (exit status 2).
fn print_json_failure(error: &str, causes: &[String]) {
    let failure = serde_json::json!({
        "exit_code": 2,
        "error": error,
        "causes": causes,
    });
    let text = serde_json::to_string_pretty(&failure).unwrap_or_default() + "\n";
    let _ = tonghop::commands::print_out(&text);
}

/// Help and version as clap prints them (its texts are set in Vietnamese
/// in `cli`); mistakes on the command line in Vietnamese (clap's own
/// messages are English), exit status 2, and a JSON object on stdout when
/// `--json` was given.
fn command_line_error(e: &clap::Error, json: bool) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let mut text = e.render().to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let _ = tonghop::commands::print_out(&text);
        return ExitCode::from(
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                2
            } else {
                0
            },
        );
    }
    let message = command_line_message(e);
    eprintln!("Lỗi: {message}");
    let suggested =
        context(e, ContextKind::SuggestedArg) + &context(e, ContextKind::SuggestedSubcommand);
    let hint = if suggested.is_empty() {
        None
    } else {
        Some(format!("Có phải ý bạn là: {suggested}?"))
    };
    if let Some(h) = &hint {
        eprintln!("  {h}");
    }
    eprintln!("  Xem hướng dẫn: tonghop help, hoặc tonghop help <LỆNH>.");
    if json {
        print_json_failure(&message, &hint.into_iter().collect::<Vec<_>>());
    }
    ExitCode::from(2)
}

fn context(e: &clap::Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        Some(ContextValue::Bool(_)) | Some(ContextValue::None) | None => String::new(),
        Some(_) => String::new(),
    }
}

/// A clap error in Vietnamese, by its kind and context.
fn command_line_message(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg);
    let value = context(e, ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            format!("không có tùy chọn {arg}.")
        }
        ErrorKind::UnknownArgument => format!("thừa tham số \"{arg}\"."),
        ErrorKind::InvalidSubcommand => format!(
            "không có lệnh {}.",
            context(e, ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingSubcommand => {
            "thiếu lệnh (catalog, forms, consolidate hoặc help).".to_string()
        }
        ErrorKind::MissingRequiredArgument => format!("thiếu tham số bắt buộc {arg}."),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = context(e, ContextKind::ValidValue);
            if valid.is_empty() {
                format!("giá trị \"{value}\" không hợp lệ cho {arg}.")
            } else {
                format!("giá trị \"{value}\" không hợp lệ cho {arg}; cần một trong: {valid}.")
            }
        }
        ErrorKind::ArgumentConflict => format!(
            "không dùng cùng lúc {arg} và {}.",
            context(e, ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues if !value.is_empty() => {
            format!("{arg} không nhận giá trị (ghi \"{value}\").")
        }
        ErrorKind::TooManyValues => format!("{arg} được ghi quá nhiều lần."),
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} cần một giá trị.")
        }
        ErrorKind::InvalidUtf8 => "dòng lệnh có ký tự không đọc được.".to_string(),
        _ => "dòng lệnh không hợp lệ.".to_string(),
    }
}
