//! `firebase/resource-in-create`: a condition that governs create reads
//! `resource.data`, which is null when the document does not exist yet.

use tree_sitter::Node;

use crate::analysis::firebase::condition::{call_arguments, evaluate, Access, MAX_CALL_DEPTH};
use crate::analysis::firebase::facts::{methods_of, split_edit, without};
use crate::analysis::firebase::model::{Allow, Op, Ops, RulesFile};
use crate::analysis::firebase::{allow_path, methods_text, unparenthesize};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/resource-in-create",
    default_severity: Severity::Warning,
    summary: "A condition that governs create reads `resource.data`, which is null when the document does not exist yet; `request.resource.data` is meant.",
    docs: r#"
## What it does
Finds `allow` conditions that govern creation (`allow create`, `allow write`)
and read a field of `resource` (`resource.data.owner`, `resource.data.roles`,
in Cloud Storage `resource.metadata`), directly, through a function (also
when `resource` is passed as an argument, `isOwner(resource)`), or through a
`let`. On a create the document does not exist yet: `resource` is null, reading
a field of it is an error, and an error denies. The document being written is
`request.resource`.

What is reported:

- `allow create` (create alone): every read of a field of `resource` that can
  decide the outcome, whether it makes the whole condition fail (`allow
  create: if request.auth.uid == resource.data.owner`: nobody can create) or
  only one alternative written in the statement itself (`isAdmin() ||
  resource.data.owner == ...`: the second half never passes). A function
  shared with update that tries both (`uid in resource.data.members || uid in
  request.resource.data.members`) is not reported for its dead half.
- `allow write` and other statements that also govern update, delete or
  read, where `resource` is the stored document and reading it is right: only
  when no way through the condition survives a null `resource`, so that the
  statement never lets anyone create, and no other `allow` of the same match
  grants create. `allow write: if resource == null || resource.data.owner ==
  request.auth.uid` and `allow write: if isNew() || isOwner(resource)` are
  not reported.
- A condition that tests `resource == null` or `resource != null` itself
  has decided what happens on create and is not reported where that test
  settles it.

Reported at the `resource.data` read in the allow's own condition, or at the
argument `resource`, or at the call of the function that reads it.

## Why is this bad?
The statement does not do what it says. The usual intent, "only the owner may
create", is written as `request.auth.uid == resource.data.owner`, which denies
every create, so the next edit often loosens the rule until creates work,
checking nothing (CWE-284). In a statement that also governs update, the
owner check written for creation is silently missing: whoever creates the
document is never checked against what they write (CWE-863).

## How to fix
Read the incoming document on create: `request.resource.data`. For an `allow
create`, the quick fix puts `request.` in front of each `resource` read in its
condition. For an `allow write`, replacing `resource.data` everywhere would
be wrong, because on update it must stay the stored document (else anyone
could claim someone else's document by writing their own id into it), so the
quick fix splits the statement: `allow create` with `request.resource.data`,
and the other methods with the condition unchanged. Both change who can
create, so both are unsafe. A second fix, "Leave create out", rewrites `allow
write` as `allow update, delete`: it grants exactly what the statement
granted before (create never passed), so it is safe; apply it when clients
are not meant to create documents there.

The fix is offered only when every failing read is in the allow's own
condition; a function shared with other statements must be changed by hand.

## Example
```
match /posts/{postId} {
  allow create: if request.auth.uid == resource.data.authorId;           // reported
  allow create: if request.auth.uid == request.resource.data.authorId;   // fixed

  allow write: if request.auth.uid == resource.data.authorId;            // reported
  allow update, delete: if request.auth.uid == resource.data.authorId;   // fixed
  allow create: if request.auth.uid == request.resource.data.authorId;
}
```

## References
- CWE-284: Improper Access Control
- CWE-863: Incorrect Authorization
- Firebase: Data validation, `resource` and `request.resource` (https://firebase.google.com/docs/firestore/security/rules-conditions#data_validation)
- Firebase: Error handling in rules (https://firebase.google.com/docs/rules/rules-language#error_handling)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

/// A read of a field of the null `resource`.
#[derive(Clone, Debug)]
struct Culprit<'t> {
    /// Where to report, in the allow's own condition.
    at: Node<'t>,
    /// What is read: `resource.data`.
    read: String,
    /// Where `request.` must be inserted to read the incoming document
    /// instead, when the `resource` is named in the allow's own condition.
    fix_at: Option<usize>,
    /// The function call that leads to the read, when it is not in the
    /// allow's own condition.
    through: Option<Node<'t>>,
}

/// The value of an expression on a create, as far as `resource` goes.
#[derive(Clone, Debug)]
enum Val<'t> {
    /// The null `resource`; `origin` is the identifier in the allow's own
    /// condition that named it.
    Null { origin: Option<Node<'t>> },
    /// An error: a field of the null resource was read.
    Err(Vec<Culprit<'t>>),
    /// Known true or false.
    Bool(bool),
    /// Anything else.
    Unknown,
}

impl<'t> Val<'t> {
    /// The value of an expression from the errors of its parts: an error
    /// if any part is one, else unknown.
    fn errors(errors: Vec<Culprit<'t>>) -> Val<'t> {
        if errors.is_empty() {
            Val::Unknown
        } else {
            Val::Err(errors)
        }
    }
}

/// A name bound while following calls: parameters to arguments, `let`s
/// to their values, each read in its environment and via its call.
#[derive(Clone, Debug)]
struct Binding<'t> {
    name: &'t str,
    value: Node<'t>,
    env: usize,
    via: Option<Node<'t>>,
    /// A match-level `let`: shared by every allow of the match, so a read
    /// through it is reported at the name and never fixed in place.
    shared: bool,
}

struct Eval<'a, 't> {
    ctx: &'a FileContext<'t>,
    model: &'a RulesFile<'t>,
    scope: Option<usize>,
    envs: Vec<Vec<Binding<'t>>>,
    budget: usize,
    /// How deep `eval` calls are nested now.
    nesting: u32,
    /// Errors that an `||` (or `?:`) with an undecided other side
    /// swallowed: alternatives that never pass on create.
    absorbed: Vec<Culprit<'t>>,
}

/// How deep expressions are followed; deeper parts are not judged.
const MAX_NESTING: u32 = 200;

/// How many reads of `resource` are kept per condition.
const MAX_CULPRITS: usize = 64;

fn union<'t>(a: Vec<Culprit<'t>>, b: Vec<Culprit<'t>>) -> Vec<Culprit<'t>> {
    let mut out = a;
    for c in b {
        if out.len() >= MAX_CULPRITS {
            break;
        }
        if !out.iter().any(|o| o.at == c.at && o.read == c.read) {
            out.push(c);
        }
    }
    out
}

impl<'t> Eval<'_, 't> {
    fn text(&self, n: Node<'t>) -> &'t str {
        self.ctx.node_text(n)
    }

    fn lookup(&self, name: &str, env: usize) -> Option<Binding<'t>> {
        self.envs[env]
            .iter()
            .rev()
            .find(|b| b.name == name)
            .or_else(|| self.envs[0].iter().rev().find(|b| b.name == name))
            .cloned()
    }

    /// The error of reading a field (`what`) of the null resource at `node`.
    fn read_of_null(
        &mut self,
        node: Node<'t>,
        object: Node<'t>,
        origin: Option<Node<'t>>,
        what: &str,
        via: Option<Node<'t>>,
    ) -> Val<'t> {
        let at = match (origin, via) {
            (Some(o), None) if unparenthesize(object) == o => node,
            (Some(o), _) => o,
            (None, Some(v)) => v,
            (None, None) => node,
        };
        Val::Err(vec![Culprit {
            at,
            read: format!("resource{what}"),
            fix_at: origin.map(|o| o.start_byte()),
            through: if origin.is_none() { via } else { None },
        }])
    }

    /// [`Eval::eval_inner`], with the nesting bounded: the recursion
    /// follows the tree, and a pathological file must not exhaust the
    /// stack.
    fn eval(&mut self, expr: Node<'t>, env: usize, via: Option<Node<'t>>, depth: u32) -> Val<'t> {
        if self.nesting >= MAX_NESTING {
            return Val::Unknown;
        }
        self.nesting += 1;
        let v = self.eval_inner(expr, env, via, depth);
        self.nesting -= 1;
        v
    }

    fn eval_inner(
        &mut self,
        expr: Node<'t>,
        env: usize,
        via: Option<Node<'t>>,
        depth: u32,
    ) -> Val<'t> {
        if self.budget == 0 || depth > MAX_CALL_DEPTH {
            return Val::Unknown;
        }
        self.budget -= 1;
        let expr = unparenthesize(expr);
        match expr.kind() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "identifier" => {
                let name = self.text(expr);
                match self.lookup(name, env) {
                    Some(b) => {
                        let inner_via = if b.shared { via.or(Some(expr)) } else { b.via };
                        self.eval(b.value, b.env, inner_via, depth + 1)
                    }
                    None if name == "resource" => Val::Null {
                        origin: via.is_none().then_some(expr),
                    },
                    None => Val::Unknown,
                }
            }
            "member_expression" | "index_expression" => {
                let Some(object) = expr.child_by_field_name("object") else {
                    return Val::Unknown;
                };
                let index = expr.child_by_field_name("index");
                let index_val = index.map(|i| self.eval(i, env, via, depth));
                match self.eval(object, env, via, depth) {
                    Val::Null { origin } => {
                        let what = match expr.child_by_field_name("property") {
                            Some(p) => format!(".{}", self.text(p)),
                            None => format!("[{}]", index.map_or("", |i| self.text(i))),
                        };
                        self.read_of_null(expr, object, origin, &what, via)
                    }
                    Val::Err(c) => Val::Err(c),
                    _ => match index_val {
                        Some(Val::Err(c)) => Val::Err(c),
                        _ => Val::Unknown,
                    },
                }
            }
            "binary_expression" => self.binary(expr, env, via, depth),
            "unary_expression" => {
                let op = expr
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let Some(arg) = expr.child_by_field_name("argument") else {
                    return Val::Unknown;
                };
                match (op, self.eval(arg, env, via, depth)) {
                    (_, Val::Err(c)) => Val::Err(c),
                    ("!", Val::Bool(b)) => Val::Bool(!b),
                    _ => Val::Unknown,
                }
            }
            "conditional_expression" => {
                let (Some(c), Some(a), Some(b)) = (
                    expr.child_by_field_name("condition"),
                    expr.child_by_field_name("consequence"),
                    expr.child_by_field_name("alternative"),
                ) else {
                    return Val::Unknown;
                };
                match self.eval(c, env, via, depth) {
                    Val::Err(e) => Val::Err(e),
                    Val::Bool(true) => self.eval(a, env, via, depth),
                    Val::Bool(false) => self.eval(b, env, via, depth),
                    _ => {
                        let (va, vb) =
                            (self.eval(a, env, via, depth), self.eval(b, env, via, depth));
                        self.either(va, vb)
                    }
                }
            }
            "call_expression" => self.call(expr, env, via, depth),
            _ => {
                // Lists, maps, paths, `is`…: an error in any part is an
                // error of the whole.
                let mut errors = Vec::new();
                let mut cursor = expr.walk();
                let children: Vec<Node<'t>> = expr.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "comment" {
                        continue;
                    }
                    if let Val::Err(c) = self.eval(child, env, via, depth) {
                        errors = union(errors, c);
                    }
                }
                Val::errors(errors)
            }
        }
    }

    /// `a || b` where neither side is known true: an error on one side
    /// and an undecided other side means that alternative never passes.
    fn either(&mut self, a: Val<'t>, b: Val<'t>) -> Val<'t> {
        match (a, b) {
            (Val::Bool(true), _) | (_, Val::Bool(true)) => Val::Bool(true),
            (Val::Err(x), Val::Err(y)) => Val::Err(union(x, y)),
            (Val::Err(x), Val::Bool(false)) | (Val::Bool(false), Val::Err(x)) => Val::Err(x),
            (Val::Bool(false), Val::Bool(false)) => Val::Bool(false),
            (Val::Err(x), _) | (_, Val::Err(x)) => {
                self.absorbed = union(std::mem::take(&mut self.absorbed), x);
                Val::Unknown
            }
            _ => Val::Unknown,
        }
    }

    fn binary(&mut self, expr: Node<'t>, env: usize, via: Option<Node<'t>>, depth: u32) -> Val<'t> {
        let (Some(l), Some(r), Some(op)) = (
            expr.child_by_field_name("left"),
            expr.child_by_field_name("right"),
            expr.child_by_field_name("operator"),
        ) else {
            return Val::Unknown;
        };
        let op = self.text(op);
        if matches!(op, "&&" | "||") {
            // A long `a && b && c …` nests to the left: walk the chain in a
            // loop rather than recursing down it.
            let mut operands = vec![r];
            let mut left = l;
            while left.kind() == "binary_expression"
                && left
                    .child_by_field_name("operator")
                    .is_some_and(|o| self.text(o) == op)
            {
                match (
                    left.child_by_field_name("left"),
                    left.child_by_field_name("right"),
                ) {
                    (Some(ll), Some(lr)) => {
                        operands.push(lr);
                        left = ll;
                    }
                    _ => break,
                }
            }
            operands.push(left);
            operands.reverse();
            let mut acc = self.eval(operands[0], env, via, depth);
            for operand in &operands[1..] {
                let next = self.eval(*operand, env, via, depth);
                acc = if op == "||" {
                    self.either(acc, next)
                } else {
                    Self::both(acc, next)
                };
            }
            return acc;
        }
        let (a, b) = (self.eval(l, env, via, depth), self.eval(r, env, via, depth));
        match (a, b) {
            (Val::Err(x), Val::Err(y)) => Val::Err(union(x, y)),
            (Val::Err(x), _) | (_, Val::Err(x)) => Val::Err(x),
            // `resource == null` is true on create.
            (Val::Null { .. }, _) if unparenthesize(r).kind() == "null" => self.null_test(op),
            (_, Val::Null { .. }) if unparenthesize(l).kind() == "null" => self.null_test(op),
            _ => Val::Unknown,
        }
    }

    /// `a && b`.
    fn both(a: Val<'t>, b: Val<'t>) -> Val<'t> {
        match (a, b) {
            (Val::Bool(false), _) | (_, Val::Bool(false)) => Val::Bool(false),
            (Val::Err(x), Val::Err(y)) => Val::Err(union(x, y)),
            (Val::Err(x), _) | (_, Val::Err(x)) => Val::Err(x),
            (Val::Bool(true), other) | (other, Val::Bool(true)) => match other {
                Val::Null { .. } => Val::Unknown,
                v => v,
            },
            _ => Val::Unknown,
        }
    }

    fn null_test(&self, op: &str) -> Val<'t> {
        match op {
            "==" => Val::Bool(true),
            "!=" => Val::Bool(false),
            _ => Val::Unknown,
        }
    }

    fn call(&mut self, expr: Node<'t>, env: usize, via: Option<Node<'t>>, depth: u32) -> Val<'t> {
        let Some(func) = expr.child_by_field_name("function") else {
            return Val::Unknown;
        };
        let args = call_arguments(expr).unwrap_or_default();
        let model = self.model;
        if let Some(decl) = model.called_function(self.ctx, self.scope, expr) {
            let Some(returns) = decl.returns else {
                return Val::Unknown;
            };
            let inner_via = via.or(Some(expr));
            let new_env = self.envs.len();
            let mut bindings: Vec<Binding<'t>> = decl
                .bind(args)
                .map(|(p, a)| Binding {
                    name: p,
                    value: a,
                    env,
                    via,
                    shared: false,
                })
                .collect();
            bindings.extend(decl.lets.iter().map(|(n, v)| Binding {
                name: n,
                value: *v,
                env: new_env,
                via: inner_via,
                shared: false,
            }));
            self.envs.push(bindings);
            return self.eval(returns, new_env, inner_via, depth + 1);
        }
        // A built-in function or a method: an error in the receiver or in
        // an argument is an error of the call.
        let mut errors = Vec::new();
        if func.kind() != "identifier" {
            if let Val::Err(c) = self.eval(func, env, via, depth) {
                errors = c;
            }
        }
        for a in args {
            if let Val::Err(c) = self.eval(a, env, via, depth) {
                errors = union(errors, c);
            }
        }
        Val::errors(errors)
    }
}

/// What the condition of `allow` gives on a create, and the alternatives
/// that never pass.
fn on_create<'t>(
    ctx: &FileContext<'t>,
    model: &RulesFile<'t>,
    allow: &Allow<'t>,
    expr: Node<'t>,
) -> (Val<'t>, Vec<Culprit<'t>>) {
    let top: Vec<Binding<'t>> = model
        .visible_lets(allow.match_index)
        .into_iter()
        .map(|(name, value)| Binding {
            name,
            value,
            env: 0,
            via: None,
            shared: true,
        })
        .collect();
    let mut ev = Eval {
        ctx,
        model,
        scope: allow.match_index,
        envs: vec![top],
        budget: 20_000,
        nesting: 0,
        absorbed: Vec::new(),
    };
    let val = ev.eval(expr, 0, None, 0);
    (val, ev.absorbed)
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let mut judged = Vec::new();
    // The matches where some allow lets a create through.
    let mut creatable: Vec<Option<usize>> = Vec::new();
    for allow in model
        .checkable_allows()
        .filter(|a| a.ops.contains(Op::Create))
    {
        let Some(expr) = allow.expression else {
            creatable.push(allow.match_index);
            continue;
        };
        let (val, absorbed) = on_create(ctx, model, allow, expr);
        if !matches!(val, Val::Err(_))
            && !creatable.contains(&allow.match_index)
            && evaluate(ctx, model, allow).access != Access::Nobody
        {
            creatable.push(allow.match_index);
        }
        judged.push((allow, expr, val, absorbed));
    }
    let mut findings = Vec::new();
    for (allow, expr, val, absorbed) in judged {
        let create_only = allow.ops == Ops::NONE.with(Op::Create);
        let (culprits, always) = match val {
            Val::Err(c) => (c, true),
            // A dead alternative is reported only when written in the
            // allow's own condition: a function shared with update
            // (`resource.data.x == me || request.resource.data.x == me`)
            // is built to work either way.
            Val::Unknown if create_only => (
                absorbed
                    .into_iter()
                    .filter(|c| c.through.is_none())
                    .collect(),
                false,
            ),
            _ => continue,
        };
        let Some(first) = culprits.iter().min_by_key(|c| c.at.start_byte()) else {
            continue;
        };
        // A statement that also governs update or delete, when another
        // statement of the match grants create: it is meant for the rest.
        if !create_only && creatable.contains(&allow.match_index) {
            continue;
        }
        findings.push(finding(
            ctx,
            model,
            allow,
            expr,
            &culprits,
            first,
            create_only,
            always,
        ));
    }
    findings
}

#[allow(clippy::too_many_arguments)]
fn finding<'t>(
    ctx: &FileContext<'t>,
    model: &RulesFile<'t>,
    allow: &Allow<'t>,
    expr: Node<'t>,
    culprits: &[Culprit<'t>],
    first: &Culprit<'t>,
    create_only: bool,
    always: bool,
) -> Finding {
    let noun = model.noun();
    let subject = match first.through {
        Some(call) => format!("`{}` reads `{}`, which", call_name(ctx, call), first.read),
        None => format!("`{}`", first.read),
    };
    let path = allow_path(model, allow);
    let methods = methods_text(ctx, allow);
    let message = if create_only && always {
        format!(
            "{subject} is null when a {noun} is created, so this `allow {methods}` never lets anyone create a {noun} under {path}. The {noun} being written is `request.resource`: read `request.{}` instead.",
            first.read
        )
    } else if create_only {
        format!(
            "{subject} is null when a {noun} is created, so this alternative of the `allow {methods}` condition never passes. The {noun} being written is `request.resource`: read `request.{}` instead.",
            first.read
        )
    } else {
        let rest = methods_of(without(allow.ops, Ops::NONE.with(Op::Create)));
        format!(
            "{subject} is null when a {noun} is created, so `allow {methods}` never lets anyone create a {noun} under {path}: it only works for {rest}. Check `request.{}` in an `allow create`, or write `allow {rest}` if clients are not meant to create.",
            first.read
        )
    };
    let mut finding = Finding::new(&RULE, first.at.byte_range(), message);
    let mut offsets: Vec<usize> = culprits.iter().filter_map(|c| c.fix_at).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let all_fixable = culprits.iter().all(|c| c.fix_at.is_some());
    if all_fixable && !offsets.is_empty() {
        if create_only {
            finding.fixes.push(Fix {
                title: "Read the new document: request.resource".to_string(),
                applicability: Applicability::Unsafe,
                edits: offsets
                    .iter()
                    .map(|at| Edit::insert(*at, "request."))
                    .collect(),
            });
        } else {
            let base = expr.start_byte();
            let text = ctx.node_text(expr);
            let mut condition = String::new();
            let mut pos = 0;
            for at in &offsets {
                condition.push_str(&text[pos..at - base]);
                condition.push_str("request.");
                pos = at - base;
            }
            condition.push_str(&text[pos..]);
            if let Some(edit) = split_edit(ctx, allow, Ops::NONE.with(Op::Create), &condition) {
                finding.fixes.push(Fix::new(
                    "Split: allow create with request.resource, the rest unchanged",
                    Applicability::Unsafe,
                    edit,
                ));
            }
        }
    }
    if !create_only {
        if let Some(edit) = leave_create_out(ctx, allow) {
            finding.fixes.push(Fix::new(
                format!(
                    "Leave create out: allow {}",
                    methods_of(without(allow.ops, Ops::NONE.with(Op::Create)))
                ),
                Applicability::Safe,
                edit,
            ));
        }
    }
    finding
}

/// The name of a called function or `let`, for messages: `isOwner()`.
fn call_name(ctx: &FileContext<'_>, via: Node<'_>) -> String {
    if via.kind() == "identifier" {
        return ctx.node_text(via).to_string();
    }
    via.child_by_field_name("function").map_or_else(
        || "this call".to_string(),
        |f| format!("{}()", ctx.node_text(f)),
    )
}

/// Rewrites the methods of `allow` without create, when only commas and
/// spaces sit between them.
fn leave_create_out(ctx: &FileContext<'_>, allow: &Allow<'_>) -> Option<Edit> {
    let (first, last) = (allow.methods.first()?, allow.methods.last()?);
    let range = first.start_byte()..last.end_byte();
    let between_ok = allow.methods.windows(2).all(|w| {
        ctx.slice(w[0].end_byte()..w[1].start_byte())
            .chars()
            .all(|c| c == ',' || c.is_whitespace())
    });
    let rest = without(allow.ops, Ops::NONE.with(Op::Create));
    (between_ok && !rest.is_empty()).then(|| Edit::replace(range, methods_of(rest)))
}

#[cfg(test)]
mod tests {
    use crate::analysis::analyze_text;
    use crate::config::Config;
    use crate::language::Language;
    use std::path::Path;

    /// The lines (1-based) where the rule reports, in `statements` wrapped
    /// in a match on /posts/{postId}.
    fn lines(functions: &str, statements: &str) -> Vec<usize> {
        let text = format!(
            "rules_version = '2';\nservice cloud.firestore {{\n  match /databases/{{database}}/documents {{\n{functions}\n    match /posts/{{postId}} {{\n{statements}\n    }}\n  }}\n}}\n"
        );
        analyze_text(
            Path::new("firestore.rules"),
            &text,
            Language::FirebaseRules,
            &Config::default(),
        )
        .into_iter()
        .filter(|f| f.rule == super::RULE.id)
        .map(|f| text[..f.range.start].matches('\n').count() + 1)
        .collect()
    }

    fn flagged(statements: &str) -> bool {
        !lines("", statements).is_empty()
    }

    #[test]
    fn create_reading_the_stored_document() {
        assert!(flagged(
            "allow create: if resource.data.owner == request.auth.uid;"
        ));
        assert!(flagged(
            "allow create: if request.auth != null && resource.data['owner'] == request.auth.uid;"
        ));
        assert!(flagged(
            "allow create: if isAdmin() || resource.data.owner == request.auth.uid;"
        ));
        assert!(flagged(
            "allow create: if resource.data.open ? true : false;"
        ));
        assert!(!flagged(
            "allow create: if request.resource.data.owner == request.auth.uid;"
        ));
        assert!(!flagged(
            "allow create: if resource == null || resource.data.owner == request.auth.uid;"
        ));
        assert!(!flagged("allow create: if false && resource.data.x == 1;"));
        assert!(!flagged(
            "allow update: if resource.data.owner == request.auth.uid;"
        ));
    }

    #[test]
    fn write_is_reported_only_when_create_can_never_pass() {
        assert!(flagged(
            "allow write: if resource.data.owner == request.auth.uid;"
        ));
        assert!(!flagged("allow write: if resource.data.owner == request.auth.uid || request.resource.data.owner == request.auth.uid;"));
        assert!(!flagged("allow write: if resource.data.owner == request.auth.uid;\n allow create: if request.resource.data.owner == request.auth.uid;"));
        assert!(!flagged(
            "allow write: if resource != null && resource.data.owner == request.auth.uid;"
        ));
    }

    #[test]
    fn functions_and_lets_are_followed() {
        let functions = "    function ownedBy(rsc) { return rsc.data.owner == request.auth.uid; }\n    function mine() { return resource.data.owner == request.auth.uid; }\n    function shadow(resource) { return resource.data.owner == request.auth.uid; }";
        assert_eq!(lines(functions, "allow create: if ownedBy(resource);"), [8]);
        assert_eq!(lines(functions, "allow create: if mine();"), [8]);
        assert!(lines(functions, "allow create: if ownedBy(request.resource);").is_empty());
        assert!(lines(functions, "allow create: if shadow(request.resource);").is_empty());
        assert_eq!(
            lines(
                "",
                "let stored = resource.data;\n allow create: if stored.owner == request.auth.uid;"
            ),
            [7]
        );
    }
}
