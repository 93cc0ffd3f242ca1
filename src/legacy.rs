//! Vietnamese text typed in legacy 8-bit font encodings, TCVN3 (ABC) and
//! VNI: detection and conversion to Unicode NFC.
//!
//! A spreadsheet cell typed with a `.VnTime` or `VNI-Times` font holds the
//! legacy bytes read as Latin-1 / Windows-1252 characters: TCVN3
//! "§¶ng bé" and VNI "Ñaûng boä" both mean "Đảng bộ".
//!
//! # Tables
//!
//! * **TCVN3 (ABC)**: TCVN 5712:1993, code table VN3, the encoding of the
//!   `.Vn*` fonts (.VnTime, .VnArial …); positions cross-checked against
//!   independent published TCVN3→Unicode converter tables. It codes the 67
//!   lower-case letters and the seven capitals Ă Â Ê Ô Ơ Ư Đ, all in
//!   0xA1–0xFE. Other capitals have no code: the `.Vn*H` fonts (.VnTimeH …)
//!   draw them at the lower-case codes, so those codes decode to lower case,
//!   the standard behaviour. One refinement: in a word whose ASCII letters
//!   are all capitals with one after its first letter ("§¶NG", "VIÖT") they
//!   decode to capitals, as do unclear words ("Hµ") when the text has such
//!   capital words and no lower-case one ("Hµ NéI" → "HÀ NỘI").
//! * **VNI**: the VNI for Windows code table of VNI Software (fonts VNI-Times
//!   …; the "VNI Windows" charset of Unikey/Vietkey). A letter is an ASCII
//!   base letter followed by one modifier byte (ø grave, ù acute, û hook,
//!   õ tilde, ï dot below, â circumflex, ê breve, à á å ã ä circumflex with
//!   a tone, è é ú ü ë breve with a tone); đ ì í ỉ ĩ ị ơ ư ỵ are single
//!   bytes (ñ ì í æ ó ò ô ö î), and ơ ư take the tone modifiers too.
//!   Capitals use the capital base and modifier (each byte 0x20 lower); a
//!   modifier of the other case is accepted, the base letter's case wins.
//!
//! Characters outside the tables are kept as they are. A legacy byte 0xNN
//! usually arrives as U+00NN, but text decoded as Windows-1252 carries
//! bytes 0x80–0x9F as other code points (0x80 → €, 0x8A → Š, 0x9F → Ÿ);
//! those are mapped back to their byte before the table look-up. Neither
//! table uses 0x80–0x9F, so such characters are kept.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// A legacy 8-bit Vietnamese encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 VN3, "ABC" (.VnTime, .VnArial …).
    Tcvn3,
    /// VNI for Windows (VNI-Times …).
    Vni,
}

impl LegacyEncoding {
    /// Name for messages: "TCVN3 (ABC)" or "VNI".
    pub fn label(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "TCVN3 (ABC)",
            LegacyEncoding::Vni => "VNI",
        }
    }
}

/// TCVN3 (TCVN 5712:1993 VN3): byte → letter. Toned groups are in the
/// order grave, hook, tilde, acute, dot below.
#[rustfmt::skip]
const TCVN3: [(u8, char); 74] = [
    (0xA1, 'Ă'), (0xA2, 'Â'), (0xA3, 'Ê'), (0xA4, 'Ô'), (0xA5, 'Ơ'), (0xA6, 'Ư'), (0xA7, 'Đ'),
    (0xA8, 'ă'), (0xA9, 'â'), (0xAA, 'ê'), (0xAB, 'ô'), (0xAC, 'ơ'), (0xAD, 'ư'), (0xAE, 'đ'),
    (0xB5, 'à'), (0xB6, 'ả'), (0xB7, 'ã'), (0xB8, 'á'), (0xB9, 'ạ'),
    (0xBB, 'ằ'), (0xBC, 'ẳ'), (0xBD, 'ẵ'), (0xBE, 'ắ'), (0xC6, 'ặ'),
    (0xC7, 'ầ'), (0xC8, 'ẩ'), (0xC9, 'ẫ'), (0xCA, 'ấ'), (0xCB, 'ậ'),
    (0xCC, 'è'), (0xCE, 'ẻ'), (0xCF, 'ẽ'), (0xD0, 'é'), (0xD1, 'ẹ'),
    (0xD2, 'ề'), (0xD3, 'ể'), (0xD4, 'ễ'), (0xD5, 'ế'), (0xD6, 'ệ'),
    (0xD7, 'ì'), (0xD8, 'ỉ'), (0xDC, 'ĩ'), (0xDD, 'í'), (0xDE, 'ị'),
    (0xDF, 'ò'), (0xE1, 'ỏ'), (0xE2, 'õ'), (0xE3, 'ó'), (0xE4, 'ọ'),
    (0xE5, 'ồ'), (0xE6, 'ổ'), (0xE7, 'ỗ'), (0xE8, 'ố'), (0xE9, 'ộ'),
    (0xEA, 'ờ'), (0xEB, 'ở'), (0xEC, 'ỡ'), (0xED, 'ớ'), (0xEE, 'ợ'),
    (0xEF, 'ù'), (0xF1, 'ủ'), (0xF2, 'ũ'), (0xF3, 'ú'), (0xF4, 'ụ'),
    (0xF5, 'ừ'), (0xF6, 'ử'), (0xF7, 'ữ'), (0xF8, 'ứ'), (0xF9, 'ự'),
    (0xFA, 'ỳ'), (0xFB, 'ỷ'), (0xFC, 'ỹ'), (0xFD, 'ý'), (0xFE, 'ỵ'),
];

/// [`TCVN3`] indexed by byte.
const TCVN3_DECODE: [Option<char>; 256] = {
    let mut table = [None; 256];
    let mut i = 0;
    while i < TCVN3.len() {
        table[TCVN3[i].0 as usize] = Some(TCVN3[i].1);
        i += 1;
    }
    table
};

/// VNI Windows: (letter, VNI bytes, capital, VNI bytes of the capital),
/// the bytes written as the Latin-1 characters of the same value.
#[rustfmt::skip]
const VNI: [(char, &str, char, &str); 67] = [
    ('à', "aø", 'À', "AØ"), ('ả', "aû", 'Ả', "AÛ"), ('ã', "aõ", 'Ã', "AÕ"), ('á', "aù", 'Á', "AÙ"), ('ạ', "aï", 'Ạ', "AÏ"),
    ('ă', "aê", 'Ă', "AÊ"),
    ('ằ', "aè", 'Ằ', "AÈ"), ('ẳ', "aú", 'Ẳ', "AÚ"), ('ẵ', "aü", 'Ẵ', "AÜ"), ('ắ', "aé", 'Ắ', "AÉ"), ('ặ', "aë", 'Ặ', "AË"),
    ('â', "aâ", 'Â', "AÂ"),
    ('ầ', "aà", 'Ầ', "AÀ"), ('ẩ', "aå", 'Ẩ', "AÅ"), ('ẫ', "aã", 'Ẫ', "AÃ"), ('ấ', "aá", 'Ấ', "AÁ"), ('ậ', "aä", 'Ậ', "AÄ"),
    ('đ', "ñ", 'Đ', "Ñ"),
    ('è', "eø", 'È', "EØ"), ('ẻ', "eû", 'Ẻ', "EÛ"), ('ẽ', "eõ", 'Ẽ', "EÕ"), ('é', "eù", 'É', "EÙ"), ('ẹ', "eï", 'Ẹ', "EÏ"),
    ('ê', "eâ", 'Ê', "EÂ"),
    ('ề', "eà", 'Ề', "EÀ"), ('ể', "eå", 'Ể', "EÅ"), ('ễ', "eã", 'Ễ', "EÃ"), ('ế', "eá", 'Ế', "EÁ"), ('ệ', "eä", 'Ệ', "EÄ"),
    ('ì', "ì", 'Ì', "Ì"), ('ỉ', "æ", 'Ỉ', "Æ"), ('ĩ', "ó", 'Ĩ', "Ó"), ('í', "í", 'Í', "Í"), ('ị', "ò", 'Ị', "Ò"),
    ('ò', "oø", 'Ò', "OØ"), ('ỏ', "oû", 'Ỏ', "OÛ"), ('õ', "oõ", 'Õ', "OÕ"), ('ó', "où", 'Ó', "OÙ"), ('ọ', "oï", 'Ọ', "OÏ"),
    ('ô', "oâ", 'Ô', "OÂ"),
    ('ồ', "oà", 'Ồ', "OÀ"), ('ổ', "oå", 'Ổ', "OÅ"), ('ỗ', "oã", 'Ỗ', "OÃ"), ('ố', "oá", 'Ố', "OÁ"), ('ộ', "oä", 'Ộ', "OÄ"),
    ('ơ', "ô", 'Ơ', "Ô"),
    ('ờ', "ôø", 'Ờ', "ÔØ"), ('ở', "ôû", 'Ở', "ÔÛ"), ('ỡ', "ôõ", 'Ỡ', "ÔÕ"), ('ớ', "ôù", 'Ớ', "ÔÙ"), ('ợ', "ôï", 'Ợ', "ÔÏ"),
    ('ù', "uø", 'Ù', "UØ"), ('ủ', "uû", 'Ủ', "UÛ"), ('ũ', "uõ", 'Ũ', "UÕ"), ('ú', "uù", 'Ú', "UÙ"), ('ụ', "uï", 'Ụ', "UÏ"),
    ('ư', "ö", 'Ư', "Ö"),
    ('ừ', "öø", 'Ừ', "ÖØ"), ('ử', "öû", 'Ử', "ÖÛ"), ('ữ', "öõ", 'Ữ', "ÖÕ"), ('ứ', "öù", 'Ứ', "ÖÙ"), ('ự', "öï", 'Ự', "ÖÏ"),
    ('ỳ', "yø", 'Ỳ', "YØ"), ('ỷ', "yû", 'Ỷ', "YÛ"), ('ỹ', "yõ", 'Ỹ', "YÕ"), ('ý', "yù", 'Ý', "YÙ"), ('ỵ', "î", 'Ỵ', "Î"),
];

/// Windows-1252 code points of bytes 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90 and
/// 0x9D are undefined there and arrive as U+0081 …).
#[rustfmt::skip]
const CP1252_HIGH: [(char, u8); 27] = [
    ('\u{20AC}', 0x80), ('\u{201A}', 0x82), ('\u{0192}', 0x83), ('\u{201E}', 0x84),
    ('\u{2026}', 0x85), ('\u{2020}', 0x86), ('\u{2021}', 0x87), ('\u{02C6}', 0x88),
    ('\u{2030}', 0x89), ('\u{0160}', 0x8A), ('\u{2039}', 0x8B), ('\u{0152}', 0x8C),
    ('\u{017D}', 0x8E), ('\u{2018}', 0x91), ('\u{2019}', 0x92), ('\u{201C}', 0x93),
    ('\u{201D}', 0x94), ('\u{2022}', 0x95), ('\u{2013}', 0x96), ('\u{2014}', 0x97),
    ('\u{02DC}', 0x98), ('\u{2122}', 0x99), ('\u{0161}', 0x9A), ('\u{203A}', 0x9B),
    ('\u{0153}', 0x9C), ('\u{017E}', 0x9E), ('\u{0178}', 0x9F),
];

/// The legacy byte a character stands for: U+0000–U+00FF as themselves,
/// Windows-1252's characters for 0x80–0x9F mapped back; `None` otherwise.
fn legacy_byte(c: char) -> Option<u8> {
    match u8::try_from(c) {
        Ok(b) => Some(b),
        Err(_) => CP1252_HIGH.iter().find(|(u, _)| *u == c).map(|&(_, b)| b),
    }
}

/// Whether `c` is a Latin-1 capital (ASCII A–Z or U+00C0–U+00DE but ×).
fn is_latin1_upper(c: char) -> bool {
    c.is_ascii_uppercase() || (('\u{C0}'..='\u{DE}').contains(&c) && c != '\u{D7}')
}

/// Lower case of a Latin-1 character (its byte + 0x20 for capitals).
fn latin1_lower(c: char) -> char {
    let lower = is_latin1_upper(c).then(|| char::from_u32(u32::from(c) + 0x20));
    lower.flatten().unwrap_or(c)
}

/// Convert `s` from `enc` to Unicode NFC; characters outside the table are
/// kept as they are.
pub fn to_unicode(s: &str, enc: LegacyEncoding) -> String {
    let decoded = match enc {
        LegacyEncoding::Tcvn3 => decode_tcvn3(s),
        LegacyEncoding::Vni => decode_vni(s),
    };
    decoded.nfc().collect()
}

/// How a run of decoded TCVN3 text shows its case: no letter from a code
/// shared by both cases, capitals ("§¶NG": ASCII letters all capitals, one after the
/// first letter), lower case ("§¶ng"), or unclear ("Bé", "§¶").
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordCase {
    Plain,
    Upper,
    Lower,
    Unclear,
}

fn word_case(word: &[(char, bool)]) -> WordCase {
    if !word.iter().any(|&(_, shared)| shared) {
        WordCase::Plain
    } else if word.iter().any(|&(c, _)| c.is_ascii_lowercase()) {
        WordCase::Lower
    } else if word.iter().skip(1).any(|&(c, _)| c.is_ascii_uppercase()) {
        WordCase::Upper
    } else {
        WordCase::Unclear
    }
}

fn decode_tcvn3(s: &str) -> String {
    // Each decoded char, and whether it came from a code that the .Vn*H
    // fonts use for the capital too.
    let decode = |c| legacy_byte(c).and_then(|b| TCVN3_DECODE[usize::from(b)]);
    let chars: Vec<(char, bool)> = s
        .chars()
        .map(|c| decode(c).map_or((c, false), |u| (u, u.is_lowercase())))
        .collect();
    // Words (runs of letters) and the runs between them.
    let runs: Vec<&[(char, bool)]> = chars
        .chunk_by(|a, b| a.0.is_alphabetic() == b.0.is_alphabetic())
        .collect();
    let cases: Vec<WordCase> = runs.iter().map(|run| word_case(run)).collect();
    let unclear_upper = cases.contains(&WordCase::Upper) && !cases.contains(&WordCase::Lower);
    let mut out = String::with_capacity(s.len() + 16);
    for (run, case) in runs.iter().zip(cases) {
        let upper = case == WordCase::Upper || (case == WordCase::Unclear && unclear_upper);
        for &(c, shared) in *run {
            if shared && upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
        }
    }
    out
}

struct VniMaps {
    /// (base, modifier), both in lower case → lower-case letter.
    pairs: HashMap<(char, char), char>,
    /// Single-byte letters of either case.
    singles: HashMap<char, char>,
}

fn vni_maps() -> &'static VniMaps {
    static MAPS: OnceLock<VniMaps> = OnceLock::new();
    MAPS.get_or_init(|| {
        let mut pairs = HashMap::new();
        let mut singles = HashMap::new();
        for &(lower, lower_seq, upper, upper_seq) in &VNI {
            for (seq, letter) in [(lower_seq, lower), (upper_seq, upper)] {
                let seq: Vec<char> = seq.chars().collect();
                match seq[..] {
                    [c] => {
                        singles.insert(c, letter);
                    }
                    [base, modifier] => {
                        pairs.insert((latin1_lower(base), latin1_lower(modifier)), lower);
                    }
                    _ => {}
                }
            }
        }
        VniMaps { pairs, singles }
    })
}

fn decode_vni(s: &str) -> String {
    let maps = vni_maps();
    let orig: Vec<char> = s.chars().collect();
    let bytes: Vec<Option<char>> = orig
        .iter()
        .map(|&c| legacy_byte(c).map(char::from))
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < orig.len() {
        if let (Some(base), Some(Some(modifier))) = (bytes[i], bytes.get(i + 1)) {
            let key = (latin1_lower(base), latin1_lower(*modifier));
            if let Some(&letter) = maps.pairs.get(&key) {
                if is_latin1_upper(base) {
                    out.extend(letter.to_uppercase());
                } else {
                    out.push(letter);
                }
                i += 2;
                continue;
            }
        }
        match bytes[i].and_then(|b| maps.singles.get(&b)) {
            Some(&letter) => out.push(letter),
            None => out.push(orig[i]),
        }
        i += 1;
    }
    out
}

/// A letter only Unicode Vietnamese has: U+1EA0–U+1EF9, ă ĩ ũ ơ ư đ and
/// capitals, or a combining mark (NFD text).
fn is_unicode_vietnamese(c: char) -> bool {
    matches!(c,
        '\u{1EA0}'..='\u{1EF9}' | '\u{0300}'..='\u{036F}'
        | '\u{0102}' | '\u{0103}' | '\u{0110}' | '\u{0111}' | '\u{0128}' | '\u{0129}'
        | '\u{0168}' | '\u{0169}' | '\u{01A0}' | '\u{01A1}' | '\u{01AF}' | '\u{01B0}')
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || (c.is_ascii() && !c.is_ascii_alphanumeric())
        || ('\u{2000}'..='\u{206F}').contains(&c)
}

/// Words for scoring: runs between whitespace, ASCII punctuation and
/// general punctuation (Latin-1 symbols are TCVN3 letters, so they stay in).
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_separator).filter(|w| !w.is_empty())
}

#[rustfmt::skip]
const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];
/// Vowel nuclei (without tone) that may end the syllable or take a final.
#[rustfmt::skip]
const NUCLEI_ANY: &[&str] = &[
    "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy", "uơ",
];
/// Nuclei that need a final consonant.
const NUCLEI_CODA: &[&str] = &["ă", "â", "oă", "oo", "uâ", "iê", "yê", "uô", "ươ", "uyê"];
/// Nuclei ending in a semivowel or an open diphthong: no final.
#[rustfmt::skip]
const NUCLEI_OPEN: &[&str] = &[
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui",
    "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu",
];
const FINALS: &[&str] = &["c", "ch", "m", "n", "ng", "nh", "p", "t"];

fn is_tone(c: char) -> bool {
    matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}')
}

/// Whether `word` (any case) is one well-formed Vietnamese syllable:
/// initial, nucleus, final, at most one tone, and only sắc or nặng (or no
/// mark) before a final p, t, c, ch.
fn is_syllable(word: &str) -> bool {
    let mut tones = Vec::new();
    let base: String = word
        .nfd()
        .filter(|&c| {
            let tone = is_tone(c);
            if tone {
                tones.push(c);
            }
            !tone
        })
        .nfc()
        .flat_map(char::to_lowercase)
        .collect();
    if tones.len() > 1 || base.is_empty() {
        return false;
    }
    let tone = tones.first().copied();
    let final_ok = |fin: &str| {
        FINALS.contains(&fin)
            && (!matches!(fin, "c" | "ch" | "p" | "t")
                || matches!(tone, None | Some('\u{0301}') | Some('\u{0323}')))
    };
    let rime_ok = |rime: &str| {
        NUCLEI_OPEN.contains(&rime)
            || NUCLEI_ANY.iter().any(|n| {
                rime.strip_prefix(*n)
                    .is_some_and(|f| f.is_empty() || final_ok(f))
            })
            || NUCLEI_CODA
                .iter()
                .any(|n| rime.strip_prefix(*n).is_some_and(final_ok))
    };
    INITIALS
        .iter()
        .filter_map(|i| base.strip_prefix(*i))
        .any(rime_ok)
}

/// Distinct words changed by a conversion: `hits` are not Vietnamese as
/// read now but are once converted, `ambiguous` are Vietnamese both ways
/// ("bé"), `misses` are Vietnamese neither way.
#[derive(Default)]
struct Score {
    hits: usize,
    ambiguous: usize,
    misses: usize,
}

impl Score {
    fn accepted(&self) -> bool {
        self.hits >= 1 && self.hits + self.ambiguous >= 2 && 2 * self.misses <= self.hits
    }
}

fn score(s: &str, enc: LegacyEncoding) -> Score {
    let mut seen = HashSet::new();
    let mut sc = Score::default();
    for w in words(s).filter(|w| seen.insert(*w)) {
        let converted = to_unicode(w, enc);
        if converted == w {
            continue;
        } else if is_syllable(w) {
            sc.ambiguous += 1;
        } else if is_syllable(&converted) {
            sc.hits += 1;
        } else {
            sc.misses += 1;
        }
    }
    sc
}

/// The legacy encoding `s` is typed in, or `None` for Unicode, ASCII and
/// other text.
///
/// Text holding any letter only Unicode Vietnamese has (U+1EA0–U+1EF9,
/// ă ĩ ũ ơ ư đ, combining marks) is Unicode. Otherwise each distinct word
/// the encoding's table would change is scored: a hit when it is not a
/// Vietnamese syllable as it stands but is one converted ("§¶ng" →
/// "đảng"), ambiguous when it is one both ways ("bé"), a miss when neither
/// ("Café" → "cafộ"). The encoding is taken with at least one hit, two hits
/// or ambiguous words together, and misses no more than half the hits;
/// when both encodings qualify the one with more hits less misses wins
/// (`None` on a tie).
pub fn detect(s: &str) -> Option<LegacyEncoding> {
    if s.is_ascii() || s.chars().any(is_unicode_vietnamese) {
        return None;
    }
    let tcvn3 = score(s, LegacyEncoding::Tcvn3);
    let vni = score(s, LegacyEncoding::Vni);
    match (tcvn3.accepted(), vni.accepted()) {
        (true, false) => Some(LegacyEncoding::Tcvn3),
        (false, true) => Some(LegacyEncoding::Vni),
        (false, false) => None,
        (true, true) => {
            let key = |sc: &Score| (sc.hits as isize - sc.misses as isize, sc.hits);
            match key(&tcvn3).cmp(&key(&vni)) {
                std::cmp::Ordering::Greater => Some(LegacyEncoding::Tcvn3),
                std::cmp::Ordering::Less => Some(LegacyEncoding::Vni),
                std::cmp::Ordering::Equal => None,
            }
        }
    }
}

/// [`detect`] then [`to_unicode`]: the Unicode NFC text and the encoding it
/// was typed in, `None` when `s` is not legacy text.
pub fn convert_if_legacy(s: &str) -> Option<(String, LegacyEncoding)> {
    let enc = detect(s)?;
    Some((to_unicode(s, enc), enc))
}

#[cfg(test)]
mod tests {
    use super::LegacyEncoding::{Tcvn3, Vni};
    use super::*;

    /// Unicode → legacy, derived from the same tables (TCVN3 capitals
    /// without a code of their own take the lower-case code, as .VnTimeH).
    fn encode(s: &str, enc: LegacyEncoding) -> String {
        let mut out = String::new();
        for c in s.nfc() {
            match enc {
                Tcvn3 => {
                    let lower = c.to_lowercase().next().unwrap_or(c);
                    let code = TCVN3.iter().find(|&&(_, u)| u == c);
                    let code = code.or_else(|| TCVN3.iter().find(|&&(_, u)| u == lower));
                    out.push(code.map_or(c, |&(b, _)| char::from(b)));
                }
                Vni => {
                    let seq = VNI.iter().find_map(|&(lo, lo_seq, up, up_seq)| {
                        (lo == c).then_some(lo_seq).or((up == c).then_some(up_seq))
                    });
                    match seq {
                        Some(seq) => out.push_str(seq),
                        None => out.push(c),
                    }
                }
            }
        }
        out
    }

    const SAMPLES: [&str; 5] = [
        "Đảng bộ phường Tân Phong",
        "Chi bộ Văn phòng Thành ủy",
        "Nậm Loỏng",
        "thuận lợi, khó khăn",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
    ];

    #[test]
    fn samples_round_trip_and_are_detected() {
        for enc in [Tcvn3, Vni] {
            for s in SAMPLES {
                let legacy = encode(s, enc);
                assert_ne!(legacy, s);
                assert!(!legacy.chars().any(is_unicode_vietnamese), "{legacy:?}");
                assert_eq!(detect(&legacy), Some(enc), "{enc:?} {legacy:?}");
                assert_eq!(to_unicode(&legacy, enc), s, "{enc:?} {legacy:?}");
                assert_eq!(convert_if_legacy(&legacy), Some((s.to_string(), enc)));
            }
        }
    }

    #[test]
    fn every_letter_round_trips_in_both_cases() {
        for &(lower, _, upper, _) in &VNI {
            for word in [format!("n{lower}m"), format!("N{upper}M")] {
                for enc in [Tcvn3, Vni] {
                    assert_eq!(to_unicode(&encode(&word, enc), enc), word, "{enc:?}");
                }
            }
        }
    }

    #[rustfmt::skip]
    const HAND_TYPED: [(&str, LegacyEncoding, &str); 9] = [
        ("§¶ng bé", Tcvn3, "Đảng bộ"),
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", Tcvn3, "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", Tcvn3, "Độc lập - Tự do - Hạnh phúc"),
        ("Hµ Néi", Tcvn3, "Hà Nội"),
        ("Ñaûng boä", Vni, "Đảng bộ"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", Vni, "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", Vni, "Độc lập - Tự do - Hạnh phúc"),
        ("Nguyeãn Thò Minh Khai", Vni, "Nguyễn Thị Minh Khai"),
        ("ngöôøi ñöôïc", Vni, "người được"),
    ];

    #[test]
    fn hand_typed_legacy_text() {
        for (legacy, enc, unicode) in HAND_TYPED {
            assert_eq!(convert_if_legacy(legacy), Some((unicode.to_string(), enc)));
        }
    }

    #[test]
    fn detect_rejects_unicode_ascii_and_western_text() {
        let nfc = "Đảng bộ phường Tân Phong";
        let nfd: String = nfc.nfd().collect();
        #[rustfmt::skip]
        let texts = [
            nfc, nfd.as_str(), "Tân Hòa", "TÂN HÒA", "Hòa Bình", "Hoà Bình", "Hello world", "",
            "Café", "naïve", "Café naïve, crème brûlée", "São Paulo", "Müller Straße",
            "«Bonjour» à tous", "Le thé est né à Noël", "España, señor", "5 µm x 3 µm",
            "Windows® Office©", "Bé",
        ];
        for t in texts {
            assert_eq!(detect(t), None, "{t:?}");
            assert_eq!(convert_if_legacy(t), None, "{t:?}");
        }
    }

    #[test]
    fn tcvn3_capitals_follow_the_words_case() {
        assert_eq!(to_unicode("§¶NG bé", Tcvn3), "ĐẢNG bộ");
        assert_eq!(to_unicode("Bé", Tcvn3), "Bộ");
        assert_eq!(to_unicode("Hµ NéI", Tcvn3), "HÀ NỘI");
        assert_eq!(to_unicode("TP. Hµ", Tcvn3), "TP. Hà");
        assert_eq!(to_unicode("Aùo aâo", Vni), "Áo âo");
    }

    #[test]
    fn other_characters_are_kept_and_cp1252_maps_back() {
        assert_eq!(legacy_byte('\u{20AC}'), Some(0x80));
        assert_eq!(legacy_byte('\u{0160}'), Some(0x8A));
        assert_eq!(legacy_byte('\u{0178}'), Some(0x9F));
        assert_eq!(legacy_byte('\u{0081}'), Some(0x81));
        assert_eq!(legacy_byte('ơ'), None);
        assert_eq!(to_unicode("gi¸ 5€ – Š", Tcvn3), "giá 5€ – Š");
        assert_eq!(to_unicode("ø x 100% “ñ”", Vni), "ø x 100% “đ”");
        assert_eq!(to_unicode("abc 123", Vni), "abc 123");
        assert_eq!((Tcvn3.label(), Vni.label()), ("TCVN3 (ABC)", "VNI"));
    }

    fn tone_of(c: char) -> Option<char> {
        c.to_string().nfd().find(|&m| is_tone(m))
    }

    fn without_tone(c: char) -> String {
        c.to_string().nfd().filter(|&m| !is_tone(m)).nfc().collect()
    }

    #[test]
    fn tcvn3_table_is_consistent() {
        assert!(TCVN3.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TCVN3.iter().all(|&(b, _)| (0xA1..=0xFE).contains(&b)));
        let capitals: String = TCVN3[..7].iter().map(|&(_, c)| c).collect();
        assert_eq!(capitals, "ĂÂÊÔƠƯĐ");
        let mut tcvn3: Vec<char> = TCVN3[7..].iter().map(|&(_, c)| c).collect();
        let mut vni: Vec<char> = VNI.iter().map(|&(c, _, _, _)| c).collect();
        tcvn3.sort_unstable();
        vni.sort_unstable();
        assert_eq!(tcvn3, vni);
        // Groups of five: one vowel, tones grave, hook, tilde, acute, dot.
        let bases: Vec<String> = TCVN3[14..]
            .chunks(5)
            .map(|group| {
                let tones: Vec<Option<char>> = group.iter().map(|&(_, c)| tone_of(c)).collect();
                let expected = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'].map(Some);
                assert_eq!(tones, expected, "{group:?}");
                assert!(group
                    .iter()
                    .all(|&(_, c)| without_tone(c) == without_tone(group[0].1)));
                without_tone(group[0].1)
            })
            .collect();
        assert_eq!(bases.concat(), "aăâeêioôơuưy");
    }

    #[test]
    fn vni_table_is_consistent() {
        // What each modifier means, independently of the table.
        #[rustfmt::skip]
        const MARKS: [(char, &str); 17] = [
            ('ø', "\u{300}"), ('ù', "\u{301}"), ('û', "\u{309}"), ('õ', "\u{303}"), ('ï', "\u{323}"),
            ('â', "\u{302}"), ('à', "\u{302}\u{300}"), ('á', "\u{302}\u{301}"), ('å', "\u{302}\u{309}"),
            ('ã', "\u{302}\u{303}"), ('ä', "\u{302}\u{323}"), ('ê', "\u{306}"), ('è', "\u{306}\u{300}"),
            ('é', "\u{306}\u{301}"), ('ú', "\u{306}\u{309}"), ('ü', "\u{306}\u{303}"), ('ë', "\u{306}\u{323}"),
        ];
        let mut seqs: Vec<&str> = Vec::new();
        for &(lower, lower_seq, upper, upper_seq) in &VNI {
            assert_eq!(upper.to_string(), lower.to_uppercase().to_string());
            assert_eq!(upper_seq, lower_seq.to_uppercase());
            assert!(format!("{lower_seq}{upper_seq}")
                .chars()
                .all(|c| c <= '\u{FF}'));
            seqs.extend([lower_seq, upper_seq]);
            let chars: Vec<char> = lower_seq.chars().collect();
            if let [base, modifier] = chars[..] {
                let base = match base {
                    'ô' => "o\u{31B}".to_string(),
                    'ö' => "u\u{31B}".to_string(),
                    b => b.to_string(),
                };
                let (_, marks) = MARKS.iter().find(|&&(m, _)| m == modifier).unwrap();
                let composed: String = format!("{base}{marks}").nfc().collect();
                assert_eq!(composed, lower.to_string(), "{lower_seq:?}");
            }
        }
        let count = seqs.len();
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(seqs.len(), count, "every VNI sequence is distinct");
    }
}
