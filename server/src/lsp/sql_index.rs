//! The language server's view of every SQL file of the workspace, for the
//! schema model: files on disk (scanned at start, refreshed when the client
//! reports changes) overlaid with the open documents' current text.
//!
//! Locks here are `std::sync` locks held only for short, synchronous work;
//! callers never hold them across an `.await`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::overlay::Overlay;
use crate::analysis::sql::model::Settings;
use crate::analysis::workspace::{key_of, SqlMigrations, SqlSource, Workspace};

/// Every SQL file of the workspace and the model built from them.
#[derive(Debug, Default)]
pub struct SqlIndex {
    files: Overlay<SqlSource>,
    workspace: RwLock<Arc<Workspace>>,
}

impl SqlIndex {
    /// The workspace as last built.
    pub fn current(&self) -> Arc<Workspace> {
        self.workspace
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds or replaces files read from disk, keeping the text of files
    /// open in the editor.
    pub fn set_from_disk(&self, files: Vec<SqlSource>) {
        self.files
            .set_from_disk(files.into_iter().map(|s| (s.key.clone(), s)));
    }

    /// Forgets a file that no longer exists on disk (unless it is open).
    pub fn remove_from_disk(&self, abs: &Path) {
        self.files.remove_from_disk(&key_of(abs));
    }

    /// Forgets every file under a folder deleted on disk (unless open).
    /// Returns whether anything was forgotten.
    pub fn remove_dir_from_disk(&self, abs: &Path) -> bool {
        self.files.remove_dir_from_disk(&key_of(abs))
    }

    /// Records an open document's text at `version`. Returns whether
    /// anything changed (a new file, or a new version).
    pub fn set_open(&self, path: PathBuf, abs: &Path, text: &str, version: i32) -> bool {
        let key = key_of(abs);
        if self.files.is_open_at(&key, version) {
            return false;
        }
        // Parse outside the lock.
        let source = SqlSource::new(path, key.clone(), Arc::from(text));
        self.files.set_open(key, source, version);
        true
    }

    /// A document was closed: its file goes back to the text on disk (or
    /// away, when it is not on disk). Returns whether anything changed.
    pub fn close(&self, path: PathBuf, abs: &Path) -> bool {
        let key = key_of(abs);
        self.files.close(&key, || {
            let text = std::fs::read_to_string(abs).ok()?;
            Some(SqlSource::new(path, key.clone(), Arc::from(text)))
        })
    }

    /// Rebuilds the models from every known file and returns them;
    /// `migrations` are the configured migrations, if any, and
    /// `settings_for` gives a project folder's settings (see
    /// [`Workspace::from_sql_with`]).
    pub fn rebuild(
        &self,
        migrations: Option<&SqlMigrations>,
        settings_for: &dyn Fn(Option<&Path>) -> Settings,
    ) -> Arc<Workspace> {
        let sources = self.files.items();
        let ws = Arc::new(Workspace::from_sql_with(sources, migrations, settings_for));
        *self.workspace.write().unwrap_or_else(|e| e.into_inner()) = ws.clone();
        ws
    }

    /// Whether the index holds no file.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> SqlSource {
        SqlSource::new(
            PathBuf::from(path),
            PathBuf::from(format!("/w/{path}")),
            Arc::from(text),
        )
    }

    #[test]
    fn open_documents_override_disk_and_closing_reverts() {
        let index = SqlIndex::default();
        index.set_from_disk(vec![source("a.sql", "create table a (id int);")]);
        assert!(index.set_open(
            PathBuf::from("a.sql"),
            Path::new("/w/a.sql"),
            "create table b (id int);",
            1
        ));
        assert!(!index.set_open(
            PathBuf::from("a.sql"),
            Path::new("/w/a.sql"),
            "create table b (id int);",
            1
        ));
        // A disk refresh does not replace the open text.
        index.set_from_disk(vec![source("a.sql", "create table c (id int);")]);
        let ws = index.rebuild(None, &|_| Settings::default());
        let sql = &ws.sql[0];
        assert_eq!(&*sql.files[0].text, "create table b (id int);");
        // Closed, and not on disk (the test path does not exist): gone.
        assert!(index.close(PathBuf::from("a.sql"), Path::new("/w/a.sql")));
        assert!(index.is_empty());
    }
}
