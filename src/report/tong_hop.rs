//! `tong-hop.xlsx`, the consolidated workbook the reviewers read: a summary
//! in outline order, one sheet per form (a block per chỉ tiêu with a row per
//! unit grouped by khối, subtotal and total rows as formulas with cached
//! values), lists, narrative answers side by side, the submission status
//! and the long table of every value (audit trail).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_xlsxwriter::{Color, Format, Formula, Workbook, Worksheet, XlsxError};

use crate::catalog::{GroupKind, Indicator, IndicatorKind};
use crate::cell::CellRef;
use crate::consolidate::{tainted_note, Consolidated, Marks};
use crate::diagnostic::Finding;
use crate::form::{label_of, merge, note, Signatures, Styles, FIRST_DATA_COL};
use crate::ingest::value::Value;
use crate::ingest::{Fate, Ingest};
use crate::print::{self, Layout, Orientation};
use crate::report::listing::{self, Listing, Part, SHEET_ROWS};
use crate::report::Status;
use crate::report::{committee_footer, committee_header, plan_line};
use crate::round::Round;

/// Build the consolidated workbook (what a reviewer reads and prints; the
/// audit trail of every value is [`audit_workbook`], its own file).
pub fn build(
    round: &Round,
    ingest: &Ingest,
    cons: &Consolidated,
    marks: &Marks,
    status: &[Status],
    audit_rows: usize,
    followup: &crate::report::Followup,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // Large rounds make large workbooks: a fast compression (level 3),
    // still within 10 MB at 1,000 units (level 1: 14 MB).
    wb.set_zip_compression_level(3);
    let styles = Styles::new();
    let audit_file = if audit_fits_sheet(audit_rows) {
        AUDIT_XLSX
    } else {
        AUDIT_CSV
    };
    // A biểu longer than a page repeats its title row, with the column
    // labels, where a page starts inside it: laid out on a scratch sheet
    // until every page start inside a biểu has one (the page estimate
    // leaves room for the repeated rows, so one pass nearly always
    // settles it).
    let summary = |ws: &mut Worksheet, continued: &BTreeSet<SummaryRow>| {
        summary_sheet(ws, round, cons, marks, audit_file, &styles, continued)
    };
    let mut continued = BTreeSet::new();
    for _ in 0..4 {
        let starts = summary(&mut Worksheet::new(), &continued)?;
        if starts.is_subset(&continued) {
            break;
        }
        continued.extend(starts);
    }
    summary(wb.add_worksheet(), &continued)?;
    crate::report::bieu_do::sheet(wb.add_worksheet(), round, cons, marks, &styles)?;
    for g in round
        .catalog
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Table)
    {
        // Rows streamed, strings shared: a unit's name is written once per
        // chỉ tiêu, stored once.
        let layout = FormLayout::new(round, g, SHEET_ROWS);
        for part in 0..layout.sheets.len() {
            form_sheet(
                wb.add_worksheet_with_low_memory()?,
                round,
                cons,
                g,
                (&layout, part),
                marks,
                &styles,
            )?;
        }
    }
    // Streamed (a row per list row, per answer), on parts past the row
    // limit.
    let lists = Lists {
        round,
        cons,
        s: &styles,
        date: styles
            .input_date
            .clone()
            .set_locked()
            .set_background_color(Color::White),
    };
    listing::write(&mut wb, &lists, SHEET_ROWS)?;
    let narrative = Narrative {
        round,
        cons,
        s: &styles,
        submitted: round
            .units
            .iter()
            .filter(|u| cons.units.contains_key(&u.code))
            .collect(),
    };
    listing::write(&mut wb, &narrative, SHEET_ROWS)?;
    status_sheet(wb.add_worksheet(), round, status, &styles)?;
    other_files_sheet(wb.add_worksheet(), round, ingest, &styles)?;
    followup.write(&mut wb, round, &styles)?;
    Ok(wb)
}

/// A number, blank for none (a NaN or infinity is never written).
pub(crate) fn num_or_blank(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v.and_then(crate::text::finite) {
        Some(v) => ws.write_number_with_format(row, col, v, f)?,
        None => ws.write_blank(row, col, f)?,
    };
    Ok(())
}

fn cached(v: Option<f64>) -> String {
    v.and_then(crate::text::finite)
        .map_or(String::new(), |v| format!("{}", (v * 1e9).round() / 1e9))
}

/// Error fill of marked values.
const ERROR_FILL: u32 = crate::form::MARKED_FILL;
/// Warning fill of marked values.
const WARNING_FILL: u32 = 0xFCE4B6;

/// "18/30" (or "18–20/30" when the columns differ) for the units behind
/// the grand totals of one chỉ tiêu out of the units it applies to, and a
/// note giving each column when they differ. Source: DESIGN.md "Outputs"
/// (every figure says how many of the units it applies to reported it).
pub fn coverage(round: &Round, cons: &Consolidated, ind: &Indicator) -> (String, Option<String>) {
    let c = &round.catalog;
    let columns = c
        .group(&ind.group)
        .map(|g| c.columns_of(g))
        .unwrap_or_default();
    let of = applicable_units(round, ind);
    let counts: Vec<u32> = columns
        .iter()
        .map(|col| cons.total_count(&ind.code, &col.key))
        .collect();
    let (lo, hi) = (
        counts.iter().copied().min().unwrap_or(0),
        counts.iter().copied().max().unwrap_or(0),
    );
    if lo == hi {
        return (format!("{lo}/{of}"), None);
    }
    let each: Vec<String> = columns
        .iter()
        .zip(&counts)
        .map(|(col, n)| format!("{}: {n}/{of}", col.label))
        .collect();
    (
        format!("{lo}–{hi}/{of}"),
        Some(format!(
            "Số đơn vị {} theo từng cột: {}.",
            coverage_words(ind),
            each.join("; ")
        )),
    )
}

/// Units of the list that a chỉ tiêu applies to.
pub fn applicable_units(round: &Round, ind: &Indicator) -> usize {
    round
        .units
        .iter()
        .filter(|u| ind.applies_to_type(&u.unit_type))
        .count()
}

/// What a unit must have given to count for a figure.
pub fn coverage_words(ind: &Indicator) -> &'static str {
    if ind.kind == IndicatorKind::Percent {
        "có đủ tử số và mẫu số"
    } else {
        "có số liệu"
    }
}

/// The note of a consolidated figure that includes a value with a lỗi of
/// one of `units` (or that the committee's own checks found wrong); `None`
/// for a figure with no known error. Every sheet showing the figure marks
/// it (DESIGN.md "Percentages").
pub fn total_mark(
    round: &Round,
    marks: &Marks,
    ind: usize,
    col: usize,
    units: &[&crate::round::OrgUnit],
) -> Option<String> {
    let tainted = marks.errors_in(&round.catalog, ind, col, units.iter().copied());
    let own = marks
        .committee(ind, col)
        .filter(|m| m.severity == crate::catalog::Severity::Loi);
    let mut text = Vec::new();
    if !tainted.is_empty() {
        text.push(tainted_note(&tainted));
    }
    if let Some(m) = own {
        text.push(format!(
            "Số tổng hợp không qua được kiểm tra: {}",
            m.messages.join(" ")
        ));
    }
    (!text.is_empty()).then(|| text.join("\n"))
}

/// A chỉ tiêu of the "Tổng hợp" sheet: its biểu's place among the table
/// biểu and its own within the biểu.
type SummaryRow = (usize, usize);

/// Write the "Tổng hợp" sheet, repeating a biểu's title row (with its
/// column labels, "Biểu số 04 (tiếp)") above each chỉ tiêu of `continued`.
/// Returns the chỉ tiêu rows other than a biểu's first before which a page
/// starts as printed: those a repeated title row should be above.
fn summary_sheet(
    ws: &mut Worksheet,
    round: &Round,
    cons: &Consolidated,
    marks: &Marks,
    audit_file: &str,
    s: &Styles,
    continued: &BTreeSet<SummaryRow>,
) -> Result<BTreeSet<SummaryRow>, XlsxError> {
    let c = &round.catalog;
    let set = &round.settings;
    ws.set_name("Tổng hợp")?;
    // A STT | B Chỉ tiêu | C Mã số | D Đơn vị tính | E Đơn vị báo cáo | data.
    let count_col = FIRST_DATA_COL;
    let data_col = FIRST_DATA_COL + 1;
    let data_cols = c
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Table)
        .map(|g| c.columns_of(g).len())
        .max()
        .unwrap_or(1) as u16;
    let width = data_col + data_cols;
    let mut page = Layout::auto();
    for (col, w) in [(0u16, 5.0), (1, 52.0), (2, 7.5), (3, 11.0), (4, 10.0)] {
        page.width(ws, col, w)?;
    }
    for i in 0..data_cols {
        page.width(ws, data_col + i, 11.0)?;
    }
    committee_header(ws, &mut page, s, set,
        &format!("BIỂU TỔNG HỢP: {}", set.title.to_uppercase()),
        &[
            plan_line(set),
            format!(
                "Kỳ báo cáo: {}; tổng hợp từ {}/{} đơn vị phải nộp. Cột \"Đơn vị báo cáo\": số đơn vị có số liệu / số đơn vị phải báo cáo chỉ tiêu; số có dấu (!) (nền đỏ) gồm giá trị có lỗi hoặc còn thiếu số liệu bắt buộc đơn vị để trống, chưa sửa, xem ghi chú cuối biểu; nguồn của từng số (đơn vị, tệp, trang, ô): tệp {audit_file}.",
                set.period,
                cons.units.len(),
                round.units.len()
            ),
        ],
        width,
    )?;
    let header = 7u32;
    for (i, h) in ["STT", "Chỉ tiêu", "Mã số", "Đơn vị tính", "Đơn vị báo cáo"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(header, i as u16, *h, &s.header)?;
    }
    merge(
        ws,
        header,
        data_col,
        width - 1,
        "Số liệu tổng hợp (cột theo từng biểu)",
        &s.header,
    )?;
    page.height(ws, header, 32.0)?;
    let mut row = header + 1;
    let all_units: Vec<&crate::round::OrgUnit> = round.units.iter().collect();
    // Explanations of the flagged figures, printed under the table.
    let mut flagged: Vec<(CellRef, String)> = Vec::new();
    // The row of each chỉ tiêu but a biểu's first.
    let mut inner_rows: BTreeMap<u32, SummaryRow> = BTreeMap::new();
    for (gi, g) in c
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Table)
        .enumerate()
    {
        let columns = c.columns_of(g);
        let group_start = row;
        let title = format!(
            "Biểu số {:02} (mục {}): {}",
            g.number, g.outline_ref, g.title
        );
        let title_row = |ws: &mut Worksheet, page: &mut Layout, row: u32, title: &str| {
            ws.merge_range(row, 0, row, count_col, title, &s.label[0])?;
            for (i, col) in columns.iter().enumerate() {
                ws.write_string_with_format(row, data_col + i as u16, &col.label, &s.number_row)?;
            }
            for i in columns.len() as u16..data_cols {
                ws.write_blank(row, data_col + i, &s.number_row)?;
            }
            // Column labels such as "2011 - 2015 (trước Đề án)" wrap in 11.
            let height = columns
                .iter()
                .map(|c| print::text_height(&c.label, 11.0, 11.0, false))
                .fold(
                    print::text_height(title, page.span(0, count_col), 12.0, true),
                    f64::max,
                );
            page.height(ws, row, height)?;
            Ok::<f64, XlsxError>(height)
        };
        let title_height = title_row(ws, &mut page, row, &title)?;
        row += 1;
        for (n, ind) in c.indicators_of(&g.id).enumerate() {
            if continued.contains(&(gi, n)) {
                let again = format!("Biểu số {:02} (tiếp)", g.number);
                title_row(ws, &mut page, row, &again)?;
                page.keep(row, row + 1);
                page.continuation(row);
                row += 1;
            } else if n > 0 {
                inner_rows.insert(row, (gi, n));
            }
            let ind_id = c.indicator_index(&ind.code).expect("catalogue code");
            ws.write_string_with_format(row, 0, (n + 1).to_string(), &s.stt)?;
            let level = (ind.level as usize + 1).min(2);
            let label = label_of(ind);
            ws.write_string_with_format(row, 1, &label, &s.label[level])?;
            ws.write_string_with_format(row, 2, &ind.code, &s.code)?;
            let measure = if ind.kind == IndicatorKind::YesNo {
                "đơn vị có"
            } else {
                ind.measure.as_str()
            };
            ws.write_string_with_format(row, 3, measure, &s.measure)?;
            let height = print::text_height(&label, 52.0 - 2.0 * level as f64, 12.0, level == 0)
                .max(print::text_height(measure, 11.0, 12.0, false));
            page.height(ws, row, height)?;
            let (text, detail) = coverage(round, cons, ind);
            ws.write_string_with_format(row, count_col, &text, &s.stt)?;
            let ratio = (ind.kind == IndicatorKind::Percent).then(|| {
                format!(
                    "Tỷ lệ tính trên {text} đơn vị {}: Σ tử số / Σ mẫu số của các đơn vị đó, không lấy bình quân.",
                    coverage_words(ind)
                )
            });
            let detail: Vec<String> = ratio.into_iter().chain(detail).collect();
            if !detail.is_empty() {
                let d = detail.join("\n");
                ws.insert_note(row, count_col, &note(&d))?;
            }
            for (i, col) in columns.iter().enumerate() {
                let v = cons.total_value(&ind.code, &col.key);
                let cc = data_col + i as u16;
                match total_mark(round, marks, ind_id, i, &all_units) {
                    Some(text) => {
                        let kind = Styles::shown_as(ind.kind, v);
                        num_or_blank(ws, row, cc, v, &s.flagged_for(kind))?;
                        ws.insert_note(row, cc, &note(&text))?;
                        flagged.push((
                            CellRef::new(row, cc),
                            format!(
                                "mã số {} – {}, cột {}: {text}",
                                ind.code, ind.label, col.label
                            ),
                        ));
                    }
                    None => num_or_blank(
                        ws,
                        row,
                        cc,
                        v,
                        s.computed_for(Styles::shown_as(ind.kind, v)),
                    )?,
                }
            }
            for i in columns.len() as u16..data_cols {
                ws.write_blank(row, data_col + i, &s.stt)?;
            }
            row += 1;
        }
        // A biểu's title row with its first chỉ tiêu rows; a page starting
        // inside it starts with its title row again (column labels: a
        // continued biểu printed unlabelled year columns).
        page.keep(group_start, (group_start + 3).min(row - 1));
        page.continued(group_start, row - 1, title_height);
    }
    if !flagged.is_empty() {
        row += 1;
        let head = "(!) Số liệu có lỗi hoặc còn thiếu số liệu bắt buộc, chưa sửa (không dùng khi chưa sửa xong):";
        merge(ws, row, 0, width - 1, head, &s.label[0])?;
        let first_note = row;
        row += 1;
        let span = page.span(0, width - 1);
        for (cell, text) in &flagged {
            let line = format!("– Ô {cell}, {text}");
            merge(ws, row, 0, width - 1, &line, &s.wrap)?;
            page.height(ws, row, print::text_height(&line, span, 12.0, false))?;
            row += 1;
        }
        page.keep(first_note, (first_note + 2).min(row - 1));
    }
    let end = committee_footer(
        ws,
        &mut page,
        s,
        set,
        row + 1,
        width,
        &Signatures::official("T/M BAN THƯỜNG VỤ"),
    )?;
    ws.set_freeze_panes(header + 1, 0)?;
    page.repeat_rows(header, header);
    page.apply(ws, width, end)?;
    ws.set_active(true);
    Ok(page
        .page_starts(width, end)
        .into_iter()
        .filter_map(|r| inner_rows.get(&r).copied())
        .collect())
}

/// One sheet per form: for each chỉ tiêu a block with a row per unit,
/// grouped by khối with "Cộng khối" rows, a "Tổng cộng" row and the number
/// of units behind each figure.
/// Rows of one chỉ tiêu's block on a "TH Biểu" sheet.
#[derive(Debug, Clone)]
struct Block {
    /// The part (sheet) of the biểu holding it.
    part: usize,
    /// First row of each khối's units and its "Cộng" row.
    khoi: Vec<(u32, u32)>,
    total: u32,
}

/// The header row of a per-form sheet (0-based); blocks start below it.
const FORM_HEADER_ROW: u32 = 7;
/// Rows kept below the last block of a per-form sheet for the signature
/// footer.
const FORM_FOOTER_ROWS: u32 = 40;

/// Where the chỉ tiêu of one biểu go on its "TH" sheets: one sheet, or
/// parts "TH Biểu 02", "TH Biểu 02 (2)", … when one unit row per chỉ tiêu
/// would pass Excel's 1,048,576 rows (about 19,000 units for Biểu 10's 54
/// chỉ tiêu). A chỉ tiêu's block is never split; a percentage's formulas
/// name the part holding its tử số and mẫu số.
struct FormLayout<'a> {
    /// Sheet name of each part.
    sheets: Vec<String>,
    /// Each part's chỉ tiêu, in catalogue order, and the row after its
    /// last block.
    parts: Vec<(Vec<&'a Indicator>, u32)>,
    /// Blocks by mã số.
    blocks: HashMap<String, Block>,
    /// The units of each khối, in the units list's order.
    units_by_block: Vec<(String, Vec<&'a crate::round::OrgUnit>)>,
}

impl<'a> FormLayout<'a> {
    /// The layout of biểu `g` on sheets of `rows` rows.
    fn new(round: &'a Round, g: &'a crate::catalog::Group, rows: u32) -> FormLayout<'a> {
        let units_by_block: Vec<(String, Vec<&crate::round::OrgUnit>)> = round
            .blocks()
            .iter()
            .map(|b| {
                (
                    b.clone(),
                    round.units.iter().filter(|u| &u.block == b).collect(),
                )
            })
            .collect();
        // A block: the title row, each khối's heading, units and "Cộng"
        // rows, the total and the coverage rows.
        let block_rows = 3 + units_by_block
            .iter()
            .map(|(_, units)| units.len() as u32 + 2)
            .sum::<u32>();
        let mut blocks = HashMap::new();
        let mut parts: Vec<(Vec<&Indicator>, u32)> = Vec::new();
        let mut row = rows; // no part yet
        for ind in round.catalog.indicators_of(&g.id) {
            if parts.is_empty() || row + block_rows + FORM_FOOTER_ROWS > rows {
                parts.push((Vec::new(), 0));
                row = FORM_HEADER_ROW + 1;
            }
            let mut r = row + 1;
            let mut khoi = Vec::new();
            for (_, units) in &units_by_block {
                let first_unit = r + 1; // after the khối heading
                r = first_unit + units.len() as u32;
                khoi.push((first_unit, r));
                r += 1;
            }
            let part = parts.len() - 1;
            blocks.insert(
                ind.code.clone(),
                Block {
                    part,
                    khoi,
                    total: r,
                },
            );
            row = r + 2; // the total row, the coverage row
            parts[part].0.push(ind);
            parts[part].1 = row;
        }
        let count = parts.len().max(1);
        let sheets = (0..count)
            .map(|index| Part { index, count }.sheet_name(&format!("TH {}", g.sheet)))
            .collect();
        if parts.is_empty() {
            parts.push((Vec::new(), FORM_HEADER_ROW + 1));
        }
        FormLayout {
            sheets,
            parts,
            blocks,
            units_by_block,
        }
    }
}

fn form_sheet(
    ws: &mut Worksheet,
    round: &Round,
    cons: &Consolidated,
    g: &crate::catalog::Group,
    (layout, part): (&FormLayout, usize),
    marks: &Marks,
    s: &Styles,
) -> Result<(), XlsxError> {
    let c = &round.catalog;
    let set = &round.settings;
    let columns = c.columns_of(g);
    ws.set_name(&layout.sheets[part])?;
    let of_parts = Part {
        index: part,
        count: layout.sheets.len(),
    }
    .title_suffix();
    // A formula with no figure caches "" (shown blank), never 0.
    ws.set_formula_result_default("");
    let first = 3u16;
    let width = (first + columns.len() as u16).max(6);
    let mut page = Layout::auto();
    // A unit row is one line of its name.
    page.default_height(ws, print::text_height("", 46.0, 12.0, false));
    page.width(ws, 0, 6.0)?;
    page.width(ws, 1, 46.0)?;
    page.width(ws, 2, 16.0)?;
    let data_width = if columns.len() > 4 { 11.0 } else { 16.0 };
    for i in 0..width - first {
        page.width(ws, first + i, data_width)?;
    }
    committee_header(
        ws,
        &mut page,
        s,
        set,
        &format!(
            "TỔNG HỢP BIỂU SỐ {:02}: {}{of_parts}",
            g.number,
            g.title.to_uppercase()
        ),
        &[
            format!(
                "(Mục {} đề cương; số liệu từng đơn vị, cộng theo khối)",
                g.outline_ref
            ),
            format!("Kỳ báo cáo: {}", set.period),
        ],
        width,
    )?;
    let header_row = FORM_HEADER_ROW;
    for (i, h) in ["STT", "Đơn vị", "Mã đơn vị"].iter().enumerate() {
        ws.write_string_with_format(header_row, i as u16, *h, &s.header)?;
    }
    for (i, col) in columns.iter().enumerate() {
        ws.write_string_with_format(header_row, first + i as u16, &col.label, &s.header)?;
    }
    let header_height = columns
        .iter()
        .map(|c| print::text_height(&c.label, data_width, 12.0, true))
        .fold(36.0, f64::max);
    page.height(ws, header_row, header_height)?;
    let units_by_block = &layout.units_by_block;
    let unit_height = |name: &str| print::text_height(name, 46.0, 12.0, false);
    let (inds, row) = &layout.parts[part];
    let bold = s.label[0].clone();
    let yes_no = |v: f64| if v >= 0.5 { "Có" } else { "Không" };
    let error_fill = Color::RGB(ERROR_FILL);
    let warning_fill = Color::RGB(WARNING_FILL);
    for ind in inds {
        let ind_id = c.indicator_index(&ind.code).expect("catalogue code");
        let block = &layout.blocks[&ind.code];
        let start = block.khoi.first().map_or(block.total, |k| k.0 - 1);
        let title = format!(
            "{} – {} ({})",
            ind.code,
            ind.label,
            if ind.kind == IndicatorKind::YesNo {
                "tổng: số đơn vị trả lời Có"
            } else {
                ind.measure.as_str()
            }
        );
        ws.merge_range(start - 1, 0, start - 1, width - 1, &title, &bold)?;
        page.height(
            ws,
            start - 1,
            print::text_height(&title, page.span(0, width - 1), 12.0, true),
        )?;
        // The chỉ tiêu's title with its first khối, each khối with its
        // subtotal, the last khối with the total and coverage rows.
        if let Some(k) = block.khoi.first() {
            page.keep(start - 1, k.1);
        }
        for k in &block.khoi {
            page.keep(k.0 - 1, k.1);
        }
        if let Some(k) = block.khoi.last() {
            page.keep(k.0 - 1, block.total + 1);
        }
        let pct = ind.kind == IndicatorKind::Percent;
        // Unit rows: locked, white; a whole quantity without decimals.
        let unit_fmt = |kind: IndicatorKind| {
            s.input_for(kind)
                .clone()
                .set_locked()
                .set_background_color(Color::White)
        };
        let unit_formats = (unit_fmt(ind.kind), unit_fmt(IndicatorKind::Count));
        let unit_format = |v: Option<f64>| {
            if Styles::shown_as(ind.kind, v) == ind.kind {
                &unit_formats.0
            } else {
                &unit_formats.1
            }
        };
        let pairs = |k: usize, col: u16| -> Option<crate::formula::Pairs> {
            let span = |b: &Block| {
                let (first, sub) = b.khoi[k];
                (sub > first).then(|| crate::formula::Span {
                    sheet: (b.part != part).then(|| layout.sheets[b.part].clone()),
                    first: CellRef::new(first, col),
                    last: CellRef::new(sub - 1, col),
                })
            };
            Some(crate::formula::Pairs {
                numerator: span(&layout.blocks[ind.numerator.as_ref()?])?,
                denominator: span(&layout.blocks[ind.denominator.as_ref()?])?,
            })
        };
        for (bi, (name, units)) in units_by_block.iter().enumerate() {
            let (first_unit, sub) = block.khoi[bi];
            ws.merge_range(first_unit - 1, 0, first_unit - 1, 2, name, &s.label[2])?;
            for (ui, u) in units.iter().enumerate() {
                let r = first_unit + ui as u32;
                ws.write_number_with_format(r, 0, (ui + 1) as f64, &s.stt)?;
                if cons.units.contains_key(&u.code) {
                    ws.write_string_with_format(r, 1, &u.name, &s.locked_text)?;
                    page.height(ws, r, unit_height(&u.name))?;
                } else {
                    let name = format!("{} (chưa nộp)", u.name);
                    ws.write_string_with_format(r, 1, &name, &s.label[2])?;
                    page.height(ws, r, unit_height(&name))?;
                }
                ws.write_string_with_format(r, 2, &u.code, &s.code)?;
                for (i, col) in columns.iter().enumerate() {
                    let cc = first + i as u16;
                    if !ind.applies_to_type(&u.unit_type) {
                        ws.write_string_with_format(r, cc, "x", &s.not_applicable)?;
                        continue;
                    }
                    let v = cons.unit_value(&u.code, &ind.code, &col.key);
                    if ind.kind == IndicatorKind::YesNo {
                        match v {
                            Some(v) => ws.write_string_with_format(r, cc, yes_no(v), &s.stt)?,
                            None => ws.write_blank(r, cc, &s.stt)?,
                        };
                        continue;
                    }
                    match marks.value(&u.code, ind_id, i) {
                        Some(m) => {
                            let fill = if m.severity == crate::catalog::Severity::Loi {
                                error_fill
                            } else {
                                warning_fill
                            };
                            let f = unit_format(v).clone().set_background_color(fill);
                            num_or_blank(ws, r, cc, v, &f)?;
                        }
                        None => num_or_blank(ws, r, cc, v, unit_format(v))?,
                    }
                }
            }
            // How many of the khối's units the subtotals are made from.
            let of = units
                .iter()
                .filter(|u| ind.applies_to_type(&u.unit_type))
                .count();
            let counts: Vec<u32> = columns
                .iter()
                .map(|col| cons.block_count(name, &ind.code, &col.key))
                .collect();
            let (lo, hi) = (
                counts.iter().copied().min().unwrap_or(0),
                counts.iter().copied().max().unwrap_or(0),
            );
            let covered = if lo == hi {
                format!("{lo}/{of}")
            } else {
                format!("{lo}–{hi}/{of}")
            };
            let label = if of == 0 {
                format!("Cộng: {name}")
            } else {
                format!("Cộng: {name} ({covered} đơn vị {})", coverage_words(ind))
            };
            ws.merge_range(sub, 0, sub, 2, &label, &bold)?;
            page.height(ws, sub, print::text_height(&label, 66.0, 12.0, true))?;
            let block_applies = units.iter().any(|u| ind.applies_to_type(&u.unit_type));
            for (i, col) in columns.iter().enumerate() {
                let cc = first + i as u16;
                if !block_applies {
                    ws.write_string_with_format(sub, cc, "x", &s.not_applicable)?;
                    continue;
                }
                let v = cons.block_value(name, &ind.code, &col.key);
                let formula = if pct {
                    pairs(bi, cc).map_or_else(
                        || "=\"\"".to_string(),
                        |p| crate::formula::paired_percent(&[p]),
                    )
                } else {
                    range_formula(ind, CellRef::new(first_unit, cc), CellRef::new(sub - 1, cc))
                };
                total_cell(
                    ws,
                    (sub, cc),
                    formula,
                    v,
                    total_mark(round, marks, ind_id, i, units),
                    (s, ind.kind),
                )?;
            }
        }
        ws.merge_range(block.total, 0, block.total, 2, "TỔNG CỘNG", &bold)?;
        let all_units: Vec<&crate::round::OrgUnit> = round.units.iter().collect();
        for (i, col) in columns.iter().enumerate() {
            let cc = first + i as u16;
            let v = cons.total_value(&ind.code, &col.key);
            let formula = if pct {
                let p: Vec<_> = (0..units_by_block.len())
                    .filter_map(|k| pairs(k, cc))
                    .collect();
                crate::formula::paired_percent(&p)
            } else {
                let subs: Vec<CellRef> = block.khoi.iter().map(|k| CellRef::new(k.1, cc)).collect();
                crate::formula::sum(&subs)
            };
            total_cell(
                ws,
                (block.total, cc),
                formula,
                v,
                total_mark(round, marks, ind_id, i, &all_units),
                (s, ind.kind),
            )?;
        }
        // How many units each total covers (rows are written in order:
        // the sheet is in constant-memory mode).
        let cover = block.total + 1;
        ws.merge_range(
            cover,
            0,
            cover,
            2,
            &format!("Số đơn vị {} / phải báo cáo", coverage_words(ind)),
            &s.label[2],
        )?;
        let of = applicable_units(round, ind);
        for (i, col) in columns.iter().enumerate() {
            let n = cons.total_count(&ind.code, &col.key);
            ws.write_string_with_format(cover, first + i as u16, format!("{n}/{of}"), &s.stt)?;
        }
    }
    let end = committee_footer(
        ws,
        &mut page,
        s,
        set,
        row + 1,
        width,
        &Signatures::compiler(),
    )?;
    ws.set_freeze_panes(header_row + 1, 3)?;
    page.repeat_rows(header_row, header_row);
    page.apply(ws, width, end)?;
    Ok(())
}

/// A subtotal or total of a chỉ tiêu of `kind`: its formula with the value
/// tonghop computed as the cached result, red with "(!)" and a note when
/// it includes a value with a lỗi.
fn total_cell(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    formula: String,
    value: Option<f64>,
    mark: Option<String>,
    (s, kind): (&Styles, IndicatorKind),
) -> Result<(), XlsxError> {
    let formula = Formula::new(formula).set_result(cached(value));
    let kind = Styles::shown_as(kind, value);
    match mark {
        Some(text) => {
            ws.write_formula_with_format(row, col, formula, &s.flagged_for(kind))?;
            ws.insert_note(row, col, &note(&text))?;
        }
        None => {
            ws.write_formula_with_format(row, col, formula, s.computed_for(kind))?;
        }
    }
    Ok(())
}

/// Formula of a khối subtotal over the unit rows `first:last`: the sum, or
/// the count of "Có" answers; blank when no unit gave a figure.
fn range_formula(ind: &Indicator, first: CellRef, last: CellRef) -> String {
    if ind.kind == IndicatorKind::YesNo {
        crate::formula::count_yes(first, last)
    } else {
        crate::formula::sum_range(first, last)
    }
}

/// The rows of every unit's list biểu (văn bản), a row each, the STT
/// running on across parts ([`listing`]).
struct Lists<'a> {
    round: &'a Round,
    cons: &'a Consolidated,
    s: &'a Styles,
    date: Format,
}

/// A row of the "Danh sách văn bản" sheet.
struct ListLine<'a> {
    stt: usize,
    group: &'a crate::catalog::Group,
    unit: &'a crate::round::OrgUnit,
    row: &'a crate::consolidate::ListRow,
}

const LIST_WIDTHS: [f64; 7] = [5.0, 10.0, 16.0, 30.0, 16.0, 13.0, 68.0];

impl<'a> Listing for Lists<'a> {
    type Line = ListLine<'a>;

    fn name(&self) -> &str {
        "Danh sách văn bản"
    }

    fn widths(&self) -> &[f64] {
        &LIST_WIDTHS
    }

    fn headings(&self) -> (&[&str], f64) {
        (
            &[
                "STT",
                "Biểu",
                "Mã đơn vị",
                "Đơn vị",
                "Số, ký hiệu",
                "Ngày ban hành",
                "Trích yếu nội dung",
            ],
            32.0,
        )
    }

    fn styles(&self) -> &Styles {
        self.s
    }

    fn lines(
        &self,
        emit: &mut dyn FnMut(ListLine<'a>) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError> {
        let c = &self.round.catalog;
        let mut stt = 0;
        for group in c.groups.iter().filter(|g| g.kind == GroupKind::List) {
            let Some(ind) = c.indicators_of(&group.id).next() else {
                continue;
            };
            for row in self.cons.list_rows(self.round, &ind.code) {
                let Some(unit) = self.round.unit(&row.unit) else {
                    continue;
                };
                stt += 1;
                emit(ListLine {
                    stt,
                    group,
                    unit,
                    row,
                })?;
            }
        }
        Ok(())
    }

    fn is_heading(_: &ListLine<'a>) -> bool {
        false
    }

    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError> {
        let set = &self.round.settings;
        committee_header(
            ws,
            page,
            self.s,
            set,
            &format!(
                "DANH SÁCH VĂN BẢN CỦA CÁC ĐƠN VỊ: {}{}",
                set.title.to_uppercase(),
                part.title_suffix()
            ),
            &[format!(
                "(Kèm theo Kế hoạch số {} ngày {} của {}; các biểu danh sách của {}/{} đơn vị đã nộp)",
                set.plan_number,
                set.plan_date,
                set.issuer,
                self.cons.units.len(),
                self.round.units.len()
            )],
            LIST_WIDTHS.len() as u16,
        )?;
        Ok(())
    }

    fn write(
        &self,
        ws: &mut Worksheet,
        _page: &mut Layout,
        row: u32,
        line: &ListLine<'a>,
    ) -> Result<(), XlsxError> {
        let s = self.s;
        let u = line.unit;
        ws.write_number_with_format(row, 0, line.stt as f64, &s.stt)?;
        ws.write_string_with_format(row, 1, &line.group.sheet, &s.code)?;
        ws.write_string_with_format(row, 2, &u.code, &s.code)?;
        ws.write_string_with_format(row, 3, &u.name, &s.locked_text)?;
        for i in 0..self.round.catalog.columns_of(line.group).len() {
            let cc = 4 + i as u16;
            match line.row.value(i) {
                Some(Value::Date(d)) => {
                    let dt =
                        crate::form::excel_datetime(d.and_hms_opt(0, 0, 0).expect("midnight"))?;
                    ws.write_datetime_with_format(row, cc, &dt, &self.date)?;
                }
                Some(Value::Text(t)) => {
                    ws.write_string_with_format(row, cc, t.as_str(), &s.locked_text)?;
                }
                Some(Value::Number(n)) if n.is_finite() => {
                    ws.write_number_with_format(row, cc, *n, &s.locked_text)?;
                }
                _ => {
                    ws.write_blank(row, cc, &s.locked_text)?;
                }
            }
        }
        Ok(())
    }

    fn height(&self, line: &ListLine<'a>) -> Option<f64> {
        let mut h = print::text_height(&line.unit.name, LIST_WIDTHS[3], 12.0, false);
        for i in 0..self.round.catalog.columns_of(line.group).len() {
            if let Some(Value::Text(t)) = line.row.value(i) {
                let w = LIST_WIDTHS.get(4 + i).copied().unwrap_or(13.0);
                h = h.max(print::text_height(t, w, 12.0, false));
            }
        }
        Some(h)
    }

    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError> {
        let header = self.first_row() - 1;
        ws.set_freeze_panes(header + 1, 0)?;
        ws.autofilter(header, 0, last, LIST_WIDTHS.len() as u16 - 1)?;
        page.apply(ws, LIST_WIDTHS.len() as u16, last)
    }
}

/// Narrative answers (thuyết minh) in outline order: for each item a
/// heading row, then one row per unit that answered (long answers over
/// several rows), then the units that did not; on parts past Excel's row
/// limit ([`listing`]).
struct Narrative<'a> {
    round: &'a Round,
    cons: &'a Consolidated,
    s: &'a Styles,
    submitted: Vec<&'a crate::round::OrgUnit>,
}

/// A row of the "Thuyết minh" sheet.
enum NarrativeLine<'a> {
    /// "Mục 1.2 – … (mã số …)".
    Heading(String),
    /// A unit's answer, or a further part of a long one (no STT, no name).
    Answer {
        stt: Option<usize>,
        name: &'a str,
        text: String,
    },
    /// "Chưa trả lời (n): …".
    Silent(String),
}

const NARRATIVE_WIDTHS: [f64; 3] = [6.0, 32.0, 100.0];

impl<'a> Listing for Narrative<'a> {
    type Line = NarrativeLine<'a>;

    fn name(&self) -> &str {
        "Thuyết minh"
    }

    fn widths(&self) -> &[f64] {
        &NARRATIVE_WIDTHS
    }

    fn headings(&self) -> (&[&str], f64) {
        (&["STT", "Đơn vị", "Nội dung trả lời"], 20.0)
    }

    fn styles(&self) -> &Styles {
        self.s
    }

    fn repeats_texts(&self) -> bool {
        false
    }

    fn lines(
        &self,
        emit: &mut dyn FnMut(NarrativeLine<'a>) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError> {
        let c = &self.round.catalog;
        for g in c.groups.iter().filter(|g| g.kind == GroupKind::Narrative) {
            for ind in c.indicators_of(&g.id) {
                emit(NarrativeLine::Heading(format!(
                    "Mục {} – {} (mã số {})",
                    ind.outline_ref,
                    label_of(ind),
                    ind.code
                )))?;
                let mut silent = Vec::new();
                let mut n = 0;
                for u in &self.submitted {
                    let text = self.cons.text(&ind.code, &u.code).unwrap_or("");
                    if text.trim().is_empty() {
                        if ind.applies_to_type(&u.unit_type) {
                            silent.push(u.name.as_str());
                        }
                        continue;
                    }
                    n += 1;
                    for (i, part) in print::chunks(text, NARRATIVE_WIDTHS[2], 12.0, 20)
                        .into_iter()
                        .enumerate()
                    {
                        emit(NarrativeLine::Answer {
                            stt: (i == 0).then_some(n),
                            name: if i == 0 { u.name.as_str() } else { "" },
                            text: part,
                        })?;
                    }
                }
                if !silent.is_empty() {
                    emit(NarrativeLine::Silent(format!(
                        "Chưa trả lời ({}): {}",
                        silent.len(),
                        silent.join("; ")
                    )))?;
                }
            }
        }
        Ok(())
    }

    fn is_heading(line: &NarrativeLine<'a>) -> bool {
        matches!(line, NarrativeLine::Heading(_))
    }

    fn start(&self, ws: &mut Worksheet, page: &mut Layout, part: Part) -> Result<(), XlsxError> {
        let set = &self.round.settings;
        committee_header(
            ws,
            page,
            self.s,
            set,
            &format!(
                "THUYẾT MINH CỦA CÁC ĐƠN VỊ: {}{}",
                set.title.to_uppercase(),
                part.title_suffix()
            ),
            &[
                plan_line(set),
                format!(
                    "Câu trả lời của {}/{} đơn vị đã nộp, theo từng mục của đề cương.",
                    self.submitted.len(),
                    self.round.units.len()
                ),
            ],
            NARRATIVE_WIDTHS.len() as u16,
        )?;
        Ok(())
    }

    fn write(
        &self,
        ws: &mut Worksheet,
        page: &mut Layout,
        row: u32,
        line: &NarrativeLine<'a>,
    ) -> Result<(), XlsxError> {
        let s = self.s;
        let last = NARRATIVE_WIDTHS.len() as u16 - 1;
        match line {
            NarrativeLine::Heading(title) => {
                merge(ws, row, 0, last, title, &s.label[0])?;
                // The heading with the first answer.
                page.keep(row, row + 1);
            }
            NarrativeLine::Answer { stt, name, text } => {
                let stt = stt.map_or(String::new(), |n| n.to_string());
                ws.write_string_with_format(row, 0, &stt, &s.stt)?;
                ws.write_string_with_format(row, 1, *name, &s.locked_text)?;
                // write_string never makes a formula, even for "=…".
                ws.write_string_with_format(row, 2, text, &s.locked_text)?;
            }
            NarrativeLine::Silent(line) => {
                merge(ws, row, 0, last, line, &s.label[2])?;
            }
        }
        Ok(())
    }

    fn height(&self, line: &NarrativeLine<'a>) -> Option<f64> {
        let all: f64 = NARRATIVE_WIDTHS.iter().sum();
        Some(match line {
            NarrativeLine::Heading(title) => print::text_height(title, all, 12.0, true),
            NarrativeLine::Answer { name, text, .. } => print::text_height(
                text,
                NARRATIVE_WIDTHS[2],
                12.0,
                false,
            )
            .max(print::text_height(name, NARRATIVE_WIDTHS[1], 12.0, false)),
            NarrativeLine::Silent(line) => print::text_height(line, all, 12.0, false),
        })
    }

    fn finish(&self, ws: &mut Worksheet, page: &Layout, last: u32) -> Result<(), XlsxError> {
        let header = self.first_row() - 1;
        ws.set_freeze_panes(header + 1, 0)?;
        page.apply(ws, NARRATIVE_WIDTHS.len() as u16, last)
    }
}

fn status_sheet(
    ws: &mut Worksheet,
    round: &Round,
    status: &[Status],
    s: &Styles,
) -> Result<(), XlsxError> {
    let set = &round.settings;
    ws.set_name("Tình hình nộp")?;
    let code_width = code_column_width(status.iter().map(|st| st.unit.code.as_str()));
    let headers = [
        ("STT", 5.0),
        ("Mã đơn vị", code_width),
        ("Tên đơn vị", 32.0),
        ("Khối", 20.0),
        ("Tình trạng", 11.0),
        ("Tệp đã dùng", 38.0),
        ("Thời điểm nộp", 16.0),
        ("Nguồn thời điểm", 22.0),
        ("Đúng hạn / trễ hạn", 12.0),
        ("Số lỗi", 8.0),
        ("Số cảnh báo", 9.0),
    ];
    let width = headers.len() as u16;
    let mut page = Layout::new(Orientation::Landscape);
    for (i, (_, w)) in headers.iter().enumerate() {
        page.width(ws, i as u16, *w)?;
    }
    let missing = status
        .iter()
        .filter(|st| st.state == crate::report::Submission::Missing)
        .count();
    let sent = status.len() - missing;
    let late = status.iter().filter(|st| st.late).count();
    committee_header(ws, &mut page, s, set,
        &format!("TÌNH HÌNH NỘP BÁO CÁO: {}", set.title.to_uppercase()),
        &[
            format!(
                "(Kế hoạch số {} ngày {} của {}; hạn nộp {})",
                set.plan_number,
                set.plan_date,
                set.issuer,
                set.deadline.format("%d/%m/%Y")
            ),
            format!(
                "{sent}/{} đơn vị phải nộp đã nộp ({late} trễ hạn), {missing} chưa nộp; các tệp khác trong thư mục báo cáo ở trang \"{OTHER_FILES_SHEET}\".",
                status.len(),
            ),
        ],
        width,
    )?;
    let header = 7u32;
    for (i, (h, _)) in headers.iter().enumerate() {
        ws.write_string_with_format(header, i as u16, *h, &s.header)?;
    }
    page.height(ws, header, 32.0)?;
    let mut row = header + 1;
    for (i, st) in status.iter().enumerate() {
        ws.write_number_with_format(row, 0, (i + 1) as f64, &s.stt)?;
        ws.write_string_with_format(row, 1, &st.unit.code, &s.code)?;
        ws.write_string_with_format(row, 2, &st.unit.name, &s.locked_text)?;
        ws.write_string_with_format(row, 3, &st.unit.block, &s.locked_text)?;
        // Centred and wrapped: "Đã nộp (nộp lần 2)" is two lines in 11
        // units (it printed as "nộp (nộp lần").
        let state = st.state_text();
        ws.write_string_with_format(row, 4, &state, &s.measure)?;
        let file = st.file.as_deref().unwrap_or("");
        ws.write_string_with_format(row, 5, file, &s.locked_text)?;
        let when = st.when();
        ws.write_string_with_format(row, 6, &when, &s.measure)?;
        ws.write_string_with_format(row, 7, st.when_source(), &s.locked_text)?;
        ws.write_string_with_format(row, 8, st.timeliness(), &s.measure)?;
        ws.write_number_with_format(row, 9, st.errors as f64, &s.stt)?;
        ws.write_number_with_format(row, 10, st.warnings as f64, &s.stt)?;
        let h = [
            (st.unit.name.as_str(), 32.0),
            (st.unit.block.as_str(), 20.0),
            (state.as_str(), 11.0),
            (file, 38.0),
            (when.as_str(), 16.0),
            (st.when_source(), 22.0),
            (st.timeliness(), 12.0),
        ]
        .iter()
        .map(|(t, w)| print::text_height(t, *w, 12.0, false))
        .fold(0.0, f64::max);
        page.height(ws, row, h)?;
        row += 1;
    }
    let end = committee_footer(
        ws,
        &mut page,
        s,
        set,
        row + 1,
        width,
        &Signatures::compiler(),
    )?;
    ws.set_freeze_panes(header + 1, 3)?;
    ws.autofilter(header, 0, header + status.len() as u32, width - 1)?;
    page.repeat_rows(header, header);
    page.apply(ws, width, end)?;
    Ok(())
}

/// Width (Excel units, at least 16) of a column of unit codes, each on
/// one line at 12 pt (capitals: "P-QUYETTHANG" was cut in 16).
fn code_column_width<'a>(codes: impl Iterator<Item = &'a str>) -> f64 {
    codes
        .map(|c| print::line_width(c, 12.0, false))
        .fold(16.0, f64::max)
}

/// Name of the sheet listing the files that are not a unit's return in use.
pub const OTHER_FILES_SHEET: &str = "Tệp khác";

/// Every file of the returns folder that is not the return used for a
/// unit (rejected, superseded, duplicate, ignored…) with the reason, so
/// that every input file is accounted for.
fn other_files_sheet(
    ws: &mut Worksheet,
    round: &Round,
    ingest: &Ingest,
    s: &Styles,
) -> Result<(), XlsxError> {
    let set = &round.settings;
    ws.set_name(OTHER_FILES_SHEET)?;
    let others: Vec<_> = ingest
        .files
        .iter()
        .filter(|f| f.fate != Fate::Accepted)
        .collect();
    let unit_width = code_column_width(others.iter().filter_map(|f| f.unit.as_deref()));
    let headers = [
        ("STT", 5.0),
        ("Tệp", 48.0),
        ("Định dạng", 12.0),
        ("Đơn vị", unit_width),
        ("Kết quả / lý do", 80.0),
    ];
    let width = headers.len() as u16;
    let mut page = Layout::new(Orientation::Landscape);
    for (i, (_, w)) in headers.iter().enumerate() {
        page.width(ws, i as u16, *w)?;
    }
    committee_header(
        ws,
        &mut page,
        s,
        set,
        "CÁC TỆP KHÁC TRONG THƯ MỤC BÁO CÁO",
        &[format!(
            "Tệp không phải bản báo cáo được dùng của một đơn vị: {} tệp (trong {} tệp đã đọc).",
            others.len(),
            ingest.files.len()
        )],
        width,
    )?;
    let header = 7u32;
    for (i, (h, _)) in headers.iter().enumerate() {
        ws.write_string_with_format(header, i as u16, *h, &s.header)?;
    }
    let mut row = header + 1;
    for (n, f) in others.iter().enumerate() {
        ws.write_number_with_format(row, 0, (n + 1) as f64, &s.stt)?;
        ws.write_string_with_format(row, 1, &f.file, &s.locked_text)?;
        ws.write_string_with_format(row, 2, f.kind.label(), &s.stt)?;
        let unit = f.unit.as_deref().unwrap_or("");
        ws.write_string_with_format(row, 3, unit, &s.locked_text)?;
        let mut fate = f.fate.label();
        if let Some(c) = f
            .choice
            .as_ref()
            .filter(|c| !c.note.is_empty() && !c.exclude)
        {
            fate.push_str(&format!(" (ghi chú: {})", c.note));
        }
        ws.write_string_with_format(row, 4, &fate, &s.locked_text)?;
        let h = print::text_height(&f.file, 48.0, 12.0, false)
            .max(print::text_height(unit, unit_width, 12.0, false))
            .max(print::text_height(&fate, 80.0, 12.0, false));
        page.height(ws, row, h)?;
        row += 1;
    }
    if others.is_empty() {
        merge(ws, row, 0, width - 1, "(không có)", &s.locked_text)?;
        row += 1;
    }
    let end = committee_footer(
        ws,
        &mut page,
        s,
        set,
        row + 1,
        width,
        &Signatures::compiler(),
    )?;
    ws.set_freeze_panes(header + 1, 0)?;
    page.repeat_rows(header, header);
    page.apply(ws, width, end)?;
    Ok(())
}

/// Data rows of one "Dữ liệu gốc" sheet (Excel holds 1,048,576 rows).
pub const RAW_ROWS_PER_SHEET: u32 = 1_000_000;

/// Column headers and widths of the audit trail.
pub const AUDIT_HEADERS: [(&str, f64); 9] = [
    ("Mã đơn vị", 14.0),
    ("Biểu", 10.0),
    ("Mã số", 8.0),
    ("Cột", 18.0),
    ("Giá trị", 14.0),
    ("Tệp", 36.0),
    ("Trang", 14.0),
    ("Ô", 8.0),
    ("Ghi chú", 22.0),
];

/// One row of the audit trail (the long table of every value read).
pub struct AuditRow<'a> {
    pub unit: &'a str,
    pub form: &'a str,
    pub code: &'a str,
    pub column: Cow<'a, str>,
    pub value: &'a Value,
    pub file: &'a str,
    pub sheet: &'a str,
    pub cell: CellRef,
    pub note: &'static str,
}

/// Whether an audit trail of `rows` rows fits one sheet of the workbook.
pub fn audit_fits_sheet(rows: usize) -> bool {
    rows <= RAW_ROWS_PER_SHEET as usize
}

/// Number of rows of the audit trail.
pub fn audit_len(ingest: &Ingest) -> usize {
    ingest
        .accepted()
        .flat_map(|f| f.records.iter())
        .filter(|r| !matches!(r.value, Value::Blank | Value::NotApplicable))
        .count()
}

/// Visit every row of the audit trail in file order.
pub fn for_each_audit_row<E>(
    round: &Round,
    ingest: &Ingest,
    findings: &[Finding],
    mut visit: impl FnMut(AuditRow) -> Result<(), E>,
) -> Result<(), E> {
    // The cells findings name, by file: most files have none.
    let mut flagged: HashMap<&str, std::collections::HashSet<(&str, CellRef)>> = HashMap::new();
    for f in findings {
        for c in &f.cells {
            flagged
                .entry(f.file.as_str())
                .or_default()
                .insert((f.sheet.as_str(), *c));
        }
    }
    let c = &round.catalog;
    // Biểu sheet and column labels of each chỉ tiêu, by its position.
    let sheet_of: Vec<(&str, Vec<&str>)> = c
        .indicators
        .iter()
        .map(|i| match c.group(&i.group) {
            Some(g) => (
                g.sheet.as_str(),
                c.columns_of(g).iter().map(|x| x.label.as_str()).collect(),
            ),
            None => ("", Vec::new()),
        })
        .collect();
    for f in ingest.accepted() {
        let flagged = flagged.get(f.file.as_str());
        for r in &f.records {
            if matches!(r.value, Value::Blank | Value::NotApplicable) {
                continue;
            }
            let (form, columns) = &sheet_of[r.ind as usize];
            let col_label = columns.get(r.col as usize).copied().unwrap_or("");
            let sheet = f.sheet_of(r);
            let flag = flagged.is_some_and(|cells| cells.contains(&(sheet, r.cell)));
            visit(AuditRow {
                unit: f.unit.as_deref().unwrap_or(""),
                form,
                code: r.code(c),
                column: if r.list_row > 0 {
                    Cow::Owned(format!("{} (dòng {})", col_label, r.list_row))
                } else {
                    Cow::Borrowed(col_label)
                },
                value: &r.value,
                file: &f.file,
                sheet,
                cell: r.cell,
                note: match (r.computed(), flag) {
                    (true, _) => "công thức (giá trị lưu sẵn)",
                    (false, true) => "có lỗi/cảnh báo",
                    (false, false) => "",
                },
            })?;
        }
    }
    Ok(())
}

/// Text of an audit value (numbers as Rust writes them, for CSV).
fn audit_text(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_finite() => format!("{n}"),
        Value::Number(_) => String::new(),
        Value::YesNo(b) => if *b { "Có" } else { "Không" }.to_string(),
        Value::Text(t) => t.to_string(),
        Value::Date(d) => d.format("%d/%m/%Y").to_string(),
        Value::Blank | Value::NotApplicable => String::new(),
    }
}

/// Write the audit trail as CSV (UTF-8 with BOM; formula-like text
/// quoted), for rounds too large for one sheet.
///
/// # Errors
/// I/O errors of the writer.
pub fn write_audit_csv(
    round: &Round,
    ingest: &Ingest,
    findings: &[Finding],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(AUDIT_HEADERS.iter().map(|(h, _)| *h))?;
    for_each_audit_row(round, ingest, findings, |r| {
        let value = audit_text(r.value);
        w.write_record([
            r.unit,
            r.form,
            r.code,
            &r.column,
            &crate::text::csv_safe(&value),
            r.file,
            r.sheet,
            &r.cell.to_string(),
            r.note,
        ])
        .map_err(std::io::Error::other)
    })?;
    w.flush()
}

/// The audit trail workbook [`AUDIT_XLSX`]: one "Dữ liệu gốc" sheet of
/// every value read (unit, biểu, mã số, column, value, file, sheet, cell),
/// written in low-memory mode (rows streamed, strings shared); for a round whose trail does not fit
/// one sheet ([`audit_fits_sheet`]) the caller writes [`AUDIT_CSV`].
pub fn audit_workbook(
    round: &Round,
    ingest: &Ingest,
    findings: &[Finding],
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(1);
    let s = Styles::new();
    // Rows streamed, strings shared (units, forms, files, sheets repeat on
    // every row).
    let w = wb.add_worksheet_with_low_memory()?;
    w.set_name("Dữ liệu gốc")?;
    let mut page = Layout::new(Orientation::Landscape);
    for (i, (h, width)) in AUDIT_HEADERS.iter().enumerate() {
        page.width(w, i as u16, *width)?;
        w.write_string_with_format(0, i as u16, *h, &s.header)?;
    }
    w.set_freeze_panes(1, 0)?;
    let mut row = 1u32;
    for_each_audit_row(round, ingest, findings, |r| -> Result<(), XlsxError> {
        w.write_string(row, 0, r.unit)?;
        w.write_string(row, 1, r.form)?;
        w.write_string(row, 2, r.code)?;
        w.write_string(row, 3, r.column.as_ref())?;
        match r.value {
            Value::Number(n) if n.is_finite() => {
                w.write_number(row, 4, *n)?;
            }
            other => {
                w.write_string(row, 4, audit_text(other))?;
            }
        }
        w.write_string(row, 5, r.file)?;
        w.write_string(row, 6, r.sheet)?;
        w.write_string(row, 7, r.cell.to_string())?;
        if !r.note.is_empty() {
            w.write_string(row, 8, r.note)?;
        }
        row += 1;
        Ok(())
    })?;
    let last = (row - 1).max(1);
    w.autofilter(0, 0, last, (AUDIT_HEADERS.len() - 1) as u16)?;
    page.repeat_rows(0, 0);
    // A data table: fit to the width, Excel's own page breaks.
    page.apply_fit_width(w, AUDIT_HEADERS.len() as u16, last)?;
    Ok(wb)
}

/// File name of the audit trail.
pub const AUDIT_XLSX: &str = "du-lieu-goc.xlsx";

/// File name of the audit trail of large rounds.
pub const AUDIT_CSV: &str = "du-lieu-goc.csv";

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook, Reader, Xlsx};

    /// The rows of `sheets` below the header (from row 9), as text.
    fn listing_rows(path: &std::path::Path, sheets: &[String]) -> Vec<Vec<Vec<String>>> {
        let mut x: Xlsx<_> = open_workbook(path).unwrap();
        sheets
            .iter()
            .map(|n| {
                let r = x.worksheet_range(n).unwrap();
                r.rows()
                    .skip(8)
                    .map(|row| row.iter().map(|c| c.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    /// The thuyết minh and the lists of 52,000 units pass Excel's row
    /// limit: they go on parts "Thuyết minh (2)", … each with the header,
    /// its title saying which part it is, every line once and in order, a
    /// heading never the last row of a part, the STT of the lists running
    /// on.
    #[test]
    fn a_listing_past_the_row_limit_goes_on_parts_losing_no_line() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let round = Round::load(&dir, None).expect("sample round");
        let ingest =
            crate::ingest::ingest_round(&round, &[], &crate::ingest::Silent).expect("ingest");
        let cons = crate::consolidate::consolidate(&round, &ingest).expect("consolidate");
        let styles = Styles::new();
        let narrative = Narrative {
            round: &round,
            cons: &cons,
            s: &styles,
            submitted: round
                .units
                .iter()
                .filter(|u| cons.units.contains_key(&u.code))
                .collect(),
        };
        let lists = Lists {
            round: &round,
            cons: &cons,
            s: &styles,
            date: styles.input_date.clone(),
        };
        let tmp = tempfile::tempdir().unwrap();
        let write = |rows: u32, name: &str| {
            let mut wb = Workbook::new();
            listing::write(&mut wb, &narrative, rows).unwrap();
            listing::write(&mut wb, &lists, rows).unwrap();
            let path = tmp.path().join(name);
            wb.save(&path).unwrap();
            let names: Vec<String> = wb.worksheets().iter().map(|w| w.name()).collect();
            (path, names)
        };
        let (one, one_names) = write(SHEET_ROWS, "one.xlsx");
        assert_eq!(one_names, ["Thuyết minh", "Danh sách văn bản"]);
        // 9 header rows and 20 lines a part.
        let (parts, names) = write(8 + 20, "parts.xlsx");
        let narrative_parts: Vec<String> = names
            .iter()
            .filter(|n| n.starts_with("Thuyết minh"))
            .cloned()
            .collect();
        let list_parts: Vec<String> = names
            .iter()
            .filter(|n| n.starts_with("Danh sách"))
            .cloned()
            .collect();
        assert!(narrative_parts.len() > 2, "{names:?}");
        assert!(list_parts.len() > 1, "{names:?}");
        assert_eq!(narrative_parts[1], "Thuyết minh (2)");
        assert_eq!(list_parts[1], "Danh sách văn bản (2)");
        for (all, split) in [
            (&one_names[..1], &narrative_parts),
            (&one_names[1..], &list_parts),
        ] {
            let whole: Vec<Vec<String>> = listing_rows(&one, all).concat();
            let by_part = listing_rows(&parts, split);
            for rows in &by_part {
                assert!(!rows.is_empty() && rows.len() <= 20, "{}", rows.len());
            }
            assert_eq!(by_part.concat(), whole, "every line once, in order");
            let mut x: Xlsx<_> = open_workbook(&parts).unwrap();
            for (k, name) in split.iter().enumerate() {
                let r = x.worksheet_range(name).unwrap();
                let title = (0..8)
                    .filter_map(|row| r.get_value((row, 0)))
                    .map(|c| c.to_string())
                    .find(|t| t.contains("PHẦN"))
                    .unwrap_or_else(|| panic!("{name}: no part in the title"));
                assert!(
                    title.ends_with(&format!("(PHẦN {}/{})", k + 1, split.len())),
                    "{title}"
                );
                assert_eq!(
                    r.get_value((7, 0)).map(|c| c.to_string()),
                    Some("STT".into())
                );
            }
        }
        // No part ends on an item's heading (a row in column A with "Mục").
        for rows in listing_rows(&parts, &narrative_parts) {
            let last = rows.last().unwrap();
            assert!(!last[0].starts_with("Mục "), "{last:?}");
        }
    }

    /// A biểu too long for one sheet (52,000 units: Biểu 10 would need 2.8
    /// million rows) goes on parts; a percentage whose tử số or mẫu số is
    /// on another part names that sheet, and the rows it names are that
    /// chỉ tiêu's unit rows there.
    #[test]
    fn a_form_past_the_row_limit_goes_on_parts_naming_each_other() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let round = Round::load(&dir, None).expect("sample round");
        let ingest =
            crate::ingest::ingest_round(&round, &[], &crate::ingest::Silent).expect("ingest");
        let cons = crate::consolidate::consolidate(&round, &ingest).expect("consolidate");
        let marks = Marks::new(&ingest, &[]);
        let c = &round.catalog;
        // The biểu with the most percentages.
        let g = c
            .groups
            .iter()
            .filter(|g| g.kind == GroupKind::Table)
            .max_by_key(|g| {
                c.indicators_of(&g.id)
                    .filter(|i| i.kind == IndicatorKind::Percent)
                    .count()
            })
            .expect("a table");
        let full = FormLayout::new(&round, g, SHEET_ROWS);
        assert_eq!(full.sheets, vec![format!("TH {}", g.sheet)]);
        let block = full.parts[0].1 / full.parts[0].0.len() as u32;
        let rows = FORM_HEADER_ROW + 1 + 2 * block + FORM_FOOTER_ROWS + 1;
        let layout = FormLayout::new(&round, g, rows);
        assert!(layout.sheets.len() > 2, "{:?}", layout.sheets);
        assert_eq!(layout.sheets[1], format!("TH {} (2)", g.sheet));
        let inds: Vec<&str> = layout
            .parts
            .iter()
            .flat_map(|(inds, _)| inds.iter().map(|i| i.code.as_str()))
            .collect();
        let all: Vec<&str> = c.indicators_of(&g.id).map(|i| i.code.as_str()).collect();
        assert_eq!(inds, all, "every chỉ tiêu once, in order");
        for (_, end) in &layout.parts {
            assert!(end + FORM_FOOTER_ROWS <= rows);
        }
        let mut wb = Workbook::new();
        for part in 0..layout.sheets.len() {
            form_sheet(
                wb.add_worksheet_with_low_memory().unwrap(),
                &round,
                &cons,
                g,
                (&layout, part),
                &marks,
                &Styles::new(),
            )
            .unwrap();
        }
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("th.xlsx");
        wb.save(&path).unwrap();
        let mut x: Xlsx<_> = open_workbook(&path).unwrap();
        let values: Vec<_> = layout
            .sheets
            .iter()
            .map(|n| x.worksheet_range(n).unwrap())
            .collect();
        let mut across = 0;
        for (part, name) in layout.sheets.iter().enumerate() {
            let formulas = x.worksheet_formula(name).unwrap();
            for ind in &layout.parts[part].0 {
                let (Some(n), Some(d)) = (&ind.numerator, &ind.denominator) else {
                    continue;
                };
                let b = &layout.blocks[&ind.code];
                let f = formulas
                    .get_value((b.total, 3))
                    .unwrap_or_else(|| panic!("{}: total formula", ind.code))
                    .clone();
                for side in [n, d] {
                    let other = &layout.blocks[side];
                    let (first, sub) = other.khoi[0];
                    let span = format!("{}:{}", CellRef::new(first, 3), CellRef::new(sub - 1, 3));
                    let named = if other.part == part {
                        span.clone()
                    } else {
                        across += 1;
                        format!("'{}'!{span}", layout.sheets[other.part])
                    };
                    assert!(f.contains(&named), "{}: {f} names {named}", ind.code);
                    // The rows named hold the other chỉ tiêu's unit values.
                    let unit = &layout.units_by_block[0].1[0];
                    let shown = values[other.part].get_value((first, 3)).cloned();
                    let want = cons.unit_value(&unit.code, side, &c.columns_of(g)[0].key);
                    match (shown, want) {
                        (Some(calamine::Data::Float(v)), Some(w)) => assert_eq!(v, w),
                        (None | Some(calamine::Data::Empty), None) => {}
                        (s, w) => panic!("{side}: shown {s:?}, consolidated {w:?}"),
                    }
                }
            }
        }
        assert!(across > 0, "some percentage's parts are on another sheet");
    }
}
