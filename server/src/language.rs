//! File kinds Moat understands, how they are detected, their tree-sitter
//! grammars, and the tree-sitter queries kept in `queries/`.
//!
//! Queries are embedded in the binary at build time (`include_str!`) and
//! compiled once per grammar on first use. The test `every_query_compiles`
//! compiles each of them, so a broken query fails the test suite, never a
//! user's editor.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use tree_sitter::{Parser, Query, Tree};

/// A kind of file Moat analyses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// JavaScript, including JSX (`.js .mjs .cjs .jsx`).
    JavaScript,
    /// TypeScript without JSX (`.ts .mts .cts`).
    TypeScript,
    /// TypeScript with JSX (`.tsx`); parsed with the TSX grammar, since TSX
    /// parsed as plain TypeScript gives errors on every element.
    Tsx,
    /// PostgreSQL / Supabase SQL (`.sql`).
    Sql,
    /// Firebase security rules (`firestore.rules`, `storage.rules`, `*.rules`).
    FirebaseRules,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: [Language; 5] = [
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Sql,
        Language::FirebaseRules,
    ];

    /// Detects the language from a file path (its extension or file name).
    /// Returns `None` for files Moat does not parse.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "sql" => Language::Sql,
            "rules" => Language::FirebaseRules,
            _ => return None,
        })
    }

    /// Detects the language from an LSP `languageId`, falling back to the
    /// path when the id is unknown or generic (`plaintext`), and from the
    /// path alone when the id is ambiguous (`typescriptreact` is always TSX;
    /// `typescript` on a `.tsx` path is TSX too).
    pub fn from_language_id(language_id: &str, path: Option<&Path>) -> Option<Language> {
        let by_path = path.and_then(Language::from_path);
        let by_id = match language_id {
            "javascript" | "javascriptreact" | "jsx" => Some(Language::JavaScript),
            "typescript" => Some(Language::TypeScript),
            "typescriptreact" | "tsx" => Some(Language::Tsx),
            "sql" | "pgsql" | "postgres" | "postgresql" | "plpgsql" => Some(Language::Sql),
            "firebase-rules" | "firebaserules" | "firestore" | "firestorerules" => {
                Some(Language::FirebaseRules)
            }
            _ => None,
        };
        match (by_id, by_path) {
            (Some(Language::TypeScript), Some(Language::Tsx)) => Some(Language::Tsx),
            (Some(id), _) => Some(id),
            (None, p) => p,
        }
    }

    /// A short lower-case name, used in messages and in `queries/<name>/`.
    pub fn name(self) -> &'static str {
        match self {
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Sql => "sql",
            Language::FirebaseRules => "firebase-rules",
        }
    }

    /// True for the JavaScript family (JS, TS, TSX), whose rules are shared.
    pub fn is_js_family(self) -> bool {
        matches!(
            self,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        )
    }

    /// The line-comment marker used by suppression comments.
    pub fn line_comment(self) -> &'static str {
        match self {
            Language::Sql => "--",
            _ => "//",
        }
    }

    /// The tree-sitter grammar for this language.
    pub fn ts_language(self) -> tree_sitter::Language {
        match self {
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Sql => tree_sitter_postgres::LANGUAGE.into(),
            Language::FirebaseRules => tree_sitter_firebase_rules::LANGUAGE.into(),
        }
    }
}

/// Whether a JavaScript file is minified or bundled build output: a
/// `.min.js` / `.min.mjs` / `.min.cjs` name, or more than 256 KiB of text
/// with a line longer than 5,000 bytes. Machine-written code has no routes
/// or handlers to judge, and parsing a multi-megabyte bundle costs seconds:
/// both front ends check such files as plain text (secrets only).
pub fn is_minified_js(path: &Path, text: &str) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if [".min.js", ".min.mjs", ".min.cjs"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return true;
    }
    text.len() > 256 * 1024 && text.split('\n').any(|line| line.len() > 5_000)
}

thread_local! {
    static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
}

/// Parses `text` (UTF-8) with `language`'s grammar, reusing this thread's
/// parser for that language. Returns `None` only if tree-sitter gives up
/// (it does not without a timeout or cancellation, which we never set).
pub fn parse(language: Language, text: &str, old_tree: Option<&Tree>) -> Option<Tree> {
    with_parser(language, |p| p.parse(text, old_tree))
}

/// Runs `f` with this thread's parser for `language`.
pub fn with_parser<R>(language: Language, f: impl FnOnce(&mut Parser) -> R) -> R {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = parsers.entry(language).or_insert_with(|| {
            let mut p = Parser::new();
            p.set_language(&language.ts_language())
                .expect("bundled grammar is compatible with the tree-sitter runtime");
            p
        });
        f(parser)
    })
}

/// A query source embedded from `queries/`.
struct QuerySource {
    /// The folder under `queries/`: the languages it applies to.
    dir: &'static str,
    /// The file name without `.scm`.
    name: &'static str,
    source: &'static str,
}

macro_rules! query_sources {
    ($( $dir:literal / $name:literal ),* $(,)?) => {
        &[$( QuerySource {
            dir: $dir,
            name: $name,
            source: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/queries/", $dir, "/", $name, ".scm")),
        } ),*]
    };
}

/// Every query file. `javascript/` queries apply to JavaScript, TypeScript
/// and TSX; `typescript/` ones to TypeScript and TSX; the others to their
/// own language.
const QUERY_SOURCES: &[QuerySource] =
    query_sources!["javascript" / "imports", "typescript" / "imports-ts",];

fn dir_applies(dir: &str, language: Language) -> bool {
    match dir {
        "javascript" => language.is_js_family(),
        "typescript" => matches!(language, Language::TypeScript | Language::Tsx),
        "sql" => language == Language::Sql,
        "firebase-rules" => language == Language::FirebaseRules,
        _ => false,
    }
}

/// One slot per (language, query file), compiled on first use: compiling
/// every query of the big TypeScript grammars up front costs a noticeable
/// part of a second, which a CLI run on three files or an editor starting
/// up should not pay for queries it never runs.
type QueryTable =
    HashMap<(Language, &'static str), (&'static QuerySource, OnceLock<Option<Query>>)>;

fn query_table() -> &'static QueryTable {
    static TABLE: OnceLock<QueryTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for lang in Language::ALL {
            for q in QUERY_SOURCES.iter().filter(|q| dir_applies(q.dir, lang)) {
                table.insert((lang, q.name), (q, OnceLock::new()));
            }
        }
        table
    })
}

/// The compiled query `name` (a file name under `queries/` without `.scm`)
/// for `language`. `None` if no such query applies to that language, or if
/// it failed to compile (which the test suite rules out).
pub fn query(language: Language, name: &'static str) -> Option<&'static Query> {
    let (source, slot) = query_table().get(&(language, name))?;
    slot.get_or_init(
        || match Query::new(&language.ts_language(), source.source) {
            Ok(query) => Some(query),
            Err(e) => {
                // Tested by `every_query_compiles`; never reached in a release.
                tracing::error!(
                    "query {}/{} does not compile for {}: {e}",
                    source.dir,
                    source.name,
                    language.name()
                );
                None
            }
        },
    )
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_javascript_is_recognised_by_name_or_shape() {
        assert!(is_minified_js(Path::new("dist/app.min.js"), "x"));
        assert!(!is_minified_js(Path::new("src/app.js"), "const a = 1;\n"));
        let bundle = "a".repeat(300 * 1024);
        assert!(is_minified_js(Path::new("bundle.js"), &bundle));
        let long_but_formatted = "const a = 1;\n".repeat(30_000);
        assert!(!is_minified_js(Path::new("big.js"), &long_but_formatted));
    }

    #[test]
    fn every_query_compiles() {
        for lang in Language::ALL {
            let ts = lang.ts_language();
            for q in QUERY_SOURCES.iter().filter(|q| dir_applies(q.dir, lang)) {
                if let Err(e) = Query::new(&ts, q.source) {
                    panic!("queries/{}/{}.scm for {}: {e}", q.dir, q.name, lang.name());
                }
                assert!(query(lang, q.name).is_some());
            }
        }
    }

    #[test]
    fn every_query_file_is_registered() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap();
            for file in std::fs::read_dir(dir.path()).unwrap() {
                let file = file.unwrap().path();
                let name = file.file_stem().unwrap().to_str().unwrap();
                let d = dir.file_name();
                assert!(
                    QUERY_SOURCES
                        .iter()
                        .any(|q| q.dir == d.to_str().unwrap() && q.name == name),
                    "{} is not listed in QUERY_SOURCES",
                    file.display()
                );
            }
        }
    }

    #[test]
    fn detection_by_path_and_language_id() {
        let p = |s: &str| Language::from_path(Path::new(s));
        assert_eq!(p("a/b.ts"), Some(Language::TypeScript));
        assert_eq!(p("a/b.MTS"), Some(Language::TypeScript));
        assert_eq!(p("b.cts"), Some(Language::TypeScript));
        assert_eq!(p("b.tsx"), Some(Language::Tsx));
        assert_eq!(p("b.jsx"), Some(Language::JavaScript));
        assert_eq!(p("b.mjs"), Some(Language::JavaScript));
        assert_eq!(p("b.cjs"), Some(Language::JavaScript));
        assert_eq!(p("m/001_init.sql"), Some(Language::Sql));
        assert_eq!(p("firestore.rules"), Some(Language::FirebaseRules));
        assert_eq!(p("storage.rules"), Some(Language::FirebaseRules));
        assert_eq!(p("x/custom.rules"), Some(Language::FirebaseRules));
        assert_eq!(p("README.md"), None);
        assert_eq!(p("Makefile"), None);
        let id = |id: &str, path: &str| Language::from_language_id(id, Some(Path::new(path)));
        assert_eq!(id("typescriptreact", "a.tsx"), Some(Language::Tsx));
        assert_eq!(id("typescript", "a.tsx"), Some(Language::Tsx));
        assert_eq!(id("typescript", "a.ts"), Some(Language::TypeScript));
        assert_eq!(
            id("plaintext", "firestore.rules"),
            Some(Language::FirebaseRules)
        );
        assert_eq!(id("sql", "untitled"), Some(Language::Sql));
        assert_eq!(id("markdown", "a.md"), None);
    }

    #[test]
    fn tsx_needs_the_tsx_grammar() {
        let text = "const a = <div>{x as number}</div>;\n";
        let tsx = parse(Language::Tsx, text, None).unwrap();
        assert!(!tsx.root_node().has_error());
        let ts = parse(Language::TypeScript, text, None).unwrap();
        assert!(ts.root_node().has_error());
    }
}
