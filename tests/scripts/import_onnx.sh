#!/usr/bin/env bash
# nibble import onnx on tests/data/onnx/tiny_cnn.onnx (written by the C++
# builder in tests/workloads/onnx_model_builder.hpp): the MAC table matches
# hand-computed values, the workload JSON has the expected ops, and bad
# models (unsupported op, truncated, symbolic batch without --batch) exit 2
# with a message naming the problem and nothing written.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
MODEL="$SRC/tests/data/onnx/tiny_cnn.onnx"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# x[N,3,8,8] -> Conv 3->8 3x3 pad 1 -> Relu -> MaxPool 2 -> Flatten -> Gemm 128->10 -> Softmax.
# Batch 2: conv 2*8*8*8*3*9 = 27648 MACs, fc 2*128*10 = 2560; first/last layers FP16.
"$CLI" import onnx "$MODEL" --batch 2 --out "$OUT/fwd" >"$OUT/log"
cp "$OUT/fwd/workload.json" "$OUT/fwd.json"
for f in report.json report.csv summary.txt; do [ -s "$OUT/fwd/$f" ] || fail "fwd/$f missing"; done
grep -Eq '^conv +fp16 +27648 +0 +0$' "$OUT/log" || fail "conv row: $(cat "$OUT/log")"
grep -Eq '^fc +fp16 +2560 +0 +0$' "$OUT/log" || fail "fc row: $(cat "$OUT/log")"
grep -q "^5 layers from opset 13, 1 shape-only nodes; model batch 2$" "$OUT/log" \
  || fail "summary line: $(cat "$OUT/log")"

# Training step: the first layer has no dX; dW repeats each forward GEMM.
# The old file form of --out still works, with a deprecation warning.
"$CLI" import onnx "$MODEL" --batch 2 --training --out "$OUT/train.json" >"$OUT/log" 2>"$OUT/warn"
grep -q "a file name is deprecated" "$OUT/warn" || fail "no deprecation warning: $(cat "$OUT/warn")"
grep -Eq '^conv +fp16 +27648 +0 +27648$' "$OUT/log" || fail "training conv row: $(cat "$OUT/log")"
grep -Eq '^fc +fp16 +2560 +2560 +2560$' "$OUT/log" || fail "training fc row: $(cat "$OUT/log")"
/usr/bin/python3 - "$OUT/fwd.json" "$OUT/train.json" <<'PY'
import json, sys
fwd, train = (json.load(open(p)) for p in sys.argv[1:3])
assert fwd["format"] == "nibble-workload" and fwd["batch"] == 2 and not fwd["training"]
conv = next(o for o in fwd["ops"] if o["name"] == "conv.fwd")
assert (conv["type"], conv["in_channels"], conv["in_height"], conv["out_channels"],
        conv["kernel_h"], conv["padding"], conv["batch"]) == ("conv2d", 3, 8, 8, 3, 1, 2), conv
fc = next(o for o in fwd["ops"] if o["name"] == "fc.fwd")
assert (fc["m"], fc["n"], fc["k"]) == (2, 10, 128), fc
vec = {o["name"]: o["elements"] for o in fwd["ops"] if o["type"] == "vector"}
assert vec == {"relu.fwd": 1024, "pool.fwd": 1024, "softmax.fwd": 20}, vec
assert train["training"] and any(o["name"] == "conv.dW" for o in train["ops"])
assert not any(o["name"] == "conv.dX" for o in train["ops"])
PY

# The workload runs where workloads run (when `nibble run` is built in).
if "$CLI" run --help >/dev/null 2>&1; then
  "$CLI" run --chip "$SRC/configs/chips/default.json" --net "$OUT/train.json" \
    --mode timing --out "$OUT/run" >"$OUT/runlog" 2>&1 || fail "nibble run: $(cat "$OUT/runlog")"
fi

expect_error() {  # expect_error NAME PATTERN ARGS...
  local name=$1 pattern=$2
  shift 2
  set +e
  "$CLI" import onnx "$@" --out "$OUT/$name" >/dev/null 2>"$OUT/err"
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2: $(cat "$OUT/err")"
  grep -qF -- "$pattern" "$OUT/err" || fail "$name: message lacks '$pattern': $(cat "$OUT/err")"
  [ ! -e "$OUT/$name" ] || fail "$name: wrote a workload"
}

expect_error nobatch "dimension 0 (the batch) is symbolic ('N'); give --batch" "$MODEL"
head -c 200 "$MODEL" >"$OUT/truncated.onnx"
expect_error truncated "truncated.onnx: not an ONNX model" "$OUT/truncated.onnx" --batch 1
expect_error missing "nope.onnx: no such file" "$OUT/nope.onnx" --batch 1
# Same-length op type swap keeps the protobuf valid: Softmax -> Hardmax.
/usr/bin/python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d.replace(b"Softmax", b"Hardmax"))' \
  "$MODEL" "$OUT/hardmax.onnx"
expect_error unsupported "node 'softmax' has op type Hardmax, which the ONNX importer does not support; supported: " \
  "$OUT/hardmax.onnx" --batch 1
echo PASS
