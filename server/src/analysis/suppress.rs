//! `moat-ignore` suppression comments.
//!
//! A finding is suppressed by a comment naming its rule, either at the end of
//! the line where the finding starts or alone on the line before it:
//!
//! ```text
//! // moat-ignore: jwt/missing-algorithms -- tokens come from our own gateway
//! jwt.verify(token, key);
//! create table audit_log (id int); -- moat-ignore: sql/rls-disabled -- not exposed
//! ```
//!
//! Only real comments count — the syntax tree's `comment` nodes, line or
//! block (`//`, `/* */` in JavaScript, TypeScript and rules files; `--`,
//! `/* */` in SQL) — never text inside a string literal. Several rules may be
//! listed, separated by commas or spaces. A domain name (`sql`) covers every
//! rule of that domain. The reason after ` -- ` is free text for the reader;
//! Moat does not require it.

use tree_sitter::Tree;

/// Where a suppression comment sits and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Suppression {
    /// Zero-based line the comment covers.
    line: usize,
    /// Rule ids or domain names.
    rules: Vec<String>,
    /// The comment's byte range (from the marker, in plain text files).
    range: std::ops::Range<usize>,
}

/// The suppression comments of one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    entries: Vec<Suppression>,
    /// Byte offset where each line starts (line 0 at 0).
    line_starts: Vec<usize>,
}

const MARK: &str = "moat-ignore:";

impl Suppressions {
    /// Finds the `moat-ignore:` comments among the comment nodes of `tree`
    /// (the syntax tree of `text`).
    pub fn scan(text: &str, tree: &Tree) -> Suppressions {
        if !text.contains(MARK) {
            return Suppressions::default();
        }
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
        let mut entries = Vec::new();
        let mut cursor = tree.walk();
        loop {
            let node = cursor.node();
            if node.kind() == "comment" {
                let comment = &text[node.byte_range()];
                if let Some(rules) = parse_comment(comment) {
                    let start_line = line_of(node.start_byte());
                    let before = &text[line_starts[start_line]..node.start_byte()];
                    // After code: covers its own line. Alone: the next line.
                    let line = if before.trim().is_empty() {
                        line_of(node.end_byte()) + 1
                    } else {
                        start_line
                    };
                    entries.push(Suppression {
                        line,
                        rules,
                        range: node.byte_range(),
                    });
                }
            }
            if node.kind() != "comment" && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return Suppressions {
                        entries,
                        line_starts,
                    };
                }
            }
        }
    }

    /// Finds `moat-ignore:` comments in a file without a syntax tree (a
    /// `.env`, YAML, TOML, Markdown or shell file): the marker must follow a
    /// comment opener (`#`, `//`, `--`, `/*`, `<!--`, `;`) with only
    /// whitespace between. Alone on its line, the comment covers the next
    /// line; after other text, its own line.
    pub fn scan_plain(text: &str) -> Suppressions {
        if !text.contains(MARK) {
            return Suppressions::default();
        }
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut entries = Vec::new();
        for (at, _) in text.match_indices(MARK) {
            let line = line_starts.partition_point(|&s| s <= at) - 1;
            let before = text[line_starts[line]..at].trim_end();
            let Some(opener) = ["<!--", "//", "--", "/*", "#", ";"]
                .into_iter()
                .find(|o| before.ends_with(o))
            else {
                continue;
            };
            let code = &before[..before.len() - opener.len()];
            let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
            let comment = format!("{opener} {}", &text[at..end]);
            let Some(rules) = parse_comment(&comment) else {
                continue;
            };
            let covered = if code.trim().is_empty() {
                line + 1
            } else {
                line
            };
            entries.push(Suppression {
                line: covered,
                rules,
                range: at..end,
            });
        }
        Suppressions {
            entries,
            line_starts,
        }
    }

    /// Whether a finding of `rule` starting at byte `offset` is suppressed.
    pub fn is_suppressed(&self, rule: &str, offset: usize) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let domain = rule.split('/').next().unwrap_or(rule);
        self.entries
            .iter()
            .filter(|s| s.line == line)
            .any(|s| s.rules.iter().any(|r| r == rule || r == domain))
    }
}

impl Suppressions {
    /// The names in the file's `moat-ignore` comments that are neither a
    /// rule id nor a domain, each with its comment's byte range: a typo
    /// (`jwt/missing-algorithm`) that silently suppresses nothing.
    pub fn unknown_names(&self) -> Vec<(String, std::ops::Range<usize>)> {
        let rules = crate::analysis::rule::RULES;
        let known = |name: &str| rules.iter().any(|r| r.id == name || r.domain() == name);
        self.entries
            .iter()
            .flat_map(|s| {
                s.rules
                    .iter()
                    .filter(|n| !known(n))
                    .map(|n| (n.clone(), s.range.clone()))
            })
            .collect()
    }
}

/// The rules a comment names after `moat-ignore:`, if it is a suppression:
/// the comment opener (`//`, `--`, `/*`, `#`) and whitespace may precede the
/// marker, nothing else.
fn parse_comment(comment: &str) -> Option<Vec<String>> {
    let at = comment.find(MARK)?;
    let opener = comment[..at].trim();
    if !matches!(opener, "//" | "--" | "/*" | "/**" | "#" | "<!--" | ";" | "") {
        return None;
    }
    let rest = &comment[at + MARK.len()..];
    let rest = rest.split(" --").next().unwrap_or("");
    let rest = rest.split("*/").next().unwrap_or("");
    let rest = rest.split("-->").next().unwrap_or("");
    let rules: Vec<String> = rest
        .split([',', ' ', '\t', '\r', '\n'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (!rules.is_empty()).then_some(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};

    fn scan(lang: Language, text: &str) -> Suppressions {
        Suppressions::scan(text, &parse(lang, text, None).unwrap())
    }

    fn line(text: &str, n: usize) -> usize {
        text.split_inclusive('\n').take(n).map(str::len).sum()
    }

    #[test]
    fn line_before_and_end_of_line() {
        let text = "a;\n// moat-ignore: jwt/missing-algorithms -- trusted\nverify(t, k);\nverify(t, k); // moat-ignore: jwt/missing-algorithms\nverify(t, k);\n";
        let s = scan(Language::JavaScript, text);
        assert!(s.is_suppressed("jwt/missing-algorithms", line(text, 2) + 3));
        assert!(s.is_suppressed("jwt/missing-algorithms", line(text, 3)));
        assert!(!s.is_suppressed("jwt/missing-algorithms", line(text, 4)));
        assert!(!s.is_suppressed("jwt/none-algorithm", line(text, 2)));
        // The comment line itself is not covered by a comment alone on it.
        assert!(!s.is_suppressed("jwt/missing-algorithms", line(text, 1)));
    }

    #[test]
    fn unknown_names_are_listed_with_their_comment() {
        let text = "// moat-ignore: jwt/missing-algorithm, jwt -- typo\nverify(t, k);\n";
        let s = scan(Language::JavaScript, text);
        let unknown = s.unknown_names();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].0, "jwt/missing-algorithm");
        assert_eq!(&text[unknown[0].1.clone()], text.lines().next().unwrap());
        let plain = Suppressions::scan_plain("KEY=1 # moat-ignore: secrets/openai-kye\n");
        assert_eq!(plain.unknown_names()[0].0, "secrets/openai-kye");
    }

    #[test]
    fn sql_lists_domains_and_block_comments() {
        let text = "-- moat-ignore: sql/rls-disabled, sql/grant-to-anon\ncreate table a (id int);\n/* moat-ignore: sql */\ncreate table b (id int);\n";
        let s = scan(Language::Sql, text);
        let a = line(text, 1);
        assert!(s.is_suppressed("sql/rls-disabled", a));
        assert!(s.is_suppressed("sql/grant-to-anon", a));
        let b = line(text, 3);
        assert!(s.is_suppressed("sql/anything", b));
        assert!(!s.is_suppressed("firebase/allow-if-true", b));
    }

    #[test]
    fn plain_text_comments_in_every_style() {
        let text = "# moat-ignore: secrets/openai-key -- rotated\nA=1\nB=2 # moat-ignore: secrets\n<!-- moat-ignore: secrets/x -->\nC\nD # see moat-ignore: secrets\n-- moat-ignore: sql\nE\n";
        let s = Suppressions::scan_plain(text);
        assert!(s.is_suppressed("secrets/openai-key", line(text, 1)));
        assert!(!s.is_suppressed("secrets/github-token", line(text, 1)));
        assert!(s.is_suppressed("secrets/github-token", line(text, 2)));
        assert!(s.is_suppressed("secrets/x", line(text, 4)));
        assert!(!s.is_suppressed("secrets/x", line(text, 5)));
        assert!(s.is_suppressed("sql/rls-disabled", line(text, 7)));
    }

    #[test]
    fn text_in_strings_or_after_other_words_is_not_a_suppression() {
        let text = "const h = \"// moat-ignore: jwt\"; verify(t, k);\n// see moat-ignore: jwt\nverify(t, k);\n";
        let s = scan(Language::JavaScript, text);
        assert!(!s.is_suppressed("jwt/missing-algorithms", 0));
        assert!(!s.is_suppressed("jwt/missing-algorithms", line(text, 2)));
        let sql =
            "insert into d values ('-- moat-ignore: sql -- x'); create table public.z (id int);\n";
        assert!(!scan(Language::Sql, sql).is_suppressed("sql/rls-disabled", 50));
    }
}
