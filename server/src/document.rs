//! One open file: its text (a rope), its syntax tree, its version and its
//! language. Edits are applied to the rope and to the tree (`InputEdit`) and
//! the tree is reparsed incrementally.

use ropey::Rope;
use tree_sitter::{InputEdit, Tree};

use crate::language::{self, Language};
use crate::position::{self, LinePosition, PositionEncoding};

/// A text document with its parse tree.
#[derive(Debug)]
pub struct Document {
    /// The current text.
    pub rope: Rope,
    /// The syntax tree of `rope`, `None` only for languages Moat does not
    /// parse.
    pub tree: Option<Tree>,
    /// The client's version number of this text (LSP `version`); 0 for
    /// files read from disk.
    pub version: i32,
    /// The language the text is parsed as; `None` for files Moat does not
    /// parse (their text is still kept for fixes and suppressions).
    pub language: Option<Language>,
}

/// One content change: replace the text between two LSP positions (or the
/// whole text when `range` is `None`) with `text`.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    /// Start and end, in the document's negotiated encoding; `None` replaces
    /// the whole document.
    pub range: Option<(LinePosition, LinePosition)>,
    /// The new text.
    pub text: &'a str,
}

impl Document {
    /// Creates a document and parses it.
    pub fn new(text: &str, language: Option<Language>, version: i32) -> Document {
        let tree = language.and_then(|l| language::parse(l, text, None));
        Document {
            rope: Rope::from_str(text),
            tree,
            version,
            language,
        }
    }

    /// The whole text as one `String`.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies content changes in order, then reparses once, reusing the
    /// edited old tree. Positions are clamped as [`position::offset_at`]
    /// says; a range whose end precedes its start is treated as empty at its
    /// start. Never panics on out-of-range input.
    pub fn apply_changes(&mut self, changes: &[Change<'_>], encoding: PositionEncoding) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(change.text);
                    self.tree = None;
                }
                Some((start, end)) => {
                    let start = position::offset_at(&self.rope, start, encoding);
                    let end = position::offset_at(&self.rope, end, encoding).max(start);
                    self.replace_bytes(start, end, change.text);
                }
            }
        }
        self.reparse();
    }

    /// Replaces the bytes `start..end` (char boundaries, `start <= end <=
    /// len`) with `text` in the rope and records the edit in the tree, without
    /// reparsing.
    pub fn replace_bytes(&mut self, start: usize, end: usize, text: &str) {
        let start_position = position::ts_point(&self.rope, start);
        let old_end_position = position::ts_point(&self.rope, end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, text);
        let new_end_byte = start + text.len();
        let new_end_position = position::ts_point(&self.rope, new_end_byte);
        if let Some(tree) = self.tree.as_mut() {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
    }

    /// Reparses the text, incrementally when an edited tree is at hand.
    pub fn reparse(&mut self) {
        let Some(lang) = self.language else { return };
        let rope = &self.rope;
        let old = self.tree.take();
        self.tree = language::with_parser(lang, |parser| {
            parser.parse_with_options(
                &mut |byte, _| {
                    if byte >= rope.len_bytes() {
                        return &[] as &[u8];
                    }
                    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
                    &chunk.as_bytes()[byte - chunk_start..]
                },
                old.as_ref(),
                None,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp(line: u32, character: u32) -> LinePosition {
        LinePosition { line, character }
    }

    #[test]
    fn incremental_edits_match_a_fresh_parse() {
        let text = "// 😀 émoji\nconst a = 1;\r\nfunction f(x) { return x; }\n";
        let mut doc = Document::new(text, Some(Language::JavaScript), 1);
        doc.apply_changes(
            &[
                Change {
                    range: Some((lp(1, 10), lp(1, 11))),
                    text: "'漢字'",
                },
                Change {
                    range: Some((lp(0, 3), lp(0, 6))),
                    text: "",
                },
                Change {
                    range: Some((lp(2, 27), lp(2, 27))),
                    text: "\nf(a);",
                },
            ],
            PositionEncoding::Utf16,
        );
        let expected = "// émoji\nconst a = '漢字';\r\nfunction f(x) { return x; }\nf(a);\n";
        assert_eq!(doc.text(), expected);
        let fresh = language::parse(Language::JavaScript, expected, None).unwrap();
        assert_eq!(
            doc.tree.as_ref().unwrap().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        assert!(!doc.tree.as_ref().unwrap().root_node().has_error());
    }

    #[test]
    fn full_replacement_and_out_of_range_changes() {
        let mut doc = Document::new("x", Some(Language::Sql), 1);
        doc.apply_changes(
            &[Change {
                range: None,
                text: "select 1;",
            }],
            PositionEncoding::Utf8,
        );
        assert_eq!(doc.text(), "select 1;");
        // An inverted, out-of-range change is clamped, not a panic.
        doc.apply_changes(
            &[Change {
                range: Some((lp(9, 9), lp(0, 0))),
                text: "\n",
            }],
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "select 1;\n");
        assert!(doc.tree.is_some());
    }
}
