//! `tonghop init DIR`: a new round folder, ready to be filled in by an
//! Excel user: a `tonghop.toml` whose every setting is explained in
//! Vietnamese comments (the sample round's values as examples), an empty
//! units list `don-vi.xlsx` (the headers the reader of
//! [`crate::round::load_units`] matches, a drop-down of the catalogue's
//! unit types on `Loại`, a sheet explaining each column) and the returns
//! folder `bao-cao/`. Nothing that exists is ever overwritten.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Formula, Workbook};

use crate::catalog::Catalog;
use crate::form::FONT;
use crate::print::{Layout, Orientation};
use crate::round::SETTINGS_FILE;

/// File name of the units list `init` writes.
pub const UNITS_FILE: &str = "don-vi.xlsx";

/// Folder of returned workbooks `init` creates.
pub const RETURNS_DIR: &str = "bao-cao";

/// Name of the units list's data sheet (the first: the one the reader reads).
pub const UNITS_SHEET: &str = "Danh sách đơn vị";

/// Name of the units list's guide sheet.
pub const UNITS_GUIDE_SHEET: &str = "Hướng dẫn";

/// Name of the units list's sheet of unit types (the `Loại` drop-down's source).
pub const UNIT_TYPES_SHEET: &str = "Loại đơn vị";

/// Rows of the units list given the `Loại` drop-down (header excluded).
const UNITS_ROWS: u32 = 2000;

/// Why a round folder could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Some of the files `init` writes exist already: nothing is written.
    #[error("{dir}: đã có {} nên không tạo đợt báo cáo mới (không ghi đè tệp đã có; hãy chọn một thư mục khác hoặc xóa/đổi tên các mục này trước).", .existing.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", "))]
    Exists { dir: String, existing: Vec<String> },
    #[error("không ghi được {path}: {}", crate::text::io_error_vi(.error))]
    Io {
        path: String,
        /// Not a `source`: its text is the system's English.
        error: std::io::Error,
    },
    #[error("không tạo được bảng tính {path} (lỗi của thư viện ghi Excel: {message}).")]
    Workbook { path: String, message: String },
}

/// The commented `tonghop.toml` of a new round: every setting of
/// [`crate::round::Settings`] with a Vietnamese comment, the sample
/// round's values as examples (so the file reads as it is), the optional
/// ones (`issuing_body`, `catalog`, `[cap_tren]`, `[[files]]`) commented
/// out; `catalog` set to `catalog_file` when given (a file name in the
/// round folder).
pub fn settings_text(catalog_file: Option<&str>) -> String {
    let text = SETTINGS_TEMPLATE
        .replace("{UNITS}", UNITS_FILE)
        .replace("{RETURNS}", RETURNS_DIR);
    match catalog_file {
        Some(name) => text.replace(
            "# catalog = \"danh-muc.xlsx\"",
            &format!("catalog = {}", toml::Value::String(name.to_string())),
        ),
        None => text,
    }
}

const SETTINGS_TEMPLATE: &str = r#"# Cấu hình đợt báo cáo (tonghop.toml), do "tonghop init" tạo.
# Mỗi dòng "khóa = "giá trị"" là một thiết lập; dòng bắt đầu bằng # là ghi chú,
# chương trình bỏ qua. Các giá trị dưới đây là ví dụ của đợt mẫu (tổng kết
# Đề án 241 của Đảng bộ thành phố Lai Châu): hãy sửa cho đợt của mình, giữ
# nguyên tên khóa và dấu ngoặc kép. Lưu tệp dạng UTF-8 (Notepad: "UTF-8").

# Tên đợt báo cáo, in trên đầu mọi biểu mẫu và bảng tổng hợp.
title = "Tổng kết thực hiện Đề án 241 giai đoạn 2016 - 2020"

# Mã đợt báo cáo: ghi vào mọi biểu mẫu và kiểm tra trên mọi báo cáo nộp về
# (báo cáo của đợt khác bị từ chối). Mỗi đợt một mã riêng, không dấu cách.
round_id = "241-2021-TPLC"

# Cấp ủy tổng hợp (đơn vị của mình) và mã của nó trong gui-cap-tren.xlsx.
committee = "Đảng bộ thành phố Lai Châu"
committee_code = "TP-LAICHAU"

# Cấp trên trực tiếp, in phía trên tên cấp ủy ở đầu các văn bản.
parent = "Đảng bộ tỉnh Lai Châu"

# (Không bắt buộc) Tên cơ quan ban hành văn bản của cấp ủy. Bỏ trống thì suy
# ra từ committee: "Đảng bộ thành phố X" → "Thành ủy X", "Đảng bộ huyện X" →
# "Huyện ủy X", "Đảng bộ X" khác → "Đảng ủy X".
# issuing_body = "Thành ủy Lai Châu"

# Kế hoạch (văn bản) yêu cầu báo cáo: số hiệu, ngày, cơ quan ban hành.
plan_number = "24-KH/ThU"
plan_date = "27/4/2021"
issuer = "Ban Thường vụ Thành ủy Lai Châu"

# Kỳ báo cáo, in trên biểu mẫu.
period = "Giai đoạn 2016 - 2020; số liệu thời điểm tính đến 31/12/2020"

# Hạn nộp, dạng "2021-06-20" hoặc "20/6/2021": báo cáo lưu sau hết ngày này
# (giờ Việt Nam) là trễ hạn.
deadline = "2021-06-20"

# Nơi nhận báo cáo (in trên trang "Hướng dẫn" của biểu mẫu).
send_to = "Ban Thường vụ Thành ủy (qua Ban Tuyên giáo Thành ủy Lai Châu), bản giấy và tệp điện tử"

# Địa danh ghi ở dòng ngày tháng ("Lai Châu, ngày ... tháng ... năm ...").
place = "Lai Châu"

# (Không bắt buộc) Người ký dự thảo báo cáo tổng hợp (bao-cao-tong-hop.docx)
# thay mặt Ban Thường vụ: chức vụ và họ tên. Bỏ trống thì để dòng chấm để điền.
# signer_title = "Phó Bí thư"
# signer_name = "Vàng Thị Chính"

# Danh sách đơn vị báo cáo (.xlsx, .xls, .ods hoặc .csv), tính từ thư mục này.
units = "{UNITS}"

# Thư mục chứa các báo cáo đơn vị nộp về (tên tệp tùy ý, được có thư mục con).
returns = "{RETURNS}"

# Thư mục ghi kết quả (biểu mẫu, tổng hợp, báo cáo lỗi); không đọc lại làm báo cáo.
output = "ket-qua"

# (Không bắt buộc) Tệp danh mục chỉ tiêu (.toml hoặc .xlsx do
# "tonghop catalog --format xlsx --out danh-muc.xlsx" tạo ra rồi sửa).
# Bỏ trống: dùng danh mục Đề án 241 có sẵn.
# catalog = "danh-muc.xlsx"

# (Không bắt buộc) Đợt báo cáo của cấp trên: ghi trên gui-cap-tren.xlsx (báo
# cáo của cấp ủy gửi cấp trên). Bỏ dấu # ở các dòng dưới để dùng.
# [cap_tren]
# round_id = "241-2021-TINH"          # mã đợt của cấp trên
# plan_number = "26-KH/TU"
# plan_date = "07/4/2021"
# issuer = "Ban Thường vụ Tỉnh ủy Lai Châu"
# send_to = "Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh ủy Lai Châu)"
# deadline = "2021-07-20"             # không bắt buộc

# (Không bắt buộc, để cuối tệp) Quyết định về từng tệp báo cáo nộp về, mỗi tệp
# một mục [[files]]:
# [[files]]
# file = "email-18-6/Doan Ket ban nhap.xlsx"  # đường dẫn trong thư mục báo cáo, hoặc tên tệp
# unit = "P-DOANKET"        # báo cáo của đơn vị nào
# use = true                # dùng tệp này làm báo cáo của đơn vị
# exclude = true            # hoặc: không tổng hợp tệp này
# received = "18/6/2021"    # ngày nhận (qua thư điện tử, Zalo, bản giấy): quyết định đúng hạn / trễ hạn
# note = "nhận qua Zalo"    # ghi chú, in trên trang "Tình hình nộp"
"#;

/// One column of the units list: header (as the reader matches it),
/// whether it must be filled, what it holds, an example.
const UNIT_COLUMNS: [(&str, bool, &str, &str); 8] = [
    (
        "Mã đơn vị",
        true,
        "Mã riêng của đơn vị, không trùng, không dấu cách; ghi trên biểu mẫu và dùng để nhận ra báo cáo nộp về.",
        "P-TANPHONG",
    ),
    (
        "Tên đơn vị",
        true,
        "Tên đầy đủ của tổ chức đảng, in ở đầu biểu mẫu của đơn vị.",
        "Đảng bộ phường Tân Phong",
    ),
    (
        "Loại",
        true,
        "Loại đơn vị: chọn trong danh sách thả xuống (các loại của danh mục chỉ tiêu, trang Loại đơn vị); quyết định các chỉ tiêu đơn vị phải báo cáo.",
        "Đảng bộ xã, phường",
    ),
    (
        "Khối",
        true,
        "Khối của đơn vị: các đơn vị cùng khối được cộng chung một dòng tổng của khối trong bảng tổng hợp.",
        "Khối xã, phường",
    ),
    (
        "Đơn vị cấp trên",
        false,
        "Không bắt buộc: cấp ủy cấp trên trực tiếp của đơn vị; bỏ trống thì là cấp ủy tổng hợp (committee trong tonghop.toml).",
        "Đảng bộ thành phố Lai Châu",
    ),
    (
        "Người liên hệ",
        false,
        "Không bắt buộc: người phụ trách báo cáo của đơn vị, in trên trang \"Đôn đốc\" để nhắc nộp hoặc sửa.",
        "Lò Thị Hoa",
    ),
    (
        "Điện thoại",
        false,
        "Không bắt buộc: số điện thoại (Zalo) của người liên hệ; ghi dạng văn bản để giữ số 0 đầu.",
        "0912 345 601",
    ),
    (
        "Email",
        false,
        "Không bắt buộc: thư điện tử của người liên hệ hoặc của đơn vị.",
        "tuyengiao.tanphong@example.vn",
    ),
];

/// The empty units list: sheet [`UNITS_SHEET`] with the headers (bold,
/// frozen, repeated on printed pages) and a drop-down of the catalogue's
/// unit type labels on `Loại` for [`UNITS_ROWS`] rows; sheet
/// [`UNITS_GUIDE_SHEET`] explaining each column; sheet
/// [`UNIT_TYPES_SHEET`] listing the unit types (the drop-down's source).
///
/// # Errors
/// The workbook writer's, as text.
pub fn units_workbook(catalog: &Catalog) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let base = Format::new().set_font_name(FONT).set_font_size(12);
    let header = base
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("D9E1F2");
    let cell = base
        .clone()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let title = base.clone().set_bold().set_font_size(14);

    let ws = wb.add_worksheet();
    ws.set_name(UNITS_SHEET)?;
    let mut layout = Layout::new(Orientation::Landscape);
    for (i, w) in [16.0, 36.0, 24.0, 22.0, 28.0, 20.0, 14.0, 26.0]
        .into_iter()
        .enumerate()
    {
        layout.width(ws, i as u16, w)?;
    }
    // Headers exactly as the reader matches them; which are optional is
    // said on the guide sheet.
    for (i, (name, ..)) in UNIT_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *name, &header)?;
    }
    layout.height(ws, 0, 1.5 * crate::print::line_height(12.0))?;
    ws.set_freeze_panes(1, 0)?;
    layout.repeat_rows(0, 0);
    let types: Vec<&str> = catalog
        .unit_types
        .iter()
        .map(|t| t.label.as_str())
        .collect();
    // A list of strings cannot hold "Đảng bộ xã, phường" (Excel splits
    // it at the comma): the drop-down reads the unit types sheet.
    let validation = DataValidation::new()
        .allow_list_formula(Formula::new(format!(
            "='{UNIT_TYPES_SHEET}'!$A$2:$A${}",
            types.len().max(1) + 1
        )))
        .set_input_title("Loại đơn vị")?
        .set_input_message("Chọn loại đơn vị trong danh sách (trang Loại đơn vị).")?
        .set_error_title("Loại đơn vị không hợp lệ")?
        .set_error_message(truncate(
            &format!("Chỉ chọn một trong các loại: {}.", types.join("; ")),
            250,
        ))?;
    ws.add_data_validation(1, 2, UNITS_ROWS, 2, &validation)?;
    // Phone numbers typed as text keep their leading 0.
    let text_cell = cell.clone().set_num_format("@");
    for row in 1..=20u32 {
        for col in 0..UNIT_COLUMNS.len() as u16 {
            let format = if UNIT_COLUMNS[col as usize].0 == "Điện thoại" {
                &text_cell
            } else {
                &cell
            };
            ws.write_blank(row, col, format)?;
        }
    }
    layout.apply(ws, UNIT_COLUMNS.len() as u16, 20)?;

    let ws = wb.add_worksheet();
    ws.set_name(UNITS_GUIDE_SHEET)?;
    let widths = [20.0, 11.0, 62.0, 30.0];
    let mut layout = Layout::new(Orientation::Landscape);
    for (i, w) in widths.into_iter().enumerate() {
        layout.width(ws, i as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "Hướng dẫn điền danh sách đơn vị báo cáo", &title)?;
    ws.write_string_with_format(
        1,
        0,
        format!("Điền mỗi đơn vị một dòng ở trang \"{UNITS_SHEET}\", từ dòng 2; giữ nguyên dòng tiêu đề. Xong thì chạy: tonghop forms <thư mục đợt>."),
        &base,
    )?;
    for (i, h) in ["Cột", "Bắt buộc", "Nội dung", "Ví dụ"].iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &header)?;
    }
    layout.repeat_rows(3, 3);
    for (i, (name, required, what, example)) in UNIT_COLUMNS.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_string_with_format(r, 0, *name, &cell)?;
        ws.write_string_with_format(r, 1, if *required { "Có" } else { "Không" }, &cell)?;
        ws.write_string_with_format(r, 2, *what, &cell)?;
        ws.write_string_with_format(r, 3, *example, &cell)?;
        layout.height(
            ws,
            r,
            crate::print::text_height(what, widths[2], 12.0, false),
        )?;
    }
    let last = 4 + UNIT_COLUMNS.len() as u32 - 1;
    layout.apply(ws, 4, last)?;

    let ws = wb.add_worksheet();
    ws.set_name(UNIT_TYPES_SHEET)?;
    let widths = [34.0, 18.0, 60.0];
    let mut layout = Layout::new(Orientation::Landscape);
    for (i, w) in widths.into_iter().enumerate() {
        layout.width(ws, i as u16, w)?;
    }
    for (i, h) in [
        "Tên loại (ghi ở cột Loại)",
        "Mã loại",
        "Tên khác được chấp nhận",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, i as u16, *h, &header)?;
    }
    layout.repeat_rows(0, 0);
    for (i, t) in catalog.unit_types.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string_with_format(r, 0, &t.label, &cell)?;
        ws.write_string_with_format(r, 1, &t.id, &cell)?;
        let aliases = t.aliases.join("; ");
        layout.height(
            ws,
            r,
            crate::print::text_height(&aliases, widths[2], 12.0, false),
        )?;
        ws.write_string_with_format(r, 2, aliases, &cell)?;
    }
    layout.apply(ws, 3, catalog.unit_types.len() as u32)?;
    wb.save_to_buffer()
}

/// Create the round folder `dir` (and its parents): [`SETTINGS_FILE`],
/// [`UNITS_FILE`] (unit types from `catalog`) and [`RETURNS_DIR`]/, and
/// a copy of `catalog_file` (the file `catalog` was read from, named in
/// the settings) when given. Returns the paths written, in that order.
///
/// # Errors
/// [`InitError::Exists`] naming every one of them that exists (nothing
/// written then); I/O or workbook errors naming the path.
pub fn init(
    dir: &Path,
    catalog: &Catalog,
    catalog_file: Option<&Path>,
) -> Result<Vec<PathBuf>, InitError> {
    let target = catalog_file
        .and_then(|f| f.file_name())
        .map(|n| dir.join(n));
    // A catalogue already in the folder is named, not copied onto itself.
    let in_place = match (catalog_file, &target) {
        (Some(f), Some(t)) => {
            t.canonicalize().ok().is_some() && f.canonicalize().ok() == t.canonicalize().ok()
        }
        _ => false,
    };
    let name = target
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let copied = target.filter(|_| !in_place);
    let mut paths = vec![
        dir.join(SETTINGS_FILE),
        dir.join(UNITS_FILE),
        dir.join(RETURNS_DIR),
    ];
    paths.extend(copied.clone());
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists {
            dir: dir.display().to_string(),
            existing,
        });
    }
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |error| InitError::Io { path, error }
    };
    let units = units_workbook(catalog).map_err(|e| InitError::Workbook {
        path: paths[1].display().to_string(),
        message: e.to_string(),
    })?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let catalog_bytes = match catalog_file {
        Some(f) if !in_place => Some(std::fs::read(f).map_err(io(f))?),
        _ => None,
    };
    crate::atomic::write_atomic(&paths[0], settings_text(name.as_deref()).as_bytes())
        .map_err(io(&paths[0]))?;
    crate::atomic::write_atomic(&paths[1], &units).map_err(io(&paths[1]))?;
    std::fs::create_dir(&paths[2]).map_err(io(&paths[2]))?;
    if let (Some(path), Some(bytes)) = (&copied, catalog_bytes) {
        crate::atomic::write_atomic(path, &bytes).map_err(io(path))?;
    }
    Ok(paths)
}

/// At most `max` characters of `text` (Excel's limit on validation messages).
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    text.chars().take(max - 1).collect::<String>() + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the settings appears in the template (set or
    /// commented out), so none goes unexplained.
    #[test]
    fn every_setting_is_in_the_template() {
        let text = settings_text(None);
        for key in [
            "title",
            "round_id",
            "committee",
            "committee_code",
            "parent",
            "issuing_body",
            "plan_number",
            "plan_date",
            "issuer",
            "period",
            "deadline",
            "send_to",
            "place",
            "signer_title",
            "signer_name",
            "units",
            "returns",
            "output",
            "catalog",
            "[cap_tren]",
            "[[files]]",
            "file",
            "unit",
            "use",
            "exclude",
            "received",
            "note",
        ] {
            let shown = if key.starts_with('[') {
                key.to_string()
            } else {
                format!("{key} = ")
            };
            assert!(text.contains(&shown), "{key} missing from the template");
        }
    }
}
