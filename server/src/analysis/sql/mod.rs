//! Rules on PostgreSQL / Supabase SQL migrations, and the helpers they share
//! for reading tree-sitter-postgres trees (which have no field names; node
//! kinds follow PostgreSQL's own grammar, `gram.y`).

pub mod model;
pub mod rls_disabled;
pub mod statements;

use tree_sitter::Node;

use crate::analysis::util::child_of_kind;
use crate::analysis::FileContext;

/// A schema-qualified relation name as PostgreSQL resolves it: unquoted
/// identifiers folded to lower case, quoted ones kept as written (with `""`
/// unescaped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QualifiedName {
    /// The schema, `None` when the name is unqualified (which means `public`
    /// under Supabase's default `search_path`).
    pub schema: Option<String>,
    /// The relation's own name.
    pub name: String,
}

impl QualifiedName {
    /// Whether the name resolves to schema `public` (explicitly or by being
    /// unqualified).
    pub fn is_public(&self) -> bool {
        self.schema.as_deref().is_none_or(|s| s == "public")
    }

    /// Whether two names denote the same relation, treating an unqualified
    /// name as `public`.
    pub fn same_relation(&self, other: &QualifiedName) -> bool {
        self.name == other.name
            && self.schema.as_deref().unwrap_or("public")
                == other.schema.as_deref().unwrap_or("public")
    }
}

/// Folds one identifier as PostgreSQL does.
pub fn fold_identifier(text: &str) -> String {
    let text = text.trim();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        text[1..text.len() - 1].replace("\"\"", "\"")
    } else {
        text.to_lowercase()
    }
}

/// Reads a `qualified_name` node (`ColId` then an optional `indirection` of
/// `.attr_name` parts). For three-part names the last two parts are kept.
pub fn qualified_name(ctx: &FileContext<'_>, node: Node<'_>) -> Option<QualifiedName> {
    let first = child_of_kind(node, "ColId")?;
    let mut parts = vec![fold_identifier(ctx.node_text(first))];
    if let Some(ind) = child_of_kind(node, "indirection") {
        let mut stack = vec![ind];
        // indirection nests indirection_el nodes, each holding one attr_name.
        let mut cursor = ind.walk();
        let mut els = Vec::new();
        while let Some(n) = stack.pop() {
            for c in n.named_children(&mut cursor) {
                if c.kind() == "attr_name" {
                    els.push(c);
                } else {
                    stack.push(c);
                }
            }
        }
        els.sort_by_key(|n| n.start_byte());
        parts.extend(els.into_iter().map(|n| fold_identifier(ctx.node_text(n))));
    }
    let name = parts.pop()?;
    Some(QualifiedName {
        schema: parts.pop(),
        name,
    })
}

/// Reads a dotted name in a statement parsed alone
/// ([`statements::Statement`]; `text` is the whole file's text): a
/// `qualified_name`, `any_name`, `func_name`, `relation_expr` (with or
/// without `only`), `function_with_argtypes` (its name; the argument types
/// are not part of it), `create_as_target` or `create_mv_target`. Folded like
/// [`qualified_name`]; for three-part names the last two parts are kept.
pub fn statement_name(
    text: &str,
    statement: &statements::Statement,
    node: Node<'_>,
) -> Option<QualifiedName> {
    let node = match node.kind() {
        "relation_expr" => child_of_kind(node, "qualified_name").or_else(|| {
            child_of_kind(node, "extended_relation_expr")
                .and_then(|e| child_of_kind(e, "qualified_name"))
        })?,
        "extended_relation_expr" | "create_as_target" | "create_mv_target" => {
            child_of_kind(node, "qualified_name")?
        }
        "function_with_argtypes" => child_of_kind(node, "func_name").unwrap_or(node),
        _ => node,
    };
    let part = |n: Node<'_>| fold_identifier(text.get(statement.file_range(n)).unwrap_or(""));
    let mut parts = Vec::new();
    let mut cursor = node.walk();
    for c in node.named_children(&mut cursor) {
        match c.kind() {
            "ColId" | "type_function_name" | "ColLabel" | "identifier" | "NonReservedWord"
                if parts.is_empty() =>
            {
                parts.push(part(c))
            }
            "indirection" | "attrs" => crate::analysis::util::walk(c, |cur, _| {
                if cur.node().kind() == "attr_name" {
                    parts.push(part(cur.node()));
                    crate::analysis::util::Step::Over
                } else {
                    crate::analysis::util::Step::Into
                }
            }),
            _ => {}
        }
    }
    if parts.is_empty() && matches!(node.kind(), "name" | "ColId") {
        parts.push(part(node));
    }
    let name = parts.pop().filter(|n| !n.is_empty())?;
    Some(QualifiedName {
        schema: parts.pop(),
        name,
    })
}

/// Whether the SQL file is part of a Supabase project, where tables in
/// `public` are exposed through the Data API: its path has a `supabase`
/// folder (`supabase/migrations/...`), or its text uses Supabase's schemas,
/// roles or row level security (`auth.users`, `auth.uid()`, `anon`,
/// `authenticated`, `service_role`, `storage.objects`, `create policy`,
/// `row level security`, or the word `supabase`).
///
/// A plain Postgres app (a Prisma or Rails migration with none of these)
/// has no anonymous API in front of its tables, so RLS rules stay quiet.
pub fn is_supabase_facing(ctx: &FileContext<'_>) -> bool {
    is_supabase_file(ctx.path, ctx.text)
}

/// [`is_supabase_facing`] for a path and text.
pub fn is_supabase_file(path: &std::path::Path, text: &str) -> bool {
    if path.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("supabase"))
    }) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "auth.users",
        "auth.uid(",
        "auth.jwt(",
        "auth.role(",
        "storage.objects",
        "storage.buckets",
        "supabase",
        "service_role",
        "row level security",
        "create policy",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || has_word(&lower, "anon")
        || has_word(&lower, "authenticated")
}

/// Whether the SQL workspace belongs to a Supabase project: any of its
/// files is Supabase-facing ([`is_supabase_file`]). A table created in a
/// plain file and secured in a `supabase/migrations` one is then judged
/// with the rest of the project.
pub fn is_supabase_project(ws: &crate::analysis::workspace::SqlWorkspace) -> bool {
    ws.supabase
}

/// Whether `word` occurs in `text` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The `toplevel_stmt` (or other direct child of the root) containing
/// `node`, which is where a statement's trailing `;` is a sibling.
pub fn statement_root(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.parent().is_none() {
            return n;
        }
        n = p;
    }
    n
}

/// The byte offset just after the statement containing `node`, including
/// its `;` when it has one.
pub fn statement_end(node: Node<'_>) -> usize {
    let stmt = statement_root(node);
    match stmt.next_sibling() {
        Some(s) if s.kind() == ";" => s.end_byte(),
        _ => stmt.end_byte(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};
    use std::path::Path;

    fn facing(path: &str, text: &str) -> bool {
        let tree = parse(Language::Sql, text, None).unwrap();
        is_supabase_facing(&FileContext::new(
            Path::new(path),
            text,
            &tree,
            Language::Sql,
        ))
    }

    #[test]
    fn supabase_projects_are_told_apart_from_plain_postgres() {
        let plain = "create table users (id int, is_authenticated bool, anonymous int);";
        assert!(!facing("prisma/migrations/1/migration.sql", plain));
        assert!(facing("supabase/migrations/20240101_init.sql", plain));
        assert!(facing("db/x.sql", "grant select on t to anon;"));
        assert!(facing(
            "db/x.sql",
            "create policy p on t using (auth.uid() = owner);"
        ));
        assert!(facing(
            "db/x.sql",
            "create table t (id uuid references auth.users);"
        ));
        assert!(!facing(
            "db/x.sql",
            "create table anonymous_stats (id int);"
        ));
    }

    #[test]
    fn identifiers_fold_like_postgres() {
        assert_eq!(fold_identifier("Users"), "users");
        assert_eq!(fold_identifier("\"Users\""), "Users");
        assert_eq!(fold_identifier("\"a\"\"b\""), "a\"b");
    }
}
