//! Files found by fuzzing the ingest (tests/fixtures/regressions): each
//! must be rejected with a Vietnamese reason, without panic, hang or
//! unbounded memory. Named after the problem they reproduce.

mod common;

use tonghop::ingest::{read_bytes, Fate};
use tonghop::round::Round;

fn read(name: &str) -> tonghop::ingest::FileReport {
    let round = Round::load(&common::samples(), None).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/regressions")
        .join(name);
    read_bytes(std::fs::read(path).unwrap(), name, &round, None)
}

/// A mutated .xls whose sector chain loops: calamine's container reader
/// allocated without bound (24 GB) before the cfb pre-check.
#[test]
fn cyclic_sector_chain_xls_is_rejected_not_read_forever() {
    let r = read("cyclic-sector-chain.xls");
    match r.fate {
        Fate::Rejected { reason } => assert!(reason.contains("bị hỏng"), "{reason}"),
        other => panic!("expected rejection, got {other:?}"),
    }
}

/// A mutated .xls whose DIMENSIONS record declares a range of billions of
/// cells: calamine reserved 28 GB for it before the extent pre-check.
#[test]
fn lying_dimensions_record_xls_is_rejected() {
    let r = read("lying-dimensions-record.xls");
    match r.fate {
        Fate::Rejected { reason } => assert!(
            reason.contains("rất xa") || reason.contains("bị hỏng"),
            "{reason}"
        ),
        other => panic!("expected rejection, got {other:?}"),
    }
}
