#!/usr/bin/env bash
# Is loading CloudFormation at least as fast per resource as loading Terraform HCL?
#
#   bench/cfn_vs_hcl.sh [N ...]      corpus sizes (default: 100 1000)
#
# For each N, generates the Terraform corpus and its CloudFormation YAML twin
# (bench/gen_corpus.py --format terraform / cfn, seed 1: root i is the same scenario in
# both), times `sagescan scan CORPUS --format json` on each (median of 3 runs) and reports
# seconds, resources in the model (the JSON summary) and microseconds per resource. Before
# timing it checks the twins: the CFN corpus must scan with no coverage gaps, and the first
# PARITY_ROOTS roots (default 5) must give the same multiset of (code, status) per root in
# both formats; differences are printed (they are loader bugs) but do not stop the run.
# The Markdown table is printed and appended to bench/out/results.md.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
SAGESCAN="$CARGO_TARGET_DIR/release/sagescan"
PARITY_ROOTS="${PARITY_ROOTS:-5}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100 1000)

echo "building sagescan (release)" >&2
cargo build --release --locked -p sagescan >&2

# `sagescan scan $1 --format json` to stdout; exit 1 (findings) is expected, 2 is a tool error.
scan() {
    local status=0
    "$SAGESCAN" scan "$1" --format json 2>"$OUT/last-stderr" || status=$?
    if [ "$status" -ge 2 ]; then
        echo "sagescan failed on $1 (exit $status):" >&2
        cat "$OUT/last-stderr" >&2
        exit 1
    fi
}

# Median wall-clock seconds of 3 scans of $1.
median_seconds() {
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        scan "$1" >/dev/null
        end=$(date +%s.%N)
        python3 -c "print($end - $start)"
    done | python3 -c 'import statistics,sys; print(f"{statistics.median(float(l) for l in sys.stdin):.3f}")'
}

# Per-root parity of the twins: coverage gaps of the CFN corpus, and the (code, status) of
# the first PARITY_ROOTS roots compared as multisets.
check_twins() {
    local tf=$1 cfn=$2 root
    scan "$cfn" | python3 -c '
import json, sys
gaps = json.load(sys.stdin).get("coverage_gaps", [])
print(f"{sys.argv[1]}: {len(gaps)} coverage gap(s)")
for g in gaps[:10]:
    print("  ", json.dumps(g))
' "$cfn"
    for root in $(cd "$tf" && ls -d root-* | head -n "$PARITY_ROOTS"); do
        python3 - "$root" <(scan "$tf/$root") <(scan "$cfn/$root") <<'EOF'
import collections, json, sys
root, tf, cfn = sys.argv[1], *(json.load(open(p)) for p in sys.argv[2:])
def codes(doc):
    return collections.Counter(f"{f['code']}:{f['status']}" for f in doc["findings"])
a, b = codes(tf), codes(cfn)
if a == b:
    print(f"{root}: same findings ({sum(a.values())}: {' '.join(sorted(a.elements()))})")
else:
    print(f"{root}: DIFFERENT findings; only in HCL: {sorted((a - b).elements())}, "
          f"only in CFN: {sorted((b - a).elements())}")
EOF
    done
}

ROWS=()
for N in "${SIZES[@]}"; do
    TF="$OUT/corpus-$N"
    CFN="$OUT/corpus-cfn-$N"
    python3 bench/gen_corpus.py --roots "$N" --seed 1 --out "$TF" >&2
    python3 bench/gen_corpus.py --roots "$N" --seed 1 --out "$CFN" --format cfn >&2
    check_twins "$TF" "$CFN" >&2
    for corpus in "$TF" "$CFN"; do
        echo "sagescan on $corpus (3 runs)" >&2
        seconds=$(median_seconds "$corpus")
        resources=$(scan "$corpus" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["resources"])')
        bytes=$(find "$corpus" -type f ! -name manifest.json -exec cat {} + | wc -c | tr -d ' ')
        label="Terraform HCL"
        [ "$corpus" = "$CFN" ] && label="CloudFormation YAML"
        ROWS+=("| $label | $N | $(python3 -c "print(f'{$bytes / 1e6:.1f}')") | $resources | $seconds | $(python3 -c "print(f'{$seconds * 1e6 / $resources:.1f}')") |")
    done
done

{
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -sm)), sagescan $(cargo pkgid -p sagescan | sed 's/.*[#@]//'), median of 3."
    echo
    echo "| format | roots | MB | resources | median seconds | µs / resource |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${ROWS[@]}"
} | tee -a "$OUT/results.md"
