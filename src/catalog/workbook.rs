//! The catalogue as an editable workbook (`tonghop catalog --format xlsx`,
//! read back by `--catalog danh-muc.xlsx`, `catalog = "danh-muc.xlsx"` and
//! `catalog --check`), laid out the way XLSForm puts a form in a
//! spreadsheet: a sheet per concept, one row per item, one column per
//! field, Vietnamese headers, drop-down lists for the closed choices, a
//! guide sheet explaining every column.
//!
//! Sheets: "Hướng dẫn" (guide), "Thông tin chung" (`id`, `version`,
//! `title`, `percent_tolerance`, `[plausible]`), "Giới hạn theo ĐVT"
//! (`plausible.measure_max`), "Loại đơn vị", "Bộ cột" (one row per column
//! of a set, in order), "Biểu", "Chỉ tiêu", "Quy tắc", "Danh sách chọn"
//! (the drop-downs' sources). Every field of every catalogue type has a
//! column (a test reads the embedded catalogue back field by field).
//! Columns are found by their header (case, spacing and diacritics
//! folded), rows in the order of the sheet; blank rows are skipped.
//! Enumerations are written as their Vietnamese names and read as those
//! or as the TOML value (`count`, `loi`, …).
//!
//! Reading checks the cells (a number where a number goes, a known
//! choice) and reports every problem with its sheet, row and cell; the
//! catalogue is then validated like a TOML one ([`super::validate`]), its
//! problems located by the sheet and row of the item.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Range, Reader};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

use super::{
    validate, Catalog, CatalogError, CatalogProblem, Column, ColumnSet, Consolidation, Group,
    Indicator, IndicatorKind, Nature, Plausible, Rule, Severity, SyntaxError, UnitType,
};
use crate::cell::CellRef;
use crate::form::FONT;
use crate::print::{Layout, Orientation};
use crate::text::{fold, fold_ascii};

/// Whether `path` names a workbook (.xlsx, .xlsm, .xls, .ods): read as one
/// instead of as TOML or JSON.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xlsx", "xlsm", "xls", "ods"]
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    })
}

const GUIDE: &str = "Hướng dẫn";
const GENERAL: &str = "Thông tin chung";
const MEASURE_MAX: &str = "Giới hạn theo ĐVT";
const UNIT_TYPES: &str = "Loại đơn vị";
const COLUMN_SETS: &str = "Bộ cột";
const GROUPS: &str = "Biểu";
const INDICATORS: &str = "Chỉ tiêu";
const RULES: &str = "Quy tắc";
const LISTS: &str = "Danh sách chọn";
const OUTLINE: &str = "Đề cương";

/// A closed choice: its drop-down list (column of [`LISTS`]) and values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    IndicatorKind,
    Nature,
    Consolidation,
    Severity,
    GroupKind,
    ColumnKind,
    RuleKind,
    YesNo,
    /// Unit type ids (from the sheet [`UNIT_TYPES`]); several allowed.
    UnitTypes,
}

impl Choice {
    /// (Vietnamese name written, TOML value) of every value.
    fn values(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Choice::IndicatorKind => &[
                ("số đếm", "count"),
                ("số lượng", "quantity"),
                ("tỷ lệ %", "percent"),
                ("có/không", "yes_no"),
                ("thuyết minh", "text"),
                ("danh sách", "list"),
            ],
            Choice::Nature => &[("thời kỳ", "flow"), ("thời điểm", "stock")],
            Choice::Consolidation => &[
                ("cộng", "sum"),
                ("tính lại từ tử số / mẫu số", "ratio"),
                ("bình quân gia quyền", "weighted_mean"),
                ("đếm số đơn vị trả lời Có", "count_yes"),
                ("liệt kê theo đơn vị", "by_unit"),
                ("gộp các dòng kèm đơn vị", "rows"),
            ],
            Choice::Severity => &[("lỗi", "loi"), ("cảnh báo", "canh_bao")],
            Choice::GroupKind => &[
                ("bảng", "table"),
                ("danh sách", "list"),
                ("thuyết minh", "narrative"),
            ],
            Choice::ColumnKind => &[("số", "value"), ("chữ", "text"), ("ngày", "date")],
            Choice::RuleKind => &[
                ("tổng bằng", "sum"),
                ("tổng không vượt", "sum_at_most"),
                ("không lớn hơn", "at_most"),
            ],
            Choice::YesNo => &[("có", "true"), ("không", "false")],
            Choice::UnitTypes => &[],
        }
    }

    /// Heading of its list on [`LISTS`].
    fn title(self) -> &'static str {
        match self {
            Choice::IndicatorKind => "Loại chỉ tiêu",
            Choice::Nature => "Tính chất",
            Choice::Consolidation => "Cách tổng hợp",
            Choice::Severity => "Mức độ",
            Choice::GroupKind => "Loại biểu",
            Choice::ColumnKind => "Loại cột",
            Choice::RuleKind => "Loại quy tắc",
            Choice::YesNo => "Có/không",
            Choice::UnitTypes => "",
        }
    }

    const LISTED: [Choice; 8] = [
        Choice::IndicatorKind,
        Choice::Nature,
        Choice::Consolidation,
        Choice::Severity,
        Choice::GroupKind,
        Choice::ColumnKind,
        Choice::RuleKind,
        Choice::YesNo,
    ];

    /// The TOML value of a cell's text (its Vietnamese name or the TOML
    /// value itself, folded, diacritics optional).
    fn parse(self, text: &str) -> Option<&'static str> {
        let t = fold_ascii(text);
        self.values()
            .iter()
            .find(|(vi, toml)| fold_ascii(vi) == t || *toml == t)
            .map(|(_, toml)| *toml)
    }

    fn name(self, toml: &str) -> &'static str {
        self.values()
            .iter()
            .find(|(_, t)| *t == toml)
            .map_or("", |(vi, _)| *vi)
    }

    fn choices_text(self) -> String {
        self.values()
            .iter()
            .map(|(vi, _)| format!("\"{vi}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a column holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// Several texts separated by ";" (or line breaks).
    List,
    Number,
    Whole,
    Choice(Choice),
}

/// One column of a sheet.
struct Col {
    header: &'static str,
    /// The TOML field it holds.
    key: &'static str,
    kind: Kind,
    required: bool,
    width: f64,
    help: &'static str,
}

const fn col(
    header: &'static str,
    key: &'static str,
    kind: Kind,
    required: bool,
    width: f64,
    help: &'static str,
) -> Col {
    Col {
        header,
        key,
        kind,
        required,
        width,
        help,
    }
}

const UNIT_TYPE_COLS: &[Col] = &[
    col("Mã loại", "id", Kind::Text, true, 18.0, "Mã của loại đơn vị, không dấu cách (ví dụ xa_phuong); dùng ở cột \"Áp dụng cho\" của trang Chỉ tiêu."),
    col("Tên loại", "label", Kind::Text, true, 34.0, "Tên loại như ghi ở cột Loại của danh sách đơn vị (ví dụ Đảng bộ xã, phường)."),
    col("Tên khác", "aliases", Kind::List, false, 60.0, "Các cách ghi khác được chấp nhận trong danh sách đơn vị, cách nhau bằng dấu chấm phẩy (;)."),
];

const COLUMN_COLS: &[Col] = &[
    col("Bộ cột", "column_sets", Kind::Text, true, 20.0, "Tên bộ cột (ví dụ nam_so_sanh); các dòng cùng tên là các cột của một bộ, theo thứ tự đánh số (1), (2), …; trang Biểu chọn bộ cột theo tên này."),
    col("Khóa cột", "key", Kind::Text, true, 14.0, "Mã của cột, không trùng trong bộ (ví dụ n2016, tong)."),
    col("Tên cột", "label", Kind::Text, true, 30.0, "Tiêu đề cột in trên biểu mẫu (ví dụ Năm 2016)."),
    col("Loại cột", "kind", Kind::Choice(Choice::ColumnKind), false, 10.0, "số (theo loại chỉ tiêu của dòng; bỏ trống cũng là số), chữ, hoặc ngày (dd/mm/yyyy)."),
    col("Cộng các cột", "sum_of", Kind::List, false, 40.0, "Cột tính tổng: khóa các cột được cộng, cách nhau bằng dấu chấm phẩy; biểu mẫu có công thức, tính lại khi nhập."),
];

const GROUP_COLS: &[Col] = &[
    col("Mã biểu", "id", Kind::Text, true, 9.0, "Mã của biểu, không trùng (ví dụ B01)."),
    col("Biểu số", "number", Kind::Whole, true, 8.0, "Số thứ tự của biểu (1 → Biểu số 01); mã số chỉ tiêu bắt đầu bằng số này."),
    col("Mục đề cương", "ref", Kind::Text, true, 10.0, "Mục của đề cương mà biểu trả lời (ví dụ II.2.2)."),
    col("Tên biểu", "title", Kind::Text, true, 50.0, "Tên biểu in trên biểu mẫu."),
    col("Bộ cột", "columns", Kind::Text, true, 18.0, "Tên bộ cột (trang Bộ cột) làm các cột số liệu của biểu."),
    col("Loại biểu", "kind", Kind::Choice(Choice::GroupKind), false, 11.0, "bảng (chỉ tiêu × cột, mặc định), danh sách (bảng kê văn bản cho một chỉ tiêu danh sách) hoặc thuyết minh."),
    col("Tên trang", "sheet", Kind::Text, true, 12.0, "Tên trang tính trong biểu mẫu (tối đa 31 ký tự, ví dụ Biểu 01)."),
    col("Ghi chú", "note", Kind::Text, false, 50.0, "Ghi chú in dưới tên biểu (kỳ số liệu, cách đếm)."),
];

const INDICATOR_COLS: &[Col] = &[
    col("Mã số", "code", Kind::Text, true, 7.0, "Mã số chỉ tiêu NN.MM, NN là biểu số (ví dụ 05.03); không trùng."),
    col("Biểu", "group", Kind::Text, true, 6.0, "Mã biểu (trang Biểu) chứa chỉ tiêu."),
    col("Mục đề cương", "ref", Kind::Text, true, 8.0, "Mục của đề cương (ví dụ II.2.2)."),
    col("Tên chỉ tiêu", "label", Kind::Text, true, 36.0, "Tên chỉ tiêu in ở dòng của nó trên biểu mẫu."),
    col("Loại", "kind", Kind::Choice(Choice::IndicatorKind), true, 10.0, "số đếm (số nguyên ≥ 0), số lượng (số thập phân ≥ 0), tỷ lệ % (0–100), có/không, thuyết minh, danh sách."),
    col("Đơn vị tính", "measure", Kind::Text, false, 9.0, "Đơn vị tính (người, hộ, %, triệu đồng…)."),
    col("Tính chất", "nature", Kind::Choice(Choice::Nature), false, 9.0, "thời kỳ (cộng qua các năm, mặc định) hoặc thời điểm (giá trị tại một ngày)."),
    col("Áp dụng cho", "applies_to", Kind::Choice(Choice::UnitTypes), false, 12.0, "Mã các loại đơn vị (trang Loại đơn vị) phải báo cáo chỉ tiêu, cách nhau bằng dấu chấm phẩy; bỏ trống: mọi đơn vị."),
    col("Bắt buộc", "required", Kind::Choice(Choice::YesNo), false, 7.0, "có: đơn vị phải ghi (bỏ trống là lỗi); bỏ trống hoặc không: không bắt buộc."),
    col("Tối thiểu", "min", Kind::Number, false, 8.0, "Giá trị nhỏ nhất cho phép (bỏ trống: theo loại)."),
    col("Tối đa", "max", Kind::Number, false, 8.0, "Giá trị lớn nhất cho phép (bỏ trống: theo loại và giới hạn hợp lý)."),
    col("Cách tổng hợp", "consolidation", Kind::Choice(Choice::Consolidation), false, 13.0, "Bỏ trống: theo loại (số: cộng; tỷ lệ: tính lại từ tử số / mẫu số; có/không: đếm số đơn vị trả lời Có; thuyết minh: liệt kê theo đơn vị; danh sách: gộp các dòng). Không bao giờ lấy trung bình một tỷ lệ."),
    col("Trọng số", "weight", Kind::Text, false, 8.0, "Với bình quân gia quyền: mã số chỉ tiêu làm trọng số."),
    col("Tử số", "numerator", Kind::Text, false, 7.0, "Với tỷ lệ %: mã số chỉ tiêu tử số."),
    col("Mẫu số", "denominator", Kind::Text, false, 7.0, "Với tỷ lệ %: mã số chỉ tiêu mẫu số (một số đếm)."),
    col("Công thức", "computed", Kind::Choice(Choice::YesNo), false, 8.0, "Với tỷ lệ %: có = biểu mẫu tự tính bằng công thức; bỏ trống = đơn vị ghi, chương trình kiểm tra."),
    col("Cấp", "level", Kind::Whole, false, 5.0, "Mức thụt lề của tên (0 = dòng chính, 1 = \"trong đó\", …)."),
    col("Gợi ý nhập", "hint", Kind::Text, false, 18.0, "Lời nhắc hiện khi đơn vị chọn ô nhập."),
    col("Không vượt tổng của", "plausible_max_of", Kind::List, false, 11.0, "Mã số các chỉ tiêu thời điểm (biểu một cột) mà tổng của chúng là mức hợp lý tối đa của chỉ tiêu này, cách nhau bằng dấu chấm phẩy."),
];

const RULE_COLS: &[Col] = &[
    col("Mã quy tắc", "id", Kind::Text, true, 10.0, "Mã của quy tắc (ví dụ R01)."),
    col("Loại quy tắc", "kind", Kind::Choice(Choice::RuleKind), true, 14.0, "tổng bằng (các thành phần cộng lại bằng tổng), tổng không vượt (cộng các thành phần không lớn hơn tổng) hoặc không lớn hơn (vế nhỏ ≤ vế lớn)."),
    col("Tổng", "total", Kind::Text, false, 8.0, "Với tổng bằng / tổng không vượt: mã số chỉ tiêu tổng."),
    col("Các thành phần", "parts", Kind::List, false, 24.0, "Với tổng bằng / tổng không vượt: mã số các chỉ tiêu thành phần, cách nhau bằng dấu chấm phẩy."),
    col("Vế nhỏ", "left", Kind::Text, false, 8.0, "Với không lớn hơn: mã số chỉ tiêu không được lớn hơn vế lớn."),
    col("Vế lớn", "right", Kind::Text, false, 8.0, "Với không lớn hơn: mã số chỉ tiêu vế lớn."),
    col("Mức độ", "severity", Kind::Choice(Choice::Severity), true, 10.0, "lỗi (số liệu không thể đúng) hoặc cảnh báo (cần xem lại)."),
    col("Mô tả", "label", Kind::Text, false, 60.0, "Mô tả ngắn in trong báo cáo lỗi."),
];

const OUTLINE_COLS: &[Col] = &[
    col("Mục", "ref", Kind::Text, true, 12.0, "Số mục của đề cương như biểu và chỉ tiêu ghi ở cột \"Mục đề cương\" (ví dụ I, II.2, II.2.1)."),
    col("Tên đề mục", "title", Kind::Text, true, 90.0, "Tên đề mục như trong đề cương; là đầu mục của dự thảo báo cáo tổng hợp (bao-cao-tong-hop.docx). Trang này không bắt buộc."),
];

const MEASURE_COLS: &[Col] = &[
    col(
        "Đơn vị tính",
        "measure",
        Kind::Text,
        true,
        24.0,
        "Đơn vị tính (so khớp không phân biệt hoa thường, dấu cách).",
    ),
    col(
        "Giới hạn trên",
        "max",
        Kind::Number,
        true,
        18.0,
        "Mức hợp lý tối đa của các chỉ tiêu số có đơn vị tính này (khi chỉ tiêu không ghi Tối đa).",
    ),
];

/// Rows of "Thông tin chung": (name, TOML key, kind, required, help).
const GENERAL_ROWS: &[(&str, &str, Kind, bool, &str)] = &[
    ("Mã danh mục", "id", Kind::Text, true, "Mã cố định của danh mục (ví dụ de-an-241)."),
    ("Phiên bản", "version", Kind::Text, true, "Phiên bản (ví dụ 2021.1); báo cáo lập theo phiên bản khác bị từ chối."),
    ("Tên danh mục", "title", Kind::Text, true, "Tên danh mục."),
    ("Sai số tỷ lệ (điểm %)", "percent_tolerance", Kind::Number, false, "Sai số cho phép khi kiểm tra tỷ lệ = 100 × tử số / mẫu số, tính bằng điểm phần trăm (mặc định 0,5)."),
    ("Giới hạn số đếm", "plausible.count_max", Kind::Number, false, "Mức hợp lý tối đa của mọi số đếm không có Tối đa riêng (mặc định 100000000)."),
    ("Mức độ khi vượt giới hạn", "plausible.severity", Kind::Choice(Choice::Severity), false, "Mức độ khi vượt giới hạn số đếm / giới hạn theo đơn vị tính (mặc định lỗi)."),
    ("Mức độ khi vượt tổng", "plausible.derived_severity", Kind::Choice(Choice::Severity), false, "Mức độ khi vượt \"Không vượt tổng của\" của chỉ tiêu (mặc định cảnh báo)."),
    ("Mã băm (tự tính)", "hash", Kind::Text, false, "Mã băm nội dung, chương trình tự tính lại khi đọc: không cần sửa."),
];

/// The sheets with one row per item: (name, columns, the item's name in
/// validation problems, TOML table).
const TABLES: [(&str, &[Col]); 7] = [
    (UNIT_TYPES, UNIT_TYPE_COLS),
    (COLUMN_SETS, COLUMN_COLS),
    (GROUPS, GROUP_COLS),
    (INDICATORS, INDICATOR_COLS),
    (RULES, RULE_COLS),
    (OUTLINE, OUTLINE_COLS),
    (MEASURE_MAX, MEASURE_COLS),
];

// ---------------------------------------------------------------- writing

struct Styles {
    base: Format,
    header: Format,
    cell: Format,
    title: Format,
}

fn styles() -> Styles {
    let base = Format::new().set_font_name(FONT).set_font_size(11);
    Styles {
        header: base
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color("D9E1F2"),
        cell: base
            .clone()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin),
        title: base.clone().set_bold().set_font_size(14),
        base,
    }
}

/// A cell value to write.
enum Out {
    Text(String),
    Number(f64),
}

fn text(s: impl Into<String>) -> Out {
    Out::Text(s.into())
}

fn list(items: &[String]) -> Out {
    Out::Text(items.join("; "))
}

fn opt_text(s: &Option<String>) -> Out {
    Out::Text(s.clone().unwrap_or_default())
}

fn opt_number(x: Option<f64>) -> Out {
    x.map_or(Out::Text(String::new()), Out::Number)
}

fn yes(b: bool) -> Out {
    Out::Text(if b { "có".into() } else { String::new() })
}

fn choice(c: Choice, toml: &str) -> Out {
    Out::Text(c.name(toml).to_string())
}

/// The TOML value of a serde enum (`IndicatorKind::Count` → "count").
fn toml_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Header of the column a drafted catalogue adds to the sheets whose rows
/// are guesses ([`Review`]); the reader passes over it.
pub const REVIEW_HEADER: &str = "Cần xem lại";

/// What a person should check in a drafted catalogue (`tonghop catalog
/// --from-outline`), in Vietnamese, by item: written in a last column
/// [`REVIEW_HEADER`] of the item's row. Empty maps write no such column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// "Thông tin chung" rows by TOML key (`id`, `version`, `title`).
    pub general: BTreeMap<String, String>,
    /// Unit types by id.
    pub unit_types: BTreeMap<String, String>,
    /// Column sets by name (written on the set's first column).
    pub column_sets: BTreeMap<String, String>,
    /// Groups by id.
    pub groups: BTreeMap<String, String>,
    /// Indicators by mã số.
    pub indicators: BTreeMap<String, String>,
}

impl Review {
    /// Number of rows with something to check.
    pub fn len(&self) -> usize {
        [
            &self.general,
            &self.unit_types,
            &self.column_sets,
            &self.groups,
            &self.indicators,
        ]
        .iter()
        .map(|m| m.values().filter(|v| !v.is_empty()).count())
        .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The catalogue as a workbook (see the module documentation): .xlsx
/// bytes.
///
/// # Errors
/// The workbook writer's.
pub fn write(c: &Catalog) -> Result<Vec<u8>, XlsxError> {
    write_reviewed(c, &Review::default())
}

/// Notes of `keys` from `map`, or none at all when no key has one (the
/// sheet then has no [`REVIEW_HEADER`] column).
fn notes_of<'a>(
    map: &BTreeMap<String, String>,
    keys: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let notes: Vec<String> = keys
        .map(|k| map.get(k).cloned().unwrap_or_default())
        .collect();
    if notes.iter().all(String::is_empty) {
        Vec::new()
    } else {
        notes
    }
}

/// [`write`] with a [`REVIEW_HEADER`] column on the sheets `review` has
/// notes for (a drafted catalogue: every guess marked).
///
/// # Errors
/// The workbook writer's.
pub fn write_reviewed(c: &Catalog, review: &Review) -> Result<Vec<u8>, XlsxError> {
    let st = styles();
    let mut wb = Workbook::new();
    write_guide(wb.add_worksheet(), &st)?;

    // Thông tin chung.
    let ws = wb.add_worksheet();
    ws.set_name(GENERAL)?;
    let mut layout = Layout::new(Orientation::Landscape);
    let general_notes = notes_of(&review.general, GENERAL_ROWS.iter().map(|r| r.1));
    let general_cols: &[(&str, f64)] = if general_notes.is_empty() {
        &[
            ("Thiết lập", 26.0),
            ("Giá trị", 60.0),
            ("Khóa", 26.0),
            ("Giải thích", 60.0),
        ]
    } else {
        &[
            ("Thiết lập", 22.0),
            ("Giá trị", 44.0),
            ("Khóa", 24.0),
            ("Giải thích", 50.0),
            (REVIEW_HEADER, 40.0),
        ]
    };
    for (i, (h, w)) in general_cols.iter().enumerate() {
        layout.width(ws, i as u16, *w)?;
        ws.write_string_with_format(0, i as u16, *h, &st.header)?;
    }
    layout.repeat_rows(0, 0);
    ws.set_freeze_panes(1, 0)?;
    let severity = |s: Severity| choice(Choice::Severity, &toml_name(&s));
    for (i, (name, key, kind, _, help)) in GENERAL_ROWS.iter().enumerate() {
        let r = 1 + i as u32;
        let value = match *key {
            "id" => text(&c.id),
            "version" => text(&c.version),
            "title" => text(&c.title),
            "percent_tolerance" => Out::Number(c.percent_tolerance),
            "plausible.count_max" => Out::Number(c.plausible.count_max),
            "plausible.severity" => severity(c.plausible.severity),
            "plausible.derived_severity" => severity(c.plausible.derived_severity),
            "hash" => text(&c.hash),
            _ => unreachable!("every general row is written"),
        };
        ws.write_string_with_format(r, 0, *name, &st.cell)?;
        put(ws, r, 1, &value, &st.cell)?;
        ws.write_string_with_format(r, 2, *key, &st.cell)?;
        ws.write_string_with_format(r, 3, *help, &st.cell)?;
        if let Kind::Choice(ch) = kind {
            add_choice(ws, r, 1, *ch)?;
        }
        let mut tall = crate::print::text_height(help, general_cols[3].1, 11.0, false).max(
            crate::print::text_height(&out_text(&value), general_cols[1].1, 11.0, false),
        );
        if let Some(note) = general_notes.get(i) {
            put_note(ws, r, 4, note, &st)?;
            tall = tall.max(crate::print::text_height(
                note,
                general_cols[4].1,
                11.0,
                false,
            ));
        }
        layout.height(ws, r, tall)?;
    }
    layout.apply(ws, general_cols.len() as u16, GENERAL_ROWS.len() as u32)?;

    let rows: Vec<Vec<Out>> = c
        .unit_types
        .iter()
        .map(|t| vec![text(&t.id), text(&t.label), list(&t.aliases)])
        .collect();
    let notes = notes_of(
        &review.unit_types,
        c.unit_types.iter().map(|t| t.id.as_str()),
    );
    write_table(
        wb.add_worksheet(),
        &st,
        UNIT_TYPES,
        UNIT_TYPE_COLS,
        &rows,
        &notes,
    )?;

    let rows: Vec<Vec<Out>> = c
        .column_sets
        .iter()
        .flat_map(|(name, set)| {
            set.columns.iter().map(move |col| {
                vec![
                    text(name),
                    text(&col.key),
                    text(&col.label),
                    choice(Choice::ColumnKind, &toml_name(&col.kind)),
                    list(&col.sum_of),
                ]
            })
        })
        .collect();
    // A set's note on its first column's row.
    let firsts: Vec<String> = c
        .column_sets
        .iter()
        .flat_map(|(name, set)| {
            (0..set.columns.len()).map(move |i| if i == 0 { name.clone() } else { String::new() })
        })
        .collect();
    let notes = notes_of(&review.column_sets, firsts.iter().map(String::as_str));
    write_table(
        wb.add_worksheet(),
        &st,
        COLUMN_SETS,
        COLUMN_COLS,
        &rows,
        &notes,
    )?;

    let rows: Vec<Vec<Out>> = c
        .groups
        .iter()
        .map(|g| {
            vec![
                text(&g.id),
                Out::Number(f64::from(g.number)),
                text(&g.outline_ref),
                text(&g.title),
                text(&g.columns),
                choice(Choice::GroupKind, &toml_name(&g.kind)),
                text(&g.sheet),
                text(&g.note),
            ]
        })
        .collect();
    let notes = notes_of(&review.groups, c.groups.iter().map(|g| g.id.as_str()));
    write_table(wb.add_worksheet(), &st, GROUPS, GROUP_COLS, &rows, &notes)?;

    let rows: Vec<Vec<Out>> = c
        .indicators
        .iter()
        .map(|i| {
            vec![
                text(&i.code),
                text(&i.group),
                text(&i.outline_ref),
                text(&i.label),
                choice(Choice::IndicatorKind, &toml_name(&i.kind)),
                text(&i.measure),
                choice(Choice::Nature, &toml_name(&i.nature)),
                list(&i.applies_to),
                yes(i.required),
                opt_number(i.min),
                opt_number(i.max),
                i.consolidation
                    .map_or(text(""), |m| choice(Choice::Consolidation, &toml_name(&m))),
                opt_text(&i.weight),
                opt_text(&i.numerator),
                opt_text(&i.denominator),
                yes(i.computed),
                // Level 0 (most rows) left blank: blank reads as 0.
                if i.level == 0 {
                    text("")
                } else {
                    Out::Number(f64::from(i.level))
                },
                text(&i.hint),
                list(&i.plausible_max_of),
            ]
        })
        .collect();
    let notes = notes_of(
        &review.indicators,
        c.indicators.iter().map(|i| i.code.as_str()),
    );
    write_table(
        wb.add_worksheet(),
        &st,
        INDICATORS,
        INDICATOR_COLS,
        &rows,
        &notes,
    )?;

    let rows: Vec<Vec<Out>> = c
        .rules
        .iter()
        .map(|r| {
            let (total, parts, left, right) = match r {
                Rule::Sum { total, parts, .. } | Rule::SumAtMost { total, parts, .. } => {
                    (total.clone(), parts.clone(), String::new(), String::new())
                }
                Rule::AtMost { left, right, .. } => {
                    (String::new(), Vec::new(), left.clone(), right.clone())
                }
            };
            vec![
                text(r.id()),
                choice(Choice::RuleKind, r.kind_name()),
                text(total),
                list(&parts),
                text(left),
                text(right),
                severity(r.severity()),
                text(r.label()),
            ]
        })
        .collect();
    write_table(wb.add_worksheet(), &st, RULES, RULE_COLS, &rows, &[])?;

    let rows: Vec<Vec<Out>> = c
        .outline
        .iter()
        .map(|h| vec![text(&h.outline_ref), text(&h.title)])
        .collect();
    write_table(wb.add_worksheet(), &st, OUTLINE, OUTLINE_COLS, &rows, &[])?;

    let rows: Vec<Vec<Out>> = c
        .plausible
        .measure_max
        .iter()
        .map(|(m, x)| vec![text(m), Out::Number(*x)])
        .collect();
    write_table(
        wb.add_worksheet(),
        &st,
        MEASURE_MAX,
        MEASURE_COLS,
        &rows,
        &[],
    )?;

    write_lists(wb.add_worksheet(), &st)?;
    wb.save_to_buffer()
}

fn out_text(v: &Out) -> String {
    match v {
        Out::Text(t) => t.clone(),
        Out::Number(x) => x.to_string(),
    }
}

fn put(ws: &mut Worksheet, r: u32, c: u16, v: &Out, f: &Format) -> Result<(), XlsxError> {
    match v {
        Out::Text(t) if t.is_empty() => ws.write_blank(r, c, f).map(|_| ()),
        Out::Text(t) => ws.write_string_with_format(r, c, t, f).map(|_| ()),
        Out::Number(x) => ws.write_number_with_format(r, c, *x, f).map(|_| ()),
    }
}

/// Rows given a drop-down below the written ones (room to add items).
const SPARE_ROWS: u32 = 500;

fn add_choice(ws: &mut Worksheet, r: u32, c: u16, ch: Choice) -> Result<(), XlsxError> {
    add_choice_rows(ws, r, r, c, ch)
}

fn add_choice_rows(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    c: u16,
    ch: Choice,
) -> Result<(), XlsxError> {
    let v = if ch == Choice::UnitTypes {
        // Several ids may be typed, separated by ";": a warning, not a stop.
        DataValidation::new()
            .allow_list_formula(Formula::new(format!("='{UNIT_TYPES}'!$A$2:$A$200")))
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("Nhiều loại đơn vị")?
            .set_error_message(
                "Ghi nhiều mã loại đơn vị thì cách nhau bằng dấu chấm phẩy (;); mỗi mã phải có ở trang Loại đơn vị.",
            )?
    } else {
        let i = Choice::LISTED
            .iter()
            .position(|x| *x == ch)
            .expect("listed choice") as u16;
        let letter = crate::cell::col_name(i);
        DataValidation::new()
            .allow_list_formula(Formula::new(format!(
                "='{LISTS}'!${letter}$2:${letter}${}",
                ch.values().len() + 1
            )))
            .set_error_title("Giá trị không có trong danh sách")?
            .set_error_message(format!("Chọn một trong: {}.", ch.choices_text()))?
    };
    ws.add_data_validation(first, c, last, c, &v)?;
    Ok(())
}

/// Width of the [`REVIEW_HEADER`] column.
const REVIEW_WIDTH: f64 = 40.0;

/// A [`REVIEW_HEADER`] cell: filled light orange when it holds a note.
fn put_note(ws: &mut Worksheet, r: u32, c: u16, note: &str, st: &Styles) -> Result<(), XlsxError> {
    if note.is_empty() {
        ws.write_blank(r, c, &st.cell)?;
    } else {
        ws.write_string_with_format(r, c, note, &st.cell.clone().set_background_color("FCE4D6"))?;
    }
    Ok(())
}

/// A sheet of one row per item; `notes` (one per row, or empty for
/// none) fill a last column [`REVIEW_HEADER`].
fn write_table(
    ws: &mut Worksheet,
    st: &Styles,
    name: &str,
    cols: &[Col],
    rows: &[Vec<Out>],
    notes: &[String],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let mut layout = Layout::new(Orientation::Landscape);
    for (i, c) in cols.iter().enumerate() {
        layout.width(ws, i as u16, c.width)?;
        ws.write_string_with_format(0, i as u16, c.header, &st.header)?;
    }
    let review_col = cols.len() as u16;
    if !notes.is_empty() {
        layout.width(ws, review_col, REVIEW_WIDTH)?;
        ws.write_string_with_format(
            0,
            review_col,
            REVIEW_HEADER,
            &st.header.clone().set_background_color("F8CBAD"),
        )?;
    }
    let header_height = cols
        .iter()
        .map(|c| crate::print::text_height(c.header, c.width, 11.0, true))
        .fold(0.0, f64::max);
    layout.height(ws, 0, header_height)?;
    layout.repeat_rows(0, 0);
    ws.set_freeze_panes(1, 1)?;
    for (r, row) in rows.iter().enumerate() {
        let r = 1 + r as u32;
        let mut tall: f64 = crate::print::line_height(11.0);
        for (i, v) in row.iter().enumerate() {
            put(ws, r, i as u16, v, &st.cell)?;
            if let Out::Text(t) = v {
                tall = tall.max(crate::print::text_height(t, cols[i].width, 11.0, false));
            }
        }
        if let Some(note) = notes.get(r as usize - 1) {
            put_note(ws, r, review_col, note, st)?;
            tall = tall.max(crate::print::text_height(note, REVIEW_WIDTH, 11.0, false));
        }
        layout.height(ws, r, tall)?;
    }
    let last = rows.len() as u32;
    let width = cols.len() as u16 + u16::from(!notes.is_empty());
    for (i, c) in cols.iter().enumerate() {
        if let Kind::Choice(ch) = c.kind {
            add_choice_rows(ws, 1, last + SPARE_ROWS, i as u16, ch)?;
        }
    }
    ws.autofilter(0, 0, last.max(1), width - 1)?;
    layout.apply(ws, width, last)
}

fn write_guide(ws: &mut Worksheet, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name(GUIDE)?;
    let widths = [18.0, 22.0, 9.0, 20.0, 80.0];
    let mut layout = Layout::new(Orientation::Landscape);
    for (i, w) in widths.into_iter().enumerate() {
        layout.width(ws, i as u16, w)?;
    }
    ws.write_string_with_format(
        0,
        0,
        "Danh mục chỉ tiêu dạng bảng tính: hướng dẫn",
        &st.title,
    )?;
    let intro = "Mỗi trang một phần của danh mục, mỗi dòng một mục (loại đơn vị, cột, biểu, chỉ tiêu, quy tắc), mỗi cột một thuộc tính; giữ nguyên dòng tiêu đề. Các cột có danh sách thả xuống chỉ nhận giá trị trong danh sách (trang Danh sách chọn). Nhiều giá trị trong một ô thì cách nhau bằng dấu chấm phẩy (;). Sửa xong, kiểm tra bằng: tonghop catalog --check danh-muc.xlsx; dùng bằng: catalog = \"danh-muc.xlsx\" trong tonghop.toml hoặc --catalog danh-muc.xlsx.";
    ws.merge_range(
        1,
        0,
        1,
        4,
        intro,
        &st.base.clone().set_text_wrap().set_align(FormatAlign::Top),
    )?;
    layout.height(
        ws,
        1,
        crate::print::text_height(intro, widths.iter().sum(), 11.0, false),
    )?;
    for (i, h) in ["Trang", "Cột", "Bắt buộc", "Khóa TOML", "Nội dung"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(3, i as u16, *h, &st.header)?;
    }
    layout.repeat_rows(3, 3);
    let mut r = 4u32;
    let mut line = |ws: &mut Worksheet,
                    layout: &mut Layout,
                    sheet: &str,
                    header: &str,
                    required: bool,
                    key: &str,
                    help: &str|
     -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, sheet, &st.cell)?;
        ws.write_string_with_format(r, 1, header, &st.cell)?;
        ws.write_string_with_format(r, 2, if required { "có" } else { "" }, &st.cell)?;
        ws.write_string_with_format(r, 3, key, &st.cell)?;
        ws.write_string_with_format(r, 4, help, &st.cell)?;
        let tall = crate::print::text_height(help, widths[4], 11.0, false)
            .max(crate::print::text_height(header, widths[1], 11.0, false));
        layout.height(ws, r, tall)?;
        r += 1;
        Ok(())
    };
    for (name, key, _, required, help) in GENERAL_ROWS {
        line(ws, &mut layout, GENERAL, name, *required, key, help)?;
    }
    for (sheet, cols) in TABLES {
        for c in cols {
            line(ws, &mut layout, sheet, c.header, c.required, c.key, c.help)?;
        }
    }
    line(
        ws,
        &mut layout,
        "(các trang của bản nháp)",
        REVIEW_HEADER,
        false,
        "",
        "Chỉ có trong bản nháp lập từ đề cương (tonghop catalog --from-outline): điều cần kiểm tra ở dòng đó (tên, loại, đơn vị tính, bộ cột là phỏng đoán). Sửa xong có thể xóa cột; chương trình không đọc cột này.",
    )?;
    line(
        ws,
        &mut layout,
        LISTS,
        "(mọi cột)",
        false,
        "",
        "Các giá trị của danh sách thả xuống; chương trình không đọc trang này.",
    )?;
    layout.apply(ws, 5, r - 1)
}

fn write_lists(ws: &mut Worksheet, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name(LISTS)?;
    let mut layout = Layout::new(Orientation::Landscape);
    let mut last = 0;
    for (i, ch) in Choice::LISTED.iter().enumerate() {
        let c = i as u16;
        layout.width(
            ws,
            c,
            if *ch == Choice::Consolidation {
                26.0
            } else {
                14.0
            },
        )?;
        ws.write_string_with_format(0, c, ch.title(), &st.header)?;
        for (j, (vi, _)) in ch.values().iter().enumerate() {
            ws.write_string_with_format(1 + j as u32, c, *vi, &st.cell)?;
            last = last.max(1 + j as u32);
        }
    }
    layout.height(ws, 0, 2.0 * crate::print::line_height(11.0))?;
    layout.apply(ws, Choice::LISTED.len() as u16, last)
}

// ---------------------------------------------------------------- reading

/// A catalogue read from a workbook, with where each item is.
#[derive(Debug, Clone)]
pub struct WorkbookCatalog {
    pub catalog: Catalog,
    /// Validation location ("chỉ tiêu 05.03") → its sheet and the rows
    /// holding it (several when an id is duplicated).
    places: Places,
}

impl WorkbookCatalog {
    /// Every structural problem ([`validate`]), each located by the sheet
    /// and row of its item: "trang Chỉ tiêu, dòng 12 (chỉ tiêu 05.03)".
    pub fn problems(&self) -> Vec<CatalogProblem> {
        validate(&self.catalog)
            .into_iter()
            .map(|mut p| {
                if let Some((sheet, rows)) = self.places.get(&p.location) {
                    let rows: Vec<String> = rows.iter().map(|r| (r + 1).to_string()).collect();
                    p.location =
                        format!("trang {sheet}, dòng {} ({})", rows.join(", "), p.location);
                }
                p
            })
            .collect()
    }

    /// The catalogue when it has no problem.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] with every problem, located.
    pub fn validated(self, origin: &str) -> Result<Catalog, CatalogError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(self.catalog)
        } else {
            Err(CatalogError::Invalid {
                path: origin.to_string(),
                problems,
            })
        }
    }
}

/// Read and validate a catalogue workbook.
///
/// # Errors
/// As [`read`], then [`CatalogError::Invalid`].
pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
    read(path)?.validated(&path.display().to_string())
}

type Places = BTreeMap<String, (&'static str, Vec<u32>)>;

fn place(places: &mut Places, location: String, row: &Row) {
    places
        .entry(location)
        .or_insert_with(|| (row.sheet, Vec::new()))
        .1
        .push(row.row);
}

/// One sheet's cells, positions absolute (0-based).
struct Sheet {
    name: &'static str,
    range: Range<Data>,
}

impl Sheet {
    fn get(&self, r: u32, c: u32) -> &Data {
        self.range.get_value((r, c)).unwrap_or(&Data::Empty)
    }

    fn last_row(&self) -> u32 {
        self.range.end().map_or(0, |(r, _)| r)
    }

    fn last_col(&self) -> u32 {
        self.range.end().map_or(0, |(_, c)| c)
    }
}

/// Collects cell problems.
struct Problems(Vec<SyntaxError>);

impl Problems {
    fn add(&mut self, message: String) {
        self.0.push(SyntaxError {
            line: 0,
            column: 0,
            message,
            excerpt: String::new(),
        });
    }

    fn at(&mut self, sheet: &str, r: u32, c: u32, message: impl std::fmt::Display) {
        let cell = CellRef::new(r, c as u16);
        self.add(format!(
            "trang {sheet}, dòng {}, ô {cell}: {message}",
            r + 1
        ));
    }
}

/// The text of a cell: strings trimmed of nothing (kept as written),
/// numbers without a trailing ".0", booleans "có"/"không".
fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(crate::text::nfc(s)),
        Data::Float(x) => Some(if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{}", *x as i64)
        } else {
            x.to_string()
        }),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "có".into() } else { "không".into() }),
        other => Some(other.to_string()),
    }
    .filter(|s| !s.trim().is_empty())
}

/// A row of a table sheet: its fields by TOML key, as cell text.
struct Row {
    sheet: &'static str,
    /// 0-based row.
    row: u32,
    cells: BTreeMap<&'static str, (u32, Data)>,
}

impl Row {
    fn raw(&self, key: &str) -> Option<(u32, String)> {
        self.cells
            .get(key)
            .and_then(|(c, d)| cell_text(d).map(|t| (*c, t)))
    }

    fn text(&self, key: &str) -> String {
        self.raw(key).map(|(_, t)| t).unwrap_or_default()
    }

    fn opt_text(&self, key: &str) -> Option<String> {
        self.raw(key).map(|(_, t)| t.trim().to_string())
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.raw(key)
            .map(|(_, t)| {
                t.split([';', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn column_of(cols: &[Col], key: &str) -> usize {
    cols.iter()
        .position(|c| c.key == key)
        .expect("the key is a column")
}

/// Values of a row, parsed per column, problems collected.
struct Parse<'a> {
    row: &'a Row,
    cols: &'static [Col],
    problems: &'a mut Problems,
}

impl Parse<'_> {
    fn col(&self, key: &str) -> &'static Col {
        &self.cols[column_of(self.cols, key)]
    }

    fn bad(&mut self, key: &str, message: String) {
        let c = self.row.cells.get(key).map_or(0, |(c, _)| *c);
        let header = self.col(key).header;
        self.problems.at(
            self.row.sheet,
            self.row.row,
            c,
            format!("cột \"{header}\": {message}"),
        );
    }

    fn required(&mut self, key: &str) -> String {
        let t = self.row.text(key);
        if t.trim().is_empty() {
            let header = self.col(key).header;
            // A missing column is told once, at the header row.
            if let Some((c, _)) = self.row.cells.get(key) {
                self.problems.at(
                    self.row.sheet,
                    self.row.row,
                    *c,
                    format!("cột \"{header}\" để trống: ô này bắt buộc."),
                );
            }
        }
        t
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        let (_, d) = self.row.cells.get(key)?;
        match d {
            Data::Empty => None,
            Data::Float(x) => Some(*x),
            Data::Int(i) => Some(*i as f64),
            other => {
                let t = cell_text(other)?;
                let parsed = parse_number(&t);
                if parsed.is_none() {
                    self.bad(key, format!("\"{t}\" không phải là một số."));
                }
                parsed
            }
        }
    }

    fn whole(&mut self, key: &str, max: f64) -> Option<f64> {
        let x = self.number(key)?;
        if x.fract() != 0.0 || x < 0.0 || x > max {
            self.bad(
                key,
                format!(
                    "\"{}\" phải là một số nguyên từ 0 đến {}.",
                    crate::text::number_vi(x),
                    crate::text::number_vi(max)
                ),
            );
            return None;
        }
        Some(x)
    }

    fn choice(&mut self, key: &str, ch: Choice) -> Option<&'static str> {
        let (_, t) = self.row.raw(key)?;
        let v = ch.parse(&t);
        if v.is_none() {
            self.bad(
                key,
                format!(
                    "\"{}\" không có trong danh sách: chọn một trong {}.",
                    t.trim(),
                    ch.choices_text()
                ),
            );
        }
        v
    }

    fn yes(&mut self, key: &str) -> bool {
        self.choice(key, Choice::YesNo) == Some("true")
    }
}

/// A serde enum from its TOML value (checked by [`Choice::parse`]).
fn enum_of<T: serde::de::DeserializeOwned>(toml: &str) -> T {
    serde_json::from_value(serde_json::Value::String(toml.to_string()))
        .expect("a Choice value is a variant")
}

/// A number typed as text: "0,5" or "0.5", spaces ignored.
fn parse_number(t: &str) -> Option<f64> {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t
    };
    t.parse::<f64>().ok().and_then(crate::text::finite)
}

/// Find the sheet named `name` (folded) in the workbook.
fn sheet(
    wb: &mut calamine::Sheets<std::io::BufReader<std::fs::File>>,
    name: &'static str,
    required: bool,
    problems: &mut Problems,
) -> Option<Sheet> {
    let found = wb.sheet_names().into_iter().find(|n| fold(n) == fold(name));
    let Some(found) = found else {
        if required {
            problems.add(format!("thiếu trang \"{name}\"."));
        }
        return None;
    };
    match wb.worksheet_range(&found) {
        Ok(range) => Some(Sheet { name, range }),
        Err(_) => {
            problems.add(format!("không đọc được trang \"{name}\"."));
            None
        }
    }
}

/// The rows of a table sheet: the header row (row 1) matched to `cols`
/// (headers folded, diacritics optional); an unknown header is a problem
/// (its data would be lost), a missing required column too.
fn table_rows(s: &Sheet, cols: &'static [Col], problems: &mut Problems) -> Vec<Row> {
    let header_row = 0;
    let mut map: Vec<(u32, &'static str)> = Vec::new();
    for c in 0..=s.last_col() {
        let Some(h) = cell_text(s.get(header_row, c)) else {
            continue;
        };
        let h = fold_ascii(&h);
        if h == fold_ascii(REVIEW_HEADER) {
            // A draft's notes for the person finishing it: not data.
            continue;
        }
        match cols.iter().find(|col| fold_ascii(col.header) == h) {
            Some(col) if map.iter().any(|(_, k)| *k == col.key) => {
                problems.at(
                    s.name,
                    header_row,
                    c,
                    format!("cột \"{}\" bị lặp.", col.header),
                );
            }
            Some(col) => map.push((c, col.key)),
            None => problems.at(
                s.name,
                header_row,
                c,
                format!(
                    "tiêu đề \"{}\" không phải cột nào của trang này (các cột: {}).",
                    cell_text(s.get(header_row, c)).unwrap_or_default().trim(),
                    cols.iter().map(|c| c.header).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    for col in cols.iter().filter(|c| c.required) {
        if !map.iter().any(|(_, k)| *k == col.key) {
            problems.add(format!(
                "trang {}: thiếu cột \"{}\" (dòng tiêu đề, dòng 1).",
                s.name, col.header
            ));
        }
    }
    let mut rows = Vec::new();
    for r in header_row + 1..=s.last_row() {
        let cells: BTreeMap<&'static str, (u32, Data)> = map
            .iter()
            .map(|(c, k)| (*k, (*c, s.get(r, *c).clone())))
            .collect();
        if cells.values().all(|(_, d)| cell_text(d).is_none()) {
            continue;
        }
        rows.push(Row {
            sheet: s.name,
            row: r,
            cells,
        });
    }
    rows
}

/// Read a catalogue workbook (.xlsx, .xls, .ods) without validating it.
///
/// # Errors
/// [`CatalogError::Io`] when the file cannot be opened;
/// [`CatalogError::Syntax`] with every cell problem (a missing sheet or
/// column, a required cell left blank, a number or choice that is not
/// one), each naming its sheet, row and cell.
pub fn read(path: &Path) -> Result<WorkbookCatalog, CatalogError> {
    let origin = path.display().to_string();
    if !path.is_file() {
        return Err(CatalogError::Io {
            path: origin,
            error: std::fs::File::open(path)
                .err()
                .unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not a file")),
        });
    }
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| CatalogError::Io {
        path: origin.clone(),
        error: match e {
            calamine::Error::Io(e) => e,
            other => std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("không phải bảng tính đọc được ({other})"),
            ),
        },
    })?;
    let mut problems = Problems(Vec::new());
    let mut places = Places::new();
    let mut catalog = Catalog {
        id: String::new(),
        version: String::new(),
        title: String::new(),
        percent_tolerance: super::default_tolerance(),
        unit_types: Vec::new(),
        column_sets: BTreeMap::new(),
        groups: Vec::new(),
        indicators: Vec::new(),
        rules: Vec::new(),
        plausible: Plausible::default(),
        outline: Vec::new(),
        hash: String::new(),
        text_hash: String::new(),
        index: Default::default(),
    };

    if let Some(s) = sheet(&mut wb, GENERAL, true, &mut problems) {
        read_general(&s, &mut catalog, &mut problems);
    }
    if let Some(s) = sheet(&mut wb, UNIT_TYPES, true, &mut problems) {
        for row in table_rows(&s, UNIT_TYPE_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: UNIT_TYPE_COLS,
                problems: &mut problems,
            };
            let t = UnitType {
                id: p.required("id").trim().to_string(),
                label: p.required("label"),
                aliases: row.list("aliases"),
            };
            place(&mut places, format!("loại đơn vị {}", t.id), &row);
            catalog.unit_types.push(t);
        }
    }
    if let Some(s) = sheet(&mut wb, COLUMN_SETS, true, &mut problems) {
        for row in table_rows(&s, COLUMN_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: COLUMN_COLS,
                problems: &mut problems,
            };
            let set = p.required("column_sets").trim().to_string();
            let column = Column {
                key: p.required("key").trim().to_string(),
                label: p.required("label"),
                kind: p
                    .choice("kind", Choice::ColumnKind)
                    .map(enum_of)
                    .unwrap_or_default(),
                sum_of: row.list("sum_of"),
            };
            place(&mut places, format!("bộ cột {set}"), &row);
            catalog
                .column_sets
                .entry(set)
                .or_insert_with(|| ColumnSet {
                    columns: Vec::new(),
                })
                .columns
                .push(column);
        }
    }
    if let Some(s) = sheet(&mut wb, GROUPS, true, &mut problems) {
        for row in table_rows(&s, GROUP_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: GROUP_COLS,
                problems: &mut problems,
            };
            p.required("number");
            let g = Group {
                id: p.required("id").trim().to_string(),
                number: p.whole("number", 99.0).map_or(0, |x| x as u32),
                outline_ref: p.required("ref").trim().to_string(),
                title: p.required("title"),
                columns: p.required("columns").trim().to_string(),
                kind: p
                    .choice("kind", Choice::GroupKind)
                    .map(enum_of)
                    .unwrap_or_default(),
                sheet: p.required("sheet"),
                note: row.text("note"),
            };
            place(&mut places, format!("biểu {}", g.id), &row);
            catalog.groups.push(g);
        }
    }
    if let Some(s) = sheet(&mut wb, INDICATORS, true, &mut problems) {
        for row in table_rows(&s, INDICATOR_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: INDICATOR_COLS,
                problems: &mut problems,
            };
            p.required("kind");
            let ind = Indicator {
                code: p.required("code").trim().to_string(),
                group: p.required("group").trim().to_string(),
                outline_ref: p.required("ref").trim().to_string(),
                label: p.required("label"),
                kind: p
                    .choice("kind", Choice::IndicatorKind)
                    .map_or(IndicatorKind::Count, enum_of),
                measure: row.text("measure"),
                nature: p
                    .choice("nature", Choice::Nature)
                    .map(enum_of)
                    .unwrap_or(Nature::Flow),
                applies_to: row.list("applies_to"),
                required: p.yes("required"),
                min: p.number("min"),
                max: p.number("max"),
                consolidation: p
                    .choice("consolidation", Choice::Consolidation)
                    .map(enum_of::<Consolidation>),
                weight: row.opt_text("weight"),
                numerator: row.opt_text("numerator"),
                denominator: row.opt_text("denominator"),
                computed: p.yes("computed"),
                level: p.whole("level", 9.0).map_or(0, |x| x as u8),
                hint: row.text("hint"),
                plausible_max_of: row.list("plausible_max_of"),
            };
            place(&mut places, format!("chỉ tiêu {}", ind.code), &row);
            catalog.indicators.push(ind);
        }
    }
    if let Some(s) = sheet(&mut wb, RULES, false, &mut problems) {
        for row in table_rows(&s, RULE_COLS, &mut problems) {
            if let Some(rule) = read_rule(&row, &mut problems) {
                place(&mut places, format!("quy tắc {}", rule.id()), &row);
                catalog.rules.push(rule);
            }
        }
    }
    if let Some(s) = sheet(&mut wb, OUTLINE, false, &mut problems) {
        for row in table_rows(&s, OUTLINE_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: OUTLINE_COLS,
                problems: &mut problems,
            };
            let h = super::OutlineHeading {
                outline_ref: p.required("ref").trim().to_string(),
                title: p.required("title").trim().to_string(),
            };
            catalog.outline.push(h);
        }
    }
    if let Some(s) = sheet(&mut wb, MEASURE_MAX, false, &mut problems) {
        for row in table_rows(&s, MEASURE_COLS, &mut problems) {
            let mut p = Parse {
                row: &row,
                cols: MEASURE_COLS,
                problems: &mut problems,
            };
            let measure = p.required("measure");
            let max = p.number("max");
            if max.is_none() {
                p.required("max");
            }
            if let Some(max) = max {
                if catalog
                    .plausible
                    .measure_max
                    .insert(measure.clone(), max)
                    .is_some()
                {
                    p.bad("measure", format!("đơn vị tính \"{measure}\" bị lặp."));
                }
            }
        }
    }
    if !problems.0.is_empty() {
        return Err(CatalogError::Syntax {
            path: origin,
            errors: problems.0,
        });
    }
    catalog.finish_loading(String::new());
    Ok(WorkbookCatalog { catalog, places })
}

fn read_general(s: &Sheet, c: &mut Catalog, problems: &mut Problems) {
    // Rows found by their key (column "Khóa"), else by their name.
    let key_col = (0..=s.last_col()).find(|col| {
        cell_text(s.get(0, *col)).is_some_and(|h| fold_ascii(&h) == fold_ascii("Khóa"))
    });
    let value_col = (0..=s.last_col())
        .find(|col| {
            cell_text(s.get(0, *col)).is_some_and(|h| fold_ascii(&h) == fold_ascii("Giá trị"))
        })
        .unwrap_or(1);
    for (name, key, kind, required, _) in GENERAL_ROWS {
        let row = (1..=s.last_row()).find(|r| {
            key_col.is_some_and(|k| cell_text(s.get(*r, k)).is_some_and(|t| t.trim() == *key))
                || cell_text(s.get(*r, 0)).is_some_and(|t| fold_ascii(&t) == fold_ascii(name))
        });
        let Some(r) = row else {
            if *required {
                problems.add(format!(
                    "trang {GENERAL}: thiếu dòng \"{name}\" (khóa {key})."
                ));
            }
            continue;
        };
        let d = s.get(r, value_col);
        let txt = cell_text(d);
        let Some(t) = txt else {
            if *required {
                problems.at(
                    GENERAL,
                    r,
                    value_col,
                    format!("\"{name}\" để trống: ô này bắt buộc."),
                );
            }
            continue;
        };
        let number = || match d {
            Data::Float(x) => Some(*x),
            Data::Int(i) => Some(*i as f64),
            _ => parse_number(&t),
        };
        match kind {
            Kind::Number => match number() {
                Some(x) => match *key {
                    "percent_tolerance" => c.percent_tolerance = x,
                    _ => c.plausible.count_max = x,
                },
                None => problems.at(
                    GENERAL,
                    r,
                    value_col,
                    format!("\"{name}\": \"{t}\" không phải là một số."),
                ),
            },
            Kind::Choice(ch) => match ch.parse(&t) {
                Some(v) => {
                    let sev: Severity = enum_of(v);
                    if *key == "plausible.severity" {
                        c.plausible.severity = sev;
                    } else {
                        c.plausible.derived_severity = sev;
                    }
                }
                None => problems.at(
                    GENERAL,
                    r,
                    value_col,
                    format!(
                        "\"{name}\": \"{}\" không có trong danh sách: chọn một trong {}.",
                        t.trim(),
                        ch.choices_text()
                    ),
                ),
            },
            _ => match *key {
                "id" => c.id = t.trim().to_string(),
                "version" => c.version = t.trim().to_string(),
                "title" => c.title = t,
                _ => {} // hash: recomputed
            },
        }
    }
}

fn read_rule(row: &Row, problems: &mut Problems) -> Option<Rule> {
    let mut p = Parse {
        row,
        cols: RULE_COLS,
        problems,
    };
    let id = p.required("id").trim().to_string();
    p.required("kind");
    p.required("severity");
    let kind = p.choice("kind", Choice::RuleKind);
    let severity = p
        .choice("severity", Choice::Severity)
        .map(enum_of::<Severity>);
    let label = row.text("label");
    let kind = kind?;
    let present = |k: &str| row.raw(k).is_some();
    let (needed, foreign): (&[&str], &[&str]) = if kind == "at_most" {
        (&["left", "right"], &["total", "parts"])
    } else {
        (&["total", "parts"], &["left", "right"])
    };
    let kind_name = Choice::RuleKind.name(kind);
    let mut ok = true;
    for k in needed {
        if !present(k) {
            let header = RULE_COLS[column_of(RULE_COLS, k)].header;
            p.bad(k, format!("quy tắc \"{kind_name}\" cần cột \"{header}\"."));
            ok = false;
        }
    }
    for k in foreign {
        if present(k) {
            let header = RULE_COLS[column_of(RULE_COLS, k)].header;
            p.bad(k, format!("quy tắc \"{kind_name}\" không dùng cột \"{header}\": xóa ô này hoặc đổi loại quy tắc."));
            ok = false;
        }
    }
    let severity = severity?;
    if !ok {
        return None;
    }
    let t = |k: &str| row.text(k).trim().to_string();
    Some(match kind {
        "sum" => Rule::Sum {
            id,
            total: t("total"),
            parts: row.list("parts"),
            severity,
            label,
        },
        "sum_at_most" => Rule::SumAtMost {
            id,
            total: t("total"),
            parts: row.list("parts"),
            severity,
            label,
        },
        _ => Rule::AtMost {
            id,
            left: t("left"),
            right: t("right"),
            severity,
            label,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_reads_back_by_name_and_by_toml_value() {
        for ch in Choice::LISTED {
            for (vi, toml) in ch.values() {
                assert_eq!(ch.parse(vi), Some(*toml));
                assert_eq!(ch.parse(&vi.to_uppercase()), Some(*toml));
                assert_eq!(ch.parse(toml), Some(*toml));
            }
        }
        assert_eq!(Choice::IndicatorKind.parse("so dem"), Some("count"));
        assert_eq!(Choice::Severity.parse("nghiêm trọng"), None);
    }
}
