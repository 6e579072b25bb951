#!/usr/bin/env bash
# nibble import scalesim on SCALE-Sim's own files: writes chip.json +
# workload.json, the chip passes `nibble validate`, the workload has one op
# per CSV row, and malformed input exits 2 naming file and line.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
D="$SRC/tests/data/scalesim"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$CLI" import scalesim --cfg "$D/google.cfg" --topology "$D/Resnet18.csv" --out "$OUT/r18" >"$OUT/log"
grep -q "21 conv layers" "$OUT/log" || fail "Resnet18.csv: expected 21 conv layers: $(cat "$OUT/log")"
grep -q "note: SCALE-Sim key not modelled: \[run_presets\] sram_row_size" "$OUT/log" \
  || fail "ignored cfg keys are not reported"
"$CLI" validate "$OUT/r18/chip.json" | grep -q "256x256 array" || fail "imported chip does not validate"
# Self-contained: the tech table is copied beside chip.json, so the folder
# still validates after a move.
grep -q '"tech": "tech.json"' "$OUT/r18/chip.json" || fail "chip.json tech path: $(grep tech "$OUT/r18/chip.json")"
mv "$OUT/r18" "$OUT/moved"
"$CLI" validate "$OUT/moved/chip.json" >/dev/null || fail "moved import no longer validates"
mv "$OUT/moved" "$OUT/r18"
for f in report.json report.csv summary.txt; do [ -s "$OUT/r18/$f" ] || fail "r18/$f missing"; done
/usr/bin/python3 - "$OUT/r18/workload.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
assert w["format"] == "nibble-workload" and len(w["ops"]) == 21, w.get("format")
assert w["ops"][0]["kernel_h"] == 7 and w["ops"][0]["padding"] == 0
PY

grep -q '"timing_model": "scalesim_v2"' "$OUT/r18/chip.json" \
  || fail "the imported chip does not select SCALE-Sim's timing convention"

"$CLI" import scalesim --cfg "$D/scale_user_os.cfg" --topology "$D/gpt2.csv" --out "$OUT/g" >"$OUT/log"
grep -q "6 GEMM layers" "$OUT/log" || fail "gpt2.csv: $(cat "$OUT/log")"
"$CLI" validate "$OUT/g/chip.json" | grep -q "32x32 array" || fail "USER-bandwidth chip does not validate"

# SCALE-Sim's own shipped configs and the three shipped topologies with a
# 9th column, from the SCALE-Sim copy beside the repository, by paths
# relative to the repository (as in a fresh clone): they import, the chip
# validates, and nothing written names a path of this machine.
PEER=../shared/peers/scale-sim-v2
if [ -d "$SRC/$PEER/topologies" ]; then
  for cfg in eyeriss google scale; do
    for topo in conv_nets/mobilnet_paper.csv mlperf/div4q/Sentimental_seqLSTM_short.csv \
                transformer/transformer_fwd.csv; do
      d="$OUT/peer_${cfg}_$(basename "$topo" .csv)"
      (cd "$SRC" && "$CLI" import scalesim --cfg "$PEER/configs/$cfg.cfg" \
         --topology "$PEER/topologies/$topo" --out "$d" >"$OUT/log") \
        || fail "shipped $cfg.cfg + $topo does not import: $(cat "$OUT/log")"
      "$CLI" validate "$d/chip.json" >/dev/null || fail "shipped $cfg.cfg chip does not validate"
      if grep -l "$SRC\|$(cd "$SRC/.." && pwd)" "$d/chip.json" "$d/workload.json"; then
        fail "$cfg.cfg + $topo: the import names a machine path"
      fi
    done
  done
else
  echo "note: no SCALE-Sim copy at $SRC/$PEER; its shipped files are not imported"
fi

printf 'Layer, M, N, K,\nA,1,2,3,\nB,1,2,\n' >"$OUT/bad.csv"
set +e
"$CLI" import scalesim --topology "$OUT/bad.csv" --out "$OUT/bad" 2>"$OUT/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad topology: exit $rc, expected 2"
grep -q "bad.csv:3: expected 4 fields" "$OUT/err" || fail "error does not name file:line: $(cat "$OUT/err")"
echo PASS
