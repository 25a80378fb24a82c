#!/usr/bin/env bash
# Does `sagescan fix` remove the safely fixable findings of a generated corpus, touching
# only the lines it must, keeping `terraform fmt` layout, and changing nothing when run twice?
#
#   bench/fix_corpus.sh [N] [GENERATOR]
#
# N roots (default 100, seed 1) from GENERATOR: bench/gen_corpus.py (default) or a script
# with the same `--modules/--roots N --seed S --out DIR` interface such as gen_tf_corpus.py.
# The corpus is committed to a scratch git repository; then: scan (JSON) → fix → scan →
# fix again. Prints a Markdown table of failed findings per fixable code before and after,
# the fix outcomes, files and lines touched (`git diff --numstat`, and with `-w`, which
# leaves out the `=` realignment `terraform fmt` asks for), whether
# `terraform fmt -check` passes (when terraform is installed) and whether the second fix
# changed anything. SAGESCAN may name a prebuilt binary; otherwise a release build is made.
set -euo pipefail

cd "$(dirname "$0")/.."
N="${1:-100}"
GENERATOR="${2:-bench/gen_corpus.py}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if [ -z "${SAGESCAN:-}" ]; then
    echo "building sagescan (release)" >&2
    cargo build --release --locked -p sagescan >&2
    SAGESCAN="$CARGO_TARGET_DIR/release/sagescan"
fi
SAGESCAN="$(realpath "$SAGESCAN")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if grep -q -- '--modules' "$GENERATOR"; then size=--modules; else size=--roots; fi
python3 "$GENERATOR" "$size" "$N" --seed 1 --out "$WORK/corpus" >&2
cd "$WORK/corpus"
git init -q . && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm corpus

# Failed findings per code, as JSON {code: count}. Exit 1 (findings) is expected.
fails() {
    local status=0
    "$SAGESCAN" scan . --no-config --no-store --format json >"$WORK/scan.json" 2>"$WORK/scan.err" || status=$?
    [ "$status" -le 1 ] || { cat "$WORK/scan.err" >&2; exit 1; }
    python3 -c '
import collections, json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(collections.Counter(f["code"] for f in d["findings"] if f["status"] == "fail")))
' "$WORK/scan.json"
}

fmt_check() {
    if ! command -v terraform >/dev/null; then echo "terraform not installed"
    elif terraform fmt -check -recursive . >/dev/null 2>&1; then echo clean
    else echo "NOT clean ($(terraform fmt -check -recursive . 2>/dev/null | wc -l) files)"; fi
}

fmt_before="$(fmt_check)"
before="$(fails)"
start=$(date +%s.%N)
status=0
"$SAGESCAN" fix . --no-config >"$WORK/fix.diff" 2>"$WORK/fix.err" || status=$?
seconds=$(echo "$(date +%s.%N) - $start" | bc)
[ "$status" -le 1 ] || { cat "$WORK/fix.err" >&2; exit 1; }
after="$(fails)"

read -r files added removed < <(git diff --numstat | awk '{f++; a+=$1; r+=$2} END {print f+0, a+0, r+0}')
# Without whitespace changes: the lines whose content changed, not `=` realignment.
read -r wadded wremoved < <(git diff -w --numstat | awk '{a+=$1; r+=$2} END {print a+0, r+0}')
fmt="$(fmt_check)"
second=0
"$SAGESCAN" fix . --no-config >"$WORK/fix2.diff" 2>/dev/null || second=$?
if [ -s "$WORK/fix2.diff" ] || [ -n "$(git status --porcelain | grep -v '^ M' || true)" ]; then
    idempotent="no: $(wc -l <"$WORK/fix2.diff") diff lines"
else
    idempotent="yes (empty diff)"
fi

python3 - "$before" "$after" "$WORK/fix.err" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
lines = open(sys.argv[3]).read().splitlines()
outcomes = {}
for line in lines:
    kind = line.split(" ", 1)[0]
    if kind in ("fixed", "suggested", "not", "unchanged"):
        code = line.split(": ", 1)[1].split(" ", 1)[0] if ": " in line else "?"
        key = {"not": "refused"}.get(kind, kind)
        outcomes.setdefault(code, {}).setdefault(key, 0)
        outcomes[code][key] += 1
# "same block": another instance of the same block (count, for_each, module) was fixed.
print("| code | failed before | fixed | same block | suggested | refused | failed after |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for code in sorted(outcomes):
    o = outcomes[code]
    print(f"| {code} | {before.get(code, 0)} | {o.get('fixed', 0)} | {o.get('unchanged', 0)} "
          f"| {o.get('suggested', 0)} "
          f"| {o.get('refused', 0)} | {after.get(code, 0)} |")
print(f"\nall failed findings: {sum(before.values())} before, {sum(after.values())} after")
PY
echo "fix: exit $status in ${seconds}s; files touched: $files; lines +$added -$removed (ignoring whitespace: +$wadded -$wremoved)"
echo "terraform fmt -check: before $fmt_before, after $fmt; second fix: exit $second, idempotent: $idempotent"
