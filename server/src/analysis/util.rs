//! Small helpers over syntax trees and text shared by the rule checkers.

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, TreeCursor};

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

/// What [`walk`] does after visiting a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Visit the node's children next (a leaf has none).
    Into,
    /// Skip the node's children.
    Over,
    /// End the walk.
    Stop,
}

/// Calls `visit` with a cursor on `node` and on each of its descendants, in
/// document order, and the cursor's depth below `node` (`node` is 0); what
/// `visit` returns decides whether the walk enters the node's children.
/// The cursor tells the field a node fills (`TreeCursor::field_name`).
///
/// One tree cursor, no recursion and no `Node::parent` (which walks down
/// from the root on every call): linear even in very deep trees, and
/// cheaper than a query for "every node of this kind". The depth is counted
/// here, since `TreeCursor::depth` recounts the ancestors on every call.
pub fn walk<'t>(node: Node<'t>, mut visit: impl FnMut(&TreeCursor<'t>, u32) -> Step) {
    let mut cursor = node.walk();
    let mut depth = 0u32;
    loop {
        match visit(&cursor, depth) {
            Step::Stop => return,
            Step::Into if cursor.goto_first_child() => {
                depth += 1;
                continue;
            }
            Step::Into | Step::Over => {}
        }
        // A cursor never leaves the node it was made from: at `node`
        // itself both moves fail.
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}

/// Calls `f` with every node of one of `kinds` under `node` (itself
/// included), in document order, in one [`walk`].
pub fn for_each_node_of_kind<'t>(node: Node<'t>, kinds: &[&str], mut f: impl FnMut(Node<'t>)) {
    walk(node, |cursor, _| {
        let n = cursor.node();
        if kinds.contains(&n.kind()) {
            f(n);
        }
        Step::Into
    });
}

/// The ancestors of `node` from `root` down to its parent (empty when
/// `node` is `root` or not inside it), found from the top, one
/// `child_with_descendant` step per level: `Node::parent` walks down from
/// the root of the tree on every call, so climbing with it is quadratic in
/// the depth.
pub fn ancestors<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut current = root;
    while current != node {
        if !(current.start_byte() <= node.start_byte() && node.end_byte() <= current.end_byte()) {
            return Vec::new();
        }
        out.push(current);
        match current.child_with_descendant(node) {
            Some(child) if child != current => current = child,
            _ => return Vec::new(),
        }
    }
    out
}

/// Runs `query` over the subtree of `node` and calls `f` with each match's
/// captures as (capture name, node) pairs, considering only matches whose
/// first node is at most `max_start_depth` levels below `node` (`None` for
/// any depth). Bounding the depth keeps query cursors linear on deeply
/// nested files, where they otherwise slow down sharply.
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

/// The one-based number of the line holding byte `offset` (lines end at
/// `\n`); an offset past the end counts the lines of the whole text.
pub fn line_number(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
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
