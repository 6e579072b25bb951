#!/usr/bin/env bash
# configs/tech/pe_area_synth.json must describe the RTL as it is: its
# rtl_sha256 must equal the hash of hw_models/rtl/*.sv (tools/synth_area
# --check). A changed RTL with a stale table fails here; and a hash that
# does not follow the sources (a corrupted table) must be refused too.
set -uo pipefail
cd "${NIBBLE_SOURCE_DIR:-.}"
tools/synth_area --check || exit 1

# The check really compares: a copy of the RTL with one byte changed no longer matches.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tools" "$tmp/hw_models" "$tmp/configs/tech"
cp tools/synth_area "$tmp/tools/"
cp -r hw_models/rtl "$tmp/hw_models/"
cp configs/tech/pe_area_synth.json "$tmp/configs/tech/"
echo "// an edit" >>"$tmp/hw_models/rtl/mpe_pe.sv"
if "$tmp/tools/synth_area" --check 2>"$tmp/err"; then
  echo "FAIL: --check accepted a table older than the RTL" >&2
  exit 1
fi
grep -q "the RTL changed, rerun tools/synth_area" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
echo "rtl_area_table: ok"
