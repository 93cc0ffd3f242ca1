//! The draft báo cáo tổng kết, `bao-cao-tong-hop.docx`: what the Ban
//! Tuyên giáo edits and submits to the Ban Thường vụ (Kế hoạch 24-KH/ThU,
//! III.1: "tổng hợp, tham mưu xây dựng báo cáo tổng kết").
//!
//! Layout of a Party document (Hướng dẫn 36-HD/VPTW, as the seed's Kế
//! hoạch): the committee top left with "*" and "Số …-BC/…" under it,
//! "ĐẢNG CỘNG SẢN VIỆT NAM" and the italic place and date top right,
//! "BÁO CÁO" and the trích yếu centred, Times New Roman 14 on A4 portrait
//! (margins 2 cm top and bottom, 3 cm left, 2 cm right), page numbers at
//! the top centre from page 2, "Nơi nhận" and "T/M BAN THƯỜNG VỤ" at the
//! end. The body follows the catalogue's outline ([`Catalog::outline`]):
//! under each heading the consolidated figures of its chỉ tiêu (sentences
//! for one column, small tables for periods, before/after side by side
//! with the change), every percentage as Σ tử số / Σ mẫu số with both
//! figures, how many units reported each figure, and the units' narrative
//! answers attributed by name. A first section says how the round went
//! (units on time, late, missing, figures still carrying lỗi); an
//! appendix has the biểu tổng hợp. Figures are the ones `tong-hop.xlsx`
//! shows, written in Vietnamese notation ("1.234", "57,56%"); a total
//! that includes a value with an unfixed lỗi is marked "(!)" and
//! explained, never printed as if right; a blank stays "chưa có số liệu".

use std::collections::{BTreeMap, HashMap};

use docx_rs::{
    AlignmentType, BreakType, Docx, Header, LineSpacing, PageMargin, PageNum, PageOrientationType,
    PageSize, Paragraph, Run, RunFonts, SectionProperty, Table, TableCell, TableCellMargins,
    TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::catalog::{Catalog, Column, GroupKind, Indicator, IndicatorKind, OutlineHeading};
use crate::consolidate::{Consolidated, Marks};
use crate::diagnostic::Finding;
use crate::report::tong_hop::{applicable_units, coverage};
use crate::report::{Status, Submission};
use crate::round::Round;
use crate::text::number_vi;

/// File name of the draft report.
pub const REPORT_DOCX: &str = "bao-cao-tong-hop.docx";

/// The document's font (Hướng dẫn 36-HD/VPTW: Times New Roman).
const FONT: &str = "Times New Roman";
/// Body text, in half-points (14 pt).
const BODY: usize = 28;
/// Table text, in half-points.
const TABLE: usize = 22;
/// Appendix table text, in half-points.
const APPENDIX: usize = 20;
/// A4 in twips (1/20 pt).
const A4: (u32, u32) = (11906, 16838);
/// Margins in twips: 2 cm top and bottom, 3 cm left, 2 cm right.
const MARGIN: (i32, i32, i32, i32) = (1134, 1134, 1701, 1134);
/// Width of the text between the margins, in twips: portrait.
const TEXT_WIDTH: usize = A4.0 as usize - 1701 - 1134;
/// Landscape (the appendix).
const WIDE_TEXT_WIDTH: usize = A4.1 as usize - 1701 - 1134;
/// First-line indent of body paragraphs (1.27 cm).
const INDENT: i32 = 720;
/// Dotted blank for what the writer fills in.
const DOTS: &str = "……";
/// Answers shown in full under one narrative item: a writer condenses a
/// district's thirty or a province's hundred; beyond, the rest are on the
/// "Thuyết minh" sheet of `tong-hop.xlsx` (and the document stays a size
/// Word opens).
const ANSWERS_SHOWN: usize = 200;
/// Unit names listed in one sentence (missing units, units without an
/// answer, units behind a flagged figure) before "và … đơn vị khác".
const NAMES_SHOWN: usize = 40;

/// Build the draft report of a consolidated round.
///
/// `status` is [`crate::report::statuses`]; `findings` every finding of
/// the run (the lỗi still open are counted in the first section).
pub fn document(
    round: &Round,
    cons: &Consolidated,
    marks: &Marks,
    status: &[Status],
    findings: &[Finding],
) -> Docx {
    let set = &round.settings;
    // Two sections: the report in portrait (no number on its first page),
    // the appendix's wide tables in landscape. The last section is the
    // document's own; the report's ends with a paragraph carrying its
    // properties and the same page-number header (the writer's first
    // header part, `rIdHeader1`).
    let mut doc = Docx::new()
        .page_size(A4.1, A4.0)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(margins())
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_size(BODY)
        // Page numbers at the top centre.
        .header(page_number());
    doc = doc.add_table(document_head(round));
    doc = doc
        .add_paragraph(centred(Run::new().add_text("BÁO CÁO").bold().size(30)).spacing(240, 0))
        .add_paragraph(centred(Run::new().add_text(&set.title).bold()))
        .add_paragraph(centred(Run::new().add_text("-----")).spacing(0, 120));
    doc = doc.add_paragraph(body(&format!(
        "Thực hiện Kế hoạch số {}, ngày {} của {} về {}; Ban Thường vụ {} báo cáo kết quả như sau:",
        set.plan_number,
        set.plan_date,
        set.issuer,
        crate::text::lower_first(&set.title),
        set.committee_body(),
    )));
    let flags = Flags::new(round, marks);
    for p in round_section(round, cons, &flags, status, findings) {
        doc = doc.add_paragraph(p);
    }
    for block in outline_body(round, cons, &flags) {
        doc = match block {
            Block::Paragraph(p) => doc.add_paragraph(*p),
            Block::Table(t) => doc.add_table(*t),
        };
    }
    // The closing sentence stays on the page of the signature.
    doc = doc.add_paragraph(
        body(&format!(
            "Trên đây là báo cáo {} của Ban Thường vụ {}./.",
            crate::text::lower_first(&set.title),
            set.committee_body()
        ))
        .keep_next(true),
    );
    doc = doc.add_table(closing(round)).add_paragraph(
        Paragraph::new().section_property(
            SectionProperty::new()
                .page_size(PageSize::new().size(A4.0, A4.1))
                .page_orient(PageOrientationType::Portrait)
                .page_margin(margins())
                .header(page_number(), "rIdHeader1")
                .title_pg(),
        ),
    );
    for block in appendix(round, cons, &flags) {
        doc = match block {
            Block::Paragraph(p) => doc.add_paragraph(*p),
            Block::Table(t) => doc.add_table(*t),
        };
    }
    doc
}

/// Margins of both sections, header and footer 1 cm from the edge.
fn margins() -> PageMargin {
    PageMargin::new()
        .top(MARGIN.0)
        .bottom(MARGIN.1)
        .left(MARGIN.2)
        .right(MARGIN.3)
        .header(567)
        .footer(567)
}

/// The page number, centred at the top.
fn page_number() -> Header {
    Header::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_page_num(PageNum::new()),
    )
}

/// The document as .docx bytes.
///
/// # Errors
/// Zip errors of the docx writer (a bug, not bad data).
pub fn to_bytes(doc: Docx) -> std::io::Result<Vec<u8>> {
    let mut stored = std::io::Cursor::new(Vec::new());
    doc.pack(&mut stored)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    deflated(&stored.into_inner())
}

/// The zip archive `stored` with every entry deflated (the docx writer
/// stores its parts uncompressed: a report of thirty units' answers is a
/// megabyte of XML, deflated a tenth of it), and the header rows marked
/// to repeat ([`HEADER_ROW_MARK`]).
fn deflated(stored: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let zip_err = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored)).map_err(zip_err)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut buf = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(zip_err)?;
        let name = entry.name().map_err(zip_err)?.to_string();
        if entry.is_dir() {
            out.add_directory(name, options).map_err(zip_err)?;
            continue;
        }
        buf.clear();
        entry.read_to_end(&mut buf)?;
        out.start_file(name.as_str(), options).map_err(zip_err)?;
        if name == "word/document.xml" {
            let xml = String::from_utf8_lossy(&buf).replace(
                HEADER_ROW_MARK,
                &format!("{HEADER_ROW_MARK}<w:tblHeader />"),
            );
            out.write_all(xml.as_bytes())?;
        } else {
            out.write_all(&buf)?;
        }
    }
    Ok(out.finish().map_err(zip_err)?.into_inner())
}

/// A paragraph or a table of the body, in order.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

impl Block {
    fn paragraph(p: Paragraph) -> Block {
        Block::Paragraph(Box::new(p))
    }

    fn table(t: Table) -> Block {
        Block::Table(Box::new(t))
    }
}

trait Spacing {
    /// Space before and after, in twips.
    fn spacing(self, before: u32, after: u32) -> Self;
}

impl Spacing for Paragraph {
    fn spacing(self, before: u32, after: u32) -> Paragraph {
        self.line_spacing(LineSpacing::new().before(before).after(after))
    }
}

fn centred(run: Run) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(run)
        .spacing(0, 0)
}

/// An empty paragraph of the body's shape: justified, first line
/// indented 1.27 cm, line spacing 1.15, `before` and `after` in twips.
fn indented(before: u32, after: u32) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(docx_rs::SpecialIndentType::FirstLine(INDENT)),
            None,
            None,
        )
        .line_spacing(LineSpacing::new().before(before).after(after).line(276))
}

/// A body paragraph: justified, first line indented, 6 pt after.
fn body(text: &str) -> Paragraph {
    indented(0, 120).add_run(Run::new().add_text(text))
}

/// A body paragraph whose text may hold line breaks (a unit's answer).
fn body_runs(runs: Vec<Run>) -> Paragraph {
    let mut p = indented(0, 120);
    for r in runs {
        p = p.add_run(r);
    }
    p
}

/// `text` as runs, a line break at each newline.
fn with_breaks(text: &str, style: impl Fn(Run) -> Run) -> Vec<Run> {
    let mut runs = Vec::new();
    for (i, line) in text.trim().lines().enumerate() {
        let mut r = Run::new();
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        runs.push(style(r.add_text(line.trim_end())));
    }
    runs
}

/// The số hiệu suffix of the committee's documents, from the plan's
/// ("24-KH/ThU" → "ThU"); dots when the plan has none.
fn number_suffix(round: &Round) -> &str {
    round
        .settings
        .plan_number
        .split_once('/')
        .map_or(DOTS, |(_, s)| s)
}

/// The two-column head: committee (with "*" and the số) left, the Party's
/// name and the place/date right.
fn document_head(round: &Round) -> Table {
    let set = &round.settings;
    let suffix = number_suffix(round);
    let left = TableCell::new()
        .width(TEXT_WIDTH * 2 / 5, WidthType::Dxa)
        .add_paragraph(centred(
            Run::new().add_text(set.parent.to_uppercase()).size(26),
        ))
        .add_paragraph(centred(
            Run::new()
                .add_text(set.committee_body().to_uppercase())
                .bold()
                .size(26),
        ))
        .add_paragraph(centred(Run::new().add_text("*")))
        .add_paragraph(centred(
            Run::new().add_text(format!("Số {DOTS}-BC/{suffix}")),
        ));
    let right = TableCell::new()
        .width(TEXT_WIDTH * 3 / 5, WidthType::Dxa)
        .add_paragraph(centred(
            Run::new()
                .add_text("ĐẢNG CỘNG SẢN VIỆT NAM")
                .bold()
                .underline("single"),
        ))
        .add_paragraph(centred(Run::new()))
        .add_paragraph(centred(Run::new()))
        .add_paragraph(centred(Run::new().add_text(date_line(round)).italic()));
    Table::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![TEXT_WIDTH * 2 / 5, TEXT_WIDTH * 3 / 5])
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// "<place>, ngày … tháng … năm <year of the deadline>".
fn date_line(round: &Round) -> String {
    use chrono::Datelike;
    format!(
        "{}, ngày {DOTS} tháng {DOTS} năm {}",
        round.settings.place,
        round.settings.deadline.year()
    )
}

/// A heading of the outline: "I. ĐẶC ĐIỂM TÌNH HÌNH" (bold), "1. Tình
/// hình chung" (bold), "2.1. …" (bold italic), as the đề cương numbers
/// them.
fn heading(h: &OutlineHeading) -> Paragraph {
    let text = heading_text(h);
    let mut run = Run::new().add_text(text).bold();
    if h.depth() >= 3 {
        run = run.italic();
    }
    indented(120, 120).keep_next(true).add_run(run)
}

/// The heading's text as printed: "I. ĐẶC ĐIỂM TÌNH HÌNH", "1. Tình hình
/// chung", "2.1. Nâng cao …" (the number without the section's numeral).
pub fn heading_text(h: &OutlineHeading) -> String {
    let parts: Vec<&str> = h.outline_ref.split('.').map(str::trim).collect();
    let number = if parts.len() == 1 {
        parts[0].to_string()
    } else {
        parts[1..].join(".")
    };
    if h.title.is_empty() {
        format!("{number}.")
    } else {
        format!("{number}. {}", h.title)
    }
}

/// The outline: the catalogue's own headings, or else the refs of its biểu
/// and chỉ tiêu in outline order, titled by the biểu whose ref it is.
pub fn headings(c: &Catalog) -> Vec<OutlineHeading> {
    if !c.outline.is_empty() {
        return c.outline.clone();
    }
    let mut refs: Vec<String> = Vec::new();
    for r in c
        .groups
        .iter()
        .map(|g| &g.outline_ref)
        .chain(c.indicators.iter().map(|i| &i.outline_ref))
    {
        if ref_key(r).is_some() && !refs.contains(r) {
            refs.push(r.clone());
        }
    }
    refs.sort_by_key(|r| ref_key(r));
    refs.into_iter()
        .map(|r| OutlineHeading {
            title: c
                .groups
                .iter()
                .find(|g| g.outline_ref == r && g.kind == GroupKind::Table)
                .map(|g| g.title.clone())
                .unwrap_or_default(),
            outline_ref: r,
        })
        .collect()
}

/// Sort key of a ref: "II.2.1" → [2, 2, 1]; None for what is not one
/// ("I - V").
fn ref_key(r: &str) -> Option<Vec<u32>> {
    let mut parts = r.split('.').map(str::trim);
    let first = roman(parts.next()?)?;
    let mut key = vec![first];
    for p in parts {
        key.push(p.parse().ok()?);
    }
    Some(key)
}

fn roman(s: &str) -> Option<u32> {
    let value = |c| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        _ => None,
    };
    let digits: Vec<u32> = s.chars().map(value).collect::<Option<_>>()?;
    if digits.is_empty() {
        return None;
    }
    let mut total = 0i64;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|n| n > d) {
            total -= i64::from(*d);
        } else {
            total += i64::from(*d);
        }
    }
    u32::try_from(total).ok()
}

/// Where a chỉ tiêu goes: the heading with its ref, else the deepest
/// heading its ref starts with; None when no heading fits.
fn heading_of(headings: &[OutlineHeading], r: &str) -> Option<usize> {
    let r = r.trim();
    headings
        .iter()
        .enumerate()
        .filter(|(_, h)| r == h.outline_ref || r.starts_with(&format!("{}.", h.outline_ref)))
        .max_by_key(|(_, h)| h.outline_ref.len())
        .map(|(i, _)| i)
}

/// The first section: how the round went, so that nobody signs a figure
/// known to be wrong.
fn round_section(
    round: &Round,
    cons: &Consolidated,
    flags: &Flags,
    status: &[Status],
    findings: &[Finding],
) -> Vec<Paragraph> {
    let names = |pick: &dyn Fn(&Status) -> bool| -> Vec<String> {
        status
            .iter()
            .filter(|s| pick(s))
            .map(|s| s.unit.name.clone())
            .collect()
    };
    let on_time = names(&|s| s.state == Submission::Submitted && !s.late);
    let late = names(&|s| s.state == Submission::Submitted && s.late);
    let blank = names(&|s| s.state == Submission::BlankForm);
    let missing = names(&|s| s.state == Submission::Missing);
    let listed = |n: &[String]| {
        if n.is_empty() {
            "0".to_string()
        } else {
            format!(
                "{} ({})",
                n.len(),
                some_names(n, "xem trang \"Tình hình nộp\" của tong-hop.xlsx")
            )
        }
    };
    let mut out = vec![
        indented(120, 60)
            .keep_next(true)
            .add_run(Run::new().add_text("TÌNH HÌNH TỔNG HỢP BÁO CÁO CỦA CÁC ĐƠN VỊ").bold()),
        indented(0, 120)
            .add_run(
                Run::new()
                    .add_text("(Phần dành cho người soạn thảo, lược bỏ khi hoàn chỉnh báo cáo.)")
                    .italic(),
            ),
        body(&format!(
            "Số đơn vị phải báo cáo: {}; đã nộp: {}, trong đó đúng hạn ({}): {}, trễ hạn: {}; nộp biểu trống: {}; chưa nộp: {}.",
            status.len(),
            on_time.len() + late.len(),
            round.settings.deadline.format("%d/%m/%Y"),
            on_time.len(),
            listed(&late),
            listed(&blank),
            listed(&missing),
        )),
    ];
    let open_errors = findings
        .iter()
        .filter(|f| f.severity == crate::catalog::Severity::Loi)
        .count();
    let flagged = flagged_figures(round, cons, flags);
    if open_errors == 0 && flagged.is_empty() {
        out.push(body("Các số liệu tổng hợp dưới đây không có lỗi chưa sửa."));
    } else if flagged.is_empty() {
        out.push(body(&format!(
            "Còn {open_errors} lỗi chưa sửa trong các báo cáo (chi tiết: bao-cao-loi.xlsx); không số tổng hợp nào dưới đây có cộng giá trị bị lỗi hay còn thiếu số liệu bắt buộc."
        )));
    } else {
        out.push(body(&format!(
            "Còn {open_errors} lỗi chưa sửa trong các báo cáo (chi tiết: bao-cao-loi.xlsx). {} số tổng hợp có cộng giá trị bị lỗi hoặc còn thiếu số liệu bắt buộc, được đánh dấu (!) trong báo cáo này và chưa dùng được khi chưa sửa xong:",
            flagged.len()
        )));
        for f in flagged {
            out.push(body(&format!("– {f}")));
        }
    }
    out
}

/// Every consolidated figure that includes a value with an unfixed lỗi
/// (or fails the committee's own checks), one line each, in catalogue
/// order.
fn flagged_figures(round: &Round, cons: &Consolidated, flags: &Flags) -> Vec<String> {
    let c = &round.catalog;
    let mut out = Vec::new();
    // A failed check of the committee's totals names several chỉ tiêu
    // (a total and its parts): its message is written once.
    let mut checks_seen: HashMap<String, String> = HashMap::new();
    for (i, ind) in c.indicators.iter().enumerate() {
        if !ind.kind.is_numeric() && ind.kind != IndicatorKind::YesNo {
            continue;
        }
        for (k, col) in c.columns_of_indicator(i).iter().enumerate() {
            let Some(f) = flags.get(i, k) else {
                continue;
            };
            let here = format!("mã số {}, cột {}", ind.code, col.label);
            let mut why = Vec::new();
            if !f.units.is_empty() {
                why.push(format!(
                    "{} của {}",
                    f.kind,
                    some_names(&f.units, "xem bao-cao-loi.xlsx")
                ));
            }
            if let Some(check) = &f.check {
                why.push(match checks_seen.get(check) {
                    Some(first) => format!("số tổng hợp không qua được kiểm tra, như {first}"),
                    None => {
                        let text = format!("số tổng hợp không qua được kiểm tra ({check})");
                        checks_seen.insert(check.clone(), here);
                        text
                    }
                });
            }
            let v = cons.total_value(&ind.code, &col.key);
            out.push(format!(
                "Mã số {} – {}, cột {} ({}): {}.",
                ind.code,
                ind.label,
                col.label,
                figure_text(ind, v),
                why.join("; ")
            ));
        }
    }
    out
}

/// Why a grand total is not to be used yet.
struct Flag {
    /// The units whose unfixed lỗi it includes, or whose required figure
    /// left blank it lacks, by name.
    units: Vec<String>,
    /// Whether it includes wrong values, lacks required ones, or both.
    kind: crate::consolidate::Taint,
    /// The committee's own failed check of it, its message.
    check: Option<String>,
}

/// The [`Flag`] of every flagged grand total, by (indicator position,
/// column), worked out once for the document.
struct Flags(HashMap<(usize, usize), Flag>);

impl Flags {
    fn new(round: &Round, marks: &Marks) -> Flags {
        let c = &round.catalog;
        let mut out = HashMap::new();
        for (i, ind) in c.indicators.iter().enumerate() {
            if !ind.kind.is_numeric() && ind.kind != IndicatorKind::YesNo {
                continue;
            }
            for k in 0..c.columns_of_indicator(i).len() {
                let tainted = marks.errors_in(c, i, k, &round.units);
                let units: Vec<String> = tainted.iter().map(|t| t.unit.name.clone()).collect();
                let kind = crate::consolidate::Taint::of(&tainted);
                let check = marks
                    .committee(i, k)
                    .filter(|m| m.severity == crate::catalog::Severity::Loi)
                    .map(|m| m.messages.join(" ").trim_end_matches('.').to_string());
                if !units.is_empty() || check.is_some() {
                    out.insert((i, k), Flag { units, kind, check });
                }
            }
        }
        Flags(out)
    }

    /// The flag of the grand total of (indicator position, column); None
    /// for a figure with no known error.
    fn get(&self, ind: usize, col: usize) -> Option<&Flag> {
        self.0.get(&(ind, col))
    }
}

/// A figure in Vietnamese notation: "1.234", "57,56%", "chưa có số liệu".
fn figure_text(ind: &Indicator, v: Option<f64>) -> String {
    match v.and_then(crate::text::finite) {
        None => "chưa có số liệu".to_string(),
        Some(v) if ind.kind == IndicatorKind::Percent => format!("{}%", number_vi(v)),
        Some(v) => number_vi(v),
    }
}

/// The grand total of (chỉ tiêu, column) as printed: a percentage with its
/// Σ tử số / Σ mẫu số, a yes/no as "12 đơn vị có", "(!)" after a flagged
/// figure; empty for no figure.
fn total_text(round: &Round, cons: &Consolidated, flags: &Flags, ind: usize, col: usize) -> String {
    let c = &round.catalog;
    let i = &c.indicators[ind];
    let key = &c.columns_of_indicator(ind)[col].key;
    let v = cons.total_value(&i.code, key);
    let Some(v) = v.and_then(crate::text::finite) else {
        return String::new();
    };
    let mut s = match i.kind {
        IndicatorKind::Percent => {
            let part = |code: &Option<String>| {
                code.as_deref()
                    .and_then(|code| cons.total_value(code, key))
                    .map(number_vi)
            };
            match (part(&i.numerator), part(&i.denominator)) {
                (Some(n), Some(d)) => format!("{}%\n({n}/{d})", number_vi(v)),
                _ => format!("{}%", number_vi(v)),
            }
        }
        IndicatorKind::YesNo => format!("{} đơn vị có", number_vi(v)),
        _ => number_vi(v),
    };
    if flags.get(ind, col).is_some() {
        s.push_str(" (!)");
    }
    s
}

/// The before/after pair of a column set, as positions: the two periods
/// it compares ([`crate::report::bieu_do::Periods`], the charts' rule:
/// "2011 - 2015 (trước Đề án)" and "Tổng 2016 - 2020", "Tại 31/12/2015"
/// and "Tại 31/12/2020"); None when it compares none.
pub fn before_after(columns: &[Column]) -> Option<(usize, usize)> {
    let (before, after) = crate::report::bieu_do::Periods::of(columns).before_after()?;
    let at = |c: &Column| columns.iter().position(|x| x.key == c.key);
    Some((at(before)?, at(after)?))
}

/// "+12", "−3", "0" (percentages in điểm %); empty when either is missing.
fn change_text(ind: &Indicator, before: Option<f64>, after: Option<f64>) -> String {
    let (Some(b), Some(a)) = (before, after) else {
        return String::new();
    };
    let d = crate::consolidate::round2(a - b);
    let unit = if ind.kind == IndicatorKind::Percent {
        " điểm %"
    } else {
        ""
    };
    if d > 0.0 {
        format!("+{}{unit}", number_vi(d))
    } else if d < 0.0 {
        format!("−{}{unit}", number_vi(-d))
    } else {
        format!("0{unit}")
    }
}

/// The body: every heading of the outline with what the catalogue puts
/// under it.
fn outline_body(round: &Round, cons: &Consolidated, flags: &Flags) -> Vec<Block> {
    let c = &round.catalog;
    let heads = headings(c);
    // Chỉ tiêu by heading, in catalogue order; those under no heading last.
    let mut under: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, ind) in c.indicators.iter().enumerate() {
        under
            .entry(heading_of(&heads, &ind.outline_ref))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for (h, head) in heads.iter().enumerate() {
        out.push(Block::paragraph(heading(head)));
        if let Some(items) = under.get(&Some(h)) {
            items_blocks(round, cons, flags, items, &mut out);
        }
    }
    if let Some(items) = under.get(&None) {
        out.push(Block::paragraph(heading(&OutlineHeading {
            outline_ref: String::new(),
            title: "CÁC NỘI DUNG KHÁC CỦA DANH MỤC".into(),
        })));
        items_blocks(round, cons, flags, items, &mut out);
    }
    out
}

/// The chỉ tiêu of one heading, run by run of the same biểu.
fn items_blocks(
    round: &Round,
    cons: &Consolidated,
    flags: &Flags,
    items: &[usize],
    out: &mut Vec<Block>,
) {
    let c = &round.catalog;
    let mut start = 0;
    while start < items.len() {
        let group = &c.indicators[items[start]].group;
        let end = items[start..]
            .iter()
            .position(|&i| &c.indicators[i].group != group)
            .map_or(items.len(), |n| start + n);
        let run = &items[start..end];
        match c.group(group).map(|g| g.kind) {
            Some(GroupKind::Table) => figures(round, cons, flags, run, out),
            Some(GroupKind::List) => {
                for &i in run {
                    out.push(Block::paragraph(list_sentence(round, cons, i)));
                }
            }
            Some(GroupKind::Narrative) => {
                for &i in run {
                    answers(round, cons, &c.indicators[i], out);
                }
            }
            None => {}
        }
        start = end;
    }
}

/// The figures of a run of chỉ tiêu of one biểu: a sentence each for a
/// one-column biểu, else a table with the periods as columns (and the
/// change when the biểu compares with before the Đề án).
fn figures(round: &Round, cons: &Consolidated, flags: &Flags, run: &[usize], out: &mut Vec<Block>) {
    let c = &round.catalog;
    let columns = c.columns_of_indicator(run[0]);
    if columns.len() == 1 {
        for &i in run {
            let ind = &c.indicators[i];
            let (reported, _) = coverage(round, cons, ind);
            if applicable_units(round, ind) == 0 {
                // Not applicable is neither a blank nor a zero.
                out.push(Block::paragraph(body(&format!(
                    "– {}: không áp dụng (không đơn vị nào của đợt phải báo cáo chỉ tiêu này).",
                    ind.label
                ))));
                continue;
            }
            let text = total_text(round, cons, flags, i, 0);
            let value = if text.is_empty() {
                "chưa có số liệu".to_string()
            } else if ind.kind == IndicatorKind::YesNo || ind.kind == IndicatorKind::Percent {
                text
            } else {
                format!("{text} {}", ind.measure)
            };
            out.push(Block::paragraph(body(&format!(
                "– {}: {value} ({reported} đơn vị báo cáo).",
                ind.label
            ))));
        }
        return;
    }
    // Before/after the Đề án side by side with the change (the single
    // years are in the appendix); otherwise every period.
    let pair = before_after(columns);
    let shown: Vec<usize> = match pair {
        Some((b, a)) => vec![b, a],
        None => (0..columns.len()).collect(),
    };
    let mut header: Vec<String> = vec!["Chỉ tiêu".into(), "Đơn vị tính".into()];
    header.extend(shown.iter().map(|&k| columns[k].label.clone()));
    if pair.is_some() {
        header.push("Tăng (+), giảm (−)".into());
    }
    header.push("Số đơn vị báo cáo".into());
    let mut rows = Vec::new();
    for &i in run {
        let ind = &c.indicators[i];
        let mut row = vec![ind.label.clone(), measure(ind).to_string()];
        // In a narrow cell the mark goes under the figure, never between
        // its digits.
        row.extend(
            shown
                .iter()
                .map(|&k| total_text(round, cons, flags, i, k).replace(" (!)", "\n(!)")),
        );
        if let Some((b, a)) = pair {
            let get = |k: usize| cons.total_value(&ind.code, &columns[k].key);
            let mut change = change_text(ind, get(b), get(a));
            // A change computed from a known-wrong figure is marked too.
            let flagged = [b, a].iter().any(|&k| flags.get(i, k).is_some());
            if flagged && !change.is_empty() {
                change.push_str("\n(!)");
            }
            row.push(change);
        }
        row.push(coverage(round, cons, ind).0);
        rows.push((ind.level, row));
    }
    // Many periods: a point smaller, so that "12.345" fits its column.
    let size = if header.len() > 6 { TABLE - 2 } else { TABLE };
    out.push(Block::table(grid(&header, &rows, size, 2, TEXT_WIDTH)));
    out.push(Block::paragraph(
        Paragraph::new().line_spacing(LineSpacing::new().before(0).after(60)),
    ));
}

fn measure(ind: &Indicator) -> &str {
    if ind.kind == IndicatorKind::YesNo {
        "đơn vị"
    } else {
        &ind.measure
    }
}

/// A bordered table: `header` then `rows` (each with its chỉ tiêu's
/// level, which indents the first cell), the first column left-aligned,
/// the others centred; column widths share the
/// text width (the first column the widest).
fn grid(
    header: &[String],
    rows: &[(u8, Vec<String>)],
    size: usize,
    text_cols: usize,
    width: usize,
) -> Table {
    let n = header.len();
    let widths = column_widths(n, text_cols, width);
    let cell = |text: &str, w: usize, bold: bool, left: bool, level: u8| {
        let mut p = Paragraph::new()
            .align(if left {
                AlignmentType::Left
            } else {
                AlignmentType::Center
            })
            .line_spacing(LineSpacing::new().before(20).after(20))
            // Sub-items ("Trong đó: …") indented under their chỉ tiêu.
            .indent(Some(170 * i32::from(level)), None, None, None);
        for r in with_breaks(text, |r| {
            let r = r.size(size);
            if bold {
                r.bold()
            } else {
                r
            }
        }) {
            p = p.add_run(r);
        }
        TableCell::new()
            .width(w, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(p)
    };
    let mut out = vec![repeated_header(TableRow::new(
        header
            .iter()
            .zip(&widths)
            .map(|(h, &w)| cell(h, w, true, false, 0))
            .collect(),
    ))];
    for (level, r) in rows {
        out.push(
            TableRow::new(
                r.iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(k, (t, &w))| cell(t, w, false, k == 0, if k == 0 { *level } else { 0 }))
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(width, WidthType::Dxa)
        // 1 mm left and right inside a cell: room for the figures.
        .margins(TableCellMargins::new().margin(0, 57, 0, 57))
}

/// Widths in twips of `n` columns: the other text columns (mã số, đơn
/// vị tính) 1.6 cm each, the figures an equal share of at most 2.5 cm
/// leaving the first (the chỉ tiêu) at least 4 cm, in a table `width`
/// twips wide.
fn column_widths(n: usize, text_cols: usize, width: usize) -> Vec<usize> {
    const NARROW: usize = 900;
    const FIRST_MIN: usize = 2268;
    let figures = n - text_cols;
    let narrow = NARROW * text_cols.saturating_sub(1);
    let unit = ((width - FIRST_MIN - narrow) / figures.max(1)).min(1400);
    let first = width - narrow - unit * figures;
    std::iter::once(first)
        .chain(std::iter::repeat_n(NARROW, text_cols.saturating_sub(1)))
        .chain(std::iter::repeat_n(unit, figures))
        .collect()
}

/// Height marker of a table's header row: the docx writer has no "repeat
/// as header row" (`w:tblHeader`), so header rows carry this height and
/// [`deflated`] adds the property after it.
const HEADER_ROW_MARK: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;

/// A header row: repeated at the top of each page the table runs onto.
fn repeated_header(row: TableRow) -> TableRow {
    row.cant_split()
        .row_height(1.0)
        .height_rule(docx_rs::HeightRule::AtLeast)
}

/// A list chỉ tiêu (văn bản, kế hoạch): how many rows from how many units,
/// where they are listed.
fn list_sentence(round: &Round, cons: &Consolidated, i: usize) -> Paragraph {
    let ind = &round.catalog.indicators[i];
    let rows = cons.list_rows(round, &ind.code);
    let mut units: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
    units.dedup();
    body(&format!(
        "– {}: {} mục do {}/{} đơn vị báo cáo (danh sách chi tiết: trang \"Danh sách văn bản\" của tong-hop.xlsx).",
        ind.label,
        rows.len(),
        units.len(),
        applicable_units(round, ind)
    ))
}

/// A narrative chỉ tiêu: its label, then each unit's answer attributed,
/// then the units that gave none.
fn answers(round: &Round, cons: &Consolidated, ind: &Indicator, out: &mut Vec<Block>) {
    out.push(Block::paragraph(body_runs(vec![Run::new()
        .add_text(format!("{}:", ind.label))
        .italic()])));
    let mut silent = Vec::new();
    let (mut shown, mut more) = (0, 0);
    for u in round
        .units
        .iter()
        .filter(|u| ind.applies_to_type(&u.unit_type))
    {
        match cons.texts.get(&(ind.code.clone(), u.code.clone())) {
            Some(t) if !t.trim().is_empty() && shown == ANSWERS_SHOWN => more += 1,
            Some(t) if !t.trim().is_empty() => {
                let mut runs = vec![Run::new().add_text(format!("– {}: ", u.name)).bold()];
                runs.extend(with_breaks(t, |r| r));
                out.push(Block::paragraph(body_runs(runs)));
                shown += 1;
            }
            _ => silent.push(u.name.as_str()),
        }
    }
    let mut notes = Vec::new();
    if more > 0 {
        notes.push(format!(
            "Còn {more} đơn vị khác trả lời mục này: xem trang \"Thuyết minh\" của tong-hop.xlsx."
        ));
    }
    if !silent.is_empty() {
        notes.push(format!(
            "Chưa có nội dung: {}.",
            some_names(&silent, "xem trang \"Thuyết minh\" của tong-hop.xlsx")
        ));
    }
    for note in notes {
        out.push(Block::paragraph(body_runs(vec![Run::new()
            .add_text(format!("({note})"))
            .italic()])));
    }
}

/// "A, B, C" or, beyond [`NAMES_SHOWN`], "A, B, … và 12 đơn vị khác
/// (<where>)".
fn some_names<S: AsRef<str>>(names: &[S], rest_in: &str) -> String {
    let shown: Vec<&str> = names.iter().take(NAMES_SHOWN).map(AsRef::as_ref).collect();
    let mut s = shown.join(", ");
    if names.len() > NAMES_SHOWN {
        s.push_str(&format!(
            " và {} đơn vị khác ({rest_in})",
            names.len() - NAMES_SHOWN
        ));
    }
    s
}

/// "Nơi nhận" left, "T/M BAN THƯỜNG VỤ" with the signer right.
fn closing(round: &Round) -> Table {
    let set = &round.settings;
    let upper = set
        .cap_tren
        .as_ref()
        .map_or(set.parent.clone(), |u| u.issuer.clone());
    let small = |t: &str| {
        Paragraph::new()
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(Run::new().add_text(t).size(22))
    };
    let left = TableCell::new()
        .width(TEXT_WIDTH / 2, WidthType::Dxa)
        .add_paragraph(
            Paragraph::new()
                .line_spacing(LineSpacing::new().before(120).after(0))
                .add_run(Run::new().add_text("Nơi nhận:").bold().italic().size(24)),
        )
        .add_paragraph(small(&format!("- {upper} (b/c),")))
        .add_paragraph(small(&format!("- {DOTS}{DOTS},")))
        .add_paragraph(small(&format!("- Lưu {DOTS}")));
    let title = if set.signer_title.trim().is_empty() {
        format!("{DOTS}{DOTS}")
    } else {
        set.signer_title.trim().to_uppercase()
    };
    let name = if set.signer_name.trim().is_empty() {
        format!("{DOTS}{DOTS}{DOTS}")
    } else {
        set.signer_name.trim().to_string()
    };
    let right = TableCell::new()
        .width(TEXT_WIDTH / 2, WidthType::Dxa)
        .add_paragraph(centred(Run::new().add_text("T/M BAN THƯỜNG VỤ").bold()).spacing(120, 0))
        .add_paragraph(centred(Run::new().add_text(title).bold()))
        .add_paragraph(centred(Run::new()))
        .add_paragraph(centred(Run::new()))
        .add_paragraph(centred(Run::new()))
        .add_paragraph(centred(Run::new().add_text(name).bold()));
    Table::without_borders(vec![TableRow::new(vec![left, right]).cant_split()])
        .set_grid(vec![TEXT_WIDTH / 2, TEXT_WIDTH / 2])
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The appendix: each biểu's grand totals, as in `tong-hop.xlsx`'s
/// "Tổng hợp" sheet.
fn appendix(round: &Round, cons: &Consolidated, flags: &Flags) -> Vec<Block> {
    let c = &round.catalog;
    let mut out = vec![
        Block::paragraph(
            centred(Run::new().add_text("PHỤ LỤC").bold()).spacing(0, 0),
        ),
        Block::paragraph(centred(
            Run::new().add_text("BIỂU TỔNG HỢP SỐ LIỆU").bold(),
        )),
        Block::paragraph(
            centred(
                Run::new()
                    .add_text(format!(
                        "(Kèm theo Báo cáo số {DOTS}-BC/{} của Ban Thường vụ {}; số có dấu (!) có cộng giá trị bị lỗi hoặc còn thiếu số liệu bắt buộc, chưa sửa)",
                        number_suffix(round),
                        round.settings.committee_body()
                    ))
                    .italic()
                    .size(24),
            )
            .spacing(0, 120),
        ),
    ];
    for g in c.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        out.push(Block::paragraph(
            Paragraph::new()
                .keep_next(true)
                .line_spacing(LineSpacing::new().before(120).after(60))
                .add_run(
                    Run::new()
                        .add_text(format!(
                            "Biểu số {:02} (mục {}): {}",
                            g.number, g.outline_ref, g.title
                        ))
                        .bold()
                        .size(24),
                ),
        ));
        let columns = c.columns_of(g);
        let mut header: Vec<String> = vec!["Chỉ tiêu".into(), "Mã số".into(), "Đơn vị tính".into()];
        header.extend(columns.iter().map(|c| c.label.clone()));
        header.push("Số đơn vị báo cáo".into());
        let mut rows = Vec::new();
        for ind in c.indicators_of(&g.id) {
            let i = c.indicator_index(&ind.code).expect("catalogue code");
            let mut row = vec![
                ind.label.clone(),
                ind.code.clone(),
                measure(ind).to_string(),
            ];
            row.extend((0..columns.len()).map(|k| appendix_figure(round, cons, flags, i, k)));
            row.push(coverage(round, cons, ind).0);
            rows.push((ind.level, row));
        }
        out.push(Block::table(grid(
            &header,
            &rows,
            APPENDIX,
            3,
            WIDE_TEXT_WIDTH,
        )));
    }
    out
}

/// A grand total in the appendix: the figure alone ("57,56%", the tử số
/// and mẫu số are their own rows), "(!)" when flagged.
fn appendix_figure(
    round: &Round,
    cons: &Consolidated,
    flags: &Flags,
    i: usize,
    k: usize,
) -> String {
    let ind = &round.catalog.indicators[i];
    let key = &round.catalog.columns_of_indicator(i)[k].key;
    let v = cons.total_value(&ind.code, key);
    if v.and_then(crate::text::finite).is_none() {
        return String::new();
    }
    let mut s = figure_text(ind, v);
    if flags.get(i, k).is_some() {
        s.push_str(" (!)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_sort_in_outline_order() {
        let mut refs = vec![
            "II.2.1", "I.2", "V", "II.1", "IV.1", "III.2.2", "I.1", "II.10",
        ];
        refs.sort_by_key(|r| ref_key(r));
        assert_eq!(
            refs,
            ["I.1", "I.2", "II.1", "II.2.1", "II.10", "III.2.2", "IV.1", "V"]
        );
        assert_eq!(ref_key("I - V"), None);
    }

    #[test]
    fn headings_print_as_the_outline_numbers_them() {
        let h = |r: &str, t: &str| OutlineHeading {
            outline_ref: r.into(),
            title: t.into(),
        };
        assert_eq!(heading_text(&h("II", "KẾT QUẢ")), "II. KẾT QUẢ");
        assert_eq!(heading_text(&h("II.1", "Lãnh đạo")), "1. Lãnh đạo");
        assert_eq!(heading_text(&h("II.2.1", "Nâng cao")), "2.1. Nâng cao");
    }

    #[test]
    fn a_chi_tieu_goes_under_its_deepest_heading() {
        let heads: Vec<OutlineHeading> = ["I", "II", "II.2", "II.2.1"]
            .iter()
            .map(|r| OutlineHeading {
                outline_ref: r.to_string(),
                title: String::new(),
            })
            .collect();
        assert_eq!(heading_of(&heads, "II.2.1"), Some(3));
        assert_eq!(heading_of(&heads, "II.2.3"), Some(2));
        assert_eq!(heading_of(&heads, "II.20"), Some(1));
        assert_eq!(heading_of(&heads, "IV.1"), None);
    }

    #[test]
    fn long_name_lists_say_how_many_more_and_where() {
        let names: Vec<String> = (1..=45).map(|i| format!("Chi bộ {i}")).collect();
        let s = some_names(&names, "xem bao-cao-loi.xlsx");
        assert!(s.starts_with("Chi bộ 1, Chi bộ 2, "), "{s}");
        assert!(
            s.contains("Chi bộ 40 và 5 đơn vị khác (xem bao-cao-loi.xlsx)"),
            "{s}"
        );
        assert!(!s.contains("Chi bộ 41"), "{s}");
        assert_eq!(some_names(&names[..2], "x"), "Chi bộ 1, Chi bộ 2");
    }

    #[test]
    fn changes_are_signed_and_blank_without_both_figures() {
        let c = Catalog::embedded();
        let count = c
            .indicators
            .iter()
            .find(|i| i.kind == IndicatorKind::Count)
            .unwrap();
        let pct = c
            .indicators
            .iter()
            .find(|i| i.kind == IndicatorKind::Percent)
            .unwrap();
        assert_eq!(change_text(count, Some(10.0), Some(12.0)), "+2");
        assert_eq!(change_text(count, Some(1500.0), Some(12.0)), "−1.488");
        assert_eq!(change_text(count, Some(3.0), Some(3.0)), "0");
        assert_eq!(change_text(count, None, Some(3.0)), "");
        assert_eq!(change_text(pct, Some(50.0), Some(57.5)), "+7,5 điểm %");
    }
}
