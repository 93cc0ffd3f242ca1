//! The chase list (đôn đốc): one row per unit that has not sent, sent a
//! blank form or a file that could not be read, sent late, or sent a
//! return with lỗi, with its contact (the optional columns of the units
//! list) and a message ready to paste into Zalo or an e-mail, in the tone
//! of an official office. Written as the sheet "Đôn đốc" of
//! `tong-hop.xlsx` and as `don-doc.csv`.

use chrono::NaiveDate;
use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::form::Styles;
use crate::print::{self, Layout, Orientation};
use crate::report::phan_hoi::{self, Feedback};
use crate::report::{Status, Submission};
use crate::round::{OrgUnit, Round};

/// File name of the chase list beside the workbook.
pub const CSV_FILE: &str = "don-doc.csv";
/// Sheet name in `tong-hop.xlsx`.
pub const SHEET: &str = "Đôn đốc";

/// Why a unit is chased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Nothing came back.
    Missing,
    /// Only files that could not be used: unreadable, of another round or
    /// catalogue (counted lỗi).
    Unreadable { errors: usize },
    /// A blank form came back.
    Blank,
    /// A return with lỗi (and cảnh báo), maybe sent late.
    Errors {
        errors: usize,
        warnings: usize,
        late: bool,
    },
    /// A return without lỗi, sent after the deadline (days late).
    Late { days: i64 },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Missing => write!(f, "Chưa nộp"),
            Reason::Unreadable { .. } => write!(f, "Tệp gửi về không dùng được"),
            Reason::Blank => write!(f, "Nộp biểu trống"),
            Reason::Errors {
                errors,
                warnings,
                late,
            } => {
                write!(f, "Có {errors} lỗi cần sửa")?;
                if *warnings > 0 {
                    write!(f, ", {warnings} cảnh báo")?;
                }
                if *late {
                    write!(f, "; nộp trễ hạn")?;
                }
                Ok(())
            }
            Reason::Late { days } => write!(f, "Nộp trễ hạn {days} ngày"),
        }
    }
}

/// One row of the chase list.
#[derive(Debug, Clone)]
pub struct Chase<'a> {
    pub unit: &'a OrgUnit,
    pub reason: Reason,
    /// Days from the run date to the deadline: positive left, negative
    /// overdue.
    pub days_left: i64,
    /// The unit's feedback workbook in `phan-hoi/`, if it has one.
    pub feedback: Option<String>,
    /// The message to send (Vietnamese, one paragraph).
    pub message: String,
}

impl Chase<'_> {
    /// "còn 3 ngày", "hôm nay là hạn", "quá hạn 5 ngày".
    pub fn days_text(&self) -> String {
        match self.days_left {
            0 => "hôm nay là hạn".to_string(),
            n if n > 0 => format!("còn {n} ngày"),
            n => format!("quá hạn {} ngày", -n),
        }
    }
}

/// The chase list on `today`, in units-list order.
pub fn rows<'a>(
    round: &'a Round,
    status: &'a [Status],
    feedback: &[Feedback],
    today: NaiveDate,
) -> Vec<Chase<'a>> {
    let s = &round.settings;
    let deadline = s.deadline;
    let days_left = (deadline - today).num_days();
    let feedback: std::collections::HashMap<&str, String> = feedback
        .iter()
        .map(|f| (f.unit.code.as_str(), f.file_name()))
        .collect();
    status
        .iter()
        .filter_map(|st| {
            let reason = match st.state {
                Submission::Missing if st.errors > 0 => Reason::Unreadable { errors: st.errors },
                Submission::Missing => Reason::Missing,
                Submission::BlankForm => Reason::Blank,
                Submission::Submitted if st.errors > 0 => Reason::Errors {
                    errors: st.errors,
                    warnings: st.warnings,
                    late: st.late,
                },
                Submission::Submitted if st.late => {
                    let when = st.received.or(st.saved_at.map(|t| t.date()))?;
                    Reason::Late {
                        days: (when - deadline).num_days().max(1),
                    }
                }
                Submission::Submitted => return None,
            };
            let fb = feedback
                .get(st.unit.code.as_str())
                .map(|f| format!("{}/{}", phan_hoi::FOLDER, f));
            let message = message(round, st, reason, fb.as_deref(), today);
            Some(Chase {
                unit: &st.unit,
                reason,
                days_left,
                feedback: fb,
                message,
            })
        })
        .collect()
}

/// The message to a unit: who, what is missing or what to fix with
/// counts, the deadline, where to send.
fn message(
    round: &Round,
    st: &Status,
    reason: Reason,
    feedback: Option<&str>,
    today: NaiveDate,
) -> String {
    let s = &round.settings;
    let who = if st.unit.contact.person.is_empty() {
        format!("Kính gửi {}.", st.unit.name)
    } else {
        format!(
            "Kính gửi {} (đồng chí {}).",
            st.unit.name, st.unit.contact.person
        )
    };
    let report = format!(
        "báo cáo {} (Kế hoạch số {} ngày {} của {})",
        s.title, s.plan_number, s.plan_date, s.issuer
    );
    let date = today.format("%d/%m/%Y");
    let when = phan_hoi::deadline_text(s.deadline, today);
    let attached = |what: &str| match feedback {
        Some(f) => format!(" Gửi kèm tệp {f}: {what}"),
        None => String::new(),
    };
    let sent = match (&st.file, st.when()) {
        (Some(f), w) if !w.is_empty() => format!("đơn vị gửi ngày {w} (tệp {f})"),
        (Some(f), _) => format!("đơn vị gửi (tệp {f})"),
        (None, _) => "đơn vị gửi".to_string(),
    };
    let body = match reason {
        Reason::Missing => format!(
            "Đến ngày {date}, {} chưa nhận được {report} của đơn vị. Đề nghị đơn vị hoàn thành biểu mẫu và gửi {when}, về {}.",
            s.committee, s.send_to
        ),
        Reason::Unreadable { errors } => format!(
            "Đến ngày {date}, tệp đơn vị gửi {report} không tổng hợp được ({errors} lỗi).{} Đề nghị đơn vị gửi lại {when}, về {}.",
            attached("biểu mẫu của đơn vị, trang \"Cần sửa\" nói rõ lý do."),
            s.send_to
        ),
        Reason::Blank => format!(
            "Biểu mẫu {report} đơn vị gửi chưa có số liệu.{} Đề nghị đơn vị điền số liệu và gửi lại {when}, về {}.",
            attached("biểu mẫu của đơn vị để điền."),
            s.send_to
        ),
        Reason::Errors { errors, warnings, .. } => format!(
            "{} {sent} còn {errors} lỗi cần sửa{}.{} Đề nghị đơn vị sửa và gửi lại {when}, về {}.",
            capitalize_first(&report),
            if warnings > 0 {
                format!(" và {warnings} cảnh báo cần kiểm tra")
            } else {
                String::new()
            },
            attached("số liệu đơn vị đã gửi, các ô cần sửa tô đỏ, trang \"Cần sửa\" liệt kê từng ô."),
            s.send_to
        ),
        Reason::Late { days } => format!(
            "{} {sent}, sau hạn nộp {} {days} ngày; số liệu đã được tổng hợp. Đề nghị các lần sau đơn vị gửi đúng hạn.",
            capitalize_first(&report),
            s.deadline.format("%d/%m/%Y")
        ),
    };
    format!("{who} {body} Trân trọng.")
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Column headers and widths.
const HEADERS: [(&str, f64); 10] = [
    ("STT", 5.0),
    ("Mã đơn vị", 12.0),
    ("Tên đơn vị", 24.0),
    ("Người liên hệ", 16.0),
    ("Điện thoại", 12.0),
    ("Email", 18.0),
    ("Tình trạng", 16.0),
    ("Hạn nộp", 11.0),
    ("Số ngày còn lại / quá hạn", 14.0),
    ("Lời nhắn (dán vào Zalo, thư điện tử)", 75.0),
];

fn fields(c: &Chase, deadline: NaiveDate) -> [String; 9] {
    [
        c.unit.code.clone(),
        c.unit.name.clone(),
        c.unit.contact.person.clone(),
        c.unit.contact.phone.clone(),
        c.unit.contact.email.clone(),
        c.reason.to_string(),
        deadline.format("%d/%m/%Y").to_string(),
        c.days_text(),
        c.message.clone(),
    ]
}

/// The sheet "Đôn đốc" (A4 landscape, fit to width, header repeated).
///
/// # Errors
/// rust_xlsxwriter errors.
pub fn sheet(
    ws: &mut Worksheet,
    round: &Round,
    rows: &[Chase],
    today: NaiveDate,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET)?;
    let last = HEADERS.len() as u16 - 1;
    let deadline = round.settings.deadline;
    ws.merge_range(
        0,
        0,
        0,
        last,
        &format!(
            "DANH SÁCH ĐÔN ĐỐC – ngày {} (hạn nộp {})",
            today.format("%d/%m/%Y"),
            deadline.format("%d/%m/%Y")
        ),
        &s.title,
    )?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &format!(
            "{} đơn vị cần nhắc: chưa nộp, tệp không dùng được, nộp biểu trống, còn lỗi, nộp trễ hạn. Tệp phản hồi của từng đơn vị ở thư mục {}/.",
            rows.len(),
            phan_hoi::FOLDER
        ),
        &s.italic_center,
    )?;
    for (i, (h, w)) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(3, i as u16, *h, &s.header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_row_height(3, 45)?;
    let text = s.locked_text.clone().set_font_size(11);
    let center = s.stt.clone().set_font_size(11);
    let mut row = 4;
    for (n, c) in rows.iter().enumerate() {
        ws.write_number_with_format(row, 0, (n + 1) as f64, &center)?;
        let mut height = print::line_height(11.0);
        for (i, v) in fields(c, deadline).iter().enumerate() {
            let col = i as u16 + 1;
            let fmt = if matches!(col, 7 | 8) { &center } else { &text };
            ws.write_string_with_format(row, col, v, fmt)?;
            height = f64::max(
                height,
                print::text_height(v, HEADERS[col as usize].1, 11.0, false),
            );
        }
        ws.set_row_height(row, height)?;
        row += 1;
    }
    if rows.is_empty() {
        ws.merge_range(row, 0, row, last, "(không có đơn vị nào cần nhắc)", &text)?;
    }
    ws.set_freeze_panes(4, 3)?;
    // A working table: fit to the page width, the sheet's name and page
    // numbers in the footer as on every sheet.
    let mut page = Layout::new(Orientation::Landscape);
    page.repeat_rows(3, 3);
    page.apply_fit_width(ws, HEADERS.len() as u16, row)?;
    Ok(())
}

/// `don-doc.csv`: UTF-8 with BOM, text that a spreadsheet would take as a
/// formula behind an apostrophe.
pub fn csv_bytes(rows: &[Chase], deadline: NaiveDate) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(HEADERS.iter().skip(1).map(|(h, _)| *h));
        for c in rows {
            let row: Vec<String> = fields(c, deadline)
                .iter()
                .map(|v| crate::text::csv_safe(v))
                .collect();
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
}
