//! A private, throw-away PostgreSQL server for the oracle suite
//! (`tests/postgres_oracle.rs`), driven through `psql`.
//!
//! - Binaries: `$MOAT_PG_BIN` (a folder holding `initdb`, `pg_ctl`,
//!   `postgres`), else `pg_config --bindir`, else the newest
//!   `/usr/lib/postgresql/<version>/bin` (Debian's layout), else `initdb` on
//!   `PATH` (symlinks followed to the real folder). `psql` is taken from the
//!   same folder, else from `PATH`.
//! - The cluster lives in a temporary folder: `initdb` (trust authentication,
//!   superuser `postgres`, locale C, UTF-8), no TCP at all
//!   (`listen_addresses = ''`), its Unix socket in that folder, named after a
//!   free port number. It is stopped (`pg_ctl stop -m immediate`) and the
//!   folder removed when the [`Server`] is dropped, on success or panic.
//! - PostgreSQL refuses to run as root. When the test runs as root (as CI
//!   does), `initdb` and `pg_ctl` run as an unprivileged user through
//!   `setpriv --reuid --regid --clear-groups` (util-linux, on every Debian):
//!   `$MOAT_PG_USER` if set, else `moat-pg` (created by `.ci/run`), else
//!   `postgres` (created by Debian's package), else `nobody`. The temporary
//!   folder is then made in `/tmp` and handed to that user; `psql` runs as
//!   the test itself, which as root may enter it.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The PostgreSQL programs to use.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub bindir: PathBuf,
    pub initdb: PathBuf,
    pub pg_ctl: PathBuf,
    pub psql: PathBuf,
    /// How the folder was found, for messages.
    pub found_by: String,
}

/// Finds the PostgreSQL binaries, or says where it looked.
pub fn find_binaries() -> Result<Binaries, String> {
    let mut looked = Vec::new();
    if let Some(dir) = std::env::var_os("MOAT_PG_BIN").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return binaries_in(&dir, "MOAT_PG_BIN").ok_or_else(|| {
            format!(
                "MOAT_PG_BIN={} holds no initdb, pg_ctl and postgres",
                dir.display()
            )
        });
    }
    looked.push("MOAT_PG_BIN (unset)".to_string());
    match Command::new("pg_config").arg("--bindir").output() {
        Ok(out) if out.status.success() => {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if let Some(b) = binaries_in(&dir, "pg_config --bindir") {
                return Ok(b);
            }
            looked.push(format!("pg_config --bindir ({})", dir.display()));
        }
        _ => looked.push("pg_config (not found)".to_string()),
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version: Vec<u32> = name
                .split('.')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    versions.sort();
    for (_, dir) in versions.iter().rev() {
        if let Some(b) = binaries_in(dir, "/usr/lib/postgresql/*/bin") {
            return Ok(b);
        }
    }
    looked.push("/usr/lib/postgresql/*/bin".to_string());
    if let Some(initdb) = on_path("initdb") {
        let real = initdb.canonicalize().unwrap_or(initdb.clone());
        for dir in [real.parent(), initdb.parent()].into_iter().flatten() {
            if let Some(b) = binaries_in(dir, "PATH") {
                return Ok(b);
            }
        }
    }
    looked.push("initdb on PATH".to_string());
    Err(format!(
        "no PostgreSQL binaries found (looked at: {})",
        looked.join("; ")
    ))
}

fn binaries_in(dir: &Path, found_by: &str) -> Option<Binaries> {
    let initdb = dir.join("initdb");
    let pg_ctl = dir.join("pg_ctl");
    if !is_executable(&initdb) || !is_executable(&pg_ctl) || !is_executable(&dir.join("postgres")) {
        return None;
    }
    let psql = Some(dir.join("psql"))
        .filter(|p| is_executable(p))
        .or_else(|| on_path("psql"))?;
    Some(Binaries {
        bindir: dir.to_path_buf(),
        initdb,
        pg_ctl,
        psql,
        found_by: found_by.to_string(),
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

/// The effective user id of this process.
fn euid() -> u32 {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines() {
            if let Some(rest) = line.strip_prefix("Uid:") {
                if let Some(e) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                    return e;
                }
            }
        }
    }
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(u32::MAX)
}

/// An unprivileged account to run the server as.
#[derive(Clone, Debug)]
struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
}

fn account(name: &str) -> Option<RunAs> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").arg(flag).arg(name).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some(RunAs {
        name: name.to_string(),
        uid: id("-u")?,
        gid: id("-g")?,
    })
}

fn unprivileged_account() -> Result<RunAs, String> {
    let candidates: Vec<String> = match std::env::var("MOAT_PG_USER") {
        Ok(u) if !u.is_empty() => vec![u],
        _ => ["moat-pg", "postgres", "nobody"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    candidates
        .iter()
        .filter_map(|c| account(c))
        .find(|a| a.uid != 0)
        .ok_or_else(|| {
            format!(
                "running as root, and none of these accounts exists to run PostgreSQL as: {} \
                 (create one, e.g. `useradd --system moat-pg`, or set MOAT_PG_USER)",
                candidates.join(", ")
            )
        })
}

/// A running private server. Dropping it stops the server and removes its
/// folder.
pub struct Server {
    pub bin: Binaries,
    /// The socket folder (also `-h` for clients).
    pub socket_dir: PathBuf,
    pub port: u16,
    data: PathBuf,
    run_as: Option<RunAs>,
    // Declared last: removed after the server is stopped in `drop`.
    dir: tempfile::TempDir,
}

impl Server {
    /// Creates a cluster in a new temporary folder and starts it.
    pub fn start(bin: Binaries) -> Result<Server, String> {
        let run_as = if euid() == 0 {
            Some(unprivileged_account()?)
        } else {
            None
        };
        let base = if run_as.is_some() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("moat-pg-")
            .tempdir_in(&base)
            .map_err(|e| {
                format!(
                    "cannot create a temporary folder in {}: {e}",
                    base.display()
                )
            })?;
        if let Some(a) = &run_as {
            std::os::unix::fs::chown(dir.path(), Some(a.uid), Some(a.gid))
                .map_err(|e| format!("cannot hand {} to {}: {e}", dir.path().display(), a.name))?;
        }
        let port = free_port();
        let data = dir.path().join("data");
        let mut server = Server {
            bin,
            socket_dir: dir.path().to_path_buf(),
            port,
            data,
            run_as,
            dir,
        };
        server.init()?;
        Ok(server)
    }

    /// A command that runs `program` as the server's account.
    fn server_command(&self, program: &Path) -> Command {
        let mut cmd = match &self.run_as {
            Some(a) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={}", a.uid))
                    .arg(format!("--regid={}", a.gid))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(program);
                c
            }
            None => Command::new(program),
        };
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        cmd
    }

    fn init(&mut self) -> Result<(), String> {
        let out = self
            .server_command(&self.bin.initdb.clone())
            .arg("-D")
            .arg(&self.data)
            .args([
                "--username=postgres",
                "--auth=trust",
                "--locale=C",
                "--encoding=UTF8",
                "--no-sync",
            ])
            .output();
        check("initdb", out)?;
        let conf = format!(
            "\n# moat oracle suite\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
             port = {}\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             max_connections = 20\nshared_buffers = 16MB\nlog_min_messages = warning\n",
            self.socket_dir.display(),
            self.port
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| format!("cannot write postgresql.conf: {e}"))?;
        let log = self.dir.path().join("server.log");
        let out = self
            .server_command(&self.bin.pg_ctl.clone())
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "start"])
            .output();
        check("pg_ctl start", out).map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}\nserver log:\n{log}")
        })?;
        Ok(())
    }

    /// Runs `sql` (given on standard input) in database `db` as the
    /// superuser; stops at the first error. Returns the unaligned,
    /// tuples-only output.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        self.run_psql(db, &[OsString::from("-f"), OsString::from("-")], Some(sql))
    }

    /// Runs the file `path` in database `db` as the superuser; stops at the
    /// first error.
    pub fn psql_file(&self, db: &str, path: &Path) -> Result<String, String> {
        self.run_psql(
            db,
            &[OsString::from("-f"), path.as_os_str().to_owned()],
            None,
        )
    }

    fn run_psql(&self, db: &str, args: &[OsString], stdin: Option<&str>) -> Result<String, String> {
        let mut cmd = Command::new(&self.bin.psql);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PGCLIENTENCODING", "UTF8")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", "postgres", "-d", db])
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.bin.psql.display()))?;
        if let Some(sql) = stdin {
            // A psql that exits early (it could not connect) closes its
            // input; its exit status and message are what matter then.
            let mut input = child.stdin.take().unwrap();
            let _ = input.write_all(sql.as_bytes());
        }
        let out = child.wait_with_output();
        check("psql", out)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .server_command(&self.bin.pg_ctl.clone())
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A port number nobody listens on, to name the socket (the socket is in a
/// private folder, so any number would do; a free one avoids confusion).
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(54329)
}

fn check(what: &str, out: std::io::Result<Output>) -> Result<String, String> {
    let out = out.map_err(|e| format!("cannot run {what}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            stdout
        ))
    }
}

/// Quotes an identifier for SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for SQL.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
