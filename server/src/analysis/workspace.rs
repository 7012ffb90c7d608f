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
        let paths: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
        let order = migration_order(&paths);
        let mut slots: Vec<Option<SqlSource>> = sources.into_iter().map(Some).collect();
        let files: Vec<SqlSource> = order.into_iter().filter_map(|i| slots[i].take()).collect();
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

/// Everything cross-file the analysis of one file may consult.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// The SQL models (see [`Workspace::from_sql`]): the migrations' first;
    /// empty when the front end built none.
    pub sql: Vec<Arc<SqlWorkspace>>,
}

impl Workspace {
    /// Groups a workspace's SQL files into the databases they describe and
    /// builds a schema model per group. `settings_for` gives the model's
    /// settings for a Supabase project folder (`None` for files outside any
    /// project).
    ///
    /// - A Supabase project is a folder holding `supabase/migrations/*.sql`.
    ///   Its migrations form one model, replayed in migration order: that is
    ///   the database `supabase db push` builds. Projects are kept apart (a
    ///   monorepo, or a folder of examples, holds several).
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
    pub fn from_sql(
        sources: Vec<SqlSource>,
        settings_for: &dyn Fn(Option<&Path>) -> Settings,
    ) -> Workspace {
        let project_of_migration = |s: &SqlSource| -> Option<PathBuf> {
            if !is_migration(&s.key) && !is_migration(&s.path) {
                return None;
            }
            Some(s.key.parent()?.parent()?.parent()?.to_path_buf())
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
        let mut sql = Vec::new();
        for (root, migrations) in &projects {
            sql.push(Arc::new(SqlWorkspace::build(
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
                    sql.push(Arc::new(SqlWorkspace::build(
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
        Workspace { sql }
    }

    /// The model holding the file whose canonical path is `key`, and the
    /// file's index in it.
    pub fn sql_file(&self, key: &Path) -> Option<(&SqlWorkspace, usize)> {
        self.sql
            .iter()
            .find_map(|ws| Some((&**ws, ws.file_index(key)?)))
    }
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
