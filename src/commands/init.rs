//! `tonghop init DIR`: create a new round folder (see [`crate::init`]).

use crate::catalog::Catalog;
use crate::cli::InitArgs;

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let catalog = Catalog::load_or_embedded(args.catalog.as_deref())?;
    let written = crate::init::init(&args.dir, &catalog, args.catalog.as_deref())?;
    let mut text = format!("Đã tạo đợt báo cáo mới trong {}:\n", args.dir.display());
    for p in &written {
        text.push_str(&format!("  {}\n", p.display()));
    }
    text.push_str(&format!(
        "Tiếp theo: sửa {} cho đợt của mình, điền danh sách đơn vị vào {}, rồi chạy: tonghop forms {}\n",
        crate::round::SETTINGS_FILE,
        crate::init::UNITS_FILE,
        args.dir.display()
    ));
    super::print_out(&text)?;
    Ok(0)
}
