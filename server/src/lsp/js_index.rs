//! The language server's view of every JavaScript/TypeScript file of the
//! workspace, for the project model (imports, routers mounted across files,
//! the route model): each file's facts, from disk (scanned at start,
//! refreshed when the client reports changes) overlaid with the open
//! documents' current text, plus the `package.json` manifests.
//!
//! Locks here are `std::sync` locks held only for short, synchronous work;
//! callers never hold them across an `.await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::analysis::javascript::project::{AuthSettings, JsFile, JsProject, Manifest};
use crate::analysis::workspace::key_of;
use crate::language::Language;

#[derive(Clone, Debug)]
struct Entry {
    file: JsFile,
    /// The open document's version when the facts come from the editor.
    open_version: Option<i32>,
}

/// Every JS/TS file of the workspace and the project built from them.
#[derive(Debug, Default)]
pub struct JsIndex {
    entries: Mutex<HashMap<PathBuf, Entry>>,
    manifests: Mutex<Vec<Manifest>>,
    project: RwLock<Option<Arc<JsProject>>>,
}

impl JsIndex {
    /// The project as last built; `None` before the first build.
    pub fn current(&self) -> Option<Arc<JsProject>> {
        self.project
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds or replaces files read from disk (keeping open documents'
    /// facts).
    pub fn set_from_disk(&self, files: Vec<JsFile>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for file in files {
            if entries
                .get(&file.key)
                .is_some_and(|e| e.open_version.is_some())
            {
                continue;
            }
            entries.insert(
                file.key.clone(),
                Entry {
                    file,
                    open_version: None,
                },
            );
        }
    }

    /// Replaces the manifests.
    pub fn set_manifests(&self, manifests: Vec<Manifest>) {
        *self.manifests.lock().unwrap_or_else(|e| e.into_inner()) = manifests;
    }

    /// The keys of every known file.
    pub fn keys(&self) -> Vec<PathBuf> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Forgets a file that no longer exists on disk (unless it is open).
    pub fn remove_from_disk(&self, abs: &Path) {
        let key = key_of(abs);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.get(&key).is_some_and(|e| e.open_version.is_none()) {
            entries.remove(&key);
        }
    }

    /// Forgets every file under a folder deleted on disk (unless open):
    /// clients report a deleted folder as one event for the folder, not
    /// one per file. Returns whether anything was forgotten.
    pub fn remove_dir_from_disk(&self, abs: &Path) -> bool {
        let dir = key_of(abs);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let before = entries.len();
        entries.retain(|key, e| e.open_version.is_some() || !key.starts_with(&dir));
        entries.len() != before
    }

    /// Records an open document's text at `version`. Returns whether its
    /// facts changed (a new file, or facts that differ from the last ones:
    /// an edit inside a handler body that changes nothing cross-file does
    /// not force a rebuild).
    pub fn set_open(
        &self,
        path: PathBuf,
        abs: &Path,
        language: Language,
        text: &str,
        version: i32,
    ) -> bool {
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
        let file = JsFile::new(path, key.clone(), language, text);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let changed = entries.get(&key).is_none_or(|e| e.file.facts != file.facts);
        entries.insert(
            key,
            Entry {
                file,
                open_version: Some(version),
            },
        );
        changed
    }

    /// A document was closed: its file goes back to the text on disk (or
    /// away). Returns whether anything changed.
    pub fn close(&self, path: PathBuf, abs: &Path, language: Language) -> bool {
        let key = key_of(abs);
        let on_disk = std::fs::read_to_string(abs).ok();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.get(&key).is_none_or(|e| e.open_version.is_none()) {
            return false;
        }
        match on_disk {
            Some(text) => {
                let file = JsFile::new(path, key.clone(), language, &text);
                entries.insert(
                    key,
                    Entry {
                        file,
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

    /// Rebuilds the project from every known file.
    pub fn rebuild(&self, settings: AuthSettings) -> Arc<JsProject> {
        let files: Vec<JsFile> = {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.values().map(|e| e.file.clone()).collect()
        };
        let manifests = self
            .manifests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let project = Arc::new(JsProject::build(files, manifests, settings));
        *self.project.write().unwrap_or_else(|e| e.into_inner()) = Some(project.clone());
        project
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_changes_are_detected_and_closing_reverts() {
        let index = JsIndex::default();
        let abs = Path::new("/nonexistent/w/app.ts");
        assert!(index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            "const x = 1;",
            1
        ));
        // Same facts (a body edit): no rebuild needed.
        assert!(!index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            "const x = 2;",
            2
        ));
        assert!(index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            "import express from 'express'; const app = express(); app.post('/x', h);",
            3
        ));
        let project = index.rebuild(AuthSettings::default());
        assert_eq!(project.routes().routes.len(), 1);
        assert!(index.close("app.ts".into(), abs, Language::TypeScript));
        assert!(index.keys().is_empty());
    }
}
