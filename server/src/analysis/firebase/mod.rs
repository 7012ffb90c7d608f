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

/// Where a statement sits: the `match` blocks around it and the service.
///
/// Built top-down by [`for_each_allow`]: tree-sitter nodes have no parent
/// pointers (`Node::parent` searches down from the root), so walking up from
/// every statement costs depth² on deeply nested files.
#[derive(Clone, Debug, Default)]
pub struct Scope<'t> {
    /// Enclosing `match_block`s, outermost first, with their cursor depths.
    matches: Vec<(Node<'t>, u32)>,
    /// The enclosing service: (is Cloud Storage, cursor depth).
    service: Option<(bool, u32)>,
}

/// How many enclosing matches a path in a message shows, innermost last.
const MAX_PATH_MATCHES: usize = 32;

impl<'t> Scope<'t> {
    /// Forgets the blocks that do not enclose a node at cursor depth `depth`.
    fn leave_to(&mut self, depth: u32) {
        while self.matches.last().is_some_and(|(_, d)| *d >= depth) {
            self.matches.pop();
        }
        if self.service.is_some_and(|(_, d)| d >= depth) {
            self.service = None;
        }
    }

    /// The enclosing `match_block`s, outermost first.
    pub fn matches(&self) -> impl DoubleEndedIterator<Item = Node<'t>> + '_ {
        self.matches.iter().map(|(n, _)| *n)
    }

    /// Inside `service firebase.storage` (rules about files) rather than
    /// `service cloud.firestore` (documents).
    pub fn is_storage(&self) -> bool {
        self.service.is_some_and(|(storage, _)| storage)
    }

    /// "file" for Cloud Storage, "document" for Firestore.
    pub fn noun(&self) -> &'static str {
        if self.is_storage() {
            "file"
        } else {
            "document"
        }
    }

    /// The full path the statement governs, outermost match first, as
    /// written: `/databases/{database}/documents/users/{userId}`. Beyond
    /// [`MAX_PATH_MATCHES`] levels the outer part is shown as `…`.
    pub fn full_path(&self, ctx: &FileContext<'_>) -> String {
        let skip = self.matches.len().saturating_sub(MAX_PATH_MATCHES);
        let mut out = String::from(if skip > 0 { "…" } else { "" });
        for m in self.matches().skip(skip) {
            if let Some(p) = m.child_by_field_name("path") {
                out.extend(ctx.node_text(p).split_whitespace());
            }
        }
        out
    }

    /// The wildcard that names the user who owns what the statement
    /// governs: the innermost single-segment wildcard of the enclosing
    /// matches whose name says so: `uid` or a name ending in `Uid`, or
    /// `user`, `owner`, `author`, `account`, `member`, `profile`, `creator`,
    /// alone or followed by `Id`. `None` when no wildcard names a user: then
    /// an owner check cannot be written from the path alone.
    pub fn owner_wildcard<'a>(&self, ctx: &FileContext<'a>) -> Option<&'a str> {
        const OWNER_WORDS: &[&str] = &[
            "user", "owner", "author", "account", "member", "profile", "creator",
        ];
        let names_a_user = |name: &str| {
            let lower = name.to_ascii_lowercase();
            lower.ends_with("uid")
                || lower.ends_with("userid")
                || OWNER_WORDS
                    .iter()
                    .any(|w| lower == *w || lower.strip_prefix(w) == Some("id"))
        };
        self.matches().rev().take(MAX_PATH_MATCHES).find_map(|m| {
            wildcards(ctx, m)
                .into_iter()
                .rev()
                .find(|w| !w.recursive && names_a_user(w.name))
                .map(|w| w.name)
        })
    }
}

/// Calls `f` with every `allow_statement` of the file and its [`Scope`], in
/// document order, in one linear walk of the tree.
pub fn for_each_allow<'t>(ctx: &FileContext<'t>, mut f: impl FnMut(Node<'t>, &Scope<'t>)) {
    let mut cursor = ctx.tree.root_node().walk();
    let mut scope = Scope::default();
    // Counted here: `TreeCursor::depth` recounts the ancestors on every call.
    let mut depth = 0u32;
    loop {
        let node = cursor.node();
        scope.leave_to(depth);
        let mut descend = true;
        match node.kind() {
            "service_declaration" => {
                let storage = node
                    .child_by_field_name("name")
                    .is_some_and(|name| ctx.node_text(name).contains("storage"));
                scope.service = Some((storage, depth));
            }
            "match_block" => scope.matches.push((node, depth)),
            "allow_statement" => {
                f(node, &scope);
                descend = false;
            }
            _ => {}
        }
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
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
