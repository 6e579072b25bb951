#!/usr/bin/env bash
# nibble quantize: bad input gets a clear error naming the line, exit 2, and
# nothing on stdout; stochastic rounding is reproducible per seed.
set -uo pipefail
cli=${NIBBLE_CLI:?NIBBLE_CLI must point to the nibble binary}
fail=0
expect_error() {  # expect_error "<args>" "<stdin>" "<message fragment>"
  local out err rc
  err=$(printf '%b' "$2" | $cli quantize $1 2>&1 >/tmp/nibble_quantize_out.$$); rc=$?
  out=$(cat /tmp/nibble_quantize_out.$$); rm -f /tmp/nibble_quantize_out.$$
  if [[ $rc -ne 2 || "$err" != *"$3"* || -n "$out" ]]; then
    echo "FAIL: quantize $1 -> rc=$rc stderr='$err' stdout='$out' (wanted rc 2, '$3', empty stdout)"; fail=1
  fi
}
expect_error "--format fp16" '1\n2\nabc\n' 'stdin line 3: expected a number'
expect_error "--format int4" '1.5x\n' "line 1: expected a number, found '1.5x'"
expect_error "--format fp8" '1\n' 'fp8'
expect_error "--format fp4 --scale 3" '1\n' 'power of two'
expect_error "--format int4 --rounding stochastic" '1\n' 'only available for --format fp4'
expect_error "--format fp16 --phase odd" '1\n' 'fp4 only'
expect_error "--format fp4 --phase middle" '1\n' 'even or odd'
expect_error "--format int4 --scale -1" '1\n' 'positive'
# Same seed -> same codes; the codes average out to the input (unbiased).
in=$(for i in $(seq 1 2000); do echo 0.4; done)
a=$(echo "$in" | $cli quantize --format fp4 --rounding stochastic --seed 7)
b=$(echo "$in" | $cli quantize --format fp4 --rounding stochastic --seed 7)
c=$(echo "$in" | $cli quantize --format fp4 --rounding stochastic --seed 8)
[[ "$a" == "$b" ]] || { echo "FAIL: same seed gave different codes"; fail=1; }
[[ "$a" != "$c" ]] || { echo "FAIL: different seeds gave identical codes"; fail=1; }
mean=$(echo "$a" | awk '{s += $2} END {printf "%.4f", s / NR}')
# 0.4 lies between 0.25 and 1: sd of one draw = 0.75*sqrt(p(1-p)), p = 0.2 -> se = 0.0067.
awk -v m="$mean" 'BEGIN { exit !(m > 0.4 - 4 * 0.0067 && m < 0.4 + 4 * 0.0067) }' ||
  { echo "FAIL: stochastic mean $mean is not within 4 standard errors of 0.4"; fail=1; }
exit $fail
