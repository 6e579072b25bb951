#!/bin/bash
# nibble train from the command line: epoch lines, byte-identical reports
# for the same seed, exit code 2 with a clear message on bad input, and a
# trace whose tensors numpy loads (docs/trace_format.md).
set -u
CLI=${NIBBLE_CLI:?set NIBBLE_CLI to the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
DATA=/usr/share/datasets/fashion-mnist
if [ ! -f $DATA/train-images-idx3-ubyte.gz ]; then echo "SKIP: dataset-fashion-mnist not installed"; exit 0; fi

small="--net mlp --epochs 2 --train-limit 300 --test-limit 100"
"$CLI" train $small --recipe fp32 --seed 7 --out "$TMP/a" > "$TMP/a.txt" 2> "$TMP/a.err" || fail "train run failed: $(cat "$TMP/a.err")"
"$CLI" train $small --recipe fp32 --seed 7 --out "$TMP/b" > "$TMP/b.txt" 2>&1 || fail "second run failed"
cmp -s "$TMP/a/report.json" "$TMP/b/report.json" || fail "same seed, different report.json"
grep -qE '^epoch 2/2  loss [0-9.]+  train acc [0-9.]+  test acc [0-9.]+  lr [0-9.]+  [0-9]+ images/s$' "$TMP/a.txt" \
  || fail "no epoch line: $(cat "$TMP/a.txt")"
[ -s "$TMP/a.err" ] && fail "stderr not a terminal, yet something was printed: $(cat "$TMP/a.err")"
"$CLI" train $small --recipe fp32 --seed 8 --out "$TMP/c" > /dev/null 2>&1 || fail "seed 8 run failed"
cmp -s "$TMP/a/report.json" "$TMP/c/report.json" && fail "different seeds, same report"
/usr/bin/python3 - "$TMP/a/report.json" <<'PY' || fail "report.json content"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["history"]) == 2 and r["final"]["epoch"] == 2, r
assert 0.3 < r["final"]["test_accuracy"] <= 1.0, r["final"]
assert r["recipe"]["name"] == "fp32" and r["dataset"]["train_images"] == 300
PY

expect_exit2() {  # expect_exit2 "pattern" args...
  local pattern=$1; shift
  "$CLI" train "$@" > "$TMP/o.txt" 2> "$TMP/e.txt"
  local rc=$?
  [ $rc -eq 2 ] || fail "exit $rc (expected 2) for: $* -- $(cat "$TMP/e.txt")"
  grep -q -- "$pattern" "$TMP/e.txt" || fail "message lacks '$pattern': $(cat "$TMP/e.txt")"
  [ -e "$TMP/bad/report.json" ] && fail "a report was written despite the error"
  return 0
}
expect_exit2 "/ibm4/gradients/dx_fase" $small --recipe fp32 --out "$TMP/bad" --recipe-set /ibm4/gradients/dx_fase=odd
expect_exit2 "expected one of even, odd" $small --out "$TMP/bad" --recipe ibm4 --recipe-set /ibm4/gradients/dx_phase=third
# One vocabulary: --set is the chip's; old spellings warn; ignored flags are errors.
expect_exit2 "needs --chip FILE (use --recipe-set for the recipe)" $small --out "$TMP/bad" --set /cores/0/array/rows=32
expect_exit2 "--mode sets the simulated chip's fidelity and needs --chip" $small --out "$TMP/bad" --mode detailed
expect_exit2 "with --chip the simulated chip runs every GEMM" $small --out "$TMP/bad" --threads 2 --chip "$SRC/configs/chips/default.json"
"$CLI" train --model mlp --epochs 1 --train-limit 50 --test-limit 20 --set /optimizer/lr=0.01 \
  --out "$TMP/old" > /dev/null 2> "$TMP/old.err" || fail "old spellings: $(cat "$TMP/old.err")"
grep -q -- "--model is deprecated" "$TMP/old.err" || fail "no --model warning: $(cat "$TMP/old.err")"
grep -q -- "read as --recipe-set (deprecated" "$TMP/old.err" || fail "no --set warning: $(cat "$TMP/old.err")"
grep -q '"lr": 0.01' "$TMP/old/report.json" || fail "old --set did not reach the recipe"
for f in report.json report.csv summary.txt timing.json; do [ -s "$TMP/a/$f" ] || fail "$f missing"; done
cmp -s "$TMP/a/summary.txt" "$TMP/b/summary.txt" || fail "same seed, different summary.txt"
cmp -s "$TMP/a/report.csv" "$TMP/b/report.csv" || fail "same seed, different report.csv"
[ "$(wc -l < "$TMP/a/report.csv")" = 3 ] || fail "report.csv: a header and one row per epoch"
expect_exit2 "apt-get install dataset-fashion-mnist" $small --recipe fp32 --out "$TMP/bad" --data "$TMP/nowhere"
expect_exit2 "--net 'nosuchnet'" --net nosuchnet --out "$TMP/bad"
expect_exit2 "needs --trace-out" $small --recipe fp32 --out "$TMP/bad" --trace-steps 0
# A folder named like a recipe in the working directory does not shadow the
# named recipe; a folder given as a path is still an error.
mkdir -p "$TMP/cwd/fp32"
(cd "$TMP/cwd" && "$CLI" train $small --recipe fp32 --out run) > /dev/null 2> "$TMP/cwd.err" \
  || fail "--recipe fp32 beside a folder fp32: $(cat "$TMP/cwd.err")"
grep -q '"name": "fp32"' "$TMP/cwd/run/report.json" || fail "the named recipe was not used"
expect_exit2 "directory" $small --recipe "$TMP/cwd/fp32" --out "$TMP/bad"

# Trace of step 1 of a CNN ibm4 run; numpy opens a packed 4-bit tensor.
"$CLI" train --net cnn --recipe ibm4 --epochs 1 --batch 8 --train-limit 16 --test-limit 8 \
  --out "$TMP/t" --trace-out "$TMP/trace" --trace-steps 1 > /dev/null 2>&1 || fail "trace run failed"
[ -f "$TMP/trace/manifest.json" ] || fail "no manifest"
/usr/bin/python3 - "$TMP/trace" <<'PY' || fail "numpy could not read the trace"
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(f"{d}/manifest.json"))
assert m["format"] == "nibble-trace" and m["version"] == 1 and m["steps"][0]["step"] == 1
ops = m["steps"][0]["ops"]
g = next(o for o in ops if o["kind"] == "gemm" and o["a"]["encoding"] == "int4x2")
ref = g["a"]
packed = np.load(f"{d}/{ref['file']}")
assert packed.dtype == np.uint8
rows, cols = ref["shape"]
codes = np.empty(packed.size * 2, np.int8)
codes[0::2] = packed & 0xF
codes[1::2] = packed >> 4
codes = np.where(codes >= 8, codes - 16, codes)[: rows * cols].reshape(rows, cols)
assert codes.min() >= -7 and codes.max() <= 7 and np.any(codes != 0)
res = np.load(f"{d}/{g['result']['file']}")
assert res.dtype == np.float32 and list(res.shape) == [g["m"], g["n"]]
PY
# The three-line snippet of docs/trace_format.md runs as written.
snippet=$(awk '/^```python/{f=1;next} /^```/{if(f){exit}} f' "$SRC/docs/trace_format.md")
[ $(echo "$snippet" | wc -l) -eq 3 ] || fail "docs snippet is not three lines"
(cd "$TMP" && /usr/bin/python3 -c "$snippet
assert t.dtype.name == 'float32' and t.shape == (32, 9), t.shape  # conv1's FP32 weights") || fail "docs/trace_format.md snippet"
echo "PASS"
