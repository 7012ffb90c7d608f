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
fn example_app_json_output_shows_every_rule_family() {
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
            "auth/unprotected-route",
            "errors/leaked-error",
            "errors/no-error-handler",
            "firebase/allow-if-true",
            "firebase/auth-only",
            "firebase/resource-in-create",
            "firebase/unvalidated-write",
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
        "rules_version = '2'; service cloud.firestore {\n  match /databases/{database}/documents {\n    match /x/{id} { /* 😀 漢 */ allow read: if true; }\n  }\n}\n",
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
    // A public read of a collection that does not sound private: a warning.
    assert_eq!(json["summary"]["warnings"], 1);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
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
    // A domain lists its rules; an unknown name is a usage error.
    let out = moat(&["explain", "auth"], repo());
    assert_eq!(out.status.code(), Some(0));
    let list = stdout(&out);
    assert!(list.starts_with("auth/middleware-order "), "{list}");
    assert!(
        list.contains("auth/unprotected-route ") && !list.contains("sql/"),
        "{list}"
    );
    assert_eq!(moat(&["explain", "nope"], repo()).status.code(), Some(2));
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
    assert_eq!(results.len(), 11);
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

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `(rule, path)` of every diagnostic in a JSON report.
fn rules_and_paths(json: &serde_json::Value) -> Vec<(String, String)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const JWT_TS: &str = "import jwt from 'jsonwebtoken';\njwt.verify(t, k);\n";
const RLS_SQL: &str = "create table t (id int);\n";
/// Supabase-facing wherever it is (it references `auth.users`).
const SUPABASE_SQL: &str = "create table t (id uuid references auth.users);\n";

#[test]
fn ignore_patterns_never_panic_on_paths_outside_the_config_folder() {
    let dir = project(&[
        ("apps/web/moat.toml", "ignore = [\"dist/**\"]\n"),
        ("apps/web/src/a.ts", JWT_TS),
        ("apps/web/dist/b.ts", JWT_TS),
        ("supabase/migrations/1.sql", RLS_SQL),
    ]);
    for args in [
        &["check", "--format", "json", "apps/web", "supabase"][..],
        &["check", "--format", "json", "supabase", "apps/web"][..],
        &[
            "check",
            "--format",
            "json",
            "--config",
            "apps/web/moat.toml",
            "apps/web",
            "supabase",
        ][..],
        &[
            "check",
            "--format",
            "json",
            "--config",
            "apps/web/moat.toml",
            "supabase",
        ][..],
    ] {
        let out = moat(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // With the explicit configuration, dist/ is ignored and supabase/ (outside
    // its folder) is checked.
    let out = moat(
        &[
            "check",
            "--format",
            "json",
            "--config",
            "apps/web/moat.toml",
            "apps/web",
            "supabase",
        ],
        dir.path(),
    );
    assert_eq!(
        rules_and_paths(&json_of(&out)),
        [
            ("jwt/missing-algorithms".into(), "apps/web/src/a.ts".into()),
            (
                "sql/rls-disabled".into(),
                "supabase/migrations/1.sql".into()
            ),
        ]
    );
}

/// Builds `d/L…/L…/…` (`depth` folders whose names are 250 bytes long) with
/// `file` in the deepest one: paths Moat meets there are longer than the
/// system allows (ENAMETOOLONG), which fails for root too, unlike `chmod`.
fn too_long_tree(depth: usize, file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut short = dir.path().join("d");
    for _ in 0..depth {
        short.push("a");
    }
    std::fs::create_dir_all(&short).unwrap();
    std::fs::write(short.join(file), JWT_TS).unwrap();
    std::fs::write(dir.path().join("ok.ts"), "export const x = 1;\n").unwrap();
    let long = "L".repeat(250);
    // Deepest first, so that every rename goes through short names.
    for level in (1..=depth).rev() {
        let mut parent = dir.path().join("d");
        for _ in 1..level {
            parent.push("a");
        }
        std::fs::rename(parent.join("a"), parent.join(&long)).unwrap();
    }
    dir
}

#[test]
fn a_folder_that_cannot_be_read_is_an_error_not_a_green_run() {
    // The 17th folder's path is longer than PATH_MAX: the walk cannot open it.
    let dir = too_long_tree(17, "x.ts");
    let out = moat(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("moat: d/LLL"), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("No problems found"), "{text}");
    let out = moat(&["check", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let json = json_of(&out);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert!(errors[0]["path"].as_str().unwrap().starts_with("d/LLL"));
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
    let out = moat(&["check", "--format", "sarif", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let invocation = &json_of(&out)["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["level"],
        "error"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_not_counted_as_checked() {
    // The folder can be listed, but its file's path is too long to open.
    let file = format!("{}.ts", "F".repeat(200));
    let dir = too_long_tree(16, &file);
    let out = moat(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("No problems found"), "{text}");
    assert!(
        text.contains("Could not read 1 file or folder; no problems in the 1 file checked."),
        "{text}"
    );
    let out = moat(&["check", "--format", "json", "."], dir.path());
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1, "{json:#}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 1);
    assert!(json["errors"][0]["path"].as_str().unwrap().ends_with(&file));
}

#[test]
fn a_path_argument_that_cannot_be_read_reports_the_real_reason() {
    let dir = project(&[("a.ts", "export const x = 1;\n")]);
    // a.ts is a file, so a.ts/x.ts fails with "Not a directory".
    let out = moat(&["check", "a.ts/x.ts"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("no such file"), "{}", stderr(&out));
    assert!(stderr(&out).contains("a.ts/x.ts"), "{}", stderr(&out));
    let out = moat(&["check", "missing.ts"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing.ts: no such file or folder"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_locked_folder_is_an_error_unless_we_are_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("locked/x.ts", JWT_TS), ("ok.ts", "export const x = 1;\n")]);
    let locked = dir.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read_dir(&locked).is_ok();
    let out = moat(&["check", "."], dir.path());
    let explicit = moat(&["check", "locked/x.ts"], dir.path());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if readable_anyway {
        // Root reads everything; the ENAMETOOLONG tests cover this path.
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("locked"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("No problems found"));
    assert_eq!(explicit.status.code(), Some(2));
    assert!(
        stderr(&explicit).contains("ermission denied"),
        "{}",
        stderr(&explicit)
    );
}

#[test]
fn a_file_reached_twice_is_checked_once() {
    let dir = project(&[("a.ts", JWT_TS), ("app/b.ts", JWT_TS)]);
    for (args, want) in [
        (&["a.ts", "./a.ts"][..], vec!["a.ts"]),
        (&[".", "app"][..], vec!["a.ts", "app/b.ts"]),
        (
            &["app", ".", "app/b.ts", "app/../app/b.ts"][..],
            vec!["a.ts", "app/b.ts"],
        ),
    ] {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let json = json_of(&moat(&all, dir.path()));
        let paths: Vec<String> = rules_and_paths(&json).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, want, "{args:?}");
        assert_eq!(json["summary"]["files"], want.len(), "{args:?}");
    }
}

#[test]
fn the_configuration_does_not_depend_on_the_order_of_paths() {
    let dir = project(&[
        ("moat.toml", "[rules]\n\"sql\" = \"off\"\n"),
        ("apps/web/moat.toml", "[rules]\n\"jwt\" = \"off\"\n"),
        ("apps/web/a.ts", JWT_TS),
        ("supabase/migrations/1.sql", RLS_SQL),
    ]);
    let want = vec![(
        "jwt/missing-algorithms".to_string(),
        "apps/web/a.ts".to_string(),
    )];
    for args in [
        ["check", "--format", "json", "apps/web", "supabase"],
        ["check", "--format", "json", "supabase", "apps/web"],
    ] {
        let json = json_of(&moat(&args, dir.path()));
        assert_eq!(rules_and_paths(&json), want, "{args:?}");
    }
    // A single folder uses its own moat.toml.
    let json = json_of(&moat(
        &["check", "--format", "json", "apps/web"],
        dir.path(),
    ));
    assert_eq!(rules_and_paths(&json), []);
}

#[test]
fn text_output_never_passes_control_characters_to_the_terminal() {
    let dir = project(&[
        (
            "supabase/migrations/1.sql",
            "create table public.\"x\x1b]0;PWNED\x07\x1b[2J\" (id int);\n",
        ),
        ("evil\x1b[31m.ts", JWT_TS),
    ]);
    let out = moat(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(
        text.contains(r"public.\u{1b}") || text.contains(r#"public."x\u{1b}]0;PWNED\u{7}"#),
        "{text}"
    );
    assert!(text.contains(r"evil\u{1b}[31m.ts"), "{text}");
    // The carets still line up under the escaped source line.
    let lines: Vec<&str> = text.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.starts_with("1 | create table public."))
        .unwrap();
    let carets = lines[src + 1];
    let src_end = lines[src].find(" (id int);").unwrap();
    assert_eq!(
        carets.trim_end().len(),
        src_end,
        "{}\n{}",
        lines[src],
        carets
    );
    // JSON keeps the text as it is (serde escapes it).
    let json = json_of(&moat(&["check", "--format", "json", "."], dir.path()));
    assert!(json["diagnostics"][0]["path"]
        .as_str()
        .unwrap()
        .contains('\x1b'));
}

#[test]
fn moat_toml_ignore_applies_to_named_files_and_unknown_kinds_are_warned_about() {
    let dir = project(&[
        ("moat.toml", "ignore = [\"generated/**\"]\n"),
        ("generated/x.sql", SUPABASE_SQL),
        (".gitignore", "gitignored/\n"),
        ("gitignored/y.sql", SUPABASE_SQL),
        ("a.py", "print(1)\n"),
        ("a.png", "\u{89}PNG\r\n\u{1a}\n\0\0\0\rIHDR"),
        ("b.ts", "export const x = 1;\n"),
    ]);
    let out = moat(
        &["check", "--format", "json", "generated/x.sql"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rules_and_paths(&json_of(&out)), []);
    let out = moat(
        &["check", "--format", "json", "gitignored/y.sql"],
        dir.path(),
    );
    assert_eq!(
        rules_and_paths(&json_of(&out)),
        [("sql/rls-disabled".into(), "gitignored/y.sql".into())]
    );
    // Any text file is checked (for secrets); a binary one is warned about.
    let out = moat(&["check", "a.py", "a.png", "b.ts"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("moat: a.png: not a file kind Moat checks ("),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(stdout(&out).contains("No problems found in 2 files."));
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    let rules = "rules_version = '2'; service cloud.firestore { match /databases/{database}/documents { match /x/{id} { allow read: if true; } } }\n";
    let dir = project(&[
        ("plain/firestore.rules", rules),
        ("bom/firestore.rules", &format!("\u{feff}{rules}")),
    ]);
    let json = json_of(&moat(&["check", "--format", "json", "."], dir.path()));
    let d = json["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["column"], d[1]["column"], "{json:#}");
    assert_eq!(d[0]["end_column"], d[1]["end_column"]);
    let text = stdout(&moat(&["check", "bom"], dir.path()));
    assert!(!text.contains('\u{feff}'), "{text}");
}

#[test]
fn carets_line_up_under_wide_characters() {
    let dir = project(&[(
        "firestore.rules",
        "rules_version = '2'; service cloud.firestore {\n  match /databases/{database}/documents {\n    match /x/{id} { /* 😀 漢 */ allow read: if true; }\n  }\n}\n",
    )]);
    let text = stdout(&moat(&["check", "."], dir.path()));
    let lines: Vec<&str> = text.lines().collect();
    let src = lines.iter().position(|l| l.starts_with("3 | ")).unwrap();
    let carets = lines[src + 1].strip_prefix("  | ").unwrap();
    // 30 characters before `allow`, two of them two columns wide.
    assert_eq!(carets.find('^'), Some(32), "{text}");
    assert_eq!(carets.trim().len(), "allow read: if true;".len(), "{text}");
}

#[test]
fn check_help_points_to_the_readme_not_to_internal_docs() {
    let out = moat(&["check", "--help"], repo());
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(!help.contains("DESIGN"), "{help}");
    assert!(help.contains("README"), "{help}");
}

#[test]
fn config_problems_are_located_named_and_configurable() {
    // An invalid glob is reported at the pattern.
    let toml = "ignore = [\"ok/**\", \"bad/[z-a]\"]\n";
    let dir = project(&[("moat.toml", toml), ("b.ts", "export const x = 1;\n")]);
    let json = json_of(&moat(&["check", "--format", "json"], dir.path()));
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "moat/invalid-config", "{json:#}");
    let start = toml.find("\"bad").unwrap() + 1;
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(start as u64))
    );
    assert_eq!(
        d["end_column"].as_u64(),
        Some((start + "\"bad/[z-a]\"".len()) as u64)
    );

    // A file given as --config is named in the message as it is.
    let dir = project(&[("src/a.ts", "export const x = 1;\n")]);
    let json = json_of(&moat(
        &["check", "--format", "json", "--config", "src/a.ts", "src"],
        dir.path(),
    ));
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("a.ts is not valid"), "{message}");

    // moat/invalid-config can be turned off or given another severity.
    let bad = "\"sql/nope\" = \"error\"\n";
    let dir = project(&[(
        "moat.toml",
        &format!("[rules]\n\"moat/invalid-config\" = \"off\"\n{bad}"),
    )]);
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(rules_and_paths(&json_of(&out)), []);
    assert_eq!(out.status.code(), Some(0));
    let dir = project(&[("moat.toml", &format!("[rules]\n\"moat\" = \"info\"\n{bad}"))]);
    let out = moat(&["check", "--format", "json"], dir.path());
    let json = json_of(&out);
    assert_eq!(json["diagnostics"][0]["severity"], "info", "{json:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_summary_counts_files_with_problems_and_files_checked() {
    let dir = project(&[
        ("a.ts", JWT_TS),
        ("b.ts", JWT_TS),
        ("c.ts", "export const x = 1;\n"),
    ]);
    let text = stdout(&moat(&["check"], dir.path()));
    assert!(
        text.ends_with("Found 2 problems (2 warnings) in 2 files (3 files checked).\n"),
        "{text}"
    );
    let text = stdout(&moat(&["check", "c.ts"], dir.path()));
    assert_eq!(text, "✓ No problems found in 1 file.\n");
}

#[test]
fn the_example_readme_matches_what_moat_reports() {
    let out = moat(&["check", "--format", "json", "examples"], repo());
    let json = json_of(&out);
    let readme = std::fs::read_to_string(repo().join("examples/vibe-notes/README.md")).unwrap();
    for d in json["diagnostics"].as_array().unwrap() {
        let path = d["path"].as_str().unwrap();
        let local = path.strip_prefix("examples/vibe-notes/").unwrap();
        let rule = d["rule"].as_str().unwrap();
        let line = d["line"].as_u64().unwrap();
        let mention = format!("`{local}:{line}`");
        assert!(
            readme.contains(&mention),
            "README does not mention {mention}"
        );
        assert!(
            readme.contains(&format!("`{rule}`")),
            "README does not mention {rule}"
        );
    }
    let count = json["diagnostics"].as_array().unwrap().len();
    assert!(
        readme.contains(&format!("{count} findings")),
        "README does not say {count} findings"
    );
}

#[test]
fn configured_sql_migrations_form_one_database() {
    let files = [
        (
            "prisma/migrations/1_init/migration.sql",
            "create table public.profiles (id uuid primary key references auth.users, bio text);\n",
        ),
        (
            "prisma/migrations/2_rls/migration.sql",
            "alter table public.profiles enable row level security;\n\
             create policy \"read own\" on public.profiles for select to authenticated \
             using ((select auth.uid()) = id);\n",
        ),
        ("scripts/notes.sql", "create table public.notes (id int);\n"),
    ];
    let rls_disabled = |dir: &tempfile::TempDir| -> Vec<String> {
        let json = json_of(&moat(&["check", "--format", "json"], dir.path()));
        rules_and_paths(&json)
            .into_iter()
            .filter(|(rule, _)| rule == "sql/rls-disabled")
            .map(|(_, path)| path)
            .collect()
    };
    // Configured: the migrations are one database, replayed in order; the
    // script is judged after them.
    let toml = "[sql]\nmigrations = [\"prisma/migrations/*/migration.sql\"]\n";
    let dir = project(&[files.as_slice(), &[("moat.toml", toml)]].concat());
    assert_eq!(rls_disabled(&dir), ["scripts/notes.sql"]);
    // Without the setting each migration folder is a database of its own
    // (and the plain script, alone, does not face Supabase).
    let dir = project(&files);
    assert_eq!(
        rls_disabled(&dir),
        ["prisma/migrations/1_init/migration.sql"]
    );
    // An invalid pattern is a configuration problem.
    let dir = project(
        &[
            files.as_slice(),
            &[("moat.toml", "[sql]\nmigrations = [\"[z-a]\"]\n")],
        ]
        .concat(),
    );
    let json = json_of(&moat(&["check", "--format", "json"], dir.path()));
    assert!(
        rules_and_paths(&json).contains(&("moat/invalid-config".into(), "moat.toml".into())),
        "{json:#}"
    );
}

/// Fake keys in the providers' formats, obviously made up.
fn fake_keys() -> (String, String, String) {
    let openai = format!(
        "sk-proj-{}T3BlbkFJ{}",
        "MoatFixture0nlyQ7v2R9xLp4Zt8WmK3bN6cJ5hY1", "gF0dS9aP2qR7tU4vW8xZ"
    );
    let stripe = format!("sk_live_{}", "MoatFixture0nlyQ7v2R9xLp4Zt8W");
    let generic = format!("{}{}", "Moat9q8ZtR2vLw", "9Xk4NbH7cJm");
    (openai, stripe, generic)
}

fn secrets_project() -> (tempfile::TempDir, [String; 3]) {
    let (openai, stripe, generic) = fake_keys();
    let dir = project(&[
        (
            ".env",
            &format!("VITE_SUPABASE_URL=https://abcd.supabase.co\nOPENAI_API_KEY={openai}\n"),
        ),
        (
            "src/pay.ts",
            &format!(
                "import Stripe from 'stripe';\nexport const stripe = new Stripe('{stripe}');\n"
            ),
        ),
        (
            "config/app.yaml",
            &format!("server:\n  session_secret: {generic}\n"),
        ),
    ]);
    (dir, [openai, stripe, generic])
}

#[test]
fn secrets_are_masked_in_every_output_format() {
    let (dir, secrets) = secrets_project();
    let text = moat(&["check", "."], dir.path());
    let json = moat(&["check", "--format", "json", "."], dir.path());
    let sarif = moat(&["check", "--format", "sarif", "."], dir.path());
    for out in [&text, &json, &sarif] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        let all = format!("{}{}", stdout(out), stderr(out));
        for secret in &secrets {
            // Not whole, and not even the part a mask hides.
            assert!(
                !all.contains(&secret[4..secret.len() - 2]),
                "{secret} printed:\n{all}"
            );
        }
    }
    assert_eq!(
        rules_and_paths(&json_of(&json)),
        [
            ("secrets/committed-env-file".into(), ".env".into()),
            ("secrets/openai-key".into(), ".env".into()),
            (
                "secrets/generic-high-entropy".into(),
                "config/app.yaml".into()
            ),
            ("secrets/stripe-secret-key".into(), "src/pay.ts".into()),
        ]
    );
    let text = stdout(&text);
    // The message shows the masked form and says what to do.
    assert!(text.contains("(sk_l…8W)"), "{text}");
    assert!(
        text.contains("Rotate it (it is in the git history already)"),
        "{text}"
    );
    // Code frames blank the secret out, keeping the columns.
    assert!(text.contains("new Stripe('sk_l*"), "{text}");
    let json = json_of(&json);
    let fix = &json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "secrets/stripe-secret-key")
        .unwrap()["fix"];
    assert_eq!(fix["edits"][0]["new_text"], "process.env.STRIPE_SECRET_KEY");
}

#[test]
fn hidden_env_files_are_checked_unless_gitignored() {
    let (openai, _, _) = fake_keys();
    let line = format!("OPENAI_API_KEY={openai}\n");
    let dir = project(&[
        (".gitignore", ".env.local\n"),
        (".env", &line),
        (".env.local", &line),
        (".hidden/.env", &line),
        ("node_modules/pkg/.env", &line),
        ("logo.png", "\u{89}PNG\r\n\u{1a}\n\0\0"),
    ]);
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(
        rules_and_paths(&json_of(&out)),
        [
            ("secrets/committed-env-file".into(), ".env".into()),
            ("secrets/openai-key".into(), ".env".into()),
        ]
    );
    // Named, a gitignored .env is read, and is where secrets belong.
    let out = moat(&["check", "--format", "json", ".env.local"], dir.path());
    assert_eq!(rules_and_paths(&json_of(&out)), []);
    assert_eq!(json_of(&out)["summary"]["files"], 1);
    // A moat-ignore comment in the file's own comment style.
    let dir = project(&[
        (".gitignore", ".env\n"),
        (
            "deploy.yaml",
            &format!("# moat-ignore: secrets/openai-key -- revoked\nkey: {openai}\n"),
        ),
    ]);
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(rules_and_paths(&json_of(&out)), []);
}

#[test]
fn committed_env_files_are_checked_even_when_a_gitignore_matches_them() {
    let git_works = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !git_works {
        eprintln!("note: git is not installed; skipping");
        return;
    }
    let (openai, _, _) = fake_keys();
    let line = format!("OPENAI_API_KEY={openai}\n");
    let dir = project(&[
        (".gitignore", ".env*\n"),
        (".env.production", &line),
        (".env.local", &line),
    ]);
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?} failed");
    };
    git(&["init", "-q"]);
    // Committed before the rule, or forced: git tracks it all the same.
    git(&["add", "-f", ".env.production"]);
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(
        rules_and_paths(&json_of(&out)),
        [
            (
                "secrets/committed-env-file".into(),
                ".env.production".into()
            ),
            ("secrets/openai-key".into(), ".env.production".into()),
        ],
        "the untracked, ignored .env.local stays unchecked"
    );
}

#[test]
fn minified_bundles_are_checked_for_secrets_only() {
    let (openai, _, _) = fake_keys();
    let code = format!(
        "const express=require('express');const app=express();app.post('/api/admin/users',(q,s)=>s.json({{}}));const k=\"{openai}\";\n"
    );
    let dir = project(&[("server.js", &code), ("public/vendor.min.js", &code)]);
    let out = moat(&["check", "--format", "json"], dir.path());
    let found = rules_and_paths(&json_of(&out));
    assert!(
        found.contains(&("auth/unprotected-route".into(), "server.js".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("secrets/openai-key".into(), "public/vendor.min.js".into())),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(rule, path)| path == "public/vendor.min.js" && !rule.starts_with("secrets/")),
        "a bundle has no routes to judge: {found:?}"
    );
}

#[test]
fn public_routes_in_moat_toml_cover_admin_paths_and_webhooks() {
    let app = "const express = require('express');\n\
               const app = express();\n\
               app.get('/admin/status', (req, res) => res.json({ ok: true }));\n\
               app.post('/api/webhooks/ci', (req, res) => res.json({}));\n\
               app.get('/admin/users', (req, res) => res.json([]));\n\
               app.listen(3000);\n";
    let dir = project(&[("server.js", app)]);
    let lines = |json: &serde_json::Value| -> Vec<u64> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "auth/unprotected-route")
            .map(|d| d["line"].as_u64().unwrap())
            .collect()
    };
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(lines(&json_of(&out)), [3, 4, 5]);
    std::fs::write(
        dir.path().join("moat.toml"),
        "[auth]\npublic_routes = [\"/admin/status\", \"/api/webhooks/*\"]\n",
    )
    .unwrap();
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(lines(&json_of(&out)), [5], "{}", stdout(&out));
}

#[test]
fn a_checked_moat_toml_is_one_file() {
    // The moat.toml in force is also checked for secrets: its findings of
    // both kinds are one file's, counted once.
    let dir = project(&[(
        "moat.toml",
        "ignor = 1\ntoken = \"ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6\"\n",
    )]);
    let out = moat(&["check", "--format", "json"], dir.path());
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1, "{json}");
    let lines: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("moat/invalid-config".to_string(), 1),
            ("secrets/github-token".to_string(), 2)
        ]
    );
    let out = moat(&["check"], dir.path());
    assert!(
        stdout(&out).contains("in 1 file (1 file checked)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unreadable_config_is_named_as_such() {
    let dir = project(&[("a.ts", "export const x = 1;\n")]);
    let out = moat(&["check", "--config", "nope.toml", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("moat: cannot read the configuration nope.toml: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_misspelt_suppression_is_reported_and_suppresses_nothing() {
    let dir = project(&[(
        "a.ts",
        "import jwt from 'jsonwebtoken';\n// moat-ignore: jwt/missing-algorithm -- typo\nexport const v = (t: string) => jwt.verify(t, process.env.K!);\n",
    )]);
    let out = moat(&["check", "--format", "json"], dir.path());
    let json = json_of(&out);
    let found: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("moat/unknown-suppression".to_string(), 2),
            ("jwt/missing-algorithms".to_string(), 3),
        ]
    );
    // Turned off in moat.toml, the check is silent.
    std::fs::write(
        dir.path().join("moat.toml"),
        "[rules]\n\"moat/unknown-suppression\" = \"off\"\n",
    )
    .unwrap();
    let out = moat(&["check", "--format", "json"], dir.path());
    assert_eq!(json_of(&out)["diagnostics"].as_array().unwrap().len(), 1);
}
