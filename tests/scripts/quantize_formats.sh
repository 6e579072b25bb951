#!/usr/bin/env bash
# nibble quantize: codes and decoded values for every format, checked
# against hand-computed expectations (boundaries, ties, saturation).
set -euo pipefail
cli=${NIBBLE_CLI:?NIBBLE_CLI must point to the nibble binary}
fail=0
check() {  # check "<args>" "<stdin>" "<expected stdout>"
  local got
  got=$(printf '%b' "$2" | $cli quantize $1)
  if [[ "$got" != "$(printf '%b' "$3")" ]]; then
    echo "FAIL: quantize $1"; echo "  input:    $(printf '%b' "$2" | tr '\n' ' ')"
    echo "  expected: $(printf '%b' "$3" | tr '\n' '|')"; echo "  got:      $(echo "$got" | tr '\n' '|')"
    fail=1
  fi
}
# INT4: step 1 by default, ties to even, clip at +-7, NaN -> 0.
check "--format int4" '0.5\n1.5\n2.5\n-2.5\n7.4\n100\n-100\nnan\n' '0 0\n2 2\n2 2\n-2 -2\n7 7\n7 7\n-7 -7\n0 0\n'
check "--format int4 --scale 0.7" '0.05\n0.15\n-0.7\n' '0 0\n2 0.2\n-7 -0.7\n'
# UINT4 (PACT): clip to [0, alpha], 16 levels.
check "--format uint4" '-3\n0.5\n14.6\n99\n' '0 0\n0 0\n15 15\n15 15\n'
check "--format uint4 --scale 3" '1\n2.9\n3\n' '5 1\n14 2.8\n15 3\n'  # 2.9/0.2 = 14.5: tie to even
# FP4: code 0 = zero, codes 1..7 = 4^-3..4^3; thresholds 2.5*4^k; underflow below 4^-3/2.
check "--format fp4" '0\n0.0078125\n0.0078124\n1\n2.5\n2.4999\n-40\n1e9\n' \
  '0x0 0\n0x1 0.015625\n0x0 0\n0x4 1\n0x5 4\n0x4 1\n0xf -64\n0x7 64\n'
check "--format fp4 --scale 0.25" '1\n16\n' '0x5 1\n0x7 16\n'
check "--format fp4 --phase odd" '2\n1.25\n1.2499\n5\n' '0x4 2\n0x4 2\n0x3 0.5\n0x5 8\n'
# FP16 and HFP8: RNE, overflow rules.
check "--format fp16" '1\n65504\n65519\n65520\n-0\n5.960464477539063e-08\n' \
  '0x3c00 1\n0x7bff 65504\n0x7bff 65504\n0x7c00 inf\n0x8000 -0\n0x0001 5.960464477539063e-08\n'
check "--format hfp8-143" '1\n1.0625\n1.1875\n240\n1000\n-inf\n' '0x38 1\n0x38 1\n0x3a 1.25\n0x77 240\n0x77 240\n0xf8 -inf\n'
check "--format hfp8-152" '1\n57344\n1e6\n1.125\n' '0x3c 1\n0x7b 57344\n0x7b 57344\n0x3c 1\n'
# MXFP4 (docs/numerics.md 10.2): amax 7 -> floor scale 2^0: ties to even
# (5 -> 4), saturation (7 -> 6); ceil scale 2^1 (6 * 2^1 >= 7): 7/2 = 3.5 -> 4 -> 8.
check "--format mxfp4" '1\n2\n3\n4\n5\n6\n7\n-0.2\n' '0x2 1\n0x4 2\n0x5 3\n0x6 4\n0x6 4\n0x7 6\n0x7 6\n0x8 -0\n'
check "--format mxfp4 --rounding nearest-away" '5\n7\n0.25\n' '0x7 6\n0x7 6\n0x1 0.5\n'
check "--format mxfp4 --scale-rounding ceil" '1\n5\n6\n7\n' '0x1 1\n0x4 4\n0x5 6\n0x6 8\n'
# Block size 16: a NaN makes its whole block NaN (scale code 255); an all-zero block
# gets scale code 0 (2^-127) and zero elements.
check "--format mxfp4 --block-size 16" "$(printf '1\\n%.0s' {1..16})0\nnan\n" \
  "$(printf '0x6 1\\n%.0s' {1..16})0x0 nan\n0x0 nan\n"
check "--format mxfp4 --block-size 16" "$(printf '3\\n%.0s' {1..16})0\n0\n" \
  "$(printf '0x7 3\\n%.0s' {1..16})0x0 0\n0x0 0\n"
# NVFP4: amax 2688 -> tensor scale 1, block scale 448 (UE4M3 max), elements x / 448.
check "--format nvfp4" '2688\n448\n-1344\n' '0x7 2688\n0x2 448\n0xd -1344\n'
exit $fail
