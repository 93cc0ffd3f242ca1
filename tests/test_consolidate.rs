//! `tonghop consolidate` on the sample round: totals computed here from the
//! returns (through the form contract, independently of the tool's
//! reader), the reviewed findings snapshot, and the multi-level round trip.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use tonghop::catalog::{Consolidation, GroupKind, IndicatorKind};
use tonghop::commands::consolidate::consolidate_round;
use tonghop::round::Round;

/// Files of the sample round that are not a unit's accepted return.
const NOT_CONSOLIDATED: [&str; 5] = [
    "Bao cao thuyet minh.xls",
    "Noi vu - bao cao.xlsx",
    "ghi-chu.txt",
    "kho-bac.xlsx",
    "Doan Ket ban nhap.xlsx",
];

/// Summary sheet of a tong-hop.xlsx: (mã số, column number) → value.
fn summary_totals(path: &std::path::Path, round: &Round) -> BTreeMap<(String, usize), f64> {
    let sheets = common::read_back(path);
    let cells = &sheets.iter().find(|(n, _)| n == "Tổng hợp").unwrap().1;
    let mut out = BTreeMap::new();
    for ((r, c), v) in cells {
        if *c != 2 || round.catalog.indicator(v).is_none() {
            continue;
        }
        // A–D labels, E "Đơn vị báo cáo", data from F.
        for i in 0..7u32 {
            if let Some(x) = cells.get(&(*r, 5 + i)).and_then(|s| s.parse::<f64>().ok()) {
                out.insert((v.clone(), i as usize + 1), x);
            }
        }
    }
    out
}

#[test]
fn totals_equal_the_sums_of_the_returns_and_percentages_are_recomputed() {
    let round = Round::load(&common::samples(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outcome =
        consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    assert_eq!(outcome.summary.units_expected, 30);
    assert_eq!(outcome.summary.units_submitted, 27);
    assert_eq!(outcome.summary.units_late, 1);
    assert_eq!(outcome.summary.files_rejected, 4);
    assert_eq!(outcome.summary.files_superseded, 1);
    // Expected sums, read here from every accepted return.
    let c = &round.catalog;
    let mut sums: BTreeMap<(String, usize), f64> = BTreeMap::new();
    // Every file's own values, for the percentages' pairs.
    let mut per_file: Vec<BTreeMap<(String, usize), f64>> = Vec::new();
    let mut files = 0;
    for entry in walk(&common::samples().join("bao-cao")) {
        let name = entry.file_name().unwrap().to_string_lossy().to_string();
        if NOT_CONSOLIDATED.contains(&name.as_str()) {
            continue;
        }
        files += 1;
        let mut own: BTreeMap<(String, usize), f64> = BTreeMap::new();
        for (_, cells) in common::read_back(&entry) {
            for ((code, n), text) in common::contract_values(&cells) {
                let Some(ind) = c.indicator(&code) else {
                    continue;
                };
                let g = c.group(&ind.group).unwrap();
                if g.kind != GroupKind::Table || ind.consolidation() != Consolidation::Sum {
                    continue;
                }
                let col = &c.columns_of(g)[n - 1];
                if col.is_computed() || text == "x" {
                    continue;
                }
                if let Some(v) = common::loose_number(&text) {
                    *sums.entry((code.clone(), n)).or_default() += v;
                    *own.entry((code.clone(), n)).or_default() += v;
                    // Period totals are the sums of the years.
                    if let Some(t) = c
                        .columns_of(g)
                        .iter()
                        .position(|x| x.sum_of.contains(&col.key))
                    {
                        *sums.entry((code.clone(), t + 1)).or_default() += v;
                        *own.entry((code, t + 1)).or_default() += v;
                    }
                }
            }
        }
        per_file.push(own);
    }
    assert_eq!(files, 27);
    let totals = summary_totals(&dir.path().join("tong-hop.xlsx"), &round);
    let mut checked = 0;
    for (key, want) in &sums {
        let got = totals.get(key).copied().unwrap_or(f64::NAN);
        assert!(
            (got - want).abs() < 1e-6,
            "total of {} column ({}) is {got}, expected {want}",
            key.0,
            key.1
        );
        checked += 1;
    }
    assert!(checked > 500, "only {checked} totals compared");
    // Percentages: 100 × Σ tử số / Σ mẫu số over the units that gave
    // both, never an average.
    let mut pct = 0;
    for ind in c
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Percent)
    {
        let (n, d) = (
            ind.numerator.clone().unwrap(),
            ind.denominator.clone().unwrap(),
        );
        for col in 1..=7 {
            let (mut num, mut den, mut both) = (0.0, 0.0, 0);
            for own in &per_file {
                if let (Some(a), Some(b)) = (own.get(&(n.clone(), col)), own.get(&(d.clone(), col)))
                {
                    num += a;
                    den += b;
                    both += 1;
                }
            }
            if both == 0 || den == 0.0 {
                assert!(
                    !totals.contains_key(&(ind.code.clone(), col)),
                    "{} ({col}): a percentage nobody could compute is blank",
                    ind.code
                );
                continue;
            }
            let want = (100.0 * num / den * 100.0).round() / 100.0;
            let got = totals[&(ind.code.clone(), col)];
            assert!(
                (got - want).abs() < 0.011,
                "{} ({col}): {got} ≠ {want}",
                ind.code
            );
            pct += 1;
        }
    }
    assert!(pct >= 10);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The exact findings on the sample round, reviewed. Set
/// `UPDATE_SNAPSHOTS=1` to rewrite after a reviewed change.
#[test]
fn findings_match_the_reviewed_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let outcome =
        consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    let text: String = outcome
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {} | {} | {} | {} | {} | {}\n",
                f.severity.label(),
                f.unit,
                f.file,
                f.sheet,
                f.cell_text(),
                f.code,
                f.rule,
                f.message
            )
        })
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/samples-findings.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want =
        std::fs::read_to_string(&path).expect("snapshot exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert_eq!(text, want);
    // Deterministic: a second run gives byte-identical findings and equal
    // workbook contents.
    let dir2 = tempfile::tempdir().unwrap();
    let again =
        consolidate_round(&common::samples(), Some(dir2.path().to_path_buf()), None).unwrap();
    assert_eq!(outcome.findings, again.findings);
    for f in ["bao-cao-loi.csv", "bao-cao-loi.json"] {
        assert_eq!(
            std::fs::read(dir.path().join(f)).unwrap(),
            std::fs::read(dir2.path().join(f)).unwrap(),
            "{f}"
        );
    }
    for f in ["tong-hop.xlsx", "gui-cap-tren.xlsx", "bao-cao-loi.xlsx"] {
        assert!(
            common::read_back(&dir.path().join(f)) == common::read_back(&dir2.path().join(f)),
            "{f} differs between runs"
        );
    }
    let csv = std::fs::read(dir.path().join("bao-cao-loi.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn the_committees_own_return_reads_back_as_one_return_with_the_same_totals() {
    let round = Round::load(&common::samples(), None).unwrap();
    let lower = tempfile::tempdir().unwrap();
    consolidate_round(&common::samples(), Some(lower.path().to_path_buf()), None).unwrap();
    let upper = common::upper_round(&lower.path().join("gui-cap-tren.xlsx"));
    let out = upper.path().join("ket-qua");
    let outcome = consolidate_round(upper.path(), Some(out.clone()), None).unwrap();
    assert_eq!(outcome.summary.units_submitted, 1, "{:?}", outcome.findings);
    let a = summary_totals(&lower.path().join("tong-hop.xlsx"), &round);
    let b = summary_totals(&out.join("tong-hop.xlsx"), &round);
    let yes_no: BTreeSet<String> = round
        .catalog
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::YesNo)
        .map(|i| i.code.clone())
        .collect();
    let strip = |m: BTreeMap<(String, usize), f64>| {
        m.into_iter()
            .filter(|((c, _), _)| !yes_no.contains(c))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(strip(a), strip(b));
}

/// Large rounds put the audit trail in du-lieu-goc.csv: the CSV holds the
/// same rows as the "Dữ liệu gốc" sheet of du-lieu-goc.xlsx.
#[test]
fn audit_trail_csv_has_every_row_of_the_sheet() {
    use tonghop::ingest::{ingest_round, Silent};
    use tonghop::report::tong_hop::{audit_len, write_audit_csv};
    let round = Round::load(&common::samples(), None).unwrap();
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    let mut bytes = Vec::new();
    write_audit_csv(&round, &ingest, &[], &mut bytes).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let rows = csv::Reader::from_reader(text.as_bytes()).records().count();
    assert_eq!(rows, audit_len(&ingest));
    let dir = tempfile::tempdir().unwrap();
    consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    let sheets = common::read_back(&dir.path().join("du-lieu-goc.xlsx"));
    let raw = &sheets.iter().find(|(n, _)| n == "Dữ liệu gốc").unwrap().1;
    // The reviewer's workbook no longer carries it.
    let th = common::read_back(&dir.path().join("tong-hop.xlsx"));
    assert!(th.iter().all(|(n, _)| n != "Dữ liệu gốc"));
    let sheet_rows = raw
        .keys()
        .map(|(r, _)| *r)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        - 1;
    assert_eq!(sheet_rows, rows);
}

/// On the "Tổng hợp" sheet a page that starts inside a biểu starts with
/// its title row again ("Biểu số 04 (tiếp)", with the column labels): seen,
/// a continued biểu printed unlabelled year columns.
#[test]
fn a_summary_page_inside_a_biểu_starts_with_its_title_row_again() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    consolidate_round(&common::samples(), Some(dir.path().to_path_buf()), None).unwrap();
    let path = dir.path().join("tong-hop.xlsx");
    let sheets = common::read_back(&path);
    let cells = &sheets.iter().find(|(n, _)| n == "Tổng hợp").unwrap().1;
    let part = common::sheet_part(&path, "Tổng hợp");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name(&part)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // <brk id="N" …/>: a page starts at row N (1-based N + 1), 0-based N.
    let breaks: Vec<u32> = xml
        .split("<brk id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(breaks.len() >= 8, "{breaks:?}");
    let mut continued = 0;
    for b in &breaks {
        let first = cells.get(&(*b, 0)).map(String::as_str).unwrap_or("");
        let code = cells.get(&(*b, 2)).map(String::as_str).unwrap_or("");
        let is_row_of_a_biểu = code.len() == 5 && code.as_bytes()[2] == b'.';
        assert!(
            first.starts_with("Biểu số") || !is_row_of_a_biểu,
            "page at row {} starts inside a biểu without its title: {first:?} {code:?}",
            b + 1
        );
        if first.ends_with("(tiếp)") {
            continued += 1;
            // The column labels are on it (the first table biểu's first
            // data column is F).
            assert!(cells.contains_key(&(*b, 5)), "row {}", b + 1);
        }
    }
    assert!(continued >= 3, "{continued} continued biểu");
    // No repeated title row is left inside a page.
    let repeated: Vec<u32> = cells
        .iter()
        .filter(|((_, c), v)| *c == 0 && v.ends_with("(tiếp)"))
        .map(|((r, _), _)| *r)
        .collect();
    for r in repeated {
        assert!(breaks.contains(&r), "\"(tiếp)\" at row {} mid-page", r + 1);
    }
}
