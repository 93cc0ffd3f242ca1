//! Files found by fuzzing the ingest (tests/fixtures/regressions): each
//! must be read, or rejected with a Vietnamese reason, without panic, hang
//! or unbounded memory. Named after the problem they reproduce.

mod common;

use tonghop::ingest::{read_bytes, Fate, Rejection};
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
        Fate::Rejected {
            reason: Rejection::Content(reason),
        } => assert!(reason.contains("bị hỏng"), "{reason}"),
        other => panic!("expected rejection, got {other:?}"),
    }
}

/// A mutated .xls whose DIMENSIONS record declares a range of billions of
/// cells: calamine reserved 28 GB for it. It was rejected by an extent
/// pre-check; now the record is set to the cells the sheet holds before
/// calamine reads it, so the return is read, as an .xlsx whose
/// `<dimension>` lies is (corpus: dimension-lies.xlsx).
#[test]
fn lying_dimensions_record_xls_is_read_without_reserving_the_declared_range() {
    let r = read("lying-dimensions-record.xls");
    match r.fate {
        Fate::Accepted => assert!(r.unit.is_some(), "accepted without a unit"),
        other => panic!("expected the return read, got {other:?}"),
    }
    assert!(!r.records.is_empty(), "no value read");
}

/// Two .xls files grown by the fuzzer from a sample return: their table's
/// numbered column row was the last row of the sheet, and `Grid::rows`
/// called `BTreeMap::range` with its start after its end (a panic, caught,
/// the file rejected as "lỗi nội bộ"). They must be read, or rejected for
/// a reason in the data.
#[test]
fn grid_range_start_after_end_xls_is_never_an_internal_error() {
    for name in [
        "grid-range-start-after-end.xls",
        "grid-range-start-after-end-2.xls",
    ] {
        let r = read(name);
        let texts: Vec<String> = r
            .findings
            .iter()
            .map(|f| f.message.clone())
            .chain([r.fate.label()])
            .collect();
        assert!(
            texts.iter().all(|t| !t.contains("lỗi nội bộ")),
            "{name}: {texts:?}"
        );
        match &r.fate {
            Fate::Accepted => assert!(r.unit.is_some(), "{name}: accepted without a unit"),
            Fate::Rejected { reason } => {
                assert!(
                    !matches!(reason, Rejection::Internal(_)),
                    "{name}: {reason}"
                )
            }
            other => panic!("{name}: unexpected fate {other:?}"),
        }
    }
}

/// A mutated .xls (grown by the fuzzer from a corpus file) whose shared
/// string table declares a string's run count or extended data past the
/// end of the record: calamine read past the slice (a panic in
/// `read_rich_extended_string`). Rejected as a damaged file before
/// calamine reads it.
#[test]
fn sst_string_flags_past_record_end_xls_is_rejected_not_a_panic() {
    let r = read("sst-string-flags-past-record-end.xls");
    match r.fate {
        Fate::Rejected {
            reason: Rejection::Content(reason),
        } => assert!(reason.contains("bị hỏng"), "{reason}"),
        other => panic!("expected rejection, got {other:?}"),
    }
}

/// A mutated .xls whose FORMULA record declares more formula tokens than
/// it holds: calamine sliced past the record (a panic in `parse_formula`).
/// Formula tokens of an .xls are emptied before calamine reads it (tonghop
/// recomputes computed cells), so the file is read or rejected for a
/// reason in the data.
#[test]
fn formula_tokens_past_record_end_xls_is_never_a_panic() {
    let r = read("formula-tokens-past-record-end.xls");
    match &r.fate {
        Fate::Accepted => assert!(r.unit.is_some(), "accepted without a unit"),
        Fate::Rejected { reason } => {
            assert!(!matches!(reason, Rejection::Internal(_)), "{reason}")
        }
        other => panic!("unexpected fate {other:?}"),
    }
}

/// A mutated .xls whose BOUNDSHEET record is shorter than the sheet
/// position, visibility and type calamine reads from it (a panic in
/// `parse_sheet_metadata`): rejected as a damaged file first.
#[test]
fn short_boundsheet_record_xls_is_rejected_not_a_panic() {
    let r = read("short-boundsheet-record.xls");
    match r.fate {
        Fate::Rejected {
            reason: Rejection::Content(reason),
        } => assert!(reason.contains("bị hỏng"), "{reason}"),
        other => panic!("expected rejection, got {other:?}"),
    }
}
