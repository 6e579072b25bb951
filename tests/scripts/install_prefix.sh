#!/usr/bin/env bash
# Installing: `cmake --install BUILD --prefix P` puts nibble in P/bin and its
# data in P/share/nibble. With the build tree's paths gone from the
# environment and the working folder outside the source tree, the installed
# binary finds its configs, networks and recipes under P/share/nibble (never
# the source tree), and the main job (tools/train_on_chip, tiny budget) runs.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
SRC=${NIBBLE_SOURCE_DIR:-$(pwd)}
BUILD=$(cd "$(dirname "$CLI")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$T/p" >"$T/install.log" || fail "cmake --install: $(tail -5 "$T/install.log")"
P=$T/p
for f in bin/nibble share/nibble/configs/chips/default.json share/nibble/configs/recipes/ibm4.json \
         share/nibble/configs/schema/chip.schema.json share/nibble/workloads/nets/cnn.json \
         share/nibble/workloads/examples/model.onnx share/nibble/tools/train_on_chip; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
echo "ok   installed binary, configs, nets, recipes, schemas, examples, tools"

cd "$T"
unset NIBBLE_CLI NIBBLE_SOURCE_DIR NIBBLE_DATA
export PATH=/usr/bin:/bin
"$P/bin/nibble" validate "$P/share/nibble/configs/chips/default.json" >/dev/null

# A library network resolves to the installed copy, not the source tree's.
"$P/bin/nibble" run --chip "$P/share/nibble/configs/chips/default.json" --net mlp --out "$T/mlp" >/dev/null
NIBBLE_MAX_IMAGES=32 "$P/bin/nibble" train --net cnn --recipe fp32 --out "$T/t" >/dev/null 2>&1
/usr/bin/python3 - "$T/t/report.json" "$P" "$SRC" <<'PY'
import json, os, sys
r, prefix, src = json.load(open(sys.argv[1])), sys.argv[2], os.path.realpath(sys.argv[3])
path = os.path.realpath(r["model"]["path"])
assert path.startswith(os.path.realpath(prefix) + "/share/nibble/"), path
assert not path.startswith(src + "/"), path
PY
echo "ok   library networks and recipes come from $P/share/nibble"

# NIBBLE_DATA points the binary elsewhere (a copy of the data folder).
cp -r "$P/share/nibble" "$T/data"
rm -rf "$T/data/workloads/nets/mlp.json"
if NIBBLE_DATA=$T/data "$P/bin/nibble" run --chip "$T/data/configs/chips/default.json" --net mlp --out "$T/m2" 2>"$T/err"; then
  fail "NIBBLE_DATA ignored: mlp found although $T/data has none"
fi
grep -q "library:" "$T/err" || fail "unexpected error: $(cat "$T/err")"
echo "ok   NIBBLE_DATA overrides the installed data folder"

# The main job, installed, with a tiny budget.
EPOCHS=1 TRAIN_LIMIT=64 TEST_LIMIT=32 OUT=$T/main "$P/share/nibble/tools/train_on_chip" >"$T/main.log" 2>&1 \
  || fail "main job: $(tail -20 "$T/main.log")"
grep -q "Summary: CNN trained on the simulated chip" "$T/main.log" || fail "no summary: $(cat "$T/main.log")"
[ -s "$T/main/chip/report.json" ] && [ -s "$T/main/accuracy.png" ] || fail "main job outputs missing"
echo "ok   the main job runs from the installation"
