//! Splitting a SQL file into statements, robustly, and parsing each alone.
//!
//! tree-sitter-postgres parses a whole file well until it meets something
//! it does not know (a psql meta-command, a `COPY … FROM stdin` data block,
//! an unusual dollar-quoted body); then an `ERROR` node can swallow the
//! statements after it. Here the file is first split lexically — on `;`
//! outside strings, quoted identifiers, dollar quotes and comments; psql
//! meta-command lines (`\set`, `\i`) and COPY data blocks (up to `\.`) are
//! set aside — and each statement is parsed on its own, so one statement
//! that does not parse never hides the next.
//!
//! All offsets are UTF-8 byte offsets into the file's text.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::language::{self, Language};

/// One statement of a SQL file, parsed alone.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The statement's bytes in the file, from its first token to its
    /// terminating `;` included (when it has one). Leading comments and
    /// whitespace are not part of it.
    pub range: Range<usize>,
    /// The syntax tree of the statement's text alone. Node offsets are
    /// relative to `range.start`: use [`Statement::file_range`].
    pub tree: Tree,
}

impl Statement {
    /// The file byte range of a node of this statement's tree.
    pub fn file_range(&self, node: Node<'_>) -> Range<usize> {
        self.range.start + node.start_byte()..self.range.start + node.end_byte()
    }

    /// The statement node: the first child of the root that is a
    /// `toplevel_stmt`, unwrapped down to the specific statement kind
    /// (`CreateStmt`, `CreatePolicyStmt`, …). `None` when the statement did
    /// not parse into a known kind.
    pub fn node(&self) -> Option<Node<'_>> {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        let top = root
            .named_children(&mut cursor)
            .find(|n| n.kind() == "toplevel_stmt")?;
        let stmt = top.named_child(0)?;
        if stmt.kind() == "stmt" {
            stmt.named_child(0)
        } else {
            Some(stmt)
        }
    }

    /// The statement kind (`CreateStmt`, `GrantStmt`, …) or `""`.
    pub fn kind(&self) -> &str {
        self.node().map_or("", |n| n.kind())
    }

    /// Whether the statement's tree holds a syntax error.
    pub fn has_error(&self) -> bool {
        self.tree.root_node().has_error()
    }
}

/// The byte ranges of the statements of `text`, in order. See the module
/// docs for what is split where. Never fails: an unterminated string or
/// comment runs to the end of the text.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None;
    let mut copy_from_stdin = false;
    // SQL-standard function bodies, `begin atomic … end`, hold `;`s: inside
    // one, only a `;` right after `end` ends the statement.
    let mut atomic = false;
    let mut prev_word: Option<&str> = None;
    while i < bytes.len() {
        let b = bytes[i];
        // At the start of a line, outside a statement: psql meta-commands.
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        if start.is_none() && at_line_start && b == b'\\' {
            i = line_end(bytes, i);
            continue;
        }
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = line_end(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i);
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
            copy_from_stdin = starts_copy_from_stdin(text, i);
            atomic = false;
            prev_word = None;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let word_end = bytes[i..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(bytes.len(), |p| i + p);
            let word = &text[i..word_end];
            if word.eq_ignore_ascii_case("atomic")
                && prev_word.is_some_and(|w| w.eq_ignore_ascii_case("begin"))
            {
                atomic = true;
            }
            prev_word = Some(word);
            i = word_end;
            continue;
        }
        if b == b';' && atomic && !prev_word.is_some_and(|w| w.eq_ignore_ascii_case("end")) {
            prev_word = None;
            i += 1;
            continue;
        }
        prev_word = None;
        match b {
            b'\'' => i = quoted_end(bytes, i, b'\''),
            b'"' => i = quoted_end(bytes, i, b'"'),
            b'$' => match dollar_tag(bytes, i) {
                Some(tag) => i = dollar_end(bytes, i, tag),
                None => i += 1,
            },
            b';' => {
                i += 1;
                out.push(start.take().unwrap_or(i - 1)..i);
                if copy_from_stdin {
                    // The data block follows, up to a line `\.`.
                    i = copy_data_end(bytes, i);
                    copy_from_stdin = false;
                }
            }
            _ => i += 1,
        }
    }
    if let Some(s) = start {
        let end = text[s..].trim_end().len() + s;
        out.push(s..end);
    }
    out
}

/// Splits `text` and parses every statement alone.
pub fn parse(text: &str) -> Vec<Statement> {
    split(text)
        .into_iter()
        .filter_map(|range| {
            let tree = language::parse(Language::Sql, &text[range.clone()], None)?;
            Some(Statement { range, tree })
        })
        .collect()
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p + 1)
}

fn block_comment_end(bytes: &[u8], i: usize) -> usize {
    // Postgres block comments nest.
    let mut depth = 0usize;
    let mut j = i;
    while j + 1 < bytes.len() {
        if bytes[j] == b'/' && bytes[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else if bytes[j] == b'*' && bytes[j + 1] == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// The end of a quoted string or identifier starting at `i` (a doubled
/// quote is an escaped quote; in strings, a backslash escapes the next byte
/// only in `E'…'` strings, which we treat the same way for safety).
fn quoted_end(bytes: &[u8], i: usize, quote: u8) -> usize {
    let escape_string = quote == b'\'' && i > 0 && matches!(bytes[i - 1], b'e' | b'E');
    let mut j = i + 1;
    while j < bytes.len() {
        if escape_string && bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    bytes.len()
}

/// The tag of a dollar quote opening at `i` (`$$` gives `$$`, `$fn$` gives
/// `$fn$`), or `None` when `$` does not open one (`$1` parameters).
fn dollar_tag(bytes: &[u8], i: usize) -> Option<&[u8]> {
    let mut j = i + 1;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    if j < bytes.len() && bytes[j] == b'$' && !(j > i + 1 && bytes[i + 1].is_ascii_digit()) {
        Some(&bytes[i..=j])
    } else {
        None
    }
}

fn dollar_end(bytes: &[u8], i: usize, tag: &[u8]) -> usize {
    let body = i + tag.len();
    bytes[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(bytes.len(), |p| body + p + tag.len())
}

fn starts_copy_from_stdin(text: &str, i: usize) -> bool {
    let head: String = text[i..].chars().take(4).collect();
    if !head.eq_ignore_ascii_case("copy") {
        return false;
    }
    let stmt_end = text[i..].find(';').map_or(text.len(), |p| i + p);
    text[i..stmt_end]
        .to_ascii_lowercase()
        .contains("from stdin")
}

/// After `COPY … FROM stdin;`, the data runs to a line holding only `\.`.
fn copy_data_end(bytes: &[u8], mut i: usize) -> usize {
    i = line_end(bytes, i);
    while i < bytes.len() {
        let end = line_end(bytes, i);
        let line = &bytes[i..end];
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"\\." {
            return end;
        }
        i = end;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_comments_and_dollar_bodies() {
        let text = "-- a comment; not a statement\ncreate table a (x text default ';');\n/* block; /* nested; */ still */ insert into \"we;ird\" values (1);\ncreate function f() returns int language sql as $body$ select 1; $body$;\ndo $$ begin perform 1; end $$;\nselect $1 + 2;";
        assert_eq!(
            pieces(text),
            [
                "create table a (x text default ';');",
                "insert into \"we;ird\" values (1);",
                "create function f() returns int language sql as $body$ select 1; $body$;",
                "do $$ begin perform 1; end $$;",
                "select $1 + 2;",
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let text = "create function f() returns int language sql begin atomic select 1; select 2; end;\ncreate table t (id int);";
        assert_eq!(
            pieces(text),
            ["create function f() returns int language sql begin atomic select 1; select 2; end;", "create table t (id int);"]
        );
    }

    #[test]
    fn psql_meta_commands_and_copy_data_are_set_aside() {
        let text = "\\set ON_ERROR_STOP on\ncopy t (a, b) from stdin;\n1\tx;y\n2\tz\n\\.\ncreate table b (id int);\n\\i other.sql\nselect 1";
        assert_eq!(
            pieces(text),
            [
                "copy t (a, b) from stdin;",
                "create table b (id int);",
                "select 1"
            ]
        );
    }

    #[test]
    fn a_broken_statement_does_not_hide_the_next() {
        let text = "create table a (id int;\ncreate tabel oops;\ncreate table c (id int);\n";
        let stmts = parse(text);
        assert_eq!(stmts.len(), 3);
        assert!(stmts[1].has_error());
        assert_eq!(stmts[2].kind(), "CreateStmt");
        assert_eq!(&text[stmts[2].range.clone()], "create table c (id int);");
        let name = stmts[2].node().unwrap().named_child(2).unwrap();
        assert_eq!(&text[stmts[2].file_range(name)], "c");
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        assert_eq!(pieces("select 'abc"), ["select 'abc"]);
        assert_eq!(pieces("select $$abc"), ["select $$abc"]);
        assert_eq!(pieces("/* open"), Vec::<&str>::new());
        assert_eq!(pieces(""), Vec::<&str>::new());
        assert_eq!(pieces("select 1  \n"), ["select 1"]);
    }
}
