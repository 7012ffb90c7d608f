//! Benchmarks of the work on the keystroke path and of whole-file analysis.
//! Run with `cargo bench`; numbers are for comparing changes on one
//! machine, never asserted in tests.

use std::path::Path;

use moat::analysis::analyze_text;
use moat::config::Config;
use moat::document::{Change, Document};
use moat::language::Language;
use moat::position::{LinePosition, PositionEncoding};

fn main() {
    divan::main();
}

/// A TypeScript module of about `n` functions that import and use
/// jsonwebtoken (so the JWT rule does its full work).
fn typescript(n: usize) -> String {
    let mut s = String::from("import jwt from 'jsonwebtoken';\n");
    for i in 0..n {
        s.push_str(&format!(
            "export function f{i}(t: string, k: string) {{ const x = [1, 2, 3].map((a) => a * {i}); return jwt.verify(t, k, {{ algorithms: ['HS256'] }}) ?? x; }}\n"
        ));
    }
    s
}

/// A Supabase migration with `n` tables, half of them without RLS.
fn migration(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "create table public.t{i} (id uuid references auth.users, body text);\n"
        ));
        if i % 2 == 0 {
            s.push_str(&format!(
                "alter table public.t{i} enable row level security;\n"
            ));
        }
    }
    s
}

/// Firestore rules with `n` collections, each with a function call.
fn rules(n: usize) -> String {
    let mut s = String::from(
        "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    function isOwner(uid) { return request.auth != null && request.auth.uid == uid; }\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "    match /c{i}/{{userId}} {{\n      allow read: if isOwner(userId);\n      allow create: if isOwner(userId) && request.resource.data.keys().hasOnly(['a', 'b']);\n    }}\n"
        ));
    }
    s.push_str("  }\n}\n");
    s
}

#[divan::bench(args = [100, 1000])]
fn analyze_typescript(bencher: divan::Bencher, n: usize) {
    let text = typescript(n);
    bencher.bench(|| {
        analyze_text(
            Path::new("a.ts"),
            &text,
            Language::TypeScript,
            &Config::default(),
        )
    });
}

#[divan::bench(args = [100, 1000])]
fn analyze_migration(bencher: divan::Bencher, n: usize) {
    let text = migration(n);
    bencher.bench(|| {
        analyze_text(
            Path::new("supabase/migrations/1.sql"),
            &text,
            Language::Sql,
            &Config::default(),
        )
    });
}

#[divan::bench(args = [100, 1000])]
fn analyze_rules(bencher: divan::Bencher, n: usize) {
    let text = rules(n);
    bencher.bench(|| {
        analyze_text(
            Path::new("firestore.rules"),
            &text,
            Language::FirebaseRules,
            &Config::default(),
        )
    });
}

/// One keystroke in the middle of a large document: apply the change to
/// the rope and the tree, then reparse incrementally.
#[divan::bench(args = [1000])]
fn keystroke_reparse(bencher: divan::Bencher, n: usize) {
    let text = typescript(n);
    let line = (n / 2) as u32;
    bencher
        .with_inputs(|| Document::new(&text, Some(Language::TypeScript), 1))
        .bench_local_refs(|doc| {
            let at = LinePosition {
                line,
                character: 10,
            };
            doc.apply_changes(
                &[Change {
                    range: Some((at, at)),
                    text: "x",
                }],
                PositionEncoding::Utf16,
            );
        });
}

/// A large mixed configuration file of `n` blocks: YAML keys, env lines,
/// URLs, JWT-looking values, placeholders and a few keys — every trigger of
/// the secrets pass, most of them leading nowhere.
fn mixed_text(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "service_{i}:\n  url: https://api{i}.example.com/v1?token=${{TOKEN}}\n  password: ${{DB_PASSWORD_{i}}}\n  api_key: your-api-key-here\n  cacheKey: user-profile-{i}\n  database: postgres://app:{i}@localhost:5432/app\n  note: the task-runner keeps secrets out of keyboard macros\n  session_secret: Moat{i}q8ZtR2vLw9Xk4NbH7cJm\n"
        ));
    }
    s
}

/// The secrets pass alone, over a file without a grammar.
#[divan::bench(args = [100, 1000])]
fn secrets_plain_text(bencher: divan::Bencher, n: usize) {
    let text = mixed_text(n);
    bencher.bench(|| {
        moat::analysis::analyze_plain_text(
            Path::new("config/services.yaml"),
            &text,
            &Config::default(),
            moat::analysis::FileFacts::default(),
        )
    });
}

/// An Express app mounting `n` routers, one file each, with ten routes per
/// router: the JS project's facts, then the route model across files.
fn express_project(n: usize) -> Vec<moat::analysis::javascript::project::JsFile> {
    use moat::analysis::javascript::project::JsFile;
    use moat::language::Language;
    let mut server = String::from("const express = require('express');\nconst app = express();\n");
    for i in 0..n {
        server.push_str(&format!(
            "const r{i} = require('./routes/r{i}');\napp.use('/api/r{i}', r{i});\n"
        ));
    }
    let mut files = vec![JsFile::new(
        "server.js".into(),
        "/p/server.js".into(),
        Language::JavaScript,
        &server,
    )];
    for i in 0..n {
        let mut text =
            String::from("const { Router } = require('express');\nconst router = Router();\n");
        for j in 0..10 {
            text.push_str(&format!(
                "router.post('/item{j}', requireAuth, async (req, res) => res.json(await save(req.body)));\n"
            ));
        }
        text.push_str("module.exports = router;\n");
        files.push(JsFile::new(
            format!("routes/r{i}.js").into(),
            format!("/p/routes/r{i}.js").into(),
            Language::JavaScript,
            &text,
        ));
    }
    files
}

#[divan::bench(args = [100, 1000])]
fn route_model(bencher: divan::Bencher, n: usize) {
    use moat::analysis::javascript::project::{AuthSettings, JsProject};
    let files = express_project(n);
    bencher.bench(|| {
        let project = JsProject::build(files.clone(), Vec::new(), AuthSettings::default());
        divan::black_box(project.routes().routes.len())
    });
}
