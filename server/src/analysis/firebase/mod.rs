//! Rules on Firebase security rules (`firestore.rules`, `storage.rules`),
//! and the helpers they share. The file is read once into a
//! [`model::RulesFile`] (matches, allows, functions), shared by every rule
//! through [`FileContext::firebase_model`]; conditions are judged by
//! [`condition::evaluate`]. The grammar is `grammars/tree-sitter-firebase-rules`
//! (its README lists the node kinds).
//!
//! Shared here: how an allow is named in messages ([`methods_text`],
//! [`allow_path`], [`describe`], [`one_line`]), the fixes that restrict an
//! allow ([`restrict_fixes`], [`condition_edit`]), and what a collection's
//! name says about its data ([`words`] and the word lists below).

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

use crate::analysis::rule::Rule;
use crate::analysis::{FileContext, Finding};
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

/// `text` on one line: each run of whitespace (line breaks included)
/// becomes one space, and none is left at either end.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// A finding of `rule` on the whole `allow` statement, with
/// [`restrict_fixes`]: how the rules report an allow that lets too many
/// people in (`firebase/allow-if-true`, `firebase/test-mode-expiry`,
/// `firebase/recursive-wildcard`).
pub fn too_open_finding(
    rule: &'static Rule,
    model: &RulesFile<'_>,
    allow: &Allow<'_>,
    message: String,
) -> Finding {
    let mut finding = Finding::new(rule, allow.node.byte_range(), message);
    finding.fixes = restrict_fixes(model, allow);
    finding
}

/// The full path an allow governs, as written, or `/` outside any match.
pub fn allow_path(model: &RulesFile<'_>, allow: &Allow<'_>) -> String {
    allow
        .match_index
        .map_or_else(|| "/".to_string(), |m| model.path_text(m))
}

/// The lower-case words of a name: `blogPosts`, `blog_posts` and
/// `blog-posts` give `blog`, `posts`; `user-accounts2` gives `user`,
/// `accounts2`. A new word starts after any character that is not a letter
/// or a digit, and at an upper-case letter that follows a lower-case one or
/// a digit (so `URLs` is one word, `urls`). Empty for a name with no
/// letters or digits.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

// What a collection's name says about its data.
//
// Two rules ask whether a collection is public, with opposite defaults, and
// their lists are kept apart because merging them would change findings:
// `firebase/allow-if-true` softens an always-true read to a warning unless
// the name suggests personal data (a deny list, matched on substrings:
// `chatRooms` holds `chat`), while `firebase/auth-only` lets a signed-in
// read pass only when the name is one of a few evidently public ones (an
// allow list, matched on whole words, with its own short deny list:
// `privatePosts`). Each list is quoted in its rule's docs.

/// Parts of a collection name that suggest personal or private data, for
/// `firebase/allow-if-true` (see [`suggests_personal_data`]).
pub const PERSONAL_DATA_WORDS: &[&str] = &[
    "user",
    "profile",
    "account",
    "customer",
    "member",
    "order",
    "payment",
    "invoice",
    "billing",
    "message",
    "chat",
    "private",
    "secret",
    "token",
    "admin",
    "session",
    "address",
    "contact",
    "subscription",
    "setting",
];

/// Whether a collection name suggests personal or private data: its
/// lower-cased text contains one of [`PERSONAL_DATA_WORDS`] anywhere
/// (`userProfiles`, `chatrooms`, `Orders`). `firebase/allow-if-true`
/// reports an always-true read of such a collection as an error, and of any
/// other as a warning.
pub fn suggests_personal_data(collection: &str) -> bool {
    let lower = collection.to_ascii_lowercase();
    PERSONAL_DATA_WORDS.iter().any(|w| lower.contains(w))
}

/// Names of collections (or Storage folders) meant for every visitor, for
/// `firebase/auth-only` (see [`is_evidently_public`]).
pub const PUBLIC_COLLECTION_WORDS: &[&str] = &[
    "public",
    "posts",
    "articles",
    "blog",
    "blogs",
    "news",
    "products",
    "catalog",
    "catalogue",
    "categories",
    "tags",
    "comments",
    "reviews",
    "ratings",
    "restaurants",
    "shops",
    "stores",
    "recipes",
];

/// Words that make a collection name private whatever else it says, for
/// `firebase/auth-only` (see [`is_evidently_public`]).
pub const PRIVATE_COLLECTION_WORDS: &[&str] = &[
    "private", "secret", "secrets", "internal", "admin", "admins", "draft", "drafts",
];

/// Whether a collection name says its content is published to every
/// visitor: one of its [`words`] is in [`PUBLIC_COLLECTION_WORDS`] or is
/// the singular of one (`post`, `category`), and none is in
/// [`PRIVATE_COLLECTION_WORDS`]. `blogPosts` and `public_assets` are
/// public, `privatePosts` and `users` are not.
pub fn is_evidently_public(collection: &str) -> bool {
    let words = words(collection);
    let is_public = |w: &String| {
        PUBLIC_COLLECTION_WORDS.iter().any(|p| {
            w == p
                || (p.ends_with('s') && w == &p[..p.len() - 1])
                || (*p == "categories" && w == "category")
        })
    };
    words.iter().any(is_public)
        && !words
            .iter()
            .any(|w| PRIVATE_COLLECTION_WORDS.contains(&w.as_str()))
}

/// Last words of the names of collections that hold one document per user,
/// for `firebase/owner-field-escalation` (see [`names_user_documents`]).
pub const USER_COLLECTION_WORDS: &[&str] = &[
    "user", "users", "profile", "profiles", "account", "accounts", "member", "members",
];

/// Whether a collection name says it holds user documents: its last word
/// is in [`USER_COLLECTION_WORDS`] (`users`, `userProfiles`,
/// `team_members`; not `userPosts`).
pub fn names_user_documents(collection: &str) -> bool {
    words(collection)
        .last()
        .is_some_and(|w| USER_COLLECTION_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("blogPosts"), ["blog", "posts"]);
        assert_eq!(words("public_assets"), ["public", "assets"]);
        assert_eq!(words("user-data"), ["user", "data"]);
        assert_eq!(words("URLs"), ["urls"]);
        assert_eq!(words("userProfiles"), ["user", "profiles"]);
        assert_eq!(words("team_members"), ["team", "members"]);
        assert_eq!(words("Users"), ["users"]);
        assert_eq!(words("user-accounts2"), ["user", "accounts2"]);
    }

    #[test]
    fn what_collection_names_say() {
        assert!(suggests_personal_data("chatRooms"));
        assert!(!suggests_personal_data("products"));
        assert!(is_evidently_public("blogPosts"));
        assert!(is_evidently_public("category"));
        assert!(!is_evidently_public("privatePosts"));
        assert!(!is_evidently_public("users"));
        assert!(names_user_documents("team_members"));
        assert!(!names_user_documents("userPosts"));
    }
}
