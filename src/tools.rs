//! The support tools and exports, run in the app's worker (`crates/worker`): the log decoder,
//! the support bundle (built by replaying the session there, and opened there), the story of a
//! bundle or a pasted log, the CSV exports and the granularity check. The worker is started on
//! first use and kept; nothing of it is in the first load.

use std::cell::RefCell;

pub use broute_worker::wire::{BundleJob, Request};

use crate::platform::files::FileBytes;
use crate::platform::worker::Worker;

thread_local! {
    static TOOLS: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

fn worker() -> Result<Worker, String> {
    TOOLS.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(w) = t.as_ref() {
            return Ok(w.clone());
        }
        let w = Worker::spawn(|_| {})?;
        *t = Some(w.clone());
        Ok(w)
    })
}

/// Run `req` in the worker and return its answer (text; CSVs are UTF-8 text).
pub async fn run(req: Request) -> Result<String, String> {
    worker()?.request(&req).await
}

/// Open a support bundle from a file's bytes in the worker: its story laid out in `lang`
/// (`broute_worker::story_view`), or a `broute_worker::wire::BundleProblem` in text form.
pub async fn open_bundle(lang: export::Lang, file: &FileBytes) -> Result<String, String> {
    let req = Request::OpenBundle {
        lang,
        bytes: Vec::new(),
    };
    worker()?.request_with(&req, Some(file)).await
}
