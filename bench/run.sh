#!/usr/bin/env bash
# Benchmarks sagescan against Checkov on sagescan's own synthetic corpus.
#
#   bench/run.sh [N]      N Terraform roots (default 100; 1000 for the large run)
#
# Builds the release binary, generates the corpus (bench/gen_corpus.py, seed 1), installs
# Checkov into a venv under bench/out/, times each tool (median of 3 runs; Checkov only once
# on 1000 roots or more, it takes minutes) and prints a Markdown table that is also written
# to bench/out/results.md. With SHARED_CORPUS=/path/to/gen_tf_corpus.py it also measures the
# corpus that generator makes with --modules N --seed 1.
set -euo pipefail

N="${1:-100}"
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
SAGESCAN="$CARGO_TARGET_DIR/release/sagescan"

echo "building sagescan (release)" >&2
cargo build --release --locked -p sagescan >&2

VENV="$OUT/venv"
if [ ! -x "$VENV/bin/checkov" ]; then
    echo "installing checkov into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip >&2
    "$VENV/bin/pip" install --quiet checkov >&2
fi
CHECKOV="$VENV/bin/checkov"
CHECKOV_VERSION="$("$CHECKOV" --version 2>/dev/null | tail -n1)"

# Wall-clock seconds of one run of "$@" (output discarded, exit status ignored: both tools
# exit non-zero when they find something). A sagescan tool error (2) aborts the benchmark.
time_once() {
    local start end status=0
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$OUT/last-stderr" || status=$?
    end=$(date +%s.%N)
    if [ "$1" = "$SAGESCAN" ] && [ "$status" -ge 2 ]; then
        echo "sagescan failed (exit $status):" >&2
        cat "$OUT/last-stderr" >&2
        exit 1
    fi
    python3 -c "print(f'{$end - $start:.3f}')"
}

# Median of $1 runs of the rest.
median_of() {
    local runs=$1
    shift
    for _ in $(seq "$runs"); do time_once "$@"; done |
        python3 -c 'import statistics,sys; print(f"{statistics.median(float(l) for l in sys.stdin):.2f}")'
}

ROWS=()

# Measures both tools on corpus $2 labelled $1.
measure() {
    local label=$1 corpus=$2 files sagescan_s checkov_s checkov_runs=3 resources_s resources_c
    files=$(find "$corpus" -name '*.tf' | wc -l | tr -d ' ')
    [ "$(find "$corpus" -mindepth 1 -maxdepth 1 -type d | wc -l)" -ge 1000 ] && checkov_runs=1

    echo "sagescan on $label (3 runs)" >&2
    sagescan_s=$(median_of 3 "$SAGESCAN" scan "$corpus" --format json)
    resources_s=$({ "$SAGESCAN" scan "$corpus" --format json 2>/dev/null || true; } |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["resources"])' || echo "?")

    echo "checkov on $label ($checkov_runs run(s))" >&2
    checkov_s=$(median_of "$checkov_runs" "$CHECKOV" -d "$corpus" --framework terraform -o json --quiet)
    resources_c=$({ "$CHECKOV" -d "$corpus" --framework terraform -o json --quiet 2>/dev/null || true; } |
        python3 -c '
import json, sys
doc = json.load(sys.stdin)
docs = doc if isinstance(doc, list) else [doc]
print(sum(d.get("summary", {}).get("resource_count", 0) for d in docs))' || echo "?")

    local speedup
    speedup=$(python3 -c "print(f'{$checkov_s / max($sagescan_s, 0.001):.0f}×')")
    ROWS+=("| sagescan $(cargo pkgid -p sagescan | sed 's/.*[#@]//') | $label | $files | $resources_s | $sagescan_s | $speedup |")
    ROWS+=("| checkov $CHECKOV_VERSION | $label | $files | $resources_c | $checkov_s | 1× |")
}

CORPUS="$OUT/corpus-$N"
python3 bench/gen_corpus.py --roots "$N" --seed 1 --out "$CORPUS" >&2
measure "gen_corpus.py, $N roots" "$CORPUS"

if [ -n "${SHARED_CORPUS:-}" ] && [ -f "$SHARED_CORPUS" ]; then
    SHARED_OUT="$OUT/shared-corpus-$N"
    rm -rf "$SHARED_OUT"
    python3 "$SHARED_CORPUS" --modules "$N" --seed 1 --out "$SHARED_OUT" >&2
    measure "gen_tf_corpus.py, $N modules" "$SHARED_OUT"
fi

{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -sm))."
    echo
    echo "| tool | corpus | files | resources | median seconds | speed-up |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/results.md"
