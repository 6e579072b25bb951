#!/usr/bin/env bash
# nibble run: a small network end to end (report.json contract, timeline,
# VCD in detailed mode, workload JSON input, SCALE-Sim inputs) and every bad
# invocation exits 2 having written nothing.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-.}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
CHIP="$SRC/configs/chips/default.json"
SMALL=(--set /cores/0/array/rows=4 --set /cores/0/array/cols=4)

# A library net in timing mode, with a timeline.
"$CLI" run --chip "$CHIP" --net mlp --training --batch 2 --mode timing \
  --out "$OUT/mlp" --timeline "$OUT/mlp.trace.json" >"$OUT/mlp.txt"
grep -q "mlp, batch 2, training step on default (timing mode)" "$OUT/mlp.txt" \
  || fail "title says batch and training: $(head -1 "$OUT/mlp.txt")"
for f in report.json report.csv summary.txt; do
  [ -s "$OUT/mlp/$f" ] || fail "missing $f"
done
/usr/bin/python3 - "$OUT/mlp/report.json" "$OUT/mlp.trace.json" "$OUT/mlp/report.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))
assert r["command"] == "run"
inv = r["invocation"]
assert inv["command_line"][:2] == ["nibble", "run"] and "--out" not in inv["command_line"], inv
assert inv["workload"]["name"] == "mlp" and len(inv["workload"]["sha256"]) == 64, inv
assert (inv["batch"], inv["training"], inv["seed"], inv["mode"]) == (2, True, 0, "timing"), inv
for k in ["cycles", "seconds", "macs", "ops", "energy_pj", "tops", "tops_per_w",
          "dram_bytes", "sram_bytes", "stall_cycles", "leakage_pj", "area_mm2", "voltage",
          "tops_per_mm2"]:
    assert set(r["totals"][k]) >= {"value", "unit"}, k
# Area: the per-kind sections sum to the total (summary.txt shows both).
areas = [s for s in r["sections"] if s["kind"] == "area"]
assert areas, "no area sections"
area_sum = sum(s["metrics"]["area"]["value"] for s in areas)
assert abs(area_sum - r["totals"]["area_mm2"]["value"]) <= 1e-9 * area_sum, area_sum
assert 0 < r["totals"]["leakage_pj"]["value"] < r["totals"]["energy_pj"]["value"]
assert r["totals"]["cycles"]["value"] == sum(op["cycles"] for op in r["ops"])
for op in r["ops"]:
    assert {"name", "layer", "pass", "type", "precision", "macs", "cycles", "energy_pj",
            "passes"} <= set(op), op
    for p in op["passes"]:
        assert set(p["stall_cycles"]) == {"dram", "bank_conflict", "dependency"}
        assert "total" in p["energy_pj"]
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) == sum(len(op["passes"]) for op in r["ops"])
t = json.load(open(sys.argv[2]))
cats = {e.get("cat") for e in t["traceEvents"] if e["ph"] == "X"}
assert {"array", "read DMA", "write DMA", "ops"} <= cats, cats
PY

# Workload JSON input (as `nibble workload --out` writes) and validate.
"$CLI" workload --net mlp --out "$OUT/w" >/dev/null
cp "$OUT/w/workload.json" "$OUT/mlp.json"
"$CLI" validate "$OUT/mlp.json" | grep -q "^OK .*workload" || fail "validate workload JSON"
# The invocation's SHA-256 is that of the workload JSON's bytes.
want=$(sha256sum "$OUT/mlp.json" | cut -d' ' -f1)
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --net "$OUT/mlp.json" --out "$OUT/h" >/dev/null
grep -q "\"sha256\": \"$want\"" "$OUT/h/report.json" || fail "workload SHA-256 is not sha256sum's $want"
# The old spelling works, with a deprecation warning.
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --workload "$OUT/mlp.json" --out "$OUT/old" >/dev/null 2>"$OUT/old.err"
grep -q "\-\-workload is deprecated" "$OUT/old.err" || fail "no deprecation warning: $(cat "$OUT/old.err")"
# Output flags create their folders; no --out gives a fresh out/run-N folder.
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --net "$OUT/mlp.json" --out "$OUT/deep/er/run" \
  --timeline "$OUT/new/folder/t.json" >/dev/null
[ -s "$OUT/new/folder/t.json" ] && [ -s "$OUT/deep/er/run/report.json" ] || fail "output folders not created"
(cd "$OUT" && "$CLI" run --chip "$CHIP" "${SMALL[@]}" --net mlp.json >/dev/null &&
  "$CLI" run --chip "$CHIP" "${SMALL[@]}" --net mlp.json >/dev/null)
[ -s "$OUT/out/run-1/report.json" ] && [ -s "$OUT/out/run-2/report.json" ] || fail "runs without --out share a folder"
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --net "$OUT/mlp.json" --out "$OUT/a" >/dev/null
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --net "$OUT/mlp.json" --out "$OUT/b" >/dev/null
cmp -s "$OUT/a/report.json" "$OUT/b/report.json" || fail "same seed, different report.json"

# DETAILED with a VCD of core 0's PE registers.
"$CLI" run --chip "$CHIP" "${SMALL[@]}" --net "$OUT/mlp.json" --mode detailed \
  --out "$OUT/d" --vcd "$OUT/pe.vcd" >/dev/null
grep -q '\$enddefinitions' "$OUT/pe.vcd" || fail "VCD not written"

# SCALE-Sim inputs.
printf 'Layer,M,N,K\nL0,64,32,16\n' >"$OUT/topo.csv"
"$CLI" run --scalesim-cfg "$SRC/tests/data/scalesim/scale_user_os.cfg" \
  --scalesim-topology "$OUT/topo.csv" --mode timing --out "$OUT/ss" >/dev/null
head -1 "$OUT/ss/compute_report.csv" | grep -q "^LayerID, Total Cycles, Stall Cycles" \
  || fail "compute_report.csv header"

# Bad invocations: exit 2, nothing written.
bad() {
  local name=$1
  shift
  set +e
  "$CLI" run "$@" --out "$OUT/bad_$name" 2>"$OUT/err_$name" >/dev/null
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$name: exit $rc ($(cat "$OUT/err_$name"))"
  [ ! -e "$OUT/bad_$name" ] || fail "$name: wrote $OUT/bad_$name"
}
bad missing_workload --chip "$CHIP" --net no_such_net
grep -q "resnet18" "$OUT/err_missing_workload" || fail "missing workload error lists the library"
bad bad_mode --chip "$CHIP" --net mlp --mode turbo
grep -q "turbo" "$OUT/err_bad_mode" || fail "bad mode not named"
bad vcd_not_detailed --chip "$CHIP" --net mlp --mode fast --vcd "$OUT/x.vcd"
[ ! -e "$OUT/x.vcd" ] || fail "VCD written outside detailed mode"
bad trace_and_workload --chip "$CHIP" --net mlp --trace "$OUT"
bad no_chip --net mlp
# A flag the source ignores is an error.
bad batch_on_workload_json --chip "$CHIP" --net "$OUT/mlp.json" --batch 64
grep -q "\-\-batch applies to networks" "$OUT/err_batch_on_workload_json" || fail "batch on workload JSON"
bad training_on_workload_json --chip "$CHIP" --net "$OUT/mlp.json" --training
bad seed_in_timing --chip "$CHIP" --net mlp --mode timing --seed 3
bad batch_on_scalesim --scalesim-cfg "$SRC/tests/data/scalesim/scale_user_os.cfg" \
  --scalesim-topology "$OUT/topo.csv" --batch 4
echo PASS
