#!/usr/bin/env bash
# tools/run_precision_study: the per-variant ResNet-50 nets pin each weight
# layer to the precision the study says (checked through `nibble workload`,
# which lowers them like `nibble run` does), and the study files parse.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
cd "${NIBBLE_SOURCE_DIR:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
/usr/bin/python3 tools/run_precision_study --nets-only --out "$T" --nibble "$CLI"
"$CLI" validate configs/studies/precision/chip.json >/dev/null || fail "study chip invalid"
# prec VARIANT LAYER WANT: the forward precision `nibble workload` prints.
prec() {
  local got
  got=$(awk -v l="$2" '$1 == l {print $2}' "$T/$1.txt")
  [ "$got" = "$3" ] || fail "$1 $2: precision '$got', want '$3'"
}
for v in fp16 hfp8 int4_all int4_fl16 int4_shortcut8 int4_paper; do
  "$CLI" workload --net "$T/nets/$v.json" --training >"$T/$v.txt" || fail "$v does not lower"
done
for l in conv1 layer1.0.conv1 layer1.0.conv2 layer1.0.downsample fc; do
  prec fp16 $l fp16
  prec hfp8 $l hfp8
  prec int4_all $l int4_int4
done
prec int4_fl16 conv1 fp16
prec int4_fl16 fc fp16
prec int4_fl16 layer1.0.conv1 int4_int4
prec int4_shortcut8 layer1.0.downsample hfp8
prec int4_shortcut8 layer1.0.conv1 int4_int4
prec int4_shortcut8 fc fp16
prec int4_paper layer1.0.conv1 hfp8
prec int4_paper layer1.0.conv3 hfp8
prec int4_paper layer1.0.conv2 int4_int4
prec int4_paper conv1 fp16
# Same MACs in every variant: only precisions change.
totals=$(grep -h '^total:' "$T"/*.txt | awk '{print $2}' | sort -u | wc -l)
[ "$totals" = 1 ] || fail "variants differ in MACs"
echo "ok sweep_precision_study"
