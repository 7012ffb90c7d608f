//! Rules on PostgreSQL / Supabase SQL migrations, and the helpers they share
//! for reading tree-sitter-postgres trees (which have no field names; node
//! kinds follow PostgreSQL's own grammar, `gram.y`).

pub mod rls_disabled;

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
