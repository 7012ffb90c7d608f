//! Moat finds the backend security holes of web apps — Row Level Security off
//! on a Supabase table, an always-true Firestore rule, a JWT verified without
//! pinned algorithms — in TypeScript, JavaScript, SQL migrations and Firebase
//! security rules, as a language server (`moat lsp`) and a command-line
//! checker (`moat check`).
//!
//! Layout: [`analysis`] is the pure engine (parsed file in, findings out);
//! [`lsp`] and [`cli`] are the two front ends; [`position`] does every
//! offset/position conversion; [`document`] holds one open file; [`language`]
//! knows file kinds, grammars and queries; [`config`] reads `moat.toml`;
//! [`fix`] applies quick-fix edits.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod document;
pub mod fix;
pub mod language;
pub mod lsp;
pub mod position;
pub mod walk;
