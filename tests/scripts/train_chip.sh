#!/bin/bash
# nibble train --chip: closed-loop training on the simulated chip from the
# command line. The per-epoch line carries the chip's cycles and energy per
# step, report.json the chip figures (history[i].chip and the top-level
# "chip" with per layer/pass costs), the same loss/accuracy as the software
# run for the same seed, and a bad --chip file exits 2 naming the file.
set -u
CLI=${NIBBLE_CLI:?set NIBBLE_CLI to the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
DATA=/usr/share/datasets/fashion-mnist
if [ ! -f $DATA/train-images-idx3-ubyte.gz ]; then echo "SKIP: dataset-fashion-mnist not installed"; exit 0; fi

small="--net cnn --recipe ibm4 --epochs 1 --train-limit 64 --test-limit 32 --batch 32 --seed 3"
"$CLI" train $small --chip "$SRC/configs/chips/default.json" --out "$TMP/chip" > "$TMP/chip.txt" 2> "$TMP/chip.err" \
  || fail "chip run failed: $(cat "$TMP/chip.err")"
"$CLI" train $small --out "$TMP/sw" > "$TMP/sw.txt" 2>&1 || fail "software run failed: $(cat "$TMP/sw.txt")"
grep -qE '^epoch 1/1  loss [0-9.]+  train acc [0-9.]+  test acc [0-9.]+  lr [0-9.]+  [0-9]+ images/s  chip [0-9]+ cycles/step  [0-9.]+ uJ/step$' "$TMP/chip.txt" \
  || fail "no chip epoch line: $(cat "$TMP/chip.txt")"
/usr/bin/python3 - "$TMP/chip/report.json" "$TMP/sw/report.json" <<'PY' || fail "report.json content"
import json, sys
chip, sw = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
h = chip["history"][0]
assert h["chip"]["steps"] == 2 and h["chip"]["cycles_per_step"] > 0, h
assert h["chip"]["energy_uj_per_step"] > 0 and h["chip"]["time_to_train_s"] > 0, h
assert h["chip"]["energy_to_train_j"] > 0, h
c = chip["chip"]
assert c["mode"] == "fast" and c["clock_mhz"] == 1000 and c["steps"] == 2, c
assert abs(c["simulated_seconds"] - c["cycles"] / 1e9) < 1e-12, c
assert c["tops_per_w"] > 0
names = {op["name"] for op in c["ops"]}
for n in ["conv1.forward", "conv2.grad_input", "conv1.grad_weight", "fc2.update", "fc1.grad_quantize"]:
    assert n in names, (n, names)
assert sum(op["cycles"] for op in c["ops"]) == c["cycles"], "per-op cycles do not add up"
# The chip's area (issue 14): blocks sum to the total, peak per mm^2 per mode
# with a lane (the default chip has no MXFP4/NVFP4 lanes), achieved TOPS/mm^2.
ar = c["area"]
assert list(ar["blocks"]) == sorted(["array", "scratchpad", "lgu", "scale_unit", "sfu", "dma",
                                     "controller", "ring_stop"]), ar["blocks"]
assert abs(sum(b["mm2"] for b in ar["blocks"].values()) - ar["total_mm2"]) <= 1e-9 * ar["total_mm2"]
assert set(ar["peak"]) == {"int4_int4", "int4_fp4", "hfp8", "fp16"}, ar["peak"]
assert abs(ar["peak"]["int4_int4"]["tops_per_mm2"] - 2.048 / ar["total_mm2"]) < 1e-12, ar["peak"]
want = c["tops_per_w"] * c["energy_pj"] / c["simulated_seconds"] / 1e12 / ar["total_mm2"]
assert abs(ar["achieved_tops_per_mm2"] - want) <= 1e-9 * want, (ar["achieved_tops_per_mm2"], want)
# Closed loop: same numbers as the software executor for the same seed.
for k in ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]:
    assert h[k] == sw["history"][0][k], (k, h[k], sw["history"][0][k])
PY
grep -qE '^chip area [0-9.]+ mm\^2 \(array [0-9.]+, scratchpad [0-9.]+, .*peak [0-9.]+ TOPS/mm\^2 int4_int4$' "$TMP/chip/summary.txt" \
  || fail "summary.txt has no chip area line: $(head -3 "$TMP/chip/summary.txt")"
/usr/bin/python3 "$SRC/tools/plot_training" "$TMP/chip/report.json" --reference "$TMP/sw/report.json" > "$TMP/plot.txt" \
  || fail "plot_training failed: $(cat "$TMP/plot.txt")"
[ -s "$TMP/chip/accuracy.png" ] && [ -s "$TMP/chip/energy_accuracy.png" ] || fail "plots not written"

echo '{"name": "broken", "clock_mhz": "fast"}' > "$TMP/bad.json"
"$CLI" train $small --chip "$TMP/bad.json" --out "$TMP/bad" > "$TMP/bad.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "bad --chip: exit $rc, expected 2: $(cat "$TMP/bad.txt")"
grep -q "bad.json" "$TMP/bad.txt" || fail "bad --chip: message does not name the file: $(cat "$TMP/bad.txt")"
[ -e "$TMP/bad" ] && fail "bad --chip still created the output folder"
"$CLI" train $small --chip "$TMP/missing.json" --out "$TMP/bad" > "$TMP/miss.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "missing --chip: exit $rc, expected 2"

# One source of truth for the arithmetic (issue 15): on a chip the chip owns
# the accumulator. A recipe acc_bits that disagrees is an error naming both
# files and pointers, before anything is written; one that agrees, or none,
# trains; the report records the chip's width; 8 bits is a legal chip.
tiny="--net cnn --recipe ibm4 --epochs 1 --train-limit 32 --test-limit 32 --batch 32 --seed 3"
"$CLI" train $tiny --recipe-set /gemm/acc_bits=14 --chip "$SRC/configs/chips/default.json" \
  --out "$TMP/clash" > /dev/null 2> "$TMP/clash.err"
[ $? -eq 2 ] || fail "recipe acc_bits 14 on a 32-bit chip: expected exit 2"
grep -q "ibm4.json: /gemm/acc_bits is 14, but the chip .*default.json has /cores/0/array/accumulator_bits = 32" "$TMP/clash.err" \
  || fail "clash message: $(cat "$TMP/clash.err")"
[ ! -e "$TMP/clash" ] || fail "the refused run wrote $TMP/clash"
"$CLI" train $tiny --recipe-set /gemm/accumulation=fp16_chunked --chip "$SRC/configs/chips/default.json" \
  --out "$TMP/clash2" > /dev/null 2> "$TMP/clash2.err"
[ $? -eq 2 ] && grep -q "/gemm/accumulation is fp16_chunked, but the chip" "$TMP/clash2.err" \
  || fail "accumulation clash: $(cat "$TMP/clash2.err")"
"$CLI" train $tiny --recipe-set /gemm/acc_bits=12 --set /cores/0/array/accumulator_bits=12 \
  --chip "$SRC/configs/chips/default.json" --out "$TMP/agree" > /dev/null 2>&1 || fail "agreeing widths refused"
"$CLI" train $tiny --set /cores/0/array/accumulator_bits=8 --chip "$SRC/configs/chips/default.json" \
  --out "$TMP/acc8" > /dev/null 2> "$TMP/acc8.err" || fail "an 8-bit chip accumulator refused: $(cat "$TMP/acc8.err")"
/usr/bin/python3 -c "
import json, sys
g = json.load(open('$TMP/acc8/report.json'))['recipe']['gemm']
assert g == {'accumulation': 'int_exact', 'acc_bits': 8}, g
g = json.load(open('$TMP/agree/report.json'))['recipe']['gemm']
assert g['acc_bits'] == 12, g
" || fail "report records the chip's accumulator"
"$CLI" train $tiny --set /cores/0/array/accumulator_bits=7 --chip "$SRC/configs/chips/default.json" \
  --out "$TMP/acc7" > /dev/null 2> "$TMP/acc7.err"
[ $? -eq 2 ] && grep -q "accumulator_bits: out of range: expected integer in \[8, 64\]" "$TMP/acc7.err" \
  || fail "7-bit accumulator: $(cat "$TMP/acc7.err")"
echo "ok   the chip owns the accumulator: clashes refused, agreement and 8 bits accepted"
