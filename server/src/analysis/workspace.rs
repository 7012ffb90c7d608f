//! Cross-file facts: what the analysis of one file needs to know about the
//! others. Today that is the SQL schema model, built from every `.sql` file
//! of the workspace in migration order.
//!
//! The front ends build a [`Workspace`] (the command line from the files
//! under the project root, the language server from the workspace folder
//! plus open documents) and hand it to each file's analysis through
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
    /// Orders `sources` as migrations run and builds the schema model.
    ///
    /// When some files are Supabase migrations (`supabase/migrations/*.sql`),
    /// only those make up the model: other `.sql` files (seeds, schema
    /// dumps, consolidated copies, scratch queries) are not applied by
    /// `supabase db push`, and replaying them after the migrations would
    /// misstate the database. Such files are then analysed on their own.
    pub fn build(sources: Vec<SqlSource>, settings: &Settings) -> SqlWorkspace {
        let any_migration = sources.iter().any(|s| is_migration(&s.path));
        let sources: Vec<SqlSource> = if any_migration {
            sources
                .into_iter()
                .filter(|s| is_migration(&s.path))
                .collect()
        } else {
            sources
        };
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

    /// The index of the file whose canonical path is `key`.
    pub fn file_index(&self, key: &Path) -> Option<usize> {
        self.files.iter().position(|f| f.key == key)
    }
}

/// Whether `path` is a Supabase migration: a `.sql` file directly in a
/// `supabase/migrations` folder.
pub fn is_migration(path: &Path) -> bool {
    path.parent()
        .is_some_and(|d| d.ends_with("supabase/migrations"))
        && path.extension().is_some_and(|e| e == "sql")
}

/// Everything cross-file the analysis of one file may consult.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// The SQL files and schema model, when the front end built them.
    pub sql: Option<Arc<SqlWorkspace>>,
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
        // With migrations present, other SQL files are not part of the model.
        assert_eq!(
            order,
            [
                "supabase/migrations/001_a.sql",
                "supabase/migrations/002_b.sql"
            ]
        );
        assert_eq!(ws.file_index(Path::new("seed.sql")), None);
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
