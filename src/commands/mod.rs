//! One module per subcommand: orchestration only, the work is in the
//! domain modules. Also the edge where a failed run becomes what the
//! operator reads ([`failure`]), in Vietnamese whatever library failed.

pub mod catalog;
pub mod check;
pub mod consolidate;
pub mod forms;
pub mod generate;
pub mod init;

use crate::cli::{Cli, Command};

/// Run a parsed command line; returns the process exit code (0 clean, 1
/// findings of severity lỗi / an invalid catalogue; errors map to 2 in
/// `main`).
///
/// # Errors
/// Fatal problems (unreadable round, unwritable output).
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Catalog(args) => catalog::run(&args),
        Command::Forms(args) => forms::run(&args),
        Command::Consolidate(args) => consolidate::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Help(args) => help(args.command.as_deref()),
    }
}

/// `tonghop help [LỆNH]`: the help of the tool or of one command.
///
/// # Errors
/// A command that does not exist (named in Vietnamese, with the list).
fn help(command: Option<&str>) -> anyhow::Result<u8> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    // Propagate the global (Vietnamese) help flag to the subcommands.
    cli.build();
    let text = match command {
        None => cli.render_help(),
        Some(name) => {
            let names: Vec<String> = cli
                .get_subcommands()
                .filter(|c| !c.is_hide_set())
                .map(|c| c.get_name().to_string())
                .collect();
            match cli.find_subcommand_mut(name) {
                Some(sub) => sub.render_help(),
                None => anyhow::bail!("không có lệnh \"{name}\"; các lệnh: {}.", names.join(", ")),
            }
        }
    };
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    print_out(&text)?;
    Ok(0)
}

/// Write `text` to stdout; a reader that stops early (`| head`) is not an
/// error and never a panic.
///
/// # Errors
/// Any other failure to write (in Vietnamese).
pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(anyhow::anyhow!(
            "không ghi được ra màn hình (stdout): {}",
            crate::text::io_error_vi(&e)
        )),
        _ => Ok(()),
    }
}

/// A failed run as the operator reads it: the message and its causes (those
/// not already quoted in it), each in Vietnamese. A library's own error
/// (file system, workbook writer, JSON, TOML) is never shown in its
/// English: an I/O error says what happened ([`crate::text::io_error_vi`]),
/// others name the step; an error of unknown origin without Vietnamese
/// text is shown as a technical detail of an internal error.
pub fn failure(e: &anyhow::Error) -> (String, Vec<String>) {
    let top = describe(e.as_ref());
    let mut shown = top.clone();
    let mut causes = Vec::new();
    for cause in e.chain().skip(1) {
        let text = describe(cause);
        // Messages often quote their cause already.
        if !shown.contains(&text) {
            shown.push_str(&text);
            causes.push(text);
        }
    }
    (top, causes)
}

/// One error of a chain in Vietnamese.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return crate::text::io_error_vi(io);
    }
    if let Some(x) = e.downcast_ref::<rust_xlsxwriter::XlsxError>() {
        return match x {
            rust_xlsxwriter::XlsxError::IoError(io) => crate::text::io_error_vi(io),
            _ => internal("lỗi khi dựng bảng tính", &x.to_string()),
        };
    }
    if e.is::<serde_json::Error>() {
        return internal("lỗi khi ghi JSON", &e.to_string());
    }
    if e.is::<toml::ser::Error>() {
        return internal("lỗi khi xuất TOML", &e.to_string());
    }
    let text = e.to_string();
    if has_vietnamese(&text) {
        text
    } else {
        internal("lỗi", &text)
    }
}

/// An internal error: the step, and the library's (English) detail only
/// with `TONGHOP_DEBUG` set, as the readers' errors do.
fn internal(what: &str, detail: &str) -> String {
    if std::env::var_os("TONGHOP_DEBUG").is_some() {
        format!("{what} (lỗi nội bộ của chương trình; chi tiết kỹ thuật: {detail})")
    } else {
        format!("{what} (lỗi nội bộ của chương trình; chạy lại với biến môi trường TONGHOP_DEBUG=1 để xem chi tiết kỹ thuật và gửi cho người phát triển)")
    }
}

/// Whether a text has letters only Vietnamese writes (outside ASCII).
fn has_vietnamese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, 'ă' | 'â' | 'đ' | 'ê' | 'ô' | 'ơ' | 'ư' | 'Đ' | 'à'..='ỹ'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_in_a_chain_read_in_vietnamese() {
        let io = std::fs::read("/khong/co/tep").unwrap_err();
        let e = anyhow::Error::new(io).context("không ghi được ket-qua/tong-hop.xlsx");
        let (top, causes) = failure(&e);
        assert_eq!(top, "không ghi được ket-qua/tong-hop.xlsx");
        assert_eq!(causes, ["không có tệp hoặc thư mục này"]);
        let e = anyhow::Error::new(rust_xlsxwriter::XlsxError::IoError(std::io::Error::from(
            std::io::ErrorKind::PermissionDenied,
        )))
        .context("không tạo được bảng tính a.xlsx");
        let (_, causes) = failure(&e);
        assert!(
            causes[0].starts_with("không có quyền truy cập"),
            "{causes:?}"
        );
        let (top, _) = failure(&anyhow::anyhow!("something broke"));
        assert!(
            top.starts_with("lỗi (lỗi nội bộ của chương trình; "),
            "{top}"
        );
        if std::env::var_os("TONGHOP_DEBUG").is_none() {
            assert!(!top.contains("something broke"), "{top}");
        }
    }
}
