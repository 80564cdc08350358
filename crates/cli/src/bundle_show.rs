//! `broute bundle show FILE`: the story of a support bundle — the support line, summary, cause
//! and fix, dongle and meter, a compact timeline, the scans — as text (`--lang ja|en`) or JSON
//! (`--json`).
//! Errors name the file and the kind of problem, never the bundle's content (the bundle
//! reader guarantees it).

use std::process::ExitCode;

use export::story::Story;
use export::support::SupportLine;
use export::{Bundle, Lang};

use crate::args::{LangArg, ShowArgs};

/// Entry point of `broute bundle show`.
pub fn run(a: ShowArgs) -> ExitCode {
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("broute bundle show: cannot read {}: {e}", a.file.display());
            return ExitCode::FAILURE;
        }
    };
    match show(&bytes, a.lang, a.json) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("broute bundle show: {}: {e}", a.file.display());
            ExitCode::from(2)
        }
    }
}

/// The text (or JSON) to print for a bundle's bytes.
pub fn show(bytes: &[u8], lang: LangArg, json: bool) -> Result<String, String> {
    let bundle = Bundle::from_bytes(bytes).map_err(|e| e.to_string())?;
    let story = Story::from_bundle(&bundle);
    let lang = match lang {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    };
    Ok(if json {
        story.to_json() + "\n"
    } else {
        // The line the customer read out, as the app showed it, then the story.
        let line = SupportLine::from_story(&story, bundle.app_version.as_str()).text(lang);
        format!("{line}\n\n{}", story.to_text(lang))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_a_bundle_and_never_quotes_a_bad_one() {
        let mut b = export::BundleBuilder::new(export::Redactor::new(), "test", 0);
        b.phase(0, broute::Phase::ExpectDongle);
        b.phase(1500, broute::Phase::ExpectJoin);
        b.serial(
            1600,
            false,
            b"EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n",
        );
        b.cause(1700, broute::Cause::AuthRefused);
        b.phase(1700, broute::Phase::Stopped);
        let j = b.build().to_json();
        let en = show(j.as_bytes(), LangArg::En, false).unwrap();
        assert!(en.contains("Support code BR-30"), "{en}");
        assert!(
            en.starts_with("Support code BR-30 | Step 6/7 Join | Dongle not identified | Signal unknown | App test\n"),
            "{en}"
        );
        assert!(en.contains("Timeline"));
        let ja = show(j.as_bytes(), LangArg::Ja, false).unwrap();
        assert!(ja.contains("メーターが認証を拒否しました。"), "{ja}");
        let js = show(j.as_bytes(), LangArg::En, true).unwrap();
        assert!(serde_json::from_str::<Story>(&js).is_ok());
        let secret = "{\"version\":1,\"x\":\"SKSETPWD C K7QX3M9PA2TB\"";
        let e = show(secret.as_bytes(), LangArg::En, false).unwrap_err();
        assert!(
            !e.contains("K7QX3M9PA2TB") && !e.contains("SKSETPWD"),
            "{e}"
        );
    }
}
