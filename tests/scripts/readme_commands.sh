#!/usr/bin/env bash
# The README as a test: every command line of README.md's "Using it" block
# runs exactly as written (from a scratch folder laid out like a fresh clone:
# configs, workloads, tools, build/bin), in order, and must exit 0. Long runs
# get tiny budgets through the environment (NIBBLE_MAX_IMAGES for training,
# NIBBLE_MAX_OPS for workload runs; docs/cli.md). Then: every --out folder
# holds report.json, report.csv and summary.txt; no SystemC banner or message
# reached the terminal; `nibble rerun` reproduced runs/r18 byte for byte.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
BIN=$(cd "$(dirname "$CLI")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for d in configs workloads tools docs; do ln -s "$SRC/$d" "$W/$d"; done
mkdir -p "$W/build" && ln -s "$BIN" "$W/build/bin"
# The README's python tools use the system python (matplotlib from Debian).
export PATH=/usr/bin:$PATH
export NIBBLE_MAX_IMAGES=64 NIBBLE_MAX_OPS=3

mapfile -t lines < <(awk '/^## Using it/{on=1} on && /^```sh/{block=1; next} block && /^```/{exit}
                          block && NF {print}' "$SRC/README.md")
[ "${#lines[@]}" -ge 15 ] || fail "found only ${#lines[@]} command lines in README.md"

cd "$W"
n=0
for line in "${lines[@]}"; do
  n=$((n + 1))
  if ! bash -c "$line" >"$W/out.$n" 2>"$W/err.$n"; then
    echo "--- stdout"; tail -20 "$W/out.$n"; echo "--- stderr"; tail -20 "$W/err.$n"
    fail "README command $n exited non-zero: $line"
  fi
  # Quiet by default: nothing from SystemC (banner, Info:, I702).
  if grep -Eq 'SystemC 2\.|Copyright|Info: |I702|Simulation stopped' "$W/out.$n" "$W/err.$n"; then
    fail "README command $n printed SystemC messages: $(grep -Eh 'SystemC|Info:|I702' "$W/out.$n" "$W/err.$n" | head -3)"
  fi
  # Every --out folder of a nibble command holds the three report files.
  if [[ $line == build/bin/nibble* && $line =~ --out\ ([^ ]+) ]]; then
    out=${BASH_REMATCH[1]}
    for f in report.json report.csv summary.txt; do
      [ -s "$out/$f" ] || fail "README command $n: $out/$f missing ($line)"
    done
  fi
  echo "ok   $n: $line"
done

for f in report.json report.csv summary.txt; do
  cmp -s runs/r18/$f runs/r18-again/$f || fail "nibble rerun: runs/r18-again/$f differs from runs/r18/$f"
done
echo "ok   rerun reproduced runs/r18 byte for byte"
echo "all ${#lines[@]} README commands ran"
