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
//! The comment marker is `//` in JavaScript, TypeScript and rules files and
//! `--` in SQL. Several rules may be listed, separated by commas or spaces.
//! A domain name (`sql`) covers every rule of that domain. The reason after
//! ` -- ` is free text for the reader; Moat does not require it.

/// Where a suppression comment sits and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Suppression {
    /// Zero-based line the comment covers.
    line: usize,
    /// Rule ids or domain names.
    rules: Vec<String>,
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
    /// Scans `text` for `<comment> moat-ignore: RULES` comments, where
    /// `comment` is the language's line-comment marker (`//` or `--`).
    pub fn scan(text: &str, comment: &str) -> Suppressions {
        let mut line_starts = vec![0];
        let mut entries = Vec::new();
        let mut offset = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            offset += line.len();
            line_starts.push(offset);
            let Some(mark_at) = line.find(MARK) else {
                continue;
            };
            let before = &line[..mark_at];
            let Some(comment_at) = before.rfind(comment) else {
                continue;
            };
            // Only whitespace between the comment marker and `moat-ignore:`.
            if !before[comment_at + comment.len()..].trim().is_empty() {
                continue;
            }
            let rest = &line[mark_at + MARK.len()..];
            let rest = rest.split(" --").next().unwrap_or("");
            let rest = rest.split("*/").next().unwrap_or("");
            let rules: Vec<String> = rest
                .split([',', ' ', '\t', '\r', '\n'])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if rules.is_empty() {
                continue;
            }
            // A comment alone on its line covers the next line; after code,
            // its own line.
            let alone = before[..comment_at].trim().is_empty();
            entries.push(Suppression {
                line: if alone { i + 1 } else { i },
                rules,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_before_and_end_of_line() {
        let text = "a\n// moat-ignore: jwt/missing-algorithms -- trusted\nverify(t, k)\nverify(t, k) // moat-ignore: jwt/missing-algorithms\nverify(t, k)\n";
        let s = Suppressions::scan(text, "//");
        let line = |n: usize| {
            text.split_inclusive('\n')
                .take(n)
                .map(str::len)
                .sum::<usize>()
        };
        assert!(s.is_suppressed("jwt/missing-algorithms", line(2) + 3));
        assert!(s.is_suppressed("jwt/missing-algorithms", line(3)));
        assert!(!s.is_suppressed("jwt/missing-algorithms", line(4)));
        assert!(!s.is_suppressed("jwt/none-algorithm", line(2)));
        // The comment line itself is not covered by a comment alone on it.
        assert!(!s.is_suppressed("jwt/missing-algorithms", line(1)));
    }

    #[test]
    fn sql_marker_lists_and_domains() {
        let text = "-- moat-ignore: sql/rls-disabled, sql/grant-to-anon\ncreate table a (id int);\n-- moat-ignore: sql\ncreate table b (id int);\n";
        let s = Suppressions::scan(text, "--");
        assert!(s.is_suppressed("sql/rls-disabled", 60));
        assert!(s.is_suppressed("sql/grant-to-anon", 60));
        let b = text.find("create table b").unwrap();
        assert!(s.is_suppressed("sql/anything", b));
        assert!(!s.is_suppressed("firebase/allow-if-true", b));
    }

    #[test]
    fn wrong_marker_or_text_between_is_not_a_suppression() {
        let text = "// see moat-ignore: sql/rls-disabled\nx\n-- moat-ignore: sql/rls-disabled\nx\n";
        let s = Suppressions::scan(text, "--");
        assert!(!s.is_suppressed("sql/rls-disabled", 37));
        let s = Suppressions::scan(text, "//");
        assert!(!s.is_suppressed("sql/rls-disabled", 37));
        assert!(!s.is_suppressed("sql/rls-disabled", text.len() - 2));
    }
}
