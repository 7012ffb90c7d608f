//! Which files Moat looks at: `moat check` for its paths, and both front
//! ends for the SQL files of a workspace.
//!
//! Folders are walked with the `ignore` crate: `.gitignore`, `.ignore` and
//! git's exclude files are honoured (even outside a git repository), hidden
//! folders (`.git`, `.next`, ...) are skipped, and `node_modules` is always
//! skipped. Hidden files are walked: `.env` files are where secrets leak.
//! Symbolic links met inside a folder are not followed.
//!
//! Files with a grammar (TypeScript, JavaScript, SQL, Firebase rules) are
//! [`Collected::files`]; every other file is [`Collected::plain`], checked
//! for secrets, except files whose extension says they are binary (images,
//! fonts, archives, ...), which the walk leaves out without reading them.
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
    /// Files without a grammar, checked for secrets only, sorted by
    /// display path. Whether they are text is known once they are read.
    pub plain: Vec<PlainTarget>,
}

/// A file without a grammar to check for secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainTarget {
    /// The path as printed: relative to the current folder when inside it.
    pub path: PathBuf,
    /// The path to read, as the walk found it.
    pub read_path: PathBuf,
    /// Named on the command line (a binary or huge file is then warned
    /// about instead of passed over).
    pub named: bool,
}

/// Extensions of files that are never text: the walk does not read them.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "icns", "bmp", "tif", "tiff", "psd",
    "heic", "woff", "woff2", "ttf", "otf", "eot", "pdf", "zip", "gz", "tgz", "bz2", "xz", "zst",
    "7z", "rar", "jar", "war", "exe", "dll", "so", "dylib", "a", "o", "obj", "class", "wasm",
    "pyc", "mp3", "mp4", "m4a", "mov", "avi", "mkv", "webm", "wav", "ogg", "flac", "db", "sqlite",
    "sqlite3", "bin", "dat", "dmg", "iso", "node", "keystore", "jks", "p12", "pfx", "der",
];

/// Whether the walk leaves `path` out as binary, by its extension.
fn is_binary_by_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BINARY_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        || path.file_name().is_some_and(|n| n == ".DS_Store")
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
            if config.is_path_ignored(&matcher, &canon_root) || !seen.insert(canon_root) {
                continue;
            }
            match Language::from_path(root) {
                Some(language) => found.files.push(Target {
                    path: display_path(root, cwd),
                    read_path: root.clone(),
                    language,
                }),
                None => found.plain.push(PlainTarget {
                    path: display_path(root, cwd),
                    read_path: root.clone(),
                    named: true,
                }),
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
                if e.file_name() == "node_modules" || e.file_name() == ".git" {
                    return false;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if is_dir && e.file_name().to_string_lossy().starts_with('.') {
                    return false;
                }
                !(is_dir && config.is_dir_ignored(&matcher, &canonical(e.path())))
            }
        };
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .hidden(false)
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
            let language = Language::from_path(path);
            if language.is_none() && is_binary_by_name(path) {
                continue;
            }
            let canon = canonical(path);
            if config.is_path_ignored(&matcher, &canon) || !seen.insert(canon) {
                continue;
            }
            match language {
                Some(language) => found.files.push(Target {
                    path: display_path(path, cwd),
                    read_path: path.to_path_buf(),
                    language,
                }),
                None => found.plain.push(PlainTarget {
                    path: display_path(path, cwd),
                    read_path: path.to_path_buf(),
                    named: false,
                }),
            }
        }
        // Files the repository holds although a `.gitignore` matches them:
        // the walk skipped them, but they are committed (a `.env` added
        // before its ignore rule, or with `git add -f`).
        for rel in tracked_but_ignored(root) {
            let in_skipped_folder = rel.parent().is_some_and(|parent| {
                parent.components().any(|c| {
                    let name = c.as_os_str().to_string_lossy();
                    name.starts_with('.') || name == "node_modules"
                })
            });
            let path = root.join(&rel);
            if in_skipped_folder || !path.is_file() {
                continue;
            }
            let language = Language::from_path(&path);
            if language.is_none() && is_binary_by_name(&path) {
                continue;
            }
            let canon = canonical(&path);
            if config.is_path_ignored(&matcher, &canon) || !seen.insert(canon) {
                continue;
            }
            match language {
                Some(language) => found.files.push(Target {
                    path: display_path(&path, cwd),
                    read_path: path.clone(),
                    language,
                }),
                None => found.plain.push(PlainTarget {
                    path: display_path(&path, cwd),
                    read_path: path.clone(),
                    named: false,
                }),
            }
        }
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    found.plain.sort_by(|a, b| a.path.cmp(&b.path));
    found.errors.sort();
    found.errors.dedup();
    found
}

/// Whether a `.gitignore` covers the file at `path` (absolute): the
/// `.gitignore` files of its folder and of every folder above it, the
/// deeper ones first (as git reads them), up to the repository root (the
/// folder with `.git`, whose `.git/info/exclude` counts too) or, outside a
/// repository, up to `root`. The user's global excludes file does not
/// count: it does not travel with the repository. A file git tracks is
/// never covered, whatever the rules say: it is committed (asks `git
/// ls-files`, only when a rule matches).
pub fn gitignore_covers(path: &Path, root: Option<&Path>) -> bool {
    gitignore_matches(path, root) && !is_tracked(path)
}

/// Files under the folder `root` that git tracks although its ignore rules
/// match them (`git ls-files --cached --ignored --exclude-standard`), as
/// paths relative to `root`. Empty when git is not installed, `root` is
/// not inside a work tree, or git fails: then only the walk's view counts.
pub fn tracked_but_ignored(root: &Path) -> Vec<PathBuf> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--ignored",
            "--exclude-standard",
        ])
        .stderr(std::process::Stdio::null())
        .output();
    match output {
        Ok(out) if out.status.success() => out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(PathBuf::from)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether git tracks `path` (it is committed or staged, whatever the
/// ignore rules say). `false` when git is not installed or the file is not
/// in a work tree.
pub fn is_tracked(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(name)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether the `.gitignore` files (and `.git/info/exclude`) match `path`;
/// see [`gitignore_covers`].
fn gitignore_matches(path: &Path, root: Option<&Path>) -> bool {
    use ignore::gitignore::GitignoreBuilder;
    use ignore::Match;
    if !path.is_absolute() {
        return false;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        let mut files = vec![d.join(".gitignore")];
        let is_repo_root = d.join(".git").exists();
        if is_repo_root {
            files.push(d.join(".git/info/exclude"));
        }
        for file in files.iter().filter(|f| f.is_file()) {
            let mut builder = GitignoreBuilder::new(d);
            // A malformed line is left out; the others still count.
            let _ = builder.add(file);
            let Ok(matcher) = builder.build() else {
                continue;
            };
            match matcher.matched_path_or_any_parents(path, false) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        if is_repo_root || Some(d) == root {
            break;
        }
        dir = d.parent();
    }
    false
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
