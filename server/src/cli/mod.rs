//! The command-line front end: `moat check` walks folders, checks files in
//! parallel with the same analysis the language server runs, and reports in
//! text, JSON or SARIF. Only this module knows about the terminal.

pub mod report;
pub mod sarif;
pub mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{self, rule, Finding, Severity};
use crate::config::{self, Config};
use crate::language::Language;

/// Output formats of `moat check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable findings with code frames.
    Text,
    /// One JSON object (see DESIGN.md, "Contracts").
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
    /// Always exit 0 when the check ran.
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
    /// An explicit `moat.toml`; otherwise the nearest one above the first path.
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
    /// How many files were analysed.
    pub files_checked: usize,
    /// Files that could not be read, with the reason.
    pub io_errors: Vec<(PathBuf, String)>,
}

/// Runs `moat check`: returns the process exit code (0 clean, 1 findings at
/// or above `--fail-on`, 2 on I/O or usage errors). Output goes to stdout;
/// I/O problems go to stderr.
pub fn run_check(opts: &CheckOptions) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    for p in &paths {
        if !p.exists() {
            eprintln!("moat: {}: no such file or folder", p.display());
            return 2;
        }
    }
    let result = check_paths(&paths, opts.config.as_deref(), &cwd);
    let result = match result {
        Ok(r) => r,
        Err(message) => {
            eprintln!("moat: {message}");
            return 2;
        }
    };
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
        eprintln!("moat: {}: {err}", path.display());
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
/// that cannot be read.
pub fn check_paths(
    paths: &[PathBuf],
    explicit_config: Option<&Path>,
    cwd: &Path,
) -> Result<CheckResult, String> {
    let config_path = match explicit_config {
        Some(p) => Some(p.to_path_buf()),
        None => paths.first().and_then(|p| config::find_config_file(p)),
    };
    let mut config = Config::default();
    let mut config_file: Option<CheckedFile> = None;
    if let Some(path) = &config_path {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root = path.parent().map(Path::to_path_buf);
        let (parsed, problems) = Config::parse(&text, root.as_deref());
        config = parsed;
        let (_, pattern_problems) = config.ignore_matcher(cwd);
        let findings: Vec<Finding> = problems
            .into_iter()
            .chain(pattern_problems)
            .map(|p| config_finding(&text, p))
            .collect();
        if !findings.is_empty() {
            config_file = Some(CheckedFile {
                path: display_path(path, cwd),
                text,
                findings,
            });
        }
    }

    let files = walk::collect_files(paths, &config, cwd);
    let mut checked: Vec<Result<CheckedFile, (PathBuf, String)>> = files
        .par_iter()
        .map(|(path, language)| check_file(path, *language, &config, cwd))
        .collect();
    let mut result = CheckResult {
        files_checked: files.len(),
        ..CheckResult::default()
    };
    for item in checked.drain(..) {
        match item {
            Ok(f) if !f.findings.is_empty() => result.files.push(f),
            Ok(_) => {}
            Err(e) => result.io_errors.push(e),
        }
    }
    if let Some(f) = config_file {
        result.files_checked += 1;
        result.files.push(f);
    }
    result.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(result)
}

/// Turns a configuration problem into a `moat/invalid-config` finding on the
/// configuration file (at its start when the problem has no location).
pub fn config_finding(text: &str, problem: config::ConfigProblem) -> Finding {
    let range = problem
        .range
        .unwrap_or(0..text.find('\n').unwrap_or(text.len()));
    Finding::new(&rule::INVALID_CONFIG, range, problem.message)
}

fn check_file(
    path: &Path,
    language: Language,
    config: &Config,
    cwd: &Path,
) -> Result<CheckedFile, (PathBuf, String)> {
    let display = display_path(path, cwd);
    let bytes = std::fs::read(path).map_err(|e| (display.clone(), e.to_string()))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let findings = analysis::analyze_text(&display, &text, language, config);
    Ok(CheckedFile {
        path: display,
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
