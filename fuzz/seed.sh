#!/usr/bin/env bash
# Fills corpus/<target>/ with seeds taken from the repository's test fixtures (the corpus
# is not committed: it is regenerated from the fixtures and grows while fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus
mkdir -p "$out"/{hcl,tfvars,plan_json,cloudformation,config,suricata,scan_model}
seed() { # seed TARGET FILE [PREFIX]: copy FILE, named by its content hash
    local target=$1 file=$2 prefix=${3-}
    local tmp
    tmp=$(mktemp)
    { printf '%s' "$prefix"; cat "$file"; } >"$tmp"
    mv "$tmp" "$out/$target/$(sha1sum <"$tmp" | cut -c1-16)"
}
files() { git ls-files -- "$@"; }
for f in $(files '*.tf'); do seed hcl "$f"; done
# tfvars: the first byte picks HCL (even) or JSON (odd).
for f in $(files '*.tfvars'); do seed tfvars "$f" 'h'; done
for f in $(files '*.tfvars.json'); do seed tfvars "$f" 'i'; done
for f in $(files '*.json' '*.yaml' '*.yml' '*.template'); do
    if grep -q '"planned_values"\|"resource_changes"' "$f"; then
        seed plan_json "$f"
    elif grep -q 'Resources' "$f"; then
        seed cloudformation "$f"
    fi
done
# YAML aliases at the edge of the loader's expansion budget (64 MiB of text): 6 KB whose
# aliases expand to 80 MB, which must become a `too-large` gap rather than an allocation.
bomb=$(mktemp)
{
    printf "Metadata:\n  s: &s '%s'\n" "$(head -c 4096 /dev/zero | tr '\0' A)"
    printf '  l: &l [%s*s]\n' "$(printf '*s,%.0s' $(seq 99))"
    printf '  m: [%s*l]\n' "$(printf '*l,%.0s' $(seq 199))"
    printf 'Resources:\n  V: {Type: AWS::EC2::VPC, Properties: {Tags: *l}}\n'
} >"$bomb"
seed cloudformation "$bomb"
rm -f "$bomb"
for f in $(files '*.toml'); do
    case "$f" in */Cargo.toml | Cargo.toml | fuzz/*) ;; *) seed config "$f" ;; esac
done
# The template `sagescan init` writes (configuration tests write theirs inline).
sed -n '/^pub const TEMPLATE: &str = r#"/,/^"#;/p' crates/sagescan/src/config/template.rs |
    sed '1s/^pub const TEMPLATE: &str = r#"//; $d' >"$out/config/template"
# Snapshot-form models that check fixtures are written in.
for f in $(files 'crates/sagescan-checks/src/*.json'); do seed scan_model "$f"; done
# Suricata rules as they appear in fixtures (one rule per line inside rules strings).
for f in $(files '*.tf' '*.yaml' '*.json'); do
    { grep -hoE '(pass|drop|alert|reject) (tls|http|tcp|udp|ip|dns|icmp)[^"]*\)' "$f" 2>/dev/null || true; } |
        while IFS= read -r rule; do
            printf '%s\n' "$rule" >"$out/suricata/$(printf '%s' "$rule" | sha1sum | cut -c1-16)"
        done
done
for t in "$out"/*; do echo "$(ls "$t" | wc -l) seeds in $t"; done
