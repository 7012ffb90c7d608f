//! Every conversion between byte offsets and line/column positions.
//!
//! Tree-sitter and the analysis work in UTF-8 byte offsets into the document
//! text. Editors speak LSP positions: a zero-based line and a zero-based
//! character offset counted in the negotiated encoding (UTF-8 code units,
//! UTF-16 code units — the LSP default — or UTF-32 code units, that is
//! Unicode scalar values). The command line prints one-based lines and
//! one-based columns counted in Unicode scalar values.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says;
//! U+2028, U+0085 and form feeds do not end lines (the rope is built without
//! ropey's `unicode_lines` feature for this reason).
//!
//! Nothing here panics on bad input: offsets past the end are clamped to the
//! end, offsets inside a multi-byte character are moved back to its first
//! byte, characters past a line's end are clamped to the end of that line
//! (before its line terminator), and lines past the last line are clamped to
//! the end of the text.

use ropey::Rope;

/// The unit in which an LSP `Position.character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes). LSP name `utf-8`.
    Utf8,
    /// UTF-16 code units. LSP name `utf-16`; the default when the client names none.
    #[default]
    Utf16,
    /// UTF-32 code units, i.e. Unicode scalar values. LSP name `utf-32`.
    Utf32,
}

impl PositionEncoding {
    /// The LSP name of this encoding (`"utf-8"`, `"utf-16"`, `"utf-32"`).
    pub fn as_lsp_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }

    /// Parses an LSP encoding name; `None` for names we do not support.
    pub fn from_lsp_str(name: &str) -> Option<Self> {
        match name {
            "utf-8" => Some(PositionEncoding::Utf8),
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        }
    }

    /// Picks the encoding to use from the client's `general.positionEncodings`,
    /// in our order of preference: UTF-8 (no conversion needed), then UTF-32,
    /// then UTF-16. UTF-16 when the client offers none of them or names none.
    pub fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Self {
        let offered: Vec<PositionEncoding> =
            offered.into_iter().filter_map(Self::from_lsp_str).collect();
        [
            PositionEncoding::Utf8,
            PositionEncoding::Utf32,
            PositionEncoding::Utf16,
        ]
        .into_iter()
        .find(|e| offered.contains(e))
        .unwrap_or_default()
    }
}

/// A zero-based line and a zero-based character offset within that line,
/// counted in some [`PositionEncoding`]. The shape of an LSP `Position`,
/// without depending on LSP types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LinePosition {
    /// Zero-based line number.
    pub line: u32,
    /// Zero-based offset within the line, in the encoding's code units.
    pub character: u32,
}

/// Moves `byte` back to the first byte of the character containing it and
/// clamps it to the length of the text.
pub fn floor_char_boundary(rope: &Rope, byte: usize) -> usize {
    let byte = byte.min(rope.len_bytes());
    rope.char_to_byte(rope.byte_to_char(byte))
}

/// The byte offset where line `line` ends, before its terminator
/// (`\n`, `\r\n` or `\r`). `line` must be a valid line index.
fn line_content_end(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
    }
    if len > 0 && slice.byte(len - 1) == b'\r' {
        len -= 1;
    }
    start + len
}

/// Converts an LSP position to a byte offset into the rope's text.
///
/// Clamps as the LSP specification says: a character past the end of its
/// line means the end of that line (before the line terminator); a line past
/// the last line means the end of the text. A UTF-16 offset that falls
/// between the two halves of a surrogate pair, or a UTF-8 offset inside a
/// multi-byte character, is moved back to the start of that character.
pub fn offset_at(rope: &Rope, pos: LinePosition, encoding: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let end = line_content_end(rope, line);
    let character = pos.character as usize;
    match encoding {
        PositionEncoding::Utf8 => floor_char_boundary(rope, start + character.min(end - start)),
        PositionEncoding::Utf32 => {
            let start_char = rope.byte_to_char(start);
            let end_char = rope.byte_to_char(end);
            rope.char_to_byte((start_char + character).min(end_char))
        }
        PositionEncoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(rope.byte_to_char(start));
            let end_cu = rope.char_to_utf16_cu(rope.byte_to_char(end));
            let cu = (start_cu + character).min(end_cu);
            rope.char_to_byte(rope.utf16_cu_to_char(cu))
        }
    }
}

/// Converts a byte offset into the rope's text to an LSP position.
///
/// An offset past the end is clamped to the end; an offset inside a
/// multi-byte character is moved back to the start of that character. An
/// offset inside a `\r\n` pair (between the two bytes) is reported at the end
/// of the line's content.
pub fn position_at(rope: &Rope, byte: usize, encoding: PositionEncoding) -> LinePosition {
    let byte = floor_char_boundary(rope, byte);
    let line = rope.byte_to_line(byte);
    let start = rope.line_to_byte(line);
    let byte = byte.min(line_content_end(rope, line));
    let character = match encoding {
        PositionEncoding::Utf8 => byte - start,
        PositionEncoding::Utf32 => rope.byte_to_char(byte) - rope.byte_to_char(start),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(rope.byte_to_char(byte))
                - rope.char_to_utf16_cu(rope.byte_to_char(start))
        }
    };
    LinePosition {
        line: line as u32,
        character: character as u32,
    }
}

/// One-based line and one-based column (in Unicode scalar values) of a byte
/// offset: the positions the command line and the JSON output print.
pub fn line_column(rope: &Rope, byte: usize) -> (usize, usize) {
    let p = position_at(rope, byte, PositionEncoding::Utf32);
    (p.line as usize + 1, p.character as usize + 1)
}

/// The tree-sitter point of a byte offset: zero-based row and the byte
/// column within that row. Rows count the same line terminators as LSP.
pub fn ts_point(rope: &Rope, byte: usize) -> tree_sitter::Point {
    let byte = byte.min(rope.len_bytes());
    let row = rope.byte_to_line(byte);
    tree_sitter::Point {
        row,
        column: byte - rope.line_to_byte(row),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    fn pos(line: u32, character: u32) -> LinePosition {
        LinePosition { line, character }
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        assert_eq!(PositionEncoding::negotiate(["utf-16", "utf-8"]), Utf8);
        assert_eq!(PositionEncoding::negotiate(["utf-32", "utf-16"]), Utf32);
        assert_eq!(PositionEncoding::negotiate(["utf-16"]), Utf16);
        assert_eq!(PositionEncoding::negotiate(["latin-1"]), Utf16);
        assert_eq!(PositionEncoding::negotiate([]), Utf16);
    }

    #[test]
    fn emoji_and_cjk_in_each_encoding() {
        // "a😀b" : 😀 is 4 bytes, 2 UTF-16 units, 1 scalar. "漢" is 3 bytes, 1 unit.
        let rope = Rope::from_str("a😀b\n漢x\n");
        let b = 5; // byte offset of 'b'
        assert_eq!(position_at(&rope, b, Utf8), pos(0, 5));
        assert_eq!(position_at(&rope, b, Utf16), pos(0, 3));
        assert_eq!(position_at(&rope, b, Utf32), pos(0, 2));
        assert_eq!(offset_at(&rope, pos(0, 3), Utf16), b);
        assert_eq!(offset_at(&rope, pos(0, 2), Utf32), b);
        let x = 7 + 3; // second line starts at byte 7; 'x' after 漢
        assert_eq!(position_at(&rope, x, Utf16), pos(1, 1));
        assert_eq!(position_at(&rope, x, Utf8), pos(1, 3));
        assert_eq!(offset_at(&rope, pos(1, 1), Utf16), x);
        assert_eq!(line_column(&rope, x), (2, 2));
    }

    #[test]
    fn inside_a_character_moves_back_to_its_start() {
        let rope = Rope::from_str("a😀b");
        // UTF-16 offset 2 is between the surrogate halves of 😀.
        assert_eq!(offset_at(&rope, pos(0, 2), Utf16), 1);
        // UTF-8 offset 3 is inside 😀.
        assert_eq!(offset_at(&rope, pos(0, 3), Utf8), 1);
        assert_eq!(position_at(&rope, 3, Utf16), pos(0, 1));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_but_unicode_separators_do_not() {
        let rope = Rope::from_str("ab\r\ncd\ref\u{2028}gh\u{85}\u{c}\nend");
        assert_eq!(position_at(&rope, 4, Utf16), pos(1, 0)); // 'c'
        assert_eq!(position_at(&rope, 7, Utf16), pos(2, 0)); // 'e'
        let g = "ab\r\ncd\ref\u{2028}".len();
        assert_eq!(position_at(&rope, g, Utf16), pos(2, 3));
        assert_eq!(offset_at(&rope, pos(3, 0), Utf16), rope.len_bytes() - 3);
        // Between '\r' and '\n': reported at the end of the line's content.
        assert_eq!(position_at(&rope, 3, Utf16), pos(0, 2));
    }

    #[test]
    fn clamping_past_line_end_and_past_last_line() {
        let rope = Rope::from_str("short\r\nsecond line\n");
        assert_eq!(offset_at(&rope, pos(0, 99), Utf16), 5);
        assert_eq!(offset_at(&rope, pos(0, 99), Utf8), 5);
        assert_eq!(offset_at(&rope, pos(0, 99), Utf32), 5);
        assert_eq!(offset_at(&rope, pos(2, 0), Utf16), rope.len_bytes());
        assert_eq!(offset_at(&rope, pos(40, 7), Utf16), rope.len_bytes());
        assert_eq!(position_at(&rope, 10_000, Utf16), pos(2, 0));
    }

    #[test]
    fn empty_text() {
        let rope = Rope::from_str("");
        assert_eq!(offset_at(&rope, pos(0, 5), Utf16), 0);
        assert_eq!(position_at(&rope, 3, Utf8), pos(0, 0));
        assert_eq!(line_column(&rope, 0), (1, 1));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn text_strategy() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "a",
                "Z",
                " ",
                "\n",
                "\r\n",
                "\r",
                "😀",
                "漢",
                "é",
                "\u{2028}",
                "\t",
                "👩‍👩‍👧",
            ]);
            prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn round_trip_at_every_char_boundary(text in text_strategy()) {
                let rope = Rope::from_str(&text);
                for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    // Offsets between '\r' and '\n' do not round-trip by design.
                    if byte > 0 && text.as_bytes()[byte - 1] == b'\r' && text.as_bytes().get(byte) == Some(&b'\n') {
                        continue;
                    }
                    for enc in [Utf8, Utf16, Utf32] {
                        let p = position_at(&rope, byte, enc);
                        prop_assert_eq!(offset_at(&rope, p, enc), byte, "{:?} {:?}", enc, p);
                    }
                }
            }

            #[test]
            fn any_position_gives_a_char_boundary(text in text_strategy(), line in 0u32..20, ch in 0u32..30) {
                let rope = Rope::from_str(&text);
                for enc in [Utf8, Utf16, Utf32] {
                    let off = offset_at(&rope, pos(line, ch), enc);
                    prop_assert!(text.is_char_boundary(off));
                }
            }

            #[test]
            fn utf16_matches_std(text in text_strategy()) {
                let rope = Rope::from_str(&text);
                for (byte, c) in text.char_indices() {
                    if c == '\n' && byte > 0 && text.as_bytes()[byte - 1] == b'\r' {
                        continue;
                    }
                    let p = position_at(&rope, byte, Utf16);
                    let line_start = text[..byte].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                    let expect = text[line_start..byte].encode_utf16().count();
                    prop_assert_eq!(p.character as usize, expect);
                }
            }
        }
    }
}
