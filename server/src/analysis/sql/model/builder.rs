//! Replaying statements into a [`Schema`]. (Being written.)

use super::{Schema, Settings, SqlFile};

pub(super) fn build(files: &[SqlFile<'_>], settings: &Settings) -> Schema {
    Schema {
        files: files.iter().map(|f| f.path.clone()).collect(),
        exposed_schemas: settings.exposed_schemas.clone(),
        default_api_grants: settings.default_api_grants,
        ..Schema::default()
    }
}
