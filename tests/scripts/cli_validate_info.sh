#!/usr/bin/env bash
# The happy paths: validate the shipped configs, print peak figures, write
# byte-identical reports, and the CLI's --version/--help.
set -euo pipefail
NIBBLE=${NIBBLE_CLI:-build/bin/nibble}
cd "${NIBBLE_SOURCE_DIR:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; exit 1; }

# configs/tech/pe_area_synth.json is the PE area data of tools/synth_area
# (docs/rtl.md), not a tech table: script.rtl_area_table checks it.
shipped=$(ls configs/chips/*.json configs/tech/*.json | grep -v '/pe_area_synth\.json$')
out=$("$NIBBLE" validate $shipped) || fail "validate shipped configs"
n_files=$(wc -w <<<"$shipped")
[[ $(grep -c '^OK ' <<<"$out") -eq $n_files ]] || fail "want $n_files OK lines, got: $out"
echo "ok   validate shipped configs ($n_files files)"

out=$("$NIBBLE" info --chip configs/chips/rapid4.json)
grep -qE '^  int4_int4 +32768 +104.858$' <<<"$out" || fail "rapid4 int4 peak: $out"
grep -qE '^  hfp8 +8192 +26.2144$' <<<"$out" || fail "rapid4 hfp8 peak: $out"
grep -qE '^  scratchpad +2048 KiB$' <<<"$out" || fail "rapid4 scratchpad: $out"
echo "ok   info rapid4 peaks"

out=$("$NIBBLE" info --chip configs/chips/default.json --set /cores/0/array/rows=32)
grep -qE '^  int4_int4 +2048 +4.096$' <<<"$out" || fail "--set reaches info: $out"
echo "ok   info with --set"

"$NIBBLE" info --chip configs/chips/default.json --out "$tmp/a" >/dev/null
"$NIBBLE" -q info --chip configs/chips/default.json --out "$tmp/b" >/dev/null
for f in report.json report.csv summary.txt; do
  [[ -s "$tmp/a/$f" ]] || fail "missing $f"
done
diff -r "$tmp/a" "$tmp/b" >/dev/null || fail "reports of identical runs differ"
[[ $(ls -A "$tmp/a" | wc -l) -eq 3 ]] || fail "extra files in report folder: $(ls -A "$tmp/a")"
/usr/bin/python3 - "$tmp/a/report.json" <<'PY' || fail "report.json content"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["command"] == "info"
assert r["config"]["chip"]["cores"][0]["array"]["accumulation"] == "int_exact"  # a default, written out
assert r["config"]["tech"]["energy"]["fp32_mul"]["pj"] == 3.7
assert r["totals"]["cores"]["value"] == 1
precisions = [s["name"] for s in r["sections"] if s["kind"] == "precision"]
assert precisions == ["int4_int4", "int4_fp4", "hfp8", "fp16", "mxfp4", "nvfp4"], precisions
# Area per block kind, summing to the total (docs/energy.md section 6).
areas = {s["name"]: s["metrics"]["area"]["value"] for s in r["sections"] if s["kind"] == "area"}
assert list(areas) == ["array", "scratchpad", "lgu", "scale_unit", "sfu", "dma", "controller",
                       "ring_stop"], list(areas)
assert abs(sum(areas.values()) - r["totals"]["area_mm2"]["value"]) <= 1e-9 * sum(areas.values())
for k in ["peak_per_mm2_int4_int4", "peak_efficiency_int4_int4", "voltage", "leakage_power"]:
    assert r["totals"][k]["value"] > 0, k
assert r["nibble"]["git_commit"]
PY
# summary.txt is what info prints without --out.
cmp -s "$tmp/a/summary.txt" <("$NIBBLE" info --chip configs/chips/default.json) ||
  fail "summary.txt differs from info's output"
echo "ok   info --out writes identical reports"

# --set takes one value per flag, so files after it stay positional.
out=$("$NIBBLE" validate --set /clock_mhz=900 configs/chips/default.json configs/chips/rapid4.json)
[[ $(grep -c ' 900 MHz' <<<"$out") -eq 2 ]] || fail "--set before FILE...: $out"
echo "ok   validate --set applies to every file"

# `nibble schema` reproduces the checked-in generated files.
cmp -s <("$NIBBLE" schema --kind chip) configs/schema/chip.schema.json || fail "schema --kind chip"
cmp -s <("$NIBBLE" schema --kind tech) configs/schema/tech.schema.json || fail "schema --kind tech"
cp docs/config.md "$tmp/config.md"
"$NIBBLE" schema --write-docs "$tmp/config.md" >/dev/null
cmp -s "$tmp/config.md" docs/config.md || fail "schema --write-docs changes an up-to-date docs/config.md"
echo "ok   schema regenerates the checked-in files"

"$NIBBLE" --version | grep -qE '^nibble [0-9]+\.[0-9]+\.[0-9]+ \(' || fail "--version"
"$NIBBLE" --help | grep -q validate || fail "--help lists subcommands"
"$NIBBLE" validate --help | grep -q -- '--set' || fail "validate --help"
"$NIBBLE" info --help | grep -q -- '--out' || fail "info --help"
echo "ok   --version and --help"

# validate tells every file kind apart by its format/version field.
out=$("$NIBBLE" validate configs/chips/default.json configs/tech/horowitz45.json \
  configs/recipes/ibm4.json workloads/nets/cnn.json workloads/nets/resnet50.json \
  configs/sweeps/square_arrays_resnet18.json) || fail "validate every kind: $out"
for kind in 'chip "default"' 'technology table' 'recipe "ibm4"' 'trainer net "cnn"' \
            'arch net "resnet50"' 'sweep spec'; do
  echo "$out" | grep -qF "$kind" || fail "validate does not recognise $kind: $out"
done
echo '{"format": "nibble-mystery"}' >"$tmp/m.json"
if "$NIBBLE" validate "$tmp/m.json" 2>"$tmp/err"; then fail "unknown format accepted"; fi
grep -q 'expected nibble-workload, nibble-arch-net, nibble-sweep/1 or nibble-pe-area-synth' "$tmp/err" || fail "unknown format: $(cat "$tmp/err")"
echo "ok   validate recognises chip, tech, recipe, trainer net, arch net, sweep spec"

# Quiet by default: -q prints no warning.
"$NIBBLE" -q validate configs/chips/default.json >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "-q printed: $(cat "$tmp/err")"

# schema --out is a folder too.
"$NIBBLE" schema --kind chip --out "$tmp/schema" >/dev/null
cmp -s "$tmp/schema/chip.schema.json" configs/schema/chip.schema.json || fail "schema --out DIR"
echo "ok   schema --out DIR"
