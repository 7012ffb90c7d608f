//! The language server: document sync, diagnostics (pushed with the document
//! version, or pulled), code actions (quick fixes and `source.fixAll.moat`),
//! hover on Firebase rules (who may do what on a path), secrets in any text
//! document the client opens (documents without a grammar included),
//! and configuration from `moat.toml` and the client. Only this module knows
//! LSP types.
//!
//! Concurrency: tower-lsp-server runs up to four handlers at once,
//! notifications included. Each `didChange` is applied to the document
//! before its handler's first `.await`, changes whose version is not newer
//! than the document's are dropped, and no DashMap guard is ever held across
//! an `.await`: handlers copy what they need (the rope and tree are cheap to
//! clone) and let the guard go.
//!
//! Publishing is debounced after edits and version-stamped: a publish runs
//! only if the document still has the version it was scheduled for, and all
//! publishes and the clear on close go through one lock, so nothing is
//! published for a closed document.

mod convert;
mod js_index;
mod overlay;
mod sql_index;
pub mod transport;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use futures::FutureExt;
use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error as RpcError, Result as RpcResult};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tree_sitter::Tree;

use crate::analysis::workspace::{self, key_of, SqlSource};
use crate::analysis::{self, FileContext, Finding};
use crate::config::{self, Config};
use crate::document::{Change, Document};
use crate::fix;
use crate::language::Language;
use crate::position::PositionEncoding;

pub use convert::{DiagnosticData, FixData, SOURCE};

/// How long after the last edit diagnostics are recomputed.
const DEBOUNCE: Duration = Duration::from_millis(60);

/// The code-action kind of Moat's fix-all.
pub const FIX_ALL_KIND: &str = "source.fixAll.moat";

/// Runs the server on stdin/stdout until the client sends `exit` (or closes
/// stdin). Returns the exit code the specification asks for: 0 when the
/// client sent `shutdown` first, 1 otherwise.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("moat: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let shut_down = runtime.block_on(async {
        let mut state = None;
        let (service, socket) = LspService::new(|client| {
            let backend = Backend::new(client);
            state = Some(backend.state.clone());
            backend
        });
        let (server_input, from_client) = tokio::io::duplex(1 << 16);
        tokio::spawn(transport::forward_valid_frames(
            tokio::io::stdin(),
            from_client,
            |dropped| {
                tracing::error!("dropping a malformed message from the client: {dropped:?}");
            },
        ));
        Server::new(server_input, tokio::io::stdout(), socket)
            .serve(service)
            .await;
        state.is_some_and(|s| s.shutdown_requested.load(Ordering::Relaxed))
    });
    // The stdin reader sits in a blocking read that never returns once the
    // client has sent `exit` without closing stdin: do not wait for it.
    runtime.shutdown_background();
    if shut_down {
        0
    } else {
        1
    }
}

/// Shared server state.
struct State {
    documents: DashMap<Uri, Document>,
    encoding: RwLock<PositionEncoding>,
    /// The workspace root: the first workspace folder, else `rootUri`.
    root: RwLock<Option<PathBuf>>,
    /// The effective configuration (moat.toml + client settings).
    config: RwLock<Arc<Config>>,
    /// `config.ignore` compiled, relative to the configuration's folder.
    ignore_matcher: RwLock<Arc<ignore::gitignore::Gitignore>>,
    /// The client's settings (`initializationOptions`, then
    /// `workspace/didChangeConfiguration`).
    client_settings: RwLock<Option<Value>>,
    /// The client pulls diagnostics (`textDocument/diagnostic`): do not push.
    client_pulls: AtomicBool,
    /// The client can be asked to re-pull (`workspace/diagnostic/refresh`).
    client_refreshes: AtomicBool,
    /// Serialises publishing so that a clear on close is never followed by a
    /// late publish for the closed document.
    publish_lock: tokio::sync::Mutex<()>,
    /// One slot per document: at most one publish of a document computes at
    /// a time, and a publish that waited for the slot while a later one was
    /// requested gives way to it (see [`PublishSlot`]).
    publish_slots: DashMap<Uri, Arc<PublishSlot>>,
    /// Every SQL file of the workspace (disk + open documents) and the
    /// schema model built from them.
    sql: sql_index::SqlIndex,
    /// Bumped on every rebuild of the SQL model; a SQL document's publish
    /// computed from an older model is dropped (a fresher one is always
    /// scheduled).
    sql_generation: std::sync::atomic::AtomicU64,
    /// Every JS/TS file of the workspace (disk + open documents) and the
    /// project model built from them.
    js: js_index::JsIndex,
    /// Bumped on every rebuild of the JS project; a JS document's publish
    /// computed from an older project is dropped.
    js_generation: std::sync::atomic::AtomicU64,
    /// Bumped on every configuration reload; a publish computed under an
    /// older configuration is dropped (a fresher one is always scheduled).
    config_generation: std::sync::atomic::AtomicU64,
    /// The client can register file watchers (`workspace/didChangeWatchedFiles`
    /// with dynamic registration): we ask it to watch `moat.toml`.
    client_watches: AtomicBool,
    /// The client accepts server-initiated work-done progress.
    client_progress: AtomicBool,
    /// The client sent `shutdown`: `exit` then ends the process with 0.
    shutdown_requested: AtomicBool,
}

/// The LSP backend.
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

/// What reloading the configuration found.
#[derive(Default)]
struct ConfigReport {
    /// The configuration now in force.
    config: Arc<Config>,
    /// `moat.toml` read from disk (not open in the editor): its path, text
    /// and problems.
    file_on_disk: Option<(PathBuf, String, Vec<config::ConfigProblem>)>,
    /// Problems in the client's settings.
    client_problems: Vec<config::ConfigProblem>,
}

/// Serialises the publishes of one document. Without it every debounced
/// publish ran its own analysis concurrently: typing at a steady pace in a
/// file whose analysis takes seconds (a 5 MB bundle) stacked one full
/// analysis per keystroke on the blocking pool (30 keystrokes: 70 s to the
/// final publish, 10 GB resident). Now a publish waits for the one in
/// progress and then runs only if no later publish of the document was
/// requested meanwhile (that one sees state at least as fresh).
#[derive(Default)]
struct PublishSlot {
    running: tokio::sync::Mutex<()>,
    /// The ticket of the latest publish requested.
    latest: std::sync::atomic::AtomicU64,
}

impl PublishSlot {
    /// Waits for the publish in progress, if any; `None` when a later
    /// publish was requested meanwhile (it does the work), else a guard
    /// held while this publish computes.
    async fn enter(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let ticket = self.latest.fetch_add(1, Ordering::SeqCst) + 1;
        let guard = self.running.lock().await;
        (self.latest.load(Ordering::SeqCst) == ticket).then_some(guard)
    }
}

/// A copy of what analysis needs from a document, taken under its guard.
struct Snapshot {
    rope: Rope,
    tree: Option<Tree>,
    language: Option<Language>,
    version: i32,
}

impl Backend {
    /// Creates the backend for a client connection.
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(State {
                documents: DashMap::new(),
                encoding: RwLock::new(PositionEncoding::Utf16),
                root: RwLock::new(None),
                config: RwLock::new(Arc::new(Config::default())),
                ignore_matcher: RwLock::new(Arc::new(ignore::gitignore::Gitignore::empty())),
                client_settings: RwLock::new(None),
                client_pulls: AtomicBool::new(false),
                client_refreshes: AtomicBool::new(false),
                publish_lock: tokio::sync::Mutex::new(()),
                publish_slots: DashMap::new(),
                config_generation: std::sync::atomic::AtomicU64::new(0),
                sql: sql_index::SqlIndex::default(),
                sql_generation: std::sync::atomic::AtomicU64::new(0),
                js: js_index::JsIndex::default(),
                js_generation: std::sync::atomic::AtomicU64::new(0),
                client_watches: AtomicBool::new(false),
                client_progress: AtomicBool::new(false),
                shutdown_requested: AtomicBool::new(false),
            }),
        }
    }

    fn encoding(&self) -> PositionEncoding {
        *self
            .state
            .encoding
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn config(&self) -> Arc<Config> {
        self.state
            .config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn root(&self) -> Option<PathBuf> {
        self.state
            .root
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.state.documents.get(uri)?;
        Some(Snapshot {
            rope: doc.rope.clone(),
            tree: doc.tree.clone(),
            language: doc.language,
            version: doc.version,
        })
    }

    /// The path of a document: relative to the workspace root when inside
    /// it; the URI's path for other schemes.
    fn path_of(&self, uri: &Uri) -> PathBuf {
        let path = uri
            .to_file_path()
            .map(|p| p.into_owned())
            .unwrap_or_else(|| PathBuf::from(uri.path().as_str()));
        match self.root() {
            Some(root) => path
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or(path),
            None => path,
        }
    }

    fn is_config_uri(uri: &Uri) -> bool {
        uri.path().as_str().rsplit('/').next() == Some(config::FILE_NAME)
    }

    /// Findings for a snapshot of `uri`, or the configuration problems when
    /// `uri` is a `moat.toml`. Runs under `catch_unwind`: a panic gives no
    /// findings and is logged.
    fn findings(&self, uri: &Uri, snap: &Snapshot) -> Vec<Finding> {
        let config = self.config();
        let path = self.path_of(uri);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if Self::is_config_uri(uri) {
                let text = snap.rope.to_string();
                let root = uri
                    .to_file_path()
                    .and_then(|p| p.parent().map(Path::to_path_buf));
                let (cfg, mut problems) = Config::parse(&text, root.as_deref());
                problems.extend(cfg.ignore_matcher(Path::new("/")).1);
                return config::findings(&text, problems, &config);
            }
            if !config.ignore.is_empty() {
                let matcher = self
                    .state
                    .ignore_matcher
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if uri
                    .to_file_path()
                    .is_some_and(|abs| config.is_path_ignored(&matcher, &abs))
                {
                    return Vec::new();
                }
            }
            let (Some(language), Some(tree)) = (snap.language, snap.tree.as_ref()) else {
                // No grammar (`.env`, YAML, Markdown, ...): checked for secrets.
                let text = snap.rope.to_string();
                return analysis::analyze_plain_text(&path, &text, &config, self.plain_facts(uri));
            };
            let text = snap.rope.to_string();
            let sql = self.state.sql.current();
            let key = match (language, uri.to_file_path()) {
                (Language::Sql, Some(abs)) => Some(key_of(&abs)),
                (l, Some(abs)) if l.is_js_family() => Some(key_of(&abs)),
                _ => None,
            };
            let workspace = analysis::workspace::Workspace {
                sql: sql.sql.clone(),
                js: if language.is_js_family() {
                    self.state.js.current()
                } else {
                    None
                },
            };
            let ctx = FileContext::new(&path, &text, tree, language)
                .with_workspace(&workspace, key.as_deref());
            analysis::analyze_file(&ctx, &config)
        }));
        result.unwrap_or_else(|_| {
            tracing::error!(uri = uri.as_str(), "analysis panicked");
            Vec::new()
        })
    }

    /// What the analysis of a document without a grammar needs from the
    /// file system: whether a `.gitignore` covers it, for `.env` files.
    fn plain_facts(&self, uri: &Uri) -> analysis::FileFacts {
        let mut facts = analysis::FileFacts::default();
        if let Some(abs) = uri.to_file_path() {
            if analysis::secrets::is_env_file(&abs) {
                let root = self.root();
                facts.gitignored = Some(crate::walk::gitignore_covers(&abs, root.as_deref()));
            }
        }
        facts
    }

    fn diagnostics(&self, uri: &Uri, snap: &Snapshot) -> Vec<Diagnostic> {
        let enc = self.encoding();
        self.findings(uri, snap)
            .iter()
            .map(|f| {
                convert::diagnostic(uri, &snap.rope, snap.version, f, enc, &|p| {
                    self.other_file(p)
                })
            })
            .collect()
    }

    /// Publishes diagnostics for `uri` if it is still open at `version`
    /// (any version when `None`). Does nothing for clients that pull.
    async fn publish(&self, uri: Uri, version: Option<i32>) {
        if self.state.client_pulls.load(Ordering::Relaxed) {
            return;
        }
        if version.is_some_and(|v| self.state.documents.get(&uri).map(|d| d.version) != Some(v)) {
            return; // A newer edit schedules its own publish.
        }
        let slot = self
            .state
            .publish_slots
            .entry(uri.clone())
            .or_default()
            .clone();
        let Some(_running) = slot.enter().await else {
            return; // A later publish of this document is waiting: it does the work.
        };
        let Some(snap) = self.snapshot(&uri) else {
            return;
        };
        if version.is_some_and(|v| v != snap.version) {
            return;
        }
        // A SQL document's text feeds the workspace's schema model: bring
        // the model up to date first, and re-check the other SQL documents
        // after this one when it changed.
        let sql_changed = if snap.language == Some(Language::Sql) {
            let backend = self.handle();
            let (uri2, text, version) = (uri.clone(), snap.rope.to_string(), snap.version);
            tokio::task::spawn_blocking(move || backend.refresh_sql_document(&uri2, &text, version))
                .await
                .unwrap_or(false)
        } else {
            false
        };
        // Likewise a JS/TS document's facts feed the project model (routers
        // mounted in other files, imports of 'use client' modules).
        let is_js = snap.language.is_some_and(Language::is_js_family);
        let js_changed = if is_js {
            let backend = self.handle();
            let (uri2, text, version) = (uri.clone(), snap.rope.to_string(), snap.version);
            let language = snap.language.unwrap_or(Language::TypeScript);
            // The document's own tree (a cheap handle): its facts are read
            // from it, not from a second parse.
            let tree = snap.tree.clone();
            tokio::task::spawn_blocking(move || {
                backend.refresh_js_document(&uri2, language, &text, tree.as_ref(), version)
            })
            .await
            .unwrap_or(false)
        } else {
            false
        };
        let is_sql = snap.language == Some(Language::Sql);
        let generation = self.state.config_generation.load(Ordering::SeqCst);
        let sql_generation = self.state.sql_generation.load(Ordering::SeqCst);
        let js_generation = self.state.js_generation.load(Ordering::SeqCst);
        // Analysis runs on the blocking pool, outside the publish lock, so a
        // slow file delays nobody else's diagnostics.
        let backend = self.handle();
        let analysed_uri = uri.clone();
        let diagnostics = match tokio::task::spawn_blocking(move || {
            let version = snap.version;
            (backend.diagnostics(&analysed_uri, &snap), version)
        })
        .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(uri = uri.as_str(), "analysis task failed: {e}");
                return;
            }
        };
        let (diagnostics, analysed_version) = diagnostics;
        let _guard = self.state.publish_lock.lock().await;
        // A newer edit, a close, or a configuration change happened while
        // analysing: a fresher publish follows (or none, after a close).
        if self.state.documents.get(&uri).map(|d| d.version) != Some(analysed_version)
            || self.state.config_generation.load(Ordering::SeqCst) != generation
            || (is_sql && self.state.sql_generation.load(Ordering::SeqCst) != sql_generation)
            || (is_js && self.state.js_generation.load(Ordering::SeqCst) != js_generation)
        {
            return;
        }
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(analysed_version))
            .await;
        drop(_guard);
        if sql_changed {
            self.republish_sql_documents(Some(&uri));
        }
        if js_changed {
            self.republish_documents(Some(&uri), |l| l.is_js_family());
        }
    }

    /// Records a JS/TS document's facts in the project index and rebuilds
    /// the project if they changed. Returns whether it did. Blocking work.
    fn refresh_js_document(
        &self,
        uri: &Uri,
        language: Language,
        text: &str,
        tree: Option<&Tree>,
        version: i32,
    ) -> bool {
        let Some(abs) = uri.to_file_path().map(|p| p.into_owned()) else {
            return false;
        };
        let changed =
            self.state
                .js
                .set_open(self.path_of(uri), &abs, language, text, tree, version);
        if changed || self.state.js.current().is_none() {
            self.rebuild_js();
        }
        changed
    }

    /// Rebuilds the JS project from the index with the current settings.
    fn rebuild_js(&self) {
        let config = self.config();
        self.state.js.rebuild(workspace::auth_settings(&config));
        self.state.js_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a SQL document's text in the workspace index and rebuilds the
    /// schema model if it changed. Returns whether it did. Blocking work.
    fn refresh_sql_document(&self, uri: &Uri, text: &str, version: i32) -> bool {
        let Some(abs) = uri.to_file_path().map(|p| p.into_owned()) else {
            return false;
        };
        if !self
            .state
            .sql
            .set_open(self.path_of(uri), &abs, text, version)
        {
            return false;
        }
        self.rebuild_sql();
        true
    }

    /// Rebuilds the schema model from the index with the current settings.
    fn rebuild_sql(&self) {
        let config = self.config();
        let root = self.root();
        let migrations = workspace::SqlMigrations::from_config(&config, root.as_deref());
        self.state.sql.rebuild(migrations.as_ref(), &|project| {
            workspace::sql_settings(&config, project.or(root.as_deref()))
        });
        self.state.sql_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Re-publishes every open SQL document but `except`, in tasks of their
    /// own (so that `publish`, which calls this, does not await itself).
    fn republish_sql_documents(&self, except: Option<&Uri>) {
        self.republish_documents(except, |l| l == Language::Sql);
    }

    /// Re-publishes every open document of a language `which` accepts but
    /// `except`, in tasks of their own.
    fn republish_documents(&self, except: Option<&Uri>, which: impl Fn(Language) -> bool) {
        let uris: Vec<Uri> = self
            .state
            .documents
            .iter()
            .filter(|e| e.value().language.is_some_and(&which) && Some(e.key()) != except)
            .map(|e| e.key().clone())
            .collect();
        if uris.is_empty() {
            return;
        }
        if self.state.client_pulls.load(Ordering::Relaxed) {
            if self.state.client_refreshes.load(Ordering::Relaxed) {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
            return;
        }
        for uri in uris {
            let backend = self.handle();
            let task: futures::future::BoxFuture<'static, ()> =
                Box::pin(
                    async move { guard_notification("publish", backend.publish(uri, None)).await },
                );
            tokio::spawn(task);
        }
    }

    /// Reads every SQL file under the workspace root into the index (with
    /// work-done progress when the client supports it), builds the model,
    /// and re-checks the open SQL documents.
    async fn scan_sql_workspace(&self) {
        let Some(root) = self.root() else { return };
        let progress = if self.state.client_progress.load(Ordering::Relaxed) {
            let token = ProgressToken::String("moat/sql-scan".to_string());
            if self
                .client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
            {
                Some(
                    self.client
                        .progress(token, "Moat: reading SQL migrations")
                        .with_percentage(0)
                        .begin()
                        .await,
                )
            } else {
                None
            }
        } else {
            None
        };
        let config = self.config();
        let scan_root = root.clone();
        let targets = tokio::task::spawn_blocking(move || {
            crate::walk::collect_files(std::slice::from_ref(&scan_root), &config, &scan_root)
                .files
                .into_iter()
                .filter(|t| t.language == Language::Sql || t.language.is_js_family())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let (targets, js_targets): (Vec<_>, Vec<_>) = targets
            .into_iter()
            .partition(|t| t.language == Language::Sql);
        let total = (targets.len() + js_targets.len()).max(1);
        for (done, chunk) in targets.chunks(64).enumerate() {
            let chunk = chunk.to_vec();
            let sources = tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .filter_map(|t| {
                        let text = std::fs::read_to_string(&t.read_path).ok()?;
                        Some(SqlSource::new(
                            t.path.clone(),
                            key_of(&t.read_path),
                            Arc::from(text),
                        ))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            self.state.sql.set_from_disk(sources);
            if let Some(p) = &progress {
                let read = ((done + 1) * 64).min(targets.len());
                p.report_with_message(
                    format!("{read}/{} files", targets.len()),
                    (read * 100 / total) as u32,
                )
                .await;
            }
        }
        let backend = self.handle();
        let _ = tokio::task::spawn_blocking(move || backend.rebuild_sql()).await;
        self.republish_sql_documents(None);
        // The JS/TS files: facts of each, then the manifests above them.
        for (done, chunk) in js_targets.chunks(64).enumerate() {
            let chunk = chunk.to_vec();
            let files = tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .filter_map(|t| {
                        let text = std::fs::read_to_string(&t.read_path).ok()?;
                        if crate::language::is_minified_js(&t.path, &text) {
                            return None;
                        }
                        Some(crate::analysis::javascript::project::JsFile::new(
                            t.path.clone(),
                            key_of(&t.read_path),
                            t.language,
                            &text,
                        ))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            self.state.js.set_from_disk(files);
            if let Some(p) = &progress {
                let read = targets.len() + ((done + 1) * 64).min(js_targets.len());
                p.report_with_message(
                    format!("{read}/{} files", targets.len() + js_targets.len()),
                    (read * 100 / total) as u32,
                )
                .await;
            }
        }
        let backend = self.handle();
        let manifest_root = root.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let keys = backend.state.js.keys();
            backend
                .state
                .js
                .set_manifests(workspace::load_manifests(&keys, Some(&manifest_root)));
            backend.rebuild_js();
        })
        .await;
        if let Some(p) = progress {
            p.finish_with_message(format!(
                "{} SQL files, {} JS/TS files",
                targets.len(),
                js_targets.len()
            ))
            .await;
        }
        self.republish_documents(None, |l| l.is_js_family());
    }

    /// The URI and text of a file named by a finding's related place (a
    /// path relative to the workspace root, or absolute): the open
    /// document's text when it is open, else the file on disk.
    fn other_file(&self, path: &Path) -> Option<(Uri, Rope)> {
        let abs = match self.root() {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.to_path_buf(),
        };
        let open = self
            .state
            .documents
            .iter()
            .find(|e| e.key().to_file_path().is_some_and(|p| p == abs))
            .map(|e| (e.key().clone(), e.rope.clone()));
        open.or_else(|| {
            let text = std::fs::read_to_string(&abs).ok()?;
            Some((Uri::from_file_path(&abs)?, Rope::from_str(&text)))
        })
    }

    /// Another handle on the same server state and client.
    fn handle(&self) -> Backend {
        Backend {
            client: self.client.clone(),
            state: self.state.clone(),
        }
    }

    /// Re-analyses every open document (after a configuration change).
    async fn republish_all(&self) {
        if self.state.client_pulls.load(Ordering::Relaxed) {
            if self.state.client_refreshes.load(Ordering::Relaxed) {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        let uris: Vec<Uri> = self
            .state
            .documents
            .iter()
            .map(|e| e.key().clone())
            .collect();
        for uri in uris {
            self.publish(uri, None).await;
        }
    }

    /// Reloads the configuration: `moat.toml` at the root (from the editor's
    /// buffer when it is open, else from disk), then the client's settings.
    fn reload_config(&self) -> ConfigReport {
        let root = self.root();
        let mut config = Config::default();
        let mut report = ConfigReport::default();
        if let Some(root) = &root {
            let path = root.join(config::FILE_NAME);
            // Found by path, not by a URI rebuilt from it: clients
            // percent-encode paths differently (the `url` crate leaves `@`
            // and `+` alone, `Uri::from_file_path` encodes them), so the
            // rebuilt URI need not be the key the client opened it under.
            let open_text = self
                .state
                .documents
                .iter()
                .find(|e| e.key().to_file_path().is_some_and(|p| p == path))
                .map(|e| e.rope.to_string());
            let is_open = open_text.is_some();
            let text = open_text.or_else(|| std::fs::read_to_string(&path).ok());
            if let Some(text) = text {
                let (parsed, mut problems) = Config::parse(&text, Some(root));
                config = parsed;
                if !is_open {
                    problems.extend(config.ignore_matcher(root).1);
                    report.file_on_disk = Some((path, text, problems));
                }
            }
        }
        let settings = self
            .state
            .client_settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(settings) = settings {
            report.client_problems = config.merge_json(&settings);
        }
        let (matcher, _) = config.ignore_matcher(root.as_deref().unwrap_or(Path::new("/")));
        *self
            .state
            .ignore_matcher
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(matcher);
        report.config = Arc::new(config);
        *self.state.config.write().unwrap_or_else(|e| e.into_inner()) = report.config.clone();
        self.state.config_generation.fetch_add(1, Ordering::SeqCst);
        report
    }

    /// Reloads the configuration and tells the user what is wrong with it:
    /// problems in a `moat.toml` that is not open in the editor are
    /// published on that file (cleared when it is fixed); problems in the
    /// client's settings are shown as a warning message. Then re-analyses
    /// every open document.
    async fn config_changed(&self) {
        let report = self.reload_config();
        if !report.client_problems.is_empty() {
            let text: Vec<&str> = report
                .client_problems
                .iter()
                .map(|p| p.message.as_str())
                .collect();
            self.client
                .show_message(MessageType::WARNING, format!("Moat: {}", text.join("; ")))
                .await;
        }
        if let Some((path, text, problems)) = report.file_on_disk {
            if let Some(uri) = Uri::from_file_path(&path) {
                let rope = Rope::from_str(&text);
                let enc = self.encoding();
                let diagnostics = config::findings(&text, problems, &report.config)
                    .iter()
                    .map(|f| convert::diagnostic(&uri, &rope, 0, f, enc, &|p| self.other_file(p)))
                    .collect();
                if !self.state.client_pulls.load(Ordering::Relaxed) {
                    self.client
                        .publish_diagnostics(uri, diagnostics, None)
                        .await;
                }
            }
        }
        // The settings of the schema model and of the route model may have
        // changed too.
        let backend = self.handle();
        let _ = tokio::task::spawn_blocking(move || {
            backend.rebuild_sql();
            if backend.state.js.current().is_some() {
                backend.rebuild_js();
            }
        })
        .await;
        self.republish_all().await;
    }

    /// Schedules a debounced publish of `uri` at `version`.
    fn schedule(&self, uri: Uri, version: i32) {
        let backend = self.handle();
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            guard_notification("publish", backend.publish(uri, Some(version))).await;
        });
    }

    fn code_actions(&self, params: CodeActionParams) -> Option<CodeActionResponse> {
        let uri = params.text_document.uri;
        let snap = self.snapshot(&uri)?;
        let only = params.context.only.as_deref();
        let wants = |kind: &str| {
            only.is_none_or(|kinds| {
                kinds.iter().any(|k| {
                    let k = k.as_str();
                    kind == k || kind.starts_with(&format!("{k}."))
                })
            })
        };
        let mut actions = Vec::new();
        if wants(CodeActionKind::QUICKFIX.as_str()) {
            for diag in &params.context.diagnostics {
                if diag.source.as_deref() != Some(SOURCE) {
                    continue;
                }
                let Some(data) = diag
                    .data
                    .clone()
                    .and_then(|d| serde_json::from_value::<DiagnosticData>(d).ok())
                else {
                    continue;
                };
                if data.version != snap.version {
                    continue; // Computed on older text; fresh diagnostics are on their way.
                }
                for (i, f) in data.fixes.into_iter().enumerate() {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: f.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diag.clone()]),
                        edit: Some(workspace_edit(&uri, f.edits)),
                        is_preferred: Some(i == 0),
                        ..CodeAction::default()
                    }));
                }
            }
        }
        if wants(FIX_ALL_KIND) {
            let findings = self.findings(&uri, &snap);
            let edits = fix::select_safe(findings.iter().flat_map(|f| &f.fixes));
            if !edits.is_empty() {
                let edits = convert::text_edits(&snap.rope, &edits, self.encoding());
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Moat: apply all safe fixes".to_string(),
                    kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                    edit: Some(workspace_edit(&uri, edits)),
                    ..CodeAction::default()
                }));
            }
        }
        Some(actions)
    }

    /// Firebase rules: who may do what on the path of the `allow` or
    /// `match` under the cursor (see `analysis::firebase::hover`). Works on
    /// a snapshot, so no document guard is held.
    fn hover_at(&self, params: HoverParams) -> Option<Hover> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        let snap = self.snapshot(&uri)?;
        if snap.language != Some(Language::FirebaseRules) {
            return None;
        }
        let tree = snap.tree.as_ref()?;
        let enc = self.encoding();
        let offset =
            crate::position::offset_at(&snap.rope, convert::from_lsp(position.position), enc);
        let text = snap.rope.to_string();
        let path = self.path_of(&uri);
        let ctx = FileContext::new(&path, &text, tree, Language::FirebaseRules);
        let (range, markdown) = analysis::firebase::hover::access_summary(&ctx, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(convert::range(&snap.rope, &range, enc)),
        })
    }
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(std::iter::once((uri.clone(), edits)).collect()),
        ..WorkspaceEdit::default()
    }
}

/// Runs a request handler, turning a panic into an internal error reply so
/// the server keeps serving.
async fn guard_request<T>(name: &str, fut: impl Future<Output = RpcResult<T>>) -> RpcResult<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            tracing::error!("request {name} panicked");
            Err(RpcError::internal_error())
        }
    }
}

/// Runs a notification handler, logging a panic instead of propagating it.
async fn guard_notification(name: &str, fut: impl Future<Output = ()>) {
    if AssertUnwindSafe(fut).catch_unwind().await.is_err() {
        tracing::error!("notification {name} panicked");
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        let offered: Vec<String> = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .map(|v| v.iter().map(|k| k.as_str().to_string()).collect())
            .unwrap_or_default();
        let encoding = PositionEncoding::negotiate(offered.iter().map(String::as_str));
        *self
            .state
            .encoding
            .write()
            .unwrap_or_else(|e| e.into_inner()) = encoding;

        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .and_then(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .or_else(|| {
                #[allow(deprecated)]
                params
                    .root_uri
                    .as_ref()
                    .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
            });
        *self.state.root.write().unwrap_or_else(|e| e.into_inner()) = root;
        *self
            .state
            .client_settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = params.initialization_options.clone();

        let text_caps = params.capabilities.text_document.as_ref();
        let pulls = text_caps.and_then(|t| t.diagnostic.as_ref()).is_some();
        self.state.client_pulls.store(pulls, Ordering::Relaxed);
        let refreshes = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        self.state
            .client_refreshes
            .store(refreshes, Ordering::Relaxed);
        let watches = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.state.client_watches.store(watches, Ordering::Relaxed);
        let progress = params
            .capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        self.state
            .client_progress
            .store(progress, Ordering::Relaxed);
        let _ = self.reload_config();

        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::from(
                    encoding.as_lsp_str().to_string(),
                )),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::SOURCE_FIX_ALL,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                diagnostic_provider: pulls.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some(SOURCE.to_string()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "moat".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("moat language server ready");
        if self.state.client_watches.load(Ordering::Relaxed) {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: [
                    format!("**/{}", config::FILE_NAME),
                    "**/*.sql".to_string(),
                    "**/supabase/config.toml".to_string(),
                    "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}".to_string(),
                    "**/package.json".to_string(),
                ]
                .into_iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(glob),
                    kind: None,
                })
                .collect(),
            };
            let registration = Registration {
                id: "moat-config-watcher".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                tracing::warn!("could not ask the client to watch moat.toml: {e}");
            }
        }
        // Report a broken moat.toml or bad client settings right away.
        self.config_changed().await;
        // Read the workspace's SQL files for the schema model, in the
        // background.
        let backend = self.handle();
        let scan: futures::future::BoxFuture<'static, ()> =
            Box::pin(
                async move { guard_notification("sql scan", backend.scan_sql_workspace()).await },
            );
        tokio::spawn(scan);
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.state.shutdown_requested.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let is_config = Self::is_config_uri(&doc.uri);
        let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let path = self.path_of(&doc.uri);
            let language = if is_config {
                None
            } else {
                // Minified bundles are checked as plain text (secrets only).
                Language::from_language_id(&doc.language_id, Some(&path)).filter(|l| {
                    !(l.is_js_family() && crate::language::is_minified_js(&path, &doc.text))
                })
            };
            Document::new(&doc.text, language, doc.version)
        }));
        let Ok(document) = parsed else {
            tracing::error!(uri = doc.uri.as_str(), "parsing panicked on open");
            return;
        };
        self.state.documents.insert(doc.uri.clone(), document);
        if is_config {
            self.config_changed().await;
        } else {
            guard_notification("didOpen", self.publish(doc.uri, Some(doc.version))).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.encoding();
        // Applied before any `.await`, so edits land in the order they came.
        let applied = {
            let Some(mut doc) = self.state.documents.get_mut(&uri) else {
                return;
            };
            if version <= doc.version {
                tracing::warn!(
                    uri = uri.as_str(),
                    version,
                    current = doc.version,
                    "dropping a change that is not newer"
                );
                return;
            }
            let changes: Vec<Change<'_>> = params
                .content_changes
                .iter()
                .map(|c| Change {
                    range: c
                        .range
                        .map(|r| (convert::from_lsp(r.start), convert::from_lsp(r.end))),
                    text: &c.text,
                })
                .collect();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                doc.apply_changes(&changes, encoding)
            }));
            doc.version = version;
            result.is_ok()
        };
        if !applied {
            tracing::error!(
                uri = uri.as_str(),
                "applying a change panicked; closing the document state"
            );
            self.state.documents.remove(&uri);
            return;
        }
        if Self::is_config_uri(&uri) {
            self.config_changed().await;
        } else {
            self.schedule(uri, version);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if Self::is_config_uri(&params.text_document.uri) {
            self.config_changed().await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let _guard = self.state.publish_lock.lock().await;
        self.state.documents.remove(&uri);
        if !self.state.client_pulls.load(Ordering::Relaxed) {
            self.client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        drop(_guard);
        if Self::is_config_uri(&uri) {
            self.config_changed().await;
        } else if let Some(abs) = uri.to_file_path().map(|p| p.into_owned()) {
            // A closed migration goes back to its text on disk.
            let backend = self.handle();
            let path = self.path_of(&uri);
            let language = Language::from_path(&abs);
            let (changed, js_changed) = tokio::task::spawn_blocking(move || {
                let changed = backend.state.sql.close(path.clone(), &abs);
                if changed {
                    backend.rebuild_sql();
                }
                let js_changed = match language.filter(|l| l.is_js_family()) {
                    Some(l) => backend.state.js.close(path, &abs, l),
                    None => false,
                };
                if js_changed {
                    backend.rebuild_js();
                }
                (changed, js_changed)
            })
            .await
            .unwrap_or((false, false));
            if changed {
                self.republish_sql_documents(None);
            }
            if js_changed {
                self.republish_documents(None, |l| l.is_js_family());
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        *self
            .state
            .client_settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(params.settings);
        self.config_changed().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        if params.changes.iter().any(|c| Self::is_config_uri(&c.uri)) {
            self.config_changed().await;
            return;
        }
        // SQL files and supabase/config.toml feed the schema model.
        let mut sql_files = Vec::new();
        let mut js_files = Vec::new();
        let mut manifests_changed = false;
        let mut settings_changed = false;
        let mut deleted_dirs = Vec::new();
        let mut created_dirs = Vec::new();
        for change in &params.changes {
            let Some(abs) = change.uri.to_file_path().map(|p| p.into_owned()) else {
                continue;
            };
            // A folder created or moved in (clients report a moved folder as
            // a delete and a create of the folder, not one event per file):
            // its files are read below. Without this a migrations folder
            // moved away and back stayed out of the schema model.
            if change.typ != FileChangeType::DELETED && abs.is_dir() {
                created_dirs.push(abs);
                continue;
            }
            // A deleted path may have been a folder whatever its name looks
            // like (`lib.js/`, `seed.sql/`): forget what was under it too.
            if change.typ == FileChangeType::DELETED {
                deleted_dirs.push(abs.clone());
            }
            if abs.ends_with("supabase/config.toml") {
                settings_changed = true;
            } else if abs.extension().is_some_and(|e| e == "sql") {
                sql_files.push((self.path_of(&change.uri), abs));
            } else if let Some(l) = Language::from_path(&abs).filter(|l| l.is_js_family()) {
                js_files.push((self.path_of(&change.uri), abs, l));
            } else if abs.file_name().is_some_and(|n| n == "package.json") {
                manifests_changed = true;
            }
        }
        if !created_dirs.is_empty() {
            let config = self.config();
            let root = self.root();
            let targets = tokio::task::spawn_blocking(move || {
                let cwd = root.unwrap_or_else(|| PathBuf::from("/"));
                crate::walk::collect_files(&created_dirs, &config, &cwd)
                    .files
                    .into_iter()
                    .map(|t| {
                        let path = t
                            .read_path
                            .strip_prefix(&cwd)
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|_| t.read_path.clone());
                        (path, t.read_path, t.language)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            for (path, abs, language) in targets {
                if language == Language::Sql {
                    sql_files.push((path, abs));
                } else if language.is_js_family() {
                    js_files.push((path, abs, language));
                }
            }
            // A package.json or supabase/config.toml may have come with it.
            manifests_changed = true;
            settings_changed = true;
        }
        if !deleted_dirs.is_empty() {
            let mut any = false;
            let mut sql_any = false;
            for dir in &deleted_dirs {
                any |= self.state.js.remove_dir_from_disk(dir);
                sql_any |= self.state.sql.remove_dir_from_disk(dir);
            }
            // Migrations may have gone with the folder.
            settings_changed |= sql_any;
            // A package.json may have gone with the folder.
            manifests_changed |= any;
        }
        if !js_files.is_empty() || manifests_changed {
            let backend = self.handle();
            let root = self.root();
            let _ = tokio::task::spawn_blocking(move || {
                for (path, abs, language) in js_files {
                    match std::fs::read_to_string(&abs) {
                        Ok(text) => backend.state.js.set_from_disk(vec![
                            crate::analysis::javascript::project::JsFile::new(
                                path,
                                key_of(&abs),
                                language,
                                &text,
                            ),
                        ]),
                        Err(_) => backend.state.js.remove_from_disk(&abs),
                    }
                }
                if manifests_changed {
                    let keys = backend.state.js.keys();
                    backend
                        .state
                        .js
                        .set_manifests(workspace::load_manifests(&keys, root.as_deref()));
                }
                backend.rebuild_js();
            })
            .await;
            self.republish_documents(None, |l| l.is_js_family());
        }
        if sql_files.is_empty() && !settings_changed {
            return;
        }
        let backend = self.handle();
        let _ = tokio::task::spawn_blocking(move || {
            for (path, abs) in sql_files {
                match std::fs::read_to_string(&abs) {
                    Ok(text) => backend.state.sql.set_from_disk(vec![SqlSource::new(
                        path,
                        key_of(&abs),
                        Arc::from(text),
                    )]),
                    Err(_) => backend.state.sql.remove_from_disk(&abs),
                }
            }
            backend.rebuild_sql();
        })
        .await;
        self.republish_sql_documents(None);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> RpcResult<DocumentDiagnosticReportResult> {
        guard_request("textDocument/diagnostic", async {
            let uri = params.text_document.uri;
            let items = match self.snapshot(&uri) {
                Some(snap) => self.diagnostics(&uri, &snap),
                None => Vec::new(),
            };
            Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                }),
            ))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> RpcResult<Option<CodeActionResponse>> {
        guard_request("textDocument/codeAction", async {
            Ok(self.code_actions(params))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        guard_request("textDocument/hover", async { Ok(self.hover_at(params)) }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn publishes_of_one_document_run_one_at_a_time_and_only_the_latest_waiter_runs() {
        let slot = Arc::new(PublishSlot::default());
        let first = slot.enter().await.expect("nothing else requested");
        // Two more publishes are requested while the first computes.
        let (a, b) = (slot.clone(), slot.clone());
        let second = tokio::spawn(async move { a.enter().await.is_some() });
        tokio::task::yield_now().await;
        while slot.latest.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        let third = tokio::spawn(async move { b.enter().await.is_some() });
        while slot.latest.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        drop(first);
        // The older waiter gives way; the latest one runs.
        assert!(!second.await.unwrap());
        assert!(third.await.unwrap());
        // And once nothing is in progress the next one runs at once.
        assert!(slot.enter().await.is_some());
    }
}
