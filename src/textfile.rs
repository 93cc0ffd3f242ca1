//! Text files as offices save them: the round settings, a catalogue file
//! or a units list written by Notepad, Excel or LibreOffice on Windows can
//! be UTF-8 (with or without BOM), UTF-16 (Notepad's "Unicode", with BOM)
//! or the Vietnamese ANSI code page Windows-1258 (Excel's plain "CSV").
//! [`decode`] turns any of them into Unicode text in NFC (Windows-1258
//! writes tone marks as combining characters) and says which it was.

use std::borrow::Cow;
use std::fmt;

/// The encoding a text file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Windows-1258 (Vietnamese ANSI), what Excel's "CSV (Comma
    /// delimited)" and Notepad's "ANSI" write on a Vietnamese Windows.
    Windows1258,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 có BOM",
            TextEncoding::Utf16Le => "UTF-16 LE (Unicode của Notepad)",
            TextEncoding::Utf16Be => "UTF-16 BE",
            TextEncoding::Windows1258 => "Windows-1258 (ANSI tiếng Việt)",
        })
    }
}

/// A decoded text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text without its BOM; NFC unless the file was UTF-8 (kept
    /// byte for byte so that a catalogue keeps its text hash).
    pub text: String,
    pub encoding: TextEncoding,
    /// Whether some bytes did not decode (shown as U+FFFD).
    pub lossy: bool,
}

/// Decode the bytes of a text file: a BOM decides (UTF-8, UTF-16 LE/BE);
/// without one, UTF-16 is recognised by its zero bytes, valid UTF-8 is
/// UTF-8, anything else is read as Windows-1258.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let encoding = if enc == encoding_rs::UTF_8 {
            TextEncoding::Utf8Bom
        } else if enc == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        let (text, lossy) = enc.decode_without_bom_handling(&bytes[bom..]);
        return finish(text, encoding, lossy);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let enc = if encoding == TextEncoding::Utf16Le {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, lossy) = enc.decode_without_bom_handling(bytes);
        return finish(text, encoding, lossy);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_string(),
            encoding: TextEncoding::Utf8,
            lossy: false,
        };
    }
    let (text, lossy) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(bytes);
    finish(text, TextEncoding::Windows1258, lossy)
}

fn finish(text: Cow<'_, str>, encoding: TextEncoding, lossy: bool) -> Decoded {
    Decoded {
        text: crate::text::nfc(&text),
        encoding,
        lossy,
    }
}

/// UTF-16 without a BOM: most characters of a Vietnamese or ASCII text
/// have a zero high byte, so a third or more of the bytes at even (BE)
/// or odd (LE) offsets are zero, which no 8-bit text has.
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let head = &bytes[..bytes.len().min(4096)];
    if head.len() < 4 {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = head.len() / 2;
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 3 >= half && even * 10 < half {
        Some(TextEncoding::Utf16Le)
    } else if even * 3 >= half && odd * 10 < half {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Read and decode a text file (see [`decode`]).
///
/// # Errors
/// The file system's error; [`std::io::ErrorKind::InvalidData`] with a
/// [`NotText`] for a file that is not text (a PDF, a zip, an image).
pub fn read(path: &std::path::Path) -> std::io::Result<Decoded> {
    let bytes = std::fs::read(path)?;
    if let Some(kind) = binary_kind(&bytes) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, kind));
    }
    Ok(decode(&bytes))
}

/// A file that is not text at all, recognised by its first bytes: read as
/// text it would give hundreds of garbled "lines". Its `Display` is the
/// Vietnamese reason ([`crate::text::io_error_vi`] shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    Pdf,
    Zip,
    OldOffice,
    Png,
    Jpeg,
    Gif,
    Rar,
}

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            NotText::Pdf => "tệp PDF",
            NotText::Zip => "tệp nén (zip, hoặc .docx/.xlsx đổi tên)",
            NotText::OldOffice => "tệp Office cũ (.doc/.xls)",
            NotText::Png => "ảnh PNG",
            NotText::Jpeg => "ảnh JPEG",
            NotText::Gif => "ảnh GIF",
            NotText::Rar => "tệp nén RAR",
        };
        write!(f, "không phải tệp văn bản mà là {kind}")
    }
}

impl std::error::Error for NotText {}

/// What a binary file is, by its signature; `None` for anything else
/// (text in any encoding [`decode`] reads).
fn binary_kind(bytes: &[u8]) -> Option<NotText> {
    const SIGNATURES: [(&[u8], NotText); 7] = [
        (b"%PDF", NotText::Pdf),
        (b"PK\x03\x04", NotText::Zip),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", NotText::OldOffice),
        (b"\x89PNG", NotText::Png),
        (b"\xFF\xD8\xFF", NotText::Jpeg),
        (b"GIF8", NotText::Gif),
        (b"Rar!", NotText::Rar),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF or a zip handed where a text file belongs is said to be one,
    /// in Vietnamese, not read as garbled text; text files still read.
    #[test]
    fn a_binary_file_is_not_read_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("danh-muc.toml");
        std::fs::write(&pdf, b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj").unwrap();
        let e = read(&pdf).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(
            crate::text::io_error_vi(&e),
            "không phải tệp văn bản mà là tệp PDF"
        );
        let zip = dir.path().join("don-vi.csv");
        std::fs::write(&zip, b"PK\x03\x04\x14\x00").unwrap();
        assert!(crate::text::io_error_vi(&read(&zip).unwrap_err()).contains("tệp nén"));
        let csv = dir.path().join("ok.csv");
        std::fs::write(&csv, TEXT).unwrap();
        assert_eq!(read(&csv).unwrap().text, TEXT);
    }

    const TEXT: &str = "Mã đơn vị,Tên đơn vị\nP-TANPHONG,Đảng ủy phường Tân Phong\n";

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    /// Bytes as Windows writes Vietnamese in code page 1258: a letter the
    /// code page has as one byte (ơ, ư, â, đ …), else the letter without
    /// its tone mark followed by the combining tone mark ("ả" = a + 0xD2).
    fn windows_1258(text: &str) -> Vec<u8> {
        use unicode_normalization::UnicodeNormalization;
        let enc = |s: &str| {
            let (b, _, unmappable) = encoding_rs::WINDOWS_1258.encode(s);
            (!unmappable).then(|| b.into_owned())
        };
        let mut out = Vec::new();
        for c in text.chars() {
            let one = c.to_string();
            if let Some(b) = enc(&one) {
                out.extend(b);
                continue;
            }
            let is_tone = |m: &char| {
                matches!(
                    *m,
                    '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'
                )
            };
            let nfd: Vec<char> = one.nfd().collect();
            let tone: String = nfd.iter().filter(|m| is_tone(m)).collect();
            let base: String = nfd
                .iter()
                .filter(|m| !is_tone(m))
                .collect::<String>()
                .nfc()
                .collect();
            out.extend(enc(&base).expect("base letter in cp1258"));
            out.extend(enc(&tone).expect("tone mark in cp1258"));
        }
        out
    }

    #[test]
    fn every_encoding_an_office_saves_reads_back() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(TEXT.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(TEXT, true));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16(TEXT, false));
        let ansi = windows_1258(TEXT);
        for (bytes, enc) in [
            (TEXT.as_bytes().to_vec(), TextEncoding::Utf8),
            (bom, TextEncoding::Utf8Bom),
            (le, TextEncoding::Utf16Le),
            (be, TextEncoding::Utf16Be),
            (utf16(TEXT, true), TextEncoding::Utf16Le),
            (ansi, TextEncoding::Windows1258),
        ] {
            let d = decode(&bytes);
            assert_eq!((d.text.as_str(), d.encoding, d.lossy), (TEXT, enc, false));
        }
    }

    #[test]
    fn windows_1258_bytes_decode_to_nfc() {
        // "Đảng" as Excel writes it in Windows-1258: Đ (0xD0), a, combining
        // hook above (0xD2), n, g.
        let d = decode(b"\xD0a\xD2ng");
        assert_eq!(d.text, "Đảng");
        assert_eq!(d.encoding, TextEncoding::Windows1258);
    }
}
