//! Fuzz the ingest: any bytes as a returned file must give a report (a fate
//! and findings), never a panic, a hang or unbounded memory.
//! `cargo fuzz run ingest fuzz/seeds -- -max_total_time=600` (see README).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tonghop::round::Round;

static ROUND: LazyLock<Round> = LazyLock::new(|| {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    Round::load(&samples, None).expect("sample round")
});

fuzz_target!(|data: &[u8]| {
    let report = tonghop::ingest::read_bytes(data.to_vec(), "fuzz.xlsx", &ROUND, None);
    let _ = report.fate.label();
});
