#!/usr/bin/env bash
# Every figure the docs quote from Nibble's output (docs/figures.json) equals
# what the current binary gives: the cheap (ci) tier here; `make doc-figures`
# runs the training figures too. Then the check itself is checked: a doc with
# one figure changed, a figure whose context is gone and a context found
# twice must each fail.
set -uo pipefail
cd "${NIBBLE_SOURCE_DIR:-.}"
nibble=${NIBBLE_CLI:-build/bin/nibble}
tools/doc_figures --nibble "$nibble" --tier ci || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
reg = json.load(open("docs/figures.json"))
fig = next(f for f in reg["figures"] if f["doc"] == "docs/sweeps.md" and f["context"].startswith("| 8x8 | {} |"))
cmd = {fig["command"]: reg["commands"][fig["command"]]}
json.dump({"commands": cmd, "figures": [fig]}, open(f"{tmp}/one.json", "w"))
text = open("docs/sweeps.md").read()
import re
m = re.search(r"\| 8x8 \| ([0-9,]+) \|", text)
bad = text[:m.start(1)] + "1" + text[m.start(1):]          # one digit more
open(f"{tmp}/docs/sweeps.md", "w").write(bad)
PY
if tools/doc_figures --nibble "$nibble" --registry "$tmp/one.json" --docs-root "$tmp" >"$tmp/out" 2>&1; then
  echo "FAIL: a changed figure passed"; cat "$tmp/out"; exit 1
fi
grep -q "the doc says" "$tmp/out" || { echo "FAIL: no difference reported"; cat "$tmp/out"; exit 1; }
tools/doc_figures --nibble "$nibble" --registry "$tmp/one.json" --docs-root "$tmp" --write >/dev/null || exit 1
tools/doc_figures --nibble "$nibble" --registry "$tmp/one.json" --docs-root "$tmp" >/dev/null ||
  { echo "FAIL: --write did not put the measured figure in"; exit 1; }
grep -v "^| 8x8 " docs/sweeps.md >"$tmp/docs/sweeps.md"
if tools/doc_figures --nibble "$nibble" --registry "$tmp/one.json" --docs-root "$tmp" >"$tmp/out" 2>&1 ||
  ! grep -q "found 0 times" "$tmp/out"; then
  echo "FAIL: a figure whose context is gone passed"; cat "$tmp/out"; exit 1
fi
grep "^| 8x8 " docs/sweeps.md >>"$tmp/docs/sweeps.md"; grep "^| 8x8 " docs/sweeps.md >>"$tmp/docs/sweeps.md"
if tools/doc_figures --nibble "$nibble" --registry "$tmp/one.json" --docs-root "$tmp" >"$tmp/out" 2>&1 ||
  ! grep -q "found 2 times" "$tmp/out"; then
  echo "FAIL: an ambiguous context passed"; cat "$tmp/out"; exit 1
fi
echo "ok   the check fails on a changed, a missing and an ambiguous figure"
