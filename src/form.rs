//! Writing a biểu mẫu workbook (one per unit, a generic one, and the
//! committee's own return `gui-cap-tren.xlsx`) with rust_xlsxwriter.
//!
//! Layout and the machine-readable contract follow DESIGN.md "Form
//! conventions" and are documented in `FORMAT.md`: every sheet has a header
//! row with a "Mã số" cell, a numbered column row ("(1)", "(2)", …) right
//! under it, and one row per chỉ tiêu carrying its mã số; a hidden sheet
//! `_tonghop` holds the form id, catalogue id/version/hash, round, unit and
//! period. Readers locate cells through these, never by position.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, FormatUnderline, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::catalog::{Catalog, Column, ColumnKind, Group, GroupKind, Indicator, IndicatorKind};
use crate::cell::CellRef;
use crate::print::{self, Layout, Orientation};
use crate::round::{OrgUnit, Settings};

/// Name of the hidden metadata sheet.
pub const META_SHEET: &str = "_tonghop";
/// Name of the instructions sheet.
pub const GUIDE_SHEET: &str = "Hướng dẫn";
/// Value of `form_id` in the metadata sheet.
pub const FORM_ID: &str = "tonghop-bieu-mau";
/// Version of the form contract (FORMAT.md).
pub const CONTRACT_VERSION: &str = "1";
/// Empty rows of a list table.
pub const LIST_ROWS: u32 = 30;
/// Marker written in cells that do not apply to the unit.
pub const NOT_APPLICABLE: &str = "x";
/// Font of every form.
pub const FONT: &str = "Times New Roman";

/// First data column (0-based: A STT, B Chỉ tiêu, C Mã số, D Đơn vị tính).
pub const FIRST_DATA_COL: u16 = 4;
/// Row (0-based) of the table header ("STT | Chỉ tiêu | Mã số | …").
pub const HEADER_ROW: u32 = 7;
/// Row (0-based) of the numbered column row ("A | B | C | D | (1) | …").
pub const NUMBER_ROW: u32 = 8;
/// First indicator row (0-based).
pub const FIRST_BODY_ROW: u32 = 9;
/// Width (Excel units) of a thuyết minh sheet's answer column, whose
/// text is 12 pt: what a pre-filled answer is measured against.
pub const NARRATIVE_WIDTH: f64 = 95.0;

/// A value to put in a form cell (pre-filled returns, `gui-cap-tren.xlsx`,
/// test fixtures).
#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    Number(f64),
    /// Text as typed (also in a number cell: "1.234", "85%").
    Text(String),
    Date(NaiveDate),
}

/// Values to pre-fill in a form: table and narrative cells by (mã số,
/// column key), list rows by mã số (one `Vec` of column values per row),
/// and cached results of computed cells.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub cells: BTreeMap<(String, String), FillValue>,
    pub lists: BTreeMap<String, Vec<Vec<Option<FillValue>>>>,
    /// Cell notes by (mã số, column key): on the committee's return, how
    /// many units a total covers and the lỗi it includes.
    pub notes: BTreeMap<(String, String), String>,
    /// Cells (mã số, column key) holding a figure known to be wrong (a
    /// total that includes a value with a lỗi): filled red.
    pub marked: BTreeSet<(String, String)>,
    /// Set on a return (the committee's own): final or a draft.
    pub status: Option<ReturnStatus>,
    /// The unit of each list row, by mã số (the committee's return: the
    /// same document sent by two units is two rows, each with its unit).
    /// Written in an unnumbered column after the list's data columns,
    /// which a reader of the contract passes over (FORMAT.md).
    pub list_units: BTreeMap<String, Vec<String>>,
    /// List cells known to be wrong, by (mã số, row index from 0, column
    /// key), with their note: filled red (a unit's feedback workbook).
    pub list_notes: BTreeMap<(String, usize, String), String>,
}

/// Whether a return is final: the committee's `gui-cap-tren.xlsx` is a
/// draft while lỗi remain in what it consolidates (DESIGN.md "Outputs").
/// Written as `status` in the hidden sheet (`chinh_thuc` / `du_thao`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnStatus {
    Final,
    Draft { errors: usize },
}

impl ReturnStatus {
    /// Value of `status` in the hidden sheet.
    pub fn key(self) -> &'static str {
        match self {
            ReturnStatus::Final => "chinh_thuc",
            ReturnStatus::Draft { .. } => "du_thao",
        }
    }
}

impl std::fmt::Display for ReturnStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReturnStatus::Final => write!(f, "BÁO CÁO CHÍNH THỨC"),
            ReturnStatus::Draft { errors } => write!(f, "DỰ THẢO – còn {errors} lỗi chưa sửa"),
        }
    }
}

/// Who the form is for.
#[derive(Debug, Clone, Copy)]
pub enum FormUnit<'a> {
    /// One unit: its name in the header, its inapplicable cells greyed.
    Unit(&'a OrgUnit),
    /// The generic form: the unit is chosen from a drop-down of `units`.
    Generic(&'a [OrgUnit]),
}

/// Everything a form is written from.
pub struct FormSpec<'a> {
    pub catalog: &'a Catalog,
    pub settings: &'a Settings,
    pub unit: FormUnit<'a>,
    pub fill: Option<&'a Fill>,
    /// Replaces the deadline line of the guide sheet (the level above's
    /// deadline when it is not known).
    pub deadline_note: Option<String>,
    /// Saved time written in docProps/core.xml (`dcterms:modified`); fixed
    /// for reproducible output, e.g. the deadline for generated forms.
    pub saved_at: chrono::NaiveDateTime,
}

/// File name of the generic form.
pub const GENERIC_FORM_FILE: &str = "bieu-mau-chung.xlsx";

/// Windows-safe file name of a unit's form: "<mã>-<tên không dấu>.xlsx",
/// ASCII only, so a name with `/`, `..`, `:` or `=` cannot escape the
/// folder.
pub fn form_file_name(unit: &OrgUnit) -> String {
    format!(
        "{}-{}.xlsx",
        crate::text::slug(&unit.code),
        crate::text::slug(&unit.name)
    )
}

/// The row (0-based) of every indicator on its sheet, in catalogue order.
/// List indicators map to their first list row.
pub fn indicator_rows(catalog: &Catalog, group: &Group) -> BTreeMap<String, u32> {
    let mut rows = BTreeMap::new();
    for (i, ind) in catalog.indicators_of(&group.id).enumerate() {
        rows.insert(ind.code.clone(), FIRST_BODY_ROW + i as u32);
    }
    rows
}

/// Header text of a numbered column: "(3)", or for a computed column
/// "(7) = (2)+…+(6)".
pub fn column_number_label(columns: &[Column], index: usize) -> String {
    let col = &columns[index];
    let n = index + 1;
    if !col.is_computed() {
        return format!("({n})");
    }
    let parts: Vec<usize> = col
        .sum_of
        .iter()
        .filter_map(|k| columns.iter().position(|c| &c.key == k).map(|p| p + 1))
        .collect();
    let contiguous = parts.windows(2).all(|w| w[1] == w[0] + 1);
    let rhs = if parts.len() > 2 && contiguous {
        format!("({})+…+({})", parts[0], parts[parts.len() - 1])
    } else {
        parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join("+")
    };
    format!("({n}) = {rhs}")
}

/// Write a form workbook to `path` (the caller makes it atomic).
///
/// # Errors
/// rust_xlsxwriter errors (sheet names, limits, I/O).
pub fn write_form(spec: &FormSpec, path: &Path) -> Result<(), XlsxError> {
    let mut wb = build_form(spec)?;
    wb.save(path)
}

/// Build the form workbook in memory.
pub fn build_form(spec: &FormSpec) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // core.xml holds UTC; `saved_at` is Việt Nam local time (UTC+7).
    let saved = excel_datetime(spec.saved_at - chrono::Duration::hours(7))?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Biểu mẫu: {}", spec.settings.title))
            .set_author("tonghop")
            .set_company(spec.settings.committee.clone())
            .set_creation_datetime(&saved),
    );
    let styles = Styles::new();
    write_guide(&mut wb, spec, &styles)?;
    for group in &spec.catalog.groups {
        let ws = wb.add_worksheet();
        ws.set_name(&group.sheet)?;
        // A formula with no figure caches "" (shown blank), never 0.
        ws.set_formula_result_default("");
        match group.kind {
            GroupKind::Table => write_table_sheet(ws, spec, group, &styles)?,
            GroupKind::List => write_list_sheet(ws, spec, group, &styles)?,
            GroupKind::Narrative => write_narrative_sheet(ws, spec, group, &styles)?,
        }
    }
    write_meta(&mut wb, spec)?;
    Ok(wb)
}

/// Excel date-time from a chrono one.
pub fn excel_datetime(t: chrono::NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    use chrono::{Datelike, Timelike};
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?.and_hms(
        t.hour() as u16,
        t.minute() as u8,
        t.second() as f64,
    )
}

/// Formats of the forms (Times New Roman everywhere).
pub struct Styles {
    pub plain: Format,
    pub bold_center: Format,
    pub motto: Format,
    pub italic_center: Format,
    /// Italic, centred, never wrapped: the place/date line.
    pub date_line: Format,
    /// Italic, right-aligned, never wrapped: a place/date line wider than
    /// the signature block under it, ending at the block's right edge.
    pub date_line_right: Format,
    pub title: Format,
    pub header: Format,
    pub number_row: Format,
    pub stt: Format,
    pub label: [Format; 3],
    pub code: Format,
    pub measure: Format,
    pub input_int: Format,
    pub input_dec: Format,
    pub input_pct: Format,
    pub input_text: Format,
    pub input_date: Format,
    pub computed_int: Format,
    pub computed_dec: Format,
    pub computed_pct: Format,
    pub not_applicable: Format,
    pub wrap: Format,
    pub locked_text: Format,
}

/// Shading of input cells (light yellow).
pub const INPUT_FILL: u32 = 0xFFF2CC;
/// Shading of cells that do not apply (grey).
pub const NA_FILL: u32 = 0xD9D9D9;
/// Shading of computed cells (light blue).
pub const COMPUTED_FILL: u32 = 0xDDEBF7;

impl Styles {
    /// Number format of percentages: two decimals ("83,33", "90,00" as
    /// a Vietnamese reader's locale shows them).
    pub fn percent_format() -> &'static str {
        "0.00"
    }

    /// The format of a computed figure of a chỉ tiêu of `kind`: whole
    /// numbers for counts ("2.467", never "2.467,"), two decimals for
    /// quantities and percentages.
    pub fn computed_for(&self, kind: IndicatorKind) -> &Format {
        match kind {
            IndicatorKind::Percent => &self.computed_pct,
            IndicatorKind::Quantity => &self.computed_dec,
            _ => &self.computed_int,
        }
    }

    /// Number format of a figure of a chỉ tiêu of `kind`: whole numbers
    /// with a thousands separator ("2.467"), two decimals for quantities
    /// and percentages ("83,33", "90,00"), separators as the reader's
    /// locale shows them.
    pub fn number_format(kind: IndicatorKind) -> &'static str {
        match kind {
            IndicatorKind::Percent => Styles::percent_format(),
            IndicatorKind::Quantity => "#,##0.00",
            _ => "#,##0",
        }
    }

    /// The kind whose number format shows `value` of a chỉ tiêu of `kind`:
    /// a quantity that is a whole number shows as one ("24.468", not
    /// "24.468,00"); percentages always with two decimals.
    pub fn shown_as(kind: IndicatorKind, value: Option<f64>) -> IndicatorKind {
        match (kind, value) {
            (IndicatorKind::Quantity, Some(v)) if v.fract() == 0.0 => IndicatorKind::Count,
            _ => kind,
        }
    }

    /// The format of a computed figure known to be wrong (a total that
    /// includes a value with a lỗi): red, and "(!)" after the number so a
    /// black-and-white print shows it too (a footnote says why).
    pub fn flagged_for(&self, kind: IndicatorKind) -> Format {
        self.computed_for(kind)
            .clone()
            .set_background_color(Color::RGB(MARKED_FILL))
            .set_num_format(Styles::flagged_number_format(kind))
    }

    /// [`Styles::number_format`] with "(!)" after the number: a figure
    /// known to be wrong, marked on a black-and-white print too.
    pub fn flagged_number_format(kind: IndicatorKind) -> String {
        format!("{}\" (!)\"", Styles::number_format(kind))
    }

    /// The format of a typed figure of a chỉ tiêu of `kind`.
    pub fn input_for(&self, kind: IndicatorKind) -> &Format {
        match kind {
            IndicatorKind::Percent => &self.input_pct,
            IndicatorKind::Quantity => &self.input_dec,
            _ => &self.input_int,
        }
    }

    pub fn new() -> Styles {
        let base = || Format::new().set_font_name(FONT).set_font_size(12);
        let cell = || {
            base()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter)
        };
        let input = || {
            cell()
                .set_unlocked()
                .set_background_color(Color::RGB(INPUT_FILL))
        };
        let computed = || {
            cell()
                .set_background_color(Color::RGB(COMPUTED_FILL))
                .set_bold()
        };
        Styles {
            plain: base(),
            bold_center: base().set_bold().set_align(FormatAlign::Center),
            motto: base()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_underline(FormatUnderline::Single),
            italic_center: base()
                .set_italic()
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            date_line: base().set_italic().set_align(FormatAlign::Center),
            date_line_right: base().set_italic().set_align(FormatAlign::Right),
            title: base()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            header: cell()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF2F2F2)),
            number_row: cell()
                .set_italic()
                .set_font_size(11)
                .set_align(FormatAlign::Center)
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF2F2F2)),
            stt: cell().set_align(FormatAlign::Center),
            label: [
                cell().set_text_wrap().set_bold(),
                cell().set_text_wrap().set_indent(2),
                cell().set_text_wrap().set_indent(4).set_italic(),
            ],
            code: cell()
                .set_align(FormatAlign::Center)
                .set_font_color(Color::RGB(0x404040)),
            measure: cell().set_align(FormatAlign::Center).set_text_wrap(),
            input_int: input().set_num_format("#,##0"),
            input_dec: input().set_num_format("#,##0.00"),
            input_pct: input().set_num_format(Styles::percent_format()),
            input_text: input().set_text_wrap().set_align(FormatAlign::Top),
            input_date: input()
                .set_num_format("dd/mm/yyyy")
                .set_align(FormatAlign::Center),
            computed_int: computed().set_num_format("#,##0"),
            computed_dec: computed().set_num_format("#,##0.00"),
            computed_pct: computed().set_num_format(Styles::percent_format()),
            not_applicable: cell()
                .set_background_color(Color::RGB(NA_FILL))
                .set_align(FormatAlign::Center)
                .set_font_color(Color::RGB(0x595959)),
            wrap: base().set_text_wrap().set_align(FormatAlign::Top),
            locked_text: cell().set_text_wrap(),
        }
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

fn unit_parent(spec: &FormSpec) -> String {
    match spec.unit {
        FormUnit::Unit(u) if u.unit_type == crate::catalog::UPPER_LEVEL_TYPE => {
            spec.settings.parent.clone()
        }
        FormUnit::Unit(u) if !u.parent.is_empty() => u.parent.clone(),
        _ => spec.settings.committee.clone(),
    }
}

/// The issuing body printed under the parent: the unit's executive
/// committee ("Đảng ủy phường …", "Chi bộ …"), the committee's own name
/// on its return; `None` on the generic form (a formula shows the unit
/// chosen on the guide sheet).
fn unit_body(spec: &FormSpec) -> Option<String> {
    match spec.unit {
        FormUnit::Unit(u) if u.unit_type == crate::catalog::UPPER_LEVEL_TYPE => {
            Some(spec.settings.committee_body())
        }
        FormUnit::Unit(u) => Some(crate::round::issuing_body(&u.name)),
        FormUnit::Generic(_) => None,
    }
}

/// Cell on the guide sheet where the generic form's unit is chosen
/// (row, column, 0-based: C5).
pub const GUIDE_UNIT_CELL: (u32, u16) = (4, 2);

/// Merge `first..=last` of `row` with `text`, or write the one cell.
pub fn merge(
    ws: &mut Worksheet,
    row: u32,
    first: u16,
    last: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(row, first, row, last, text, format)?;
    } else {
        ws.write_string_with_format(row, first, text, format)?;
    }
    Ok(())
}

/// Last column of a left block starting at column 0 at least `need`
/// units wide, and first column of a right block ending at `last` at
/// least `right_need` wide, on a sheet laid out in `layout`; the blocks
/// never overlap (on a narrow sheet each gets about half).
fn blocks(layout: &Layout, last: u16, need: f64, right_need: f64) -> (u16, u16) {
    if last == 0 {
        return (0, 0);
    }
    let mut left_end = 0;
    while left_end + 1 < last && layout.span(0, left_end) < need {
        left_end += 1;
    }
    let mut right_start = last;
    while right_start > left_end + 1 && layout.span(right_start, last) < right_need {
        right_start -= 1;
    }
    if right_start <= left_end {
        left_end = (last - 1) / 2;
        right_start = left_end + 1;
    }
    (left_end, right_start)
}

/// Party-document header as in the seed's Kế hoạch (Hướng dẫn
/// 36-HD/VPTW): left, the parent organisation ("ĐẢNG BỘ TỈNH LAI CHÂU")
/// over the issuing body ("THÀNH ỦY LAI CHÂU") over "*"; right,
/// "ĐẢNG CỘNG SẢN VIỆT NAM" (rows 0–2); then the title (row 3) and the
/// plan and period lines (rows 4…). Spans columns `0..width`, whose widths
/// must already be set through `layout`; every wrapped row gets the
/// height of its text. `body` `None`: the generic form, whose body is a
/// formula of the unit chosen on the guide sheet.
#[allow(clippy::too_many_arguments)]
pub fn write_doc_header(
    ws: &mut Worksheet,
    layout: &mut Layout,
    styles: &Styles,
    parent: &str,
    body: Option<&str>,
    title: &str,
    lines: &[String],
    width: u16,
) -> Result<(), XlsxError> {
    let last = width - 1;
    let parent = parent.to_uppercase();
    let body = body.map(str::to_uppercase);
    let need = print::line_width(&parent, 12.0, true)
        .max(
            body.as_deref()
                .map_or(40.0, |b| print::line_width(b, 12.0, true)),
        )
        .min(60.0);
    let (left_end, right_start) = blocks(
        layout,
        last,
        need,
        print::line_width("ĐẢNG CỘNG SẢN VIỆT NAM", 12.0, true),
    );
    let left = layout.span(0, left_end);
    merge(ws, 0, 0, left_end, &parent, &styles.bold_center)?;
    merge(
        ws,
        0,
        right_start,
        last,
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        &styles.motto,
    )?;
    layout.at_least(ws, 0, print::text_height(&parent, left, 12.0, true))?;
    match &body {
        Some(name) => {
            merge(ws, 1, 0, left_end, name, &styles.bold_center)?;
            layout.at_least(ws, 1, print::text_height(name, left, 12.0, true))?;
        }
        None => {
            let guide = format!(
                "=SUBSTITUTE(UPPER('{GUIDE_SHEET}'!{}),\"ĐẢNG BỘ \",\"ĐẢNG ỦY \")",
                CellRef::new(GUIDE_UNIT_CELL.0, GUIDE_UNIT_CELL.1)
            );
            merge(ws, 1, 0, left_end, "", &styles.bold_center)?;
            ws.write_formula_with_format(
                1,
                0,
                Formula::new(guide).set_result(" "),
                &styles.bold_center,
            )?;
        }
    }
    merge(ws, 2, 0, left_end, "*", &styles.bold_center)?;
    let full = layout.span(0, last);
    merge(ws, 3, 0, last, title, &styles.title)?;
    layout.height(
        ws,
        3,
        (print::text_height(title, full, 14.0, true) + 8.0).max(36.0),
    )?;
    for (i, line) in lines.iter().enumerate() {
        let r = 4 + i as u32;
        merge(ws, r, 0, last, line, &styles.italic_center)?;
        layout.height(ws, r, print::text_height(line, full, 12.0, false) + 2.0)?;
    }
    Ok(())
}

/// Who signs under a table: an optional left signature (the person who
/// made it) and the right one (who answers for it), each a title and the
/// line under it ("(Ký, ghi rõ họ tên)").
#[derive(Debug, Clone, Copy)]
pub struct Signatures<'a> {
    pub left: Option<(&'a str, &'a str)>,
    pub right: (&'a str, &'a str),
}

impl<'a> Signatures<'a> {
    /// A form or an official table: "NGƯỜI LẬP BIỂU" left, `signer`
    /// ("T/M ĐẢNG ỦY", "T/M BAN THƯỜNG VỤ") right with the seal.
    pub fn official(signer: &'a str) -> Signatures<'a> {
        Signatures {
            left: Some(("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")),
            right: (signer, "(Ký, ghi rõ họ tên, đóng dấu)"),
        }
    }

    /// A working table (per-unit detail, status, error report): signed by
    /// the person who compiled it, no seal.
    pub fn compiler() -> Signatures<'a> {
        Signatures {
            left: None,
            right: ("NGƯỜI TỔNG HỢP", "(Ký, ghi rõ họ tên)"),
        }
    }
}

/// Rows of the signature block below its date line (room to sign).
const SIGNING_ROWS: u32 = 4;

/// Place/date line and signatures under a table whose last row is
/// `row - 2` (one empty row between), across columns `0..width`; kept on
/// the page of the table's last three rows. Returns the block's last row.
#[allow(clippy::too_many_arguments)]
pub fn write_doc_footer(
    ws: &mut Worksheet,
    layout: &mut Layout,
    styles: &Styles,
    place: &str,
    year: i32,
    row: u32,
    width: u16,
    signatures: &Signatures,
) -> Result<u32, XlsxError> {
    let last = width - 1;
    let date = format!("{place}, ngày ..... tháng ..... năm {year}");
    let right_need = print::line_width(&date, 12.0, false).max(print::line_width(
        signatures.right.0,
        12.0,
        true,
    ));
    let left_need = signatures.left.map_or(20.0, |(t, n)| {
        print::line_width(t, 12.0, true).max(print::line_width(n, 12.0, false))
    });
    let (left_end, right_start) = blocks(layout, last, left_need, right_need);
    // The date line has its row to itself: when the signature block is
    // narrower than it (a long place name over a wide "Chỉ tiêu" column),
    // it reaches left over the empty cells and ends where the block ends.
    // Seen: "Tam Đường, ngày ..... tháng ..... năm 2021" cut at both ends.
    let mut date_start = right_start;
    while date_start > 0 && layout.span(date_start, last) < right_need {
        date_start -= 1;
    }
    if date_start == right_start {
        merge(ws, row, right_start, last, &date, &styles.date_line)?;
    } else {
        merge(ws, row, date_start, last, &date, &styles.date_line_right)?;
    }
    if let Some((title, under)) = signatures.left {
        merge(ws, row + 1, 0, left_end, title, &styles.bold_center)?;
        merge(ws, row + 2, 0, left_end, under, &styles.italic_center)?;
    }
    merge(
        ws,
        row + 1,
        right_start,
        last,
        signatures.right.0,
        &styles.bold_center,
    )?;
    merge(
        ws,
        row + 2,
        right_start,
        last,
        signatures.right.1,
        &styles.date_line,
    )?;
    let end = row + 2 + SIGNING_ROWS;
    layout.keep(row.saturating_sub(4), end);
    Ok(end)
}

/// Protection of a form sheet: input cells unlocked; the unit may insert
/// rows (a list longer than its rows), and format rows, columns and cells
/// (widen a column, wrap a text) — what the guide sheet says.
fn protection() -> ProtectionOptions {
    ProtectionOptions {
        format_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        ..ProtectionOptions::default()
    }
}

fn sheet_lines(spec: &FormSpec, group: &Group) -> Vec<String> {
    let s = spec.settings;
    let mut lines = vec![
        format!(
            "(Mục {} đề cương; kèm theo Kế hoạch số {} ngày {} của {})",
            group.outline_ref, s.plan_number, s.plan_date, s.issuer
        ),
        format!("Kỳ báo cáo: {}", s.period),
    ];
    if !group.note.is_empty() {
        lines[1] = format!("{} – {}", lines[1], group.note);
    }
    lines
}

/// The title of a biểu as the form prints it: "Biểu số 01: TÌNH HÌNH
/// CHUNG" (the reader compares it in returns without the hidden sheet).
pub fn group_title(group: &Group) -> String {
    format!(
        "Biểu số {:02}: {}",
        group.number,
        group.title.to_uppercase()
    )
}

fn applies(spec: &FormSpec, ind: &Indicator) -> bool {
    match spec.unit {
        FormUnit::Unit(u) => ind.applies_to_type(&u.unit_type),
        FormUnit::Generic(_) => true,
    }
}

fn signer(spec: &FormSpec) -> &'static str {
    match spec.unit {
        FormUnit::Unit(u) if u.unit_type == crate::catalog::UPPER_LEVEL_TYPE => "T/M BAN THƯỜNG VỤ",
        FormUnit::Unit(u)
            if spec
                .catalog
                .unit_type_for(&u.unit_type)
                .is_some_and(crate::catalog::UnitType::is_chi_bo) =>
        {
            "T/M CHI ỦY"
        }
        FormUnit::Unit(_) => "T/M ĐẢNG ỦY",
        FormUnit::Generic(_) => "T/M CHI ỦY (ĐẢNG ỦY)",
    }
}

fn validation_for(ind: &Indicator, catalog: &Catalog) -> Result<DataValidation, XlsxError> {
    let (min, max) = catalog.bounds(ind);
    let hint = if ind.hint.is_empty() {
        String::new()
    } else {
        format!(" {}", ind.hint)
    };
    let dv = match ind.kind {
        IndicatorKind::Count => {
            let lo = min.unwrap_or(0.0) as i32;
            let rule = match max {
                Some(hi) => DataValidationRule::Between(lo, hi as i32),
                None => DataValidationRule::GreaterThanOrEqualTo(lo),
            };
            DataValidation::new()
                .allow_whole_number(rule)
                .set_input_title("Nhập số nguyên")?
                .set_input_message(truncate(
                    &format!("Nhập số nguyên ≥ {lo} ({}).{hint} {}", ind.measure, blank_advice(ind)),
                    250,
                ))?
                .set_error_title("Giá trị không hợp lệ")?
                .set_error_message(truncate(
                    &format!("Ô này chỉ nhận số nguyên ≥ {lo}, đơn vị tính: {}.", ind.measure),
                    250,
                ))?
        }
        IndicatorKind::Quantity => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(min.unwrap_or(0.0)))
            .set_input_title("Nhập số")?
            .set_input_message(truncate(
                &format!("Nhập số ≥ 0 ({}), dùng dấu phẩy thập phân theo máy.{hint} {}", ind.measure, blank_advice(ind)),
                250,
            ))?
            .set_error_title("Giá trị không hợp lệ")?
            .set_error_message(format!("Ô này chỉ nhận số ≥ 0, đơn vị tính: {}.", ind.measure))?,
        IndicatorKind::Percent => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(
                min.unwrap_or(0.0),
                max.unwrap_or(100.0),
            ))
            .set_input_title("Nhập tỷ lệ %")?
            .set_input_message(truncate(
                &format!(
                    "Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 85 nghĩa là 85%), khớp với tử số và mẫu số đã ghi.{hint}"
                ),
                250,
            ))?
            .set_error_title("Tỷ lệ không hợp lệ")?
            .set_error_message("Tỷ lệ phải từ 0 đến 100 (ghi 85 cho 85%).")?,
        IndicatorKind::YesNo => DataValidation::new()
            .allow_list_strings(&["Có", "Không"])?
            .set_input_title("Chọn Có hoặc Không")?
            .set_input_message(format!("Chọn \"Có\" hoặc \"Không\" trong danh sách.{hint}"))?
            .set_error_title("Giá trị không hợp lệ")?
            .set_error_message("Chỉ chọn \"Có\" hoặc \"Không\".")?,
        IndicatorKind::Text | IndicatorKind::List => DataValidation::new()
            .allow_any_value()
            .set_input_title("Nhập nội dung")?
            .set_input_message(truncate(
                &format!("Ghi nội dung báo cáo cho mục {}.{hint}", ind.outline_ref),
                250,
            ))?,
    };
    Ok(dv)
}

/// What to do when there is no figure: a required chỉ tiêu is never left
/// blank (its check is a lỗi), another may be.
fn blank_advice(ind: &Indicator) -> &'static str {
    if ind.required {
        "Chỉ tiêu bắt buộc (*): phải ghi số liệu, ghi 0 nếu không có."
    } else {
        "Để trống nếu chưa có số liệu, ghi 0 nếu không có."
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        s.chars().take(max_chars - 1).collect::<String>() + "…"
    }
}

fn write_fill_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &FillValue,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        // Never a NaN or infinity in a workbook: blank instead.
        FillValue::Number(n) => match crate::text::finite(*n) {
            Some(n) => ws.write_number_with_format(row, col, n, format)?,
            None => ws.write_blank(row, col, format)?,
        },
        FillValue::Text(t) => ws.write_string_with_format(row, col, t, format)?,
        FillValue::Date(d) => {
            let dt = excel_datetime(d.and_hms_opt(0, 0, 0).expect("midnight"))?;
            ws.write_datetime_with_format(row, col, &dt, format)?
        }
    };
    Ok(())
}

/// Fill of a cell holding a figure known to be wrong.
pub const MARKED_FILL: u32 = 0xF4B6B6;

/// `fmt`, filled red when the fill marks the cell (a figure known to be
/// wrong). On the committee's return (a fill with a [`ReturnStatus`]) a
/// marked figure of a chỉ tiêu of `kind` also shows "(!)" after the
/// number, as in `tong-hop.xlsx`, so that a black-and-white print, which
/// is what is signed, shows it too; the value stays a number. A unit's
/// feedback workbook keeps the fill only: the unit corrects the value in
/// that cell, and "(!)" would stay after it.
fn marked_format<'f>(
    spec: &FormSpec,
    key: &(String, String),
    fmt: &'f Format,
    kind: IndicatorKind,
) -> std::borrow::Cow<'f, Format> {
    let Some(fill) = spec.fill.filter(|f| f.marked.contains(key)) else {
        return std::borrow::Cow::Borrowed(fmt);
    };
    let marked = fmt.clone().set_background_color(Color::RGB(MARKED_FILL));
    std::borrow::Cow::Owned(if fill.status.is_some() && kind.is_numeric() {
        marked.set_num_format(Styles::flagged_number_format(kind))
    } else {
        marked
    })
}

/// The fill's note on a cell, if any.
fn write_fill_note(
    ws: &mut Worksheet,
    spec: &FormSpec,
    key: &(String, String),
    row: u32,
    col: u16,
) -> Result<(), XlsxError> {
    if let Some(text) = spec.fill.and_then(|f| f.notes.get(key)) {
        ws.insert_note(row, col, &note(text))?;
    }
    Ok(())
}

/// A cell note as tonghop writes them (no author prefix, room for a few
/// sentences).
pub fn note(text: &str) -> rust_xlsxwriter::Note {
    rust_xlsxwriter::Note::new(text)
        .set_author("tonghop")
        .add_author_prefix(false)
        .set_width(420)
        .set_height(160)
}

fn fill_number(spec: &FormSpec, code: &str, key: &str) -> Option<f64> {
    match spec.fill?.cells.get(&(code.to_string(), key.to_string()))? {
        FillValue::Number(n) => Some(*n),
        _ => None,
    }
}

/// Cached result of a computed cell as Excel would show it.
fn cached(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let r = (v * 1e9).round() / 1e9;
            format!("{r}")
        }
        _ => String::new(),
    }
}

/// Party-document header, title and plan lines of a form sheet, whose
/// columns are set in `layout`.
fn sheet_header(
    ws: &mut Worksheet,
    layout: &mut Layout,
    spec: &FormSpec,
    group: &Group,
    styles: &Styles,
    width: u16,
) -> Result<(), XlsxError> {
    let title = match spec.fill.and_then(|f| f.status) {
        Some(status @ ReturnStatus::Draft { .. }) => {
            format!("{}\n({status})", group_title(group))
        }
        _ => group_title(group),
    };
    write_doc_header(
        ws,
        layout,
        styles,
        &unit_parent(spec),
        unit_body(spec).as_deref(),
        &title,
        &sheet_lines(spec, group),
        width,
    )
}

/// Footer (place, date, signatures) from `row`, frozen header, print setup
/// and protection of a form sheet.
fn sheet_finish(
    ws: &mut Worksheet,
    mut layout: Layout,
    spec: &FormSpec,
    styles: &Styles,
    row: u32,
    width: u16,
) -> Result<(), XlsxError> {
    use chrono::Datelike;
    let end = write_doc_footer(
        ws,
        &mut layout,
        styles,
        &spec.settings.place,
        spec.settings.deadline.year(),
        row,
        width,
        &Signatures::official(signer(spec)),
    )?;
    ws.set_freeze_panes(FIRST_BODY_ROW, 0)?;
    layout.repeat_rows(HEADER_ROW, NUMBER_ROW);
    layout.apply(ws, width, end)?;
    ws.protect_with_options(&protection());
    Ok(())
}

fn write_table_sheet(
    ws: &mut Worksheet,
    spec: &FormSpec,
    group: &Group,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let catalog = spec.catalog;
    let columns = catalog.columns_of(group);
    let width = FIRST_DATA_COL + columns.len() as u16;
    let mut layout = Layout::auto();
    for (c, w) in [(0u16, 5.0), (1, 52.0), (2, 7.5), (3, 11.0)] {
        layout.width(ws, c, w)?;
    }
    let data_width = if columns.len() > 4 { 10.5 } else { 15.0 };
    for (i, _) in columns.iter().enumerate() {
        layout.width(ws, FIRST_DATA_COL + i as u16, data_width)?;
    }
    sheet_header(ws, &mut layout, spec, group, styles, width)?;
    for (c, h) in ["STT", "Chỉ tiêu", "Mã số", "Đơn vị tính"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &styles.header)?;
    }
    for (c, h) in ["A", "B", "C", "D"].iter().enumerate() {
        ws.write_string_with_format(NUMBER_ROW, c as u16, *h, &styles.number_row)?;
    }
    for (i, col) in columns.iter().enumerate() {
        let c = FIRST_DATA_COL + i as u16;
        ws.write_string_with_format(HEADER_ROW, c, &col.label, &styles.header)?;
        ws.write_string_with_format(
            NUMBER_ROW,
            c,
            column_number_label(columns, i),
            &styles.number_row,
        )?;
    }
    let header_height = columns
        .iter()
        .map(|c| print::text_height(&c.label, data_width, 12.0, true))
        .fold(32.0, f64::max);
    layout.height(ws, HEADER_ROW, header_height)?;
    let number_height = columns
        .iter()
        .enumerate()
        .map(|(i, _)| print::text_height(&column_number_label(columns, i), data_width, 11.0, false))
        .fold(16.0, f64::max);
    layout.height(ws, NUMBER_ROW, number_height)?;

    let rows = indicator_rows(catalog, group);
    let mut stt = 0;
    let mut block_start = FIRST_BODY_ROW;
    for ind in catalog.indicators_of(&group.id) {
        let row = rows[&ind.code];
        let stt_text = if ind.level == 0 {
            // A chỉ tiêu and its sub-items print on one page.
            layout.keep(block_start, row.saturating_sub(1));
            block_start = row;
            stt += 1;
            stt.to_string()
        } else {
            "-".to_string()
        };
        ws.write_string_with_format(row, 0, &stt_text, &styles.stt)?;
        let level = (ind.level as usize).min(2);
        let label = label_of(ind);
        ws.write_string_with_format(row, 1, &label, &styles.label[level])?;
        // Wrapped labels: the row has room for every line (indented
        // levels have less width), so no reader or printer cuts them.
        let label_width = 52.0 - 2.0 * level as f64;
        let height = print::text_height(&label, label_width, 12.0, level == 0)
            .max(print::text_height(&ind.measure, 11.0, 12.0, false));
        layout.height(ws, row, height)?;
        ws.write_string_with_format(row, 2, &ind.code, &styles.code)?;
        ws.write_string_with_format(row, 3, &ind.measure, &styles.measure)?;
        let applicable = applies(spec, ind);
        let validation = validation_for(ind, catalog)?;
        let mut first_input: Option<u16> = None;
        let mut last_input: Option<u16> = None;
        for (i, col) in columns.iter().enumerate() {
            let c = FIRST_DATA_COL + i as u16;
            if !applicable {
                ws.write_string_with_format(row, c, NOT_APPLICABLE, &styles.not_applicable)?;
                continue;
            }
            if let Some(formula) = computed_formula(ind, columns, i, &rows, row) {
                let value = computed_value(spec, ind, columns, i);
                let fmt = styles.computed_for(ind.kind);
                let key = (ind.code.clone(), col.key.clone());
                let fmt = marked_format(spec, &key, fmt, ind.kind);
                ws.write_formula_with_format(
                    row,
                    c,
                    Formula::new(formula).set_result(cached(value)),
                    &fmt,
                )?;
                write_fill_note(ws, spec, &key, row, c)?;
                continue;
            }
            if col.is_computed() {
                // A yes/no answer has no period total.
                ws.write_string_with_format(row, c, "", &styles.not_applicable)?;
                continue;
            }
            let fmt = match ind.kind {
                IndicatorKind::Count => &styles.input_int,
                IndicatorKind::Percent => &styles.input_pct,
                IndicatorKind::Quantity => &styles.input_dec,
                _ => &styles.input_text,
            };
            let key = (ind.code.clone(), col.key.clone());
            let fmt = marked_format(spec, &key, fmt, ind.kind);
            match spec.fill.and_then(|f| f.cells.get(&key)) {
                Some(v) => write_fill_value(ws, row, c, v, &fmt)?,
                None => {
                    ws.write_blank(row, c, &fmt)?;
                }
            }
            write_fill_note(ws, spec, &key, row, c)?;
            first_input.get_or_insert(c);
            last_input = Some(c);
        }
        if let (Some(a), Some(b)) = (first_input, last_input) {
            ws.add_data_validation(row, a, row, b, &validation)?;
        }
    }
    let body_end = FIRST_BODY_ROW + rows.len() as u32;
    layout.keep(block_start, body_end - 1);
    sheet_finish(ws, layout, spec, styles, body_end + 1, width)
}

/// Suffix of a required chỉ tiêu's label on the forms (legend on the
/// guide sheet).
pub const REQUIRED_MARK: &str = " (*)";

/// The label of a chỉ tiêu as a form prints it: "(*)" after a required
/// one.
pub fn label_of(ind: &Indicator) -> String {
    if ind.required {
        format!("{}{REQUIRED_MARK}", ind.label)
    } else {
        ind.label.clone()
    }
}

/// Excel formula of a computed cell, or `None` for an input cell.
/// Computed: a percentage marked `computed` in every column; any
/// percentage in a `sum_of` column (recomputed from the summed tử số and
/// mẫu số); a count/quantity in a `sum_of` column (the sum).
fn computed_formula(
    ind: &Indicator,
    columns: &[Column],
    index: usize,
    rows: &BTreeMap<String, u32>,
    row: u32,
) -> Option<String> {
    let col = &columns[index];
    let c = FIRST_DATA_COL + index as u16;
    if ind.kind == IndicatorKind::Percent && (ind.computed || col.is_computed()) {
        let n = CellRef::new(rows[ind.numerator.as_ref()?], c);
        let d = CellRef::new(rows[ind.denominator.as_ref()?], c);
        return Some(crate::formula::percent(n, d));
    }
    if col.is_computed() && ind.kind.is_numeric() {
        let cells: Vec<CellRef> = col
            .sum_of
            .iter()
            .filter_map(|k| columns.iter().position(|x| &x.key == k))
            .map(|p| CellRef::new(row, FIRST_DATA_COL + p as u16))
            .collect();
        return Some(crate::formula::sum(&cells));
    }
    None
}

/// Value of a computed cell from the fill (the cached result).
fn computed_value(
    spec: &FormSpec,
    ind: &Indicator,
    columns: &[Column],
    index: usize,
) -> Option<f64> {
    spec.fill?;
    let col = &columns[index];
    let get = |code: &str, key: &str| -> Option<f64> {
        let c = columns.iter().find(|c| c.key == key)?;
        if c.is_computed() {
            // Blank when no part has a number, as the formula shows it.
            let vals: Vec<f64> = c
                .sum_of
                .iter()
                .filter_map(|k| fill_number(spec, code, k))
                .collect();
            (!vals.is_empty()).then(|| vals.iter().sum())
        } else {
            fill_number(spec, code, key)
        }
    };
    if ind.kind == IndicatorKind::Percent {
        // As the formula: both sides, a mẫu số above 0.
        let n = get(ind.numerator.as_ref()?, &col.key)?;
        let d = get(ind.denominator.as_ref()?, &col.key)?;
        if d <= 0.0 {
            return None;
        }
        return Some(crate::consolidate::round2(100.0 * n / d));
    }
    get(&ind.code, &col.key)
}

fn write_list_sheet(
    ws: &mut Worksheet,
    spec: &FormSpec,
    group: &Group,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let catalog = spec.catalog;
    let columns = catalog.columns_of(group);
    let ind = catalog
        .indicators_of(&group.id)
        .next()
        .expect("validated: list group has its indicator");
    // A STT | B Mã số | C.. data columns [| Đơn vị báo cáo].
    let first = 2u16;
    let units = spec.fill.and_then(|f| f.list_units.get(&ind.code));
    let unit_col = first + columns.len() as u16;
    let width = (unit_col + u16::from(units.is_some())).max(5);
    let mut layout = Layout::new(Orientation::Landscape);
    layout.width(ws, 0, 5.0)?;
    layout.width(ws, 1, 8.0)?;
    let mut widths = Vec::new();
    for (i, col) in columns.iter().enumerate() {
        let w = match col.kind {
            ColumnKind::Date => 14.0,
            _ if i + 1 == columns.len() => 90.0,
            _ => 18.0,
        };
        widths.push(w);
        layout.width(ws, first + i as u16, w)?;
    }
    if units.is_some() {
        layout.width(ws, unit_col, 28.0)?;
    }
    sheet_header(ws, &mut layout, spec, group, styles, width)?;
    ws.write_string_with_format(HEADER_ROW, 0, "STT", &styles.header)?;
    ws.write_string_with_format(HEADER_ROW, 1, "Mã số", &styles.header)?;
    ws.write_string_with_format(NUMBER_ROW, 0, "A", &styles.number_row)?;
    ws.write_string_with_format(NUMBER_ROW, 1, "B", &styles.number_row)?;
    for (i, col) in columns.iter().enumerate() {
        let c = first + i as u16;
        ws.write_string_with_format(HEADER_ROW, c, &col.label, &styles.header)?;
        ws.write_string_with_format(NUMBER_ROW, c, format!("({})", i + 1), &styles.number_row)?;
    }
    if units.is_some() {
        ws.write_string_with_format(HEADER_ROW, unit_col, "Đơn vị báo cáo", &styles.header)?;
        ws.write_string_with_format(NUMBER_ROW, unit_col, "", &styles.number_row)?;
    }
    layout.height(ws, HEADER_ROW, 32.0)?;
    let applicable = applies(spec, ind);
    let filled = spec.fill.and_then(|f| f.lists.get(&ind.code));
    let n_rows = LIST_ROWS.max(filled.map_or(0, |r| r.len() as u32));
    let date_dv = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(2010, 1, 1)?,
            ExcelDateTime::from_ymd(2030, 12, 31)?,
        ))
        .set_input_title("Ngày ban hành")?
        .set_input_message("Nhập ngày dạng ngày/tháng/năm, ví dụ 15/3/2017.")?
        .set_error_title("Ngày không hợp lệ")?
        .set_error_message("Nhập một ngày từ 01/01/2010 đến 31/12/2030, dạng ngày/tháng/năm.")?;
    for r in 0..n_rows {
        let row = FIRST_BODY_ROW + r;
        ws.write_number_with_format(row, 0, (r + 1) as f64, &styles.stt)?;
        ws.write_string_with_format(row, 1, &ind.code, &styles.code)?;
        for (i, col) in columns.iter().enumerate() {
            let c = first + i as u16;
            if !applicable {
                ws.write_string_with_format(row, c, NOT_APPLICABLE, &styles.not_applicable)?;
                continue;
            }
            let fmt = match col.kind {
                ColumnKind::Date => &styles.input_date,
                _ => &styles.input_text,
            };
            let list_note = spec.fill.and_then(|f| {
                f.list_notes
                    .get(&(ind.code.clone(), r as usize, col.key.clone()))
            });
            let marked;
            let fmt = match list_note {
                Some(text) => {
                    ws.insert_note(row, c, &note(text))?;
                    marked = fmt.clone().set_background_color(Color::RGB(MARKED_FILL));
                    &marked
                }
                None => fmt,
            };
            match filled
                .and_then(|rows| rows.get(r as usize))
                .and_then(|v| v.get(i))
                .and_then(Option::as_ref)
            {
                Some(v) => {
                    write_fill_value(ws, row, c, v, fmt)?;
                    if let FillValue::Text(t) = v {
                        layout.at_least(ws, row, print::text_height(t, widths[i], 12.0, false))?;
                    }
                }
                None => {
                    ws.write_blank(row, c, fmt)?;
                }
            }
        }
        if let Some(units) = units {
            let name = units.get(r as usize).map_or("", String::as_str);
            ws.write_string_with_format(row, unit_col, name, &styles.locked_text)?;
            layout.at_least(ws, row, print::text_height(name, 28.0, 12.0, false))?;
        }
    }
    if applicable {
        if let Some(p) = columns.iter().position(|c| c.kind == ColumnKind::Date) {
            let c = first + p as u16;
            ws.add_data_validation(FIRST_BODY_ROW, c, FIRST_BODY_ROW + n_rows - 1, c, &date_dv)?;
        }
    }
    let end = FIRST_BODY_ROW + n_rows;
    sheet_finish(ws, layout, spec, styles, end + 1, width)
}

fn write_narrative_sheet(
    ws: &mut Worksheet,
    spec: &FormSpec,
    group: &Group,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let catalog = spec.catalog;
    let columns = catalog.columns_of(group);
    let width = (FIRST_DATA_COL + columns.len() as u16).max(5);
    let mut layout = Layout::new(Orientation::Landscape);
    for (c, w) in [(0u16, 5.0), (1, 40.0), (2, 7.5), (3, 6.0)] {
        layout.width(ws, c, w)?;
    }
    layout.width(ws, FIRST_DATA_COL, NARRATIVE_WIDTH)?;
    sheet_header(ws, &mut layout, spec, group, styles, width)?;
    for (c, h) in ["STT", "Nội dung (mục đề cương)", "Mã số", "Mục"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &styles.header)?;
    }
    for (c, h) in ["A", "B", "C", "D"].iter().enumerate() {
        ws.write_string_with_format(NUMBER_ROW, c as u16, *h, &styles.number_row)?;
    }
    for (i, col) in columns.iter().enumerate() {
        let c = FIRST_DATA_COL + i as u16;
        ws.write_string_with_format(HEADER_ROW, c, &col.label, &styles.header)?;
        ws.write_string_with_format(NUMBER_ROW, c, format!("({})", i + 1), &styles.number_row)?;
    }
    let rows = indicator_rows(catalog, group);
    for (n, ind) in catalog.indicators_of(&group.id).enumerate() {
        let row = rows[&ind.code];
        ws.write_number_with_format(row, 0, (n + 1) as f64, &styles.stt)?;
        let label = label_of(ind);
        ws.write_string_with_format(row, 1, &label, &styles.locked_text)?;
        ws.write_string_with_format(row, 2, &ind.code, &styles.code)?;
        ws.write_string_with_format(row, 3, &ind.outline_ref, &styles.measure)?;
        // Room to write (five lines), more for a pre-filled answer.
        let answer = spec
            .fill
            .zip(columns.first())
            .and_then(|(f, c)| f.cells.get(&(ind.code.clone(), c.key.clone())))
            .map(|v| match v {
                FillValue::Text(t) => print::text_height(t, NARRATIVE_WIDTH, 12.0, false),
                _ => 0.0,
            })
            .unwrap_or(0.0);
        let h = print::text_height(&label, 40.0, 12.0, false)
            .max(answer)
            .max(5.0 * print::line_height(12.0));
        layout.height(ws, row, h)?;
        for (i, col) in columns.iter().enumerate() {
            let c = FIRST_DATA_COL + i as u16;
            if !applies(spec, ind) {
                ws.write_string_with_format(row, c, NOT_APPLICABLE, &styles.not_applicable)?;
                continue;
            }
            let key = (ind.code.clone(), col.key.clone());
            let fmt = marked_format(spec, &key, &styles.input_text, ind.kind);
            match spec.fill.and_then(|f| f.cells.get(&key)) {
                Some(v) => write_fill_value(ws, row, c, v, &fmt)?,
                None => {
                    ws.write_blank(row, c, &fmt)?;
                }
            }
            write_fill_note(ws, spec, &key, row, c)?;
            ws.add_data_validation(row, c, row, c, &validation_for(ind, catalog)?)?;
        }
    }
    let end = FIRST_BODY_ROW + rows.len() as u32;
    sheet_finish(ws, layout, spec, styles, end + 1, width)
}

fn write_guide(wb: &mut Workbook, spec: &FormSpec, styles: &Styles) -> Result<(), XlsxError> {
    let s = spec.settings;
    let ws = wb.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    // The committee's return while lỗi remain says so on every sheet.
    let guide_title = match spec.fill.and_then(|f| f.status) {
        Some(status @ ReturnStatus::Draft { .. }) => format!(
            "HƯỚNG DẪN ĐIỀN BIỂU MẪU – {}\n({status})",
            s.title.to_uppercase()
        ),
        _ => format!("HƯỚNG DẪN ĐIỀN BIỂU MẪU – {}", s.title.to_uppercase()),
    };
    let mut layout = Layout::new(Orientation::Landscape).one_page();
    layout.width(ws, 0, 4.0)?;
    layout.width(ws, 1, 28.0)?;
    layout.width(ws, 2, 90.0)?;
    ws.merge_range(0, 0, 0, 2, &guide_title, &styles.title)?;
    layout.height(
        ws,
        0,
        print::text_height(&guide_title, 122.0, 14.0, true) + 8.0,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        2,
        &format!(
            "Kèm theo Kế hoạch số {} ngày {} của {}",
            s.plan_number, s.plan_date, s.issuer
        ),
        &styles.italic_center,
    )?;
    let bold = Format::new()
        .set_font_name(FONT)
        .set_font_size(12)
        .set_bold()
        .set_align(FormatAlign::Top);
    let deadline = s.deadline.format("%d/%m/%Y").to_string();
    let mut row = 3u32;
    let mut line = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 1, k, &bold)?;
        ws.write_string_with_format(row, 2, v, &styles.wrap)?;
        // Room for every wrapped line of column C.
        layout.height(ws, row, print::text_height(v, 90.0, 12.0, false))?;
        row += 1;
        Ok(())
    };
    line(ws, "Kỳ báo cáo:", &s.period)?;
    match spec.unit {
        FormUnit::Unit(u) => {
            ws.write_string_with_format(GUIDE_UNIT_CELL.0, 1, "Đơn vị báo cáo:", &bold)?;
            ws.write_string_with_format(GUIDE_UNIT_CELL.0, GUIDE_UNIT_CELL.1, &u.name, &bold)?;
        }
        FormUnit::Generic(units) => {
            ws.write_string_with_format(GUIDE_UNIT_CELL.0, 1, "Đơn vị báo cáo (chọn):", &bold)?;
            let input = styles.input_text.clone().set_bold();
            ws.write_blank(GUIDE_UNIT_CELL.0, GUIDE_UNIT_CELL.1, &input)?;
            if !units.is_empty() {
                let last = units.len();
                let dv = DataValidation::new()
                    .allow_list_formula(Formula::new(format!(
                        "='{META_SHEET}'!$D$2:$D${}",
                        last + 1
                    )))
                    .set_input_title("Chọn đơn vị")?
                    .set_input_message("Chọn tên đơn vị của mình trong danh sách.")?
                    .set_error_title("Đơn vị không có trong danh sách")?
                    .set_error_message("Chỉ chọn một đơn vị trong danh sách.")?;
                ws.add_data_validation(
                    GUIDE_UNIT_CELL.0,
                    GUIDE_UNIT_CELL.1,
                    GUIDE_UNIT_CELL.0,
                    GUIDE_UNIT_CELL.1,
                    &dv,
                )?;
            }
        }
    }
    row = GUIDE_UNIT_CELL.0 + 1;
    let mut line = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 1, k, &bold)?;
        ws.write_string_with_format(row, 2, v, &styles.wrap)?;
        // Room for every wrapped line of column C.
        layout.height(ws, row, print::text_height(v, 90.0, 12.0, false))?;
        row += 1;
        Ok(())
    };
    line(
        ws,
        "Hạn nộp:",
        &spec
            .deadline_note
            .clone()
            .unwrap_or_else(|| format!("chậm nhất trong ngày {deadline}")),
    )?;
    line(ws, "Nơi nhận:", &s.send_to)?;
    line(
        ws,
        "Cách điền:",
        "Chỉ điền vào các ô nền vàng. Số liệu ghi bằng chữ số, không kèm đơn vị tính; tỷ lệ ghi số phần trăm (85 nghĩa là 85%). Ghi 0 khi thực tế không có; để trống ô chưa có số liệu, trừ các chỉ tiêu bắt buộc.",
    )?;
    line(
        ws,
        "Ô tính sẵn:",
        "Các ô nền xanh (tổng giai đoạn, tỷ lệ tính từ tử số và mẫu số) do biểu tự tính, không sửa.",
    )?;
    line(
        ws,
        "Chỉ tiêu bắt buộc (*):",
        "Chỉ tiêu có dấu (*) sau tên là bắt buộc: phải ghi số liệu (ghi 0 nếu không có) hoặc nội dung; để trống là lỗi.",
    )?;
    line(
        ws,
        "Ô không áp dụng:",
        "Các ô nền xám đánh dấu \"x\" không áp dụng đối với loại hình đơn vị của mình, không điền.",
    )?;
    line(
        ws,
        "Lưu tệp:",
        "Lưu tệp dạng .xlsx (Excel) hoặc .ods (LibreOffice); không đổi mã số, không xóa trang tính ẩn \"_tonghop\". Có thể đổi tên tệp, chèn thêm dòng (danh sách dài hơn số dòng có sẵn), nới rộng cột, đổi thứ tự trang.",
    )?;
    line(ws, "Các biểu:", "")?;
    for g in &spec.catalog.groups {
        line(
            ws,
            &format!("  {}", g.sheet),
            &format!(
                "Biểu số {:02} (mục {}): {}",
                g.number, g.outline_ref, g.title
            ),
        )?;
    }
    let legend = [
        ("Ô nhập liệu", INPUT_FILL),
        ("Ô tính sẵn", COMPUTED_FILL),
        ("Ô không áp dụng", NA_FILL),
    ];
    row += 1;
    for (label, color) in legend {
        let f = Format::new()
            .set_font_name(FONT)
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(color));
        ws.write_string_with_format(row, 1, label, &f)?;
        row += 1;
    }
    layout.apply(ws, 3, row)?;
    ws.protect_with_options(&protection());
    ws.set_active(true);
    Ok(())
}

/// Key of a return's status in the hidden sheet (after [`META_KEYS`], on
/// returns only): [`ReturnStatus::key`].
pub const STATUS_KEY: &str = "status";

/// Keys of the metadata sheet, in order (FORMAT.md).
pub const META_KEYS: [&str; 14] = [
    "form_id",
    "contract_version",
    "catalog_id",
    "catalog_version",
    "catalog_hash",
    "round_id",
    "unit_code",
    "unit_name",
    "unit_type",
    "period",
    "plan",
    "generator",
    "layout_hash",
    "layout",
];

fn write_meta(wb: &mut Workbook, spec: &FormSpec) -> Result<(), XlsxError> {
    let s = spec.settings;
    let c = spec.catalog;
    let ws = wb.add_worksheet();
    ws.set_name(META_SHEET)?;
    ws.write_string(0, 0, "khoa")?;
    ws.write_string(0, 1, "gia_tri")?;
    let (code, name, kind) = match spec.unit {
        FormUnit::Unit(u) => (u.code.clone(), u.name.clone(), u.unit_type.clone()),
        FormUnit::Generic(_) => (String::new(), String::new(), String::new()),
    };
    let values = [
        FORM_ID.to_string(),
        CONTRACT_VERSION.to_string(),
        c.id.clone(),
        c.version.clone(),
        c.hash.clone(),
        s.round_id.clone(),
        code,
        name,
        kind,
        s.period.clone(),
        format!("{} ngày {}", s.plan_number, s.plan_date),
        format!("tonghop {}", env!("CARGO_PKG_VERSION")),
        c.layout_hash(),
        c.layout_text(),
    ];
    for (i, (k, v)) in META_KEYS.iter().zip(values.iter()).enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *k)?;
        ws.write_string(r, 1, v)?;
    }
    if let Some(status) = spec.fill.and_then(|f| f.status) {
        let r = META_KEYS.len() as u32 + 1;
        ws.write_string(r, 0, STATUS_KEY)?;
        ws.write_string(r, 1, status.key())?;
    }
    if let FormUnit::Generic(units) = spec.unit {
        // Unit code and name follow the choice on the guide sheet.
        let pick = format!(
            "'{GUIDE_SHEET}'!{}",
            CellRef::new(GUIDE_UNIT_CELL.0, GUIDE_UNIT_CELL.1)
        );
        let n = units.len() + 1;
        ws.write_string(0, 2, "ma_don_vi")?;
        ws.write_string(0, 3, "ten_don_vi")?;
        ws.write_string(0, 4, "loai")?;
        for (i, u) in units.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 2, &u.code)?;
            ws.write_string(r, 3, &u.name)?;
            ws.write_string(r, 4, &u.unit_type)?;
        }
        let lookup = |col: &str| {
            format!("=IFERROR(INDEX(${col}$2:${col}${n},MATCH({pick},$D$2:$D${n},0)),\"\")")
        };
        ws.write_formula(7, 1, Formula::new(lookup("C")).set_result(" "))?;
        ws.write_formula(
            8,
            1,
            Formula::new(format!("=IF({pick}=\"\",\"\",{pick})")).set_result(" "),
        )?;
        ws.write_formula(9, 1, Formula::new(lookup("E")).set_result(" "))?;
    }
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 70)?;
    ws.protect_with_options(&protection());
    ws.set_hidden(true);
    Ok(())
}
