//! Rules on Firebase security rules (`firestore.rules`, `storage.rules`),
//! and the helpers they share for reading the grammar in
//! `grammars/tree-sitter-firebase-rules` (see its README for node kinds).

pub mod allow_if_true;

use tree_sitter::Node;

use crate::analysis::FileContext;

/// One wildcard of a match path: `{userId}` or `{rest=**}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wildcard<'a> {
    /// The bound name.
    pub name: &'a str,
    /// `{name=**}`: matches the rest of the path.
    pub recursive: bool,
}

/// How many enclosing `match` blocks are looked at. Real rules nest a
/// handful deep; the cap keeps a pathological file from making every
/// statement walk thousands of ancestors.
const MAX_MATCH_DEPTH: usize = 32;

/// The `match_block`s enclosing `node`, innermost first (at most
/// [`MAX_MATCH_DEPTH`] of them).
pub fn enclosing_matches(node: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind() == "match_block" {
            out.push(p);
            if out.len() == MAX_MATCH_DEPTH {
                break;
            }
        }
        n = p.parent();
    }
    out
}

/// Whether `node` is inside `service firebase.storage` (Cloud Storage
/// rules govern files) rather than `service cloud.firestore` (documents).
pub fn is_storage(ctx: &FileContext<'_>, node: Node<'_>) -> bool {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind() == "service_declaration" {
            return p
                .child_by_field_name("name")
                .is_some_and(|name| ctx.node_text(name).contains("storage"));
        }
        n = p.parent();
    }
    false
}

/// The full path that `node` sits under, outermost match first, as written:
/// `/databases/{database}/documents/users/{userId}`.
pub fn full_path(ctx: &FileContext<'_>, node: Node<'_>) -> String {
    let mut matches = enclosing_matches(node);
    matches.reverse();
    matches
        .iter()
        .filter_map(|m| m.child_by_field_name("path"))
        .map(|p| ctx.node_text(p).split_whitespace().collect::<String>())
        .collect()
}

/// The wildcards of one `match_path`, in order.
pub fn wildcards<'a>(ctx: &FileContext<'a>, match_block: Node<'_>) -> Vec<Wildcard<'a>> {
    let Some(path) = match_block.child_by_field_name("path") else {
        return Vec::new();
    };
    let mut cursor = path.walk();
    let list: Vec<Wildcard<'a>> = path
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "wildcard")
        .filter_map(|w| {
            Some(Wildcard {
                name: ctx.node_text(w.child_by_field_name("name")?),
                recursive: w.child_by_field_name("recursive").is_some(),
            })
        })
        .collect();
    list
}

/// The wildcard that names the user who owns the documents `node`
/// governs: the innermost single-segment wildcard of the enclosing matches
/// whose name says so: `uid` or a name ending in `Uid`, or `user`, `owner`,
/// `author`, `account`, `member`, `profile`, `creator`, alone or followed by
/// `Id`. `None` when no wildcard names a user: then an owner check cannot be
/// written from the path alone.
pub fn owner_wildcard<'a>(ctx: &FileContext<'a>, node: Node<'_>) -> Option<&'a str> {
    const OWNER_WORDS: &[&str] = &[
        "user", "owner", "author", "account", "member", "profile", "creator",
    ];
    let names_a_user = |name: &str| {
        let lower = name.to_ascii_lowercase();
        lower.ends_with("uid")
            || OWNER_WORDS
                .iter()
                .any(|w| lower == *w || lower.strip_prefix(w) == Some("id"))
            || lower.strip_suffix("userid").is_some()
    };
    enclosing_matches(node).into_iter().find_map(|m| {
        wildcards(ctx, m)
            .into_iter()
            .rev()
            .find(|w| !w.recursive && names_a_user(w.name))
            .map(|w| w.name)
    })
}

/// The method keywords of an `allow_statement`, as written.
pub fn methods<'a>(ctx: &FileContext<'a>, allow: Node<'_>) -> Vec<&'a str> {
    let mut cursor = allow.walk();
    let list: Vec<&'a str> = allow
        .children_by_field_name("method", &mut cursor)
        .map(|m| ctx.node_text(m))
        .collect();
    list
}

/// Strips parentheses around an expression.
pub fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.child_by_field_name("expression") {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}
