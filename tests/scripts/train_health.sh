#!/bin/bash
# Numerics health in nibble train's reports (issue 15): report.json's
# numerics_health (totals = sums over layers and epochs, the fixed totals
# interface), the report.csv columns and the summary.txt health line, all
# byte-identical for the same seed with a 4-bit recipe.
set -u
CLI=${NIBBLE_CLI:?set NIBBLE_CLI to the nibble binary}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
DATA=/usr/share/datasets/fashion-mnist
if [ ! -f $DATA/train-images-idx3-ubyte.gz ]; then echo "SKIP: dataset-fashion-mnist not installed"; exit 0; fi

small="--net mlp --recipe ibm4 --epochs 2 --train-limit 256 --test-limit 64 --seed 3"
"$CLI" train $small --out "$TMP/a" > /dev/null 2> "$TMP/a.err" || fail "train: $(cat "$TMP/a.err")"
"$CLI" train $small --out "$TMP/b" > /dev/null 2>&1 || fail "second run failed"
for f in report.json report.csv summary.txt; do
  cmp -s "$TMP/a/$f" "$TMP/b/$f" || fail "same seed, different $f"
done
[ "$(grep -c '^  health: ' "$TMP/a/summary.txt")" = 2 ] || fail "no health line per epoch: $(cat "$TMP/a/summary.txt")"
head -1 "$TMP/a/report.csv" | grep -q ',acc_saturations,fp4_underflow_fraction,fp4_saturation_fraction,gradscale_changes,pact_clip_fraction,weight_clip_fraction$' \
  || fail "report.csv header: $(head -1 "$TMP/a/report.csv")"
/usr/bin/python3 - "$TMP/a/report.json" "$TMP/a/report.csv" <<'PY' || fail "numerics_health content"
import csv, json, sys
r = json.load(open(sys.argv[1]))
h = r["numerics_health"]
keys = ["acc_saturations", "fp4_underflow_fraction", "fp4_saturation_fraction",
        "gradscale_changes", "pact_clip_fraction", "weight_clip_fraction"]
assert sorted(h["totals"]) == sorted(keys), h["totals"]
layers = [l for e in h["per_epoch"] for l in e["layers"]]
names = [g["name"] for g in r["model"]["gemm_layers"]]
assert [l["layer"] for l in h["per_epoch"][0]["layers"]] == names
s = lambda f: sum(f(l) for l in layers)
t = h["totals"]
assert t["acc_saturations"] == s(lambda l: l["forward"]["acc_saturations"] + l["dx"]["acc_saturations"] + l["dw"]["acc_saturations"])
assert t["gradscale_changes"] == s(lambda l: l["gradscale_changes"]) > 0
el = s(lambda l: l["grad_fp4"]["elements"])
assert el > 0 and t["fp4_underflow_fraction"] == s(lambda l: l["grad_fp4"]["underflow"]) / el
assert t["weight_clip_fraction"] == s(lambda l: l["weights"]["clipped"]) / s(lambda l: l["weights"]["elements"]) > 0
rows = list(csv.DictReader(open(sys.argv[2])))
for row, e in zip(rows, h["per_epoch"]):
    for k in keys:
        assert json.loads(row[k]) == e["totals"][k], (k, row[k], e["totals"][k])
PY
echo "ok"
