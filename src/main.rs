use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tonghop::cli::Cli::parse();
    match tonghop::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let top = e.to_string();
            eprintln!("Lỗi: {top}");
            let mut shown = top;
            for cause in e.chain().skip(1) {
                let text = cause.to_string();
                // Messages often quote their cause already.
                if !shown.contains(&text) {
                    eprintln!("  do: {text}");
                    shown.push_str(&text);
                }
            }
            ExitCode::from(2)
        }
    }
}
