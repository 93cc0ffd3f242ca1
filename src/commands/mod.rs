//! One module per subcommand: orchestration only, the work is in the
//! domain modules.

pub mod catalog;
pub mod check;
pub mod consolidate;
pub mod forms;
pub mod generate;

use crate::cli::{Cli, Command};

/// Run a parsed command line; returns the process exit code (0 clean, 1
/// findings of severity lỗi / an invalid catalogue; errors map to 2 in
/// `main`).
///
/// # Errors
/// Fatal problems (unreadable round, unwritable output).
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Catalog(args) => catalog::run(&args),
        Command::Forms(args) => forms::run(&args),
        Command::Consolidate(args) => consolidate::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Generate(args) => generate::run(&args),
    }
}
