//! The "Biểu đồ" sheet of `tong-hop.xlsx`: native Excel charts of the
//! consolidated figures, planned from the catalogue (never a hand-written
//! list), so another round's outline gets its own charts.
//!
//! Three kinds of chart ([`ChartKind`]):
//! - every percentage chỉ tiêu: its value by unit (columns) with the
//!   committee's figure as a line, in each period of its biểu (before and
//!   after the Đề án when the biểu compares them);
//! - every biểu whose columns compare two periods (see [`Periods`]): the
//!   committee's totals of both periods side by side, one chart per đơn vị
//!   tính (figures of one scale);
//! - every biểu with year columns: the committee's totals year by year
//!   (line chart), one chart per đơn vị tính.
//!
//! Every series refers to a small data table on the sheet itself, right
//! of the printed charts, whose figures are the ones the other sheets show:
//! totals as on "Tổng hợp", a unit's figure as on its "TH Biểu" sheet
//! (a percentage recomputed from summed tử số and mẫu số, never averaged).
//! A missing figure stays a blank cell (a gap in the chart, never 0); a
//! chỉ tiêu that does not apply to a unit ("x") is not charted; a total
//! that includes a value with a lỗi carries "(!)" in the chart's title and
//! in its series or category name.

use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartAxisLabelPosition, ChartDataLabel, ChartEmptyCells, ChartFont,
    ChartLegendPosition, ChartLine, ChartLineDashType, ChartType, Format, FormatBorder, Worksheet,
    XlsxError,
};

use crate::catalog::{Catalog, Column, ColumnKind, Group, GroupKind, Indicator, IndicatorKind};
use crate::cell::col_name;
use crate::consolidate::{Consolidated, Marks};
use crate::form::{merge, Styles};
use crate::print::{self, Layout, Orientation};
use crate::report::committee_header;
use crate::report::tong_hop::{num_or_blank, total_mark};
use crate::round::{OrgUnit, Round};

/// Name of the sheet.
pub const SHEET: &str = "Biểu đồ";

/// Most units a chart by unit shows (with more, the highest and lowest
/// half each, see [`unit_rows`]).
pub const MAX_UNITS: usize = 40;

/// Most chỉ tiêu in one chart of totals (a đơn vị tính with more is split).
pub const MAX_SERIES: usize = 8;

/// Prefix of the series names of the committee's figure in a chart by unit.
pub const COMMITTEE_SERIES: &str = "Toàn Đảng bộ";

/// Mark of a figure that includes a value with a lỗi (as on "Tổng hợp").
pub const FLAG: &str = "(!)";

/// What one chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One percentage by unit, the committee's figure as a line.
    ByUnit,
    /// Totals of two periods side by side.
    BeforeAfter,
    /// Totals year by year.
    Trend,
}

/// The period columns of a column set: the columns that are not a year
/// summed by a total. Two of them are a comparison before / after (in the
/// catalogue's order, the earlier first: "2011 - 2015 (trước Đề án)" and
/// "Tổng 2016 - 2020", or "Tại 31/12/2015" and "Tại 31/12/2020"); the
/// years are the parts of a computed total ("Năm 2016" … "Năm 2020").
#[derive(Debug, Clone)]
pub struct Periods<'a> {
    /// Columns that are not parts of a total, in order.
    pub periods: Vec<&'a Column>,
    /// Parts of the (first) computed total, in order: the year columns.
    pub years: Vec<&'a Column>,
}

impl<'a> Periods<'a> {
    /// The periods of a column set (`columns` of a table biểu).
    pub fn of(columns: &'a [Column]) -> Periods<'a> {
        let numeric: Vec<&Column> = columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Value)
            .collect();
        let parts: Vec<&str> = numeric
            .iter()
            .flat_map(|c| c.sum_of.iter().map(String::as_str))
            .collect();
        let periods = numeric
            .iter()
            .copied()
            .filter(|c| !parts.contains(&c.key.as_str()))
            .collect();
        let years = numeric
            .iter()
            .find(|c| c.sum_of.len() >= 2)
            .map(|total| {
                numeric
                    .iter()
                    .copied()
                    .filter(|c| total.sum_of.contains(&c.key))
                    .collect()
            })
            .unwrap_or_default();
        Periods { periods, years }
    }

    /// `(before, after)` when the set compares two periods.
    pub fn before_after(&self) -> Option<(&'a Column, &'a Column)> {
        match self.periods[..] {
            [a, b] => Some((a, b)),
            _ => None,
        }
    }
}

/// One planned chart: its kind, biểu, chỉ tiêu and columns.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub kind: ChartKind,
    pub group: &'a Group,
    /// One percentage ([`ChartKind::ByUnit`]) or the chỉ tiêu of one đơn
    /// vị tính.
    pub indicators: Vec<&'a Indicator>,
    /// The columns charted: the periods (by unit: the two compared, or the
    /// last), before and after, or the years.
    pub columns: Vec<&'a Column>,
}

fn numeric(ind: &Indicator) -> bool {
    ind.kind.is_numeric()
}

/// The charts of a catalogue, in outline order: for each table biểu, a
/// chart by unit for each percentage, then the before/after charts of its
/// main chỉ tiêu (level 0, and every percentage) by đơn vị tính, then the
/// trend charts of its main counts and quantities (level 0) by đơn vị
/// tính; at most [`MAX_SERIES`] chỉ tiêu in one chart.
pub fn plans(c: &Catalog) -> Vec<Plan<'_>> {
    let mut out = Vec::new();
    for g in c.groups.iter().filter(|g| g.kind == GroupKind::Table) {
        let p = Periods::of(c.columns_of(g));
        let inds: Vec<&Indicator> = c.indicators_of(&g.id).collect();
        for ind in inds.iter().filter(|i| i.kind == IndicatorKind::Percent) {
            let columns = match p.before_after() {
                Some((a, b)) => vec![a, b],
                None => p.periods.last().copied().into_iter().collect(),
            };
            if !columns.is_empty() {
                out.push(Plan {
                    kind: ChartKind::ByUnit,
                    group: g,
                    indicators: vec![ind],
                    columns,
                });
            }
        }
        if let Some((a, b)) = p.before_after() {
            let main: Vec<&Indicator> = inds
                .iter()
                .copied()
                .filter(|i| numeric(i) && (i.level == 0 || i.kind == IndicatorKind::Percent))
                .collect();
            for set in by_measure(&main) {
                out.push(Plan {
                    kind: ChartKind::BeforeAfter,
                    group: g,
                    indicators: set,
                    columns: vec![a, b],
                });
            }
        }
        if p.years.len() >= 2 {
            let main: Vec<&Indicator> = inds
                .iter()
                .copied()
                .filter(|i| numeric(i) && i.level == 0)
                .collect();
            for set in by_measure(&main) {
                out.push(Plan {
                    kind: ChartKind::Trend,
                    group: g,
                    indicators: set,
                    columns: p.years.clone(),
                });
            }
        }
    }
    out
}

/// Chỉ tiêu grouped by đơn vị tính (percentages together), in the order
/// of their first appearance, each group cut at [`MAX_SERIES`].
fn by_measure<'a>(inds: &[&'a Indicator]) -> Vec<Vec<&'a Indicator>> {
    let key = |i: &Indicator| {
        if i.kind == IndicatorKind::Percent {
            "%".to_string()
        } else {
            crate::text::fold_ascii(&i.measure)
        }
    };
    let mut groups: Vec<(String, Vec<&Indicator>)> = Vec::new();
    for i in inds {
        let k = key(i);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    groups
        .into_iter()
        .flat_map(|(_, v)| {
            v.chunks(MAX_SERIES)
                .map(<[&Indicator]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The units a chart by unit shows for percentage `ind`, in order of the
/// figure in `key` (highest first, units without it last), and a note on
/// what was left out: every unit the chỉ tiêu applies to when there are
/// at most [`MAX_UNITS`]; else the units with a figure when at most that
/// many; else the [`MAX_UNITS`]/2 highest and lowest.
pub fn unit_rows<'a>(
    round: &'a Round,
    cons: &Consolidated,
    ind: &Indicator,
    key: &str,
) -> (Vec<&'a OrgUnit>, Option<String>) {
    let mut units: Vec<(&OrgUnit, Option<f64>)> = round
        .units
        .iter()
        .filter(|u| ind.applies_to_type(&u.unit_type))
        .map(|u| (u, cons.unit_value(&u.code, &ind.code, key)))
        .collect();
    // Stable: units of equal figures stay in list order.
    units.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let all = units.len();
    if all <= MAX_UNITS {
        return (units.into_iter().map(|(u, _)| u).collect(), None);
    }
    let with: Vec<&OrgUnit> = units
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(u, _)| *u)
        .collect();
    let n = with.len();
    if n <= MAX_UNITS {
        return (
            with,
            Some(format!(
                "{n}/{all} đơn vị có số liệu; {} đơn vị chưa có số liệu không vẽ",
                all - n
            )),
        );
    }
    let half = MAX_UNITS / 2;
    let mut shown: Vec<&OrgUnit> = with[..half].to_vec();
    shown.extend_from_slice(&with[n - half..]);
    (
        shown,
        Some(format!(
            "{half} đơn vị cao nhất và {half} đơn vị thấp nhất trong {n}/{all} đơn vị có số liệu; đủ các đơn vị ở trang \"TH\" của biểu"
        )),
    )
}

/// Sheet geometry: chart grid columns (printed), the data tables right.
const GRID_COLS: u16 = 12;
const GRID_WIDTH: f64 = 10.0;
/// First column of the data tables (after a narrow gap column).
const DATA_COL: u16 = GRID_COLS + 1;
const ROW_HEIGHT: f64 = 15.0;
/// Rows of a band of two small charts, its last row a gap.
const SMALL_ROWS: u32 = 14;
/// Most chỉ tiêu of a chart of totals printed half a page wide.
const WIDE_SERIES: usize = 4;
/// Rows of a band of one wide chart (by unit, or of more than
/// [`WIDE_SERIES`] chỉ tiêu), its last row a gap.
const WIDE_ROWS: u32 = 29;

/// Pixels of `rows` rows of [`ROW_HEIGHT`] points.
fn rows_px(rows: u32) -> u32 {
    (f64::from(rows) * ROW_HEIGHT * 4.0 / 3.0).round() as u32
}

/// Pixels of `cols` grid columns (Excel: 7w + 5 px).
fn cols_px(cols: u16) -> u32 {
    u32::from(cols) * (7.0 * GRID_WIDTH + 5.0) as u32
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    text: Format,
    numbers: [Format; 3],
    flagged: [Format; 3],
}

impl Formats {
    fn new(s: &Styles) -> Formats {
        let base = Format::new()
            .set_font_name("Times New Roman")
            .set_font_size(11)
            .set_border(FormatBorder::Thin);
        let number = |kind: IndicatorKind| base.clone().set_num_format(Styles::number_format(kind));
        let kinds = [
            IndicatorKind::Count,
            IndicatorKind::Quantity,
            IndicatorKind::Percent,
        ];
        Formats {
            title: s.label[0].clone(),
            note: s.wrap.clone(),
            header: base.clone().set_bold(),
            text: base.clone(),
            numbers: kinds.map(number),
            flagged: kinds.map(|k| s.flagged_for(k)),
        }
    }

    fn number(&self, kind: IndicatorKind, v: Option<f64>, flagged: bool) -> &Format {
        let i = match Styles::shown_as(kind, v) {
            IndicatorKind::Quantity => 1,
            IndicatorKind::Percent => 2,
            _ => 0,
        };
        if flagged {
            &self.flagged[i]
        } else {
            &self.numbers[i]
        }
    }
}

/// A label cut to `max` characters ("…" at the cut).
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn font(size: f64) -> ChartFont {
    let mut f = ChartFont::new();
    f.set_name("Times New Roman").set_size(size);
    f
}

/// The data table of one chart, being written: the next free row.
struct Tables {
    row: u32,
}

/// Write the "Biểu đồ" sheet: a header, a note on how the charts are made,
/// and every chart of [`plans`] with its data table.
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn sheet(
    ws: &mut Worksheet,
    round: &Round,
    cons: &Consolidated,
    marks: &Marks,
    s: &Styles,
) -> Result<(), XlsxError> {
    let c = &round.catalog;
    let set = &round.settings;
    ws.set_name(SHEET)?;
    let f = Formats::new(s);
    let mut page = Layout::new(Orientation::Landscape);
    for col in 0..GRID_COLS {
        page.width(ws, col, GRID_WIDTH)?;
    }
    page.width(ws, GRID_COLS, 3.0)?;
    for (i, w) in [12.0, 52.0, 24.0, 24.0, 24.0, 24.0, 24.0, 24.0]
        .iter()
        .enumerate()
    {
        page.width(ws, DATA_COL + i as u16, *w)?;
    }
    let plans = plans(c);
    committee_header(
        ws,
        &mut page,
        s,
        set,
        &format!("BIỂU ĐỒ: {}", set.title.to_uppercase()),
        &[format!(
            "Kỳ báo cáo: {}; {} biểu đồ vẽ từ danh mục chỉ tiêu, số liệu tổng hợp từ {}/{} đơn vị phải nộp.",
            set.period,
            plans.len(),
            cons.units.len(),
            round.units.len()
        )],
        GRID_COLS,
    )?;
    let intro = format!(
        "Số liệu của mỗi biểu đồ ở bảng bên phải (từ cột {}, không in): số tổng hợp như trang \"Tổng hợp\", số từng đơn vị như trang \"TH\" của biểu; tỷ lệ tính lại từ Σ tử số / Σ mẫu số, không lấy bình quân. Ô trống là không có số liệu (không vẽ, không phải 0); chỉ tiêu không áp dụng cho đơn vị (x) không vẽ. {FLAG} sau tên là số có giá trị lỗi chưa sửa, chưa dùng được. Biểu đồ tỷ lệ theo đơn vị: xếp theo tỷ lệ giảm dần, tối đa {MAX_UNITS} đơn vị (nhiều hơn thì {} đơn vị cao nhất và {} thấp nhất, ghi ở tên biểu đồ). Biểu đồ so sánh và diễn biến theo năm: mỗi biểu đồ một đơn vị tính, các chỉ tiêu chính của biểu (không gồm dòng \"trong đó\").",
        col_name(DATA_COL),
        MAX_UNITS / 2,
        MAX_UNITS / 2
    );
    let intro_row = 7u32;
    merge(ws, intro_row, 0, GRID_COLS - 1, &intro, &f.note)?;
    page.height(
        ws,
        intro_row,
        print::text_height(&intro, page.span(0, GRID_COLS - 1), 12.0, false),
    )?;
    let mut tables = Tables { row: intro_row };
    let mut band = intro_row + 1;
    // A half-filled band of small charts: its first row.
    let mut open: Option<u32> = None;
    let mut band_end = band;
    for (n, plan) in plans.iter().enumerate() {
        let chart = match plan.kind {
            ChartKind::ByUnit => by_unit(ws, round, cons, marks, plan, n + 1, &f, &mut tables)?,
            ChartKind::BeforeAfter | ChartKind::Trend => {
                totals(ws, round, cons, marks, plan, n + 1, &f, &mut tables)?
            }
        };
        // A chart by unit, or of many chỉ tiêu, takes a page's width.
        let wide = plan.kind == ChartKind::ByUnit || plan.indicators.len() > WIDE_SERIES;
        let (row, col, rows, cols) = if wide {
            if let Some(first) = open.take() {
                band = first + SMALL_ROWS;
            }
            let at = band;
            band += WIDE_ROWS;
            (at, 0u16, WIDE_ROWS, GRID_COLS)
        } else if let Some(first) = open.take() {
            (first, GRID_COLS / 2, SMALL_ROWS, GRID_COLS / 2)
        } else {
            open = Some(band);
            let at = band;
            band += SMALL_ROWS;
            (at, 0, SMALL_ROWS, GRID_COLS / 2)
        };
        let mut chart = chart;
        chart
            .set_width(cols_px(cols) - 10)
            .set_height(rows_px(rows - 1));
        // A few pixels below the band's top: a chart starting on the page
        // break would leave its top edge at the foot of the page before.
        ws.insert_chart_with_offset(row, col, &chart, 5, 4)?;
        for r in row..row + rows {
            page.height(ws, r, ROW_HEIGHT)?;
        }
        page.keep(row, row + rows - 1);
        band_end = band_end.max(row + rows - 1);
    }
    page.apply(ws, GRID_COLS, band_end)?;
    Ok(())
}

/// The title row and source line of a data table; returns the header row.
fn table_head(
    ws: &mut Worksheet,
    t: &mut Tables,
    f: &Formats,
    n: usize,
    title: &str,
    source: &str,
) -> Result<u32, XlsxError> {
    let r = t.row + 1;
    ws.write_string_with_format(r, DATA_COL, format!("Biểu đồ {n}: {title}"), &f.title)?;
    ws.write_string_with_format(r + 1, DATA_COL, source, &f.text)?;
    t.row = r + 2;
    Ok(r + 2)
}

/// Common looks of a chart: title, fonts, legend under the plot, gaps for
/// blank cells.
fn dress(chart: &mut Chart, title: &str, x: &str, y: &str) {
    chart
        .title()
        .set_name(title)
        .set_font(font(11.0).set_bold());
    for (x_axis, name) in [(true, x), (false, y)] {
        let axis = if x_axis {
            chart.x_axis()
        } else {
            chart.y_axis()
        };
        if !name.is_empty() {
            axis.set_name(name).set_name_font(&font(9.0));
        }
        axis.set_font(&font(8.0));
    }
    chart
        .legend()
        .set_position(ChartLegendPosition::Bottom)
        .set_font(&font(8.0));
    chart.show_empty_cells_as(ChartEmptyCells::Gaps);
}

/// A percentage by unit: a column series per period, the committee's
/// figure of each period as a line over every unit.
#[allow(clippy::too_many_arguments)]
fn by_unit(
    ws: &mut Worksheet,
    round: &Round,
    cons: &Consolidated,
    marks: &Marks,
    plan: &Plan,
    n: usize,
    f: &Formats,
    t: &mut Tables,
) -> Result<Chart, XlsxError> {
    let c = &round.catalog;
    let ind = plan.indicators[0];
    let ind_id = c.indicator_index(&ind.code).expect("catalogue code");
    let all_cols = c.columns_of(plan.group);
    let col_index = |col: &Column| all_cols.iter().position(|x| x.key == col.key).unwrap_or(0);
    let last = plan.columns.last().expect("a period");
    let (units, cap) = unit_rows(round, cons, ind, &last.key);
    let all: Vec<&OrgUnit> = round.units.iter().collect();
    let flags: Vec<bool> = plan
        .columns
        .iter()
        .map(|col| total_mark(round, marks, ind_id, col_index(col), &all).is_some())
        .collect();
    let flagged = flags.iter().any(|x| *x);
    let mut title = format!("{} {} theo đơn vị (%)", ind.code, ind.label);
    if let Some(cap) = &cap {
        title.push_str(&format!(" – {cap}"));
    }
    if flagged {
        title.push_str(&format!(
            " – {FLAG} số toàn Đảng bộ có giá trị lỗi chưa sửa"
        ));
    }
    let header = table_head(
        ws,
        t,
        f,
        n,
        &title,
        &format!(
            "Nguồn: từng đơn vị như trang \"TH {}\", mã số {}; toàn Đảng bộ như trang \"Tổng hợp\" (Σ tử số {} / Σ mẫu số {}).",
            plan.group.sheet,
            ind.code,
            ind.numerator.as_deref().unwrap_or(""),
            ind.denominator.as_deref().unwrap_or("")
        ),
    )?;
    let k = plan.columns.len() as u16;
    ws.write_string_with_format(header, DATA_COL, "Mã đơn vị", &f.header)?;
    ws.write_string_with_format(header, DATA_COL + 1, "Đơn vị", &f.header)?;
    for (i, col) in plan.columns.iter().enumerate() {
        let i = i as u16;
        ws.write_string_with_format(header, DATA_COL + 2 + i, &col.label, &f.header)?;
        let mut name = format!("{COMMITTEE_SERIES}, {}", col.label);
        if flags[i as usize] {
            name.push_str(&format!(" {FLAG}"));
        }
        ws.write_string_with_format(header, DATA_COL + 2 + k + i, &name, &f.header)?;
    }
    let first = header + 1;
    for (r, u) in units.iter().enumerate() {
        let row = first + r as u32;
        ws.write_string_with_format(row, DATA_COL, &u.code, &f.text)?;
        let mut name = u.name.clone();
        if !cons.units.contains_key(&u.code) {
            name.push_str(" (chưa nộp)");
        }
        let unit_flag = plan.columns.iter().any(|col| {
            marks
                .value(&u.code, ind_id, col_index(col))
                .is_some_and(|m| m.severity == crate::catalog::Severity::Loi)
        });
        if unit_flag {
            name.push_str(&format!(" {FLAG}"));
        }
        ws.write_string_with_format(row, DATA_COL + 1, &name, &f.text)?;
        for (i, col) in plan.columns.iter().enumerate() {
            let i = i as u16;
            let v = cons.unit_value(&u.code, &ind.code, &col.key);
            num_or_blank(ws, row, DATA_COL + 2 + i, v, f.number(ind.kind, v, false))?;
            let total = cons.total_value(&ind.code, &col.key);
            let fl = flags[i as usize];
            num_or_blank(
                ws,
                row,
                DATA_COL + 2 + k + i,
                total,
                f.number(ind.kind, total, fl),
            )?;
        }
    }
    let last_row = (first + units.len() as u32).max(first + 1) - 1;
    t.row = last_row + 1;
    let mut chart = Chart::new(ChartType::Column);
    let mut line = Chart::new(ChartType::Line);
    let dashes = [ChartLineDashType::Dash, ChartLineDashType::Solid];
    for i in 0..k {
        let cats = (SHEET, first, DATA_COL + 1, last_row, DATA_COL + 1);
        chart
            .add_series()
            .set_name((SHEET, header, DATA_COL + 2 + i))
            .set_categories(cats)
            .set_values((SHEET, first, DATA_COL + 2 + i, last_row, DATA_COL + 2 + i))
            .set_gap(60);
        let dash = dashes[(i + 2 - k.min(2)) as usize % 2];
        let mut l = ChartLine::new();
        l.set_width(2.0).set_dash_type(dash);
        line.add_series()
            .set_name((SHEET, header, DATA_COL + 2 + k + i))
            .set_categories(cats)
            .set_values((
                SHEET,
                first,
                DATA_COL + 2 + k + i,
                last_row,
                DATA_COL + 2 + k + i,
            ))
            .set_format(&mut l);
    }
    chart.combine(&line);
    dress(&mut chart, &title, "Đơn vị", "Tỷ lệ (%)");
    chart.x_axis().set_font(font(8.0).set_rotation(-90));
    chart.y_axis().set_min(0).set_max(100).set_num_format("0");
    Ok(chart)
}

/// Totals of the chỉ tiêu of one đơn vị tính: before / after side by side
/// (horizontal bars, a chỉ tiêu per row), or year by year (lines, a chỉ
/// tiêu per line).
#[allow(clippy::too_many_arguments)]
fn totals(
    ws: &mut Worksheet,
    round: &Round,
    cons: &Consolidated,
    marks: &Marks,
    plan: &Plan,
    n: usize,
    f: &Formats,
    t: &mut Tables,
) -> Result<Chart, XlsxError> {
    let c = &round.catalog;
    let g = plan.group;
    let all_cols = c.columns_of(g);
    let all: Vec<&OrgUnit> = round.units.iter().collect();
    let pct = plan
        .indicators
        .iter()
        .all(|i| i.kind == IndicatorKind::Percent);
    let measure = if pct {
        "%".to_string()
    } else {
        plan.indicators[0].measure.clone()
    };
    let flag_of = |ind: &Indicator| -> Vec<bool> {
        let id = c.indicator_index(&ind.code).expect("catalogue code");
        plan.columns
            .iter()
            .map(|col| {
                let i = all_cols.iter().position(|x| x.key == col.key).unwrap_or(0);
                total_mark(round, marks, id, i, &all).is_some()
            })
            .collect()
    };
    let flags: Vec<Vec<bool>> = plan.indicators.iter().map(|i| flag_of(i)).collect();
    let flagged = flags.iter().flatten().any(|x| *x);
    let first_col = &plan.columns[0].label;
    let last_col = &plan.columns[plan.columns.len() - 1].label;
    let mut title = match plan.kind {
        ChartKind::BeforeAfter => format!(
            "Biểu số {:02}: {first_col} và {last_col} ({measure})",
            g.number
        ),
        _ => format!(
            "Biểu số {:02}: {first_col} – {last_col} ({measure})",
            g.number
        ),
    };
    if flagged {
        title.push_str(&format!(" – {FLAG} số tổng hợp có giá trị lỗi chưa sửa"));
    }
    let codes: Vec<&str> = plan.indicators.iter().map(|i| i.code.as_str()).collect();
    let header = table_head(
        ws,
        t,
        f,
        n,
        &title,
        &format!(
            "Nguồn: số tổng hợp toàn Đảng bộ như trang \"Tổng hợp\" (biểu số {:02}, mã số {}).",
            g.number,
            codes.join(", ")
        ),
    )?;
    ws.write_string_with_format(header, DATA_COL, "Mã số", &f.header)?;
    ws.write_string_with_format(header, DATA_COL + 1, "Chỉ tiêu", &f.header)?;
    for (i, col) in plan.columns.iter().enumerate() {
        ws.write_string_with_format(header, DATA_COL + 2 + i as u16, &col.label, &f.header)?;
    }
    let first = header + 1;
    for (r, ind) in plan.indicators.iter().enumerate() {
        let row = first + r as u32;
        ws.write_string_with_format(row, DATA_COL, &ind.code, &f.text)?;
        let mut name = format!("{} {}", ind.code, short(&ind.label, 60));
        if flags[r].iter().any(|x| *x) {
            name = format!("{FLAG} {name}");
        }
        ws.write_string_with_format(row, DATA_COL + 1, &name, &f.text)?;
        for (i, col) in plan.columns.iter().enumerate() {
            let v = cons.total_value(&ind.code, &col.key);
            num_or_blank(
                ws,
                row,
                DATA_COL + 2 + i as u16,
                v,
                f.number(ind.kind, v, flags[r][i]),
            )?;
        }
    }
    let last_row = first + plan.indicators.len() as u32 - 1;
    t.row = last_row + 1;
    let k = plan.columns.len() as u16;
    let number_format = if pct { "0.00" } else { "#,##0" };
    let chart = match plan.kind {
        ChartKind::BeforeAfter => {
            let mut chart = Chart::new(ChartType::Bar);
            for i in 0..k {
                let col = DATA_COL + 2 + i;
                let mut label = ChartDataLabel::new();
                label
                    .show_value()
                    .set_num_format(number_format)
                    .set_font(&font(7.0));
                chart
                    .add_series()
                    .set_name((SHEET, header, col))
                    .set_categories((SHEET, first, DATA_COL + 1, last_row, DATA_COL + 1))
                    .set_values((SHEET, first, col, last_row, col))
                    .set_data_label(&label)
                    .set_gap(40);
            }
            dress(&mut chart, &title, &measure, "");
            // The first chỉ tiêu on top, as in the table.
            chart
                .y_axis()
                .set_reverse()
                .set_crossing(ChartAxisCrossing::Max);
            // From 0, so that bars compare as the figures do.
            chart.x_axis().set_num_format("#,##0").set_min(0);
            if pct {
                chart.x_axis().set_max(100);
            }
            chart
        }
        _ => {
            let mut chart = Chart::new(ChartType::Line);
            for r in 0..plan.indicators.len() as u32 {
                let row = first + r;
                chart
                    .add_series()
                    .set_name((SHEET, row, DATA_COL + 1))
                    .set_categories((SHEET, header, DATA_COL + 2, header, DATA_COL + 1 + k))
                    .set_values((SHEET, row, DATA_COL + 2, row, DATA_COL + 1 + k))
                    .set_marker(rust_xlsxwriter::ChartMarker::new().set_automatic());
            }
            dress(&mut chart, &title, "Năm", &measure);
            chart
                .x_axis()
                .set_label_position(ChartAxisLabelPosition::Low);
            // From 0, so that a change is not magnified.
            chart.y_axis().set_num_format(number_format).set_min(0);
            chart
        }
    };
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_of_the_de_an_241_column_sets() {
        let c = Catalog::embedded();
        let keys = |set: &str| {
            let p = Periods::of(&c.column_sets[set].columns);
            (
                p.periods.iter().map(|c| c.key.clone()).collect::<Vec<_>>(),
                p.years.len(),
                p.before_after().is_some(),
            )
        };
        assert_eq!(keys("thoi_diem"), (vec!["t2020".to_string()], 0, false));
        assert_eq!(keys("nam").1, 5);
        assert!(!keys("nam").2);
        assert!(keys("nam_so_sanh").2 && keys("nam_so_sanh").1 == 5);
        assert!(keys("thoi_diem_so_sanh").2 && keys("giai_doan").2);
    }

    #[test]
    fn every_percentage_has_a_chart_by_unit() {
        let c = Catalog::embedded();
        let plans = plans(&c);
        let by_unit: Vec<&str> = plans
            .iter()
            .filter(|p| p.kind == ChartKind::ByUnit)
            .map(|p| p.indicators[0].code.as_str())
            .collect();
        let pcts: Vec<&str> = c
            .indicators
            .iter()
            .filter(|i| i.kind == IndicatorKind::Percent)
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(by_unit, pcts);
        assert!(plans.len() < 100, "{} charts", plans.len());
        assert!(plans.iter().all(|p| p.indicators.len() <= MAX_SERIES));
    }
}
