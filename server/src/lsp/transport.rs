//! A guard in front of the JSON-RPC reader.
//!
//! tower-lsp-server reads stdin through tokio-util's `FramedRead`, which ends
//! the stream after the first frame it cannot decode, and the server then
//! exits. One malformed message from a client (a body that is not JSON, a
//! batch array, a bad or missing `Content-Length`) would take the whole
//! server down. [`forward_valid_frames`] sits between stdin and the server:
//! it re-frames every well-formed message and drops the others with a log
//! line, so the server keeps serving.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The largest message body accepted (64 MiB); a larger `Content-Length` is
/// treated as malformed and its header block skipped.
const MAX_BODY: usize = 64 << 20;

/// Why a frame was dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    /// The header block had no usable `Content-Length`.
    BadHeader(String),
    /// The body is not a JSON object (not JSON at all, or an array/scalar).
    BadBody(String),
}

/// Checks one message body: it must be a JSON object (tower-lsp-server
/// supports neither batches nor bare values).
pub fn check_body(body: &[u8]) -> Result<(), Dropped> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(other) => Err(Dropped::BadBody(format!(
            "expected a JSON object, got {}",
            kind_of(&other)
        ))),
        Err(e) => Err(Dropped::BadBody(e.to_string())),
    }
}

/// The body with every lone surrogate escape (`\uD800` not followed by
/// a low surrogate, or a low surrogate alone) replaced by `\uFFFD`, and
/// invalid UTF-8 replaced by U+FFFD; `None` when there was nothing to
/// repair.
pub fn repair_body(body: &[u8]) -> Option<Vec<u8>> {
    fn unit_at(b: &[u8], i: usize) -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    }
    let text = String::from_utf8_lossy(body);
    let mut changed = matches!(text, std::borrow::Cow::Owned(_));
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match unit_at(b, i) {
            Some(0xD800..=0xDBFF) => {
                if matches!(unit_at(b, i + 6), Some(0xDC00..=0xDFFF)) {
                    out.extend_from_slice(&b[i..i + 12]);
                    i += 12;
                } else {
                    out.extend_from_slice(b"\\uFFFD");
                    changed = true;
                    i += 6;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFD");
                changed = true;
                i += 6;
            }
            // Any other escape, `\\` included: copied whole, so that
            // an escaped backslash before `u` is not read as an escape.
            _ => {
                let end = (i + 2).min(b.len());
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
        }
    }
    changed.then_some(out)
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Copies well-formed LSP frames from `input` to `output` until `input`
/// ends, then closes `output`. Malformed frames are dropped and reported
/// through `on_drop`. Header names are matched case-insensitively; other
/// headers (`Content-Type`) are ignored.
pub async fn forward_valid_frames<R, W>(input: R, mut output: W, mut on_drop: impl FnMut(Dropped))
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    'frames: loop {
        // Header block: lines up to an empty line.
        let mut content_length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break 'frames,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if saw_header {
                    break;
                }
                continue; // Stray blank lines between frames.
            }
            saw_header = true;
            // Found anywhere in the line, so that after a malformed frame the
            // next `Content-Length` is found even when glued to the garbage.
            let lower = text.to_ascii_lowercase();
            if let Some(at) = lower.find("content-length:") {
                let value = &text[at + "content-length:".len()..];
                content_length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|e| format!("Content-Length {:?}: {e}", value.trim()))
                        .and_then(|n| {
                            if n <= MAX_BODY {
                                Ok(n)
                            } else {
                                Err(format!(
                                    "Content-Length {n} is over the {MAX_BODY}-byte limit"
                                ))
                            }
                        }),
                );
            }
        }
        let len = match content_length {
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                on_drop(Dropped::BadHeader(e));
                continue;
            }
            None => {
                on_drop(Dropped::BadHeader("no Content-Length header".to_string()));
                continue;
            }
        };
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            break;
        }
        if let Err(d) = check_body(&body) {
            // An editor's UTF-16 buffer can hold a lone surrogate (half of
            // an emoji being typed), which JSON parsers refuse; dropping
            // that didChange would leave our copy of the document out of
            // sync. Each lone surrogate (and each invalid UTF-8 byte) takes
            // the place of U+FFFD, one UTF-16 unit like the original, so
            // positions still agree.
            match repair_body(&body) {
                Some(repaired) if check_body(&repaired).is_ok() => body = repaired,
                _ => {
                    on_drop(d);
                    continue;
                }
            }
        }
        let len = body.len();
        let header = format!("Content-Length: {len}\r\n\r\n");
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            break;
        }
        let _ = output.flush().await;
    }
    let _ = output.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> (String, Vec<Dropped>) {
        let (mut rx, tx) = tokio::io::duplex(1 << 16);
        let mut dropped = Vec::new();
        forward_valid_frames(input, tx, |d| dropped.push(d)).await;
        let mut out = String::new();
        rx.read_to_string(&mut out).await.unwrap();
        (out, dropped)
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn good_frames_pass_and_bad_ones_are_dropped() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            frame("{not json}"),
            frame("[]"),
            "Content-Length: abc\r\n\r\n".to_string(),
            "X-Other: 1\r\n\r\n".to_string(),
            frame(good),
            // A bad length followed by a body: the next frame is still found.
            format!("Content-Length: -1\r\n\r\n{good}"),
            format!("content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{good}", good.len()),
        ]
        .concat();
        let (out, dropped) = run(input.as_bytes()).await;
        assert_eq!(out, [frame(good), frame(good)].concat());
        assert_eq!(dropped.len(), 5, "{dropped:?}");
        assert!(matches!(dropped[0], Dropped::BadBody(_)));
        assert!(matches!(dropped[1], Dropped::BadBody(_)));
        assert!(matches!(dropped[2], Dropped::BadHeader(_)));
        assert!(matches!(dropped[3], Dropped::BadHeader(_)));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let body = br#"{"t":"a\ud83d b \ude00 \ud83d\ude00 \\ud800 \n"}"#;
        assert!(check_body(body).is_err());
        let repaired = repair_body(body).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&repaired).unwrap();
        // Same UTF-16 length: one unit per lone surrogate.
        assert_eq!(v["t"], "a\u{fffd} b \u{fffd} \u{1f600} \\ud800 \n");
        assert_eq!(repair_body(br#"{"t":"fine \\u0041"}"#), None);
    }

    #[tokio::test]
    async fn a_lone_surrogate_frame_is_repaired_not_dropped() {
        let (out, dropped) =
            run(frame(r#"{"jsonrpc":"2.0","method":"x","params":"\ud800"}"#).as_bytes()).await;
        assert!(dropped.is_empty(), "{dropped:?}");
        assert!(out.contains(r#""params":"\uFFFD""#), "{out}");
    }

    #[tokio::test]
    async fn a_truncated_body_ends_the_stream() {
        let (out, dropped) = run(b"Content-Length: 50\r\n\r\n{\"a\":").await;
        assert_eq!(out, "");
        assert!(dropped.is_empty());
    }
}
