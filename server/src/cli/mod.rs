//! The command-line front end: `moat check` walks folders, checks files in
//! parallel with the same analysis the language server runs, and reports in
//! text, JSON or SARIF. Only this module knows about the terminal.

pub mod report;
pub mod sarif;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::javascript::project::{JsFile, JsProject};
use crate::analysis::workspace::{self, SqlSource, Workspace};
use crate::analysis::{self, Finding, Severity};
use crate::config::{self, Config};
use crate::language::Language;

/// Output formats of `moat check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable findings with code frames.
    Text,
    /// One JSON object: {"version": 1, "diagnostics", "summary", "errors"}
    /// (fields described in the README).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

/// The lowest severity that makes `moat check` exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Hint,
    /// Never exit with 1 for findings.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Hint => Some(Severity::Hint),
            FailOn::Never => None,
        }
    }
}

/// What `moat check` was asked to do.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Files and folders to check; the current folder when empty.
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub fail_on: FailOn,
    /// An explicit `moat.toml`; otherwise the nearest one at or above the
    /// folder that contains every path.
    pub config: Option<PathBuf>,
}

/// One checked file and its findings.
#[derive(Debug)]
pub struct CheckedFile {
    /// The path as printed: relative to the current folder when inside it.
    pub path: PathBuf,
    /// The file's text (kept for code frames and positions).
    pub text: String,
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct CheckResult {
    /// Files with findings, sorted by path.
    pub files: Vec<CheckedFile>,
    /// How many files were read and analysed (a file that could not be
    /// read is not counted).
    pub files_checked: usize,
    /// Files and folders that could not be read, with the reason.
    pub io_errors: Vec<(PathBuf, String)>,
    /// Files named explicitly whose kind Moat does not check.
    pub unsupported: Vec<PathBuf>,
}

/// The file kinds Moat checks, as told to a user who named another.
pub const KINDS: &str = ".ts .mts .cts .tsx .js .mjs .cjs .jsx .sql .rules, and every other text file up to 1 MiB for secrets";

/// Runs `moat check`: returns the process exit code (0 clean, 1 findings at
/// or above `--fail-on`, 2 on I/O or usage errors). Output goes to stdout;
/// I/O problems and warnings go to stderr.
pub fn run_check(opts: &CheckOptions) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    for p in &paths {
        // The real reason: a folder on the way may be unreadable, or a
        // file stand where a folder should.
        if let Err(e) = std::fs::metadata(p) {
            let reason = match (e.kind(), std::fs::symlink_metadata(p)) {
                (std::io::ErrorKind::NotFound, Ok(m)) if m.file_type().is_symlink() => {
                    "a symbolic link to nothing".to_string()
                }
                (std::io::ErrorKind::NotFound, _) => "no such file or folder".to_string(),
                _ => e.to_string(),
            };
            eprintln!("moat: {}: {reason}", report::escape_path(p));
            return 2;
        }
    }
    let result = check_paths(&paths, opts.config.as_deref(), &cwd);
    let result = match result {
        Ok(r) => r,
        Err(message) => {
            eprintln!("moat: {}", report::escape(&message, false));
            return 2;
        }
    };
    for path in &result.unsupported {
        eprintln!(
            "moat: {}: not a file kind Moat checks (binary, or text over 1 MiB; Moat checks {KINDS})",
            report::escape_path(path)
        );
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match opts.format {
        Format::Text => report::write_text(&mut out, &result, report::use_color()),
        Format::Json => report::write_json(&mut out, &result),
        Format::Sarif => sarif::write_sarif(&mut out, &result),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("moat: cannot write output: {e}");
            return 2;
        }
    }
    for (path, err) in &result.io_errors {
        eprintln!(
            "moat: {}: {}",
            report::escape_path(path),
            report::escape(err, false)
        );
    }
    if !result.io_errors.is_empty() {
        return 2;
    }
    let failing = opts.fail_on.threshold().is_some_and(|t| {
        result
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .any(|f| f.severity >= t)
    });
    i32::from(failing)
}

/// Loads the configuration that governs `paths`, checks every file they
/// hold, and returns the findings. `Err` only for an explicit `--config`
/// that cannot be read. `cwd` is the process's current folder.
///
/// Without `explicit_config`, the configuration is the `moat.toml` nearest
/// at or above the folder that contains every path (their common ancestor,
/// after resolving `.`, `..` and symbolic links), so it does not depend on
/// the order of the paths.
pub fn check_paths(
    paths: &[PathBuf],
    explicit_config: Option<&Path>,
    cwd: &Path,
) -> Result<CheckResult, String> {
    let config_path = match explicit_config {
        Some(p) => Some(p.to_path_buf()),
        None => common_ancestor(paths, cwd).and_then(|d| config::find_config_file(&d)),
    };
    let mut config = Config::default();
    let mut config_file: Option<CheckedFile> = None;
    if let Some(path) = &config_path {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration {}: {e}", path.display()))?;
        let text = strip_bom(text);
        // Canonical, like the paths the `ignore` patterns are matched with.
        let abs = cwd.join(path);
        let abs = abs.canonicalize().unwrap_or(abs);
        let name = path
            .file_name()
            .map_or_else(|| config::FILE_NAME.into(), |n| n.to_string_lossy());
        let (parsed, problems) = Config::parse_named(&text, abs.parent(), &name);
        config = parsed;
        let (_, pattern_problems) = config.ignore_matcher(cwd);
        let findings =
            config::findings(&text, problems.into_iter().chain(pattern_problems), &config);
        if !findings.is_empty() {
            config_file = Some(CheckedFile {
                path: display_path(path, cwd),
                text,
                findings,
            });
        }
    }

    let collected = crate::walk::collect_files(paths, &config, cwd);
    let root = project_root(config_path.as_deref(), paths, cwd);
    let workspace = project_workspace(root.as_deref(), &collected.files, &config, cwd);
    let checked: Vec<Result<CheckedFile, (PathBuf, String)>> = collected
        .files
        .par_iter()
        .map(|target| check_file(target, &config, &workspace))
        .collect();
    let mut result = CheckResult {
        io_errors: collected.errors,
        unsupported: collected.unsupported,
        ..CheckResult::default()
    };
    for item in checked {
        match item {
            Ok(f) => {
                result.files_checked += 1;
                if !f.findings.is_empty() {
                    result.files.push(f);
                }
            }
            Err(e) => result.io_errors.push(e),
        }
    }
    let plain: Vec<PlainOutcome> = collected
        .plain
        .par_iter()
        .map(|target| check_plain_file(target, &config, root.as_deref(), cwd))
        .collect();
    for (target, outcome) in collected.plain.iter().zip(plain) {
        match outcome {
            PlainOutcome::Checked(f) => {
                result.files_checked += 1;
                if !f.findings.is_empty() {
                    result.files.push(f);
                }
            }
            PlainOutcome::Skipped if target.named => result.unsupported.push(target.path.clone()),
            PlainOutcome::Skipped => {}
            PlainOutcome::Failed(e) => result.io_errors.push(e),
        }
    }
    if let Some(mut f) = config_file {
        // A moat.toml inside the checked folders was also read for secrets:
        // one file, counted once, its findings in one list.
        let key = config_path
            .as_deref()
            .map(|p| workspace::key_of(&cwd.join(p)));
        match collected
            .plain
            .iter()
            .find(|t| Some(workspace::key_of(&t.read_path)) == key)
        {
            Some(walked) => f.path = walked.path.clone(),
            None => result.files_checked += 1,
        }
        match result.files.iter_mut().find(|c| c.path == f.path) {
            Some(same) => {
                same.findings.extend(f.findings);
                same.findings.sort_by(|a, b| {
                    (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
                });
            }
            None => result.files.push(f),
        }
    }
    result.files.sort_by(|a, b| a.path.cmp(&b.path));
    result.io_errors.sort();
    Ok(result)
}

/// The deepest folder that contains every path (a file counts as its
/// folder), canonical; `None` when no path can be resolved.
fn common_ancestor(paths: &[PathBuf], cwd: &Path) -> Option<PathBuf> {
    let mut folders = paths.iter().filter_map(|p| {
        let c = cwd.join(p).canonicalize().ok()?;
        if c.is_dir() {
            Some(c)
        } else {
            c.parent().map(Path::to_path_buf)
        }
    });
    let mut common = folders.next()?;
    for folder in folders {
        while !folder.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    Some(common)
}

/// Removes a UTF-8 byte order mark from the start of `text`. Positions are
/// then counted in the text without it, as editors show it: a BOM is not
/// column 1.
fn strip_bom(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

/// Reads a file as text: lossy for bytes that are not UTF-8, without a BOM.
fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(strip_bom(text))
}

/// The folder whose SQL files make up the schema models: the folder of the
/// `moat.toml` in force when it holds the checked paths, else the git
/// repository above them, else their common ancestor.
fn project_root(config_path: Option<&Path>, paths: &[PathBuf], cwd: &Path) -> Option<PathBuf> {
    let common = common_ancestor(paths, cwd)?;
    // The configuration's folder, when it holds what is checked (an
    // explicit `--config` elsewhere, say in /tmp, names no project).
    if let Some(config_dir) = config_path.and_then(|c| {
        workspace::key_of(&cwd.join(c))
            .parent()
            .map(Path::to_path_buf)
    }) {
        if common.starts_with(&config_dir) {
            return Some(config_dir);
        }
    }
    let git_root = common
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf);
    Some(git_root.unwrap_or(common))
}

/// Reads and parses every SQL and JS/TS file under `root` (walked like the
/// checked paths: `.gitignore`, hidden files, `node_modules` and moat.toml's
/// `ignore` are skipped) plus the checked files, and builds the cross-file
/// models: the SQL schema models in migration order, and the JS project
/// (facts of every JS/TS file, the `package.json` manifests above them, the
/// route model). A kind with no checked file is not read at all. Unreadable
/// files are left out here (the check reports them).
fn project_workspace(
    root: Option<&Path>,
    checked: &[crate::walk::Target],
    config: &Config,
    cwd: &Path,
) -> Workspace {
    let wants_sql = checked.iter().any(|t| t.language == Language::Sql);
    let wants_js = checked.iter().any(|t| t.language.is_js_family());
    if !wants_sql && !wants_js {
        return Workspace::default();
    }
    let mut targets: Vec<crate::walk::Target> = match root {
        Some(root) => crate::walk::collect_files(&[root.to_path_buf()], config, cwd).files,
        None => Vec::new(),
    };
    targets.extend(checked.iter().cloned());
    targets.retain(|t| {
        (wants_sql && t.language == Language::Sql) || (wants_js && t.language.is_js_family())
    });
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(workspace::key_of(&t.read_path)));
    let (sql_targets, js_targets): (Vec<_>, Vec<_>) = targets
        .into_iter()
        .partition(|t| t.language == Language::Sql);
    let sources: Vec<SqlSource> = sql_targets
        .par_iter()
        .filter_map(|t| {
            let text = read_text(&t.read_path).ok()?;
            Some(SqlSource::new(
                t.path.clone(),
                workspace::key_of(&t.read_path),
                text.into(),
            ))
        })
        .collect();
    let migrations = workspace::SqlMigrations::from_config(config, root);
    let mut ws = Workspace::from_sql_with(sources, migrations.as_ref(), &|project| {
        workspace::sql_settings(config, project.or(root))
    });
    if wants_js {
        let files: Vec<JsFile> = js_targets
            .par_iter()
            .filter_map(|t| {
                let text = read_text(&t.read_path).ok()?;
                if crate::language::is_minified_js(&t.path, &text) {
                    return None;
                }
                Some(JsFile::new(
                    t.path.clone(),
                    workspace::key_of(&t.read_path),
                    t.language,
                    &text,
                ))
            })
            .collect();
        let keys: Vec<PathBuf> = files.iter().map(|f| f.key.clone()).collect();
        let manifests = workspace::load_manifests(&keys, root);
        ws.js = Some(std::sync::Arc::new(JsProject::build(
            files,
            manifests,
            workspace::auth_settings(config),
        )));
    }
    ws
}

fn check_file(
    target: &crate::walk::Target,
    config: &Config,
    workspace: &Workspace,
) -> Result<CheckedFile, (PathBuf, String)> {
    let key = workspace::key_of(&target.read_path);
    // A SQL file a model holds is analysed with the very text the model read.
    let text = match workspace.sql_file(&key) {
        Some((sql, i)) => sql.files[i].text.to_string(),
        None => read_text(&target.read_path).map_err(|e| (target.path.clone(), e.to_string()))?,
    };
    let findings = if target.language.is_js_family()
        && crate::language::is_minified_js(&target.path, &text)
    {
        analysis::analyze_plain_text(&target.path, &text, config, analysis::FileFacts::default())
    } else {
        analysis::analyze_text_in(
            &target.path,
            &text,
            target.language,
            config,
            Some((workspace, Some(&key))),
        )
    };
    Ok(CheckedFile {
        path: target.path.clone(),
        text,
        findings,
    })
}

/// What became of a file without a grammar.
enum PlainOutcome {
    Checked(CheckedFile),
    /// Binary, or over [`analysis::secrets::MAX_PLAIN_TEXT_BYTES`].
    Skipped,
    Failed((PathBuf, String)),
}

/// Checks a file without a grammar for secrets. A `.env` file is told
/// whether a `.gitignore` covers it (up to the repository root, or `root`).
fn check_plain_file(
    target: &crate::walk::PlainTarget,
    config: &Config,
    root: Option<&Path>,
    cwd: &Path,
) -> PlainOutcome {
    use analysis::secrets;
    let failed = |e: std::io::Error| PlainOutcome::Failed((target.path.clone(), e.to_string()));
    match std::fs::metadata(&target.read_path) {
        Ok(m) if m.len() > secrets::MAX_PLAIN_TEXT_BYTES as u64 => return PlainOutcome::Skipped,
        Ok(_) => {}
        Err(e) => return failed(e),
    }
    let bytes = match std::fs::read(&target.read_path) {
        Ok(b) => b,
        Err(e) => return failed(e),
    };
    if secrets::is_binary(&bytes) {
        return PlainOutcome::Skipped;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let text = strip_bom(text);
    let mut facts = analysis::FileFacts::default();
    if secrets::is_env_file(&target.read_path) {
        let abs = cwd.join(&target.read_path);
        let abs = abs.canonicalize().unwrap_or(abs);
        facts.gitignored = Some(crate::walk::gitignore_covers(&abs, root));
    }
    let findings = analysis::analyze_plain_text(&target.path, &text, config, facts);
    PlainOutcome::Checked(CheckedFile {
        path: target.path.clone(),
        text,
        findings,
    })
}

/// `path` relative to `cwd` when it is inside it, as given otherwise.
pub fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let abs = normalize(&abs);
    match abs.strip_prefix(normalize(cwd)) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

/// Removes `.` components and folds `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
