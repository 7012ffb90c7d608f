//! Quick fixes as text edits on byte ranges, and applying them.

use std::ops::Range;

/// Whether a fix may be applied without the user reviewing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Keeps what the code is meant to do while closing the hole; applied by
    /// `source.fixAll.moat`.
    Safe,
    /// Changes behaviour (who may access what, which tokens verify): offered
    /// as a quick fix, never applied by fix-all.
    Unsafe,
}

impl Applicability {
    /// `"safe"` or `"unsafe"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement: the bytes `range` of the original text become `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original text; empty for an insertion.
    pub range: Range<usize>,
    /// The replacement text.
    pub new_text: String,
}

impl Edit {
    /// Inserts `text` at byte offset `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            new_text: text.into(),
        }
    }

    /// Replaces the bytes `range` with `text`.
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            new_text: text.into(),
        }
    }
}

/// A named set of edits that fixes one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Shown in the editor's quick-fix menu, e.g. "Enable row level security".
    pub title: String,
    /// Whether fix-all may apply it.
    pub applicability: Applicability,
    /// Non-overlapping edits on the original text.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix made of one edit.
    pub fn new(title: impl Into<String>, applicability: Applicability, edit: Edit) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits: vec![edit],
        }
    }
}

/// Why edits could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApplyError {
    /// An edit's range is past the end of the text, inverted, or not on
    /// character boundaries.
    #[error("edit range {0:?} is not a valid range of the text")]
    OutOfRange(Range<usize>),
    /// Two edits touch the same bytes.
    #[error("edits at {0:?} and {1:?} overlap")]
    Overlap(Range<usize>, Range<usize>),
}

/// Applies edits (all on the same original text) and returns the new text.
/// Insertions at the same offset are applied in the order given.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, ApplyError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut prev: Option<&Edit> = None;
    for e in sorted {
        let r = &e.range;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(ApplyError::OutOfRange(r.clone()));
        }
        if let Some(p) = prev {
            if r.start < p.range.end {
                return Err(ApplyError::Overlap(p.range.clone(), r.clone()));
            }
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&e.new_text);
        pos = r.end;
        prev = Some(e);
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// Picks the safe fixes of many findings whose edits do not overlap one
/// another (the first one wins on overlap), for fix-all. Returns the edits.
pub fn select_safe<'a>(fixes: impl IntoIterator<Item = &'a Fix>) -> Vec<Edit> {
    let mut taken: Vec<Edit> = Vec::new();
    for fix in fixes {
        if fix.applicability != Applicability::Safe {
            continue;
        }
        let clashes = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.range.start < t.range.end && t.range.start < e.range.end
                    || (e.range.is_empty() || t.range.is_empty()) && e.range.start == t.range.start
            })
        });
        if !clashes {
            taken.extend(fix.edits.iter().cloned());
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_inserts_and_replacements_in_any_order() {
        let text = "héllo world";
        let edits = [
            Edit::replace(7..12, "there"),
            Edit::insert(0, ">> "),
            Edit::insert(12, "!"),
        ];
        assert_eq!(apply(text, &edits).unwrap(), ">> héllo there!");
    }

    #[test]
    fn rejects_bad_ranges_and_overlaps() {
        assert_eq!(
            apply("abc", &[Edit::insert(9, "x")]),
            Err(ApplyError::OutOfRange(9..9))
        );
        assert_eq!(
            apply("é", &[Edit::insert(1, "x")]),
            Err(ApplyError::OutOfRange(1..1))
        );
        assert!(matches!(
            apply(
                "abcdef",
                &[Edit::replace(0..3, "x"), Edit::replace(2..4, "y")]
            ),
            Err(ApplyError::Overlap(..))
        ));
    }

    #[test]
    fn select_safe_skips_unsafe_and_clashing_fixes() {
        let safe_a = Fix::new("a", Applicability::Safe, Edit::replace(0..2, "A"));
        let safe_clash = Fix::new("b", Applicability::Safe, Edit::replace(1..3, "B"));
        let unsafe_c = Fix::new("c", Applicability::Unsafe, Edit::replace(5..6, "C"));
        let safe_d = Fix::new("d", Applicability::Safe, Edit::insert(4, "D"));
        let edits = select_safe([&safe_a, &safe_clash, &unsafe_c, &safe_d]);
        assert_eq!(edits, vec![Edit::replace(0..2, "A"), Edit::insert(4, "D")]);
    }
}
