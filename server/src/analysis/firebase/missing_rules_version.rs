//! `firebase/missing-rules-version`: a rules file without
//! `rules_version = '2';`.

use crate::analysis::firebase::model::Segment;
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::util::newline_of;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/missing-rules-version",
    default_severity: Severity::Info,
    summary: "The rules file does not declare `rules_version = '2';`, so Firebase reads it with the older version 1 semantics.",
    docs: r#"
## What it does
Finds Firestore and Cloud Storage rules files that do not start with
`rules_version = '2';`, or that declare another version.

Reported on the `service` line (on the `rules_version` statement when it names
another version). Only complete files are checked: a fragment with no
`service` block is not.

## Why is this bad?
Without the declaration Firebase applies version 1 of the rules language, in
which a recursive wildcard `{name=**}` matches one or more path segments and
may only end a path, and rules cannot serve collection group queries. Version
2 is what the Firebase console and the Firebase CLI write today, what the
documentation assumes, and what reviewers read: a file that silently runs
with the old semantics is easy to misjudge, and a later move to version 2
changes what its recursive wildcards match (in version 2, `match
/users/{userId}/{rest=**}` also matches the user's own document, because
`{rest=**}` may match zero segments).

## How to fix
Add `rules_version = '2';` as the first statement. The quick fix inserts it
before the first statement of the file (after a leading comment header).

The fix is marked safe when the file has no recursive wildcard: version 2 then
grants exactly what version 1 granted. When the file has one, the fix is
marked unsafe: a `{name=**}` that ends a path starts matching the document
(or folder) it is nested in as well, and collection group queries start to be
served, so review what each recursive match grants before applying it.

## Example
```
rules_version = '2';   // added
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{userId} {
      allow read, write: if request.auth != null && request.auth.uid == userId;
    }
  }
}
```

## References
- Firebase: Rules language versions (https://firebase.google.com/docs/rules/rules-language#rules_version)
- Firebase: Recursive wildcards (https://firebase.google.com/docs/firestore/security/rules-structure#recursive_wildcards)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let root = ctx.tree.root_node();
    let mut cursor = root.walk();
    let top: Vec<_> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    let Some(service) = top.iter().find(|n| n.kind() == "service_declaration") else {
        return Vec::new();
    };
    if model.version == Some("2") {
        return Vec::new();
    }
    // A declaration Moat cannot read is a syntax error, reported as such.
    let mut c = root.walk();
    let broken_declaration = root
        .children(&mut c)
        .any(|n| n.is_error() && ctx.node_text(n).starts_with("rules_version"));
    if broken_declaration {
        return Vec::new();
    }
    if model
        .rules_version
        .is_some_and(|r| r.has_error() || model.version.is_none())
    {
        return Vec::new();
    }
    let recursive = model.matches.iter().any(|m| {
        m.segments
            .iter()
            .any(|s| matches!(s, Segment::Recursive(_)))
    });
    let applicability = if recursive {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let caution = if recursive {
        " Review the recursive wildcards first: in version 2 a `{name=**}` at the end of a path also matches zero segments."
    } else {
        ""
    };
    if let (Some(statement), Some(version)) = (model.rules_version, model.version) {
        let value = statement
            .child_by_field_name("version")
            .map_or(statement.byte_range(), |v| v.byte_range());
        let mut finding = Finding::new(
            &RULE,
            statement.byte_range(),
            format!(
                "`rules_version` is '{version}', not '2': Firebase reads the file with version 1 semantics (recursive wildcards match one or more segments, no collection group queries). Declare `rules_version = '2';`.{caution}"
            ),
        );
        finding.fixes.push(Fix::new(
            "Declare rules_version = '2'",
            applicability,
            Edit::replace(value, "'2'"),
        ));
        return vec![finding];
    }
    // The service keyword and name: `service cloud.firestore`.
    let head_end = service
        .child_by_field_name("name")
        .map_or(service.start_byte(), |n| n.end_byte());
    let mut finding = Finding::new(
        &RULE,
        service.start_byte()..head_end.max(service.start_byte()),
        format!(
            "This file does not declare `rules_version = '2';`, so Firebase reads it with version 1 semantics (recursive wildcards match one or more segments, no collection group queries). Add `rules_version = '2';` as its first line.{caution}"
        ),
    );
    // Before the first statement, at the start of its line: after a
    // comment header, but before the comments attached to the statement
    // (no blank line between them and it).
    let mut first = top[0];
    let mut c = root.walk();
    let leading: Vec<_> = root
        .children(&mut c)
        .take_while(|n| n.start_byte() < top[0].start_byte())
        .filter(|n| n.kind() == "comment")
        .collect();
    for comment in leading.iter().rev() {
        let between = ctx.slice(comment.end_byte()..first.start_byte());
        if between.matches('\n').count() > 1 {
            break;
        }
        first = *comment;
    }
    let bom = if ctx.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let line_start = ctx.text[..first.start_byte()]
        .rfind('\n')
        .map_or(bom, |i| i + 1);
    let at = if ctx.text[line_start..first.start_byte()].trim().is_empty() {
        line_start
    } else {
        first.start_byte()
    };
    let newline = newline_of(ctx.text);
    let text = format!("rules_version = '2';{newline}");
    finding.fixes.push(Fix::new(
        "Declare rules_version = '2'",
        applicability,
        Edit::insert(at, text),
    ));
    vec![finding]
}
