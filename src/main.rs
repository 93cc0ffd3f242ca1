use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tonghop::cli::Cli::parse();
    match tonghop::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("Lỗi: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  do: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
