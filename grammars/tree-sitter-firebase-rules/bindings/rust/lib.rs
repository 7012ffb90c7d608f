//! Firebase security rules (Cloud Firestore, Cloud Storage) grammar for tree-sitter.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_firebase_rules::LANGUAGE.into())
//!     .expect("load the Firebase rules grammar");
//! let tree = parser.parse("service cloud.firestore {}", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```
//!
//! The node kinds and fields are described in the crate's `README.md`.
use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_firebase_rules() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for Firebase security rules.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_firebase_rules) };

/// The content of the [`node-types.json`] file for this grammar.
///
/// [`node-types.json`]: https://tree-sitter.github.io/tree-sitter/using-parsers/6-static-node-types
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The syntax highlighting query for this grammar.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

#[cfg(test)]
mod tests {
    use tree_sitter::{Language, Node, Parser, Query, QueryCursor, StreamingIterator, Tree};

    fn language() -> Language {
        super::LANGUAGE.into()
    }

    fn parse(source: &str) -> Tree {
        let mut parser = Parser::new();
        parser
            .set_language(&language())
            .expect("the Firebase rules grammar loads");
        parser.parse(source, None).expect("parse returns a tree")
    }

    /// Every ERROR or MISSING node, as "KIND at ROW:COL".
    fn problems(node: Node, out: &mut Vec<String>) {
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            out.push(format!("{} at {}:{}", node.kind(), p.row + 1, p.column + 1));
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            problems(child, out);
        }
    }

    fn assert_clean(source: &str) -> Tree {
        let tree = parse(source);
        let mut found = Vec::new();
        problems(tree.root_node(), &mut found);
        assert!(
            found.is_empty() && !tree.root_node().has_error(),
            "unexpected syntax errors {found:?} in\n{}",
            tree.root_node().to_sexp()
        );
        tree
    }

    const SAMPLE: &str = r#"rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isAdmin() {
      let profile = get(/databases/$(database)/documents/users/$(request.auth.uid));
      return profile.data.role == 'admin';
    }
    match /{document=**} {
      allow read, write;
    }
    match /posts/{postId} {
      allow read: if true;
      allow create: if request.auth != null
        && request.resource.data.keys().hasOnly(['title', 'body'])
        && request.resource.data.title is string;
      allow delete: if isAdmin()
    }
  }
}
"#;

    #[test]
    fn loads_and_parses_without_errors() {
        let tree = assert_clean(SAMPLE);
        assert_eq!(tree.root_node().kind(), "source_file");
    }

    #[test]
    fn allow_without_condition_has_no_condition_field() {
        let tree = assert_clean(SAMPLE);
        let query = Query::new(
            &language(),
            "(allow_statement !condition) @open
             (allow_statement condition: (condition expression: (true))) @if_true",
        )
        .expect("query compiles");
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&query, tree.root_node(), SAMPLE.as_bytes());
        let mut seen = Vec::new();
        while let Some(m) = matches.next() {
            for capture in m.captures() {
                let name = query.capture_names()[capture.index as usize];
                let node = capture.node;
                let methods: Vec<&str> = {
                    let mut c = node.walk();
                    node.children_by_field_name("method", &mut c)
                        .map(|n| n.utf8_text(SAMPLE.as_bytes()).unwrap())
                        .collect()
                };
                seen.push(format!("{name}:{}", methods.join(",")));
            }
        }
        seen.sort();
        assert_eq!(seen, ["if_true:read", "open:read,write"]);
    }

    #[test]
    fn recursive_wildcard_and_path_literal() {
        let tree = assert_clean(SAMPLE);
        let query = Query::new(
            &language(),
            "(wildcard name: (identifier) @name recursive: (recursive_marker))
             (path (interpolation expression: (_) @interpolated))",
        )
        .expect("query compiles");
        let mut cursor = QueryCursor::new();
        let mut captures = cursor.captures(&query, tree.root_node(), SAMPLE.as_bytes());
        let mut texts = Vec::new();
        while let Some((m, i)) = captures.next() {
            texts.push(
                m.captures()[*i]
                    .node
                    .utf8_text(SAMPLE.as_bytes())
                    .unwrap()
                    .to_string(),
            );
        }
        assert_eq!(texts, ["database", "request.auth.uid", "document"]);
    }

    #[test]
    fn storage_rules_parse() {
        assert_clean(
            "rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /uploads/{uid}/{file} {
      allow write: if request.auth.uid == uid
        && request.resource.size < 5 * 1024 * 1024
        && request.resource.contentType.matches('image/.*');
    }
  }
}
",
        );
    }

    #[test]
    fn broken_rule_is_reported_and_the_rest_survives() {
        let source = "service cloud.firestore {
  match /databases/{database}/documents {
    allow read: if (a && b;
    allow write: if false;
  }
}
";
        let tree = parse(source);
        let mut found = Vec::new();
        problems(tree.root_node(), &mut found);
        assert!(!found.is_empty(), "{}", tree.root_node().to_sexp());
        let sexp = tree.root_node().to_sexp();
        assert!(
            sexp.contains(
                "(allow_statement method: (method) condition: (condition expression: (false)))"
            ),
            "{sexp}"
        );
    }

    #[test]
    fn bundled_queries_compile() {
        Query::new(&language(), super::HIGHLIGHTS_QUERY).expect("highlights.scm compiles");
        assert!(super::NODE_TYPES.contains("\"allow_statement\""));
    }
}
