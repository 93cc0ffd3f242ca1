//! Command-line interface (clap). Flags are English; help is Vietnamese.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

/// Help layout with Vietnamese headings (clap's own are English).
const HELP: &str = "{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "tonghop",
    version,
    about = "Tổng hợp báo cáo của cấp ủy: danh mục chỉ tiêu, biểu mẫu, nhập, kiểm tra và tổng hợp số liệu.",
    help_template = HELP,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Lệnh",
    subcommand_value_name = "LỆNH",
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop <LỆNH> [TÙY CHỌN]\n           tonghop help [LỆNH]"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// In trợ giúp.
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
    /// In phiên bản.
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tạo thư mục cho một đợt báo cáo mới (tonghop.toml có chú thích, danh sách đơn vị trống, thư mục bao-cao).
    Init(InitArgs),
    /// Xem, kiểm tra hoặc xuất danh mục chỉ tiêu.
    Catalog(CatalogArgs),
    /// Tạo biểu mẫu cho từng đơn vị của đợt báo cáo.
    Forms(FormsArgs),
    /// Đọc các báo cáo đã nộp, kiểm tra, tổng hợp và lập báo cáo lỗi.
    #[command(
        after_help = "Mã thoát: 0 khi không có lỗi, 1 khi có lỗi trong số liệu, 2 khi không chạy được (thư mục, cấu hình, dòng lệnh)."
    )]
    Consolidate(ConsolidateArgs),
    /// Kiểm tra tệp báo cáo trước khi gửi (đọc và kiểm tra như khi tổng hợp, không ghi tệp nào).
    #[command(
        after_help = "Mã thoát: 0 khi không có lỗi, 1 khi có lỗi, 2 khi không chạy được (không có tệp, cấu hình, dòng lệnh)."
    )]
    Check(CheckArgs),
    /// Sinh một đợt báo cáo giả lập N đơn vị (kiểm thử, đo hiệu năng).
    #[command(hide = true)]
    Generate(GenerateArgs),
    /// In trợ giúp của tonghop hoặc của một lệnh.
    Help(HelpArgs),
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop help [LỆNH]"
)]
pub struct HelpArgs {
    /// Lệnh cần xem trợ giúp (catalog, forms, consolidate); không ghi: trợ giúp chung.
    #[arg(help_heading = "Tham số", value_name = "LỆNH")]
    pub command: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop init [--catalog TỆP] <THƯ_MỤC>"
)]
pub struct InitArgs {
    /// Thư mục đợt báo cáo sẽ tạo (không ghi đè tệp đã có).
    #[arg(help_heading = "Tham số", value_name = "THƯ_MỤC")]
    pub dir: PathBuf,
    /// Danh mục của đợt (TOML hoặc bảng tính): chép vào thư mục đợt và ghi vào tonghop.toml; mặc định danh mục Đề án 241 có sẵn.
    #[arg(long, value_name = "TỆP")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Cây đề cương dễ đọc.
    Tree,
    /// JSON.
    Json,
    /// TOML (định dạng tệp danh mục).
    Toml,
    /// Bảng tính Excel sửa được (cần --out).
    Xlsx,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop catalog [TÙY CHỌN]\n           tonghop catalog --from-outline <ĐỀ_CƯƠNG> [--out danh-muc.xlsx]",
    after_help = "Bản nháp từ đề cương: các đề mục đánh số (I., 1., 1.1. …) thành mục đề cương và biểu; chỗ hỏi \"số …\", \"số lượng\", \"tỷ lệ %\" thành chỉ tiêu số (tỷ lệ kèm tử số và mẫu số); chỗ hỏi đánh giá, thuận lợi, khó khăn, hạn chế, nguyên nhân, giải pháp, kiến nghị thành dòng thuyết minh; \"so sánh … trước khi …\" chọn bộ cột trước/sau, \"giai đoạn 2016 - 2020\" các cột năm. Sửa bản nháp trong Excel theo cột \"Cần xem lại\", rồi kiểm tra bằng tonghop catalog --check danh-muc.xlsx."
)]
pub struct CatalogArgs {
    /// Tệp danh mục (TOML, bảng tính .xlsx/.ods như --format xlsx xuất ra, hoặc JSON); mặc định dùng danh mục Đề án 241 có sẵn.
    #[arg(long, value_name = "TỆP")]
    pub catalog: Option<PathBuf>,
    /// Kiểm tra một tệp danh mục và liệt kê mọi lỗi (mã thoát 1 nếu có lỗi).
    #[arg(long, value_name = "TỆP", conflicts_with = "catalog")]
    pub check: Option<PathBuf>,
    /// Lập bản nháp danh mục từ đề cương báo cáo (.docx hoặc .txt): ghi ra bảng tính danh mục (mặc định danh-muc.xlsx cạnh tệp đề cương, không ghi đè tệp đã có), mỗi phỏng đoán ghi ở cột "Cần xem lại".
    #[arg(long, value_name = "ĐỀ_CƯƠNG", conflicts_with_all = ["catalog", "check"])]
    pub from_outline: Option<PathBuf>,
    /// Định dạng in ra: tree (cây đề cương, mặc định), json, toml hoặc xlsx (ba định dạng sau đọc lại được bằng --catalog).
    #[arg(
        long,
        value_enum,
        value_name = "ĐỊNH_DẠNG",
        default_value = "tree",
        hide_possible_values = true,
        hide_default_value = true
    )]
    pub format: CatalogFormat,
    /// Ghi ra tệp này thay vì in ra màn hình (bắt buộc với --format xlsx; với --from-outline: bảng tính .xlsx sẽ ghi).
    #[arg(long, value_name = "TỆP")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop forms [TÙY CHỌN] <ĐỢT>"
)]
pub struct FormsArgs {
    /// Thư mục đợt báo cáo (chứa tonghop.toml), hoặc chính tệp tonghop.toml.
    #[arg(help_heading = "Tham số", value_name = "ĐỢT")]
    pub round: PathBuf,
    /// Thư mục ghi biểu mẫu (mặc định: <thư mục kết quả>/bieu-mau).
    #[arg(long, value_name = "THƯ_MỤC")]
    pub out: Option<PathBuf>,
    /// Tệp danh mục thay cho danh mục của đợt báo cáo.
    #[arg(long, value_name = "TỆP")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop consolidate [TÙY CHỌN] <ĐỢT>"
)]
pub struct ConsolidateArgs {
    /// Thư mục đợt báo cáo (chứa tonghop.toml), hoặc chính tệp tonghop.toml.
    #[arg(help_heading = "Tham số", value_name = "ĐỢT")]
    pub round: PathBuf,
    /// Thư mục ghi kết quả (mặc định: thư mục kết quả trong tonghop.toml).
    #[arg(long, value_name = "THƯ_MỤC")]
    pub out: Option<PathBuf>,
    /// Tệp danh mục thay cho danh mục của đợt báo cáo.
    #[arg(long, value_name = "TỆP")]
    pub catalog: Option<PathBuf>,
    /// In tóm tắt dạng JSON.
    #[arg(long)]
    pub json: bool,
    /// Không in thanh tiến độ.
    #[arg(long, short)]
    pub quiet: bool,
    /// Ngày chạy (YYYY-MM-DD) để tính số ngày còn lại / quá hạn trong danh sách đôn đốc (mặc định: hôm nay).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop check [TÙY CHỌN] <TỆP>..."
)]
pub struct CheckArgs {
    /// Các tệp báo cáo cần kiểm tra.
    #[arg(help_heading = "Tham số", required = true, value_name = "TỆP")]
    pub files: Vec<PathBuf>,
    /// Thư mục đợt báo cáo (chứa tonghop.toml); bỏ trống: dùng danh mục có sẵn và trang ẩn của tệp.
    #[arg(long, value_name = "ĐỢT")]
    pub round: Option<PathBuf>,
    /// Tệp danh mục thay cho danh mục có sẵn (hoặc của đợt báo cáo).
    #[arg(long, value_name = "TỆP")]
    pub catalog: Option<PathBuf>,
    /// In kết quả dạng JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    help_template = HELP,
    next_help_heading = "Tùy chọn",
    override_usage = "tonghop generate [TÙY CHỌN] <THƯ_MỤC>"
)]
pub struct GenerateArgs {
    /// Thư mục đợt báo cáo sẽ tạo.
    #[arg(help_heading = "Tham số", value_name = "THƯ_MỤC")]
    pub out: PathBuf,
    /// Số đơn vị (mặc định 100).
    #[arg(
        long,
        default_value_t = 100,
        hide_default_value = true,
        value_name = "SỐ"
    )]
    pub units: usize,
    /// Tỷ lệ báo cáo có lỗi, 0–1 (mặc định 0,1).
    #[arg(
        long,
        default_value_t = 0.1,
        hide_default_value = true,
        value_name = "TỶ_LỆ"
    )]
    pub error_rate: f64,
    /// Hạt giống ngẫu nhiên (mặc định 241).
    #[arg(
        long,
        default_value_t = 241,
        hide_default_value = true,
        value_name = "SỐ"
    )]
    pub seed: u64,
}
