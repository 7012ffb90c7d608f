//! A small LSP client for the language server's tests, over either
//! transport: the built `moat lsp` binary on real stdio, or the server
//! in-process over an in-memory duplex connection.
//!
//! A background thread reads the server's messages (Content-Length framing),
//! answers the server's own requests (`client/registerCapability`,
//! `workspace/configuration`, ...) with null results, and hands everything
//! to the test through a channel. Tests wait for a given response or
//! notification; the timeout only keeps a broken server from hanging the
//! suite, and no test asserts on how fast anything happens.

#![allow(dead_code)]

pub mod pipe;
pub mod text;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub use text::{before, find, range, Encoding};

/// How long to wait for any one message before failing the test.
pub const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Framing

/// Writes one JSON-RPC message with its `Content-Length` header.
pub fn write_message(w: &mut dyn Write, msg: &Value) -> io::Result<()> {
    let body = serde_json::to_vec(msg)?;
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(&body)?;
    w.flush()
}

/// Reads one JSON-RPC message; `None` at end of stream.
pub fn read_message(r: &mut impl BufRead) -> io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        assert!(
            line.ends_with("\r\n"),
            "header line not ended by CRLF: {line:?}"
        );
        let line = &line[..line.len() - 2];
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("malformed header {line:?}"));
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>().expect("Content-Length"));
        }
    }
    let length = length.expect("a message without Content-Length");
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    Ok(Some(serde_json::from_slice(&body)?))
}

// ---------------------------------------------------------------------------
// The client

type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// What keeps the server alive for as long as the client lives.
enum Server {
    Process(Child),
    InProcess(Option<tokio::runtime::Runtime>),
}

/// An open document as the client sees it.
#[derive(Clone, Debug)]
pub struct Doc {
    pub uri: String,
    pub text: String,
    pub version: i64,
}

/// One `textDocument/publishDiagnostics`.
#[derive(Clone, Debug)]
pub struct Published {
    pub version: Option<i64>,
    pub diagnostics: Vec<Value>,
}

/// A connection to a Moat language server.
pub struct Client {
    writer: SharedWriter,
    incoming: Receiver<Value>,
    /// Messages received but not yet asked for, in arrival order.
    backlog: Vec<Value>,
    next_id: i64,
    /// The position encoding the server chose (UTF-16 until `initialize`).
    pub encoding: Encoding,
    stderr: Arc<Mutex<String>>,
    server: Server,
}

impl Client {
    /// Starts the built `moat lsp` and talks to it over its stdin/stdout.
    pub fn spawn_binary() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_moat"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start `moat lsp`");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Client::over(Box::new(stdin), stdout, log, Server::Process(child))
    }

    /// Runs `moat::lsp::Backend` in-process, on its own tokio runtime, over
    /// an in-memory duplex connection.
    pub fn in_process() -> Client {
        use tower_lsp_server::{LspService, Server as LspServer};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let (to_server, server_in) = pipe::pipe();
        let (server_out, from_server) = pipe::pipe();
        runtime.spawn(async move {
            let (service, socket) = LspService::new(moat::lsp::Backend::new);
            LspServer::new(server_in, server_out, socket)
                .serve(service)
                .await;
        });
        let log = Arc::new(Mutex::new(String::new()));
        Client::over(
            Box::new(to_server),
            from_server,
            log,
            Server::InProcess(Some(runtime)),
        )
    }

    fn over(
        writer: Box<dyn Write + Send>,
        reader: impl Read + Send + 'static,
        stderr: Arc<Mutex<String>>,
        server: Server,
    ) -> Client {
        let writer: SharedWriter = Arc::new(Mutex::new(writer));
        let (tx, incoming) = mpsc::channel();
        let answer = writer.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            while let Ok(Some(msg)) = read_message(&mut reader) {
                if let (Some(method), Some(id)) = (msg["method"].as_str(), msg.get("id")) {
                    // A request from the server: answer it so it never waits on us.
                    let result = match method {
                        "workspace/configuration" => {
                            let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                    let _ = write_message(&mut **answer.lock().unwrap(), &reply);
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            writer,
            incoming,
            backlog: Vec::new(),
            next_id: 1,
            encoding: Encoding::Utf16,
            stderr,
            server,
        }
    }

    // --- Sending ----------------------------------------------------------

    /// Sends a raw JSON-RPC message.
    pub fn send(&self, msg: &Value) {
        write_message(&mut **self.writer.lock().unwrap(), msg).expect("write to the server");
    }

    /// Sends raw bytes, framing and all (for malformed-input tests).
    pub fn send_bytes(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(bytes).expect("write to the server");
        w.flush().expect("flush to the server");
    }

    /// Sends a notification.
    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id, without waiting for the answer.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and returns the whole response message.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(&format!("the response to {method} (id {id})"), |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        })
    }

    /// Sends a request and returns its result; fails the test on an error.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {}",
            response["error"]
        );
        response["result"].clone()
    }

    // --- Receiving --------------------------------------------------------

    /// Returns the first message, received or still to come, that `matches`;
    /// the others stay in the backlog for later waits. Fails the test after
    /// [`TIMEOUT`] without one.
    pub fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if matches(&msg) => return msg,
                Ok(msg) => self.backlog.push(msg),
                Err(RecvTimeoutError::Timeout) => {
                    self.fail(&format!("timed out waiting for {what}"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail(&format!("the server hung up while waiting for {what}"))
                }
            }
        }
    }

    /// Moves every message already sent by the server into the backlog.
    fn drain(&mut self) {
        while let Ok(msg) = self.incoming.try_recv() {
            self.backlog.push(msg);
        }
    }

    /// Every message received so far (and not yet consumed) that `matches`.
    pub fn received(&mut self, matches: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.drain();
        self.backlog
            .iter()
            .filter(|m| matches(m))
            .cloned()
            .collect()
    }

    /// Drops the messages received so far that match (e.g. publishes that
    /// came before some point the test waited for).
    pub fn discard(&mut self, matches: impl Fn(&Value) -> bool) {
        self.drain();
        self.backlog.retain(|m| !matches(m));
    }

    /// Collects the messages that arrive within `window`, then returns those
    /// received so far that match. For checking that something is *not*
    /// sent where no later message can serve as a barrier; it can only miss
    /// a late message, never fail a correct server.
    pub fn received_within(
        &mut self,
        window: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + window;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) => self.backlog.push(msg),
                Err(_) => break,
            }
        }
        self.received(matches)
    }

    /// Waits for the `publishDiagnostics` of `uri` stamped with `version`
    /// (`None`: one without a version, as on close).
    pub fn published(&mut self, uri: &str, version: Option<i64>) -> Published {
        let msg = self.wait_for(
            &format!("publishDiagnostics for {uri} at version {version:?}"),
            |m| is_publish_for(m, uri) && m["params"]["version"].as_i64() == version,
        );
        Published {
            version,
            diagnostics: msg["params"]["diagnostics"]
                .as_array()
                .expect("diagnostics array")
                .clone(),
        }
    }

    /// The diagnostics published for `doc` at its current version.
    pub fn diagnostics(&mut self, doc: &Doc) -> Vec<Value> {
        self.published(&doc.uri, Some(doc.version)).diagnostics
    }

    fn fail(&mut self, why: &str) -> ! {
        self.drain();
        let backlog: Vec<String> = self.backlog.iter().map(Value::to_string).collect();
        panic!(
            "{why}\nunconsumed messages:\n  {}\nserver stderr:\n{}",
            backlog.join("\n  "),
            self.stderr.lock().unwrap()
        );
    }

    // --- The protocol -----------------------------------------------------

    /// `initialize` with `capabilities` and any other `extra` params
    /// (merged in), then `initialized`. Returns the initialize result and
    /// records the negotiated position encoding.
    pub fn initialize(&mut self, capabilities: Value, extra: Value) -> Value {
        let mut params = json!({
            "processId": null,
            "clientInfo": {"name": "moat-tests"},
            "rootUri": null,
            "capabilities": capabilities,
        });
        if let Value::Object(extra) = extra {
            params.as_object_mut().unwrap().extend(extra);
        }
        let result = self.request("initialize", params);
        self.encoding = Encoding::from_lsp(result["capabilities"]["positionEncoding"].as_str());
        self.notify("initialized", json!({}));
        result
    }

    /// `initialize` with capabilities that offer position encodings
    /// `encodings` (none at all when empty).
    pub fn initialize_with_encodings(&mut self, encodings: &[&str]) -> Value {
        let capabilities = if encodings.is_empty() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": encodings}})
        };
        self.initialize(capabilities, json!({}))
    }

    /// Opens a document at `version`.
    pub fn open(&self, uri: &str, language_id: &str, version: i64, text: &str) -> Doc {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri, "languageId": language_id, "version": version, "text": text,
            }}),
        );
        Doc {
            uri: uri.to_string(),
            text: text.to_string(),
            version,
        }
    }

    /// Sends one range-based `didChange` at the next version, replacing
    /// `range` with `new_text`, and applies it to the client's copy.
    pub fn change(&self, doc: &mut Doc, range: Value, new_text: &str) {
        self.change_many(doc, &[(range, new_text)]);
    }

    /// Sends one `didChange` at the next version carrying several
    /// range-based changes, each relative to the text the previous ones
    /// left (as LSP says), and applies them to the client's copy.
    pub fn change_many(&self, doc: &mut Doc, changes: &[(Value, &str)]) {
        let mut content_changes = Vec::new();
        for (range, new_text) in changes {
            doc.text = text::apply_change(&doc.text, range, new_text, self.encoding);
            content_changes.push(json!({"range": range, "text": new_text}));
        }
        doc.version += 1;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": doc.uri, "version": doc.version},
                "contentChanges": content_changes,
            }),
        );
    }

    /// Inserts `new_text` just before the first occurrence of `needle`.
    pub fn insert_before(&self, doc: &mut Doc, needle: &str, new_text: &str) {
        let at = before(&doc.text, needle, self.encoding);
        self.change(doc, at, new_text);
    }

    /// Replaces the first occurrence of `needle` with `new_text`.
    pub fn replace(&self, doc: &mut Doc, needle: &str, new_text: &str) {
        let r = find(&doc.text, needle, self.encoding);
        self.change(doc, r, new_text);
    }

    /// Sends the whole new text as a `didChange` at the next version.
    pub fn replace_all(&self, doc: &mut Doc, new_text: &str) {
        doc.text = new_text.to_string();
        doc.version += 1;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": doc.uri, "version": doc.version},
                "contentChanges": [{"text": new_text}],
            }),
        );
    }

    /// Sends a `didChange` stamped `version` whatever the client's copy
    /// says (for stale-version tests); the copy is left as it is.
    pub fn change_with_version(&self, uri: &str, version: i64, range: Value, new_text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": new_text}],
            }),
        );
    }

    pub fn close(&self, doc: &Doc) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc.uri}}),
        );
    }

    /// `textDocument/codeAction` over `range` with the given diagnostics and
    /// `only` kinds (all kinds when `None`).
    pub fn code_actions(
        &mut self,
        doc: &Doc,
        range: Value,
        diagnostics: &[Value],
        only: Option<&[&str]>,
    ) -> Vec<Value> {
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc.uri}, "range": range, "context": context}),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// The text edits an action makes to `doc` (from `edit.changes` or
    /// `edit.documentChanges`).
    pub fn edits_for(action: &Value, doc: &Doc) -> Vec<Value> {
        let edit = &action["edit"];
        if let Some(edits) = edit["changes"][doc.uri.as_str()].as_array() {
            return edits.clone();
        }
        edit["documentChanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["textDocument"]["uri"] == json!(doc.uri))
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// Applies `edits` to the client's copy of `doc` (in the negotiated
    /// encoding) and sends the result as a full-text `didChange`.
    pub fn apply_edits(&self, doc: &mut Doc, edits: &[Value]) {
        let new_text = text::apply_text_edits(&doc.text, edits, self.encoding);
        self.replace_all(doc, &new_text);
    }

    /// `shutdown`, then `exit`.
    pub fn shutdown_and_exit(&mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown answers null");
        self.notify("exit", Value::Null);
    }

    /// Waits for the server process to end and returns its exit code.
    /// Keeps stdin open, as many editors do: the server must exit on `exit`
    /// alone.
    pub fn wait_for_exit(&mut self) -> Option<i32> {
        let Server::Process(child) = &mut self.server else {
            panic!("not a process");
        };
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = child.try_wait().expect("wait for the server") {
                return status.code();
            }
            if Instant::now() > deadline {
                self.fail("the server did not exit after `exit`");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        match &mut self.server {
            Server::Process(child) => {
                if let Ok(None) = child.try_wait() {
                    let _ = child.kill();
                }
                let _ = child.wait();
            }
            Server::InProcess(runtime) => {
                // Close the server's input, then stop its tasks.
                *self.writer.lock().unwrap() = Box::new(io::sink());
                if let Some(rt) = runtime.take() {
                    rt.shutdown_timeout(Duration::from_secs(1));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Matching and checking messages

/// Whether `msg` is a `publishDiagnostics` for `uri`.
pub fn is_publish_for(msg: &Value, uri: &str) -> bool {
    msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri
}

/// The rule ids (`code`) of `diagnostics`, in order.
pub fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().expect("code is a string"))
        .collect()
}

/// The one diagnostic of `diagnostics`; fails if there is not exactly one.
pub fn only(diagnostics: &[Value]) -> &Value {
    assert_eq!(
        diagnostics.len(),
        1,
        "expected one diagnostic, got {diagnostics:#?}"
    );
    &diagnostics[0]
}

/// Checks what every Moat diagnostic must carry: `code` = `rule`, source
/// "moat", a docs link naming the rule, a message, a severity.
pub fn assert_moat_diagnostic(d: &Value, rule: &str, severity: u64) {
    assert_eq!(d["code"], rule, "{d:#}");
    assert_eq!(d["source"], "moat", "{d:#}");
    assert_eq!(d["severity"], severity, "{d:#}");
    let href = d["codeDescription"]["href"]
        .as_str()
        .unwrap_or_else(|| panic!("no codeDescription.href: {d:#}"));
    assert!(href.starts_with("https://"), "href {href}");
    assert!(href.contains(rule), "href {href} does not name {rule}");
    assert!(
        !d["message"].as_str().unwrap_or("").trim().is_empty(),
        "empty message: {d:#}"
    );
}

pub const ERROR: u64 = 1;
pub const WARNING: u64 = 2;

/// A `file://` URI for an absolute path, percent-encoded the way the `url`
/// crate does it (and so Helix and other Rust clients): non-ASCII bytes,
/// spaces and a few delimiters are encoded, but `@`, `+`, `!`, `$`, `&`,
/// `'`, `(`, `)`, `,`, `;`, `=`, `:` are not.
pub fn file_uri(path: &std::path::Path) -> String {
    let path = path.to_str().expect("a UTF-8 path");
    assert!(path.starts_with('/'), "an absolute Unix path: {path}");
    let mut uri = String::from("file://");
    for b in path.bytes() {
        match b {
            b' '
            | b'"'
            | b'#'
            | b'<'
            | b'>'
            | b'?'
            | b'`'
            | b'{'
            | b'}'
            | b'%'
            | 0..=0x1f
            | 0x7f.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(b as char),
        }
    }
    uri
}
