//! Findings (lỗi / cảnh báo): every problem in the data, from an unreadable
//! file to a percentage off by 3 points, passes through [`Finding`] so that
//! reports, snapshots and the terminal summary agree.

use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::catalog::Indicator;
pub use crate::catalog::Severity;
use crate::cell::CellRef;

/// One finding, as written in `bao-cao-loi.xlsx` / `.csv` / `.json`.
/// Build one with [`Finding::file`] (about a whole file) or
/// [`Finding::value`] … [`Finding::saying`] (about values of a chỉ tiêu),
/// which writes the "Ô E14 (mã số 05.14): …" prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// Mã đơn vị ("" when the file's unit is unknown).
    pub unit: String,
    pub unit_name: String,
    /// File path relative to the returns folder.
    pub file: String,
    pub sheet: String,
    /// The cells the finding is about, the first one its position (the
    /// cell the message names); empty for a finding about a file or a
    /// whole chỉ tiêu.
    pub cells: Vec<CellRef>,
    /// For a finding about a merged range: its last cell (the range runs
    /// from `cells[0]`).
    pub merged_to: Option<CellRef>,
    /// Mã số ("" for file-level findings).
    pub code: String,
    /// Chỉ tiêu label.
    pub indicator: String,
    /// Rule: a declared rule id ("R03") or a built-in check name.
    pub rule: String,
    pub found: String,
    pub expected: String,
    /// One Vietnamese sentence quoting the value.
    pub message: String,
}

impl Finding {
    /// A finding about a whole file (unreadable, rejected).
    pub fn file(severity: Severity, file: &str, rule: &str, message: String) -> Finding {
        Finding {
            severity,
            unit: String::new(),
            unit_name: String::new(),
            file: file.to_string(),
            sheet: String::new(),
            cells: Vec::new(),
            merged_to: None,
            code: String::new(),
            indicator: String::new(),
            rule: rule.to_string(),
            found: String::new(),
            expected: String::new(),
            message,
        }
    }

    /// A finding about values of chỉ tiêu `ind` under `rule`; say where
    /// with [`Finding::in_file`], [`Finding::at`], [`Finding::of_unit`],
    /// then [`Finding::saying`].
    pub fn value(severity: Severity, rule: &str, ind: &Indicator) -> Finding {
        let mut f = Finding::file(severity, "", rule, String::new());
        f.code = ind.code.clone();
        f.indicator = ind.label.clone();
        f
    }

    /// The file (relative to the returns folder) and sheet.
    pub fn in_file(mut self, file: &str, sheet: &str) -> Finding {
        self.file = file.to_string();
        self.sheet = sheet.to_string();
        self
    }

    /// The cells, the first one where the message points.
    pub fn at(mut self, cells: impl IntoIterator<Item = CellRef>) -> Finding {
        self.cells = cells.into_iter().collect();
        self
    }

    /// The unit (mã đơn vị, tên).
    pub fn of_unit(mut self, code: &str, name: &str) -> Finding {
        self.unit = code.to_string();
        self.unit_name = name.to_string();
        self
    }

    /// The value found and the value or rule expected, as printed.
    pub fn values(mut self, found: String, expected: String) -> Finding {
        self.found = found;
        self.expected = expected;
        self
    }

    /// The message, after "Ô E14 (mã số 05.14): " (or "Mã số 05.14: "
    /// when no cell is known).
    pub fn saying(mut self, message: &str) -> Finding {
        self.message = match self.position() {
            Some(cell) => format!("Ô {cell} (mã số {}): {message}", self.code),
            None => format!("Mã số {}: {message}", self.code),
        };
        self
    }

    /// The cell the finding points at.
    pub fn position(&self) -> Option<CellRef> {
        self.cells.first().copied()
    }

    /// The cells as written in the reports: "E14", "E14, E15, E16", or a
    /// merged range "E10:F12".
    pub fn cell_text(&self) -> String {
        match (self.position(), self.merged_to) {
            (Some(a), Some(b)) => crate::cell::range_name(a, b),
            _ => self
                .cells
                .iter()
                .map(CellRef::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn sort_key(&self) -> (&str, &str, &str, u32, u16, &str, &str) {
        let (r, c) = self.position().map_or((0, 0), |p| (p.row, p.col));
        (
            &self.unit,
            &self.file,
            &self.sheet,
            r,
            c,
            &self.rule,
            &self.message,
        )
    }
}

/// The JSON of `bao-cao-loi.json`: the columns of the error report, the
/// cells as one text ("E14, E15").
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Finding", 12)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("unit_name", &self.unit_name)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("sheet", &self.sheet)?;
        st.serialize_field("cell", &self.cell_text())?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("indicator", &self.indicator)?;
        st.serialize_field("rule", &self.rule)?;
        st.serialize_field("found", &self.found)?;
        st.serialize_field("expected", &self.expected)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}

/// Sort findings by unit, file, sheet, row, column, rule (stable output).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Built-in check names used in the `rule` field (the "Quy tắc" column of
/// the error report): each says what it checks. Declared rules of the
/// catalogue are named by [`crate::catalog::Rule::finding_name`] ("R01:
/// Số lượt người … phải bằng tổng số lượt người").
pub mod rules {
    pub const FILE: &str = "tệp đọc được, đúng biểu mẫu của đợt";
    pub const UNIT: &str = "tệp đúng đơn vị, đúng loại đơn vị";
    pub const CONVERSION: &str = "giá trị nhập đúng dạng (số, ngày, phông Unicode)";
    pub const UNREADABLE: &str = "giá trị đọc được thành số";
    pub const ERROR_CELL: &str = "ô không báo lỗi công thức (#DIV/0!, #VALUE!…)";
    pub const STALE_CACHE: &str = "ô công thức đã tính lại đúng";
    pub const RATIO: &str = "tỷ lệ % = tử số / mẫu số × 100";
    pub const NUMERATOR: &str = "tử số không lớn hơn mẫu số";
    pub const BOUNDS: &str = "giá trị trong giới hạn cho phép";
    pub const PLAUSIBLE: &str = "giá trị trong khoảng hợp lý";
    pub const REQUIRED: &str = "chỉ tiêu bắt buộc có số liệu";
    pub const NOT_APPLICABLE: &str = "ô không áp dụng để trống";
    pub const MISSING_ROW: &str = "đủ dòng, đủ cột của biểu mẫu";
    pub const DUPLICATE_ROW: &str = "mỗi mã số chỉ ghi một lần";
    pub const DUPLICATE_SHEET: &str = "không có trang biểu sao chép";
}
