//! Findings (lỗi / cảnh báo): every problem in the data, from an unreadable
//! file to a percentage off by 3 points, passes through [`Finding`] so that
//! reports, snapshots and the terminal summary agree.

use serde::Serialize;

pub use crate::catalog::Severity;
use crate::cell::CellRef;

/// One finding, as written in `bao-cao-loi.xlsx` / `.csv` / `.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Mã đơn vị ("" when the file's unit is unknown).
    pub unit: String,
    pub unit_name: String,
    /// File path relative to the returns folder.
    pub file: String,
    pub sheet: String,
    /// Cell(s), e.g. "E14" or "E14, E15, E16".
    pub cell: String,
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
    /// Position of the first cell, for sorting.
    #[serde(skip)]
    pub position: Option<CellRef>,
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
            cell: String::new(),
            code: String::new(),
            indicator: String::new(),
            rule: rule.to_string(),
            found: String::new(),
            expected: String::new(),
            message,
            position: None,
        }
    }

    fn sort_key(&self) -> (&str, &str, &str, u32, u16, &str, &str) {
        let (r, c) = self.position.map_or((0, 0), |p| (p.row, p.col));
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

/// The cells a finding names, first one its position.
pub fn cells_of(f: &Finding) -> impl Iterator<Item = CellRef> + '_ {
    f.cell.split(", ").filter_map(CellRef::parse)
}

/// Sort findings by unit, file, sheet, row, column, rule (stable output).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Built-in check names used in the `rule` field.
pub mod rules {
    pub const FILE: &str = "tệp";
    pub const UNIT: &str = "đơn vị";
    pub const CONVERSION: &str = "chuyển đổi";
    pub const UNREADABLE: &str = "giá trị không đọc được";
    pub const ERROR_CELL: &str = "ô lỗi";
    pub const STALE_CACHE: &str = "ô công thức";
    pub const RATIO: &str = "tỷ lệ";
    pub const NUMERATOR: &str = "tử số ≤ mẫu số";
    pub const BOUNDS: &str = "giới hạn";
    pub const PLAUSIBLE: &str = "giới hạn hợp lý";
    pub const REQUIRED: &str = "bắt buộc";
    pub const NOT_APPLICABLE: &str = "không áp dụng";
    pub const MISSING_ROW: &str = "thiếu dòng";
}
