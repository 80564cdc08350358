#!/usr/bin/env bash
# Bounded fuzz campaign: run every target in fuzz/fuzz_targets for SECONDS each (default 60),
# or for RUNS executions each when FUZZ_RUNS is set (the recorded campaigns use
# FUZZ_RUNS=50000000), and print executions and crashes per target. Needs the nightly
# toolchain and cargo-fuzz (`make fuzz` installs both). Exit status 1 if any target crashed.
#
# The targets are built without a sanitizer (`-s none`): the crates are safe Rust
# (`#![deny(unsafe_code)]`), so AddressSanitizer would only slow the search (7× on the engine
# target); memory stays bounded by `-rss_limit_mb` instead.
#
#   fuzz/run.sh [SECONDS]          FUZZ_RUNS=N fuzz/run.sh
#   FUZZ_TARGETS="engine redact" fuzz/run.sh     (only these targets)
#   FUZZ_MAX_LEN=2048 fuzz/run.sh                 (another input bound than the target's)
set -euo pipefail

secs="${1:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: cargo-fuzz or the nightly toolchain is missing" >&2
    echo "  install with: rustup toolchain install nightly && cargo install cargo-fuzz --locked" >&2
    exit 2
fi

status=0
summary=()
for src in fuzz_targets/*.rs; do
    target="$(basename "$src" .rs)"
    if [[ -n "${FUZZ_TARGETS:-}" && " $FUZZ_TARGETS " != *" $target "* ]]; then
        continue
    fi
    mkdir -p "corpus/$target" "artifacts/$target"
    before="$(find "artifacts/$target" -maxdepth 1 -name 'crash-*' | wc -l)"
    log="$(mktemp)"
    echo "== $target: fuzzing for ${FUZZ_RUNS:+$FUZZ_RUNS runs}${FUZZ_RUNS:-${secs}s}" >&2
    # -print_final_stats prints "stat::number_of_executed_units"; "Done N runs" is printed
    # on a clean finish.
    # Inputs no longer than the longest thing a target must see whole: a J11 frame is at most
    # 1361 bytes; an SKSTACK line is cut at 4096 (so 4200 reaches the cut); the redactor's
    # longest pattern (the ID as hex with separators, a J11 credential frame as hex) is under
    # 200 bytes, and the harness chunks its input into 1..23-byte pieces, so 256 covers every
    # rule across chunk boundaries. Longer inputs only slow the search.
    case "$target" in
        redact) max_len=256 ;;
        j11_framer) max_len=2048 ;;
        engine) max_len=4096 ;;
        skstack_framer) max_len=4200 ;;
        *) max_len=8192 ;;
    esac
    max_len="${FUZZ_MAX_LEN:-$max_len}"
    if [[ -n "${FUZZ_RUNS:-}" ]]; then
        bound=(-runs="$FUZZ_RUNS")
    else
        bound=(-max_total_time="$secs")
    fi
    started=$(date +%s)
    if cargo +nightly fuzz run -s none "$target" "corpus/$target" -- \
        "${bound[@]}" -max_len="$max_len" -rss_limit_mb=1024 \
        -print_final_stats=1 >"$log" 2>&1; then
        :
    else
        status=1
    fi
    after="$(find "artifacts/$target" -maxdepth 1 -name 'crash-*' | wc -l)"
    crashes=$((after - before))
    runs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)"
    took="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n1)"
    if [[ -z "$runs" ]]; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)"
        took="$(( $(date +%s) - started ))"
    fi
    runs="${runs:-0}"
    took="${took:-$secs}"
    rate=$(( took > 0 ? runs / took : runs ))
    corpus="$(find "corpus/$target" -type f | wc -l)"
    if (( crashes > 0 )); then
        status=1
        tail -n 40 "$log" >&2
    fi
    line="$target: $runs execs in ${took}s ($rate execs/s), $crashes crash(es), corpus $corpus files"
    summary+=("$line")
    echo "$line"
    rm -f "$log"
done

echo "== fuzz summary ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
printf '%s\n' "${summary[@]}"
exit "$status"
