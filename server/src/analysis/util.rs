//! Small helpers over syntax trees and text shared by the rule checkers.

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use crate::analysis::FileContext;

/// The first named child of `node` of kind `kind`.
pub fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node.named_children(&mut cursor).find(|c| c.kind() == kind);
    found
}

/// Whether `node` has a child (named or not) of kind `kind`.
pub fn has_child(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).any(|c| c.kind() == kind);
    found
}

/// Calls `f` with every node of one of `kinds` under `node` (itself
/// included), in document order. One linear walk with a tree cursor: cheaper
/// than a query for "every node of this kind", and linear even in very deep
/// trees, where query cursors slow down.
pub fn for_each_node_of_kind<'t>(node: Node<'t>, kinds: &[&str], mut f: impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    loop {
        let n = cursor.node();
        if kinds.contains(&n.kind()) {
            f(n);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Runs `query` over the whole tree and calls `f` with each match's
/// captures as (capture name, node) pairs, considering only matches whose
/// first node is at most `max_start_depth` levels below the root (the root
/// is depth 0; `None` for any depth). Bounding the depth keeps query cursors
/// linear on deeply nested files, where they otherwise slow down sharply.
pub fn for_each_match_within<'t>(
    ctx: &FileContext<'t>,
    query: &Query,
    max_start_depth: Option<u32>,
    f: impl FnMut(&[(&str, Node<'t>)]),
) {
    for_each_match_under(ctx, query, ctx.tree.root_node(), max_start_depth, f)
}

/// Like [`for_each_match_within`], for the subtree of `node` (depths count
/// from `node`).
pub fn for_each_match_under<'t>(
    ctx: &FileContext<'t>,
    query: &Query,
    node: Node<'t>,
    max_start_depth: Option<u32>,
    mut f: impl FnMut(&[(&str, Node<'t>)]),
) {
    let mut cursor = QueryCursor::new();
    cursor.set_max_start_depth(max_start_depth);
    let names = query.capture_names();
    let mut matches = cursor.matches(query, node, ctx.text.as_bytes());
    let mut captures: Vec<(&str, Node<'t>)> = Vec::new();
    while let Some(m) = matches.next() {
        captures.clear();
        captures.extend(
            m.captures()
                .iter()
                .map(|c| (names[c.index as usize], c.node)),
        );
        f(&captures);
    }
}

/// The capture named `name` in a match's captures.
pub fn capture<'t>(captures: &[(&str, Node<'t>)], name: &str) -> Option<Node<'t>> {
    captures
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, node)| *node)
}

/// The whitespace that starts the line containing byte `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The line terminator the text uses (`"\r\n"` if its first line ends so,
/// `"\n"` otherwise).
pub fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The byte offset of the end of the line containing `offset`, before its
/// terminator.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}
