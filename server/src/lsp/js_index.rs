//! The language server's view of every JavaScript/TypeScript file of the
//! workspace, for the project model (imports, routers mounted across files,
//! the route model): each file's facts, from disk (scanned at start,
//! refreshed when the client reports changes) overlaid with the open
//! documents' current text, plus the `package.json` manifests.
//!
//! Locks here are `std::sync` locks held only for short, synchronous work;
//! callers never hold them across an `.await`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::overlay::Overlay;
use crate::analysis::javascript::project::{AuthSettings, JsFile, JsProject, Manifest};
use crate::analysis::workspace::key_of;
use crate::language::Language;

/// Every JS/TS file of the workspace and the project built from them.
#[derive(Debug, Default)]
pub struct JsIndex {
    files: Overlay<Arc<JsFile>>,
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
        self.files
            .set_from_disk(files.into_iter().map(|f| (f.key.clone(), Arc::new(f))));
    }

    /// Replaces the manifests.
    pub fn set_manifests(&self, manifests: Vec<Manifest>) {
        *self.manifests.lock().unwrap_or_else(|e| e.into_inner()) = manifests;
    }

    /// The keys of every known file.
    pub fn keys(&self) -> Vec<PathBuf> {
        self.files.keys()
    }

    /// Forgets a file that no longer exists on disk (unless it is open).
    pub fn remove_from_disk(&self, abs: &Path) {
        self.files.remove_from_disk(&key_of(abs));
    }

    /// Forgets every file under a folder deleted on disk (unless open):
    /// clients report a deleted folder as one event for the folder, not
    /// one per file. Returns whether anything was forgotten.
    pub fn remove_dir_from_disk(&self, abs: &Path) -> bool {
        self.files.remove_dir_from_disk(&key_of(abs))
    }

    /// Records an open document's text at `version`, with its syntax tree
    /// when the caller has one (the document's own: the text is then not
    /// parsed again). Returns whether its facts changed (a new file, or
    /// facts that differ from the last ones; facts hold byte ranges, so most
    /// edits change them).
    pub fn set_open(
        &self,
        path: PathBuf,
        abs: &Path,
        language: Language,
        text: &str,
        tree: Option<&tree_sitter::Tree>,
        version: i32,
    ) -> bool {
        let key = key_of(abs);
        if self.files.is_open_at(&key, version) {
            return false;
        }
        let file = match tree {
            Some(tree) => JsFile::from_tree(path, key.clone(), language, text, tree),
            None => JsFile::new(path, key.clone(), language, text),
        };
        let file = Arc::new(file);
        self.files
            .set_open(key, file.clone(), version)
            .is_none_or(|old| old.facts != file.facts)
    }

    /// A document was closed: its file goes back to the text on disk (or
    /// away). Returns whether anything changed.
    pub fn close(&self, path: PathBuf, abs: &Path, language: Language) -> bool {
        let key = key_of(abs);
        self.files.close(&key, || {
            let text = std::fs::read_to_string(abs).ok()?;
            Some(Arc::new(JsFile::new(path, key.clone(), language, &text)))
        })
    }

    /// Rebuilds the project from every known file.
    pub fn rebuild(&self, settings: AuthSettings) -> Arc<JsProject> {
        let files = self.files.items();
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
            None,
            1
        ));
        // Same facts (a body edit): no rebuild needed.
        assert!(!index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            "const x = 2;",
            None,
            2
        ));
        assert!(index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            "import express from 'express'; const app = express(); app.post('/x', h);",
            None,
            3
        ));
        // The document's own tree gives the same facts as a parse.
        let text = "import express from 'express'; const app = express(); app.post('/x', h);";
        let tree = crate::language::parse(Language::TypeScript, text, None).unwrap();
        assert!(!index.set_open(
            "app.ts".into(),
            abs,
            Language::TypeScript,
            text,
            Some(&tree),
            4
        ));
        let project = index.rebuild(AuthSettings::default());
        assert_eq!(project.routes().routes.len(), 1);
        assert!(index.close("app.ts".into(), abs, Language::TypeScript));
        assert!(index.keys().is_empty());
    }
}
