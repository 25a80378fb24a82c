#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 600; 0: no time limit), niced, one
# job at a time, and appends the final libFuzzer figures of each run to results.log.
#   fuzz/run.sh [SECONDS] [TARGET...]
#   RUNS=10000000 fuzz/run.sh 0 hcl     # stop after ten million executions instead
# Needs cargo-fuzz (`cargo install cargo-fuzz`); works on stable Rust with `-s none`.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(hcl tfvars plan_json cloudformation config suricata scan_model)
fi
[ -d corpus/hcl ] || ./seed.sh
runs=()
if [ -n "${RUNS:-}" ]; then runs=(-runs="$RUNS"); fi

# The largest input per target. Each format's constructs fit in a few hundred bytes, and an
# execution costs time in proportion to its input's length, so a bound of a few KiB keeps the
# fuzzer on variety rather than on length (sheer size, 10 MB lines and 10,000-deep nesting
# are the bad-input corpus's cases, crates/sagescan/tests/hostile.rs).
max_len() {
    case $1 in
        suricata | config | tfvars) echo 4096 ;;
        *) echo 16384 ;;
    esac
}

cargo fuzz build -s none
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/$t/last-run.log"
    start=$(date +%s)
    # -rss_limit_mb: a run past 2 GiB is a crash (memory must stay bounded);
    # -timeout: an input taking over 30 s is a crash (hostile input must not hang a scan;
    # the HCL parser has its own 10 s budget per file, which must win).
    status=0
    nice -n 10 cargo fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$secs" ${runs[@]+"${runs[@]}"} -rss_limit_mb=2048 -timeout=30 \
        -max_len="$(max_len "$t")" -print_final_stats=1 >"$log" 2>&1 || status=$?
    end=$(date +%s)
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    peak=$(grep -oE 'stat::peak_rss_mb: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    corpus=$(ls "corpus/$t" | wc -l)
    printf '%s\t%s\texecs=%s\tseconds=%s\tpeak_rss_mb=%s\tcorpus=%s\texit=%s\n' \
        "$(date -u +%FT%TZ)" "$t" "$execs" "$((end - start))" "$peak" "$corpus" "$status" | tee -a results.log
done
