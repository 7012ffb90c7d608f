//! Files of the workspace as the language server knows them: read from disk
//! (scanned at start, refreshed when the client reports changes) and
//! overlaid with the open documents' current text. The SQL index and the
//! JS/TS index each keep their parsed form of every file in one of these.
//!
//! The lock is a `std::sync` mutex held only for short, synchronous work;
//! callers never hold it across an `.await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One file's parsed form and where its text came from.
#[derive(Clone, Debug)]
struct Entry<T> {
    item: T,
    /// The open document's version when the text comes from the editor;
    /// `None` when it was read from disk.
    open_version: Option<i32>,
}

/// Parsed files by canonical path, disk overlaid with open documents.
#[derive(Debug)]
pub struct Overlay<T> {
    entries: Mutex<HashMap<PathBuf, Entry<T>>>,
}

impl<T> Default for Overlay<T> {
    fn default() -> Self {
        Overlay {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Overlay<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Entry<T>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces files read from disk, as `(key, item)`; a file open
    /// in the editor keeps its editor text.
    pub fn set_from_disk(&self, items: impl IntoIterator<Item = (PathBuf, T)>) {
        let mut entries = self.lock();
        for (key, item) in items {
            if entries.get(&key).is_some_and(|e| e.open_version.is_some()) {
                continue;
            }
            entries.insert(
                key,
                Entry {
                    item,
                    open_version: None,
                },
            );
        }
    }

    /// Forgets a file that no longer exists on disk (unless it is open).
    pub fn remove_from_disk(&self, key: &Path) {
        let mut entries = self.lock();
        if entries.get(key).is_some_and(|e| e.open_version.is_none()) {
            entries.remove(key);
        }
    }

    /// Forgets every file under a folder deleted on disk (unless open):
    /// clients report a deleted folder as one event for the folder, not one
    /// per file. Returns whether anything was forgotten.
    pub fn remove_dir_from_disk(&self, dir: &Path) -> bool {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|key, e| e.open_version.is_some() || !key.starts_with(dir));
        entries.len() != before
    }

    /// Whether the open document `key` is already known at `version`.
    pub fn is_open_at(&self, key: &Path, version: i32) -> bool {
        self.lock()
            .get(key)
            .is_some_and(|e| e.open_version == Some(version))
    }

    /// Records an open document's parsed form at `version`; returns the
    /// form it replaces, if any.
    pub fn set_open(&self, key: PathBuf, item: T, version: i32) -> Option<T> {
        self.lock()
            .insert(
                key,
                Entry {
                    item,
                    open_version: Some(version),
                },
            )
            .map(|e| e.item)
    }

    /// A document was closed: its file goes back to `on_disk` (the parsed
    /// text on disk), or away when it is not on disk. Returns whether the
    /// file was open (and so anything changed).
    pub fn close(&self, key: &Path, on_disk: impl FnOnce() -> Option<T>) -> bool {
        if self
            .lock()
            .get(key)
            .is_none_or(|e| e.open_version.is_none())
        {
            return false;
        }
        // Read and parse outside the lock.
        let item = on_disk();
        let mut entries = self.lock();
        match item {
            Some(item) => {
                entries.insert(
                    key.to_path_buf(),
                    Entry {
                        item,
                        open_version: None,
                    },
                );
            }
            None => {
                entries.remove(key);
            }
        }
        true
    }

    /// Every file's parsed form.
    pub fn items(&self) -> Vec<T> {
        self.lock().values().map(|e| e.item.clone()).collect()
    }

    /// Every file's key.
    pub fn keys(&self) -> Vec<PathBuf> {
        self.lock().keys().cloned().collect()
    }

    /// Whether no file is known.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_documents_win_over_disk_until_closed() {
        let o: Overlay<&str> = Overlay::default();
        o.set_from_disk([(PathBuf::from("/w/a"), "disk")]);
        assert!(o.set_open(PathBuf::from("/w/a"), "editor", 1).is_some());
        assert!(o.is_open_at(Path::new("/w/a"), 1));
        o.set_from_disk([(PathBuf::from("/w/a"), "disk 2")]);
        assert_eq!(o.items(), vec!["editor"]);
        // A deleted folder keeps open documents, drops the rest.
        o.set_from_disk([(PathBuf::from("/w/d/b"), "b")]);
        assert!(o.remove_dir_from_disk(Path::new("/w/d")));
        assert!(!o.remove_dir_from_disk(Path::new("/w")));
        assert!(o.close(Path::new("/w/a"), || Some("disk 3")));
        assert_eq!(o.items(), vec!["disk 3"]);
        assert!(!o.close(Path::new("/w/a"), || None));
        o.remove_from_disk(Path::new("/w/a"));
        assert!(o.is_empty());
    }
}
