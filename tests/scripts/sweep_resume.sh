#!/usr/bin/env bash
# nibble sweep: a small real sweep (mlp training step, timing mode, 4
# points, -j 2) is killed after its first point is stored; the rerun skips
# that point (its report.json is the same file, untouched), runs the others,
# and results.csv / layers.csv hold every point. The points after the first
# are slowed down by a wrapper (NIBBLE_SWEEP_RUNNER) that waits, then execs
# the real `nibble run`, so the kill always lands mid-sweep.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
cd "${NIBBLE_SOURCE_DIR:-.}"
T=$(mktemp -d)
sweep_pid=
cleanup() {
  [ -n "$sweep_pid" ] && kill "$sweep_pid" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$T"/run*.err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f" >&2; done
  exit 1
}
D=$T/sweep
mkfifo "$T/never"
# The wait is bash's own `read -t` on a FIFO nobody writes: no child process
# is left behind when the sweep kills the wrapper.
cat >"$T/slow_run.sh" <<SH
#!/bin/bash
case "\$*" in *"/000_"*) ;; *) read -r -t 60 <>"$T/never" || true ;; esac
exec "$CLI" "\$@"
SH
chmod +x "$T/slow_run.sh"
args=(sweep --chip configs/chips/default.json --net mlp --training --batch 8 --mode timing
  --set /cores/0/array/rows=4,8 --set /cores/0/array/cols=8,16 -j 2 --out "$D" --no-plot)

NIBBLE_SWEEP_RUNNER=$T/slow_run.sh "$CLI" "${args[@]}" >"$T/run1.out" 2>"$T/run1.err" &
sweep_pid=$!
for _ in $(seq 1 300); do
  [ -f "$D/points/000_rows=4_cols=8/report.json" ] && break
  sleep 0.1
done
[ -f "$D/points/000_rows=4_cols=8/report.json" ] || fail "first point never stored"
kill "$sweep_pid"
wait "$sweep_pid" 2>/dev/null && fail "killed sweep exited 0" || true
sweep_pid=
finished=$(find "$D/points" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp' | wc -l)
[ "$finished" = 1 ] || fail "after the kill: $finished finished points, want 1"
[ -f "$D/results.csv" ] && fail "results.csv written by a killed sweep"
before=$(stat -c '%i %Y.%y' "$D/points/000_rows=4_cols=8/report.json")

"$CLI" "${args[@]}" >"$T/run2.out" 2>"$T/run2.err" || fail "rerun exited $?"
grep -q "^1 of 4 points already finished" "$T/run2.err" || fail "rerun did not report the skip"
grep -q "^running 3 points, 2 at a time" "$T/run2.err" || fail "rerun did not run exactly 3"
grep -q "^point 4/4 done, 0 running" "$T/run2.err" || fail "no final progress line"
after=$(stat -c '%i %Y.%y' "$D/points/000_rows=4_cols=8/report.json")
[ "$before" = "$after" ] || fail "finished point was re-run ($before -> $after)"
ls "$D/points" | grep -q '\.tmp$' && fail "a .tmp folder was left behind"
/usr/bin/python3 - "$D" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/results.csv")))
assert [r["point"] for r in rows] == ["000_rows=4_cols=8", "001_rows=4_cols=16",
                                      "002_rows=8_cols=8", "003_rows=8_cols=16"], rows
for r in rows:
    assert r["status"] == "ok", r
    rep = json.load(open(f"{d}/points/{r['point']}/report.json"))
    # The swept values reached the chip each point simulated.
    chip = rep["config"]["chip"]["cores"][0]["array"]
    assert (str(chip["rows"]), str(chip["cols"])) == (r["/cores/0/array/rows"], r["/cores/0/array/cols"])
    assert int(r["cycles"]) == rep["totals"]["cycles"]["value"] > 0
    assert int(r["macs"]) == rep["totals"]["macs"]["value"]
# Same workload everywhere: same MACs; a bigger array is never slower.
assert len({r["macs"] for r in rows}) == 1
assert int(rows[3]["cycles"]) < int(rows[0]["cycles"]), [r["cycles"] for r in rows]
layers = list(csv.DictReader(open(f"{d}/layers.csv")))
for r in rows:
    mine = [l for l in layers if l["point"] == r["point"]]
    rep = json.load(open(f"{d}/points/{r['point']}/report.json"))
    assert len(mine) == len({op["layer"] for op in rep["ops"]}) > 0
    assert abs(sum(float(l["cycles"]) for l in mine) - sum(op["cycles"] for op in rep["ops"])) < 1
PY
# A third run finds everything done and runs nothing.
"$CLI" "${args[@]}" >"$T/run3.out" 2>"$T/run3.err" || fail "third run exited $?"
grep -q "^4 of 4 points already finished" "$T/run3.err" || fail "third run re-ran points"
# A different sweep into the same folder is refused, nothing touched.
set +e
"$CLI" sweep --chip configs/chips/default.json --net mlp --set /cores/0/array/rows=4,16 \
  --out "$D" --no-plot 2>"$T/diff.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "different sweep in the same folder: exit $rc, want 2"
grep -q "holds a different sweep" "$T/diff.err" || fail "no 'different sweep' message"
echo "ok sweep_resume"
