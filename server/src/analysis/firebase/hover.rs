//! What the editor shows on hover over an `allow` or a `match`: who may do
//! what on that path once every `allow` of the file that matches it is
//! OR-ed in, e.g. "get, list: anyone · create: signed-in owner · update,
//! delete: nobody".
//!
//! A statement counts for the path when its own match path covers every
//! document of the hovered path ([`paths::covers`]); statements whose path
//! reaches only some of those documents (`/users/admin` against
//! `/users/{userId}`) are listed apart, since they do not decide for all.

use std::ops::Range;

use crate::analysis::firebase::condition::{evaluate, Access, Date, Verdict};
use crate::analysis::firebase::model::{Allow, Op, RulesFile};
use crate::analysis::firebase::one_line;
use crate::analysis::firebase::paths::{self, is_v2, Pattern};
use crate::analysis::util::line_number;
use crate::analysis::FileContext;

/// The hover for the byte `offset`: on an `allow` statement, or on the
/// `match` keyword and path of a match block. Returns the range the hover
/// is about and its markdown, or `None` elsewhere (and on the service's
/// root match, `/databases/{database}/documents`, which holds no document).
pub fn access_summary(ctx: &FileContext<'_>, offset: usize) -> Option<(Range<usize>, String)> {
    access_summary_on(ctx, offset, Date::today())
}

/// [`access_summary`] with `today` as the current date.
pub fn access_summary_on(
    ctx: &FileContext<'_>,
    offset: usize,
    today: Date,
) -> Option<(Range<usize>, String)> {
    let model = ctx.firebase_model();
    let inside = |r: Range<usize>| r.start <= offset && offset < r.end;
    let (range, m) = match model.allows.iter().find(|a| inside(a.node.byte_range())) {
        Some(a) => (a.node.byte_range(), a.match_index?),
        None => {
            // The innermost match whose `match /path` holds the offset.
            let (m, header) = model
                .matches
                .iter()
                .enumerate()
                .filter_map(|(i, mb)| {
                    let end = mb.node.child_by_field_name("path")?.end_byte();
                    Some((i, mb.node.start_byte()..end))
                })
                .rfind(|(_, r)| inside(r.clone()))?;
            (header, m)
        }
    };
    let path = model.full_segments(m);
    if path.len() <= paths::root_len(&path).unwrap_or(0) {
        return None;
    }
    let v2 = is_v2(model);
    let hovered = Pattern::new(&path, v2);
    let mut deciding: Vec<(&Allow<'_>, Verdict)> = Vec::new();
    let mut some: Vec<&Allow<'_>> = Vec::new();
    for allow in model.checkable_allows() {
        let Some(am) = allow.match_index else {
            continue;
        };
        let theirs = Pattern::new(&model.full_segments(am), v2);
        if theirs.covers(&hovered) {
            deciding.push((allow, evaluate(ctx, model, allow)));
        } else if theirs.overlaps(&hovered) {
            some.push(allow);
        }
    }

    // One label per operation, then operations with the same label grouped.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for op in Op::ALL {
        let verdicts = deciding
            .iter()
            .filter(|(a, _)| a.ops.contains(op))
            .map(|(_, v)| *v);
        let label = label(verdicts, today);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, ops)) => ops.push(op.name()),
            None => groups.push((label, vec![op.name()])),
        }
    }
    let summary: Vec<String> = groups
        .iter()
        .map(|(label, ops)| format!("{}: {label}", ops.join(", ")))
        .collect();

    let mut md = format!("### `{}`\n\n{}\n", model.path_text(m), summary.join(" · "));
    if deciding.is_empty() {
        md.push_str("\nNo `allow` statement matches this path: every request is denied.\n");
    } else {
        md.push_str("\nEvery `allow` that matches, OR-ed:\n");
        for (allow, verdict) in &deciding {
            md.push_str(&item(ctx, model, allow, m, Some(verdict), today));
        }
    }
    if !some.is_empty() {
        md.push_str("\nSome of these documents also match:\n");
        for allow in &some {
            md.push_str(&item(ctx, model, allow, m, None, today));
        }
    }
    Some((range, md))
}

/// Who a set of OR-ed verdicts lets through, in words.
fn label(verdicts: impl Iterator<Item = Verdict>, today: Date) -> String {
    let (mut anyone, mut signed_in, mut owner, mut conditional) = (false, false, false, false);
    let (mut until, mut expired): (Option<Date>, Option<Date>) = (None, None);
    for v in verdicts {
        match v.access {
            Access::Anyone => anyone = true,
            Access::SignedIn => signed_in = true,
            Access::Owner => owner = true,
            Access::Restricted => conditional = true,
            Access::Until => match v.until {
                Some(d) if today < d => until = until.max(Some(d)),
                d => expired = expired.max(d),
            },
            Access::Nobody => {}
        }
    }
    if anyone {
        return "anyone".to_string();
    }
    let mut parts = Vec::new();
    if let Some(d) = until {
        parts.push(format!("anyone until {d}"));
    }
    if signed_in {
        parts.push("any signed-in user".to_string());
    } else if owner {
        parts.push("signed-in owner".to_string());
    }
    if conditional {
        parts.push("under conditions".to_string());
    }
    match (parts.is_empty(), expired) {
        (true, Some(d)) => format!("nobody (test mode ended {d})"),
        (true, None) => "nobody".to_string(),
        _ => parts.join(", or "),
    }
}

/// One list item: the statement's line and text, where it is when that is
/// not the hovered match, and what it grants.
fn item(
    ctx: &FileContext<'_>,
    model: &RulesFile<'_>,
    allow: &Allow<'_>,
    hovered: usize,
    verdict: Option<&Verdict>,
    today: Date,
) -> String {
    let line = line_number(ctx.text, allow.node.start_byte());
    let mut text = one_line(ctx.node_text(allow.node));
    if text.chars().count() > 80 {
        text = text.chars().take(79).collect::<String>() + "…";
    }
    let mut out = format!("- line {line}: `{text}`");
    if let Some(am) = allow.match_index.filter(|am| *am != hovered) {
        out.push_str(&format!(" at `{}`", model.path_text(am)));
    }
    if let Some(v) = verdict {
        out.push_str(&format!(" — {}", label(std::iter::once(*v), today)));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;
    use crate::language::Language;

    const TODAY: Date = Date {
        year: 2026,
        month: 6,
        day: 1,
    };

    const RULES: &str = "rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow get, list: if true;
      allow write: if request.time < timestamp.date(2020, 1, 1);
    }
    match /users/{userId} {
      allow create: if request.auth.uid == userId;
      match /private/{doc} {
        allow read: if request.auth.token.admin == true;
      }
    }
    match /users/admin {
      allow update: if request.auth != null;
    }
  }
}
";

    fn hover_at(rules: &str, needle: &str) -> Option<(String, String)> {
        let offset = rules.find(needle).expect("needle");
        with_file("firestore.rules", rules, Language::FirebaseRules, |ctx| {
            access_summary_on(ctx, offset, TODAY)
        })
        .map(|(r, md)| (rules[r].to_string(), md))
    }

    #[test]
    fn on_an_allow_every_matching_rule_is_ored() {
        let (range, md) = hover_at(RULES, "create: if").unwrap();
        assert_eq!(range, "allow create: if request.auth.uid == userId;");
        assert_eq!(
            md,
            "### `/databases/{database}/documents/users/{userId}`

get, list: anyone · create: signed-in owner · update, delete: nobody (test mode ended 2020-01-01)

Every `allow` that matches, OR-ed:
- line 5: `allow get, list: if true;` at `/databases/{database}/documents/{document=**}` — anyone
- line 6: `allow write: if request.time < timestamp.date(2020, 1, 1);` at `/databases/{database}/documents/{document=**}` — nobody (test mode ended 2020-01-01)
- line 9: `allow create: if request.auth.uid == userId;` — signed-in owner

Some of these documents also match:
- line 15: `allow update: if request.auth != null;` at `/databases/{database}/documents/users/admin`
"
        );
    }

    #[test]
    fn on_a_match_keyword_or_path() {
        let (range, md) = hover_at(RULES, "match /private").unwrap();
        assert_eq!(range, "match /private/{doc}");
        assert!(
            md.starts_with("### `/databases/{database}/documents/users/{userId}/private/{doc}`\n\nget, list: anyone · create, update, delete: nobody (test mode ended 2020-01-01)\n"),
            "{md}"
        );
        let (_, md) = hover_at(RULES, "{doc}").unwrap();
        assert!(
            md.contains(
                "line 11: `allow read: if request.auth.token.admin == true;` — under conditions"
            ),
            "{md}"
        );
    }

    #[test]
    fn nothing_on_bodies_roots_and_outside() {
        assert_eq!(hover_at(RULES, "\n    }\n    match /users/{userId}"), None);
        assert_eq!(hover_at(RULES, "match /databases"), None);
        assert_eq!(hover_at(RULES, "service"), None);
        assert_eq!(hover_at(RULES, "rules_version"), None);
    }

    #[test]
    fn labels_combine() {
        let v = |access, until| Verdict {
            access,
            until,
            until_node: None,
        };
        let future = Some(Date {
            year: 2999,
            month: 1,
            day: 1,
        });
        assert_eq!(
            label(
                [v(Access::Owner, None), v(Access::Restricted, None)].into_iter(),
                TODAY
            ),
            "signed-in owner, or under conditions"
        );
        assert_eq!(
            label(
                [v(Access::Owner, None), v(Access::SignedIn, None)].into_iter(),
                TODAY
            ),
            "any signed-in user"
        );
        assert_eq!(
            label(
                [v(Access::Until, future), v(Access::Owner, None)].into_iter(),
                TODAY
            ),
            "anyone until 2999-01-01, or signed-in owner"
        );
        assert_eq!(
            label([v(Access::Nobody, None)].into_iter(), TODAY),
            "nobody"
        );
        assert_eq!(label(std::iter::empty(), TODAY), "nobody");
    }

    #[test]
    fn a_document_with_no_rule_is_denied() {
        let rules = "service cloud.firestore { match /databases/{database}/documents { match /logs/{id} { } } }";
        let (range, md) = hover_at(rules, "/logs").unwrap();
        assert_eq!(range, "match /logs/{id}");
        assert_eq!(
            md,
            "### `/databases/{database}/documents/logs/{id}`\n\nget, list, create, update, delete: nobody\n\nNo `allow` statement matches this path: every request is denied.\n"
        );
    }
}
