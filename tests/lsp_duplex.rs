//! Protocol tests: `moat::lsp::Backend` run in-process by tower-lsp-server
//! over an in-memory duplex connection, spoken to in JSON-RPC.
//!
//! Covers the rules of the protocol the end-to-end test does not: stale
//! changes dropped, nothing published after close, pulled diagnostics,
//! fix-all applying only safe fixes, configuration from `moat.toml` (on disk
//! and in the editor, broken or not) and from the client, and suppression
//! comments.
//!
//! Diagnostics are debounced after edits, so tests wait for the publish of a
//! given version; they never sleep and then assert.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const MIGRATION: &str = "\
create table public.profiles (
  id uuid primary key references auth.users,
  username text
);
";

const ENABLE_RLS: &str = "alter table public.profiles enable row level security;\n";

const TOKENS_TS: &str = "\
import jwt from 'jsonwebtoken';

export function claims(token: string, secret: string) {
  return jwt.verify(token, secret);
}
";

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

/// An in-process server, initialized with default capabilities.
fn server() -> Client {
    let mut client = Client::in_process();
    client.initialize(json!({}), json!({}));
    client
}

/// An in-process server whose workspace is `root`.
fn server_in(root: &std::path::Path, extra: Value) -> Client {
    let uri = file_uri(root);
    let mut params = json!({
        "rootUri": uri,
        "workspaceFolders": [{"uri": uri, "name": "project"}],
    });
    if let Value::Object(extra) = extra {
        params.as_object_mut().unwrap().extend(extra);
    }
    let mut client = Client::in_process();
    client.initialize(json!({"workspace": {"workspaceFolders": true}}), params);
    client
}

/// The end of the client's copy of `doc`, as an empty range.
fn end_of(client: &Client, doc: &Doc) -> Value {
    let end =
        common::text::range_of_bytes(&doc.text, doc.text.len(), doc.text.len(), client.encoding);
    json!({"start": end["start"], "end": end["start"]})
}

#[test]
fn changes_whose_version_is_not_newer_are_dropped() {
    let mut client = server();
    let mut doc = client.open("file:///p/supabase/migrations/001.sql", "sql", 1, MIGRATION);
    assert_eq!(codes(&client.diagnostics(&doc)), ["sql/rls-disabled"]);

    // Version 2 enables RLS (and, with no policy yet, the API reaches nothing).
    let end = end_of(&client, &doc);
    client.change(&mut doc, end, ENABLE_RLS);
    assert_eq!(codes(&client.diagnostics(&doc)), ["sql/rls-no-policy"]);

    // Changes stamped 2 (same) and 1 (older) that would take it out again.
    let alter = find(&doc.text, ENABLE_RLS, client.encoding);
    client.change_with_version(&doc.uri, 2, alter.clone(), "");
    client.change_with_version(&doc.uri, 1, alter, "");

    // A newer change goes through, on the text without the stale edits.
    let end = end_of(&client, &doc);
    client.change(&mut doc, end, "-- done\n");
    assert_eq!(doc.version, 3);
    assert_eq!(
        codes(&client.diagnostics(&doc)),
        ["sql/rls-no-policy"],
        "a stale change was applied"
    );

    // And the server's text is still the client's: an edit at positions
    // computed on the client's copy lands where it should.
    client.replace(&mut doc, ENABLE_RLS, "");
    let d = only(&client.diagnostics(&doc)).clone();
    assert_eq!(d["range"], range(0, 0, 0, 28));
    assert_eq!(doc.text, format!("{MIGRATION}-- done\n"));
}

#[test]
fn close_clears_diagnostics_and_nothing_is_published_after() {
    let mut client = server();
    // A second document whose debounced publishes serve as a barrier: its
    // change comes after the close, so its publish is scheduled after any
    // publish of the closed document.
    let mut other = client.open("file:///p/src/other.ts", "typescript", 1, TOKENS_TS);
    client.diagnostics(&other);

    for round in 0..3 {
        let uri = format!("file:///p/src/tokens{round}.ts");
        let mut doc = client.open(&uri, "typescript", 1, TOKENS_TS);
        assert_eq!(codes(&client.diagnostics(&doc)), ["jwt/missing-algorithms"]);

        // A change schedules a debounced publish; the close comes right after.
        client.insert_before(&mut doc, "export", "// edited\n");
        client.close(&doc);
        let cleared = client.published(&doc.uri, None);
        assert_eq!(cleared.diagnostics, Vec::<Value>::new());
        // Whatever came for it before the clear is fine; nothing may follow.
        client.discard(|m| is_publish_for(m, &uri));

        // A change to a closed document is ignored.
        client.change_with_version(&doc.uri, 3, range(0, 0, 0, 0), "// after close\n");

        client.insert_before(&mut other, "export", "// barrier\n");
        client.diagnostics(&other);
        let late = client.received(|m| is_publish_for(m, &uri));
        assert_eq!(
            late,
            Vec::<Value>::new(),
            "published after close in round {round}"
        );
    }

    // A closed document can be opened again.
    let doc = client.open("file:///p/src/tokens0.ts", "typescript", 1, TOKENS_TS);
    assert_eq!(codes(&client.diagnostics(&doc)), ["jwt/missing-algorithms"]);
}

#[test]
fn clients_that_pull_get_diagnostics_on_request_and_no_push() {
    let mut client = Client::in_process();
    let result = client.initialize(
        json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": false}},
            "workspace": {"diagnostics": {"refreshSupport": true}},
        }),
        json!({}),
    );
    let provider = &result["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["identifier"], "moat", "{provider}");
    assert_eq!(provider["interFileDependencies"], false);
    assert_eq!(provider["workspaceDiagnostics"], false);

    let pull = |client: &mut Client, uri: &str| -> Vec<Value> {
        let report = client.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(report["kind"], "full", "{report}");
        report["items"].as_array().expect("items").clone()
    };

    let mut doc = client.open("file:///p/supabase/migrations/001.sql", "sql", 1, MIGRATION);
    let items = pull(&mut client, &doc.uri);
    let d = only(&items);
    assert_moat_diagnostic(d, "sql/rls-disabled", ERROR);
    assert_eq!(d["range"], range(0, 0, 0, 28));
    assert_eq!(
        d["data"]["version"], 1,
        "fixes are stamped with the version: {d}"
    );

    let end = end_of(&client, &doc);
    client.change(&mut doc, end, ENABLE_RLS);
    assert_eq!(codes(&pull(&mut client, &doc.uri)), ["sql/rls-no-policy"]);

    client.replace(&mut doc, ENABLE_RLS, "");
    let items = pull(&mut client, &doc.uri);
    assert_eq!(only(&items)["data"]["version"], 3);

    client.close(&doc);
    assert_eq!(pull(&mut client, &doc.uri), Vec::<Value>::new());

    // New settings: the client is asked to pull again, not pushed to.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"rules": {"sql/rls-disabled": "off"}}}),
    );
    client.wait_for("workspace/diagnostic/refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh" && m.get("id").is_some()
    });

    // Nothing was pushed: no later message can serve as a barrier here, so
    // watch for a while past the debounce (this can only miss a late push).
    let pushed = client.received_within(Duration::from_millis(300), |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });
    assert_eq!(pushed, Vec::<Value>::new());
}

const SIGN_AND_VERIFY_TS: &str = "\
import jwt from 'jsonwebtoken';

const SECRET = process.env.JWT_SECRET!;

export const issue = (p: object) => jwt.sign(p, SECRET);
export const check = (t: string) => jwt.verify(t, SECRET);
export const legacy = (t: string) => jwt.verify(t, LEGACY_KEY);
";

#[test]
fn fix_all_applies_only_safe_fixes() {
    let mut client = server();
    let mut doc = client.open("file:///p/src/auth.ts", "typescript", 1, SIGN_AND_VERIFY_TS);
    let diagnostics = client.diagnostics(&doc);
    assert_eq!(
        codes(&diagnostics),
        ["jwt/missing-algorithms", "jwt/missing-algorithms"]
    );
    // Same key as `sign`: the algorithm is known, the fix is safe.
    assert_eq!(diagnostics[0]["range"], range(5, 36, 5, 57));
    assert_eq!(
        diagnostics[0]["data"]["fixes"][0]["safe"], true,
        "{:#}",
        diagnostics[0]
    );
    // Another key: a guess, unsafe.
    assert_eq!(diagnostics[1]["range"], range(6, 37, 6, 62));
    assert_eq!(
        diagnostics[1]["data"]["fixes"][0]["safe"], false,
        "{:#}",
        diagnostics[1]
    );

    // Asked for by its own kind or a parent kind, as editors do on save.
    let everything = range(0, 0, 7, 0);
    for only_kinds in [&["source.fixAll.moat"][..], &["source.fixAll"], &["source"]] {
        let actions = client.code_actions(&doc, everything.clone(), &[], Some(only_kinds));
        let action = only(&actions);
        assert_eq!(action["kind"], "source.fixAll.moat", "{only_kinds:?}");
        let edits = Client::edits_for(action, &doc);
        assert_eq!(
            edits,
            vec![json!({"range": range(5, 56, 5, 56), "newText": ", { algorithms: ['HS256'] }"})],
            "only the safe fix, pinning the algorithm `sign` uses"
        );
    }
    // Fix-all is not a quick fix.
    let quick = client.code_actions(&doc, everything.clone(), &[], Some(&["quickfix"]));
    assert_eq!(quick, Vec::<Value>::new());

    let action = client.code_actions(&doc, everything.clone(), &[], Some(&["source.fixAll.moat"]));
    let edits = Client::edits_for(&action[0], &doc);
    client.apply_edits(&mut doc, &edits);
    let left = client.diagnostics(&doc);
    assert_eq!(
        only(&left)["range"],
        range(6, 37, 6, 62),
        "the unsafe one stays"
    );
    let actions = client.code_actions(&doc, everything, &[], Some(&["source.fixAll.moat"]));
    assert_eq!(actions, Vec::<Value>::new(), "nothing safe left to fix");
}

#[test]
fn fix_all_leaves_unsafe_fixes_to_the_user() {
    let mut client = server();
    let doc = client.open("file:///p/supabase/migrations/001.sql", "sql", 1, MIGRATION);
    let d = only(&client.diagnostics(&doc)).clone();
    assert_eq!(
        d["data"]["fixes"][0]["safe"], false,
        "enabling RLS without policies changes behaviour"
    );

    let fix_all = client.code_actions(
        &doc,
        range(0, 0, 4, 0),
        std::slice::from_ref(&d),
        Some(&["source.fixAll.moat"]),
    );
    assert_eq!(fix_all, Vec::<Value>::new());
    // Still offered as quick fixes (with and without owner policies).
    let quick = client.code_actions(&doc, d["range"].clone(), std::slice::from_ref(&d), None);
    assert_eq!(quick.len(), 2, "{quick:?}");
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"));
}

#[test]
fn moat_toml_in_the_workspace_changes_what_is_published() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("moat.toml"),
        "[rules]\n\"sql/rls-disabled\" = \"off\"\n\"jwt/missing-algorithms\" = \"error\"\n",
    )
    .unwrap();
    let mut client = server_in(dir.path(), json!({}));

    let sql = client.open(
        &file_uri(&dir.path().join("supabase/migrations/001.sql")),
        "sql",
        1,
        MIGRATION,
    );
    assert_eq!(
        client.diagnostics(&sql),
        Vec::<Value>::new(),
        "sql/rls-disabled is off"
    );
    let ts = client.open(
        &file_uri(&dir.path().join("src/tokens.ts")),
        "typescript",
        1,
        TOKENS_TS,
    );
    assert_moat_diagnostic(
        only(&client.diagnostics(&ts)),
        "jwt/missing-algorithms",
        ERROR,
    );
    let rules = client.open(
        &file_uri(&dir.path().join("firestore.rules")),
        "firebase-rules",
        1,
        FIRESTORE_RULES,
    );
    assert_eq!(
        codes(&client.diagnostics(&rules)),
        ["firebase/allow-if-true"],
        "other rules still run"
    );

    // The same files in a workspace without moat.toml: the defaults.
    let bare = tempfile::tempdir().unwrap();
    let mut plain = server_in(bare.path(), json!({}));
    let sql = plain.open(
        &file_uri(&bare.path().join("supabase/migrations/001.sql")),
        "sql",
        1,
        MIGRATION,
    );
    assert_eq!(codes(&plain.diagnostics(&sql)), ["sql/rls-disabled"]);
    let ts = plain.open(
        &file_uri(&bare.path().join("src/tokens.ts")),
        "typescript",
        1,
        TOKENS_TS,
    );
    assert_moat_diagnostic(
        only(&plain.diagnostics(&ts)),
        "jwt/missing-algorithms",
        WARNING,
    );
}

#[test]
fn moat_toml_edited_in_the_editor_applies_and_a_broken_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = "[rules]\n\"sql/rls-disabled\" = \"off\"\n";
    std::fs::write(dir.path().join("moat.toml"), on_disk).unwrap();
    let mut client = server_in(dir.path(), json!({}));
    let sql = client.open(
        &file_uri(&dir.path().join("supabase/migrations/001.sql")),
        "sql",
        1,
        MIGRATION,
    );
    assert_eq!(client.diagnostics(&sql), Vec::<Value>::new());

    // Opened in the editor, the buffer is the configuration.
    let mut config = client.open(&file_uri(&dir.path().join("moat.toml")), "toml", 1, on_disk);
    assert_eq!(
        client.diagnostics(&config),
        Vec::<Value>::new(),
        "a valid moat.toml has no problems"
    );

    // Broken: reported on moat.toml, and the defaults are in force.
    client.replace(&mut config, "[rules]", "[rules");
    let problems = client.diagnostics(&config);
    let d = only(&problems);
    assert_moat_diagnostic(d, "moat/invalid-config", ERROR);
    assert_eq!(d["range"]["start"]["line"], 0, "{d:#}");
    let sql_now = client.wait_for("the migration re-checked with the defaults", |m| {
        is_publish_for(m, &sql.uri) && !m["params"]["diagnostics"].as_array().unwrap().is_empty()
    });
    assert_eq!(
        codes(sql_now["params"]["diagnostics"].as_array().unwrap()),
        ["sql/rls-disabled"]
    );
    assert_eq!(
        sql_now["params"]["version"], 1,
        "re-checked at the document's own version"
    );

    // A rule that does not exist: reported on its entry, the rest applies.
    client.replace_all(
        &mut config,
        "[rules]\n\"sql/rls-disabled\" = \"warning\"\n\"sql/no-such-rule\" = \"off\"\n",
    );
    let problems = client.diagnostics(&config);
    let d = only(&problems);
    assert_moat_diagnostic(d, "moat/invalid-config", ERROR);
    assert_eq!(
        d["range"]["start"]["line"], 2,
        "on the unknown entry: {d:#}"
    );
    assert!(
        d["message"].as_str().unwrap().contains("sql/no-such-rule"),
        "{d:#}"
    );
    let sql_now = client.wait_for("the migration re-checked as a warning", |m| {
        is_publish_for(m, &sql.uri) && m["params"]["diagnostics"][0]["severity"] == WARNING
    });
    assert_eq!(
        codes(sql_now["params"]["diagnostics"].as_array().unwrap()),
        ["sql/rls-disabled"]
    );

    // Closing the buffer goes back to the file on disk: the rule is off.
    client.close(&config);
    assert_eq!(
        client.published(&config.uri, None).diagnostics,
        Vec::<Value>::new()
    );
    client.wait_for("the migration re-checked with moat.toml from disk", |m| {
        is_publish_for(m, &sql.uri) && m["params"]["diagnostics"] == json!([])
    });
}

#[test]
fn moat_toml_buffer_applies_whatever_the_uri_encoding() {
    // A workspace path with characters clients encode differently: `@` is
    // left as it is by the `url` crate (Helix), spaces and non-ASCII are
    // percent-encoded.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app@2 prod é");
    std::fs::create_dir(&root).unwrap();
    let mut client = server_in(&root, json!({}));
    assert!(
        file_uri(&root).contains("app@2%20prod%20%C3%A9"),
        "{}",
        file_uri(&root)
    );

    let sql = client.open(
        &file_uri(&root.join("supabase/migrations/001.sql")),
        "sql",
        1,
        MIGRATION,
    );
    assert_eq!(codes(&client.diagnostics(&sql)), ["sql/rls-disabled"]);
    // moat.toml exists only in the editor: its buffer must apply.
    let config = client.open(
        &file_uri(&root.join("moat.toml")),
        "toml",
        1,
        "[rules]\n\"sql/rls-disabled\" = \"off\"\n",
    );
    assert_eq!(client.diagnostics(&config), Vec::<Value>::new());
    client.wait_for("the migration re-checked with the buffer's settings", |m| {
        is_publish_for(m, &sql.uri) && m["params"]["diagnostics"] == json!([])
    });
}

#[test]
fn client_settings_apply() {
    let mut client = Client::in_process();
    client.initialize(
        json!({}),
        json!({"initializationOptions": {"rules": {"sql/rls-disabled": "off"}}}),
    );
    let sql = client.open("file:///p/supabase/migrations/001.sql", "sql", 1, MIGRATION);
    assert_eq!(
        client.diagnostics(&sql),
        Vec::<Value>::new(),
        "turned off by initializationOptions"
    );
    let ts = client.open("file:///p/src/tokens.ts", "typescript", 1, TOKENS_TS);
    assert_eq!(codes(&client.diagnostics(&ts)), ["jwt/missing-algorithms"]);

    // Settings changed later (here in the `{"moat": {...}}` shape).
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"moat": {"rules": {"sql/rls-disabled": "warning"}}}}),
    );
    let republished = client.wait_for("the migration re-checked with the new settings", |m| {
        is_publish_for(m, &sql.uri) && !m["params"]["diagnostics"].as_array().unwrap().is_empty()
    });
    let d = only(republished["params"]["diagnostics"].as_array().unwrap());
    assert_moat_diagnostic(d, "sql/rls-disabled", WARNING);
}

#[test]
fn moat_ignore_comments_are_honoured() {
    let mut client = server();
    let ts = client.open(
        "file:///p/src/gateway.ts",
        "typescript",
        1,
        "\
import jwt from 'jsonwebtoken';
// moat-ignore: jwt/missing-algorithms -- tokens come from our own gateway
export const a = (t: string, k: string) => jwt.verify(t, k);
export const b = (t: string, k: string) => jwt.verify(t, k);
export const c = (t: string, k: string) => jwt.verify(t, k); // moat-ignore: jwt
",
    );
    let d = only(&client.diagnostics(&ts)).clone();
    assert_eq!(
        d["range"]["start"]["line"], 3,
        "only the call without a suppression: {d:#}"
    );

    let mut sql = client.open(
        "file:///p/supabase/migrations/002.sql",
        "sql",
        1,
        "create table public.audit (id int); -- moat-ignore: sql/rls-disabled -- not exposed\n",
    );
    assert_eq!(client.diagnostics(&sql), Vec::<Value>::new());

    // Editing the comment away brings the finding back.
    client.replace(
        &mut sql,
        " -- moat-ignore: sql/rls-disabled -- not exposed",
        "",
    );
    assert_eq!(codes(&client.diagnostics(&sql)), ["sql/rls-disabled"]);
}

#[test]
fn utf32_and_crlf_positions() {
    let mut client = Client::in_process();
    client.initialize(
        json!({"general": {"positionEncodings": ["utf-32"]}}),
        json!({}),
    );
    assert_eq!(client.encoding, Encoding::Utf32);
    let text = "-- 😀 profiles\r\n-- 日本語\r\ncreate table public.profiles (id int);\r\n";
    let mut doc = client.open("file:///p/supabase/migrations/003.sql", "sql", 1, text);
    let diagnostics = client.diagnostics(&doc);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"], range(2, 0, 2, 28));

    // An edit on the line above, in code points.
    client.change(&mut doc, range(1, 3, 1, 6), "テスト 😀😀");
    assert_eq!(
        doc.text,
        "-- 😀 profiles\r\n-- テスト 😀😀\r\ncreate table public.profiles (id int);\r\n"
    );
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(2, 0, 2, 28));
    // A line break inserted above, and emoji before the finding on its line.
    client.insert_before(&mut doc, "create table", "/* 😀 */\r\n/* 😀 */ ");
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(3, 8, 3, 36));
    // An edit after the emoji on the finding's line, in code points.
    client.replace(&mut doc, "public.", "");
    assert_eq!(
        doc.text.lines().nth(3),
        Some("/* 😀 */ create table profiles (id int);")
    );
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(3, 8, 3, 29));
}

#[test]
fn several_changes_in_one_did_change_apply_in_order() {
    let mut client = server();
    let mut doc = client.open("file:///p/src/tokens.ts", "typescript", 1, TOKENS_TS);
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(3, 9, 3, 34));

    // Each change's range is on the text the previous one left: the second
    // one's line 4 is the verify line only after the first added a line.
    client.change_many(
        &mut doc,
        &[
            (range(1, 0, 1, 0), "// 😀 one\n"),
            (range(4, 9, 4, 9), "/* 😀 */ "),
            (range(0, 0, 0, 0), "// two\n"),
        ],
    );
    assert!(
        doc.text.contains("  return /* 😀 */ jwt.verify"),
        "{}",
        doc.text
    );
    assert_eq!(
        only(&client.diagnostics(&doc))["range"],
        range(5, 18, 5, 43)
    );
}

#[test]
fn positions_past_the_end_of_a_line_are_clamped() {
    let mut client = server();
    // No line break at the end: "the end of the text" and "the start of
    // the last line" differ.
    let text = "-- 😀 header\ncreate table public.profiles (id uuid references auth.users);";
    let mut doc = client.open("file:///p/supabase/migrations/001.sql", "sql", 1, text);
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(1, 0, 1, 28));

    // A character past the end of line 0 means the end of line 0: the line
    // break stays after the insertion.
    client.change(&mut doc, range(0, 999, 0, 999), "\n-- second line");
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(2, 0, 2, 28));

    // A line past the last one means the end of the text: RLS enabled
    // after the table.
    client.change(&mut doc, range(99, 0, 99, 7), &format!("\n{ENABLE_RLS}"));
    assert!(
        doc.text.ends_with(&format!(");\n{ENABLE_RLS}")),
        "{}",
        doc.text
    );
    assert_eq!(codes(&client.diagnostics(&doc)), ["sql/rls-no-policy"]);

    // Deleting from the start of the alter line to past its end.
    client.change(&mut doc, range(3, 0, 3, 999), "");
    assert!(doc.text.ends_with(");\n\n"), "{}", doc.text);
    assert_eq!(only(&client.diagnostics(&doc))["range"], range(2, 0, 2, 28));
}

#[test]
fn ignored_paths_are_quiet_and_files_outside_the_root_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("moat.toml"), "ignore = [\"legacy/**\"]\n").unwrap();
    let mut client = server_in(&root, json!({}));

    let ignored = client.open(
        &file_uri(&root.join("legacy/old.ts")),
        "typescript",
        1,
        TOKENS_TS,
    );
    assert_eq!(
        client.diagnostics(&ignored),
        Vec::<Value>::new(),
        "legacy/** is ignored"
    );
    let checked = client.open(
        &file_uri(&root.join("src/tokens.ts")),
        "typescript",
        1,
        TOKENS_TS,
    );
    assert_eq!(
        codes(&client.diagnostics(&checked)),
        ["jwt/missing-algorithms"]
    );
    // Outside the workspace root: not matched against the patterns (and no panic).
    let outside = client.open(
        &file_uri(&dir.path().join("other/tokens.ts")),
        "typescript",
        1,
        TOKENS_TS,
    );
    assert_eq!(
        codes(&client.diagnostics(&outside)),
        ["jwt/missing-algorithms"]
    );
}

#[test]
fn a_broken_moat_toml_on_disk_and_bad_client_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("moat.toml"),
        "[rules]\n\"sql/rls-disabled\" = \n",
    )
    .unwrap();
    let mut client = server_in(
        dir.path(),
        json!({"initializationOptions": {"rules": {"sql/nope": "error"}}}),
    );
    let toml_uri = file_uri(&dir.path().join("moat.toml"));
    let published = client.published(&toml_uri, None);
    assert_eq!(codes(&published.diagnostics), ["moat/invalid-config"]);
    assert_eq!(published.diagnostics[0]["range"]["start"]["line"], 1);
    let message = client.wait_for("a warning about the client's settings", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("sql/nope"),
        "{message}"
    );

    // Fixed on disk: the diagnostics are cleared when the client says so.
    std::fs::write(
        dir.path().join("moat.toml"),
        "[rules]\n\"sql/rls-disabled\" = \"warning\"\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": toml_uri, "type": 2}]}),
    );
    let published = client.published(&toml_uri, None);
    assert_eq!(published.diagnostics, Vec::<Value>::new());
}

#[test]
fn the_server_asks_clients_that_can_to_watch_moat_toml() {
    let mut client = Client::in_process();
    client.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        json!({}),
    );
    let request = client.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let registration = &request["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/moat.toml"
    );
}

#[test]
fn hover_follows_edits_and_ends_with_close() {
    let mut client = server();
    let mut doc = client.open(
        "file:///p/firestore.rules",
        "firebase-rules",
        1,
        FIRESTORE_RULES,
    );
    client.diagnostics(&doc);
    let hover_on_users = |client: &mut Client, doc: &Doc| {
        let at = find(&doc.text, "match /users", client.encoding)["start"].clone();
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": at}),
        )
    };
    let summary = |hover: &Value| {
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .nth(2)
            .unwrap_or_default()
            .to_string()
    };
    let hover = hover_on_users(&mut client, &doc);
    assert_eq!(
        summary(&hover),
        "get, list, create, update, delete: anyone",
        "{hover:#}"
    );

    // Narrowed in an edit: the hover reads the edited text.
    client.replace(&mut doc, "if true", "if request.auth.uid == userId");
    client.diagnostics(&doc);
    let hover = hover_on_users(&mut client, &doc);
    assert_eq!(
        summary(&hover),
        "get, list, create, update, delete: signed-in owner",
        "{hover:#}"
    );

    // A closed document has no hover (and the request still gets an answer).
    client.close(&doc);
    client.published(&doc.uri, None);
    assert_eq!(hover_on_users(&mut client, &doc), Value::Null);
}

/// Waits for a publish for `uri` whose diagnostics have exactly `codes`.
fn wait_for_codes(client: &mut Client, uri: &str, expected: &[&str]) {
    client.wait_for(&format!("diagnostics {expected:?} for {uri}"), |m| {
        is_publish_for(m, uri) && codes(m["params"]["diagnostics"].as_array().unwrap()) == expected
    });
}

#[test]
fn enabling_rls_in_one_migration_clears_the_finding_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let create = migrations.join("20240101000000_create.sql");
    let secure = migrations.join("20240102000000_secure.sql");
    std::fs::write(
        &create,
        "create table public.notes (id bigint primary key, body text);\n",
    )
    .unwrap();
    std::fs::write(&secure, "-- nothing yet\n").unwrap();
    let mut client = server_in(dir.path(), json!({}));

    let create_uri = file_uri(&create);
    let secure_uri = file_uri(&secure);
    let _a = client.open(
        &create_uri,
        "sql",
        1,
        &std::fs::read_to_string(&create).unwrap(),
    );
    wait_for_codes(&mut client, &create_uri, &["sql/rls-disabled"]);
    let mut b = client.open(&secure_uri, "sql", 1, "-- nothing yet\n");
    // Enabling RLS in the second file clears the finding shown in the first…
    client.replace_all(&mut b, "alter table public.notes enable row level security;\ncreate policy \"own\" on public.notes for select to authenticated using (true);\n");
    wait_for_codes(&mut client, &create_uri, &[]);
    // …and taking it out brings it back.
    client.replace_all(&mut b, "-- nothing\n");
    wait_for_codes(&mut client, &create_uri, &["sql/rls-disabled"]);
}

#[test]
fn migrations_on_disk_are_scanned_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let create = migrations.join("20240101000000_create.sql");
    std::fs::write(
        &create,
        "create table public.notes (id bigint primary key);\n",
    )
    .unwrap();
    // Secured in a migration that is never opened.
    std::fs::write(
        migrations.join("20240102000000_secure.sql"),
        "alter table public.notes enable row level security;\n",
    )
    .unwrap();
    let uri = file_uri(dir.path());
    let mut client = Client::in_process();
    client.initialize(
        json!({"window": {"workDoneProgress": true}}),
        json!({"rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "p"}]}),
    );
    let create_uri = file_uri(&create);
    client.open(
        &create_uri,
        "sql",
        1,
        &std::fs::read_to_string(&create).unwrap(),
    );
    wait_for_codes(&mut client, &create_uri, &[]);
    client.wait_for("window/workDoneProgress/create", |m| {
        m["method"] == "window/workDoneProgress/create"
    });
    client.wait_for("$/progress begin", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
    });
    client.wait_for("$/progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
}

#[test]
fn migrations_configured_by_the_client_are_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let create = dir.path().join("db/1_create/up.sql");
    let secure = dir.path().join("db/2_secure/up.sql");
    let policy = "create policy \"own\" on public.profiles for select to authenticated \
                  using ((select auth.uid()) = id);\n";
    for (path, text) in [
        (&create, MIGRATION.to_string()),
        (&secure, format!("{ENABLE_RLS}{policy}")),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut client = server_in(
        dir.path(),
        json!({"initializationOptions": {"sql": {"migrations": ["db/*/up.sql"]}}}),
    );
    let uri = file_uri(&create);
    let _doc = client.open(&uri, "sql", 1, MIGRATION);
    // The later migration, read from disk by the workspace scan, secures it.
    wait_for_codes(&mut client, &uri, &[]);
    // No configured migrations: each folder is a database of its own.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"moat": {"sql": {"migrations": []}}}}),
    );
    wait_for_codes(&mut client, &uri, &["sql/rls-disabled"]);
}

#[test]
fn guarding_a_router_in_its_own_file_clears_the_finding_at_its_mount() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("routes")).unwrap();
    let server = dir.path().join("server.js");
    let admin = dir.path().join("routes/admin.js");
    let server_text = "const express = require('express');\nconst adminRouter = require('./routes/admin');\nconst app = express();\napp.use('/admin', adminRouter);\napp.use((err, req, res, next) => res.status(500).end());\n";
    let admin_text = "const { Router } = require('express');\nconst router = Router();\nrouter.get('/users', (req, res) => res.json([]));\nrouter.delete('/users/:id', (req, res) => res.end());\nmodule.exports = router;\n";
    std::fs::write(&server, server_text).unwrap();
    std::fs::write(&admin, admin_text).unwrap();
    let mut client = server_in(dir.path(), json!({}));

    let server_uri = file_uri(&server);
    let admin_uri = file_uri(&admin);
    let _s = client.open(&server_uri, "javascript", 1, server_text);
    // The router's routes come from the other file (read from disk by the
    // workspace scan): the open mount is reported where it is written.
    wait_for_codes(&mut client, &server_uri, &["auth/unprotected-route"]);
    let mut a = client.open(&admin_uri, "javascript", 1, admin_text);
    assert!(codes(&client.diagnostics(&a)).is_empty());
    // Guarding the router in its own file clears the finding at the mount…
    let guarded = admin_text.replace(
        "const router = Router();\n",
        "const router = Router();\nrouter.use(requireAuth);\n",
    );
    client.discard(|m| is_publish_for(m, &server_uri));
    client.replace_all(&mut a, &guarded);
    client.diagnostics(&a);
    wait_for_codes(&mut client, &server_uri, &[]);
    // …and taking the guard out brings it back.
    client.discard(|m| is_publish_for(m, &server_uri));
    client.replace_all(&mut a, admin_text);
    client.diagnostics(&a);
    wait_for_codes(&mut client, &server_uri, &["auth/unprotected-route"]);
}

#[test]
fn secrets_in_any_document_are_masked_and_fixed_in_code() {
    let mut client = server();
    let key = format!("sk_live_{}", "MoatFixture0nlyQ7v2R9xLp4Zt8W");
    let hidden = &key[4..key.len() - 2];
    // A document without a grammar: checked too.
    let env = client.open(
        "file:///p/.env",
        "dotenv",
        1,
        &format!("STRIPE_SECRET_KEY={key}\n"),
    );
    let d = client.diagnostics(&env);
    assert_eq!(
        codes(&d),
        ["secrets/committed-env-file", "secrets/stripe-secret-key"]
    );
    assert!(
        !serde_json::to_string(&d).unwrap().contains(hidden),
        "{d:#?}"
    );
    assert!(d[1]["message"].as_str().unwrap().contains("sk_l…8W"));
    let yaml = client.open(
        "file:///p/deploy.yaml",
        "yaml",
        1,
        &format!("# moat-ignore: secrets -- revoked\nkey: {key}\nother: {key}\n"),
    );
    assert_eq!(
        codes(&client.diagnostics(&yaml)),
        ["secrets/stripe-secret-key"]
    );

    // In TypeScript, a quick fix reads it from the environment.
    let text = format!("export const stripe = new Stripe('{key}');\n");
    let mut ts = client.open("file:///p/src/pay.ts", "typescript", 1, &text);
    let d = client.diagnostics(&ts);
    assert_eq!(codes(&d), ["secrets/stripe-secret-key"]);
    assert!(!serde_json::to_string(&d).unwrap().contains(hidden));
    let actions = client.code_actions(&ts, d[0]["range"].clone(), &d, Some(&["quickfix"]));
    let action = only(&actions);
    assert!(!action.to_string().contains(hidden), "{action:#}");
    let edits = Client::edits_for(action, &ts);
    client.apply_edits(&mut ts, &edits);
    assert_eq!(
        ts.text,
        "export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);\n"
    );
    assert_eq!(client.diagnostics(&ts), Vec::<Value>::new());
}

#[test]
fn adding_auth_at_the_mount_clears_the_finding_for_a_router_in_another_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("routes")).unwrap();
    let server = dir.path().join("server.ts");
    let admin = dir.path().join("routes/admin.ts");
    let server_text = "import express from 'express';\nimport { adminRouter } from './routes/admin';\nimport { requireAuth } from './auth';\n\nconst app = express();\napp.use('/admin', adminRouter);\napp.use((err, req, res, next) => res.status(500).end());\n";
    std::fs::write(&server, server_text).unwrap();
    std::fs::write(
        &admin,
        "import { Router } from 'express';\nexport const adminRouter = Router();\nadminRouter.get('/users', (req, res) => res.json([]));\nadminRouter.delete('/users/:id', (req, res) => res.end());\n",
    )
    .unwrap();
    let mut client = server_in(dir.path(), json!({}));
    let server_uri = file_uri(&server);
    let mut s = client.open(&server_uri, "typescript", 1, server_text);
    // The routes live in routes/admin.ts, never opened: read by the scan.
    wait_for_codes(&mut client, &server_uri, &["auth/unprotected-route"]);
    client.discard(|m| is_publish_for(m, &server_uri));
    client.replace(
        &mut s,
        "app.use('/admin', adminRouter)",
        "app.use('/admin', requireAuth, adminRouter)",
    );
    assert!(codes(&client.diagnostics(&s)).is_empty());
}

#[test]
fn deleting_a_router_folder_on_disk_drops_its_routes_from_the_model() {
    // Clients report a deleted folder as one event for the folder (VS
    // Code does): the files under it must leave the project too, or the
    // mount keeps resolving to a router that no longer exists.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("routes")).unwrap();
    let server = dir.path().join("server.js");
    let admin = dir.path().join("routes/admin.js");
    let server_text = "const express = require('express');\nconst adminRouter = require('./routes/admin');\nconst app = express();\napp.use('/admin', adminRouter);\napp.use((err, req, res, next) => res.status(500).end());\n";
    let admin_text = "const { Router } = require('express');\nconst router = Router();\nrouter.use(function requireAuth(req, res, next) { if (!req.headers.authorization) return res.status(401).end(); next(); });\nrouter.delete('/users/:id', (req, res) => res.end());\nmodule.exports = router;\n";
    std::fs::write(&server, server_text).unwrap();
    std::fs::write(&admin, admin_text).unwrap();
    let mut client = server_in(dir.path(), json!({}));
    let server_uri = file_uri(&server);
    let _s = client.open(&server_uri, "javascript", 1, server_text);
    // The router guards itself: nothing to report at the mount.
    wait_for_codes(&mut client, &server_uri, &[]);
    std::fs::remove_dir_all(dir.path().join("routes")).unwrap();
    client.discard(|m| is_publish_for(m, &server_uri));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&dir.path().join("routes")), "type": 3}]}),
    );
    // The router is gone: the mount names a module the workspace does not
    // hold, and an admin mount without a guard is reported.
    wait_for_codes(&mut client, &server_uri, &["auth/unprotected-route"]);
}

#[test]
fn deleting_a_migration_folder_on_disk_drops_it_from_the_schema_model() {
    let dir = tempfile::tempdir().unwrap();
    let create = dir.path().join("db/1_create/up.sql");
    let secure = dir.path().join("db/2_secure/up.sql");
    let policy = "create policy \"own\" on public.profiles for select to authenticated \
                  using ((select auth.uid()) = id);\n";
    for (path, text) in [
        (&create, MIGRATION.to_string()),
        (&secure, format!("{ENABLE_RLS}{policy}")),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut client = server_in(
        dir.path(),
        json!({"initializationOptions": {"sql": {"migrations": ["db/*/up.sql"]}}}),
    );
    let uri = file_uri(&create);
    let _doc = client.open(&uri, "sql", 1, MIGRATION);
    wait_for_codes(&mut client, &uri, &[]);
    // The folder of the securing migration is deleted, reported as one
    // event for the folder: the table is open again.
    std::fs::remove_dir_all(dir.path().join("db/2_secure")).unwrap();
    client.discard(|m| is_publish_for(m, &uri));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&dir.path().join("db/2_secure")), "type": 3}]}),
    );
    wait_for_codes(&mut client, &uri, &["sql/rls-disabled"]);
}

#[test]
fn a_migration_folder_moved_away_and_back_is_read_again() {
    // Clients report a moved folder as a delete and a create of the folder,
    // not one event per file: the files of a created folder must be read,
    // or the migrations moved back stay out of the schema model.
    let dir = tempfile::tempdir().unwrap();
    let create = dir.path().join("db/1_create/up.sql");
    let secure = dir.path().join("db/2_secure/up.sql");
    let policy = "create policy \"own\" on public.profiles for select to authenticated \
                  using ((select auth.uid()) = id);\n";
    for (path, text) in [
        (&create, MIGRATION.to_string()),
        (&secure, format!("{ENABLE_RLS}{policy}")),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut client = server_in(
        dir.path(),
        json!({"initializationOptions": {"sql": {"migrations": ["db/*/up.sql"]}}}),
    );
    let uri = file_uri(&create);
    let _doc = client.open(&uri, "sql", 1, MIGRATION);
    wait_for_codes(&mut client, &uri, &[]);
    let inside = dir.path().join("db/2_secure");
    let outside = dir.path().join("attic/2_secure");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    let mv = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::rename(from, to).unwrap();
        json!({"changes": [
            {"uri": file_uri(from), "type": 3},
            {"uri": file_uri(to), "type": 1},
        ]})
    };
    // Moved out of the configured migrations: the table is open again.
    client.discard(|m| is_publish_for(m, &uri));
    client.notify("workspace/didChangeWatchedFiles", mv(&inside, &outside));
    wait_for_codes(&mut client, &uri, &["sql/rls-disabled"]);
    // Moved back: secured again.
    client.discard(|m| is_publish_for(m, &uri));
    client.notify("workspace/didChangeWatchedFiles", mv(&outside, &inside));
    wait_for_codes(&mut client, &uri, &[]);
}

#[test]
fn a_deleted_folder_named_like_a_js_file_drops_its_files() {
    // `lib.js/` is a folder: its deletion must not be mistaken for the
    // deletion of one file named `lib.js`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib.js")).unwrap();
    let server = dir.path().join("server.js");
    let admin = dir.path().join("lib.js/admin.js");
    let server_text = "const express = require('express');\nconst adminRouter = require('./lib.js/admin');\nconst app = express();\napp.use('/admin', adminRouter);\napp.use((err, req, res, next) => res.status(500).end());\n";
    let admin_text = "const { Router } = require('express');\nconst router = Router();\nrouter.use(function requireAuth(req, res, next) { if (!req.headers.authorization) return res.status(401).end(); next(); });\nrouter.delete('/users/:id', (req, res) => res.end());\nmodule.exports = router;\n";
    std::fs::write(&server, server_text).unwrap();
    std::fs::write(&admin, admin_text).unwrap();
    let mut client = server_in(dir.path(), json!({}));
    let server_uri = file_uri(&server);
    let _s = client.open(&server_uri, "javascript", 1, server_text);
    wait_for_codes(&mut client, &server_uri, &[]);
    std::fs::remove_dir_all(dir.path().join("lib.js")).unwrap();
    client.discard(|m| is_publish_for(m, &server_uri));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&dir.path().join("lib.js")), "type": 3}]}),
    );
    wait_for_codes(&mut client, &server_uri, &["auth/unprotected-route"]);
}

#[test]
fn steady_typing_in_a_slow_document_ends_with_the_latest_version() {
    // Keystrokes spaced more than the debounce apart on a document whose
    // analysis is slow: publishes of one document are serialised and the
    // stale ones skipped (see `PublishSlot`); the last version is still
    // published, with its diagnostics. No timing is asserted.
    let mut client = server();
    let mut text = String::from(
        "import jwt from 'jsonwebtoken';\nexport const c = (t, s) => jwt.decode(t);\nvar a = [",
    );
    for i in 0..5_000 {
        text.push_str(&format!(
            "{{k{i}: 'v', f: function (x) {{ return x * {i}; }}}},"
        ));
    }
    text.push_str("];\n");
    let mut doc = client.open("file:///w/bundle.js", "javascript", 1, &text);
    let first = client.diagnostics(&doc);
    for _ in 0..8 {
        let end = end_of(&client, &doc);
        client.change(&mut doc, end, ";");
        std::thread::sleep(Duration::from_millis(80));
    }
    let last = client.diagnostics(&doc);
    assert_eq!(codes(&first), codes(&last));
}
