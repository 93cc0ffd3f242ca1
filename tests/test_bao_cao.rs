//! The draft báo cáo (`bao-cao-tong-hop.docx`) of the sample round, read
//! back from its XML: its headings are the catalogue's outline, its
//! figures are those of `tong-hop.xlsx` in Vietnamese notation, its
//! percentages are Σ tử số / Σ mẫu số, every unit's answer is there
//! attributed; LibreOffice converts it (opt-in test).

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use quick_xml::events::Event;
use tonghop::catalog::{GroupKind, IndicatorKind};
use tonghop::commands::consolidate::consolidate_round;

/// The document's text: every paragraph (also those in table cells) and
/// every table row as its cells' text (paragraphs and line breaks of a
/// cell joined by "\n").
struct DocText {
    paragraphs: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_docx(path: &Path) -> DocText {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut paragraphs, mut rows) = (Vec::new(), Vec::new());
    let mut para = String::new();
    let mut in_text = false;
    let mut cell: Option<String> = None;
    let mut row: Option<Vec<String>> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => match e.name().as_ref() {
                "w:t" => in_text = true,
                "w:p" => para.clear(),
                "w:tr" => row = Some(Vec::new()),
                "w:tc" => cell = Some(String::new()),
                _ => {}
            },
            Event::Empty(e) if e.name().as_ref() == "w:br" => para.push('\n'),
            Event::Text(t) if in_text => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                para.push_str(match r.into_inner().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                });
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    if let Some(c) = cell.as_mut() {
                        if !c.is_empty() {
                            c.push('\n');
                        }
                        c.push_str(&para);
                    }
                    paragraphs.push(std::mem::take(&mut para));
                }
                "w:tc" => {
                    if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                        r.push(c);
                    }
                }
                "w:tr" => rows.extend(row.take()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    DocText { paragraphs, rows }
}

/// Vietnamese notation written independently of the crate: "1.234",
/// "12,5", "57,56".
fn vi(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as u64;
    let (int, frac) = (cents / 100, cents % 100);
    let digits = int.to_string();
    let mut s = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            s.push('.');
        }
        s.push(ch);
    }
    if frac > 0 {
        s.push(',');
        s.push_str(format!("{frac:02}").trim_end_matches('0'));
    }
    if x < 0.0 {
        s.insert(0, '-');
    }
    s
}

/// Parse "1.234" / "57,56" back.
fn parse_vi(s: &str) -> f64 {
    s.trim()
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// The grand totals of the "Tổng hợp" sheet: mã số → value per column
/// (None for a blank cell), read with calamine.
fn summary_totals(path: &Path) -> BTreeMap<String, Vec<Option<f64>>> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range("Tổng hợp").unwrap();
    let mut out = BTreeMap::new();
    for row in range.rows() {
        let Some(Data::String(code)) = row.get(2) else {
            continue;
        };
        let b = code.as_bytes();
        if !(b.len() == 5 && b[2] == b'.') {
            continue;
        }
        let values = row
            .iter()
            .skip(5)
            .map(|d| match d {
                Data::Float(f) => Some(*f),
                Data::Int(i) => Some(*i as f64),
                _ => None,
            })
            .collect();
        out.insert(code.clone(), values);
    }
    out
}

struct Sample {
    _dir: tempfile::TempDir,
    out: std::path::PathBuf,
}

fn consolidated_samples() -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ket-qua");
    consolidate_round(&common::samples(), Some(out.clone()), None).unwrap();
    Sample { _dir: dir, out }
}

#[test]
fn the_draft_report_follows_the_outline_with_the_consolidated_figures() {
    let s = consolidated_samples();
    let doc = read_docx(&s.out.join("bao-cao-tong-hop.docx"));
    let catalog = tonghop::catalog::Catalog::embedded();

    // Every heading of the đề cương, as the outline numbers it, in order.
    assert!(catalog.outline.len() >= 25, "{}", catalog.outline.len());
    let mut at = 0;
    for h in &catalog.outline {
        let parts: Vec<&str> = h.outline_ref.split('.').collect();
        let number = if parts.len() == 1 {
            parts[0].to_string()
        } else {
            parts[1..].join(".")
        };
        let text = format!("{number}. {}", h.title);
        let found = doc.paragraphs[at..]
            .iter()
            .position(|p| p.trim() == text)
            .unwrap_or_else(|| panic!("heading {text:?} missing or out of order"));
        at += found + 1;
    }

    // The document head and the signature.
    let all = doc.paragraphs.join("\n");
    for needle in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "THÀNH ỦY LAI CHÂU",
        "Số ……-BC/ThU",
        "Lai Châu, ngày …… tháng …… năm 2021",
        "BÁO CÁO",
        "T/M BAN THƯỜNG VỤ",
        // signer_title and signer_name of the samples' tonghop.toml.
        "PHÓ BÍ THƯ",
        "Vàng Thị Chính",
        "Nơi nhận:",
        "TÌNH HÌNH TỔNG HỢP BÁO CÁO CỦA CÁC ĐƠN VỊ",
        "PHỤ LỤC",
    ] {
        assert!(all.contains(needle), "{needle:?} missing");
    }

    // Every grand total of the appendix is the one of tong-hop.xlsx,
    // written in Vietnamese notation ("(!)" after a flagged one; blank for
    // no figure).
    let totals = summary_totals(&s.out.join("tong-hop.xlsx"));
    let appendix: BTreeMap<&str, &Vec<String>> = doc
        .rows
        .iter()
        .filter(|r| r.len() > 3 && totals.contains_key(r[1].as_str()))
        .map(|r| (r[1].as_str(), r))
        .collect();
    let mut compared = 0;
    for g in catalog.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        for (n, col) in catalog.columns_of(g).iter().enumerate() {
            for ind in catalog.indicators_of(&g.id) {
                let row = appendix
                    .get(ind.code.as_str())
                    .unwrap_or_else(|| panic!("{} not in the appendix", ind.code));
                let shown = row[3 + n].trim_end_matches(" (!)");
                let expected = match totals[&ind.code][n] {
                    None => String::new(),
                    Some(v) if ind.kind == IndicatorKind::Percent => format!("{}%", vi(v)),
                    Some(v) => vi(v),
                };
                assert_eq!(shown, expected, "{} {}", ind.code, col.label);
                if !expected.is_empty() {
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 300, "{compared}");
    // Sentences of one-column biểu carry the same figure.
    let sentence = |label: &str| {
        doc.paragraphs
            .iter()
            .find(|p| p.starts_with(&format!("– {label}: ")))
            .unwrap_or_else(|| panic!("no sentence for {label}"))
            .clone()
    };
    for code in ["01.01", "01.02", "01.03", "01.04", "01.05"] {
        let ind = catalog.indicator(code).unwrap();
        let v = totals[code][0].expect("sample total");
        let p = sentence(&ind.label);
        assert!(
            p.contains(&format!(": {} ", vi(v))),
            "{code}: {p:?} lacks {}",
            vi(v)
        );
        assert!(p.contains("đơn vị báo cáo"), "{p}");
    }

    // Every percentage of the body is Σ tử số / Σ mẫu số of tong-hop.xlsx,
    // with both shown.
    let mut percentages = 0;
    for ind in catalog
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Percent)
    {
        let (Some(num), Some(den)) = (&ind.numerator, &ind.denominator) else {
            continue;
        };
        let row = doc
            .rows
            .iter()
            .find(|r| r[0] == ind.label && r.len() > 2 && r[1] == "%")
            .unwrap_or_else(|| panic!("{} not in a body table", ind.code));
        for cell in row[2..].iter().filter(|c| c.contains("%\n(")) {
            let (pct, rest) = cell.split_once("%\n(").unwrap();
            let (n, d) = rest
                .trim_end_matches(" (!)")
                .trim_end_matches(')')
                .split_once('/')
                .unwrap();
            let (n, d) = (parse_vi(n), parse_vi(d));
            let recomputed = (10000.0 * n / d).round() / 100.0;
            assert_eq!(parse_vi(pct), recomputed, "{} {cell:?}", ind.code);
            // The tử số and mẫu số are the consolidated ones.
            let col = totals[num.as_str()]
                .iter()
                .position(|v| *v == Some(n))
                .unwrap_or_else(|| panic!("{}: tử số {n} not a total of {num}", ind.code));
            assert_eq!(totals[den.as_str()][col], Some(d), "{}", ind.code);
            percentages += 1;
        }
    }
    assert!(percentages >= 8, "{percentages}");

    // Every unit's answer to 15.01, attributed.
    let round = tonghop::round::Round::load(&common::samples(), None).unwrap();
    let ingest = tonghop::ingest::ingest_round(&round, &[], &tonghop::ingest::Silent).unwrap();
    let cons = tonghop::consolidate::consolidate(&round, &ingest).unwrap();
    let mut answered = 0;
    for u in &round.units {
        if let Some(text) = cons.texts.get(&("15.01".to_string(), u.code.clone())) {
            let p = format!("– {}: {}", u.name, text.trim());
            assert!(
                doc.paragraphs.iter().any(|x| x.trim() == p),
                "answer of {} missing: {p:?}",
                u.name
            );
            answered += 1;
        }
    }
    assert!(answered >= 20, "{answered}");
}

/// The round section names the units that did not send and says how many
/// figures carry a lỗi.
#[test]
fn the_draft_report_says_who_is_missing_and_which_figures_are_not_usable() {
    let s = consolidated_samples();
    let doc = read_docx(&s.out.join("bao-cao-tong-hop.docx"));
    let all = doc.paragraphs.join("\n");
    for missing in [
        "Chi bộ phòng Nội vụ",
        "Chi bộ phòng Quản lý đô thị",
        "Chi bộ Trung tâm Y tế thành phố",
    ] {
        let line = doc
            .paragraphs
            .iter()
            .find(|p| p.starts_with("Số đơn vị phải báo cáo: 30"))
            .expect("round line");
        assert!(line.contains(missing), "{line}");
    }
    assert!(all.contains("lỗi chưa sửa"), "no word on lỗi");
    assert!(
        doc.paragraphs
            .iter()
            .any(|p| p.starts_with("– Mã số ") && p.contains("có cộng giá trị bị lỗi của")),
        "no flagged figure listed"
    );
    // A flagged figure is marked wherever it is printed.
    assert!(doc.rows.iter().flatten().any(|c| c.ends_with(" (!)")));
}

#[test]
#[ignore = "needs LibreOffice and poppler-utils (.ci/run installs them)"]
fn libreoffice_converts_the_draft_report() {
    let s = consolidated_samples();
    let pdf_dir = tempfile::tempdir().unwrap();
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(pdf_dir.path())
        .arg(s.out.join("bao-cao-tong-hop.docx"))
        .status()
        .expect("soffice must be installed for this test (.ci/run installs it)");
    assert!(status.success());
    let pdf = pdf_dir.path().join("bao-cao-tong-hop.pdf");
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    let text = String::from_utf8(text.stdout).unwrap();
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 5, "{} pages", pages.len());
    assert!(pages[0].contains("ĐẢNG CỘNG SẢN VIỆT NAM") && pages[0].contains("BÁO CÁO"));
    // Page numbers from page 2, at the top.
    assert_eq!(
        pages[1]
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap()
            .trim(),
        "2"
    );
    // The appendix prints in landscape, the report in portrait.
    let info = |page: usize| {
        let out = Command::new("pdfinfo")
            .args(["-f", &page.to_string(), "-l", &page.to_string()])
            .arg(&pdf)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let appendix = pages.iter().position(|p| p.contains("PHỤ LỤC")).unwrap() + 1;
    let size = |page: usize| {
        let text = info(page);
        let line = text
            .lines()
            .find(|l| l.starts_with("Page") && l.contains("size:"))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string();
        let dims: Vec<f64> = line
            .split("size:")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (dims[0], dims[1])
    };
    let (w, h) = size(1);
    assert!(w < h && (w - 595.3).abs() < 1.0, "page 1: {w} x {h}");
    let (w, h) = size(appendix);
    assert!(
        w > h && (h - 595.3).abs() < 1.0,
        "appendix page {appendix}: {w} x {h}"
    );
    // The signature stands with the closing sentence.
    let signed = pages
        .iter()
        .find(|p| p.contains("T/M BAN THƯỜNG VỤ"))
        .unwrap();
    assert!(signed.contains("Trên đây là báo cáo"), "{signed}");
}

/// Blank, zero and not applicable stay three things in the report: a
/// figure nobody gave is "chưa có số liệu" (a blank cell in the
/// appendix), a zero is "0", a chỉ tiêu no unit of the round reports is
/// "không áp dụng".
#[test]
fn blank_zero_and_not_applicable_read_differently() {
    let dir = common::small_round(&[
        ("CB-A", "Chi bộ A", "Chi bộ cơ sở", "Khối Đảng"),
        ("CB-B", "Chi bộ B", "Chi bộ cơ sở", "Khối Đảng"),
    ]);
    // 01.01 zero in both returns, 01.02 left blank by both; 01.04 (số hộ
    // dân) applies to xã, phường only.
    for (code, file) in [("CB-A", "a.xlsx"), ("CB-B", "b.xlsx")] {
        common::write_return(dir.path(), code, file, &[("01.01", "t2020", 0.0)]);
    }
    let out = dir.path().join("ket-qua");
    consolidate_round(dir.path(), Some(out.clone()), None).unwrap();
    let doc = read_docx(&out.join("bao-cao-tong-hop.docx"));
    let sentence = |label: &str| {
        doc.paragraphs
            .iter()
            .find(|p| p.starts_with(&format!("– {label}: ")))
            .unwrap_or_else(|| panic!("no sentence for {label}"))
            .clone()
    };
    let c = tonghop::catalog::Catalog::embedded();
    let label = |code: &str| c.indicator(code).unwrap().label.clone();
    assert_eq!(
        sentence(&label("01.01")),
        format!("– {}: 0 người (2/2 đơn vị báo cáo).", label("01.01"))
    );
    assert!(
        sentence(&label("01.02")).contains(": chưa có số liệu (0/2 đơn vị báo cáo)"),
        "{}",
        sentence(&label("01.02"))
    );
    assert!(
        sentence(&label("01.04")).contains(": không áp dụng"),
        "{}",
        sentence(&label("01.04"))
    );
    let row = |code: &str| {
        doc.rows
            .iter()
            .find(|r| r.len() > 3 && r[1] == code)
            .unwrap_or_else(|| panic!("{code} not in the appendix"))
            .clone()
    };
    assert_eq!(row("01.01")[3], "0");
    assert_eq!(row("01.02")[3], "");
    assert_eq!(row("01.04")[3], "");
    assert_eq!(row("01.04").last().unwrap(), "0/0");
}
