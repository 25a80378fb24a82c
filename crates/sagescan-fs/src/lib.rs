//! The file system, as sagescan touches it: every path may come from a hostile pull
//! request. [`read_limited`] reads what the input names without hanging or exhausting
//! memory; [`write_atomic`] and [`write_within`] write without following links or leaving
//! a half-written file. No other code in sagescan reads a scanned path or writes a file.

mod read;
mod write;

pub(crate) use read::file_kind;
pub use read::{Named, ensure_ordinary, read_limited, read_text};
pub use write::{WriteError, ensure_within, write_atomic, write_within};
