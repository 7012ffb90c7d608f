//! `firebase/syntax-error`: the parse errors of a rules file, one
//! diagnostic per error region, with a message read from the context.

use tree_sitter::Node;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::util::{ancestors, walk, Step};
use crate::analysis::{FileContext, Finding, Related};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/syntax-error",
    default_severity: Severity::Error,
    summary: "The rules file does not parse: Firebase rejects it, and the statement Moat cannot read is not checked.",
    docs: r#"
## What it does
Reports the syntax errors of a Firestore or Cloud Storage rules file, one
diagnostic per broken region, with a message that says what was expected
there: `allow list: x;` lacks the `if` before its condition, `allow reed` has
a method that does not exist, `a = b` compares with `=`, a `{` is never
closed, a keyword is misspelt (`alow`, `math`)...

The rest of the file is still analysed: the other rules skip only the
statements that hold an error. An empty file is not an error.

## Why is this bad?
Firebase refuses to deploy a rules file that does not compile, so the rules
in force are still the previous ones, which may be the open test-mode rules
the project started with. And every statement Moat cannot read is a statement
it cannot check: a hole there goes unreported until the syntax is fixed.

## How to fix
Correct the syntax at the place the diagnostic points to. An allow statement
is `allow <methods>: if <condition>;`, with methods among `read`, `write`,
`get`, `list`, `create`, `update` and `delete`, separated by commas; a
function body is `let` statements followed by one `return`. There is no quick
fix: the intent cannot be guessed.

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /posts/{postId} {
      allow list: request.query.limit <= 100;      // reported: `if` is missing
      allow list: if request.query.limit <= 100;   // fixed
    }
  }
}
```

## References
- Firebase: Security Rules language (https://firebase.google.com/docs/rules/rules-language)
- Firebase: Structuring Cloud Firestore Security Rules (https://firebase.google.com/docs/firestore/security/rules-structure)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

/// The allow methods, for messages and suggestions.
const METHODS: &[&str] = &["read", "write", "get", "list", "create", "update", "delete"];

/// Keywords that start a statement, for "did you mean" suggestions.
const KEYWORDS: &[&str] = &["allow", "match", "function", "return", "service"];

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let root = ctx.tree.root_node();
    if !root.has_error() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    walk(root, |cursor, _| {
        let node = cursor.node();
        if node.is_error() {
            findings.push(error_finding(ctx, node));
            Step::Over
        } else if node.is_missing() {
            findings.push(missing_finding(ctx, node));
            Step::Over
        } else if node.has_error() {
            Step::Into
        } else {
            Step::Over
        }
    });
    findings
}

/// The leaves (tokens) of a node, in order, comments excluded.
fn tokens<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    walk(node, |cursor, _| {
        let n = cursor.node();
        if n.child_count() == 0 && n.kind() != "comment" && n.start_byte() < n.end_byte() {
            out.push(n);
        }
        if out.len() > 10_000 {
            Step::Stop
        } else {
            Step::Into
        }
    });
    out
}

/// Edit distance with transpositions (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The closest word of `candidates` to `word`, if it is a likely typo.
fn suggestion(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if word.chars().count() < 3 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (distance(&lower, c), *c))
        .filter(|(d, c)| *d > 0 || lower != *c)
        .filter(|(d, c)| *d <= if c.len() <= 4 { 1 } else { 2 })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Where a node sits, for messages: " in `allow read`", " in function
/// `isOwner`", " in `match /users/{userId}`".
fn context(ctx: &FileContext<'_>, node: Node<'_>) -> String {
    for n in ancestors(ctx.tree.root_node(), node).into_iter().rev() {
        match n.kind() {
            "allow_statement" => {
                let mut c = n.walk();
                let methods: Vec<&str> = n
                    .children_by_field_name("method", &mut c)
                    .map(|m| ctx.node_text(m))
                    .filter(|m| !m.is_empty())
                    .collect();
                return if methods.is_empty() {
                    " in this allow statement".to_string()
                } else {
                    format!(" in `allow {}`", methods.join(", "))
                };
            }
            "function_declaration" => {
                let name = n
                    .child_by_field_name("name")
                    .map_or("", |x| ctx.node_text(x));
                return format!(" in function `{name}`");
            }
            "match_block" => {
                let path = n
                    .child_by_field_name("path")
                    .map_or(String::new(), |x| shown(ctx, x));
                return format!(" in `match {path}`");
            }
            "service_declaration" => return " in the service block".to_string(),
            _ => {}
        }
    }
    String::new()
}

/// A token's text for a message, shortened.
fn shown(ctx: &FileContext<'_>, node: Node<'_>) -> String {
    let text = ctx.node_text(node);
    let first_line = text.lines().next().unwrap_or("");
    if first_line.chars().count() > 30 {
        format!("{}…", first_line.chars().take(30).collect::<String>())
    } else {
        first_line.to_string()
    }
}

/// The range to report for an ERROR with no better place: the node, cut
/// at the end of its first line.
fn first_line_range(ctx: &FileContext<'_>, node: Node<'_>) -> std::ops::Range<usize> {
    let text = ctx.node_text(node);
    let end = text
        .find(['\n', '\r'])
        .map_or(node.end_byte(), |i| node.start_byte() + i);
    node.start_byte()..end.max(node.start_byte())
}

fn error_finding(ctx: &FileContext<'_>, error: Node<'_>) -> Finding {
    let (range, message) = describe_error(ctx, error);
    Finding::new(&RULE, range, message)
}

/// What an ERROR region most likely means.
fn describe_error(ctx: &FileContext<'_>, error: Node<'_>) -> (std::ops::Range<usize>, String) {
    let toks = tokens(error);
    let Some(&first) = toks.first() else {
        return (
            error.byte_range(),
            format!("Syntax error{}.", context(ctx, error)),
        );
    };
    let text = |n: Node<'_>| ctx.node_text(n);
    let parent_kind = error.parent().map(|p| p.kind()).unwrap_or("");
    let in_allow = parent_kind == "allow_statement";

    // A misspelt keyword at the start of a statement: `alow`, `math`.
    for (i, tok) in toks.iter().enumerate() {
        if tok.kind() != "identifier" {
            continue;
        }
        let at_statement_start = i == 0 && !in_allow
            || i > 0 && matches!(text(toks[i - 1]), "{" | "}" | ";")
            || i > 0 && tok.start_position().row > toks[i - 1].end_position().row && !in_allow;
        if !at_statement_start {
            continue;
        }
        if let Some(keyword) = suggestion(text(*tok), KEYWORDS) {
            return (
                tok.byte_range(),
                format!(
                    "`{}` is not a keyword here: did you mean `{keyword}`?",
                    text(*tok)
                ),
            );
        }
    }

    // `allow reed: ...`: a method that does not exist.
    if let Some(i) = toks.iter().position(|t| text(*t) == "allow") {
        if let Some(method) = toks.get(i + 1).filter(|t| t.kind() == "identifier") {
            let hint = suggestion(text(*method), METHODS)
                .map(|m| format!(" Did you mean `{m}`?"))
                .unwrap_or_default();
            return (
                method.byte_range(),
                format!(
                    "`{}` is not an allow method: use read, write, get, list, create, update or delete.{hint}",
                    text(*method)
                ),
            );
        }
        if toks.get(i + 1).is_some_and(|t| text(*t) == ":") {
            return (
                toks[i].byte_range(),
                "This allow statement names no method: write `allow read: if …`, with methods among read, write, get, list, create, update and delete.".to_string(),
            );
        }
    }

    let first_text = text(first);
    let second_text = toks.get(1).map(|t| text(*t));
    let previous = error.prev_sibling();

    // `allow read write: ...`: a comma is missing between methods.
    if in_allow && METHODS.contains(&first_text) && previous.is_some_and(|p| p.kind() == "method") {
        let before = previous.map_or("", |p| ctx.node_text(p));
        return (
            first.byte_range(),
            format!("A comma is missing between the methods: write `{before}, {first_text}`."),
        );
    }

    // `allow list: x;` or `allow read if x;`.
    if in_allow
        && error
            .parent()
            .and_then(|p| p.child_by_field_name("condition"))
            .is_none()
    {
        if first_text == ":" && second_text != Some("if") {
            return (
                first.byte_range(),
                "The condition of an allow statement starts with `if`: write `allow <methods>: if <condition>;`.".to_string(),
            );
        }
        if first_text == "if" {
            return (
                first.byte_range(),
                "A `:` is missing before `if`: write `allow <methods>: if <condition>;`."
                    .to_string(),
            );
        }
    }

    // `a = b` in a condition: the `=` may come last in the region.
    let in_expression = ancestors(ctx.tree.root_node(), error)
        .into_iter()
        .rev()
        .map(|p| p.kind())
        .find(|k| {
            matches!(
                *k,
                "condition"
                    | "allow_statement"
                    | "return_statement"
                    | "let_declaration"
                    | "match_body"
                    | "service_body"
            )
        })
        .is_some_and(|k| matches!(k, "condition" | "allow_statement" | "return_statement"));
    if in_expression && first_text != "let" {
        let mut c = error.walk();
        let single = error.children(&mut c).find(|t| {
            let before = t.prev_sibling().or_else(|| error.prev_sibling());
            text(*t) == "=" && !before.is_some_and(|p| matches!(text(p), "==" | "!=" | "<" | ">"))
        });
        if let Some(eq) = single {
            return (
                eq.byte_range(),
                "`=` is not a comparison: use `==` to compare values.".to_string(),
            );
        }
    }

    // Operators from other languages.
    let operator_hint = match (first_text, second_text) {
        ("=", _) if previous.is_some_and(|p| matches!(ctx.node_text(p), "==" | "!=")) => {
            Some(format!(
                "Rules compare with `{}`, not `{}=`.",
                ctx.node_text(previous.unwrap()),
                ctx.node_text(previous.unwrap())
            ))
        }
        ("=", _) => Some("`=` is not a comparison: use `==` to compare values.".to_string()),
        ("&", _) => Some("`&` is not an operator here: use `&&` for \"and\".".to_string()),
        ("|", _) => Some("`|` is not an operator here: use `||` for \"or\".".to_string()),
        ("and", _) => Some("Use `&&` for \"and\".".to_string()),
        ("or", _) => Some("Use `||` for \"or\".".to_string()),
        ("&&" | "||", None) => Some(format!("`{first_text}` needs an operand on its right.")),
        (".", None) => Some("A field name is expected after `.`.".to_string()),
        _ => None,
    };
    if let Some(message) = operator_hint {
        let range = if toks.len() == 1 || first_text == "=" {
            first.byte_range()
        } else {
            first_line_range(ctx, error)
        };
        return (range, message);
    }

    // `rules_version = 2;`
    if toks.first().is_some_and(|t| text(*t) == "rules_version") {
        return (
            error.byte_range(),
            "The version is a string: write `rules_version = '2';`.".to_string(),
        );
    }

    // A function body that is not `let`s and a `return`.
    if parent_kind == "function_body" && !matches!(first_text, "return" | "let") {
        return (
            first_line_range(ctx, error),
            "A function body holds `let` statements and one `return`: write `return <expression>;`.".to_string(),
        );
    }

    // `match /a/{ }`, `match /a/{b=*}`...
    if parent_kind == "match_path"
        || parent_kind == "match_block" && toks.iter().any(|t| text(*t) == "/")
    {
        return (
            first_line_range(ctx, error),
            "This match path is not valid: its segments are names, `{wildcard}` or `{wildcard=**}`, separated by `/`.".to_string(),
        );
    }

    // Closing braces with nothing open.
    if toks.iter().all(|t| text(*t) == "}") {
        return (
            first.byte_range(),
            "This `}` closes nothing: there is one `}` too many.".to_string(),
        );
    }

    (
        first_line_range(ctx, error),
        format!(
            "Syntax error{}: unexpected `{}`.",
            context(ctx, error),
            shown(ctx, first)
        ),
    )
}

fn missing_finding(ctx: &FileContext<'_>, missing: Node<'_>) -> Finding {
    let at = missing.start_byte();
    let kind = missing.kind();
    let parent = missing.parent();
    let parent_kind = parent.map(|p| p.kind()).unwrap_or("");
    let mut related = Vec::new();
    let message = match kind {
        "}" | ")" | "]" => {
            let open = match kind {
                "}" => "{",
                ")" => "(",
                _ => "[",
            };
            let opening = parent.and_then(|p| {
                let mut c = p.walk();
                let found = p.children(&mut c).find(|n| ctx.node_text(*n) == open);
                found
            });
            let what = match parent_kind {
                "match_body" => parent
                    .and_then(|p| p.parent())
                    .and_then(|m| m.child_by_field_name("path"))
                    .map(|path| format!(" of `match {}`", ctx.node_text(path)))
                    .unwrap_or_default(),
                "service_body" => " of the service block".to_string(),
                "function_body" => parent
                    .and_then(|p| p.parent())
                    .and_then(|f| f.child_by_field_name("name"))
                    .map(|n| format!(" of function `{}`", ctx.node_text(n)))
                    .unwrap_or_default(),
                "wildcard" => " of a path wildcard".to_string(),
                _ => String::new(),
            };
            match opening {
                Some(o) => {
                    let pos = o.start_position();
                    related.push(Related {
                        path: None,
                        range: o.byte_range(),
                        message: format!("The `{open}` that is not closed."),
                    });
                    if matches!(parent_kind, "match_body" | "service_body" | "function_body") {
                        format!("This `{open}`{what} is never closed: a `{kind}` is missing.")
                    } else {
                        format!(
                            "A `{kind}` is missing: the `{open}`{what} on line {}, column {} is never closed.",
                            pos.row + 1,
                            pos.column + 1
                        )
                    }
                }
                None => format!("A `{kind}` is missing here."),
            }
        }
        "identifier" | "expression" | "string" | "integer" => match parent_kind {
            "condition" => "A condition is expected after `if`.".to_string(),
            "binary_expression" => {
                let op = parent
                    .and_then(|p| p.child_by_field_name("operator"))
                    .map_or("the operator", |o| ctx.node_text(o));
                format!("An operand is expected after `{op}`.")
            }
            "member_expression" => "A field name is expected after `.`.".to_string(),
            "return_statement" => "`return` needs a value.".to_string(),
            "let_declaration" => "A `let` needs a name and a value: `let name = value;`.".to_string(),
            "wildcard" => "A wildcard needs a name: `{name}` or `{name=**}`.".to_string(),
            "rules_version" => "The version is missing: write `rules_version = '2';`.".to_string(),
            _ => format!("An expression is expected here{}.", context(ctx, missing)),
        },
        _ if parent_kind == "method" => "This allow statement names no method: write `allow read: if …`, with methods among read, write, get, list, create, update and delete.".to_string(),
        _ => format!("`{kind}` is expected here{}.", context(ctx, missing)),
    };
    // A block left open is reported at its `{`: the parser notices the
    // missing `}` only where the file ends, after any comments.
    let block = matches!(parent_kind, "match_body" | "service_body" | "function_body");
    let range = match (kind, block, related.first()) {
        ("}", true, Some(open)) => {
            let open_range = open.range.clone();
            related = vec![Related {
                path: None,
                range: at..at,
                message: "The block is still open where the file ends.".to_string(),
            }];
            open_range
        }
        _ => at..at,
    };
    let mut finding = Finding::new(&RULE, range, message);
    finding.related = related;
    finding
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;

    fn messages(rules: &str) -> Vec<(usize, String)> {
        with_file("firestore.rules", rules, Language::FirebaseRules, check)
            .into_iter()
            .map(|f| (f.range.start, f.message))
            .collect()
    }

    fn one(rules: &str) -> String {
        let found = messages(rules);
        assert_eq!(found.len(), 1, "{rules}: {found:?}");
        found[0].1.clone()
    }

    fn wrap(body: &str) -> String {
        format!("service cloud.firestore {{\n  match /databases/{{database}}/documents {{\n    match /posts/{{postId}} {{\n      {body}\n    }}\n  }}\n}}\n")
    }

    #[test]
    fn empty_and_valid_files_are_not_errors() {
        assert!(messages("").is_empty());
        assert!(messages("// only a comment\n").is_empty());
        assert!(messages(&wrap("allow read: if true;")).is_empty());
    }

    #[test]
    fn explains_common_mistakes() {
        for (body, expected) in [
            (
                "allow list: request.query.limit <= 100;",
                "starts with `if`",
            ),
            ("allow reed: if true;", "`reed` is not an allow method"),
            ("allow reed: if true;", "Did you mean `read`?"),
            ("allow read: if request.auth.uid = userId;", "use `==`"),
            ("allow read: if a === b;", "not `===`"),
            ("allow read: if a & b;", "use `&&`"),
            ("allow read: if ;", "condition is expected after `if`"),
            ("allow read: if (a && b;", "A `)` is missing"),
            ("allow read write: if true;", "write `read, write`"),
            ("allow read if true;", "A `:` is missing before `if`"),
            ("alow read: if true;", "did you mean `allow`?"),
        ] {
            let message = one(&wrap(body));
            assert!(message.contains(expected), "{body}: {message}");
        }
    }

    #[test]
    fn an_unclosed_block_names_its_opening() {
        let message = one("service cloud.firestore {\n  match /databases/{database}/documents {\n    match /a/{b} {\n      allow read: if false;\n    }\n  }\n");
        assert!(
            message.contains("of the service block is never closed"),
            "{message}"
        );
        let found = messages(
            "service cloud.firestore {\n  match /a/{b} {\n    allow read: if false;\n  }\n",
        );
        assert_eq!(found[0].0, 24, "{found:?}");
    }

    #[test]
    fn one_finding_per_region() {
        let found = messages(&wrap("allow read: if a & b;\n      allow reed: if true;"));
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
