//! `firebase/test-mode-expiry`: access decided by the date alone, as in the
//! test-mode rules the Firebase console writes.

use crate::analysis::firebase::condition::{evaluate, Access, Date};
use crate::analysis::firebase::{allow_path, describe, methods_text, too_open_finding};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/test-mode-expiry",
    default_severity: Severity::Error,
    summary: "An allow statement lets anyone in until a date (`request.time < timestamp.date(...)`): Firebase's test-mode rules.",
    docs: r#"
## What it does
Finds `allow` statements whose only real check is the date:
`allow read, write: if request.time < timestamp.date(2025, 10, 18);`, the
rules the Firebase console writes when a database or bucket is created in
test mode. The date check may sit in a function or a `let`, or be OR-ed with
stricter checks (`isOwner(uid) || request.time < ...`): what counts is that
before the date the condition lets anyone through. A date check AND-ed with
a real check (`request.auth != null && request.time < ...`) is not reported
here.

The message says whether the date has passed (compared with today's date in
UTC; `timestamp.date(Y, M, D)` is midnight UTC at the start of that day):

- before the date, the rule is a hole: anyone on the internet can read and
  write every document it matches, without signing in;
- after it, the rule grants nothing, so the app fails for everyone on the
  paths it governs, and the tempting repair — redeploying with a later date —
  opens everything again.

Both are reported as errors.

## Why is this bad?
Test mode is meant for the first minutes of a prototype. The web client's
configuration is public, so until the date anyone can call the Firestore or
Storage API directly and dump, overwrite or delete the data (CWE-284,
CWE-862). Projects regularly ship with these rules, and when they expire the
"fix" found in forums is to push the date forward, which reopens the hole.
Since every matching `allow` is OR-ed, a test-mode rule also voids any
stricter rule for the same paths.

## How to fix
Replace the date check with rules that say who may do what: for example an
owner check on the path's user wildcard. The quick fixes offer "Restrict to
the owner" (`request.auth != null && request.auth.uid == userId`, when an
enclosing wildcard names a user) and "Deny all" (`false`); both change who
can access the data, so both are marked unsafe: review before applying.

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow read, write: if request.time < timestamp.date(2025, 10, 18);   // reported
    }
    match /users/{userId} {
      allow read, write: if request.auth != null && request.auth.uid == userId;   // fixed
    }
  }
}
```

## References
- CWE-284: Improper Access Control
- CWE-862: Missing Authorization
- Firebase: Fix insecure rules (https://firebase.google.com/docs/firestore/security/insecure-rules)
- Firebase: Get started with Cloud Firestore Security Rules, test mode (https://firebase.google.com/docs/firestore/security/get-started)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    check_on(ctx, Date::today())
}

/// The findings, with `today` as the current date.
fn check_on(ctx: &FileContext<'_>, today: Date) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let mut findings = Vec::new();
    for allow in model.checkable_allows() {
        let verdict = evaluate(ctx, model, allow);
        let (Access::Until, Some(date)) = (verdict.access, verdict.until) else {
            continue;
        };
        let check = verdict
            .until_node
            .map(|(s, e)| format!(" (`{}`)", ctx.slice(s..e)))
            .unwrap_or_default();
        let what = format!(
            "{} any {} under {}",
            describe(allow.ops),
            model.noun(),
            allow_path(model, allow)
        );
        let methods = methods_text(ctx, allow);
        let message = if today >= date {
            format!(
                "`allow {methods}` is Firebase's test-mode rule: it let anyone on the internet {what} until {date}{check}. It expired on {date}, so it now grants nothing and the app fails wherever it relied on it; redeploying it with a later date would open everything again. Replace it with rules that check who is asking."
            )
        } else {
            format!(
                "`allow {methods}` is Firebase's test-mode rule: until {date}{check}, anyone on the internet can {what}, without signing in. Replace it with rules that check who is asking before then."
            )
        };
        findings.push(too_open_finding(&RULE, model, allow, message));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;

    fn run(rules: &str, today: Date) -> Vec<Finding> {
        with_file("firestore.rules", rules, Language::FirebaseRules, |ctx| {
            check_on(ctx, today)
        })
    }

    const TEST_MODE: &str = "rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow read, write: if request.time < timestamp.date(2025, 10, 18);
    }
  }
}";

    fn day(year: i64, month: i64, day: i64) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn before_the_date_it_is_open() {
        let f = run(TEST_MODE, day(2025, 10, 17));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "`allow read, write` is Firebase's test-mode rule: until 2025-10-18 (`request.time < timestamp.date(2025, 10, 18)`), anyone on the internet can read, create, change and delete any document under /databases/{database}/documents/{document=**}, without signing in. Replace it with rules that check who is asking before then."
        );
        assert_eq!(
            &TEST_MODE[f[0].range.clone()],
            "allow read, write: if request.time < timestamp.date(2025, 10, 18);"
        );
        let titles: Vec<&str> = f[0].fixes.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Deny all"]);
    }

    #[test]
    fn from_the_date_on_it_has_expired() {
        for today in [day(2025, 10, 18), day(2026, 1, 1)] {
            let f = run(TEST_MODE, today);
            assert_eq!(f.len(), 1);
            assert!(
                f[0].message
                    .contains("It expired on 2025-10-18, so it now grants nothing"),
                "{}",
                f[0].message
            );
            assert!(
                f[0].message.contains("redeploying it with a later date"),
                "{}",
                f[0].message
            );
        }
    }

    #[test]
    fn date_checks_in_functions_and_alternatives_count() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  function testMode() { return request.time < timestamp.date(2030, 1, 2); }
  match /users/{userId} {
    allow read: if request.auth.uid == userId || testMode();
    allow write: if request.auth != null && request.time < timestamp.date(2030, 1, 2);
  }
} }";
        let f = run(rules, day(2029, 1, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .starts_with("`allow read` is Firebase's test-mode rule: until 2030-01-02"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains(
                "can read any document under /databases/{database}/documents/users/{userId}"
            ),
            "{}",
            f[0].message
        );
        let titles: Vec<&str> = f[0].fixes.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Restrict to the owner (userId)", "Deny all"]);
    }
}
