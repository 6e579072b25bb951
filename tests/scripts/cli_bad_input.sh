#!/usr/bin/env bash
# Bad input on the command line: each case must exit 2 with a clear message,
# no crash or stack trace, and nothing written to --out.
set -uo pipefail
NIBBLE=${NIBBLE_CLI:-build/bin/nibble}
cd "${NIBBLE_SOURCE_DIR:-.}"
NIBBLE_PREFIX=""  # e.g. "timeout 60": a case that hangs fails instead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_bad NAME "MESSAGE FRAGMENT" ARGS...: exit 2, fragment on stderr,
# no crash markers, no --out folder.
expect_bad() {
  local name=$1 fragment=$2
  shift 2
  local out="$tmp/out_$name"
  $NIBBLE_PREFIX "$NIBBLE" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  local why=""
  [[ $rc -eq 2 ]] || why+=" exit=$rc (want 2);"
  grep -qF -- "$fragment" "$tmp/stderr" || why+=" stderr lacks '$fragment';"
  if grep -qE 'terminate called|Aborted|Segmentation|what\(\)|internal error|#[0-9]+ +0x|json\.exception|basic_string|stoll|filesystem error' "$tmp/stderr"; then
    why+=" crash markers on stderr;"
  fi
  [[ ! -e "$out" ]] || why+=" $out was written;"
  if [[ -n $why ]]; then
    echo "FAIL $name:$why"
    sed 's/^/    /' "$tmp/stderr" | head -20
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
info() { local name=$1 fragment=$2 chip=$3; shift 3; expect_bad "$name" "$fragment" info --chip "$chip" --out "$tmp/out_$name" "$@"; }

info nonexistent "no such file; expected a chip config" "$tmp/nope.json"
info directory "is a directory" "$tmp"
info device "not a regular file" /dev/null
: >"$tmp/empty.json"
info empty "file is empty" "$tmp/empty.json"
head -c 4096 /usr/bin/env >"$tmp/binary.json"
info binary "binary data (NUL byte at offset" "$tmp/binary.json"
printf '{\n  "name": "x",\n  "clock_mhz": ]\n}\n' >"$tmp/syntax.json"
info invalid_json "syntax.json:3:16: invalid JSON (line 3, column 16)" "$tmp/syntax.json"
printf '{"name": "x",}' >"$tmp/trailing.json"
info trailing_comma "invalid JSON (line 1, column 14)" "$tmp/trailing.json"

# 100 MB of valid JSON: refused by size before it is read, in bounded memory.
# Under AddressSanitizer, `ulimit -v` makes the shadow-memory reservation
# fail and RSS carries ASan's overhead: keep the checks, relax the limits.
if ldd "$NIBBLE" 2>/dev/null | grep -q libasan; then vmem_kb=unlimited; rss_scale=4; else vmem_kb=1000000; rss_scale=1; fi
{ printf '{"name": "'; head -c 100000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; } >"$tmp/huge.json"
/usr/bin/time -v -o "$tmp/time.txt" "$NIBBLE" info --chip "$tmp/huge.json" >/dev/null 2>"$tmp/stderr"
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
if [[ ${rss_kb:-999999} -lt $((65536 * rss_scale)) ]]; then echo "ok   huge_file_rss (${rss_kb} KiB)"; else
  echo "FAIL huge_file_rss: peak RSS ${rss_kb} KiB"; failures=$((failures + 1)); fi
info huge_file "a chip config must be at most 4 MiB" "$tmp/huge.json"
# Just under the limit, the costliest JSON per byte (empty objects): parsed,
# rejected for its content, in bounded memory (~40x the 4 MiB limit).
{ printf '{"a":['; head -c 1390000 /dev/zero | tr '\0' '{' | sed 's/{/{},/g'; printf '{}]}'; } >"$tmp/under.json"
( ulimit -v "$vmem_kb"; /usr/bin/time -v -o "$tmp/time.txt" "$NIBBLE" info --chip "$tmp/under.json" >/dev/null 2>"$tmp/stderr" )
rc=$?
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
if [[ $rc -eq 2 ]] && grep -qF "/a: unknown key" "$tmp/stderr" && [[ ${rss_kb:-999999} -lt $((262144 * rss_scale)) ]]; then
  echo "ok   under_limit_bounded (${rss_kb} KiB)"
else
  echo "FAIL under_limit_bounded: exit=$rc rss=${rss_kb} KiB"; head -3 "$tmp/stderr"; failures=$((failures + 1))
fi

chip=configs/chips/default.json
info set_unknown_pointer "/cores/0/array/rowz: unknown key" "$chip" --set /cores/0/array/rowz=8
info set_unknown_pointer_hint 'did you mean "rows"?' "$chip" --set /cores/0/array/rowz=8
info set_bad_index "/cores/7: unknown pointer" "$chip" --set /cores/7/count=2
info set_wrong_type 'found string "many" (from --set /cores/0/array/rows=many)' "$chip" --set /cores/0/array/rows=many
info set_out_of_range "/clock_mhz: out of range" "$chip" --set /clock_mhz=0
info set_malformed "expected /json/pointer=value" "$chip" --set cores.0.array.rows=8
info set_inconsistent "/cores/0/scratchpad/banks: inconsistent design" "$chip" --set /cores/0/scratchpad/banks=3
expect_bad info_without_chip "--chip is required" info
expect_bad unknown_subcommand "unknown command 'nosuchcommand'" nosuchcommand
expect_bad validate_mixed "1 of 2 file(s) invalid" validate "$chip" "$tmp/nope.json"
expect_bad validate_set_on_tech "--set applies to chip configs" validate configs/tech/horowitz45.json --set /node_nm=5

# Multiple errors of one file are all reported.
sed -e 's/"rows": 16/"rows": 0/' -e 's/"clock_mhz": 1000/"clock_mhz": "fast"/' -e 's|"../tech/|"'"$PWD"'/configs/tech/|' \
  "$chip" >"$tmp/two.json"
info all_errors "two.json: 2 errors" "$tmp/two.json"

# ---- Issue 18: hostile inputs and unsafe outputs (one case per example of
# the issue; each exit 2, a message naming the file, nothing written). ----
# A run that would hang (FIFO) must still end: every case has a time limit.
NIBBLE_PREFIX="timeout 60"
nested() { printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; }
out() { echo "$tmp/out_$1"; }

# Deep nesting: a workload description, a trainer net, a recipe --set value.
{ printf '{"format": "nibble-workload", "version": 1, "name": "w", "description": '; nested 60000; printf ', "ops": []}'; } >"$tmp/deep_wl.json"
expect_bad deep_workload "deep_wl.json: /description/0/0/0/0" run --chip "$chip" --workload "$tmp/deep_wl.json" --out "$(out deep_workload)"
{ printf '{"name": "n", "input": [1, 28, 28], "layers": '; nested 60000; printf '}'; } >"$tmp/deep_net.json"
expect_bad deep_trainer_net "deep_net.json: /layers/0/0/0/0" train --model "$tmp/deep_net.json" --out "$(out deep_trainer_net)"
expect_bad deep_recipe_set "--set /optimizer/momentum: /0/0/0" train --set "/optimizer/momentum=$(nested 60000)" --out "$(out deep_recipe_set)"
# Duplicate keys: the last one no longer silently wins.
printf '{"format": "nibble-workload", "version": 1, "name": "a", "name": "b", "ops": []}' >"$tmp/dup_wl.json"
expect_bad duplicate_key 'dup_wl.json: /name: duplicate key' run --chip "$chip" --workload "$tmp/dup_wl.json" --out "$(out duplicate_key)"

# A 65536^3 GEMM in timing mode: refused by the memory budget, fast.
cat >"$tmp/huge_gemm.json" <<'JSON'
{"format": "nibble-workload", "version": 1, "name": "huge", "ops": [
 {"name": "g", "layer": "g", "type": "gemm", "pass": "forward", "precision": "int4_int4",
  "m": 65536, "n": 65536, "k": 65536, "a": {"tensor": "x"}, "b": {"tensor": "w"}}]}
JSON
/usr/bin/time -v -o "$tmp/time_gemm.txt" timeout 60 "$NIBBLE" run --chip "$chip" --workload "$tmp/huge_gemm.json" --mode timing --out "$(out huge_gemm)" >/dev/null 2>"$tmp/stderr"
rc=$?
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time_gemm.txt")
if [[ $rc -eq 2 ]] && grep -q "would need .* GiB of memory" "$tmp/stderr" && [[ ${rss_kb:-9999999} -lt $((262144 * rss_scale)) ]]; then
  echo "ok   huge_gemm_budget (${rss_kb} KiB)"
else
  echo "FAIL huge_gemm_budget: exit=$rc rss=${rss_kb} KiB"; head -3 "$tmp/stderr"; failures=$((failures + 1))
fi

# Arch-net dimensions of 2^32: refused, no workload written.
cat >"$tmp/big_net.json" <<'JSON'
{"format": "nibble-arch-net", "version": 1, "name": "big", "layers": [
 {"name": "fc", "type": "linear", "in_features": 4294967296, "out_features": 4294967296}]}
JSON
expect_bad arch_net_2_32 "layer 'fc'" workload --net "$tmp/big_net.json" --out "$(out arch_net_2_32)"

# Trainer nets: a pooling window larger than the input, 5 classes on
# 10-class data.
cat >"$tmp/pool_net.json" <<'JSON'
{"name": "p", "input": [1, 28, 28], "layers": [
 {"type": "maxpool", "kernel": 29}, {"type": "linear", "out": 10}]}
JSON
expect_bad maxpool_window "pool_net.json: /layers/0/kernel: expected a window that fits the 28x28 input" train --model "$tmp/pool_net.json" --out "$(out maxpool_window)"
cat >"$tmp/five.json" <<'JSON'
{"name": "f", "input": [1, 28, 28], "classes": 5, "layers": [{"type": "linear", "out": 5}]}
JSON
if [[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  expect_bad classes_5 "five.json: /classes: expected 10" train --model "$tmp/five.json" --train-limit 8 --test-limit 8 --out "$(out classes_5)"
fi

# Flags: NaN and negative numbers are refused, not ignored or wrapped.
expect_bad lr_nan "--lr: expected a positive finite number, found nan" train --lr nan --out "$(out lr_nan)"
expect_bad seed_negative "--seed: expected a non-negative integer, found -1" train --seed -1 --out "$(out seed_negative)"
expect_bad run_seed_negative "--seed: expected a non-negative integer, found -1" run --chip "$chip" --workload mlp --seed -1 --out "$(out run_seed_negative)"
echo 1 | timeout 60 "$NIBBLE" quantize --format int4 --scale nan >/dev/null 2>"$tmp/stderr"; rc=$?
if [[ $rc -eq 2 ]] && grep -q "expected a positive finite number, found nan" "$tmp/stderr"; then echo "ok   quantize_scale_nan"; else
  echo "FAIL quantize_scale_nan: exit $rc"; failures=$((failures + 1)); fi

# Data files: a 16-byte IDX header claiming 2^26 images, a FIFO, a symlink loop.
mkdir -p "$tmp/idx"
/usr/bin/python3 - "$tmp/idx" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
gzip.open(f"{d}/train-images-idx3-ubyte.gz", "wb").write(struct.pack(">IIII", 0x803, 1 << 26, 28, 28))
gzip.open(f"{d}/train-labels-idx1-ubyte.gz", "wb").write(struct.pack(">II", 0x801, 1 << 26))
PY
expect_bad idx_huge_header "train-images-idx3-ubyte.gz: byte 4: the IDX header's 67108864 images of 28x28 pixels would need" train --data "$tmp/idx" --out "$(out idx_huge_header)"
mkdir -p "$tmp/fifo_data" && mkfifo "$tmp/fifo_data/train-images-idx3-ubyte.gz"
expect_bad idx_fifo "train-images-idx3-ubyte.gz: is a FIFO (named pipe), not a regular file" train --data "$tmp/fifo_data" --out "$(out idx_fifo)"
ln -s "$tmp/loop_b" "$tmp/loop_a" && ln -s "$tmp/loop_a" "$tmp/loop_b"
expect_bad data_symlink_loop "symbolic link loop" train --data "$tmp/loop_a" --out "$(out data_symlink_loop)"

# Traces: a FIFO manifest (used to hang), a manifest symlinked to /dev/zero.
mkdir -p "$tmp/trace_fifo" "$tmp/trace_zero"
mkfifo "$tmp/trace_fifo/manifest.json"
expect_bad trace_fifo "trace_fifo/manifest.json: is a FIFO" run --trace "$tmp/trace_fifo" --chip "$chip" --out "$(out trace_fifo)"
ln -s /dev/zero "$tmp/trace_zero/manifest.json"
expect_bad trace_dev_zero "trace_zero/manifest.json: is a character device, not a regular file" run --trace "$tmp/trace_zero" --chip "$chip" --out "$(out trace_dev_zero)"
expect_bad trace_not_folder "no such folder; expected a trace folder" run --trace "$tmp/nope_trace" --chip "$chip" --out "$(out trace_not_folder)"

# validate on a folder.
expect_bad validate_dir "is a directory" validate "$tmp"

# Outputs that are not what they should be: refused before anything runs.
: >"$tmp/a_file"
expect_bad train_out_file "--out $tmp/a_file: exists and is a regular file; expected a folder" train --out "$tmp/a_file"
expect_bad train_out_under_file "a parent of this path is not a folder" train --out "$tmp/a_file/sub"
expect_bad sweep_out_file "--out $tmp/a_file: exists and is a regular file; expected a folder" sweep --chip "$chip" --workload mlp --set /cores/0/array/rows=4,8 --out "$tmp/a_file"
expect_bad run_out_file "exists and is a regular file; expected a folder" run --chip "$chip" --workload mlp --out "$tmp/a_file"
expect_bad run_out_device "--out /dev/full: exists and is a character device" run --chip "$chip" --workload mlp --out /dev/full
expect_bad workload_out_device "--out /dev/full: exists and is a character device" workload --net mlp --out /dev/full
[[ -c /dev/full ]] && echo "ok   dev_full_still_a_device" || { echo "FAIL /dev/full was replaced"; failures=$((failures + 1)); }
mkdir -p "$tmp/tl_dir"
expect_bad timeline_folder "--timeline $tmp/tl_dir: exists and is a folder" run --chip "$chip" --workload mlp --timeline "$tmp/tl_dir" --out "$(out timeline_folder)"
: >"$tmp/a_file"
expect_bad workload_out_file "exists and is a regular file; expected a folder" workload --net mlp --out "$tmp/a_file"
ls "$tmp" | grep -q '\.tmp' && { echo "FAIL temp files left: $(ls "$tmp" | grep '\.tmp')"; failures=$((failures + 1)); }

# Importers write nothing before every input is validated.
printf 'Layer name, IFMAP Height,\nbad,x,\n' >"$tmp/bad_topology.csv"
expect_bad scalesim_partial "bad_topology.csv" import scalesim --cfg tests/data/scalesim/google.cfg --topology "$tmp/bad_topology.csv" --out "$(out scalesim_partial)"
printf 'not an onnx model' >"$tmp/bad.onnx"
expect_bad onnx_bad "bad.onnx: not an ONNX model" import onnx "$tmp/bad.onnx" --out "$(out onnx_bad)"
[[ ! -e "$(out onnx_bad).tmp" ]] || { echo "FAIL onnx left a .tmp"; failures=$((failures + 1)); }
expect_bad onnx_out_device "--out /dev/full: exists and is a character device" import onnx tests/data/onnx/tiny_cnn.onnx --batch 1 --out /dev/full

# A GEMM in a mode whose PE lane is absent (0 MACs/PE, the MXFP4/NVFP4
# default) is refused before anything runs, naming the chip file and the
# lane's pointer, in every mode and in a sweep (before any point runs).
cat >"$tmp/mx_gemm.json" <<'JSON'
{"format": "nibble-workload", "version": 1, "name": "mx", "ops": [
 {"name": "g", "layer": "g", "type": "gemm", "pass": "forward", "precision": "int4_int4",
  "m": 32, "n": 32, "k": 64, "a": {"tensor": "x"}, "b": {"tensor": "w"}},
 {"name": "g2", "layer": "g2", "type": "gemm", "pass": "forward", "precision": "mxfp4",
  "m": 32, "n": 32, "k": 64, "a": {"tensor": "x"}, "b": {"tensor": "w"}}]}
JSON
lane="$chip: /cores/0/array/macs_per_cycle_per_pe/mxfp4: op 'g2' (a GEMM in mxfp4) needs the mxfp4 lane"
for mode in timing fast detailed; do
  expect_bad "absent_lane_$mode" "$lane" run --chip "$chip" --workload "$tmp/mx_gemm.json" --mode $mode --out "$(out absent_lane_$mode)"
done
expect_bad absent_lane_sweep "sweep point 000_rows=8: $PWD/$lane" sweep --chip "$chip" --workload "$tmp/mx_gemm.json" --mode timing --set /cores/0/array/rows=8,16 --out "$(out absent_lane_sweep)"
sed 's/"mxfp4"/"nvfp4"/' "$tmp/mx_gemm.json" >"$tmp/nv_gemm.json"
expect_bad absent_lane_nvfp4 "/cores/0/array/macs_per_cycle_per_pe/nvfp4: op 'g2' (a GEMM in nvfp4)" run --chip configs/chips/default_blockfp4.json --set /cores/0/array/macs_per_cycle_per_pe/nvfp4=0 --workload "$tmp/nv_gemm.json" --mode timing --out "$(out absent_lane_nvfp4)"
"$NIBBLE" -q run --chip configs/chips/default_blockfp4.json --workload "$tmp/mx_gemm.json" --mode timing --out "$tmp/lane_ok" >/dev/null 2>&1 &&
  echo "ok   present_lane_runs" || { echo "FAIL the same GEMMs on default_blockfp4.json"; failures=$((failures + 1)); }

# Sweep-spec errors name the spec file and pointer, not a command-line flag.
cat >"$tmp/spec.json" <<JSON
{"format": "nibble-sweep/1", "chip": "$PWD/$chip", "workload": "mlp", "mode": "turbo",
 "axes": [{"pointer": "/cores/0/array/rows", "values": [4, 8]}]}
JSON
expect_bad sweep_spec_mode "spec.json: /mode: expected timing, fast or detailed" sweep --spec "$tmp/spec.json" --out "$(out sweep_spec_mode)"
grep -q -- "--mode" "$tmp/stderr" && { echo "FAIL sweep_spec_mode names a flag"; failures=$((failures + 1)); }
NIBBLE_PREFIX=""

[[ $failures -eq 0 ]] || { echo "$failures case(s) failed"; exit 1; }
