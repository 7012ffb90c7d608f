//! Rules on Firebase security rules (`firestore.rules`, `storage.rules`),
//! and the helpers they share. The file is read once into a
//! [`model::RulesFile`] (matches, allows, functions), shared by every rule
//! through [`FileContext::firebase_model`]; conditions are judged by
//! [`condition::evaluate`]. The grammar is `grammars/tree-sitter-firebase-rules`
//! (its README lists the node kinds).

pub mod allow_if_true;
pub mod auth_only;
pub mod condition;
pub mod facts;
pub mod hover;
pub mod missing_rules_version;
pub mod model;
pub mod owner_field_escalation;
pub mod paths;
pub mod recursive_wildcard;
pub mod resource_in_create;
pub mod shadowed_rule;
pub mod storage_unbounded_upload;
pub mod syntax_error;
pub mod test_mode_expiry;
pub mod unvalidated_write;
pub mod unverified_email_claim;

use tree_sitter::Node;

use crate::analysis::FileContext;
use crate::fix::{Applicability, Edit, Fix};
use model::{Allow, Ops, RulesFile};

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

/// The method keywords of an allow as written: `read, write`.
pub fn methods_text(ctx: &FileContext<'_>, allow: &Allow<'_>) -> String {
    let names: Vec<&str> = allow.methods.iter().map(|m| ctx.node_text(*m)).collect();
    names.join(", ")
}

/// What a set of operations lets someone do, as a phrase: read + write
/// gives "read, create, change and delete".
pub fn describe(ops: Ops) -> String {
    let mut verbs: Vec<&str> = Vec::new();
    for op in ops.iter() {
        let verb = match op {
            model::Op::Get => "read",
            // `list` alone is listing; with `get` it is part of reading.
            model::Op::List if ops.contains(model::Op::Get) => "read",
            model::Op::List => "list",
            model::Op::Create => "create",
            model::Op::Update => "change",
            model::Op::Delete => "delete",
        };
        if !verbs.contains(&verb) {
            verbs.push(verb);
        }
    }
    match verbs.as_slice() {
        [] => "access".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The edit that makes `new_condition` the allow's whole condition:
/// replaces the expression, or inserts `: if …` after the last method of an
/// allow that has none.
pub fn condition_edit(allow: &Allow<'_>, new_condition: &str) -> Edit {
    match allow.expression {
        Some(e) => Edit::replace(e.byte_range(), new_condition),
        None => {
            let at = allow
                .methods
                .last()
                .map_or(allow.node.end_byte(), |m| m.end_byte());
            Edit::insert(at, format!(": if {new_condition}"))
        }
    }
}

/// The fixes for an allow that lets too many people in: "Restrict to the
/// owner" when a path wildcard names the user, and "Deny all". Both change
/// who can access the data, so both are unsafe.
pub fn restrict_fixes(model: &RulesFile<'_>, allow: &Allow<'_>) -> Vec<Fix> {
    let mut fixes = Vec::new();
    if let Some(owner) = allow.match_index.and_then(|m| model.owner_wildcard(m)) {
        fixes.push(Fix::new(
            format!("Restrict to the owner ({owner})"),
            Applicability::Unsafe,
            condition_edit(
                allow,
                &format!("request.auth != null && request.auth.uid == {owner}"),
            ),
        ));
    }
    fixes.push(Fix::new(
        "Deny all",
        Applicability::Unsafe,
        condition_edit(allow, "false"),
    ));
    fixes
}

/// The full path an allow governs, as written, or `/` outside any match.
pub fn allow_path(model: &RulesFile<'_>, allow: &Allow<'_>) -> String {
    allow
        .match_index
        .map_or_else(|| "/".to_string(), |m| model.path_text(m))
}
