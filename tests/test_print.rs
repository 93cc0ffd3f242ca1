//! Printed pages (opt-in: needs LibreOffice, poppler's pdftotext and the
//! Carlito font, which `.ci/run` installs). Every sheet of every output and
//! of a unit's form is converted to PDF as a reviewer would print it; each
//! page is told apart by its footer ("<sheet>  Trang x/y"), so the page
//! count of every sheet is checked against a limit, and signatures are
//! checked to stand on a page with the table they sign.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use tonghop::commands::consolidate::consolidate_round;

/// The pages of a PDF as text (pdftotext -layout), by sheet name read
/// from each page's footer, in order.
fn pages_by_sheet(pdf: &Path) -> BTreeMap<String, Vec<String>> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for this test (.ci/run installs it)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut by_sheet: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, page) in text.split('\u{c}').enumerate() {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        let Some(last) = lines.last() else { continue };
        // The footer is the last line; on a page of charts pdftotext's
        // layout mixes the charts' text into it: then it is read in the
        // PDF's content order.
        let sheet = footer_sheet(last)
            .filter(|name| !name.contains("  "))
            .or_else(|| raw_footer(pdf, n + 1))
            .unwrap_or_else(|| panic!("{}: a page without the footer: {last:?}", pdf.display()));
        by_sheet.entry(sheet).or_default().push(page.to_string());
    }
    by_sheet
}

/// The footer line of page `n` (1-based) read in the PDF's content order
/// (`pdftotext -raw`), where the footer of a page with charts stands on a
/// line of its own.
fn raw_footer(pdf: &Path, n: usize) -> Option<String> {
    let page = n.to_string();
    let out = Command::new("pdftotext")
        .args(["-raw", "-f", &page, "-l", &page])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(footer_sheet)
}

/// The sheet name of a footer line "<sheet>   Trang 3/28".
fn footer_sheet(line: &str) -> Option<String> {
    let at = line.rfind("Trang ")?;
    let (pages, _) = line[at + 6..].trim().split_once('/')?;
    pages.parse::<u32>().ok()?;
    Some(line[..at].trim().to_string())
}

/// Whether a page shows a mã số ("07.09"): rows of a table.
fn has_code(page: &str) -> bool {
    page.split_whitespace().any(|w| {
        let b = w.as_bytes();
        b.len() == 5 && b[2] == b'.' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
    })
}

fn to_pdf(src: &Path, outdir: &Path) -> std::path::PathBuf {
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(outdir)
        .arg(src)
        .status()
        .expect("soffice must be installed for this test (.ci/run installs it)");
    assert!(status.success(), "soffice failed on {}", src.display());
    let pdf = outdir.join(format!(
        "{}.pdf",
        src.file_stem().unwrap().to_string_lossy()
    ));
    assert!(pdf.exists(), "{} not written", pdf.display());
    pdf
}

/// Column widths are in units of the default font (Calibri): without it
/// (or its metric twin Carlito) LibreOffice lays every sheet out wider
/// than Excel does, and the page counts mean nothing.
fn assert_calibri_metrics() {
    let out = Command::new("fc-match").arg("Calibri").output();
    let name = out
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    assert!(
        name.contains("Carlito") || name.contains("Calibri"),
        "Calibri or Carlito must be installed (apt-get install fonts-crosextra-carlito; .ci/run does): fc-match Calibri gives {name:?}"
    );
}

/// The visible sheets of a workbook, in order.
fn visible_sheets(path: &Path) -> Vec<String> {
    use calamine::{open_workbook_auto, Reader, SheetVisible};
    let wb = open_workbook_auto(path).unwrap();
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

#[test]
#[ignore = "needs LibreOffice, pdftotext and Carlito; run by .ci/run"]
fn every_sheet_prints_on_few_pages_with_its_signature() {
    assert_calibri_metrics();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    consolidate_round(&common::samples(), Some(out.clone()), None).unwrap();
    let forms = dir.path().join("forms");
    assert_eq!(
        common::run_cli(&[
            "forms",
            common::samples().to_str().unwrap(),
            "--out",
            forms.to_str().unwrap()
        ]),
        Ok(0)
    );
    let pdfs = dir.path().join("pdf");
    let form = forms.join("p-tanphong-dang-bo-phuong-tan-phong.xlsx");
    let generic = forms.join(tonghop::form::GENERIC_FORM_FILE);
    let mut printed = BTreeMap::new();
    for path in [
        form.clone(),
        generic,
        out.join("tong-hop.xlsx"),
        out.join("gui-cap-tren.xlsx"),
        out.join("bao-cao-loi.xlsx"),
        out.join("du-lieu-goc.xlsx"),
        // A unit's feedback workbook ("Cần sửa" and its form).
        std::fs::read_dir(out.join("phan-hoi"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .min()
            .unwrap(),
    ] {
        let pages = pages_by_sheet(&to_pdf(&path, &pdfs));
        // Every visible sheet prints, under its own name.
        for sheet in visible_sheets(&path) {
            assert!(
                pages.contains_key(&sheet),
                "{}: sheet {sheet} has no page ({:?})",
                path.display(),
                pages.keys().collect::<Vec<_>>()
            );
        }
        printed.insert(
            path.file_name().unwrap().to_string_lossy().to_string(),
            pages,
        );
    }
    let count = |file: &str, sheet: &str| printed[file][sheet].len();
    let form_file = "p-tanphong-dang-bo-phuong-tan-phong.xlsx";
    for file in [form_file, "bieu-mau-chung.xlsx", "gui-cap-tren.xlsx"] {
        assert_eq!(count(file, "Hướng dẫn"), 1, "{file}: Hướng dẫn on one page");
    }
    // A unit's form: every biểu on at most two pages, signed on a page
    // that also carries rows of its table (a mã số such as "07.09").
    for (sheet, pages) in &printed[form_file] {
        if !sheet.starts_with("Biểu") {
            continue;
        }
        assert!(pages.len() <= 2, "{sheet}: {} pages", pages.len());
        let last = pages.last().unwrap();
        assert!(
            last.contains("NGƯỜI LẬP BIỂU") && has_code(last),
            "{sheet}: signature without its table on the last page:\n{last}"
        );
        assert!(
            last.lines()
                .any(|l| l.contains("Lai Châu, ngày ..... tháng ..... năm 2021")),
            "{sheet}: the date line wraps:\n{last}"
        );
    }
    // The Party-document header: the parent over the issuing body.
    let first = &printed[form_file]["Biểu 01"][0];
    assert!(first.contains("ĐẢNG BỘ THÀNH PHỐ LAI CHÂU"), "{first}");
    assert!(first.contains("ĐẢNG ỦY PHƯỜNG TÂN PHONG"), "{first}");
    assert!(first.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{first}");
    let summary = &printed["tong-hop.xlsx"]["Tổng hợp"];
    assert!(
        summary[0].contains("ĐẢNG BỘ TỈNH LAI CHÂU"),
        "{}",
        summary[0]
    );
    assert!(summary[0].contains("THÀNH ỦY LAI CHÂU"), "{}", summary[0]);
    assert!(summary[0].contains("tổng hợp từ 27/30 đơn vị phải nộp"));
    // What a reviewer reads: the summary and the status in a few pages,
    // each signed under its table.
    // 13: a biểu continued on a new page repeats its title row there.
    assert!(summary.len() <= 13, "Tổng hợp: {} pages", summary.len());
    assert!(summary.last().unwrap().contains("T/M BAN THƯỜNG VỤ"));
    let status = &printed["tong-hop.xlsx"]["Tình hình nộp"];
    assert!(status.len() <= 2, "Tình hình nộp: {} pages", status.len());
    assert!(status.last().unwrap().contains("NGƯỜI TỔNG HỢP"));
    assert!(status[0].contains("THÀNH ỦY LAI CHÂU"));
    // The charts: headed as the other report sheets, a chart on every
    // page (its title names a biểu or a mã số), no more pages than charts
    // (two small ones or one by unit on a page).
    let charts = &printed["tong-hop.xlsx"]["Biểu đồ"];
    assert!(charts[0].contains("THÀNH ỦY LAI CHÂU"), "{}", charts[0]);
    assert!(charts.len() <= 42, "Biểu đồ: {} pages", charts.len());
    for page in charts {
        assert!(page.contains("Biểu số") || has_code(page), "{page}");
    }
    // Narrative answers: labels on every page (each page of the sheet
    // carries an item heading "Mục …" or a unit's name).
    for page in &printed["tong-hop.xlsx"]["Thuyết minh"] {
        assert!(
            page.contains("Nội dung trả lời"),
            "header row repeated:\n{page}"
        );
    }
    for (sheet, limit) in [("Lỗi và cảnh báo", 3), ("Theo đơn vị", 2)] {
        let pages = &printed["bao-cao-loi.xlsx"][sheet];
        assert!(pages.len() <= limit, "{sheet}: {} pages", pages.len());
        assert!(pages[0].contains("THÀNH ỦY LAI CHÂU"), "{sheet}");
        assert!(pages.last().unwrap().contains("NGƯỜI TỔNG HỢP"), "{sheet}");
    }
}
