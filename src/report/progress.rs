//! The progress bar on stderr (indicatif): files done / total and the
//! current file; silent when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, hidden when not wanted.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let bar = ProgressBar::hidden();
        if !quiet && std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_style(
            ProgressStyle::with_template("Đang đọc {pos}/{len} tệp [{bar:30}] {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl crate::ingest::Progress for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn file_done(&self, file: &str) {
        self.0.set_message(file.to_string());
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
