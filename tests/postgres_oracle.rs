//! A real PostgreSQL as the oracle for Moat's schema model (issue 4).
//!
//! For every migration set `tests/oracle/<case>/` (its `.sql` files, e.g.
//! `supabase/migrations/<timestamp>_<name>.sql`) and for both grant
//! settings, this suite builds Moat's model
//! ([`SqlWorkspace::build`], which also gives the migration order), applies
//! the same files in that order to a fresh database of a private PostgreSQL
//! server (`tests/pg/`), and checks that the two agree on:
//!
//! - the tables of schema `public`;
//! - each table's row level security (`relrowsecurity`,
//!   `relforcerowsecurity`) against `Table::rls`;
//! - each table's policies (`pg_policies`: name, command, roles, permissive
//!   or restrictive, whether USING and WITH CHECK are present, and — where
//!   both sides have a shape the suite recognises, see [`Shape`] — what
//!   USING says);
//! - the table privileges of `anon` and `authenticated` against
//!   `Schema::table_reach(…).granted`, for all seven table privileges:
//!   `has_table_privilege` (which counts grants to PUBLIC), or for SELECT,
//!   INSERT, UPDATE and REFERENCES `has_any_column_privilege` (a grant on
//!   some columns reaches the table; the model counts column lists as the
//!   whole privilege);
//! - the views of `public`: `security_invoker` (from `reloptions`) and the
//!   SELECT privilege of `anon` and `authenticated` (as for tables);
//! - the functions of `public` (matched by name; of overloaded names only
//!   the number is compared): SECURITY DEFINER (`prosecdef`), a fixed
//!   `search_path` (`proconfig`), and EXECUTE for `anon` and
//!   `authenticated` (`has_function_privilege`);
//! - which rows `anon` and `authenticated` actually see, below.
//!
//! Objects that belong to an extension (`create extension pgcrypto` puts
//! its functions in `public`) are left out of PostgreSQL's side: the model
//! only knows what the migrations create themselves.
//!
//! ## Row visibility
//!
//! Every table of `public` gets two rows, inserted by the superuser with
//! foreign keys off (`session_replication_role = replica`). Every column
//! without a default gets a value made from its type; every `uuid` column
//! (defaulted or not) gets the id of user A in row 1 and of user B in row 2,
//! so any uuid column can serve as an owner column; an enum column gets its
//! first label. A table that refuses the rows (a CHECK constraint, say) is
//! a failure among the repository's own cases, and is left out of the
//! visibility check (with a note) in a folder given by `MOAT_ORACLE_DIR`.
//! Then, as `anon` (claims
//! `{"role": "anon"}`) and as `authenticated` signed in as user A (claims
//! `{"sub": A, "role": "authenticated"}`), the suite counts the rows of each
//! table (a permission error counts as "denied") and compares with what it
//! reads from Moat's model by this simple rule:
//!
//! 1. no SELECT for the role (`table_reach`) → denied;
//! 2. RLS off → both rows;
//! 3. RLS on → the union of the rows allowed by the permissive SELECT or ALL
//!    policies that apply to the role (its name or `public` in the roles),
//!    narrowed by every restrictive one that applies; a policy's USING is
//!    read as: `true` (or `1=1`) → both rows; `auth.uid() = <uuid column>`
//!    (either side, `(select auth.uid())` too) → row 1 for user A, none for
//!    anon; absent → no rows; anything else → the suite cannot tell, and the
//!    visibility check of that table for that role is skipped (and listed).
//!
//! Views are counted the same way. A view that reads exactly one table
//! (`View::reads`) must show one row per visible row of it (fixtures keep
//! their views that way): with `security_invoker` the role sees what it
//! would see in the table (and needs SELECT on it); without, the view runs
//! as its owner, the superuser, who sees both rows. A materialized view
//! (refreshed by the superuser after the rows are inserted) likewise shows
//! both rows to whoever may select from it. Views over several relations
//! are skipped.
//!
//! ## The Supabase-like setup
//!
//! Roles `anon`, `authenticated` (nologin) and `service_role` (nologin,
//! bypassrls); schema `auth` with `users (id uuid primary key, email text,
//! raw_user_meta_data jsonb)` holding users A and B, and `auth.jwt()`,
//! `auth.uid()`, `auth.role()` reading `request.jwt.claims`; USAGE on
//! `public` and `auth` for the three roles. Two template databases differ
//! in one thing: `old` also has Supabase's old default privileges (`alter
//! default privileges in schema public grant all on tables | sequences |
//! functions to anon, authenticated, service_role`), matched with
//! `Settings { default_api_grants: true }`; `new` has none, matched with
//! `default_api_grants: false`. Each case runs in a database created from
//! the template and dropped afterwards. A helper schema `moat_oracle` (not
//! exposed, not compared) holds the row counter.
//!
//! ## Running
//!
//! Needs PostgreSQL's server binaries (see `tests/pg/mod.rs` for where they
//! are looked for; `MOAT_PG_BIN` names the folder). Without them the test
//! prints a note and passes, unless `MOAT_REQUIRE_PG=1` (set by `.ci/run`),
//! when it fails. `MOAT_ORACLE_CASE=<substring>` runs only matching cases;
//! `MOAT_ORACLE_DIR=<folder>` takes the cases from another folder;
//! `MOAT_ORACLE_VERBOSE=1` prints what each role saw.
//! A disagreement fails the test with one line per difference, naming the
//! case, the grant setting, the object, and what PostgreSQL and Moat said.
//! Before the cases, a control run (case `a_table_without_rls` compared
//! with a model built with the wrong grant setting) must disagree, so the
//! suite cannot pass by comparing nothing.

mod pg;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use moat::analysis::sql::model::{Command, Grants, Privilege, Schema, Settings, Table};
use moat::analysis::workspace::{key_of, SqlSource, SqlWorkspace};
use serde_json::Value;

use pg::{ident, literal, Server};

/// User A, the one `authenticated` is signed in as.
const USER_A: &str = "00000000-0000-4000-8000-00000000000a";
/// User B, the owner of every table's second row.
const USER_B: &str = "00000000-0000-4000-8000-00000000000b";
/// The rows inserted into every table.
const ROWS: usize = 2;

const ROLES: [&str; 2] = ["anon", "authenticated"];

const TABLE_PRIVILEGES: [(Privilege, &str); 7] = [
    (Privilege::Select, "SELECT"),
    (Privilege::Insert, "INSERT"),
    (Privilege::Update, "UPDATE"),
    (Privilege::Delete, "DELETE"),
    (Privilege::Truncate, "TRUNCATE"),
    (Privilege::References, "REFERENCES"),
    (Privilege::Trigger, "TRIGGER"),
];

/// Roles and the cluster-wide setup, run once in database `postgres`.
const ROLES_SQL: &str = "
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
";

/// What both templates hold.
fn base_sql() -> String {
    format!(
        "
create schema auth;
grant usage on schema auth to anon, authenticated, service_role;
create table auth.users (
  id uuid primary key,
  email text,
  raw_user_meta_data jsonb
);
insert into auth.users values
  ('{USER_A}', 'a@example.com', '{{}}'),
  ('{USER_B}', 'b@example.com', '{{}}');
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{{}}')::jsonb
$$;
create function auth.uid() returns uuid language sql stable as $$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select nullif(auth.jwt() ->> 'role', '')
$$;
grant usage on schema public to anon, authenticated, service_role;

create schema moat_oracle;
grant usage on schema moat_oracle to public;
-- The rows the current role can see in a relation; -1 when it may not read it.
create function moat_oracle.visible_rows(rel regclass) returns bigint
language plpgsql as $$
declare n bigint;
begin
  execute format('select count(*) from %s', rel) into n;
  return n;
exception when insufficient_privilege then
  return -1;
end
$$;
"
    )
}

/// Supabase's old default grants (the `old` template only).
const OLD_DEFAULTS_SQL: &str = "
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
";

/// The two grant settings.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Supabase's old default grants (`default_api_grants = true`).
    Old,
    /// No default grants (`default_api_grants = false`).
    New,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Old => "old",
            Mode::New => "new",
        }
    }
    fn template(self) -> String {
        format!("moat_template_{}", self.name())
    }
    fn settings(self) -> Settings {
        Settings {
            exposed_schemas: vec!["public".to_string()],
            default_api_grants: matches!(self, Mode::Old),
        }
    }
    fn label(self) -> &'static str {
        match self {
            Mode::Old => "default grants on",
            Mode::New => "default grants off",
        }
    }
}

/// The folder of cases: `tests/oracle`, or `$MOAT_ORACLE_DIR` (to try
/// migration sets kept elsewhere).
fn oracle_root() -> PathBuf {
    match std::env::var_os("MOAT_ORACLE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle"),
    }
}

/// Whether the cases are the repository's own (`tests/oracle`), which are
/// held to a higher standard: every table must take the generated rows.
fn own_cases() -> bool {
    std::env::var_os("MOAT_ORACLE_DIR").is_none_or(|d| d.is_empty())
}

/// The case folders, sorted.
fn cases() -> Vec<PathBuf> {
    let filter = std::env::var("MOAT_ORACLE_CASE").unwrap_or_default();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(oracle_root())
        .expect("tests/oracle exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    cases.sort();
    cases
}

/// Every `.sql` file under `dir`, as paths relative to it.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Moat's model of a case, with the files in the order it runs them.
fn model(case: &Path, mode: Mode) -> SqlWorkspace {
    let sources = sql_files(case)
        .into_iter()
        .map(|rel| {
            let abs = case.join(&rel);
            let text = std::fs::read_to_string(&abs).unwrap();
            SqlSource::new(rel, key_of(&abs), Arc::from(text))
        })
        .collect();
    SqlWorkspace::build(sources, &mode.settings())
}

/// Writes to the real standard error, past the test harness's capture, so
/// that the summary and the skip note show in `cargo test` output.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[test]
fn moat_model_agrees_with_postgres() {
    let required = std::env::var("MOAT_REQUIRE_PG").is_ok_and(|v| v == "1");
    let bin = match pg::find_binaries() {
        Ok(b) => b,
        Err(why) if required => panic!(
            "MOAT_REQUIRE_PG=1 but the PostgreSQL oracle cannot run: {why}. \
             Install PostgreSQL (Debian: apt-get install -y postgresql) or set MOAT_PG_BIN \
             to the folder holding initdb, pg_ctl and postgres."
        ),
        Err(why) => {
            say(&format!(
                "note: postgres_oracle skipped: {why}. Install PostgreSQL or set MOAT_PG_BIN \
                 to run it (MOAT_REQUIRE_PG=1 makes this a failure)."
            ));
            return;
        }
    };
    let started = Instant::now();
    let server = Server::start(bin.clone())
        .unwrap_or_else(|e| panic!("cannot start PostgreSQL from {}: {e}", bin.bindir.display()));
    let version = server
        .psql("postgres", "show server_version;")
        .unwrap_or_default();
    say(&format!(
        "postgres_oracle: PostgreSQL {} from {} (found by {}), started in {:.1?}",
        version.trim(),
        bin.bindir.display(),
        bin.found_by,
        started.elapsed()
    ));

    server
        .psql("postgres", ROLES_SQL)
        .unwrap_or_else(|e| panic!("create roles: {e}"));
    for mode in [Mode::Old, Mode::New] {
        let template = mode.template();
        server
            .psql("postgres", &format!("create database {template};"))
            .unwrap_or_else(|e| panic!("create template {template}: {e}"));
        let mut setup = base_sql();
        if let Mode::Old = mode {
            setup.push_str(OLD_DEFAULTS_SQL);
        }
        server
            .psql(&template, &setup)
            .unwrap_or_else(|e| panic!("set up template {template}: {e}"));
    }

    // The harness must be able to fail: the model built with the wrong
    // grant setting has to disagree with the database.
    let control = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/a_table_without_rls");
    match run_case(&server, &control, Mode::Old, Mode::New, "oracle_control") {
        Ok(report) => assert!(
            report
                .disagreements
                .iter()
                .any(|d| d.contains("privileges of anon"))
                && report
                    .disagreements
                    .iter()
                    .any(|d| d.contains("anon sees 2 of 2 rows")),
            "control: a model without default grants should disagree with a database that has \
             them, on privileges and on visible rows; found: {:?}",
            report.disagreements
        ),
        Err(e) => panic!("control case failed to run: {e}"),
    }

    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no case under {}",
        oracle_root().display()
    );
    // Every (case, mode) runs in its own database, a few at a time.
    let jobs: Vec<(usize, Mode)> = (0..cases.len())
        .flat_map(|i| [(i, Mode::Old), (i, Mode::New)])
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let mut outcomes: Vec<(usize, Result<Report, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(i, mode)) = jobs.get(j) else { break };
                        let db = format!("oracle_{i}_{}", mode.name());
                        done.push((j, run_case(&server, &cases[i], mode, mode, &db)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("oracle worker panicked"))
            .collect()
    });
    outcomes.sort_by_key(|(j, _)| *j);

    let mut failures: Vec<String> = Vec::new();
    let mut summary: Vec<String> = Vec::new();
    for (j, outcome) in outcomes {
        let (i, mode) = jobs[j];
        let name = cases[i].file_name().unwrap().to_string_lossy().into_owned();
        let line = match &outcome {
            Ok(report) if report.disagreements.is_empty() => format!(
                "  ok    {name} [{}]{}",
                mode.label(),
                skipped_note(&report.skipped)
            ),
            Ok(report) => format!(
                "  FAIL  {name} [{}]: {} disagreement(s){}",
                mode.label(),
                report.disagreements.len(),
                skipped_note(&report.skipped)
            ),
            Err(e) => format!("  ERROR {name} [{}]: {e}", mode.label()),
        };
        summary.push(line);
        match outcome {
            Ok(report) => failures.extend(
                report
                    .disagreements
                    .into_iter()
                    .map(|d| format!("{name} [{}]: {d}", mode.label())),
            ),
            Err(e) => failures.push(format!("{name} [{}]: {e}", mode.label())),
        }
    }
    say(&format!(
        "postgres_oracle: {} case(s) × 2 grant settings in {:.1?}\n{}",
        cases.len(),
        started.elapsed(),
        summary.join("\n")
    ));
    drop(server);
    assert!(
        failures.is_empty(),
        "Moat's schema model disagrees with PostgreSQL ({} difference(s)):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(" (visibility not judged: {})", skipped.join("; "))
    }
}

/// What one case in one mode found.
struct Report {
    disagreements: Vec<String>,
    /// Visibility checks the reading rule could not decide.
    skipped: Vec<String>,
}

/// Applies a case to a new database made from `mode`'s template, compares
/// it with the model built with `model_mode`'s settings (the same mode,
/// except in the control), and drops the database. `Err` when the
/// migrations or the oracle's own queries fail.
fn run_case(
    server: &Server,
    case: &Path,
    mode: Mode,
    model_mode: Mode,
    db: &str,
) -> Result<Report, String> {
    let ws = model(case, model_mode);
    server.psql(
        "postgres",
        &format!("create database {db} template {};", mode.template()),
    )?;
    let result: Result<Report, String> = (|| {
        for file in &ws.files {
            server
                .psql_file(db, &case.join(&file.path))
                .map_err(|e| format!("migration {} failed: {e}", file.path.display()))?;
        }
        let catalog = Catalog::read(server, db)?;
        let mut report = Report {
            disagreements: Vec::new(),
            skipped: Vec::new(),
        };
        compare_structure(&ws.schema, &catalog, &mut report.disagreements);
        let (mut seen, unfilled) = count_visible_rows(server, db, &catalog)?;
        for (table, error) in &unfilled {
            seen.retain(|(rel, _), _| rel != table);
            let what = format!("rows could not be inserted into {table:?}: {error}");
            if own_cases() {
                // The repository's fixtures must be judged in full.
                report
                    .disagreements
                    .push(format!("fixture problem: {what}"));
            } else {
                report.skipped.push(what);
            }
        }
        if std::env::var_os("MOAT_ORACLE_VERBOSE").is_some() {
            let name = case.file_name().unwrap().to_string_lossy();
            for ((rel, role), s) in &seen {
                say(&format!(
                    "    {name} [{}] {rel} as {role}: {s}",
                    mode.label()
                ));
            }
        }
        compare_visibility(&ws.schema, &catalog, &seen, &unfilled, &mut report);
        Ok(report)
    })();
    let dropped = server.psql("postgres", &format!("drop database {db};"));
    let report = result?;
    dropped?;
    Ok(report)
}

// ---------------------------------------------------------------------------
// What PostgreSQL says

#[derive(Debug)]
struct PgColumn {
    name: String,
    type_name: String,
    has_default: bool,
    /// An identity or generated column (never given a value).
    automatic: bool,
    /// The first label of an enum type.
    enum_label: Option<String>,
}

#[derive(Debug)]
struct PgTable {
    name: String,
    rls: bool,
    forced: bool,
    columns: Vec<PgColumn>,
    /// role → privileges held (names as in [`TABLE_PRIVILEGES`]).
    privileges: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PolicyFacts {
    name: String,
    command: String,
    roles: Vec<String>,
    permissive: bool,
    has_using: bool,
    has_check: bool,
}

#[derive(Debug)]
struct PgPolicy {
    table: String,
    facts: PolicyFacts,
    using: Option<String>,
}

#[derive(Debug)]
struct PgView {
    name: String,
    materialized: bool,
    security_invoker: bool,
    select: BTreeMap<String, bool>,
}

#[derive(Debug)]
struct PgFunction {
    name: String,
    args: String,
    security_definer: bool,
    search_path: Option<String>,
    execute: BTreeMap<String, bool>,
}

#[derive(Debug)]
struct Catalog {
    tables: Vec<PgTable>,
    policies: Vec<PgPolicy>,
    views: Vec<PgView>,
    functions: Vec<PgFunction>,
}

const CATALOG_SQL: &str = r#"
select json_build_object(
  'tables', (
    select coalesce(json_agg(json_build_object(
      'name', c.relname,
      'rls', c.relrowsecurity,
      'forced', c.relforcerowsecurity,
      'columns', (
        select coalesce(json_agg(json_build_object(
          'name', a.attname,
          'type', format_type(a.atttypid, a.atttypmod),
          'has_default', a.atthasdef,
          'automatic', a.attidentity <> '' or a.attgenerated <> '',
          'enum_label', (select e.enumlabel from pg_enum e
                         where e.enumtypid = a.atttypid order by e.enumsortorder limit 1)
        ) order by a.attnum), '[]')
        from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
      'privileges', (
        select json_object_agg(r.role, (
          select coalesce(json_agg(p.priv), '[]')
          from unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p(priv)
          where case when p.priv in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
                     then has_any_column_privilege(r.role, c.oid, p.priv)
                     else has_table_privilege(r.role, c.oid, p.priv) end))
        from unnest(array['anon','authenticated']) r(role))
    ) order by c.relname), '[]')
    from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
      and not exists (select 1 from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')),
  'policies', (
    select coalesce(json_agg(json_build_object(
      'table', tablename,
      'name', policyname,
      'command', cmd,
      'roles', roles,
      'permissive', permissive = 'PERMISSIVE',
      'using', qual,
      'check', with_check
    ) order by tablename, policyname), '[]')
    from pg_policies
    where schemaname = 'public'),
  'views', (
    select coalesce(json_agg(json_build_object(
      'name', c.relname,
      'materialized', c.relkind = 'm',
      'options', coalesce(c.reloptions, '{}'),
      'select', (
        select json_object_agg(r.role, has_any_column_privilege(r.role, c.oid, 'SELECT'))
        from unnest(array['anon','authenticated']) r(role))
    ) order by c.relname), '[]')
    from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')
      and not exists (select 1 from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')),
  'functions', (
    select coalesce(json_agg(json_build_object(
      'name', p.proname,
      'args', pg_get_function_identity_arguments(p.oid),
      'security_definer', p.prosecdef,
      'config', coalesce(p.proconfig, '{}'),
      'execute', (
        select json_object_agg(r.role, has_function_privilege(r.role, p.oid, 'EXECUTE'))
        from unnest(array['anon','authenticated']) r(role))
    ) order by p.proname, p.oid), '[]')
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and not exists (select 1 from pg_depend d
                      where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'))
);
"#;

impl Catalog {
    fn read(server: &Server, db: &str) -> Result<Catalog, String> {
        let out = server.psql(db, CATALOG_SQL)?;
        let v: Value = serde_json::from_str(out.trim())
            .map_err(|e| format!("catalog query gave no JSON ({e}): {out}"))?;
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let b = |v: &Value| v.as_bool().unwrap_or(false);
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| a.iter().map(s).collect())
                .unwrap_or_default()
        };
        let role_bools = |v: &Value| -> BTreeMap<String, bool> {
            v.as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), b(v))).collect())
                .unwrap_or_default()
        };
        let tables = v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| PgTable {
                name: s(&t["name"]),
                rls: b(&t["rls"]),
                forced: b(&t["forced"]),
                columns: t["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| PgColumn {
                        name: s(&c["name"]),
                        type_name: s(&c["type"]),
                        has_default: b(&c["has_default"]),
                        automatic: b(&c["automatic"]),
                        enum_label: c["enum_label"].as_str().map(str::to_string),
                    })
                    .collect(),
                privileges: t["privileges"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(role, p)| (role.clone(), strings(p).into_iter().collect()))
                    .collect(),
            })
            .collect();
        let policies = v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let mut roles = strings(&p["roles"]);
                roles.sort();
                PgPolicy {
                    table: s(&p["table"]),
                    using: p["using"].as_str().map(str::to_string),
                    facts: PolicyFacts {
                        name: s(&p["name"]),
                        command: s(&p["command"]),
                        roles,
                        permissive: b(&p["permissive"]),
                        has_using: !p["using"].is_null(),
                        has_check: !p["check"].is_null(),
                    },
                }
            })
            .collect();
        let views = v["views"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| PgView {
                name: s(&w["name"]),
                materialized: b(&w["materialized"]),
                security_invoker: strings(&w["options"]).iter().any(|o| {
                    o.split_once('=')
                        .is_some_and(|(k, v)| k == "security_invoker" && is_true_option(v))
                }),
                select: role_bools(&w["select"]),
            })
            .collect();
        let functions = v["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| PgFunction {
                name: s(&f["name"]),
                args: s(&f["args"]),
                security_definer: b(&f["security_definer"]),
                search_path: strings(&f["config"])
                    .iter()
                    .find_map(|c| c.strip_prefix("search_path=").map(str::to_string)),
                execute: role_bools(&f["execute"]),
            })
            .collect();
        Ok(Catalog {
            tables,
            policies,
            views,
            functions,
        })
    }

    fn table(&self, name: &str) -> Option<&PgTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// A boolean reloption value as PostgreSQL accepts it.
fn is_true_option(v: &str) -> bool {
    matches!(
        v.trim_matches('"').to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1" | "t" | "y"
    )
}

// ---------------------------------------------------------------------------
// The model, as the suite reads it

fn public_tables(schema: &Schema) -> impl Iterator<Item = &Table> {
    schema
        .tables
        .iter()
        .filter(|t| t.name.is_public() && !t.temporary)
}

fn command_name(c: Command) -> &'static str {
    match c {
        Command::All => "ALL",
        Command::Select => "SELECT",
        Command::Insert => "INSERT",
        Command::Update => "UPDATE",
        Command::Delete => "DELETE",
    }
}

/// Whether `role` holds `privilege` in a grants map (directly or through
/// PUBLIC), as [`Schema::table_reach`] reads it.
fn holds(grants: &Grants, role: &str, privilege: Privilege) -> bool {
    let has = |r: &str| grants.get(r).is_some_and(|p| p.contains(&privilege));
    has(role) || has("public")
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn set_text<T: std::fmt::Debug>(set: &BTreeSet<T>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn compare_structure(schema: &Schema, pg: &Catalog, out: &mut Vec<String>) {
    // Tables.
    let pg_tables: BTreeSet<String> = pg.tables.iter().map(|t| t.name.clone()).collect();
    let moat_tables: BTreeSet<String> =
        public_tables(schema).map(|t| t.name.name.clone()).collect();
    if pg_tables != moat_tables {
        out.push(format!(
            "tables of public: PostgreSQL has {}, Moat has {}",
            set_text(&pg_tables),
            set_text(&moat_tables)
        ));
    }
    for table in public_tables(schema) {
        let name = &table.name.name;
        let Some(pt) = pg.table(name) else { continue };
        // RLS.
        if pt.rls != table.rls.enabled {
            out.push(format!(
                "table {name:?}: row level security enabled: PostgreSQL {}, Moat {}",
                yes_no(pt.rls),
                yes_no(table.rls.enabled)
            ));
        }
        if pt.forced != table.rls.forced {
            out.push(format!(
                "table {name:?}: row level security forced: PostgreSQL {}, Moat {}",
                yes_no(pt.forced),
                yes_no(table.rls.forced)
            ));
        }
        // Privileges.
        for role in ROLES {
            let pg_has: BTreeSet<&str> = pt
                .privileges
                .get(role)
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let moat_has: BTreeSet<&str> = TABLE_PRIVILEGES
                .iter()
                .filter(|(p, _)| schema.table_reach(table, role, *p).granted)
                .map(|(_, n)| *n)
                .collect();
            if pg_has != moat_has {
                out.push(format!(
                    "table {name:?}: privileges of {role}: PostgreSQL {}, Moat {}",
                    list(&pg_has),
                    list(&moat_has)
                ));
            }
        }
        // Policies.
        let pg_policies: BTreeMap<&str, &PgPolicy> = pg
            .policies
            .iter()
            .filter(|p| p.table == *name)
            .map(|p| (p.facts.name.as_str(), p))
            .collect();
        let moat_policies: BTreeMap<&str, PolicyFacts> = schema
            .policies_on(&table.name)
            .map(|p| {
                let mut roles = p.roles.clone();
                roles.sort();
                (
                    p.name.as_str(),
                    PolicyFacts {
                        name: p.name.clone(),
                        command: command_name(p.command).to_string(),
                        roles,
                        permissive: p.permissive,
                        has_using: p.using.is_some(),
                        has_check: p.with_check.is_some(),
                    },
                )
            })
            .collect();
        let pg_names: BTreeSet<&str> = pg_policies.keys().copied().collect();
        let moat_names: BTreeSet<&str> = moat_policies.keys().copied().collect();
        if pg_names != moat_names {
            out.push(format!(
                "table {name:?}: policies: PostgreSQL has {}, Moat has {}",
                set_text(&pg_names),
                set_text(&moat_names)
            ));
        }
        for (pname, pp) in &pg_policies {
            let Some(mp) = moat_policies.get(pname) else {
                continue;
            };
            if pp.facts != *mp {
                out.push(format!(
                    "table {name:?}, policy {pname:?}: PostgreSQL {}, Moat {}",
                    facts_text(&pp.facts),
                    facts_text(mp)
                ));
            }
            let moat_using = schema
                .policies_on(&table.name)
                .find(|p| p.name == **pname)
                .and_then(|p| p.using.as_ref())
                .map(|u| Shape::of(&u.text, pt));
            let pg_using = pp.using.as_deref().map(|u| Shape::of(u, pt));
            if let (Some(a), Some(b)) = (&pg_using, &moat_using) {
                if a != b && *a != Shape::Other && *b != Shape::Other {
                    out.push(format!(
                        "table {name:?}, policy {pname:?}: USING means {a:?} in PostgreSQL ({}), {b:?} in Moat",
                        pp.using.as_deref().unwrap_or("")
                    ));
                }
            }
        }
    }

    // Views.
    let public_views: Vec<_> = schema.views.iter().filter(|v| v.name.is_public()).collect();
    let pg_views: BTreeSet<&str> = pg.views.iter().map(|v| v.name.as_str()).collect();
    let moat_views: BTreeSet<&str> = public_views.iter().map(|v| v.name.name.as_str()).collect();
    if pg_views != moat_views {
        out.push(format!(
            "views of public: PostgreSQL has {}, Moat has {}",
            set_text(&pg_views),
            set_text(&moat_views)
        ));
    }
    for pv in &pg.views {
        let Some(mv) = public_views.iter().find(|v| v.name.name == pv.name) else {
            continue;
        };
        if pv.security_invoker != mv.security_invoker {
            out.push(format!(
                "view {:?}: security_invoker: PostgreSQL {}, Moat {}",
                pv.name,
                yes_no(pv.security_invoker),
                yes_no(mv.security_invoker)
            ));
        }
        for role in ROLES {
            let pg_select = pv.select.get(role).copied().unwrap_or(false);
            let moat_select = holds(&mv.grants, role, Privilege::Select);
            if pg_select != moat_select {
                out.push(format!(
                    "view {:?}: SELECT for {role}: PostgreSQL {}, Moat {}",
                    pv.name,
                    yes_no(pg_select),
                    yes_no(moat_select)
                ));
            }
        }
    }

    // Functions (matched by name; overloads must agree in number).
    let public_functions: Vec<_> = schema
        .functions
        .iter()
        .filter(|f| f.name.is_public())
        .collect();
    let pg_names: BTreeMap<&str, usize> = count_by(pg.functions.iter().map(|f| f.name.as_str()));
    let moat_names: BTreeMap<&str, usize> =
        count_by(public_functions.iter().map(|f| f.name.name.as_str()));
    if pg_names != moat_names {
        out.push(format!(
            "functions of public (name: overloads): PostgreSQL has {pg_names:?}, Moat has {moat_names:?}"
        ));
    }
    for pf in &pg.functions {
        if pg_names.get(pf.name.as_str()) != Some(&1) {
            continue;
        }
        let Some(mf) = public_functions
            .iter()
            .find(|f| f.name.name == pf.name)
            .filter(|_| moat_names.get(pf.name.as_str()) == Some(&1))
        else {
            continue;
        };
        let what = format!("function {}({})", pf.name, pf.args);
        if pf.security_definer != mf.security_definer {
            out.push(format!(
                "{what}: security definer: PostgreSQL {}, Moat {}",
                yes_no(pf.security_definer),
                yes_no(mf.security_definer)
            ));
        }
        if pf.search_path.is_some() != mf.search_path.is_some() {
            out.push(format!(
                "{what}: fixed search_path: PostgreSQL {:?}, Moat {:?}",
                pf.search_path, mf.search_path
            ));
        }
        for role in ROLES {
            let pg_exec = pf.execute.get(role).copied().unwrap_or(false);
            let moat_exec = holds(&mf.grants, role, Privilege::Execute);
            if pg_exec != moat_exec {
                out.push(format!(
                    "{what}: EXECUTE for {role}: PostgreSQL {}, Moat {}",
                    yes_no(pg_exec),
                    yes_no(moat_exec)
                ));
            }
        }
    }
}

fn list(set: &BTreeSet<&str>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter().copied().collect::<Vec<_>>().join(",")
    }
}

fn facts_text(f: &PolicyFacts) -> String {
    format!(
        "{} {} to {} using:{} check:{}",
        if f.permissive {
            "permissive"
        } else {
            "restrictive"
        },
        f.command,
        f.roles.join(","),
        yes_no(f.has_using),
        yes_no(f.has_check)
    )
}

fn count_by<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut m = BTreeMap::new();
    for n in names {
        *m.entry(n).or_insert(0) += 1;
    }
    m
}

// ---------------------------------------------------------------------------
// Policy expressions, read simply

/// What a USING expression says, for the shapes the suite recognises.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// Every row.
    True,
    /// Rows whose uuid column (named) holds the signed-in user's id.
    Owner(String),
    /// Something else.
    Other,
}

impl Shape {
    /// Reads an expression as written in a migration or as PostgreSQL
    /// prints it (`(( SELECT auth.uid() AS uid) = owner_id)`).
    fn of(text: &str, table: &PgTable) -> Shape {
        let norm = normalize(text);
        if norm == "true" || norm == "1=1" {
            return Shape::True;
        }
        let uid = [
            "auth.uid()",
            "(selectauth.uid())",
            "(selectauth.uid()asuid)",
        ];
        if let Some((left, right)) = norm.split_once('=') {
            let column = if uid.contains(&left) {
                right
            } else if uid.contains(&right) {
                left
            } else {
                return Shape::Other;
            };
            let column = unquote_ident(column);
            let is_uuid = table
                .columns
                .iter()
                .any(|c| c.name == column && c.type_name == "uuid");
            if is_uuid {
                return Shape::Owner(column);
            }
        }
        Shape::Other
    }
}

/// Lower-cases and drops whitespace outside double quotes, and strips
/// parentheses around the whole expression.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
            out.push(c);
        } else if quoted {
            out.push(c);
        } else if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    let mut s = out.as_str();
    while s.starts_with('(') && s.ends_with(')') && wraps(s) {
        s = &s[1..s.len() - 1];
    }
    s.to_string()
}

/// Whether the first `(` of `s` closes at its last character.
fn wraps(s: &str) -> bool {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == s.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

fn unquote_ident(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].replace("\"\"", "\"")
    } else {
        s.to_string()
    }
}

// ---------------------------------------------------------------------------
// Row visibility

/// What a role sees in a relation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Denied,
    Rows(usize),
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seen::Denied => write!(f, "permission denied"),
            Seen::Rows(n) => write!(f, "{n} of {ROWS} rows"),
        }
    }
}

/// A value of the column's type for row `row` (0-based), as SQL; `None`
/// for a type the suite does not know (the column is left to its default,
/// or NULL).
fn value_for(column: &PgColumn, row: usize) -> Option<String> {
    if let Some(label) = &column.enum_label {
        return Some(format!("{}::{}", literal(label), column.type_name));
    }
    let t = column.type_name.to_ascii_lowercase();
    let n = row + 1;
    if t == "uuid" {
        return Some(format!("'{}'::uuid", [USER_A, USER_B][row % 2]));
    }
    if t.ends_with("[]") {
        return Some(format!("'{{}}'::{t}"));
    }
    let base = t.split('(').next().unwrap_or("").trim();
    Some(match base {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => {
            format!("{n}")
        }
        "text" | "character varying" | "character" | "citext" | "name" => {
            format!("{}::{t}", literal(&format!("r{n}")))
        }
        "boolean" => "true".to_string(),
        "json" | "jsonb" => format!("'{{}}'::{t}"),
        "timestamp with time zone"
        | "timestamp without time zone"
        | "date"
        | "time without time zone"
        | "time with time zone" => format!("now()::{t}"),
        "bytea" => "'\\x00'::bytea".to_string(),
        _ => return None,
    })
}

fn insert_sql(table: &PgTable) -> String {
    let columns: Vec<&PgColumn> = table
        .columns
        .iter()
        .filter(|c| !c.automatic && (c.type_name == "uuid" || !c.has_default))
        .filter(|c| value_for(c, 0).is_some())
        .collect();
    let t = format!("public.{}", ident(&table.name));
    if columns.is_empty() {
        return (0..ROWS)
            .map(|_| format!("insert into {t} default values;\n"))
            .collect();
    }
    let names: Vec<String> = columns.iter().map(|c| ident(&c.name)).collect();
    let rows: Vec<String> = (0..ROWS)
        .map(|r| {
            let values: Vec<String> = columns.iter().map(|c| value_for(c, r).unwrap()).collect();
            format!("({})", values.join(", "))
        })
        .collect();
    format!(
        "insert into {t} ({}) values {};\n",
        names.join(", "),
        rows.join(", ")
    )
}

/// (relation, role) → what the role saw.
type SeenMap = BTreeMap<(String, String), Seen>;

fn claims(role: &str) -> String {
    match role {
        "authenticated" => format!(r#"{{"sub": "{USER_A}", "role": "authenticated"}}"#),
        _ => format!(r#"{{"role": "{role}"}}"#),
    }
}

/// Inserts the rows (one table at a time: a table whose rows cannot be
/// made, say for a CHECK constraint, is returned with the error and left
/// out), then counts what each role sees in each table and view.
fn count_visible_rows(
    server: &Server,
    db: &str,
    pg: &Catalog,
) -> Result<(SeenMap, BTreeMap<String, String>), String> {
    let mut unfilled = BTreeMap::new();
    for t in &pg.tables {
        let sql = format!("set session_replication_role = replica;\n{}", insert_sql(t));
        if let Err(e) = server.psql(db, &sql) {
            let first = e
                .lines()
                .find(|l| l.contains("ERROR"))
                .unwrap_or(e.as_str())
                .trim()
                .to_string();
            unfilled.insert(t.name.clone(), first);
        }
    }
    let mut sql = String::new();
    for v in pg.views.iter().filter(|v| v.materialized) {
        sql.push_str(&format!(
            "refresh materialized view public.{};\n",
            ident(&v.name)
        ));
    }
    let relations: Vec<&str> = pg
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .chain(pg.views.iter().map(|v| v.name.as_str()))
        .collect();
    for role in ROLES {
        sql.push_str(&format!(
            "set request.jwt.claims = {};\nset role {role};\n",
            literal(&claims(role))
        ));
        for rel in &relations {
            let regclass = literal(&format!("public.{}", ident(rel)));
            sql.push_str(&format!(
                "select json_build_array({}, {}, moat_oracle.visible_rows({regclass}::regclass));\n",
                literal(rel),
                literal(role)
            ));
        }
        sql.push_str("reset role;\n");
    }
    let out = server
        .psql(db, &sql)
        .map_err(|e| format!("counting rows failed: {e}"))?;
    let mut seen = SeenMap::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("bad count line {line:?}: {e}"))?;
        let n = v[2].as_i64().unwrap_or(-1);
        seen.insert(
            (
                v[0].as_str().unwrap_or_default().to_string(),
                v[1].as_str().unwrap_or_default().to_string(),
            ),
            if n < 0 {
                Seen::Denied
            } else {
                Seen::Rows(n as usize)
            },
        );
    }
    Ok((seen, unfilled))
}

/// Which of the inserted rows (by index) a role may read in a table,
/// according to Moat's model; `Err` when the reading rule cannot tell.
fn expected_rows(
    schema: &Schema,
    table: &Table,
    pt: &PgTable,
    role: &str,
) -> Result<Option<BTreeSet<usize>>, String> {
    if !schema.table_reach(table, role, Privilege::Select).granted {
        return Ok(None);
    }
    let all: BTreeSet<usize> = (0..ROWS).collect();
    if !table.rls.enabled {
        return Ok(Some(all));
    }
    let rows_of = |using: Option<&str>, policy: &str| -> Result<BTreeSet<usize>, String> {
        let Some(text) = using else {
            return Ok(BTreeSet::new());
        };
        match Shape::of(text, pt) {
            Shape::True => Ok(all.clone()),
            // Every uuid column of row 0 holds user A's id.
            Shape::Owner(_) if role == "authenticated" => Ok([0].into_iter().collect()),
            Shape::Owner(_) => Ok(BTreeSet::new()),
            Shape::Other => Err(format!("policy {policy:?} USING ({text})")),
        }
    };
    let mut visible = BTreeSet::new();
    let mut restrictive = Vec::new();
    for p in schema.policies_on(&table.name) {
        let applies = matches!(p.command, Command::All | Command::Select)
            && p.roles.iter().any(|r| r == role || r == "public");
        if !applies {
            continue;
        }
        let rows = rows_of(p.using.as_ref().map(|u| u.text.as_str()), &p.name)?;
        if p.permissive {
            visible.extend(rows);
        } else {
            restrictive.push(rows);
        }
    }
    for r in restrictive {
        visible = visible.intersection(&r).copied().collect();
    }
    Ok(Some(visible))
}

fn as_seen(rows: &Option<BTreeSet<usize>>) -> Seen {
    match rows {
        None => Seen::Denied,
        Some(r) => Seen::Rows(r.len()),
    }
}

fn compare_visibility(
    schema: &Schema,
    pg: &Catalog,
    seen: &SeenMap,
    unfilled: &BTreeMap<String, String>,
    report: &mut Report,
) {
    for table in public_tables(schema) {
        let name = &table.name.name;
        let Some(pt) = pg.table(name) else { continue };
        for role in ROLES {
            let Some(actual) = seen.get(&(name.clone(), role.to_string())) else {
                continue;
            };
            match expected_rows(schema, table, pt, role) {
                Ok(expected) => {
                    let expected = as_seen(&expected);
                    if expected != *actual {
                        report.disagreements.push(format!(
                            "table {name:?}: {role} sees {actual} in PostgreSQL; Moat's model says {expected} ({})",
                            why(schema, table, role)
                        ));
                    }
                }
                Err(what) => report.skipped.push(format!("{name} as {role}: {what}")),
            }
        }
    }
    for view in schema.views.iter().filter(|v| v.name.is_public()) {
        let name = &view.name.name;
        for role in ROLES {
            let Some(actual) = seen.get(&(name.clone(), role.to_string())) else {
                continue;
            };
            let [read] = view.reads.as_slice() else {
                report.skipped.push(format!(
                    "view {name} as {role}: reads {} relations",
                    view.reads.len()
                ));
                continue;
            };
            let (Some(table), Some(pt)) = (
                schema.table(read),
                pg.table(&read.name)
                    .filter(|_| read.is_public() && !unfilled.contains_key(&read.name)),
            ) else {
                report
                    .skipped
                    .push(format!("view {name} as {role}: reads no known table"));
                continue;
            };
            let expected = if !holds(&view.grants, role, Privilege::Select) {
                Ok(Seen::Denied)
            } else if view.security_invoker {
                expected_rows(schema, table, pt, role).map(|r| as_seen(&r))
            } else {
                Ok(Seen::Rows(ROWS))
            };
            match expected {
                Ok(expected) if expected != *actual => report.disagreements.push(format!(
                    "view {name:?} (security_invoker: {}): {role} sees {actual} in PostgreSQL; Moat's model says {expected}",
                    yes_no(view.security_invoker)
                )),
                Ok(_) => {}
                Err(what) => report.skipped.push(format!("view {name} as {role}: {what}")),
            }
        }
    }
}

/// The model's facts behind an expected visibility, for messages.
fn why(schema: &Schema, table: &Table, role: &str) -> String {
    let reach = schema.table_reach(table, role, Privilege::Select);
    let policies: Vec<String> = schema
        .policies_on(&table.name)
        .map(|p| {
            format!(
                "{:?} {} {} to {} using {:?}",
                p.name,
                if p.permissive {
                    "permissive"
                } else {
                    "restrictive"
                },
                command_name(p.command),
                p.roles.join(","),
                p.using.as_ref().map(|u| u.text.as_str())
            )
        })
        .collect();
    format!(
        "SELECT granted: {}{}, RLS: {}, policies: [{}]",
        yes_no(reach.granted),
        if reach.assumed { " (assumed)" } else { "" },
        if table.rls.enabled { "on" } else { "off" },
        policies.join("; ")
    )
}
