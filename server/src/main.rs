//! The `moat` binary: `moat lsp`, `moat check`, `moat rules`, `moat explain`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use moat::analysis::rule::{Rule, RULES};
use moat::cli::{self, CheckOptions, FailOn, Format};

/// Finds the backend security holes of web apps: Supabase/Postgres row level
/// security, Firebase security rules, JWT handling and more.
#[derive(Parser)]
#[command(name = "moat", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server over stdin/stdout.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Check files and folders (the current folder by default).
    ///
    /// Exits with 0 when nothing at or above --fail-on was found, 1 when
    /// something was, 2 on usage errors or when a file or folder could not
    /// be read. The JSON output is described in the README.
    Check {
        /// Files and folders to check.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Warning)]
        fail_on: FailOn,
        /// Use this moat.toml instead of the one at or above the folder that
        /// contains every path.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// List every rule with its default severity and summary.
    Rules {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule id, such as sql/rls-disabled.
        rule: String,
    },
    /// Print a file's syntax tree (for writing queries and rules).
    #[command(hide = true)]
    DebugTree { path: PathBuf },
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match args.command {
        Command::Lsp { .. } => {
            init_tracing_to_stderr();
            moat::lsp::run_stdio()
        }
        Command::Check {
            paths,
            format,
            fail_on,
            config,
        } => {
            init_tracing_to_stderr();
            cli::run_check(&CheckOptions {
                paths,
                format,
                fail_on,
                config,
            })
        }
        Command::Rules { json } => {
            if json {
                let rules: Vec<_> = RULES
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id,
                            "severity": r.default_severity.as_str(),
                            "summary": r.summary,
                            "docs": r.docs_url(),
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rules).unwrap_or_default()
                );
            } else {
                print_rule_lines(RULES);
            }
            0
        }
        Command::Explain { rule } => match moat::analysis::rule::find(&rule) {
            Some(r) => {
                print!("{}", r.docs_page());
                0
            }
            None => {
                // A domain (`moat explain sql`): its rules, one per line.
                let in_domain: Vec<&Rule> = RULES
                    .iter()
                    .copied()
                    .filter(|r| r.domain() == rule)
                    .collect();
                if in_domain.is_empty() {
                    eprintln!("moat: no rule {rule:?}; `moat rules` lists them");
                    return ExitCode::from(2);
                }
                print_rule_lines(&in_domain);
                println!("\n`moat explain <id>` shows a rule's page.");
                0
            }
        },
        Command::DebugTree { path } => debug_tree(&path),
    };
    ExitCode::from(code as u8)
}

fn init_tracing_to_stderr() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("MOAT_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn debug_tree(path: &std::path::Path) -> i32 {
    let Some(lang) = moat::language::Language::from_path(path) else {
        eprintln!("moat: {}: not a file kind Moat parses", path.display());
        return 2;
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("moat: {}: {e}", path.display());
            return 2;
        }
    };
    let Some(tree) = moat::language::parse(lang, &text, None) else {
        return 2;
    };
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let n = cursor.node();
        let field = cursor
            .field_name()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        if n.is_named() {
            let snippet: String = text[n.byte_range()]
                .chars()
                .take(40)
                .collect::<String>()
                .replace('\n', "⏎");
            println!(
                "{}{field}{} [{}..{}] {snippet:?}",
                "  ".repeat(depth),
                n.kind(),
                n.start_byte(),
                n.end_byte()
            );
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return 0;
            }
            depth -= 1;
        }
    }
}

/// Prints one line per rule: id, default severity, summary, in columns.
fn print_rule_lines(rules: &[&Rule]) {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules {
        println!(
            "{:width$}  {:7}  {}",
            r.id,
            r.default_severity.as_str(),
            r.summary
        );
    }
}
