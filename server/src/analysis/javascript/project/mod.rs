//! The JavaScript/TypeScript side of a workspace: every JS/TS file's
//! [`facts`], the `package.json` manifests above them, and how files import
//! each other. The route model ([`super::routes`]) and the rules that look
//! past one file (a router mounted in another file, a module imported by a
//! `'use client'` component, the jsonwebtoken version a project pins) read
//! it through [`FileContext::js_project`](crate::analysis::FileContext::js_project).
//!
//! Files are known by their key (canonical absolute path). Relative imports
//! are resolved against the keys of the files in the project, without any
//! I/O: `./routes/admin` finds `routes/admin.ts`, `routes/admin/index.js`,
//! or `routes/admin.ts` written as `./routes/admin.js` (TypeScript's ESM
//! style).

pub mod facts;

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::language::Language;

pub use facts::FileFacts;

/// One JS/TS file of the workspace.
#[derive(Debug, Clone)]
pub struct JsFile {
    /// The path as the front end names it (relative to the current folder
    /// or the workspace root).
    pub path: PathBuf,
    /// The canonical absolute path.
    pub key: PathBuf,
    /// The file's language.
    pub language: Language,
    /// What the file contributes.
    pub facts: FileFacts,
}

impl JsFile {
    /// Parses `text` and extracts its facts. A file tree-sitter cannot
    /// parse gives empty facts.
    pub fn new(path: PathBuf, key: PathBuf, language: Language, text: &str) -> JsFile {
        let facts = crate::language::parse(language, text, None)
            .map(|tree| facts::extract(text, tree.root_node()))
            .unwrap_or_default();
        JsFile {
            path,
            key,
            language,
            facts,
        }
    }

    /// Extracts the facts of `text` from its syntax tree `tree`, already
    /// parsed (an open document's): no second parse.
    pub fn from_tree(
        path: PathBuf,
        key: PathBuf,
        language: Language,
        text: &str,
        tree: &tree_sitter::Tree,
    ) -> JsFile {
        JsFile {
            path,
            key,
            language,
            facts: facts::extract(text, tree.root_node()),
        }
    }
}

/// One `package.json` and what its lockfile pins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The canonical folder holding the `package.json`.
    pub dir: PathBuf,
    /// `dependencies`, `devDependencies` and `peerDependencies` merged:
    /// package name → version range as written.
    pub dependencies: BTreeMap<String, String>,
    /// Exact versions from the lockfile next to it (or in a folder above),
    /// for the packages in [`WATCHED_PACKAGES`].
    pub locked: BTreeMap<String, String>,
}

/// Packages whose locked version a rule needs.
pub const WATCHED_PACKAGES: &[&str] = &["jsonwebtoken", "express-jwt"];

impl Manifest {
    /// Reads a `package.json`'s text; `None` when it is not a JSON object.
    /// `lockfile` is the text of `package-lock.json`, `yarn.lock` or
    /// `pnpm-lock.yaml` if one was found (the name tells the format).
    pub fn parse(dir: PathBuf, text: &str, lockfile: Option<(&str, &str)>) -> Option<Manifest> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        let mut dependencies = BTreeMap::new();
        for field in ["dependencies", "devDependencies", "peerDependencies"] {
            if let Some(deps) = object.get(field).and_then(|d| d.as_object()) {
                for (name, version) in deps {
                    if let Some(v) = version.as_str() {
                        dependencies
                            .entry(name.clone())
                            .or_insert_with(|| v.to_string());
                    }
                }
            }
        }
        let mut locked = BTreeMap::new();
        if let Some((name, lock)) = lockfile {
            for package in WATCHED_PACKAGES {
                if let Some(v) = locked_version(name, lock, package) {
                    locked.insert(package.to_string(), v);
                }
            }
        }
        Some(Manifest {
            dir,
            dependencies,
            locked,
        })
    }

    /// The version of `package`: the locked one when known, else the range
    /// written in `package.json`.
    pub fn version_of(&self, package: &str) -> Option<&str> {
        self.locked
            .get(package)
            .or_else(|| self.dependencies.get(package))
            .map(String::as_str)
    }

    /// Whether the package depends on `package`.
    pub fn depends_on(&self, package: &str) -> bool {
        self.dependencies.contains_key(package)
    }
}

/// The exact version of `package` in a lockfile's text (`name` is the
/// lockfile's file name). Only the top-level install is read.
pub fn locked_version(name: &str, lock: &str, package: &str) -> Option<String> {
    match name {
        "package-lock.json" | "npm-shrinkwrap.json" => {
            let value: serde_json::Value = serde_json::from_str(lock).ok()?;
            let v2 = value
                .get("packages")
                .and_then(|p| p.get(format!("node_modules/{package}")))
                .and_then(|p| p.get("version"));
            let v1 = || {
                value
                    .get("dependencies")
                    .and_then(|d| d.get(package))
                    .and_then(|p| p.get("version"))
            };
            v2.or_else(v1)?.as_str().map(str::to_string)
        }
        "yarn.lock" => {
            // `jsonwebtoken@^8.5.1:` or `"jsonwebtoken@npm:^9", ...:` then
            // an indented `version "8.5.1"` (v1) or `version: 8.5.1` (berry).
            let mut in_entry = false;
            for line in lock.lines() {
                if !line.starts_with(' ') && !line.is_empty() {
                    let head = line.trim_start_matches('"');
                    in_entry = head.starts_with(&format!("{package}@"));
                } else if in_entry {
                    let t = line.trim();
                    if let Some(v) = t.strip_prefix("version") {
                        return Some(
                            v.trim_start_matches(':')
                                .trim()
                                .trim_matches('"')
                                .to_string(),
                        );
                    }
                }
            }
            None
        }
        "pnpm-lock.yaml" => {
            // `/jsonwebtoken@8.5.1:` (v6+), `/jsonwebtoken/8.5.1:` (v5), or
            // `jsonwebtoken@9.0.2:` (v9).
            for line in lock.lines() {
                let t = line
                    .trim()
                    .trim_start_matches('/')
                    .trim_matches(['\'', '"']);
                for sep in ['@', '/'] {
                    if let Some(rest) = t.strip_prefix(&format!("{package}{sep}")) {
                        let v: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                            .collect();
                        if v.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                            return Some(v);
                        }
                    }
                }
            }
            None
        }
        _ => None,
    }
}

/// The JS/TS side of a workspace.
#[derive(Debug, Default)]
pub struct JsProject {
    /// Every JS/TS file, in a fixed order (by key). Shared: the language
    /// server rebuilds the project on an edit from the facts it keeps,
    /// without copying them.
    pub files: Vec<Arc<JsFile>>,
    /// Every `package.json` found above the files, by folder.
    pub manifests: Vec<Manifest>,
    /// Settings the route rules use.
    pub settings: AuthSettings,
    by_key: HashMap<PathBuf, usize>,
    routes: OnceLock<super::routes::RouteModel>,
}

/// The `[auth]` settings of `moat.toml` the route model uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthSettings {
    /// Names of middleware or functions that authenticate the caller, in
    /// addition to the ones Moat recognises.
    pub middleware: Vec<String>,
    /// Paths that are public on purpose (exact, or a prefix ending in `*`).
    pub public_routes: Vec<String>,
    /// Path prefixes that hold sensitive data or actions, replacing the
    /// built-in list when not empty.
    pub sensitive_paths: Vec<String>,
}

impl JsProject {
    /// Builds the project from its files (owned or shared) and manifests.
    pub fn build(
        files: impl IntoIterator<Item = impl Into<Arc<JsFile>>>,
        manifests: Vec<Manifest>,
        settings: AuthSettings,
    ) -> JsProject {
        let mut files: Vec<Arc<JsFile>> = files.into_iter().map(Into::into).collect();
        files.sort_by(|a, b| a.key.cmp(&b.key));
        files.dedup_by(|a, b| a.key == b.key);
        let by_key = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.clone(), i))
            .collect();
        JsProject {
            files,
            manifests,
            settings,
            by_key,
            routes: OnceLock::new(),
        }
    }

    /// The index of the file with this key.
    pub fn file_index(&self, key: &Path) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The manifest of the nearest `package.json` at or above `key`'s
    /// folder.
    pub fn manifest_for(&self, key: &Path) -> Option<&Manifest> {
        self.manifests
            .iter()
            .filter(|m| key.starts_with(&m.dir))
            .max_by_key(|m| m.dir.components().count())
    }

    /// The file a relative import written in file `from` refers to, if it
    /// is in the project. Bare specifiers (packages) resolve to nothing;
    /// `@/x` and `~/x` are tried against the nearest manifest folder and its
    /// `src/`.
    pub fn resolve(&self, from: usize, specifier: &str) -> Option<usize> {
        let from_key = &self.files.get(from)?.key;
        let bases: Vec<PathBuf> = if specifier.starts_with("./") || specifier.starts_with("../") {
            vec![from_key.parent()?.join(specifier)]
        } else if let Some(rest) = specifier
            .strip_prefix("@/")
            .or_else(|| specifier.strip_prefix("~/"))
        {
            let root = self
                .manifest_for(from_key)
                .map(|m| m.dir.clone())
                .or_else(|| from_key.parent().map(Path::to_path_buf))?;
            vec![root.join(rest), root.join("src").join(rest)]
        } else {
            return None;
        };
        for base in bases {
            let base = normalize(&base);
            if let Some(i) = self.lookup(&base) {
                return Some(i);
            }
        }
        None
    }

    fn lookup(&self, base: &Path) -> Option<usize> {
        const EXTS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
        if let Some(&i) = self.by_key.get(base) {
            return Some(i);
        }
        let s = base.to_string_lossy();
        // `./x.js` written for `x.ts` (TypeScript ESM).
        let stem = ["js", "jsx", "mjs", "cjs"]
            .iter()
            .find_map(|e| s.strip_suffix(&format!(".{e}")))
            .map(PathBuf::from);
        for candidate_base in std::iter::once(base.to_path_buf()).chain(stem) {
            for ext in EXTS {
                let with_ext = PathBuf::from(format!("{}.{ext}", candidate_base.to_string_lossy()));
                if let Some(&i) = self.by_key.get(&with_ext) {
                    return Some(i);
                }
                if let Some(&i) = self
                    .by_key
                    .get(&candidate_base.join(format!("index.{ext}")))
                {
                    return Some(i);
                }
            }
        }
        None
    }

    /// The files that import file `index` (directly).
    pub fn importers_of(&self, index: usize) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&i| {
                self.files[i]
                    .facts
                    .imports
                    .iter()
                    .any(|imp| self.resolve(i, &imp.specifier) == Some(index))
            })
            .collect()
    }

    /// The files reachable from file `index` through relative imports
    /// (itself excluded).
    pub fn imported_closure(&self, index: usize) -> Vec<usize> {
        let mut seen = vec![false; self.files.len()];
        let mut stack = vec![index];
        let mut out = Vec::new();
        if let Some(s) = seen.get_mut(index) {
            *s = true;
        }
        while let Some(i) = stack.pop() {
            for imp in &self.files[i].facts.imports {
                if let Some(j) = self.resolve(i, &imp.specifier) {
                    if !seen[j] {
                        seen[j] = true;
                        out.push(j);
                        stack.push(j);
                    }
                }
            }
        }
        out
    }

    /// The route model, built on first use.
    pub fn routes(&self) -> &super::routes::RouteModel {
        self.routes
            .get_or_init(|| super::routes::RouteModel::build(self))
    }
}

/// `a/b/../c/./d` → `a/c/d`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, text: &str) -> JsFile {
        JsFile::new(key.into(), key.into(), Language::TypeScript, text)
    }

    #[test]
    fn resolves_relative_imports_and_index_files() {
        let p = JsProject::build(
            vec![
                file(
                    "/p/src/app.ts",
                    "import a from './routes/admin.js'; import u from './users';",
                ),
                file("/p/src/routes/admin.ts", ""),
                file("/p/src/users/index.ts", "import x from '@/lib/x';"),
                file("/p/src/lib/x.ts", ""),
            ],
            vec![Manifest {
                dir: "/p".into(),
                ..Manifest::default()
            }],
            AuthSettings::default(),
        );
        let app = p.file_index(Path::new("/p/src/app.ts")).unwrap();
        let admin = p.file_index(Path::new("/p/src/routes/admin.ts")).unwrap();
        let users = p.file_index(Path::new("/p/src/users/index.ts")).unwrap();
        let x = p.file_index(Path::new("/p/src/lib/x.ts")).unwrap();
        assert_eq!(p.resolve(app, "./routes/admin.js"), Some(admin));
        assert_eq!(p.resolve(app, "./users"), Some(users));
        assert_eq!(p.resolve(users, "@/lib/x"), Some(x));
        assert_eq!(p.resolve(app, "express"), None);
        assert_eq!(p.importers_of(admin), vec![app]);
        let mut closure = p.imported_closure(app);
        closure.sort();
        let mut expected = vec![admin, users, x];
        expected.sort();
        assert_eq!(closure, expected);
    }

    #[test]
    fn manifests_and_lockfiles() {
        let m = Manifest::parse(
            "/p".into(),
            r#"{"dependencies": {"jsonwebtoken": "^8.5.1"}, "devDependencies": {"vite": "5"}}"#,
            Some((
                "package-lock.json",
                r#"{"packages": {"node_modules/jsonwebtoken": {"version": "8.5.1"}}}"#,
            )),
        )
        .unwrap();
        assert_eq!(m.version_of("jsonwebtoken"), Some("8.5.1"));
        assert!(m.depends_on("vite"));
        assert_eq!(
            locked_version(
                "yarn.lock",
                "jsonwebtoken@^9.0.0:\n  version \"9.0.2\"\n",
                "jsonwebtoken"
            ),
            Some("9.0.2".into())
        );
        assert_eq!(
            locked_version(
                "pnpm-lock.yaml",
                "packages:\n  /jsonwebtoken@8.5.1:\n",
                "jsonwebtoken"
            ),
            Some("8.5.1".into())
        );
        assert_eq!(Manifest::parse("/p".into(), "[1]", None), None);
    }
}
