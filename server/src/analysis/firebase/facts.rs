//! Facts about what an `allow` condition looks at, and the edits several
//! rules make to an allow (appending a clause, splitting one statement into
//! two).
//!
//! [`reach`] walks every node a condition reaches, following calls and
//! `let`s as [`condition::evaluate`](super::condition::evaluate) does, and
//! tells, for each node, where in the allow's own condition it was reached
//! from (the node itself, or the call or `let` name that led there: the
//! place to report and fix), and how to read a reference with the
//! parameters and `let`s substituted: inside `function valid(data) {
//! return data.size() < 10; }` called as `valid(request.resource.data)`,
//! `data.size()` reads as `request.resource.data.size()`
//! ([`Frame::canonical`]).

use tree_sitter::Node;

use crate::analysis::firebase::condition::{call_arguments, evaluate, Access, MAX_CALL_DEPTH};
use crate::analysis::firebase::model::{Allow, Op, Ops, RulesFile};
use crate::analysis::firebase::unparenthesize;
use crate::analysis::util::{ancestors, line_indent, newline_of, walk, Step};
use crate::analysis::FileContext;
use crate::fix::Edit;

/// How many nodes [`reach`] visits at most for one allow: real conditions
/// are a few hundred nodes; the cap bounds the work on pathological files.
const MAX_REACHED_NODES: usize = 50_000;

/// Where a reached node sits: the names bound around it and the place in
/// the allow's own condition that led to it.
#[derive(Clone, Debug)]
pub struct Frame<'t> {
    /// Parameter and `let` names bound here, with the compact text of
    /// their values (already substituted).
    bindings: Vec<(&'t str, String)>,
    /// The node of the allow's own condition through which this frame was
    /// reached (a call, or a match-level `let` name); `None` for the
    /// condition itself.
    via: Option<Node<'t>>,
    depth: u32,
}

impl<'t> Frame<'t> {
    /// Where to report something found at `node`: `node` itself when it is
    /// in the allow's own condition, else the call or name there that
    /// leads to it.
    pub fn anchor(&self, node: Node<'t>) -> Node<'t> {
        self.via.unwrap_or(node)
    }

    /// Whether the frame is the allow's own condition.
    pub fn is_own(&self) -> bool {
        self.via.is_none()
    }

    fn lookup(&self, name: &str) -> Option<&str> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of `node` without whitespace, its leftmost name replaced
    /// by the value bound to it: `data.size()` reads as
    /// `request.resource.data.size()` when `data` is bound to
    /// `request.resource.data`.
    pub fn canonical(&self, ctx: &FileContext<'t>, node: Node<'t>) -> String {
        let node = unparenthesize(node);
        let compact = compact(ctx, node);
        let root = root_identifier(node);
        if let Some(root) = root {
            let name = ctx.node_text(root);
            if let Some(value) = self.lookup(name) {
                if let Some(rest) = compact.strip_prefix(name) {
                    return format!("{value}{rest}");
                }
            }
        }
        compact
    }
}

/// The text of a node with whitespace removed.
/// Longer texts are cut: the shapes rules look for are short, and
/// compacting every node of a deeply nested expression in full would be
/// quadratic.
const MAX_COMPACT: usize = 1024;

/// The text of a node with whitespace removed (at most about
/// [`MAX_COMPACT`] bytes of it).
pub fn compact(ctx: &FileContext<'_>, node: Node<'_>) -> String {
    let text = ctx.node_text(node);
    let mut end = text.len().min(MAX_COMPACT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].split_whitespace().collect()
}

/// The identifier a member, call or index chain starts from: `request` in
/// `request.auth.uid`, `data` in `data.keys().hasOnly([...])`.
fn root_identifier(mut node: Node<'_>) -> Option<Node<'_>> {
    loop {
        node = match node.kind() {
            "identifier" => return Some(node),
            "member_expression" | "index_expression" | "slice_expression" => {
                node.child_by_field_name("object")?
            }
            "call_expression" => node.child_by_field_name("function")?,
            _ => return None,
        };
    }
}

/// Calls `f` with every node the condition of `allow` reaches (its own
/// nodes, then the bodies of called functions and the values of `let`s,
/// with their parameters bound), and the frame it was reached in.
pub fn reach<'t>(
    ctx: &FileContext<'t>,
    model: &RulesFile<'t>,
    allow: &Allow<'t>,
    mut f: impl FnMut(&Frame<'t>, Node<'t>),
) {
    let Some(expr) = allow.expression else { return };
    let mut walker = Walker {
        ctx,
        model,
        scope: allow.match_index,
        budget: MAX_REACHED_NODES,
        entered: Vec::new(),
        match_lets: Vec::new(),
    };
    // Match-level lets, in order, each read in the bindings before it.
    let mut top = Frame {
        bindings: Vec::new(),
        via: None,
        depth: 0,
    };
    for (name, value) in model.visible_lets(allow.match_index) {
        let text = top.canonical(ctx, value);
        top.bindings.push((name, text));
        walker.match_lets.push((name, value));
    }
    walker.walk(&top, expr, &mut f);
}

struct Walker<'a, 't> {
    ctx: &'a FileContext<'t>,
    model: &'a RulesFile<'t>,
    scope: Option<usize>,
    budget: usize,
    /// Frames already walked: (function or let node id, via node id,
    /// bindings), so the same call is not walked twice.
    entered: Vec<(usize, Option<usize>, Vec<String>)>,
    match_lets: Vec<(&'t str, Node<'t>)>,
}

impl<'t> Walker<'_, 't> {
    fn walk(
        &mut self,
        frame: &Frame<'t>,
        root: Node<'t>,
        f: &mut impl FnMut(&Frame<'t>, Node<'t>),
    ) {
        walk(root, |cursor, _| {
            if self.budget == 0 {
                return Step::Stop;
            }
            self.budget -= 1;
            let node = cursor.node();
            f(frame, node);
            match node.kind() {
                "call_expression" => self.enter_call(frame, node, f),
                // A name used as a value, not the property in `a.name`.
                "identifier" if frame.is_own() && cursor.field_name() != Some("property") => {
                    self.enter_let(frame, node, f)
                }
                _ => {}
            }
            Step::Into
        });
    }

    /// A match-level `let` named in the allow's own condition: its value,
    /// reached through the name.
    fn enter_let(
        &mut self,
        frame: &Frame<'t>,
        node: Node<'t>,
        f: &mut impl FnMut(&Frame<'t>, Node<'t>),
    ) {
        let name = self.ctx.node_text(node);
        let Some((_, value)) = self
            .match_lets
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .copied()
        else {
            return;
        };
        let key = (value.id(), Some(node.id()), Vec::new());
        if self.entered.contains(&key) {
            return;
        }
        self.entered.push(key);
        let inner = Frame {
            bindings: frame.bindings.clone(),
            via: Some(node),
            depth: frame.depth + 1,
        };
        self.walk(&inner, value, f);
    }

    /// A call to a function declared in the file: its `let`s and return
    /// value, with the parameters bound to the arguments.
    fn enter_call(
        &mut self,
        frame: &Frame<'t>,
        call: Node<'t>,
        f: &mut impl FnMut(&Frame<'t>, Node<'t>),
    ) {
        if frame.depth >= MAX_CALL_DEPTH {
            return;
        }
        let model = self.model;
        let Some(decl) = model.called_function(self.ctx, self.scope, call) else {
            return;
        };
        let args = call_arguments(call).unwrap_or_default();
        let mut inner = Frame {
            bindings: decl
                .bind(args)
                .map(|(p, a)| (p, frame.canonical(self.ctx, a)))
                .collect(),
            via: Some(frame.via.unwrap_or(call)),
            depth: frame.depth + 1,
        };
        let key = (
            decl.node.id(),
            inner.via.map(|v| v.id()),
            inner.bindings.iter().map(|(_, v)| v.clone()).collect(),
        );
        if self.entered.contains(&key) || self.entered.len() > 1024 {
            return;
        }
        self.entered.push(key);
        for (let_name, value) in &decl.lets {
            self.walk(&inner, *value, f);
            let text = inner.canonical(self.ctx, *value);
            inner.bindings.push((let_name, text));
        }
        if let Some(returns) = decl.returns {
            self.walk(&inner, returns, f);
        }
    }
}

/// `condition && extra`, with the condition parenthesized when it would
/// otherwise bind looser than `&&` (`a || b`, `a ? b : c`).
pub fn conjoin(ctx: &FileContext<'_>, expression: Node<'_>, extra: &str) -> String {
    let text = ctx.node_text(expression);
    if binds_looser_than_and(ctx, expression) {
        format!("({text}) && {extra}")
    } else {
        format!("{text} && {extra}")
    }
}

/// Whether an expression needs parentheses as an operand of `&&`.
pub fn binds_looser_than_and(ctx: &FileContext<'_>, expression: Node<'_>) -> bool {
    match expression.kind() {
        "conditional_expression" => true,
        "binary_expression" => expression
            .child_by_field_name("operator")
            .is_some_and(|o| ctx.node_text(o) == "||"),
        _ => false,
    }
}

/// The method nodes of an allow that grant any of `ops`.
pub fn methods_granting<'t>(ctx: &FileContext<'t>, allow: &Allow<'t>, ops: Ops) -> Vec<Node<'t>> {
    allow
        .methods
        .iter()
        .copied()
        .filter(|m| !Ops::of_method(ctx.node_text(*m)).intersect(ops).is_empty())
        .collect()
}

/// The byte range from the first to the last method of `allow` that grants
/// any of `ops`; the whole statement if none does.
pub fn methods_range<'t>(
    ctx: &FileContext<'t>,
    allow: &Allow<'t>,
    ops: Ops,
) -> std::ops::Range<usize> {
    let granting = methods_granting(ctx, allow, ops);
    match (granting.first(), granting.last()) {
        (Some(a), Some(b)) => a.start_byte()..b.end_byte(),
        _ => allow.node.byte_range(),
    }
}

/// A set of operations as method keywords: `read` and `write` when the set
/// holds all of theirs, the single methods otherwise (`read, update,
/// delete`).
pub fn methods_of(ops: Ops) -> String {
    let read = Ops::of_method("read");
    let write = Ops::of_method("write");
    let mut names: Vec<&str> = Vec::new();
    if ops.intersect(read) == read {
        names.push("read");
    } else {
        names.extend(ops.intersect(read).iter().map(Op::name));
    }
    if ops.intersect(write) == write {
        names.push("write");
    } else {
        names.extend(ops.intersect(write).iter().map(Op::name));
    }
    names.join(", ")
}

/// The operations of `a` that are not in `b`.
pub fn without(a: Ops, b: Ops) -> Ops {
    a.iter()
        .filter(|op| !b.contains(*op))
        .fold(Ops::NONE, |acc, op| acc.with(op))
}

/// Ops from a list.
pub fn ops_of(list: &[Op]) -> Ops {
    list.iter().fold(Ops::NONE, |acc, op| acc.with(*op))
}

/// The edit that gives the operations `taken` of `allow` their own
/// statement with condition `taken_condition`, the rest of its operations
/// keeping the original condition:
///
/// ```text
/// allow read, write: if C;
/// allow read, delete: if C;
/// allow create, update: if C && extra;
/// ```
///
/// When the allow grants nothing but `taken`, its condition is replaced.
/// `None` for an allow with no condition.
pub fn split_edit(
    ctx: &FileContext<'_>,
    allow: &Allow<'_>,
    taken: Ops,
    taken_condition: &str,
) -> Option<Edit> {
    let expression = allow.expression?;
    let taken = taken.intersect(allow.ops);
    let rest = without(allow.ops, taken);
    if rest.is_empty() {
        return Some(Edit::replace(expression.byte_range(), taken_condition));
    }
    let indent = line_indent(ctx.text, allow.node.start_byte());
    let newline = newline_of(ctx.text);
    Some(Edit::replace(
        allow.node.start_byte()..expression.end_byte(),
        format!(
            "allow {}: if {};{newline}{indent}allow {}: if {}",
            methods_of(rest),
            ctx.node_text(expression),
            methods_of(taken),
            taken_condition
        ),
    ))
}

/// Whether `node` is `root`, or sits inside it along a chain of `&&` (and
/// parentheses) only: a clause appended to `root` with `&&` then guards it
/// without touching alternatives joined by `||`.
pub fn only_and_above<'t>(ctx: &FileContext<'_>, root: Node<'t>, node: Node<'t>) -> bool {
    if node == root {
        return true;
    }
    let chain = ancestors(root, node);
    !chain.is_empty()
        && chain.iter().all(|parent| match parent.kind() {
            "parenthesized_expression" => true,
            "binary_expression" => parent
                .child_by_field_name("operator")
                .is_some_and(|o| ctx.node_text(o) == "&&"),
            _ => false,
        })
}

/// The largest expression around `node`, inside `root`, that is a single
/// operand of the logical operators: climbs from `node` through member
/// accesses, calls, comparisons… and stops below `&&`, `||`, `!`, `?:`,
/// parentheses and `root`'s own container.
pub fn logical_operand<'t>(ctx: &FileContext<'_>, root: Node<'t>, node: Node<'t>) -> Node<'t> {
    let mut current = node;
    for parent in ancestors(root, node).into_iter().rev() {
        let stop = match parent.kind() {
            "binary_expression" => parent
                .child_by_field_name("operator")
                .is_some_and(|o| matches!(ctx.node_text(o), "&&" | "||")),
            "unary_expression"
            | "conditional_expression"
            | "argument_list"
            | "list"
            | "map"
            | "pair"
            | "parenthesized_expression" => true,
            kind => !is_expression_kind(kind),
        };
        if stop {
            break;
        }
        current = parent;
    }
    current
}

fn is_expression_kind(kind: &str) -> bool {
    matches!(
        kind,
        "member_expression"
            | "call_expression"
            | "index_expression"
            | "slice_expression"
            | "binary_expression"
            | "is_expression"
    )
}

/// The claims Firebase Authentication puts in every ID token; any other
/// `request.auth.token.<claim>` is a custom claim, set by the backend.
const STANDARD_CLAIMS: &[&str] = &[
    "email",
    "email_verified",
    "phone_number",
    "name",
    "picture",
    "firebase",
    "sub",
    "uid",
    "user_id",
    "auth_time",
    "iat",
    "exp",
    "aud",
    "iss",
];

/// Whether the condition of `allow` reserves it for administrators: it
/// reads a custom claim (`request.auth.token.admin`, `request.auth.token.role`)
/// or names an admin (`isAdmin()`, `'admin'`). Used with an
/// [`Access::Restricted`] verdict, so an `isOwner() || isAdmin()` is not
/// taken for admin-only.
pub fn mentions_privilege<'t>(
    ctx: &FileContext<'t>,
    model: &RulesFile<'t>,
    allow: &Allow<'t>,
) -> bool {
    let mut found = false;
    reach(ctx, model, allow, |frame, node| {
        if found {
            return;
        }
        match node.kind() {
            "member_expression" => {
                let text = frame.canonical(ctx, node);
                if let Some(claim) = text.strip_prefix("request.auth.token.") {
                    let claim = claim.split(['.', '[', '(']).next().unwrap_or("");
                    found = !STANDARD_CLAIMS.contains(&claim);
                }
            }
            "identifier" | "string_content" | "path_segment" => {
                found = ctx.node_text(node).to_ascii_lowercase().contains("admin");
            }
            _ => {}
        }
    });
    found
}

/// Whether the rules on what a write may contain judge `allow`: its
/// condition lets some people in but not everyone (not always false, not
/// open to anyone, not open until a date: other rules report those), and
/// it is not reserved for administrators ([`mentions_privilege`], with a
/// [`Access::Restricted`] verdict).
pub fn limits_who_writes<'t>(
    ctx: &FileContext<'t>,
    model: &RulesFile<'t>,
    allow: &Allow<'t>,
) -> bool {
    let access = evaluate(ctx, model, allow).access;
    if matches!(access, Access::Nobody | Access::Anyone | Access::Until) {
        return false;
    }
    !(access == Access::Restricted && mentions_privilege(ctx, model, allow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;
    use crate::language::Language;

    #[test]
    fn methods_of_groups_read_and_write() {
        assert_eq!(methods_of(Ops::of_method("write")), "write");
        assert_eq!(
            methods_of(ops_of(&[Op::Get, Op::List, Op::Update, Op::Delete])),
            "read, update, delete"
        );
        assert_eq!(methods_of(ops_of(&[Op::Get, Op::Create])), "get, create");
    }

    #[test]
    fn reach_binds_parameters_and_lets() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {\n\
            function valid(data) { let n = data.name; return n.size() < 10 && data.keys().hasOnly(['name']); }\n\
            match /posts/{postId} { let incoming = request.resource.data;\n\
            allow update: if valid(incoming) && incoming.title is string; } } }";
        let seen = with_file("firestore.rules", rules, Language::FirebaseRules, |ctx| {
            let model = ctx.firebase_model();
            let mut seen: Vec<(String, String)> = Vec::new();
            reach(ctx, model, &model.allows[0], |frame, node| {
                if node.kind() == "member_expression" {
                    seen.push((
                        frame.canonical(ctx, node),
                        ctx.node_text(frame.anchor(node)).to_string(),
                    ));
                }
            });
            seen
        });
        for expected in [
            "request.resource.data.name.size",
            "request.resource.data.keys().hasOnly",
            "request.resource.data.title",
        ] {
            assert!(
                seen.iter().any(|(c, _)| c == expected),
                "{expected}: {seen:?}"
            );
        }
        assert!(seen
            .iter()
            .any(|(c, a)| c == "request.resource.data.keys().hasOnly" && a == "valid(incoming)"));
    }
}
