//! Which files `moat check` looks at.
//!
//! Folders are walked with the `ignore` crate: `.gitignore`, `.ignore` and
//! git's exclude files are honoured (even outside a git repository), hidden
//! files and folders are skipped, and `node_modules` is always skipped.
//! Paths matching `ignore` in `moat.toml` are skipped. A file named
//! explicitly on the command line is checked even when an ignore file covers
//! it, as long as Moat knows its language.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::language::Language;

/// Files to check under `paths`, with their languages, sorted and without
/// duplicates. Unreadable folders are skipped silently (their files cannot
/// be checked, and `ignore` reports nothing useful about why).
pub fn collect_files(paths: &[PathBuf], config: &Config, cwd: &Path) -> Vec<(PathBuf, Language)> {
    let (ignored, _) = config.ignore_matcher(cwd);
    let is_ignored = |p: &Path, is_dir: bool| {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        let abs = abs.canonicalize().unwrap_or(abs);
        ignored
            .matched_path_or_any_parents(&abs, is_dir)
            .is_ignore()
    };
    let mut files = Vec::new();
    for root in paths {
        if root.is_file() {
            if let Some(lang) = Language::from_path(root) {
                files.push((root.clone(), lang));
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .hidden(true)
            .filter_entry(|e| e.file_name() != "node_modules")
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(lang) = Language::from_path(path) else {
                continue;
            };
            if config.ignore.is_empty() || !is_ignored(path, false) {
                files.push((path.to_path_buf(), lang));
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}
