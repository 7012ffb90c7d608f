//! The language server's view of every SQL file of the workspace, for the
//! schema model: files on disk (scanned at start, refreshed when the client
//! reports changes) overlaid with the open documents' current text.
//!
//! Locks here are `std::sync` locks held only for short, synchronous work;
//! callers never hold them across an `.await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::analysis::sql::model::Settings;
use crate::analysis::workspace::{key_of, SqlMigrations, SqlSource, Workspace};

/// One SQL file known to the index.
#[derive(Clone, Debug)]
struct Entry {
    source: SqlSource,
    /// The open document's version when the text comes from the editor;
    /// `None` when it was read from disk.
    open_version: Option<i32>,
}

/// Every SQL file of the workspace and the model built from them.
#[derive(Debug, Default)]
pub struct SqlIndex {
    entries: Mutex<HashMap<PathBuf, Entry>>,
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

    /// Adds or replaces files read from disk (`(path relative to the root,
    /// absolute path, text)`), keeping the text of files open in the editor.
    pub fn set_from_disk(&self, files: Vec<SqlSource>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for source in files {
            if entries
                .get(&source.key)
                .is_some_and(|e| e.open_version.is_some())
            {
                continue;
            }
            entries.insert(
                source.key.clone(),
                Entry {
                    source,
                    open_version: None,
                },
            );
        }
    }

    /// Forgets a file that no longer exists on disk (unless it is open).
    pub fn remove_from_disk(&self, abs: &Path) {
        let key = key_of(abs);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.get(&key).is_some_and(|e| e.open_version.is_none()) {
            entries.remove(&key);
        }
    }

    /// Records an open document's text at `version`. Returns whether
    /// anything changed (a new file, or a new version).
    pub fn set_open(&self, path: PathBuf, abs: &Path, text: &str, version: i32) -> bool {
        let key = key_of(abs);
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries
                .get(&key)
                .is_some_and(|e| e.open_version == Some(version))
            {
                return false;
            }
        }
        // Parse outside the lock.
        let source = SqlSource::new(path, key.clone(), Arc::from(text));
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(
            key,
            Entry {
                source,
                open_version: Some(version),
            },
        );
        true
    }

    /// A document was closed: its file goes back to the text on disk (or
    /// away, when it is not on disk). Returns whether anything changed.
    pub fn close(&self, path: PathBuf, abs: &Path) -> bool {
        let key = key_of(abs);
        let on_disk = std::fs::read_to_string(abs).ok();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.get(&key).is_none_or(|e| e.open_version.is_none()) {
            return false;
        }
        match on_disk {
            Some(text) => {
                let source = SqlSource::new(path, key.clone(), Arc::from(text));
                entries.insert(
                    key,
                    Entry {
                        source,
                        open_version: None,
                    },
                );
            }
            None => {
                entries.remove(&key);
            }
        }
        true
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
        let sources: Vec<SqlSource> = {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.values().map(|e| e.source.clone()).collect()
        };
        let ws = Arc::new(Workspace::from_sql_with(sources, migrations, settings_for));
        *self.workspace.write().unwrap_or_else(|e| e.into_inner()) = ws.clone();
        ws
    }

    /// Whether the index holds no file.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
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
