//! The client side of LSP positions: byte offsets <-> `{line, character}`
//! in a negotiated encoding, and applying text edits to a string.
//!
//! Written independently of `moat::position` on purpose, so that the tests
//! check the server's conversions against a second implementation rather
//! than against themselves. Lines end at `\n`, `\r\n` or `\r`, as LSP says.

use serde_json::{json, Value};

/// A position encoding, as negotiated in `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding an `initialize` result names (`capabilities.positionEncoding`);
    /// UTF-16 when it names none, as the specification says.
    pub fn from_lsp(name: Option<&str>) -> Encoding {
        match name {
            Some("utf-8") => Encoding::Utf8,
            Some("utf-32") => Encoding::Utf32,
            _ => Encoding::Utf16,
        }
    }

    /// How many code units `c` takes in this encoding.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// An LSP position as JSON.
pub fn pos(line: usize, character: usize) -> Value {
    json!({"line": line, "character": character})
}

/// An LSP range as JSON.
pub fn range(start_line: usize, start_char: usize, end_line: usize, end_char: usize) -> Value {
    json!({"start": pos(start_line, start_char), "end": pos(end_line, end_char)})
}

/// Byte offsets where each line starts, and where its content ends (before
/// its line break).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                lines.push((start, i));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push((start, text.len()));
    lines
}

/// The LSP position of byte offset `offset` (a char boundary) of `text`.
pub fn position_of(text: &str, offset: usize, enc: Encoding) -> Value {
    assert!(
        text.is_char_boundary(offset),
        "offset {offset} is not a char boundary"
    );
    let lines = lines(text);
    let line = lines
        .iter()
        .rposition(|&(start, _)| start <= offset)
        .unwrap_or(0);
    let (start, end) = lines[line];
    let character: usize = text[start..offset.min(end)]
        .chars()
        .map(|c| enc.width(c))
        .sum();
    pos(line, character)
}

/// The byte offset of an LSP position in `text`; a character past the end
/// of its line means the end of the line, a line past the end means the end
/// of the text.
pub fn offset_of(text: &str, position: &Value, enc: Encoding) -> usize {
    let line = position["line"].as_u64().expect("position.line") as usize;
    let character = position["character"].as_u64().expect("position.character") as usize;
    let lines = lines(text);
    let Some(&(start, end)) = lines.get(line) else {
        return text.len();
    };
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += enc.width(c);
    }
    end
}

/// The LSP range of the byte range `start..end` of `text`.
pub fn range_of_bytes(text: &str, start: usize, end: usize, enc: Encoding) -> Value {
    json!({"start": position_of(text, start, enc), "end": position_of(text, end, enc)})
}

/// The LSP range of the first occurrence of `needle` in `text`.
pub fn find(text: &str, needle: &str, enc: Encoding) -> Value {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in {text:?}"));
    range_of_bytes(text, start, start + needle.len(), enc)
}

/// The empty range just before the first occurrence of `needle`.
pub fn before(text: &str, needle: &str, enc: Encoding) -> Value {
    let r = find(text, needle, enc);
    json!({"start": r["start"], "end": r["start"]})
}

/// The empty range just after the first occurrence of `needle`.
pub fn after(text: &str, needle: &str, enc: Encoding) -> Value {
    let r = find(text, needle, enc);
    json!({"start": r["end"], "end": r["end"]})
}

/// Replaces `range` (LSP JSON) of `text` with `new_text`.
pub fn apply_change(text: &str, range: &Value, new_text: &str, enc: Encoding) -> String {
    let start = offset_of(text, &range["start"], enc);
    let end = offset_of(text, &range["end"], enc);
    assert!(start <= end, "inverted range {range}");
    format!("{}{new_text}{}", &text[..start], &text[end..])
}

/// Applies LSP `TextEdit`s (JSON, all relative to the original `text`, not
/// overlapping) as an editor applies a `WorkspaceEdit`.
pub fn apply_text_edits(text: &str, edits: &[Value], enc: Encoding) -> String {
    let mut resolved: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], enc),
                offset_of(text, &e["range"]["end"], enc),
                e["newText"].as_str().expect("TextEdit.newText"),
            )
        })
        .collect();
    // Stable sort, then apply from the end so earlier offsets stay valid;
    // edits inserting at one position keep their order.
    resolved.sort_by_key(|&(start, end, _)| (start, end));
    for pair in resolved.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {edits:?}");
    }
    let mut out = text.to_string();
    for &(start, end, new_text) in resolved.iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_and_crlf() {
        let text = "a😀b\r\nc\rd";
        assert_eq!(position_of(text, 5, Encoding::Utf8), pos(0, 5));
        assert_eq!(position_of(text, 5, Encoding::Utf16), pos(0, 3));
        assert_eq!(position_of(text, 5, Encoding::Utf32), pos(0, 2));
        assert_eq!(position_of(text, 8, Encoding::Utf16), pos(1, 0));
        assert_eq!(position_of(text, 10, Encoding::Utf16), pos(2, 0));
        assert_eq!(offset_of(text, &pos(0, 3), Encoding::Utf16), 5);
        assert_eq!(offset_of(text, &pos(0, 99), Encoding::Utf16), 6);
        assert_eq!(offset_of(text, &pos(9, 0), Encoding::Utf16), text.len());
        let edits = [
            json!({"range": range(0, 0, 0, 0), "newText": "<"}),
            json!({"range": range(2, 1, 2, 1), "newText": ">"}),
            json!({"range": range(0, 1, 0, 3), "newText": "é"}),
        ];
        assert_eq!(
            apply_text_edits(text, &edits, Encoding::Utf16),
            "<aéb\r\nc\rd>"
        );
    }
}
