#!/usr/bin/env bash
# Bad input on the command line: each case must exit 2 with a clear message,
# no crash or stack trace, and nothing written to --out.
set -uo pipefail
NIBBLE=${NIBBLE_CLI:-build/bin/nibble}
cd "${NIBBLE_SOURCE_DIR:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_bad NAME "MESSAGE FRAGMENT" ARGS...: exit 2, fragment on stderr,
# no crash markers, no --out folder.
expect_bad() {
  local name=$1 fragment=$2
  shift 2
  local out="$tmp/out_$name"
  "$NIBBLE" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  local why=""
  [[ $rc -eq 2 ]] || why+=" exit=$rc (want 2);"
  grep -qF -- "$fragment" "$tmp/stderr" || why+=" stderr lacks '$fragment';"
  if grep -qE 'terminate called|Aborted|Segmentation|what\(\)|internal error|#[0-9]+ +0x' "$tmp/stderr"; then
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

[[ $failures -eq 0 ]] || { echo "$failures case(s) failed"; exit 1; }
