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

/// Phase timings on stderr with `TONGHOP_TIMING=1`: seconds since the
/// start, the peak resident memory so far (Linux `VmHWM`) and the resident
/// memory now (`VmRSS`).
pub struct Timing {
    started: std::time::Instant,
    enabled: bool,
}

impl Timing {
    pub fn from_env() -> Timing {
        Timing {
            started: std::time::Instant::now(),
            enabled: std::env::var_os("TONGHOP_TIMING").is_some(),
        }
    }

    /// Report the end of a phase.
    pub fn lap(&self, what: &str) {
        crate::timing::Laps::lap(self, what);
    }
}

impl crate::timing::Laps for Timing {
    fn lap(&self, what: &str) {
        if !self.enabled {
            return;
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_string()
        };
        eprintln!(
            "[{:8.3} s, đỉnh bộ nhớ {} KiB, đang dùng {} KiB] {what}",
            self.started.elapsed().as_secs_f64(),
            field("VmHWM"),
            field("VmRSS"),
        );
    }
}
