#!/usr/bin/env bash
# workloads/examples/model.onnx is what tools/make_example_onnx.cpp writes
# (rebuilt here, compared byte for byte), and nibble imports it: batch 32,
# three convs and two fc layers, the middle ones in INT4.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
MAKER=$(dirname "$CLI")/make_example_onnx
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MAKER" "$T/model.onnx"
cmp -s "$T/model.onnx" "$SRC/workloads/examples/model.onnx" \
  || fail "workloads/examples/model.onnx is stale: rerun build/bin/make_example_onnx workloads/examples/model.onnx"
echo "ok   model.onnx matches tools/make_example_onnx"

"$CLI" import onnx "$SRC/workloads/examples/model.onnx" --out "$T/w" >"$T/log"
# conv1: 32*8*14*14*1*9 MACs; conv2 32*16*7*7*8*9; conv3 32*16*4*4*16*9; fc1 32*256*32; fc2 32*32*10.
grep -Eq '^conv1 +fp16 +451584 ' "$T/log" || fail "conv1 row: $(cat "$T/log")"
grep -Eq '^conv2 +int4_int4 +1806336 ' "$T/log" || fail "conv2 row: $(cat "$T/log")"
grep -Eq '^conv3 +int4_int4 +1179648 ' "$T/log" || fail "conv3 row: $(cat "$T/log")"
grep -Eq '^fc1 +int4_int4 +262144 ' "$T/log" || fail "fc1 row: $(cat "$T/log")"
grep -Eq '^fc2 +fp16 +10240 ' "$T/log" || fail "fc2 row: $(cat "$T/log")"
grep -q "model batch 32" "$T/log" || fail "batch: $(cat "$T/log")"
for f in workload.json report.json report.csv summary.txt; do [ -s "$T/w/$f" ] || fail "$f missing"; done
echo "ok   nibble import onnx reads it (batch 32, conv/relu/fc, INT4 inside, FP16 first/last)"
