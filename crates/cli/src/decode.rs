//! `broute decode [FILE]`: read a serial log (file or stdin) and print one JSON object per
//! recognised command, reply, event and ECHONET frame. The decoding itself lives in
//! `logdecode` so the web app can run the same code in Wasm.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use logdecode::LogDecoder;

use crate::args::DecodeArgs;

/// Entry point of `broute decode`.
pub fn run(args: DecodeArgs) -> ExitCode {
    let path = args.file.as_deref().filter(|p| *p != "-");
    let mut reader: Box<dyn Read> = match path {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("broute decode: cannot open {p}: {e}");
                return ExitCode::from(1);
            }
        },
        None => Box::new(io::stdin().lock()),
    };
    match decode_stream(&mut reader, &mut io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broute decode: {e}");
            ExitCode::from(1)
        }
    }
}

/// Stream the log through the decoder in chunks, printing records as lines.
pub fn decode_stream(input: &mut dyn Read, output: &mut dyn Write) -> io::Result<()> {
    let mut dec = LogDecoder::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut recs = Vec::new();
    let mut out = io::BufWriter::new(output);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        dec.feed(&buf[..n], &mut recs);
        let mut lines = String::new();
        dec.render_batch(&recs, &mut lines);
        recs.clear();
        out.write_all(lines.as_bytes())?;
    }
    dec.finish(&mut recs);
    let mut lines = String::new();
    dec.render_batch(&recs, &mut lines);
    out.write_all(lines.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_matches_whole_and_handles_junk() {
        let log = b"SKVER\r\nEVER 1.2.10\r\nOK\r\n\xff\xfe\x00junk\r\n1081000102880105FF017201E704000004A8";
        let mut out = Vec::new();
        decode_stream(&mut &log[..], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, logdecode::decode_to_json_lines(log));
        // SKVER, EVER, OK, the junk line (passed through), the ECHONET frame.
        assert_eq!(text.lines().count(), 5);
        assert!(text.contains("\"value\":\"1192\""));
        assert!(text.contains("\"kind\":\"unrecognised\""));
    }
}
