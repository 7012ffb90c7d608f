//! End to end: the built `moat lsp` binary, spoken to in JSON-RPC over its
//! real stdin and stdout, as an editor does.
//!
//! Covers what the language server promises: the capabilities `initialize`
//! answers (incremental sync, quick fixes and `source.fixAll.moat`, the
//! negotiated position encoding), diagnostics on open for each language,
//! incremental edits that remove and restore a hole in a file with emoji
//! (positions checked in UTF-16 and UTF-8), a quick fix that removes the
//! diagnostic once applied, and a clean `shutdown` + `exit`.

mod common;

use common::*;
use serde_json::{json, Value};

const FIRESTORE_RULES: &str = "\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{userId} {
      allow read, write: if true;
    }
  }
}
";

const MIGRATION: &str = "\
create table public.profiles (
  id uuid primary key references auth.users,
  username text
);
";

const TOKENS_TS: &str = "\
import jwt from 'jsonwebtoken';

export function claims(token: string, secret: string) {
  return jwt.verify(token, secret);
}
";

/// A started and initialized server offering `encodings`.
fn server(encodings: &[&str]) -> Client {
    let mut client = Client::spawn_binary();
    client.initialize_with_encodings(encodings);
    client
}

#[test]
fn initialize_answers_the_capabilities() {
    let mut client = Client::spawn_binary();
    let result = client.initialize_with_encodings(&[]);
    let caps = &result["capabilities"];

    assert_eq!(
        caps["positionEncoding"], "utf-16",
        "UTF-16 when the client names none"
    );
    // Incremental sync, with open/close.
    let sync = &caps["textDocumentSync"];
    assert_eq!(sync["change"], 2, "incremental sync: {sync}");
    assert_eq!(sync["openClose"], true);
    // Quick fixes and Moat's fix-all.
    let kinds: Vec<&str> = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .expect("codeActionProvider with kinds")
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"quickfix"), "{kinds:?}");
    assert!(kinds.contains(&"source.fixAll.moat"), "{kinds:?}");
    // A client that does not pull is pushed to: no diagnostic provider.
    assert!(
        caps.get("diagnosticProvider").is_none_or(Value::is_null),
        "{caps}"
    );
    assert_eq!(result["serverInfo"]["name"], "moat");
}

#[test]
fn position_encoding_is_negotiated() {
    let cases: &[(&[&str], &str)] = &[
        (&["utf-8", "utf-16"], "utf-8"),
        (&["utf-16", "utf-8"], "utf-8"),
        (&["utf-16"], "utf-16"),
        (&["utf-32", "utf-16"], "utf-32"),
        (&["latin-1"], "utf-16"),
    ];
    for &(offered, chosen) in cases {
        let mut client = Client::spawn_binary();
        let result = client.initialize_with_encodings(offered);
        assert_eq!(
            result["capabilities"]["positionEncoding"], chosen,
            "offered {offered:?}"
        );
    }
}

#[test]
fn did_open_publishes_diagnostics_for_each_language() {
    let mut client = server(&[]);

    let rules = client.open(
        "file:///project/firestore.rules",
        "firestore",
        7,
        FIRESTORE_RULES,
    );
    let sql = client.open(
        "file:///project/supabase/migrations/001_init.sql",
        "sql",
        3,
        MIGRATION,
    );
    let ts = client.open("file:///project/src/tokens.ts", "typescript", 1, TOKENS_TS);

    // Each publish is stamped with the version the document was opened at.
    let published = client.wait_for("diagnostics for firestore.rules", |m| {
        is_publish_for(m, &rules.uri)
    });
    assert_eq!(published["params"]["version"], 7);
    let d = only(published["params"]["diagnostics"].as_array().unwrap()).clone();
    assert_moat_diagnostic(&d, "firebase/allow-if-true", ERROR);
    assert_eq!(
        d["range"],
        range(4, 6, 4, 33),
        "the whole allow statement: {d:#}"
    );

    let published = client.wait_for("diagnostics for the migration", |m| {
        is_publish_for(m, &sql.uri)
    });
    assert_eq!(published["params"]["version"], 3);
    let d = only(published["params"]["diagnostics"].as_array().unwrap()).clone();
    assert_moat_diagnostic(&d, "sql/rls-disabled", ERROR);
    assert_eq!(
        d["range"],
        range(0, 0, 0, 28),
        "`create table public.profiles`: {d:#}"
    );
    assert!(
        d["message"].as_str().unwrap().contains("public.profiles"),
        "{d:#}"
    );

    let published = client.wait_for("diagnostics for tokens.ts", |m| is_publish_for(m, &ts.uri));
    assert_eq!(published["params"]["version"], 1);
    let d = only(published["params"]["diagnostics"].as_array().unwrap()).clone();
    assert_moat_diagnostic(&d, "jwt/missing-algorithms", WARNING);
    assert_eq!(
        d["range"],
        range(3, 9, 3, 34),
        "`jwt.verify(token, secret)`: {d:#}"
    );

    // A document without holes gets an empty list, not silence.
    let safe = client.open(
        "file:///project/src/safe.ts",
        "typescript",
        1,
        "import jwt from 'jsonwebtoken';\njwt.verify(t, k, { algorithms: ['RS256'] });\n",
    );
    assert_eq!(client.diagnostics(&safe), Vec::<Value>::new());
}

/// A TypeScript file with emoji above and before the finding.
const EMOJI_TS: &str = "\
import jwt from 'jsonwebtoken';
// 😀 auth helpers
export const claims = (t: string, k: string) => jwt.verify(t, k);
";

/// Expected character offsets on the finding's line, per encoding.
struct Columns {
    /// `jwt.verify(t, k)` before the same-line emoji edit.
    start: usize,
    /// ... and after `/* 😀 */ ` is inserted before it.
    shifted: usize,
}

/// Edits above and on the finding's line, removes and restores the hole,
/// then applies the quick fix: every published range is checked against
/// positions counted by hand for `encoding`.
fn edits_keep_positions_right(offered: &[&str], expect_encoding: Encoding, cols: Columns) {
    let mut client = server(offered);
    assert_eq!(client.encoding, expect_encoding);
    let len = "jwt.verify(t, k)".chars().count();

    let mut doc = client.open("file:///project/src/claims.ts", "typescript", 1, EMOJI_TS);
    let d = only(&client.diagnostics(&doc)).clone();
    assert_moat_diagnostic(&d, "jwt/missing-algorithms", WARNING);
    assert_eq!(d["range"], range(2, cols.start, 2, cols.start + len));

    // A new line with emoji above the finding: it moves down one line.
    client.insert_before(&mut doc, "// 😀 auth helpers", "// 😀😀 added above\n");
    let d = only(&client.diagnostics(&doc)).clone();
    assert_eq!(d["range"], range(3, cols.start, 3, cols.start + len));

    // Emoji on the same line, before the finding: it moves right.
    client.insert_before(&mut doc, "jwt.verify(t, k)", "/* 😀 */ ");
    let d = only(&client.diagnostics(&doc)).clone();
    assert_eq!(d["range"], range(3, cols.shifted, 3, cols.shifted + len));

    // Pinning the algorithms removes the hole...
    client.replace(&mut doc, "(t, k);", "(t, k, { algorithms: ['HS256'] });");
    assert_eq!(
        client.diagnostics(&doc),
        Vec::<Value>::new(),
        "text now:\n{}",
        doc.text
    );

    // ... and taking them out again brings it back, at the same place.
    client.replace(&mut doc, "(t, k, { algorithms: ['HS256'] });", "(t, k);");
    let d = only(&client.diagnostics(&doc)).clone();
    assert_eq!(d["range"], range(3, cols.shifted, 3, cols.shifted + len));

    // The quick fix carried by the diagnostic, applied by the client.
    let actions = client.code_actions(&doc, d["range"].clone(), std::slice::from_ref(&d), None);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .unwrap_or_else(|| panic!("no quick fix in {actions:#?}"));
    assert_eq!(fix["title"], "Pin algorithms to ['HS256']");
    let edits = Client::edits_for(fix, &doc);
    let key_end = cols.shifted + len - 1; // just after `k`
    assert_eq!(
        edits,
        vec![
            json!({"range": range(3, key_end, 3, key_end), "newText": ", { algorithms: ['HS256'] }"})
        ]
    );
    client.apply_edits(&mut doc, &edits);
    assert!(
        doc.text
            .contains("/* 😀 */ jwt.verify(t, k, { algorithms: ['HS256'] });"),
        "{}",
        doc.text
    );
    assert_eq!(client.diagnostics(&doc), Vec::<Value>::new());
}

#[test]
fn incremental_edits_with_emoji_in_utf16() {
    // 😀 is two UTF-16 code units: `/* 😀 */ ` is 9 of them.
    edits_keep_positions_right(
        &[],
        Encoding::Utf16,
        Columns {
            start: 48,
            shifted: 57,
        },
    );
}

#[test]
fn incremental_edits_with_emoji_in_utf8() {
    // 😀 is four UTF-8 bytes: `/* 😀 */ ` is 11 of them.
    edits_keep_positions_right(
        &["utf-8", "utf-16"],
        Encoding::Utf8,
        Columns {
            start: 48,
            shifted: 59,
        },
    );
}

#[test]
fn quick_fixes_remove_the_diagnostic() {
    let mut client = server(&[]);

    // SQL: enable row level security after the statement.
    let mut sql = client.open(
        "file:///project/supabase/migrations/001.sql",
        "sql",
        1,
        MIGRATION,
    );
    let d = only(&client.diagnostics(&sql)).clone();
    let actions = client.code_actions(
        &sql,
        d["range"].clone(),
        std::slice::from_ref(&d),
        Some(&["quickfix"]),
    );
    // Enabling RLS, and enabling it with owner policies (the table has an
    // owner column); the plain one first.
    assert_eq!(actions.len(), 2, "{actions:?}");
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["title"], "Enable row level security on public.profiles");
    assert_eq!(
        actions[1]["title"],
        "Enable row level security on public.profiles with owner policies on id"
    );
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(
        fix["diagnostics"],
        json!([d]),
        "the action names the diagnostic it fixes"
    );
    let edits = Client::edits_for(fix, &sql);
    client.apply_edits(&mut sql, &edits);
    assert!(
        sql.text
            .contains(");\n\nalter table public.profiles enable row level security;"),
        "{}",
        sql.text
    );
    assert_eq!(codes(&client.diagnostics(&sql)), ["sql/rls-no-policy"]);

    // Firebase: two fixes, the owner restriction first.
    let mut rules = client.open(
        "file:///project/firestore.rules",
        "firebase-rules",
        1,
        FIRESTORE_RULES,
    );
    let d = only(&client.diagnostics(&rules)).clone();
    let actions = client.code_actions(&rules, d["range"].clone(), std::slice::from_ref(&d), None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Restrict to the owner (userId)", "Deny all"]);
    let edits = Client::edits_for(&actions[0], &rules);
    client.apply_edits(&mut rules, &edits);
    assert!(
        rules
            .text
            .contains("allow read, write: if request.auth != null && request.auth.uid == userId;"),
        "{}",
        rules.text
    );
    // The open grant is gone; what remains is the next step for an owner
    // rule on a users collection (limit the fields an owner may change).
    assert_eq!(
        codes(&client.diagnostics(&rules)),
        [
            "firebase/owner-field-escalation",
            "firebase/unvalidated-write"
        ]
    );
}

#[test]
fn code_action_for_an_outdated_diagnostic_offers_nothing() {
    let mut client = server(&[]);
    let mut doc = client.open(
        "file:///project/supabase/migrations/001.sql",
        "sql",
        1,
        MIGRATION,
    );
    let old = only(&client.diagnostics(&doc)).clone();
    // A line above the table: the old diagnostic's edits would land wrong.
    client.insert_before(&mut doc, "create table", "-- profiles\n");
    let new = only(&client.diagnostics(&doc)).clone();
    assert_eq!(new["range"], range(1, 0, 1, 28));

    let stale = client.code_actions(
        &doc,
        old["range"].clone(),
        std::slice::from_ref(&old),
        Some(&["quickfix"]),
    );
    assert_eq!(stale, Vec::<Value>::new());
    let fresh = client.code_actions(
        &doc,
        new["range"].clone(),
        std::slice::from_ref(&new),
        Some(&["quickfix"]),
    );
    assert_eq!(fresh.len(), 2);
}

#[test]
fn shutdown_then_exit_ends_the_process_with_code_0() {
    let mut client = server(&[]);
    let doc = client.open(
        "file:///project/supabase/migrations/001.sql",
        "sql",
        1,
        MIGRATION,
    );
    assert_eq!(client.diagnostics(&doc).len(), 1);
    client.shutdown_and_exit();
    assert_eq!(client.wait_for_exit(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_the_process_with_code_1() {
    let mut client = server(&[]);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_for_exit(), Some(1));
}

#[test]
fn malformed_messages_are_dropped_and_the_server_keeps_serving() {
    let mut client = server(&[]);
    for garbage in [
        &b"Content-Length: 10\r\n\r\n{not json}"[..],
        b"Content-Length: 2\r\n\r\n[]",
        b"Content-Length: 5\r\n\r\nhello",
        b"Content-Length: abc\r\n\r\n",
        b"X-No-Length: 1\r\n\r\n",
    ] {
        client.send_bytes(garbage);
    }
    let doc = client.open("file:///w/firestore.rules", "plaintext", 1, FIRESTORE_RULES);
    assert_eq!(codes(&client.diagnostics(&doc)), ["firebase/allow-if-true"]);
    client.shutdown_and_exit();
    assert_eq!(client.wait_for_exit(), Some(0));
}

/// Rules where one path gets its access from three statements: a public
/// catch-all read, an owner create, and nothing for the rest. A comment with
/// emoji sits before the hovered statement on its line.
const HOVER_RULES: &str = "\
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow get, list: if true;
    }
    match /users/{userId} {
      /* 😀 */ allow create: if request.auth.uid == userId;
    }
  }
}
";

#[test]
fn hover_shows_who_may_do_what_on_a_firebase_path() {
    use common::text::{pos, position_of, range_of_bytes};
    for offered in [&[][..], &["utf-8"][..]] {
        let mut client = server(offered);
        let doc = client.open(
            "file:///project/firestore.rules",
            "firebase-rules",
            1,
            HOVER_RULES,
        );
        client.diagnostics(&doc);
        let enc = client.encoding;

        // On the `allow create` statement, in the middle of `userId`.
        let statement = "allow create: if request.auth.uid == userId;";
        let start = HOVER_RULES.find(statement).unwrap();
        let at = position_of(
            HOVER_RULES,
            start + statement.find("userId;").unwrap() + 2,
            enc,
        );
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": at}),
        );
        assert_eq!(hover["contents"]["kind"], "markdown", "{hover:#}");
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(
            value.starts_with(
                "### `/databases/{database}/documents/users/{userId}`\n\n\
                 get, list: anyone · create: signed-in owner · update, delete: nobody\n"
            ),
            "{value}"
        );
        assert_eq!(
            hover["range"],
            range_of_bytes(HOVER_RULES, start, start + statement.len(), enc),
            "the statement's range, in {enc:?}"
        );

        // On the `match` keyword of the same path: the same summary.
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri},
                   "position": find(HOVER_RULES, "match /users", enc)["start"]}),
        );
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("get, list: anyone · create: signed-in owner · update, delete: nobody"),
            "{hover:#}"
        );
        assert_eq!(
            hover["range"],
            find(HOVER_RULES, "match /users/{userId}", enc)
        );

        // Between statements, and in other languages: no hover.
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": pos(5, 2)}),
        );
        assert_eq!(hover, Value::Null);
        let ts = client.open("file:///project/src/tokens.ts", "typescript", 1, TOKENS_TS);
        client.diagnostics(&ts);
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": ts.uri}, "position": pos(3, 12)}),
        );
        assert_eq!(hover, Value::Null);
    }
}

#[test]
fn initialize_offers_hover() {
    let mut client = Client::spawn_binary();
    let result = client.initialize_with_encodings(&[]);
    assert_eq!(result["capabilities"]["hoverProvider"], true, "{result:#}");
}

#[test]
fn two_migrations_open_rls_enabled_in_one_clears_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let create = migrations.join("20240101000000_create.sql");
    let secure = migrations.join("20240102000000_secure.sql");
    let create_sql = "create table public.notes (id bigint primary key, body text);\n";
    std::fs::write(&create, create_sql).unwrap();
    std::fs::write(&secure, "").unwrap();
    let root = file_uri(dir.path());
    let mut client = Client::spawn_binary();
    client.initialize(
        json!({}),
        json!({"rootUri": root, "workspaceFolders": [{"uri": root, "name": "p"}]}),
    );
    let (create_uri, secure_uri) = (file_uri(&create), file_uri(&secure));
    let wait = |client: &mut Client, expected: &[&str]| {
        client.wait_for(&format!("{expected:?} on the create migration"), |m| {
            is_publish_for(m, &create_uri)
                && codes(m["params"]["diagnostics"].as_array().unwrap()) == expected
        });
    };
    client.open(&create_uri, "sql", 1, create_sql);
    wait(&mut client, &["sql/rls-disabled"]);
    let mut other = client.open(&secure_uri, "sql", 1, "");
    client.replace_all(
        &mut other,
        "alter table public.notes enable row level security;\n",
    );
    wait(&mut client, &[]);
    client.replace_all(&mut other, "");
    wait(&mut client, &["sql/rls-disabled"]);
    client.shutdown_and_exit();
    assert_eq!(client.wait_for_exit(), Some(0));
}
