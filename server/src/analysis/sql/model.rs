//! The database the migrations build: one schema model across every SQL
//! file of the workspace, in migration order.
//!
//! [`Schema::build`] replays the statements of every file, in order, as
//! PostgreSQL would run them: tables are created, renamed and dropped; row
//! level security is enabled, disabled and forced (the last statement
//! wins); policies are created, altered, renamed and dropped; privileges are
//! granted and revoked (and `ALTER DEFAULT PRIVILEGES` changes what later
//! tables and functions get); views and functions are created with their
//! options. Rules read the final state and point back at the statements
//! through [`Loc`]s.
//!
//! Names are schema-qualified and folded as PostgreSQL does (unquoted
//! identifiers to lower case, quoted ones kept); an unqualified name means
//! `public` (Supabase's `search_path`).
//!
//! Grants: Supabase granted `select, insert, update, delete` on every new
//! table in `public` to `anon` and `authenticated` by default until 2026
//! (projects created since 2026-05-30, and all projects since 2026-10-30,
//! give new tables no grants unless they opt in). Where the migrations say
//! nothing, the model assumes the old default grants unless
//! [`Settings::default_api_grants`] is false; every answer about who can
//! reach a table says whether it rests on that assumption ([`Reach`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use crate::analysis::sql::statements::Statement;
use crate::analysis::sql::QualifiedName;

/// Where something was declared: a statement of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Index into [`Schema::files`].
    pub file: usize,
    /// Index into that file's statements.
    pub statement: usize,
    /// The bytes in the file to report on (for a table: `create table
    /// <name>`; for a policy: the whole statement; …).
    pub range: Range<usize>,
}

/// One SQL file as the model reads it.
#[derive(Debug)]
pub struct SqlFile<'a> {
    /// The file's path, relative to the workspace root when known.
    pub path: PathBuf,
    /// The whole text.
    pub text: &'a str,
    /// Its statements, parsed one by one ([`super::statements::parse`]).
    pub statements: &'a [Statement],
}

/// How the model is built.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Schemas exposed through the Data API (`[api] schemas` of
    /// `supabase/config.toml`; `public` when absent).
    pub exposed_schemas: Vec<String>,
    /// Whether new tables and functions in exposed schemas get Supabase's
    /// old default grants to `anon` and `authenticated` (true unless the
    /// project says otherwise: `default_api_grants = false` in moat.toml).
    pub default_api_grants: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            exposed_schemas: vec!["public".to_string()],
            default_api_grants: true,
        }
    }
}

/// A table privilege.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    /// `EXECUTE` on a function.
    Execute,
}

/// Who holds which privileges on one object: role name (lower case; the
/// pseudo-role `public` for PUBLIC) → privileges.
pub type Grants = BTreeMap<String, BTreeSet<Privilege>>;

/// Row level security state of a table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rls {
    /// `enable row level security` is in force.
    pub enabled: bool,
    /// `force row level security` is in force.
    pub forced: bool,
}

/// One change of a table's RLS state, in migration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RlsChange {
    Enable,
    Disable,
    Force,
    NoForce,
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Folded name.
    pub name: String,
    /// The type as written (`uuid`, `text[]`, `timestamp with time zone`).
    pub type_text: String,
    /// The table a `references` constraint on this column points at
    /// (inline or in a table constraint), e.g. `auth.users`.
    pub references: Option<QualifiedName>,
    /// The column definition's bytes in its file.
    pub range: Range<usize>,
}

/// A table, as the migrations leave it.
#[derive(Clone, Debug)]
pub struct Table {
    /// Its current name (after renames).
    pub name: QualifiedName,
    /// The `create table` statement; `range` covers `create table <name>`.
    pub created: Loc,
    /// Columns, in order (after `alter table … add/drop/rename column`).
    pub columns: Vec<Column>,
    /// The final RLS state.
    pub rls: Rls,
    /// Every statement that changed the RLS state, in order.
    pub rls_changes: Vec<(Loc, RlsChange)>,
    /// Privileges in force on the table.
    pub grants: Grants,
    /// Roles whose privileges on this table come from an explicit GRANT,
    /// REVOKE or ALTER DEFAULT PRIVILEGES in the migrations rather than from
    /// the assumed Supabase defaults.
    pub explicit_grants: BTreeSet<String>,
    /// A temporary table (not reachable through the API).
    pub temporary: bool,
}

/// The command a policy applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

/// A policy expression (`USING (…)` or `WITH CHECK (…)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyExpr {
    /// The expression's text, without the surrounding parentheses.
    pub text: String,
    /// Its bytes in the file (without the parentheses).
    pub range: Range<usize>,
    /// The file `range` is in (index into [`Schema::files`]): the
    /// `create policy`'s, or that of a later `alter policy` that replaced
    /// the expression.
    pub file: usize,
}

/// A row level security policy, as the migrations leave it.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The policy name (folded).
    pub name: String,
    /// The table it is on (current name, after table renames).
    pub table: QualifiedName,
    pub command: Command,
    /// Roles it applies to, lower case; `["public"]` when there is no `TO`.
    pub roles: Vec<String>,
    /// Whether a `TO` clause was written.
    pub roles_written: bool,
    /// PERMISSIVE (the default) or RESTRICTIVE.
    pub permissive: bool,
    pub using: Option<PolicyExpr>,
    pub with_check: Option<PolicyExpr>,
    /// The `create policy` statement (the range covers the whole statement).
    pub created: Loc,
}

/// A view or materialized view.
#[derive(Clone, Debug)]
pub struct View {
    pub name: QualifiedName,
    /// The `create view` statement; `range` covers `create view <name>`.
    pub created: Loc,
    pub materialized: bool,
    /// `security_invoker = true` is set (in `with (…)` or by a later
    /// `alter view … set (…)`).
    pub security_invoker: bool,
    /// The relations its query reads (`from`, `join`, subqueries).
    pub reads: Vec<QualifiedName>,
    /// Privileges in force on the view (like a table's).
    pub grants: Grants,
    /// Roles whose privileges on this view come from the migrations rather
    /// than from the assumed Supabase defaults (like a table's).
    pub explicit_grants: BTreeSet<String>,
}

/// A function.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: QualifiedName,
    /// The argument list as written, for messages and fixes (`(uid uuid)`).
    pub args: String,
    /// The `create function` statement; `range` covers `create [or
    /// replace] function <name>(<args>)`.
    pub created: Loc,
    /// SECURITY DEFINER (else invoker).
    pub security_definer: bool,
    /// The `search_path` fixed by `set search_path = …` on the function
    /// (at creation or by `alter function`), as written; `None` when not
    /// fixed.
    pub search_path: Option<String>,
    /// Who may EXECUTE it (PostgreSQL grants EXECUTE to PUBLIC by default,
    /// and Supabase's default privileges to anon and authenticated).
    pub grants: Grants,
    /// Roles whose EXECUTE comes from the migrations (GRANT, REVOKE, ALTER
    /// DEFAULT PRIVILEGES) or from PostgreSQL itself rather than from the
    /// assumed Supabase defaults: `public` is always in it (PostgreSQL's
    /// own default EXECUTE to PUBLIC is no assumption).
    pub explicit_grants: BTreeSet<String>,
    /// The language (`sql`, `plpgsql`, …), lower case.
    pub language: String,
    /// The body's bytes in the file (inside the dollar quotes), if any.
    pub body: Option<Range<usize>>,
}

/// Whether a role can reach an object, and on what the answer rests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The role holds the privilege.
    pub granted: bool,
    /// The answer comes from the assumed Supabase default grants, not from
    /// statements in the migrations.
    pub assumed: bool,
}

/// The schema model of the whole workspace.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// The files, in migration order ([`migration_order`]).
    pub files: Vec<PathBuf>,
    /// Tables that exist at the end (dropped ones are gone).
    pub tables: Vec<Table>,
    /// Policies that exist at the end.
    pub policies: Vec<Policy>,
    pub views: Vec<View>,
    pub functions: Vec<Function>,
    /// The settings the model was built with.
    pub exposed_schemas: Vec<String>,
    pub default_api_grants: bool,
}

impl Schema {
    /// Replays every statement of `files` (already in migration order) and
    /// returns the final state. Never fails: statements it does not
    /// understand, or that do not parse, are skipped.
    pub fn build(files: &[SqlFile<'_>], settings: &Settings) -> Schema {
        builder::build(files, settings)
    }

    /// Whether `schema` is exposed through the Data API.
    pub fn is_exposed(&self, name: &QualifiedName) -> bool {
        let schema = name.schema.as_deref().unwrap_or("public");
        self.exposed_schemas.iter().any(|s| s == schema)
    }

    /// The table with this name, if it exists at the end.
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.tables.iter().find(|t| t.name.same_relation(name))
    }

    /// The policies on a table.
    pub fn policies_on<'s>(
        &'s self,
        table: &'s QualifiedName,
    ) -> impl Iterator<Item = &'s Policy> + 's {
        self.policies
            .iter()
            .filter(move |p| p.table.same_relation(table))
    }

    /// Whether `role` holds `privilege` on a table (directly or through
    /// PUBLIC), and whether that rests on the assumed default grants.
    pub fn table_reach(&self, table: &Table, role: &str, privilege: Privilege) -> Reach {
        reach(&table.grants, &table.explicit_grants, role, privilege)
    }
}

/// Whether `role` holds `privilege` (itself or through PUBLIC), and
/// whether that answer rests on the assumed default grants: a grant is
/// assumed unless a holder of it (the role or PUBLIC) was set explicitly; a
/// missing grant is assumed unless the role itself was set explicitly (a
/// `revoke … from public` says nothing about what `anon` was given).
fn reach(grants: &Grants, explicit: &BTreeSet<String>, role: &str, privilege: Privilege) -> Reach {
    let holds = |r: &str| grants.get(r).is_some_and(|p| p.contains(&privilege));
    let granted = holds(role) || holds("public");
    let assumed = if granted {
        !((holds(role) && explicit.contains(role))
            || (holds("public") && explicit.contains("public")))
    } else {
        !explicit.contains(role)
    };
    Reach { granted, assumed }
}

/// Whether `path` is a Supabase migration: a file directly in a
/// `supabase/migrations` folder whose name is a version (digits), `_`, a
/// name, and `.sql` — the files `supabase db push` applies
/// (`20240101120000_init.sql`). A `TEMPLATE.sql` or `README.sql` beside
/// them is not one.
pub fn is_migration(path: &std::path::Path) -> bool {
    let in_folder = path
        .parent()
        .is_some_and(|d| d.ends_with("supabase/migrations"));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let versioned = name.split_once('_').is_some_and(|(version, _)| {
        !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())
    });
    in_folder && versioned && name.ends_with(".sql")
}

/// Orders SQL files as migrations run: `supabase/migrations/<timestamp>_<name>.sql`
/// sorted by file name first, then every other `.sql` file sorted by path.
/// Returns indices into `paths`.
pub fn migration_order(paths: &[PathBuf]) -> Vec<usize> {
    let is_migration = |p: &PathBuf| is_migration(p);
    let mut migrations: Vec<usize> = (0..paths.len())
        .filter(|&i| is_migration(&paths[i]))
        .collect();
    migrations.sort_by(|&a, &b| {
        paths[a]
            .file_name()
            .cmp(&paths[b].file_name())
            .then(paths[a].cmp(&paths[b]))
    });
    let mut others: Vec<usize> = (0..paths.len())
        .filter(|&i| !is_migration(&paths[i]))
        .collect();
    others.sort_by(|&a, &b| paths[a].cmp(&paths[b]));
    migrations.extend(others);
    migrations
}

mod builder;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_versioned_files_in_supabase_migrations_are_migrations() {
        use std::path::Path;
        assert!(is_migration(Path::new(
            "supabase/migrations/20240101120000_init.sql"
        )));
        assert!(is_migration(Path::new("/x/supabase/migrations/001_a.sql")));
        assert!(!is_migration(Path::new("supabase/migrations/TEMPLATE.sql")));
        assert!(!is_migration(Path::new("supabase/migrations/_draft.sql")));
        assert!(!is_migration(Path::new("supabase/migrations/v1_init.sql")));
        assert!(!is_migration(Path::new("supabase/seed.sql")));
        assert!(!is_migration(Path::new("db/migrations/001_a.sql")));
    }

    #[test]
    fn migrations_first_by_file_name_then_the_rest_by_path() {
        let paths: Vec<PathBuf> = [
            "schema.sql",
            "supabase/migrations/20240102_b.sql",
            "db/seed.sql",
            "supabase/migrations/20240101_a.sql",
            "apps/api/supabase/migrations/20230101_z.sql",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let order: Vec<&str> = migration_order(&paths)
            .into_iter()
            .map(|i| paths[i].to_str().unwrap())
            .collect();
        assert_eq!(
            order,
            [
                "apps/api/supabase/migrations/20230101_z.sql",
                "supabase/migrations/20240101_a.sql",
                "supabase/migrations/20240102_b.sql",
                "db/seed.sql",
                "schema.sql",
            ]
        );
    }

    fn schema_of(sql: &str) -> Schema {
        use crate::analysis::workspace::{SqlSource, SqlWorkspace};
        let source = SqlSource::new(
            PathBuf::from("supabase/migrations/1.sql"),
            PathBuf::from("/1.sql"),
            sql.into(),
        );
        SqlWorkspace::build(vec![source], &Settings::default()).schema
    }

    #[test]
    fn reach_says_what_it_rests_on() {
        let s = schema_of("create table t (id int);\nrevoke all on t from public;");
        let t = &s.tables[0];
        assert_eq!(
            s.table_reach(t, "anon", Privilege::Select),
            Reach {
                granted: true,
                assumed: true
            }
        );
        let s = schema_of(
            "create table t (id int);\nrevoke all on t from anon;\ngrant select on t to anon;",
        );
        let t = &s.tables[0];
        assert_eq!(
            s.table_reach(t, "anon", Privilege::Select),
            Reach {
                granted: true,
                assumed: false
            }
        );
        assert_eq!(
            s.table_reach(t, "anon", Privilege::Insert),
            Reach {
                granted: false,
                assumed: false
            }
        );
        assert_eq!(
            s.table_reach(t, "authenticated", Privilege::Insert),
            Reach {
                granted: true,
                assumed: true
            }
        );
    }
}
