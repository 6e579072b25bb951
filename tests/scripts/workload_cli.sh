#!/usr/bin/env bash
# nibble workload: library networks lower to workload JSON with the expected
# total MACs, --training triples them, and unknown nets are named errors.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$CLI" workload --net resnet50 >"$OUT/fwd"
grep -q "^total: 4.089" "$OUT/fwd" || fail "resnet50 forward: $(tail -1 "$OUT/fwd")"
"$CLI" workload --net mobilenet_v2 --training --batch 2 --out "$OUT/m" >"$OUT/train"
for f in workload.json report.json report.csv summary.txt; do [ -s "$OUT/m/$f" ] || fail "m/$f missing"; done
grep -q '"title": "mobilenet_v2, batch 2, training step"' "$OUT/m/report.json" || fail "workload report title"
grep -q "^total: 1.78" "$OUT/train" || fail "mobilenet_v2 training batch 2: $(tail -2 "$OUT/train")"
/usr/bin/python3 - "$OUT/m/workload.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
assert w["training"] and w["batch"] == 2
passes = {op["pass"] for op in w["ops"]}
assert passes == {"forward", "dX", "dW", "weight_update"}, passes
dw = [op for op in w["ops"] if op["type"] == "conv2d" and op["groups"] > 1]
assert dw and all(op["groups"] == op["in_channels"] for op in dw)  # depthwise
PY
"$CLI" workload --net bert_base_layer --seq-len 512 | grep -q "^total: 4.0265" \
  || fail "bert seq 512: 512*(4*768^2+2*768*3072) + 2*12*512^2*64 = 4.0265 GMACs"
set +e
"$CLI" workload --net no_such_net 2>"$OUT/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown net: exit $rc"
grep -q "resnet18" "$OUT/err" || fail "unknown net error does not list the library"
echo PASS
