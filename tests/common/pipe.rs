//! An in-memory, one-way byte pipe whose ends work both as blocking
//! `std::io` streams (for the test's client threads) and as tokio
//! `AsyncRead`/`AsyncWrite` (for the server running in-process).
//!
//! It plays the part of `tokio::io::duplex` (two of them make a duplex
//! connection), which needs tokio's `io-util` feature that this crate does
//! not enable; unlike `duplex`, it also lets the test side stay synchronous.
//! Writes never block (the buffer grows); dropping the writer is end of file.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct State {
    buf: VecDeque<u8>,
    closed: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    readable: Condvar,
}

/// The writing end.
pub struct PipeWriter(Arc<Shared>);

/// The reading end.
pub struct PipeReader(Arc<Shared>);

/// A new pipe.
pub fn pipe() -> (PipeWriter, PipeReader) {
    let shared = Arc::new(Shared::default());
    (PipeWriter(shared.clone()), PipeReader(shared))
}

impl PipeWriter {
    fn push(&self, bytes: &[u8]) -> io::Result<usize> {
        let mut state = self.0.state.lock().unwrap();
        if state.closed {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        state.buf.extend(bytes);
        if let Some(w) = state.waker.take() {
            w.wake();
        }
        self.0.readable.notify_all();
        Ok(bytes.len())
    }

    fn close(&self) {
        let mut state = self.0.state.lock().unwrap();
        state.closed = true;
        if let Some(w) = state.waker.take() {
            w.wake();
        }
        self.0.readable.notify_all();
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.close();
    }
}

impl io::Write for PipeWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.push(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl tokio::io::AsyncWrite for PipeWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.push(bytes))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.close();
        Poll::Ready(Ok(()))
    }
}

/// Moves buffered bytes into `out`; how many.
fn take(state: &mut State, out: &mut [u8]) -> usize {
    let n = out.len().min(state.buf.len());
    for (dst, src) in out.iter_mut().zip(state.buf.drain(..n)) {
        *dst = src;
    }
    n
}

impl io::Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut state = self.0.state.lock().unwrap();
        while state.buf.is_empty() && !state.closed {
            state = self.0.readable.wait(state).unwrap();
        }
        Ok(take(&mut state, out))
    }
}

impl tokio::io::AsyncRead for PipeReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut state = self.0.state.lock().unwrap();
        if state.buf.is_empty() && !state.closed {
            state.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = take(&mut state, out.initialize_unfilled());
        out.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        // Nobody will read: further writes fail instead of piling up.
        self.0.state.lock().unwrap().closed = true;
    }
}
