//! `cargo run -p logdecode --example decode -- FILE`: print the JSON lines of a log.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    match std::fs::read(&path) {
        Ok(b) => print!("{}", logdecode::decode_to_json_lines(&b)),
        Err(e) => eprintln!("{path}: {e}"),
    }
}
