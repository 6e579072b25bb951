#!/usr/bin/env bash
# nibble sweep: bad input fails before anything runs (exit 2, the pointer or
# option named, no --out folder created).
set -uo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
cd "${NIBBLE_SOURCE_DIR:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
chip=configs/chips/default.json
expect_bad() {
  local name=$1 fragment=$2
  shift 2
  "$CLI" sweep "$@" --out "$T/$name" --no-plot >/dev/null 2>"$T/err"
  local rc=$? why=""
  [ $rc -eq 2 ] || why+=" exit=$rc (want 2);"
  grep -qF -- "$fragment" "$T/err" || why+=" stderr lacks '$fragment';"
  [ ! -e "$T/$name" ] || why+=" --out folder created;"
  if [ -n "$why" ]; then echo "FAIL $name:$why"; sed 's/^/    /' "$T/err"; failures=$((failures + 1)); else echo "ok   $name"; fi
}
expect_bad unknown_key "rowz" --chip $chip --net mlp --set /cores/0/array/rowz=8,16
expect_bad bad_value "sweep point 001_rows=0" --chip $chip --net mlp --set /cores/0/array/rows=8,0
expect_bad zip_lengths "/cores/0/array/rows has 2, /cores/0/array/cols has 3" --chip $chip \
  --net mlp --set /cores/0/array/rows=8,16 --set /cores/0/array/cols=8,16,32 --zip
expect_bad no_axis "at least one --set" --chip $chip --net mlp --set /clock_mhz=500
expect_bad no_pointer "expected /json/pointer=v1,v2" --chip $chip --net mlp --set rows=8,16
expect_bad workload "--net no_such_net" --chip $chip --net no_such_net --set /clock_mhz=5,6
expect_bad mode "--mode turbo" --chip $chip --net mlp --mode turbo --set /clock_mhz=5,6
expect_bad backend "--backend pbs" --chip $chip --net mlp --backend pbs --set /clock_mhz=5,6
expect_bad chip "no such file" --chip "$T/nope.json" --net mlp --set /clock_mhz=5,6
printf '{"format": "nibble-sweep/1", "chip": "x.json", "workload": "mlp", "axis": []}' >"$T/spec.json"
expect_bad spec_key "/axis: unknown key" --spec "$T/spec.json"
expect_bad spec_mix "drop --chip" --spec configs/sweeps/square_arrays_resnet18.json --chip $chip
[ $failures -eq 0 ]
