//! JSON written by hand, for the browser's wasm (the agent's and the support module's): a
//! string literal (or `null`), a member's name and a decimal, without a serializer or
//! `core::fmt`; and texts joined
//! ([`cat`]), without the standard library's generic joining and its overflow panics.

use alloc::string::String;

/// Appends `s` as a JSON string literal (U+2028 and U+2029 escaped too, for script
/// contexts).
pub fn string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let v = u32::from(c);
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[((v >> shift) & 0xf) as usize]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `,"name":`: a member's name, after the object's first member.
pub fn member(out: &mut String, name: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
}

/// Appends `s` as a JSON string literal, or `null` when there is none.
pub fn string_or_null(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push_str("null"),
    }
}

/// Appends `v` in decimal, without `core::fmt` (which costs the browser's wasm bytes).
pub fn decimal(out: &mut String, mut v: u64) {
    // No indexing: a bounds check would bring a panic path with number formatting.
    let mut digits = [0u8; 20];
    let mut n = 0;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
        n += 1;
        if v == 0 {
            break;
        }
    }
    for d in digits.iter().skip(digits.len() - n) {
        out.push(char::from(*d));
    }
}

/// `parts` one after the other.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}
