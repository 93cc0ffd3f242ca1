#!/usr/bin/env python3
"""Rebuild samples/bao-cao: the returned workbooks of the sample round.

Needs: the release binary, LibreOffice (soffice) and openpyxl.
    cargo build --release && python3 scripts/make_samples.py

Every return is first written by `tonghop generate` (plausible values, a
quarter of them with one seeded error each), then some are turned into what
real units send: re-saved by LibreOffice as .xlsx/.ods/.xls, edited with
another writer (openpyxl: rows inserted, sheets reordered, numbers typed as
text), renamed, sent twice, sent late, from an unknown unit, or not a
spreadsheet at all. Save times are fixed so the round is reproducible.
"""
import glob, io, os, re, shutil, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")
RET = os.path.join(SAMPLES, "bao-cao")
BIN = os.path.join(ROOT, "target", "release", "tonghop")


def path_of(code):
    return glob.glob(os.path.join(RET, code.lower() + "-*.xlsx"))[0]


def set_saved(path, stamp):
    """Set the workbook's own last-saved time (core.xml / meta.xml)."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode() + b"Z", data)
            if item.filename == "meta.xml":
                data = re.sub(rb"(<dc:date>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            zout.writestr(item, data, compress_type=zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    os.replace(tmp, path)


def soffice(src, fmt, dest):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", d, src],
                       check=True, capture_output=True)
        out = glob.glob(os.path.join(d, "*"))[0]
        shutil.move(out, dest)


def seed_draft(draft):
    """The early draft of a unit that sent again differs from its final
    return: a figure corrected later, one added later, a narrative answer
    completed later (the sheet "Thay đổi khi nộp lại")."""
    import openpyxl
    wb = openpyxl.load_workbook(draft)
    for sheet, code, col, value in [
        ("Biểu 01", "01.01", 5, 170),
        ("Biểu 03", "03.09", 8, None),
        ("Thuyết minh", "15.21", 5, "Đảng bộ phường Đoàn Kết đã tổ chức đấu tranh phản bác quan điểm sai trái (bản nháp)."),
    ]:
        ws = wb[sheet]
        for row in ws.iter_rows(min_row=1, max_row=80):
            if row[2].value == code:
                ws.cell(row[0].row, col).value = value
    wb.save(draft)


def other_round(src, dest):
    """The return `src` as if filled on the form of last round."""
    import openpyxl
    wb = openpyxl.load_workbook(src)
    for row in wb["_tonghop"].iter_rows():
        if row[0].value == "round_id":
            row[1].value = "241-2020-TPLC"
    wb.save(dest)
    set_saved(dest, "2021-06-18T02:00:00")


def main():
    shutil.rmtree(RET, ignore_errors=True)
    subprocess.run([BIN, "generate", SAMPLES, "--error-rate", "0.25"], check=True)
    import openpyxl

    # Units that never returned.
    for code in ["CB-BENHVIEN", "CB-QLDT"]:
        os.remove(path_of(code))
    # A unit that filled last round's form: rejected, the unit known from
    # the hidden sheet (its feedback workbook says what to send instead).
    src = path_of("CB-NOIVU")
    other_round(src, os.path.join(RET, "Noi vu - bao cao.xlsx"))
    os.remove(src)
    # Real client files: LibreOffice re-saves (xlsx, ods, xls), renamed.
    src = path_of("P-QUYETTIEN")
    soffice(src, "xlsx", os.path.join(RET, "Quyet Tien - bao cao 241 (LibreOffice).xlsx"))
    os.remove(src)
    set_saved(os.path.join(RET, "Quyet Tien - bao cao 241 (LibreOffice).xlsx"), "2021-06-14T02:30:00")
    src = path_of("CB-MTTQ")
    soffice(src, "ods", os.path.join(RET, "MTTQ_TongKet_DeAn241.ods"))
    os.remove(src)
    set_saved(os.path.join(RET, "MTTQ_TongKet_DeAn241.ods"), "2021-06-16T15:10:00")
    src = path_of("CB-GDDT")
    os.makedirs(os.path.join(RET, "email-18-6"), exist_ok=True)
    soffice(src, "xls", os.path.join(RET, "email-18-6", "phong GD-DT.xls"))
    os.remove(src)
    # Another writer: rows inserted, sheets reordered, numbers typed as text.
    src = path_of("P-TANPHONG")
    wb = openpyxl.load_workbook(src)
    ws = wb["Biểu 02"]
    ws.insert_rows(12, 2)
    ws.cell(12, 2, "(dòng đơn vị tự thêm: ghi chú)")
    wb.move_sheet("Biểu 05", offset=-4)
    b01 = wb["Biểu 01"]
    for row in b01.iter_rows(min_row=1, max_row=40):
        if row[2].value == "01.04":
            row[4].value = "{:,}".format(int(row[4].value)).replace(",", ".")
        if row[2].value == "01.05":
            row[4].value = "{:,}".format(int(row[4].value)).replace(",", " ")
    b05 = wb["Biểu 05"]
    for row in b05.iter_rows(min_row=1, max_row=60):
        if row[2].value == "05.14":
            row[5].value = "{}%".format(str(row[5].value).replace(".", ","))
    dest = os.path.join(RET, "TanPhong_sua_dong.xlsx")
    wb.save(dest)
    os.remove(src)
    set_saved(dest, "2021-06-19T01:00:00")
    # A late return.
    set_saved(path_of("X-SANTHANG"), "2021-06-24T03:00:00")
    # Two returns of one unit: an early draft and the final one.
    final = path_of("P-DOANKET")
    draft = os.path.join(RET, "Doan Ket ban nhap.xlsx")
    shutil.copy(final, draft)
    seed_draft(draft)
    set_saved(draft, "2021-06-05T01:00:00")
    set_saved(final, "2021-06-17T08:00:00")
    # A return from a unit not in the list.
    wb = openpyxl.load_workbook(path_of("CB-TCKH"))
    meta = wb["_tonghop"]
    for row in meta.iter_rows():
        if row[0].value == "unit_code":
            row[1].value = "CB-KHOBAC"
        if row[0].value == "unit_name":
            row[1].value = "Chi bộ Kho bạc Nhà nước thành phố"
    dest = os.path.join(RET, "kho-bac.xlsx")
    wb.save(dest)
    set_saved(dest, "2021-06-15T03:00:00")
    # Files that are not spreadsheets.
    with open(os.path.join(RET, "Bao cao thuyet minh.xls"), "w", encoding="utf-8") as f:
        f.write("<html><body><table><tr><td>Báo cáo thuyết minh</td></tr></table></body></html>")
    with open(os.path.join(RET, "ghi-chu.txt"), "w", encoding="utf-8") as f:
        f.write("Đồng chí Ban Tuyên giáo: đơn vị gửi bản giấy sau.\n")


if __name__ == "__main__":
    sys.exit(main())
