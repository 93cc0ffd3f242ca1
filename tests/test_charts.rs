//! The "Biểu đồ" sheet of `tong-hop.xlsx`, read back as a reviewer's Excel
//! would: the chart parts (`xl/charts/chartN.xml`) and the cells their
//! series refer to. Each series must point at cells holding the figures
//! the other sheets show for the sample round: a total as on "Tổng hợp", a
//! unit's percentage as on its "TH Biểu" sheet; and every percentage,
//! every before/after chỉ tiêu and every year chỉ tiêu of the catalogue
//! must have its chart.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use tonghop::catalog::{Catalog, GroupKind, IndicatorKind};
use tonghop::cell::CellRef;
use tonghop::commands::consolidate::consolidate_round;

const SHEET: &str = "Biểu đồ";

/// One series of a chart: its name, categories and values formulas.
#[derive(Debug)]
struct Series {
    name: String,
    cat: String,
    val: String,
}

#[derive(Debug)]
struct ChartPart {
    file: String,
    title: String,
    /// "col" / "bar" of a bar chart, "line" for a line chart.
    types: BTreeSet<String>,
    series: Vec<Series>,
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(&s[i..j])
}

fn texts(xml: &str) -> String {
    let t = regex::Regex::new(r"<a:t>([^<]*)</a:t>").unwrap();
    t.captures_iter(xml)
        .map(|c| c[1].replace("&amp;", "&").replace("&quot;", "\""))
        .collect()
}

/// Names of the entries of a zip archive.
fn entries(zip: &zip::ZipArchive<std::fs::File>) -> Vec<String> {
    zip.file_names()
        .map(|n| n.expect("entry name").to_string())
        .collect()
}

fn charts(path: &Path) -> Vec<ChartPart> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = entries(&zip)
        .into_iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .collect();
    names.sort_by_key(|n| {
        n.trim_start_matches("xl/charts/chart")
            .trim_end_matches(".xml")
            .parse::<u32>()
            .unwrap()
    });
    let f = regex::Regex::new(r"<c:f>([^<]*)</c:f>").unwrap();
    names
        .iter()
        .map(|name| {
            let mut xml = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
            let head = between(&xml, "<c:chart>", "<c:plotArea>").unwrap_or("");
            let mut types = BTreeSet::new();
            if let Some(d) = between(&xml, "<c:barDir val=\"", "\"") {
                types.insert(d.to_string());
            }
            if xml.contains("<c:lineChart>") {
                types.insert("line".to_string());
            }
            let series = xml
                .split("<c:ser>")
                .skip(1)
                .map(|part| {
                    let part = part.split("</c:ser>").next().unwrap();
                    let get = |tag: &str| {
                        between(part, &format!("<c:{tag}>"), &format!("</c:{tag}>"))
                            .and_then(|x| f.captures(x))
                            .map(|c| c[1].replace("&apos;", "'").replace("&amp;", "&"))
                            .unwrap_or_default()
                    };
                    Series {
                        name: get("tx"),
                        cat: get("cat"),
                        val: get("val"),
                    }
                })
                .collect();
            ChartPart {
                file: name.clone(),
                title: texts(head),
                types,
                series,
            }
        })
        .collect()
}

/// The cells of a formula `'Biểu đồ'!$O$12:$O$20` (all on the charts
/// sheet), row by row.
fn cells_of(formula: &str) -> Vec<CellRef> {
    let (sheet, range) = formula.rsplit_once('!').unwrap();
    assert_eq!(sheet.trim_matches('\''), SHEET, "{formula}");
    let range = range.replace('$', "");
    let (a, b) = range.split_once(':').unwrap_or((&range, &range));
    let (a, b) = (CellRef::parse(a).unwrap(), CellRef::parse(b).unwrap());
    let mut out = Vec::new();
    for r in a.row..=b.row {
        for c in a.col..=b.col {
            out.push(CellRef::new(r, c));
        }
    }
    out
}

fn number(s: Option<&String>) -> Option<f64> {
    s.map(|s| {
        s.parse::<f64>()
            .unwrap_or_else(|_| panic!("not a number: {s:?}"))
    })
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() < 1e-9 * x.abs().max(1.0),
        _ => false,
    }
}

/// A figure: (mã số, column label).
type Key = (String, String);

/// "Tổng hợp": (mã số, column label) → the total's text, and the flagged
/// totals (cells with a note in a data column).
fn summary_totals(
    cells: &common::SheetCells,
    notes: &BTreeMap<String, String>,
) -> (BTreeMap<Key, String>, BTreeSet<Key>) {
    let mut labels: Vec<String> = Vec::new();
    let mut totals = BTreeMap::new();
    let mut flagged = BTreeSet::new();
    let rows: BTreeSet<u32> = cells.keys().map(|(r, _)| *r).collect();
    for r in rows {
        let at = |c: u32| cells.get(&(r, c));
        if at(0).is_some_and(|t| t.starts_with("Biểu số")) {
            labels = (5..20).map_while(|c| at(c).cloned()).collect();
            continue;
        }
        let Some(code) = at(2).filter(|c| c.len() == 5 && c.as_bytes()[2] == b'.') else {
            continue;
        };
        for (i, label) in labels.iter().enumerate() {
            let c = 5 + i as u32;
            let key = (code.clone(), label.clone());
            if let Some(v) = at(c) {
                totals.insert(key.clone(), v.clone());
            }
            if notes.contains_key(&CellRef::new(r, c as u16).to_string()) {
                flagged.insert(key);
            }
        }
    }
    (totals, flagged)
}

/// A "TH Biểu" sheet: (mã số, unit code, column label) → the unit's text.
fn unit_values(cells: &common::SheetCells) -> BTreeMap<(String, String, String), String> {
    let header = common::row_of(cells, 0, "STT").expect("header row");
    let labels: Vec<String> = (3..20)
        .map_while(|c| cells.get(&(header, c)).cloned())
        .collect();
    let mut out = BTreeMap::new();
    let mut code = String::new();
    let rows: BTreeSet<u32> = cells.keys().map(|(r, _)| *r).collect();
    for r in rows.into_iter().filter(|r| *r > header) {
        if let Some(t) = cells.get(&(r, 0)).filter(|t| t.contains(" – ")) {
            code = t.split(" – ").next().unwrap().to_string();
            continue;
        }
        let Some(unit) = cells.get(&(r, 2)) else {
            continue;
        };
        for (i, label) in labels.iter().enumerate() {
            if let Some(v) = cells.get(&(r, 3 + i as u32)) {
                out.insert((code.clone(), unit.clone(), label.clone()), v.clone());
            }
        }
    }
    out
}

#[test]
fn every_chart_refers_to_the_cells_of_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    consolidate_round(&common::samples(), Some(out.clone()), None).unwrap();
    let path = out.join("tong-hop.xlsx");
    let sheets: BTreeMap<String, common::SheetCells> =
        common::read_back(&path).into_iter().collect();
    let chart_cells = &sheets[SHEET];
    let (totals, flagged) = summary_totals(&sheets["Tổng hợp"], &common::notes(&path, "Tổng hợp"));
    assert!(!flagged.is_empty(), "the samples carry flagged totals");
    let catalog = Catalog::embedded();
    let parts = charts(&path);
    assert!(
        (20..100).contains(&parts.len()),
        "tens of charts: {}",
        parts.len()
    );

    // What the catalogue asks for, derived here from its columns' labels.
    let mut want_pct = BTreeSet::new();
    let mut want_before_after = BTreeSet::new();
    let mut want_trend = BTreeSet::new();
    for g in catalog.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        let cols = catalog.columns_of(g);
        let compares = cols.iter().any(|c| c.label.contains("trước Đề án"));
        let years = cols.iter().filter(|c| c.label.starts_with("Năm ")).count() >= 2;
        for i in catalog.indicators_of(&g.id) {
            let pct = i.kind == IndicatorKind::Percent;
            if pct {
                want_pct.insert(i.code.clone());
            }
            let numeric = matches!(
                i.kind,
                IndicatorKind::Count | IndicatorKind::Quantity | IndicatorKind::Percent
            );
            if compares && numeric && (i.level == 0 || pct) {
                want_before_after.insert(i.code.clone());
            }
            if years && numeric && i.level == 0 {
                want_trend.insert(i.code.clone());
            }
        }
    }
    let mut got_pct = Vec::new();
    let mut got_before_after = Vec::new();
    let mut got_trend = Vec::new();
    let mut checked = 0usize;
    let mut blanks = 0usize;
    let mut with_x = 0usize;
    let text = |c: &CellRef| chart_cells.get(&(c.row, c.col as u32));
    for chart in &parts {
        let ctx = format!("{} ({})", chart.file, chart.title);
        assert!(!chart.series.is_empty(), "{ctx}: no series");
        // Every (mã số, column) whose total the chart shows.
        let mut shown: BTreeSet<(String, String)> = BTreeSet::new();
        let kind: Vec<&str> = chart.types.iter().map(String::as_str).collect();
        match kind[..] {
            // By unit: columns per unit, the committee's figure as lines.
            ["col", "line"] => {
                let code = chart.title.split(' ').next().unwrap().to_string();
                got_pct.push(code.clone());
                let th = format!(
                    "TH {}",
                    catalog
                        .group(&catalog.indicator(&code).unwrap().group)
                        .unwrap()
                        .sheet
                );
                let units = unit_values(&sheets[&th]);
                // The units of the chỉ tiêu's block, blank ones included
                // (a unit row always has its code), less those with "x".
                let th_cells = &sheets[&th];
                let all_units: BTreeSet<&String> = th_cells
                    .iter()
                    .filter(|((r, c), _)| {
                        *c == 2
                            && th_cells
                                .get(&(*r, 0))
                                .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                    .map(|(_, u)| u)
                    .collect();
                let not_applicable: BTreeSet<&String> = units
                    .iter()
                    .filter(|((c, _, _), v)| *c == code && v.as_str() == "x")
                    .map(|((_, u, _), _)| u)
                    .collect();
                let applicable: BTreeSet<&String> =
                    all_units.difference(&not_applicable).copied().collect();
                for s in &chart.series {
                    let name_cell = cells_of(&s.name)[0];
                    let header = text(&name_cell).unwrap().clone();
                    let cats = cells_of(&s.cat);
                    let vals = cells_of(&s.val);
                    assert_eq!(cats.len(), vals.len(), "{ctx}");
                    let mut charted = BTreeSet::new();
                    for (cat, val) in cats.iter().zip(&vals) {
                        let unit = text(&CellRef::new(cat.row, cat.col - 1)).unwrap();
                        charted.insert(unit);
                        let got = number(text(val));
                        blanks += usize::from(got.is_none());
                        let want = if let Some(rest) = header.strip_prefix("Toàn Đảng bộ, ") {
                            let label = rest.trim_end_matches(" (!)").to_string();
                            shown.insert((code.clone(), label.clone()));
                            number(totals.get(&(code.clone(), label)))
                        } else {
                            let v = units.get(&(code.clone(), unit.clone(), header.clone()));
                            assert_ne!(v.map(String::as_str), Some("x"), "{ctx}: {unit}");
                            number(v)
                        };
                        assert!(
                            same(got, want),
                            "{ctx}: {val} ({unit}, {header}) = {got:?}, the workbook shows {want:?}"
                        );
                        checked += 1;
                    }
                    // Every unit the percentage applies to, no other (30
                    // units: no cap), the units that did not send too.
                    assert_eq!(charted, applicable, "{ctx}: units charted");
                    with_x += usize::from(applicable.len() < all_units.len());
                }
            }
            ["bar"] | ["line"] => {
                for s in &chart.series {
                    let (cats, vals) = (cells_of(&s.cat), cells_of(&s.val));
                    assert_eq!(cats.len(), vals.len(), "{ctx}");
                    for (i, val) in vals.iter().enumerate() {
                        let (code_cell, label_cell) = if kind == ["bar"] {
                            // A row per chỉ tiêu, the series' column header.
                            let header = cells_of(&s.name)[0];
                            (
                                CellRef::new(cats[i].row, cats[i].col - 1),
                                CellRef::new(header.row, val.col),
                            )
                        } else {
                            // A line per chỉ tiêu, the years as categories.
                            let name = cells_of(&s.name)[0];
                            (CellRef::new(name.row, name.col - 1), cats[i])
                        };
                        let code = text(&code_cell).unwrap().clone();
                        let label = text(&label_cell).unwrap().clone();
                        let got = number(text(val));
                        let want = number(totals.get(&(code.clone(), label.clone())));
                        assert!(
                            same(got, want),
                            "{ctx}: {val} ({code}, {label}) = {got:?}, \"Tổng hợp\" shows {want:?}"
                        );
                        checked += 1;
                        shown.insert((code, label));
                    }
                }
                let codes: BTreeSet<String> = shown.iter().map(|(c, _)| c.clone()).collect();
                if kind == ["bar"] {
                    got_before_after.extend(codes);
                } else {
                    got_trend.extend(codes);
                }
            }
            _ => panic!("{ctx}: unexpected chart kinds {kind:?}"),
        }
        // A flagged total is marked in the title, and only then.
        let any_flagged = shown.iter().any(|k| flagged.contains(k));
        assert_eq!(
            chart.title.contains("(!)"),
            any_flagged,
            "{ctx}: flagged totals {:?}",
            shown.intersection(&flagged).collect::<Vec<_>>()
        );
    }
    let sorted = |v: &Vec<String>| {
        let set: BTreeSet<String> = v.iter().cloned().collect();
        assert_eq!(set.len(), v.len(), "a chỉ tiêu in two charts: {v:?}");
        set
    };
    assert_eq!(sorted(&got_pct), want_pct, "percentages by unit");
    assert_eq!(sorted(&got_before_after), want_before_after, "before/after");
    assert_eq!(sorted(&got_trend), want_trend, "years");
    assert!(checked > 500, "{checked} cells checked");
    assert!(blanks > 0, "units without a figure are gaps");
    assert!(
        with_x > 0,
        "units a percentage does not apply to are left out"
    );
}

/// LibreOffice, a real client, opens the sheet with every chart: saved
/// as .ods, the workbook holds one chart object per chart of the .xlsx,
/// each with as many series as the .xlsx gives it, every series on the
/// charts sheet's cells.
#[test]
#[ignore = "needs LibreOffice"]
fn libreoffice_opens_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    consolidate_round(&common::samples(), Some(out.clone()), None).unwrap();
    let path = out.join("tong-hop.xlsx");
    let parts = charts(&path);
    let ods_dir = dir.path().join("ods");
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "ods", "--outdir"])
        .arg(&ods_dir)
        .arg(&path)
        .status()
        .expect("soffice must be installed for this test (.ci/run installs it)");
    assert!(status.success());
    let ods = ods_dir.join("tong-hop.ods");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&ods).unwrap()).unwrap();
    let objects: Vec<String> = entries(&zip)
        .into_iter()
        .filter(|n| n.starts_with("Object ") && n.ends_with("/content.xml"))
        .collect();
    let mut series = Vec::new();
    for name in &objects {
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        if !xml.contains("<chart:chart") {
            continue;
        }
        let ranges: Vec<&str> = xml
            .split("chart:values-cell-range-address=\"")
            .skip(1)
            .map(|r| r.split('"').next().unwrap())
            .collect();
        for r in &ranges {
            assert!(r.contains(SHEET), "{name}: {r}");
        }
        series.push(ranges.len());
    }
    assert_eq!(series.len(), parts.len(), "charts LibreOffice opened");
    let mut want: Vec<usize> = parts.iter().map(|p| p.series.len()).collect();
    want.sort_unstable();
    series.sort_unstable();
    assert_eq!(series, want, "series per chart");
}

/// A round of 120 units: a chart by unit shows at most 40 (the 20
/// highest and the 20 lowest, in that order) and says so in its title.
#[test]
fn charts_by_unit_are_capped_in_a_large_round() {
    let dir = tempfile::tempdir().unwrap();
    let round = dir.path().join("round");
    assert_eq!(
        common::run_cli(&[
            "generate",
            round.to_str().unwrap(),
            "--units",
            "120",
            "--error-rate",
            "0"
        ]),
        Ok(0)
    );
    let out = dir.path().join("out");
    consolidate_round(&round, Some(out.clone()), None).unwrap();
    let path = out.join("tong-hop.xlsx");
    let sheets: BTreeMap<String, common::SheetCells> =
        common::read_back(&path).into_iter().collect();
    let cells = &sheets[SHEET];
    let mut capped = 0;
    for chart in charts(&path).iter().filter(|c| c.types.contains("col")) {
        // The units are sorted by the last period: its column series.
        let s = chart
            .series
            .iter()
            .rev()
            .find(|s| {
                let name = cells_of(&s.name)[0];
                !cells[&(name.row, name.col as u32)].starts_with("Toàn Đảng bộ")
            })
            .unwrap();
        let values: Vec<Option<f64>> = cells_of(&s.val)
            .iter()
            .map(|c| number(cells.get(&(c.row, c.col as u32))))
            .collect();
        assert!(
            values.len() <= 40,
            "{}: {} units",
            chart.title,
            values.len()
        );
        if chart
            .title
            .contains("20 đơn vị cao nhất và 20 đơn vị thấp nhất")
        {
            capped += 1;
            assert_eq!(values.len(), 40, "{}", chart.title);
            // Every unit shown has its figure, highest first.
            let v: Vec<f64> = values.iter().map(|v| v.expect("a figure")).collect();
            assert!(v.windows(2).all(|w| w[0] >= w[1]), "{}: {v:?}", chart.title);
        }
    }
    assert!(capped > 0, "no chart by unit was capped at 120 units");
}
