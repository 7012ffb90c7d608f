//! Cross-file facts: what the analysis of one file needs to know about the
//! others. Today that is the SQL schema model, built from every `.sql` file
//! of the workspace in migration order.
//!
//! The front ends build a [`Workspace`] (the command line from the files
//! under the project root, the language server from the workspace folder
//! plus open documents) with [`Workspace::from_sql`] and hand it to each
//! file's analysis through
//! [`FileContext::with_workspace`](super::FileContext::with_workspace).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::sql::model::{migration_order, Schema, Settings, SqlFile};
use crate::analysis::sql::statements::{self, Statement};
use crate::config::Config;

/// One SQL file of the workspace, split and parsed.
#[derive(Debug, Clone)]
pub struct SqlSource {
    /// The path as the front end names it (for the CLI, relative to the
    /// current folder; for the server, relative to the workspace root).
    pub path: PathBuf,
    /// The absolute, canonical path, to match files across front-end
    /// spellings; equal to `path` when it cannot be resolved.
    pub key: PathBuf,
    /// The text.
    pub text: Arc<str>,
    /// Its statements ([`statements::parse`]).
    pub statements: Arc<Vec<Statement>>,
}

impl SqlSource {
    /// Splits and parses `text`.
    pub fn new(path: PathBuf, key: PathBuf, text: Arc<str>) -> SqlSource {
        let statements = Arc::new(statements::parse(&text));
        SqlSource {
            path,
            key,
            text,
            statements,
        }
    }
}

/// The SQL side of a workspace: every SQL file, in migration order, and the
/// schema model built from them.
#[derive(Debug, Default)]
pub struct SqlWorkspace {
    /// The files in migration order; [`Schema::files`] and every
    /// [`Loc`](crate::analysis::sql::model::Loc) index into this list.
    pub files: Vec<SqlSource>,
    /// The model.
    pub schema: Schema,
    /// Whether any file is Supabase-facing
    /// ([`is_supabase_file`](crate::analysis::sql::is_supabase_file)): the
    /// project has Supabase's Data API in front of its tables.
    pub supabase: bool,
}

impl SqlWorkspace {
    /// Orders `sources` as migrations run (see
    /// [`migration_order`](crate::analysis::sql::model::migration_order)) and
    /// builds one schema model from all of them. [`Workspace::from_sql`]
    /// decides which files go together.
    pub fn build(sources: Vec<SqlSource>, settings: &Settings) -> SqlWorkspace {
        SqlWorkspace::build_in_order(in_migration_order(sources), settings)
    }

    /// Builds one schema model from `files`, replayed in the order given.
    pub fn build_in_order(files: Vec<SqlSource>, settings: &Settings) -> SqlWorkspace {
        let inputs: Vec<SqlFile<'_>> = files
            .iter()
            .map(|f| SqlFile {
                path: f.path.clone(),
                text: &f.text,
                statements: &f.statements,
            })
            .collect();
        let schema = Schema::build(&inputs, settings);
        let supabase = files
            .iter()
            .any(|f| crate::analysis::sql::is_supabase_file(&f.path, &f.text));
        SqlWorkspace {
            files,
            schema,
            supabase,
        }
    }

    #[cfg(test)]
    fn exposed_schemas_for_test(&self) -> &[String] {
        &self.schema.exposed_schemas
    }

    /// The index of the file whose canonical path is `key`.
    pub fn file_index(&self, key: &Path) -> Option<usize> {
        self.files.iter().position(|f| f.key == key)
    }
}

pub use crate::analysis::sql::model::is_migration;

/// `sources` in [`migration_order`].
fn in_migration_order(sources: Vec<SqlSource>) -> Vec<SqlSource> {
    let paths: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
    let order = migration_order(&paths);
    let mut slots: Vec<Option<SqlSource>> = sources.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The migrations of a project that does not follow Supabase's layout:
/// `[sql] migrations` in `moat.toml` (see [`SqlConfig`](crate::config::SqlConfig)),
/// gitignore-style patterns relative to the folder of `moat.toml`.
#[derive(Debug, Clone)]
pub struct SqlMigrations {
    /// The project folder, canonical (like [`SqlSource::key`]).
    root: PathBuf,
    /// The patterns, rooted at `root`.
    matcher: ignore::gitignore::Gitignore,
}

impl SqlMigrations {
    /// The configured migrations, relative to the configuration's root (the
    /// folder of `moat.toml`), else to `fallback_root` (the language
    /// server's workspace folder, for settings that came from the client
    /// alone). `None` when the setting is absent or there is no root.
    /// Invalid patterns are left out (they are reported when the
    /// configuration is read).
    pub fn from_config(config: &Config, fallback_root: Option<&Path>) -> Option<SqlMigrations> {
        let patterns = config.sql.migrations.as_ref()?;
        let root = key_of(config.root.as_deref().or(fallback_root)?);
        let mut builder = ignore::gitignore::GitignoreBuilder::new(&root);
        for pattern in patterns {
            let _ = builder.add_line(None, pattern);
        }
        let matcher = builder
            .build()
            .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty());
        Some(SqlMigrations { root, matcher })
    }

    /// Whether the file whose canonical path is `key` is a migration.
    pub fn matches(&self, key: &Path) -> bool {
        crate::config::matches_below_root(&self.matcher, key, false)
    }
}

/// Compares paths component by component in natural order: runs of digits
/// compare as numbers (`2_b.sql` before `10_c.sql`; zero-padded versions and
/// timestamps sort as they would as text), everything else byte by byte.
fn natural_path_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    let mut a_parts = a.components();
    let mut b_parts = b.components();
    loop {
        match (a_parts.next(), b_parts.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = natural_cmp(
                    &x.as_os_str().to_string_lossy(),
                    &y.as_os_str().to_string_lossy(),
                )
                .then_with(|| x.cmp(&y));
                if ord.is_ne() {
                    return ord;
                }
            }
        }
    }
}

/// Natural order of two names (see [`natural_path_cmp`]); names that differ
/// only in leading zeros compare equal here.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let zeros = |s: &[u8]| s.iter().take_while(|&&c| c == b'0').count();
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    while let (Some(&c), Some(&d)) = (x.first(), y.first()) {
        if c.is_ascii_digit() && d.is_ascii_digit() {
            let (n, m) = (digits(x), digits(y));
            let p = &x[zeros(&x[..n])..n];
            let q = &y[zeros(&y[..m])..m];
            let ord = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
            if ord.is_ne() {
                return ord;
            }
            (x, y) = (&x[n..], &y[m..]);
        } else {
            if c != d {
                return c.cmp(&d);
            }
            (x, y) = (&x[1..], &y[1..]);
        }
    }
    x.len().cmp(&y.len())
}

/// Everything cross-file the analysis of one file may consult.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// The SQL models (see [`Workspace::from_sql`]): the migrations' first;
    /// empty when the front end built none.
    pub sql: Vec<Arc<SqlWorkspace>>,
    /// The JS/TS files, their manifests and the route model; `None` when
    /// the front end built none (a file is then judged alone).
    pub js: Option<Arc<crate::analysis::javascript::project::JsProject>>,
}

impl Workspace {
    /// Groups a workspace's SQL files into the databases they describe and
    /// builds a schema model per group, with projects in Supabase's layout
    /// only: [`Workspace::from_sql_with`] without configured migrations.
    pub fn from_sql(
        sources: Vec<SqlSource>,
        settings_for: &dyn Fn(Option<&Path>) -> Settings,
    ) -> Workspace {
        Workspace::from_sql_with(sources, None, settings_for)
    }

    /// Groups a workspace's SQL files into the databases they describe and
    /// builds a schema model per group. `configured` gives the migrations
    /// of a project configured in `moat.toml`, if any; `settings_for` gives
    /// the model's settings for a project folder (`None` for files outside
    /// any project).
    ///
    /// - A Supabase project is a folder holding `supabase/migrations/*.sql`.
    ///   Its migrations form one model, replayed in migration order: that is
    ///   the database `supabase db push` builds. Projects are kept apart (a
    ///   monorepo, or a folder of examples, holds several).
    /// - With `[sql] migrations` configured ([`SqlMigrations`]), the files
    ///   under its folder that match are the migrations of one project
    ///   rooted there, replayed in natural path order (digit runs compare as
    ///   numbers); they replace the Supabase migrations of that folder (a
    ///   Supabase project nested deeper keeps its own).
    /// - Every other `.sql` file inside a project (a seed, a script, a schema
    ///   dump or consolidated copy, a test) is judged as if run once against
    ///   that project's migrated database: its model is the migrations
    ///   followed by that file alone. Its findings then concern what it
    ///   creates or changes, and it never changes what the migrations' own
    ///   findings say.
    /// - SQL files outside any project are grouped by folder, each folder's
    ///   files in path order (`schema.sql` and `policies.sql` side by side
    ///   describe one database).
    ///
    /// Files are placed by their canonical path (`SqlSource::key`).
    pub fn from_sql_with(
        sources: Vec<SqlSource>,
        configured: Option<&SqlMigrations>,
        settings_for: &dyn Fn(Option<&Path>) -> Settings,
    ) -> Workspace {
        let supabase_project = |s: &SqlSource| -> Option<PathBuf> {
            if !is_migration(&s.key) && !is_migration(&s.path) {
                return None;
            }
            Some(s.key.parent()?.parent()?.parent()?.to_path_buf())
        };
        let project_of_migration = |s: &SqlSource| -> Option<PathBuf> {
            match configured {
                Some(m) if s.key.starts_with(&m.root) => {
                    if m.matches(&s.key) {
                        return Some(m.root.clone());
                    }
                    supabase_project(s).filter(|r| *r != m.root && r.starts_with(&m.root))
                }
                _ => supabase_project(s),
            }
        };
        let mut projects: Vec<(PathBuf, Vec<SqlSource>)> = Vec::new();
        let mut others = Vec::new();
        for source in sources {
            match project_of_migration(&source) {
                Some(root) => match projects.iter_mut().find(|(r, _)| *r == root) {
                    Some((_, files)) => files.push(source),
                    None => projects.push((root, vec![source])),
                },
                None => others.push(source),
            }
        }
        for (root, files) in &mut projects {
            if configured.is_some_and(|m| m.root == *root) {
                files.sort_by(|a, b| natural_path_cmp(&a.key, &b.key));
            } else {
                *files = in_migration_order(std::mem::take(files));
            }
        }
        let mut sql = Vec::new();
        for (root, migrations) in &projects {
            sql.push(Arc::new(SqlWorkspace::build_in_order(
                migrations.clone(),
                &settings_for(Some(root)),
            )));
        }
        let mut loose: Vec<(PathBuf, Vec<SqlSource>)> = Vec::new();
        for other in others {
            // The deepest project folder holding the file.
            let project = projects
                .iter()
                .filter(|(root, _)| other.key.starts_with(root))
                .max_by_key(|(root, _)| root.components().count());
            match project {
                Some((root, migrations)) => {
                    let mut files = migrations.clone();
                    files.push(other);
                    sql.push(Arc::new(SqlWorkspace::build_in_order(
                        files,
                        &settings_for(Some(root)),
                    )));
                }
                None => {
                    let folder = other
                        .key
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_default();
                    match loose.iter_mut().find(|(f, _)| *f == folder) {
                        Some((_, files)) => files.push(other),
                        None => loose.push((folder, vec![other])),
                    }
                }
            }
        }
        for (_, files) in loose {
            sql.push(Arc::new(SqlWorkspace::build(files, &settings_for(None))));
        }
        Workspace { sql, js: None }
    }

    /// The model holding the file whose canonical path is `key`, and the
    /// file's index in it.
    pub fn sql_file(&self, key: &Path) -> Option<(&SqlWorkspace, usize)> {
        self.sql
            .iter()
            .find_map(|ws| Some((&**ws, ws.file_index(key)?)))
    }
}

/// The route model's settings from the configuration's `[auth]` table.
pub fn auth_settings(config: &Config) -> crate::analysis::javascript::project::AuthSettings {
    crate::analysis::javascript::project::AuthSettings {
        middleware: config.auth.middleware.clone(),
        public_routes: config.auth.public_routes.clone(),
        sensitive_paths: config.auth.sensitive_paths.clone(),
    }
}

/// Reads the `package.json` manifests at or above the folders of `keys`
/// (canonical paths of JS/TS files), up to `root` when given, and the
/// lockfile next to each or in a folder above it. Front-end support: this
/// does I/O; unreadable or invalid manifests are left out.
pub fn load_manifests(
    keys: &[PathBuf],
    root: Option<&Path>,
) -> Vec<crate::analysis::javascript::project::Manifest> {
    use crate::analysis::javascript::project::Manifest;
    use std::collections::HashSet;
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    for key in keys {
        for dir in key.ancestors().skip(1) {
            if let Some(root) = root {
                if !dir.starts_with(root) {
                    break;
                }
            }
            if !seen.insert(dir.to_path_buf()) {
                break;
            }
            let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
                continue;
            };
            let lock = dir
                .ancestors()
                .take_while(|d| root.is_none_or(|r| d.starts_with(r)))
                .find_map(|d| {
                    [
                        "package-lock.json",
                        "npm-shrinkwrap.json",
                        "yarn.lock",
                        "pnpm-lock.yaml",
                    ]
                    .iter()
                    .find_map(|name| {
                        std::fs::read_to_string(d.join(name))
                            .ok()
                            .map(|t| (*name, t))
                    })
                });
            if let Some(m) = Manifest::parse(
                dir.to_path_buf(),
                &text,
                lock.as_ref().map(|(n, t)| (*n, t.as_str())),
            ) {
                out.push(m);
            }
        }
    }
    out
}

/// The schema model's settings for a project: exposed schemas from the
/// configuration, else from `supabase/config.toml` under `root` (its `[api]
/// schemas`), else `public`; default grants as configured (assumed on).
/// A `supabase/config.toml` that cannot be read or parsed is ignored.
pub fn sql_settings(config: &Config, root: Option<&Path>) -> Settings {
    let exposed = config.sql.exposed_schemas.clone().or_else(|| {
        let text = std::fs::read_to_string(root?.join("supabase/config.toml")).ok()?;
        exposed_schemas_from_supabase_config(&text)
    });
    Settings {
        exposed_schemas: exposed.unwrap_or_else(|| vec!["public".to_string()]),
        default_api_grants: config.sql.default_api_grants.unwrap_or(true),
    }
}

/// The `[api] schemas` list of a `supabase/config.toml`, if it has one.
pub fn exposed_schemas_from_supabase_config(text: &str) -> Option<Vec<String>> {
    let value: toml::Table = toml::from_str(text).ok()?;
    let schemas = value.get("api")?.get("schemas")?.as_array()?;
    Some(
        schemas
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
    )
}

/// Canonicalizes `path` when it exists, else returns it unchanged.
pub fn key_of(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_and_other_sql_files_are_separate_models() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let ws = Workspace::from_sql(
            vec![
                src("supabase/migrations/001_a.sql", "create table t (id int);"),
                src(
                    "supabase/schema_dump.sql",
                    "create table if not exists t (id int);\ncreate table u (id int);",
                ),
                src(
                    "supabase/zz_policies.sql",
                    "alter table t enable row level security;",
                ),
            ],
            &|_| Settings::default(),
        );
        assert_eq!(ws.sql.len(), 3);
        let (migrations, i) = ws
            .sql_file(Path::new("supabase/migrations/001_a.sql"))
            .unwrap();
        assert_eq!((migrations.files.len(), i), (1, 0));
        assert!(
            !migrations.schema.tables[0].rls.enabled,
            "the copies are not applied to the migrations"
        );
        // Each other file runs alone after the migrations.
        let (dump, i) = ws.sql_file(Path::new("supabase/schema_dump.sql")).unwrap();
        assert_eq!((dump.files.len(), i), (2, 1));
        assert_eq!(dump.schema.tables.len(), 2);
        assert_eq!(
            dump.schema.tables[0].created.file, 0,
            "t is the migrations' table"
        );
        assert!(!dump.schema.tables[0].rls.enabled);
        let (policies, _) = ws.sql_file(Path::new("supabase/zz_policies.sql")).unwrap();
        assert!(policies.schema.tables[0].rls.enabled);
        assert!(ws.sql_file(Path::new("nope.sql")).is_none());
    }

    #[test]
    fn projects_are_kept_apart_and_loose_files_grouped_by_folder() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let ws = Workspace::from_sql(
            vec![
                src(
                    "/r/apps/a/supabase/migrations/1_a.sql",
                    "create table t (id int);",
                ),
                src(
                    "/r/apps/b/supabase/migrations/1_b.sql",
                    "create table t (id int); alter table t enable row level security;",
                ),
                src("/r/apps/a/supabase/seed.sql", "insert into t values (1);"),
                src("/r/db/schema.sql", "create table s (id int);"),
                src(
                    "/r/db/policies.sql",
                    "alter table s enable row level security;",
                ),
                src("/r/other/x.sql", "create table x (id int);"),
            ],
            &|root| Settings {
                exposed_schemas: vec![if root.is_some() {
                    "public".into()
                } else {
                    "loose".into()
                }],
                ..Settings::default()
            },
        );
        let model = |p: &str| ws.sql_file(Path::new(p)).unwrap().0;
        assert_eq!(
            model("/r/apps/a/supabase/migrations/1_a.sql").files.len(),
            1
        );
        assert!(
            !model("/r/apps/a/supabase/migrations/1_a.sql").schema.tables[0]
                .rls
                .enabled
        );
        assert!(
            model("/r/apps/b/supabase/migrations/1_b.sql").schema.tables[0]
                .rls
                .enabled
        );
        assert_eq!(model("/r/apps/a/supabase/seed.sql").files.len(), 2);
        // db/schema.sql and db/policies.sql describe one database (path order).
        let db = model("/r/db/schema.sql");
        assert_eq!(db.files.len(), 2);
        assert_eq!(db.exposed_schemas_for_test(), ["loose"]);
        assert_eq!(model("/r/other/x.sql").files.len(), 1);
    }

    fn configured(patterns: &[&str], root: &str) -> SqlMigrations {
        let config = Config {
            root: Some(PathBuf::from(root)),
            sql: crate::config::SqlConfig {
                migrations: Some(patterns.iter().map(|p| p.to_string()).collect()),
                ..Default::default()
            },
            ..Config::default()
        };
        SqlMigrations::from_config(&config, None).unwrap()
    }

    #[test]
    fn configured_migrations_form_one_project() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let sources = || {
            vec![
                src(
                    "/r/db/migrations/002_b.sql",
                    "alter table t enable row level security;",
                ),
                src("/r/db/migrations/001_a.sql", "create table t (id int);"),
                src("/r/db/seed.sql", "insert into t values (1);"),
                src(
                    "/r/scripts/fix.sql",
                    "alter table t disable row level security;",
                ),
            ]
        };
        let migrations = configured(&["db/migrations/*.sql"], "/r");
        let ws = Workspace::from_sql_with(sources(), Some(&migrations), &|root| {
            assert_eq!(root, Some(Path::new("/r")), "all files are the project's");
            Settings::default()
        });
        assert_eq!(ws.sql.len(), 3);
        let (db, i) = ws
            .sql_file(Path::new("/r/db/migrations/002_b.sql"))
            .unwrap();
        let order: Vec<&str> = db.files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(
            order,
            ["/r/db/migrations/001_a.sql", "/r/db/migrations/002_b.sql"]
        );
        assert_eq!(i, 1);
        assert!(db.schema.tables[0].rls.enabled);
        // Every other file runs alone after the migrations, whatever its path.
        for other in ["/r/db/seed.sql", "/r/scripts/fix.sql"] {
            let (model, i) = ws.sql_file(Path::new(other)).unwrap();
            assert_eq!((model.files.len(), i), (3, 2), "{other}");
            assert_eq!(model.files[0].path, Path::new("/r/db/migrations/001_a.sql"));
        }
        let (fix, _) = ws.sql_file(Path::new("/r/scripts/fix.sql")).unwrap();
        assert!(!fix.schema.tables[0].rls.enabled);

        // Without the setting they are loose files, grouped by folder.
        let ws = Workspace::from_sql(sources(), &|root| {
            assert_eq!(root, None);
            Settings::default()
        });
        assert_eq!(ws.sql.len(), 3);
        let (migrations, _) = ws
            .sql_file(Path::new("/r/db/migrations/001_a.sql"))
            .unwrap();
        assert_eq!(migrations.files.len(), 2);
        let (seed, i) = ws.sql_file(Path::new("/r/db/seed.sql")).unwrap();
        assert_eq!((seed.files.len(), i), (1, 0));
    }

    #[test]
    fn configured_migrations_in_natural_path_order() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let paths = [
            "/r/prisma/migrations/10_c/migration.sql",
            "/r/prisma/migrations/2_b/migration.sql",
            "/r/prisma/migrations/1_a/migration.sql",
            "/r/prisma/migrations/1_a/down.sql",
            "/r/prisma/migrations/0003_x/migration.sql",
        ];
        let migrations = configured(&["prisma/migrations/*/migration.sql"], "/r");
        let ws = Workspace::from_sql_with(
            paths.iter().map(|p| src(p, "select 1;")).collect(),
            Some(&migrations),
            &|_| Settings::default(),
        );
        let (model, _) = ws.sql_file(Path::new(paths[0])).unwrap();
        let order: Vec<&str> = model
            .files
            .iter()
            .map(|f| f.path.to_str().unwrap())
            .collect();
        assert_eq!(
            order,
            [
                "/r/prisma/migrations/1_a/migration.sql",
                "/r/prisma/migrations/2_b/migration.sql",
                "/r/prisma/migrations/0003_x/migration.sql",
                "/r/prisma/migrations/10_c/migration.sql",
            ]
        );
        let (down, i) = ws
            .sql_file(Path::new("/r/prisma/migrations/1_a/down.sql"))
            .unwrap();
        assert_eq!((down.files.len(), i), (5, 4));
        assert_eq!(natural_cmp("a10", "a9"), std::cmp::Ordering::Greater);
        assert_eq!(
            natural_cmp("20240101_x", "20231231_y"),
            std::cmp::Ordering::Greater
        );
        assert_eq!(natural_cmp("b", "a1"), std::cmp::Ordering::Greater);
        assert_eq!(natural_cmp("a", "a1"), std::cmp::Ordering::Less);
    }

    #[test]
    fn configured_migrations_replace_the_root_supabase_layout_only() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let migrations = configured(&["db/*.sql", "!db/*_draft.sql"], "/r");
        let ws = Workspace::from_sql_with(
            vec![
                src("/r/db/1_a.sql", "create table t (id int);"),
                src("/r/db/2_draft.sql", "select 1;"),
                src("/r/supabase/migrations/1_s.sql", "select 2;"),
                src("/r/apps/x/supabase/migrations/1_x.sql", "select 3;"),
                src("/r/apps/x/seed.sql", "select 4;"),
                src("/elsewhere/supabase/migrations/1_e.sql", "select 5;"),
            ],
            Some(&migrations),
            &|_| Settings::default(),
        );
        let model = |p: &str| ws.sql_file(Path::new(p)).unwrap();
        assert_eq!(model("/r/db/1_a.sql").0.files.len(), 1);
        // Excluded by `!`, and Supabase's layout at the configured folder:
        // other files of the configured project.
        assert_eq!(model("/r/db/2_draft.sql").0.files.len(), 2);
        assert_eq!(model("/r/supabase/migrations/1_s.sql").0.files.len(), 2);
        // A Supabase project nested deeper, or outside, keeps its own.
        assert_eq!(
            model("/r/apps/x/supabase/migrations/1_x.sql").0.files.len(),
            1
        );
        let (seed, i) = model("/r/apps/x/seed.sql");
        assert_eq!((seed.files.len(), i), (2, 1));
        assert_eq!(
            seed.files[0].path,
            Path::new("/r/apps/x/supabase/migrations/1_x.sql")
        );
        assert_eq!(
            model("/elsewhere/supabase/migrations/1_e.sql")
                .0
                .files
                .len(),
            1
        );
    }

    #[test]
    fn supabase_config_schemas() {
        let text = "[api]\nenabled = true\nport = 54321\nschemas = [\"public\", \"graphql_public\", \"api\"]\n";
        assert_eq!(
            exposed_schemas_from_supabase_config(text),
            Some(vec![
                "public".to_string(),
                "graphql_public".to_string(),
                "api".to_string()
            ])
        );
        assert_eq!(
            exposed_schemas_from_supabase_config("[db]\nport = 1\n"),
            None
        );
        assert_eq!(exposed_schemas_from_supabase_config("not toml ["), None);
    }

    #[test]
    fn files_are_ordered_as_migrations() {
        let src =
            |p: &str, t: &str| SqlSource::new(PathBuf::from(p), PathBuf::from(p), Arc::from(t));
        let ws = SqlWorkspace::build(
            vec![
                src("seed.sql", "select 1;"),
                src(
                    "supabase/migrations/002_b.sql",
                    "alter table t enable row level security;",
                ),
                src("supabase/migrations/001_a.sql", "create table t (id int);"),
            ],
            &Settings::default(),
        );
        let order: Vec<&str> = ws.files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(
            order,
            [
                "supabase/migrations/001_a.sql",
                "supabase/migrations/002_b.sql",
                "seed.sql"
            ]
        );
        assert_eq!(ws.file_index(Path::new("seed.sql")), Some(2));
        assert_eq!(ws.files[0].statements.len(), 1);
        assert!(ws.schema.tables[0].rls.enabled);
        let plain = SqlWorkspace::build(
            vec![src("b.sql", "select 1;"), src("a.sql", "select 2;")],
            &Settings::default(),
        );
        let order: Vec<&str> = plain
            .files
            .iter()
            .map(|f| f.path.to_str().unwrap())
            .collect();
        assert_eq!(order, ["a.sql", "b.sql"]);
    }
}
