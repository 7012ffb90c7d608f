//! The command line, end to end: the built `moat` binary on the example app
//! and on small temporary projects. Output is kept as insta snapshots.

use std::path::Path;
use std::process::{Command, Output};

fn moat(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moat"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("MOAT_LOG")
        .output()
        .expect("run moat")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[test]
fn example_app_text_output() {
    let out = moat(&["check", "examples"], repo());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("examples_text", stdout(&out));
}

#[test]
fn example_app_json_output_shows_all_three_rules() {
    let out = moat(&["check", "--format", "json", "examples"], repo());
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let rules: std::collections::BTreeSet<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules.into_iter().collect::<Vec<_>>(),
        [
            "firebase/allow-if-true",
            "jwt/missing-algorithms",
            "sql/rls-disabled"
        ]
    );
    insta::assert_json_snapshot!("examples_json", json);
}

#[test]
fn json_positions_are_one_based_unicode_scalar_columns() {
    let dir = project(&[(
        "rules/firestore.rules",
        "service cloud.firestore {\n  match /databases/{database}/documents {\n    match /x/{id} { /* 😀 漢 */ allow read: if true; }\n  }\n}\n",
    )]);
    let out = moat(&["check", "--format", "json", "."], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["path"], "rules/firestore.rules");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(31))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(3), Some(51))
    );
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = project(&[(
        "a.ts",
        "import jwt from 'jsonwebtoken';\njwt.verify(t, k);\n",
    )]);
    let code = |args: &[&str]| moat(args, dir.path()).status.code();
    assert_eq!(
        code(&["check"]),
        Some(1),
        "a warning fails at the default --fail-on warning"
    );
    assert_eq!(code(&["check", "--fail-on", "error"]), Some(0));
    assert_eq!(code(&["check", "--fail-on", "never"]), Some(0));
    assert_eq!(code(&["check", "--fail-on", "info"]), Some(1));
    assert_eq!(code(&["check", "no/such/path"]), Some(2));
    assert_eq!(code(&["check", "--format", "yaml"]), Some(2));
    assert_eq!(code(&["explain", "sql/no-such-rule"]), Some(2));
    let clean = project(&[("b.ts", "export const x = 1;\n")]);
    assert_eq!(moat(&["check"], clean.path()).status.code(), Some(0));
}

#[test]
fn config_turns_rules_off_changes_severity_and_ignores_paths() {
    let files = [
        ("moat.toml", "ignore = [\"legacy/**\"]\n[rules]\n\"sql/rls-disabled\" = \"info\"\n\"jwt\" = \"off\"\n"),
        ("supabase/migrations/001.sql", "create table t (id int);\n"),
        ("legacy/supabase/002.sql", "create table u (id int);\n"),
        ("a.ts", "import jwt from 'jsonwebtoken';\njwt.verify(t, k);\n"),
    ];
    let dir = project(&files);
    let out = moat(&["check", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{json:#}");
    assert_eq!(diags[0]["rule"], "sql/rls-disabled");
    assert_eq!(diags[0]["severity"], "info");
    assert_eq!(diags[0]["path"], "supabase/migrations/001.sql");
    assert_eq!(
        out.status.code(),
        Some(0),
        "an info does not fail at --fail-on warning"
    );
}

#[test]
fn broken_config_is_reported_and_defaults_apply() {
    let dir = project(&[
        ("moat.toml", "[rules]\n\"sql/rls-disabled\" = \n"),
        ("supabase/migrations/001.sql", "create table t (id int);\n"),
    ]);
    let out = moat(&["check", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("moat/invalid-config", "moat.toml"),
            ("sql/rls-disabled", "supabase/migrations/001.sql")
        ]
    );
}

#[test]
fn gitignored_and_hidden_files_are_skipped_but_named_files_are_checked() {
    let dir = project(&[
        (".gitignore", "generated/\n"),
        (
            "generated/x.sql",
            "create table g (id uuid references auth.users);\n",
        ),
        (
            ".hidden/y.sql",
            "create table h (id uuid references auth.users);\n",
        ),
        (
            "node_modules/pkg/z.sql",
            "create table n (id uuid references auth.users);\n",
        ),
        (
            "ok.sql",
            "create table o (id uuid references auth.users);\n",
        ),
    ]);
    let json = |args: &[&str]| -> Vec<String> {
        let out = moat(args, dir.path());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(json(&["check", "--format", "json"]), ["ok.sql"]);
    assert_eq!(
        json(&["check", "--format", "json", "generated/x.sql"]),
        ["generated/x.sql"]
    );
}

#[test]
fn rules_and_explain() {
    let out = moat(&["rules"], repo());
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("rules", stdout(&out));
    let out = moat(&["explain", "sql/rls-disabled"], repo());
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.starts_with("# sql/rls-disabled\n"));
    assert!(page.contains("## Why is this bad?") && page.contains("CWE-862"));
}

#[test]
fn sarif_output_for_code_scanning() {
    let out = moat(&["check", "--format", "sarif", "examples"], repo());
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "moat");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
    }
    // The same document read back through the SARIF types.
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    insta::assert_json_snapshot!("examples_sarif", log["runs"][0]["results"]);
}
