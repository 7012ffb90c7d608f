//! `secrets/google-api-key`: Google API keys (`AIza…`), with the Firebase
//! web config's `apiKey` told apart.

use super::{
    b64url, ends_token, noise, run_end, starts_token, Advice, Candidate, Check, Hit, Scan, Trigger,
    EVERY_LANGUAGE,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/google-api-key",
    default_severity: Severity::Warning,
    summary: "A Google API key (AIza…) is written in a file; a Firebase web config's apiKey is info at most.",
    docs: r#"
## What it does
Finds Google API keys: `AIza` followed by 35 characters of the base64url
alphabet.

A Firebase web config's `apiKey` is public by design: it names your
Firebase project to Google, ships in every copy of your web app, and
grants nothing by itself. When the key sits in a Firebase config (next to
`authDomain`, `projectId`, `messagingSenderId` or `*.firebaseapp.com`, or
under a name that mentions Firebase), it is reported as info, with a
reminder to restrict it, and without a fix. So is a key next to the
Firebase Auth REST API (`identitytoolkit.googleapis.com`,
`securetoken.googleapis.com`) or named a "web API key" (`WEB_API_KEY`,
`webApiKey`), as the Firebase console calls it.

A Maps key the browser loads is public by design too, and reported as
info: in the URL of the Maps JavaScript API script
(`https://maps.googleapis.com/maps/api/js?key=…`), or assigned to a
variable the bundler ships to the client whose name says Maps
(`VITE_GOOGLE_MAPS_API_KEY`, `NEXT_PUBLIC_GOOGLE_MAPS_KEY`, ...); restrict
it by HTTP referrer. Only Maps: a Gemini key in a `VITE_` variable is a
credential leaked into the bundle, and stays a warning.

Elsewhere it is a warning: a server-side key for Maps, Gemini or other
paid APIs is a credential.

Placeholders and references are not reported; under test and fixture
folders findings are info.

## Why is this bad?
An unrestricted server key can be used by anyone to call the APIs it is
enabled for, on your bill (Gemini, Maps, Places, Translate), and some of
them return your project's data (CWE-798).

## How to fix
For a server key: delete or regenerate it in Google Cloud (APIs & Services
→ Credentials), read it from the environment (`GOOGLE_API_KEY`; the quick
fix writes `process.env.GOOGLE_API_KEY`) and add API and application
restrictions. For a Firebase web key: keep it, but restrict it to the
Firebase APIs and your app's domains, and make sure Firestore and Storage
security rules, not the key, protect the data.

## Example
```ts
// Reported (warning):
const maps = new Client({ key: 'AIza…' });
// Info only: a Firebase web config
const firebaseConfig = { apiKey: 'AIza…', authDomain: 'acme.firebaseapp.com' };
```

## References
- CWE-798: Use of Hard-coded Credentials
- Firebase: Learn about using and managing API keys, https://firebase.google.com/docs/projects/api-keys
- Google Cloud: API key best practices, https://cloud.google.com/docs/authentication/api-keys-best-practices
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[Trigger {
    literal: "AIza",
    check: Check::Custom(google_key),
}];

const FIREBASE_NOTE: &str = "This looks like a Firebase web config apiKey, which is public by design and grants nothing by itself; restrict it to the Firebase APIs and your domains in Google Cloud, and let security rules protect the data.";

const MAPS_NOTE: &str = "This key is loaded by the browser (the Maps JavaScript API script, or a variable the bundler ships to the client), where anyone can read it: such keys are public by design; restrict it to your sites' HTTP referrers and to the Maps APIs in Google Cloud.";

/// Prefixes of variables that bundlers ship to the browser.
const BROWSER_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
    "PUBLIC_",
];

/// Whether the key at `at` is a Maps key the browser loads: in the URL of
/// the Maps JavaScript API script (`maps.googleapis.com/maps/api/js?key=`),
/// or assigned to a browser-shipped variable that names Maps
/// (`VITE_GOOGLE_MAPS_API_KEY=…`). Only Maps: a `VITE_GEMINI_API_KEY` in
/// the bundle is a leaked credential, not a public one.
fn is_browser_maps_key(scan: &Scan<'_>, at: usize) -> bool {
    let text = scan.text;
    let mut from = at.saturating_sub(200);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let line = text[from..at].rsplit('\n').next().unwrap_or("");
    if line.contains("maps.googleapis.com/maps/api/js") {
        return true;
    }
    // The name the key is assigned to: the last identifier on the line
    // before it.
    let name = line
        .trim_end_matches(['"', '\'', '`', ' ', '=', ':'])
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    BROWSER_PREFIXES.iter().any(|p| name.starts_with(p)) && name.contains("MAPS")
}

fn google_key(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    if &b[hit.start..hit.end] != b"AIza" || !starts_token(b, hit.start) {
        return;
    }
    let end = run_end(b, hit.end, b64url, 36);
    if end - hit.end != 35 || !ends_token(b, end) {
        return;
    }
    let key = &scan.text[hit.start..end];
    if !noise::looks_issued(&key[4..]) || noise::is_documented(key) {
        scan.quiet(hit.start..end);
        return;
    }
    let mut c = Candidate::specific(
        &RULE,
        hit.start..end,
        Severity::Warning,
        "A Google API key",
        "GOOGLE_API_KEY",
    );
    if is_firebase_config(scan, hit.start) {
        c.severity = Severity::Info;
        c.what = "A Firebase web API key".into();
        c.advice = Advice::Public(FIREBASE_NOTE);
        c.env = String::new();
    } else if is_browser_maps_key(scan, hit.start) {
        c.severity = Severity::Info;
        c.what = "A Google Maps browser API key".into();
        c.advice = Advice::Public(MAPS_NOTE);
        c.env = String::new();
    }
    scan.push(c);
}

/// Whether the text around `at` (a kilobyte either way) is a Firebase web
/// config, or the line names Firebase.
fn is_firebase_config(scan: &Scan<'_>, at: usize) -> bool {
    let text = scan.text;
    let mut from = at.saturating_sub(1024);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + 1024).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let window = &text[from..to];
    const MARKS: &[&str] = &[
        "authDomain",
        "auth_domain",
        "AUTH_DOMAIN",
        "messagingSenderId",
        "MESSAGING_SENDER_ID",
        "firebaseapp.com",
        "initializeApp",
        "firebaseConfig",
        // The Firebase Auth REST API takes the web API key in its URL, and
        // the console calls the key "Web API Key".
        "identitytoolkit.googleapis.com",
        "securetoken.googleapis.com",
        "WEB_API_KEY",
        "WebApiKey",
        "webApiKey",
    ];
    if MARKS.iter().any(|m| window.contains(m)) {
        return true;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    let line = &line[line.len().saturating_sub(200)..];
    line.to_ascii_lowercase().contains("firebase")
}
