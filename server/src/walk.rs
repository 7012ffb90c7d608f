//! Which files Moat looks at: `moat check` for its paths, and both front
//! ends for the SQL files of a workspace.
//!
//! Folders are walked with the `ignore` crate: `.gitignore`, `.ignore` and
//! git's exclude files are honoured (even outside a git repository), hidden
//! files and folders are skipped, and `node_modules` is always skipped.
//! Symbolic links met inside a folder are not followed.
//!
//! Paths matching `ignore` in `moat.toml` are skipped, whether found in a
//! folder or named on the command line (hooks such as lint-staged pass
//! files one by one). A file named explicitly is checked even when a
//! `.gitignore` covers it, as long as Moat knows its kind.
//!
//! A file reached twice (`a.ts ./a.ts`, `. app`, or through a symbolic
//! link) is checked once: files are told apart by their canonical path.
//!
//! Nothing that cannot be read is passed over in silence: a folder that
//! cannot be listed, or a path that is neither a file nor a folder, is
//! returned as an error, so that the run does not look clean.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::display_path;
use crate::config::Config;
use crate::language::Language;

/// A file to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path as printed: relative to the current folder when inside it.
    pub path: PathBuf,
    /// The path to read, as the walk found it.
    pub read_path: PathBuf,
    pub language: Language,
}

/// What [`collect_files`] found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Files to check, sorted by display path, each once.
    pub files: Vec<Target>,
    /// Paths that could not be read (display path, reason).
    pub errors: Vec<(PathBuf, String)>,
    /// Files named explicitly whose kind Moat does not check (display path).
    pub unsupported: Vec<PathBuf>,
}

/// Files to check under `paths`, with the problems met on the way. `cwd`
/// is the process's current folder: relative paths are read from there and
/// printed relative to it.
pub fn collect_files(paths: &[PathBuf], config: &Config, cwd: &Path) -> Collected {
    let (matcher, _) = config.ignore_matcher(cwd);
    let matcher = Arc::new(matcher);
    let config = Arc::new(config.clone());
    let mut found = Collected::default();
    let mut seen = HashSet::new();
    for root in paths {
        let abs_root = cwd.join(root);
        let canon_root = match abs_root.canonicalize() {
            Ok(c) => c,
            Err(e) => {
                found.errors.push((display_path(root, cwd), e.to_string()));
                continue;
            }
        };
        let meta = match std::fs::metadata(&abs_root) {
            Ok(m) => m,
            Err(e) => {
                found.errors.push((display_path(root, cwd), e.to_string()));
                continue;
            }
        };
        if meta.is_file() {
            let Some(language) = Language::from_path(root) else {
                found.unsupported.push(display_path(root, cwd));
                continue;
            };
            if !config.is_path_ignored(&matcher, &canon_root) && seen.insert(canon_root) {
                found.files.push(Target {
                    path: display_path(root, cwd),
                    read_path: root.clone(),
                    language,
                });
            }
            continue;
        }
        if !meta.is_dir() {
            found.errors.push((
                display_path(root, cwd),
                "not a regular file or folder".to_string(),
            ));
            continue;
        }
        // The canonical path of an entry: the walk does not follow links,
        // so the canonical root joined with the rest is canonical.
        let canonical = {
            let root = root.clone();
            let canon_root = canon_root.clone();
            move |p: &Path| match p.strip_prefix(&root) {
                Ok(rest) => canon_root.join(rest),
                Err(_) => p.to_path_buf(),
            }
        };
        let filter = {
            let (config, matcher, canonical) = (config.clone(), matcher.clone(), canonical.clone());
            move |e: &ignore::DirEntry| {
                if e.depth() == 0 {
                    return true;
                }
                if e.file_name() == "node_modules" {
                    return false;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !(is_dir && config.is_dir_ignored(&matcher, &canonical(e.path())))
            }
        };
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .hidden(true)
            .filter_entry(filter)
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    if let Some((path, message)) = walk_error(&e) {
                        let path = path.map_or_else(|| root.clone(), Path::to_path_buf);
                        found.errors.push((display_path(&path, cwd), message));
                    }
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(language) = Language::from_path(path) else {
                continue;
            };
            let canon = canonical(path);
            if config.is_path_ignored(&matcher, &canon) || !seen.insert(canon) {
                continue;
            }
            found.files.push(Target {
                path: display_path(path, cwd),
                read_path: path.to_path_buf(),
                language,
            });
        }
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    found.errors.sort();
    found.errors.dedup();
    found
}

/// The path and reason of a walk error, or `None` for one that does not
/// stop a file from being checked (a malformed line in a `.gitignore`).
fn walk_error(e: &ignore::Error) -> Option<(Option<&Path>, String)> {
    use ignore::Error;
    match e {
        Error::WithPath { path, err } => {
            walk_error(err).map(|(inner, message)| (inner.or(Some(path.as_path())), message))
        }
        Error::WithDepth { err, .. } | Error::WithLineNumber { err, .. } => walk_error(err),
        Error::Partial(errors) => {
            // Several problems at once; keep the first that matters.
            errors.iter().find_map(walk_error)
        }
        Error::Loop { child, .. } => Some((
            Some(child.as_path()),
            "a symbolic link loops back to a folder above it".to_string(),
        )),
        Error::Io(io) => Some((None, io.to_string())),
        Error::Glob { .. } | Error::UnrecognizedFileType(_) | Error::InvalidDefinition => {
            tracing::warn!("{e}");
            None
        }
    }
}
