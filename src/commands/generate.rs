//! `tonghop generate OUT` (hidden): a deterministic synthetic round for
//! tests and benchmarks. When `OUT/tonghop.toml` exists its units are used
//! (this is how `samples/` was filled); otherwise a round of `--units`
//! units is created. Every unit gets a filled return with plausible values
//! that pass every rule, except a chosen fraction that carry one error kind
//! each (see [`ErrorKind`]).

use std::path::Path;

use anyhow::Context;
use chrono::Duration;

use crate::cli::GenerateArgs;
use crate::form::{build_form, FormSpec, FormUnit};
use crate::round::{Round, SETTINGS_FILE};
use crate::synthetic::{inject, plausible_fill, Rng, KINDS};

pub fn run(args: &GenerateArgs) -> anyhow::Result<u8> {
    let out = &args.out;
    if !out.join(SETTINGS_FILE).exists() {
        write_synthetic_round(out, args.units)?;
    }
    let round = Round::load(out, None)?;
    let returns = round.returns_dir();
    std::fs::create_dir_all(&returns)?;
    let stride = if args.error_rate > 0.0 {
        (1.0 / args.error_rate).round().max(1.0) as usize
    } else {
        usize::MAX
    };
    let mut errors = 0;
    for (i, unit) in round.units.iter().enumerate() {
        let mut rng = Rng::new(args.seed ^ (i as u64).wrapping_mul(0x1000_0001));
        let mut fill = plausible_fill(&round.catalog, unit, &mut rng);
        let kind =
            (stride != usize::MAX && i % stride == 1).then(|| KINDS[(i / stride) % KINDS.len()]);
        if let Some(k) = kind {
            inject(&round.catalog, unit, &mut fill, k);
            errors += 1;
        }
        let saved = round
            .settings
            .deadline
            .and_hms_opt(9, 0, 0)
            .expect("valid time")
            - Duration::days(rng.range(1, 12) as i64)
            + Duration::minutes(rng.range(0, 480) as i64);
        let spec = FormSpec {
            catalog: &round.catalog,
            settings: &round.settings,
            unit: FormUnit::Unit(unit),
            fill: Some(&fill),
            deadline_note: None,
            saved_at: saved,
        };
        let mut wb = build_form(&spec)?;
        let path = returns.join(crate::form::form_file_name(unit));
        crate::atomic::save_workbook(&mut wb, &path)?;
    }
    super::print_out(&format!(
        "Đã tạo {} báo cáo ({} có lỗi cài sẵn) trong {}.\n",
        round.units.len(),
        errors,
        returns.display()
    ))?;
    Ok(0)
}

fn write_synthetic_round(out: &Path, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("không tạo được {}", out.display()))?;
    let settings = format!(
        r#"title = "Đợt báo cáo giả lập {n} đơn vị"
round_id = "GIA-LAP-{n}"
committee = "Đảng bộ giả lập"
committee_code = "GIA-LAP"
parent = "Đảng bộ cấp trên giả lập"
plan_number = "24-KH/ThU"
plan_date = "27/4/2021"
issuer = "Ban Thường vụ Thành ủy Lai Châu"
period = "Giai đoạn 2016 - 2020; số liệu thời điểm tính đến 31/12/2020"
deadline = "2021-06-20"
send_to = "Ban Tuyên giáo"
place = "Lai Châu"
units = "don-vi.csv"
"#
    );
    crate::atomic::write_atomic(&out.join(SETTINGS_FILE), settings.as_bytes())?;
    let mut csv = String::from("Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\n");
    for i in 0..n {
        let (kind, block) = match i % 10 {
            0 | 1 => ("Đảng bộ xã, phường", "Khối xã, phường"),
            2 => ("Đảng bộ cơ sở", "Khối lực lượng vũ trang"),
            3..=6 => ("Chi bộ cơ sở", "Khối Đảng - đoàn thể"),
            _ => ("Chi bộ cơ sở", "Khối chính quyền"),
        };
        csv.push_str(&format!(
            "DV{i:05},Đơn vị số {i},{kind},{block},Đảng bộ giả lập\n"
        ));
    }
    crate::atomic::write_atomic(&out.join("don-vi.csv"), csv.as_bytes())?;
    Ok(())
}
