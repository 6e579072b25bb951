#!/usr/bin/env bash
# nibble sweep --backend slurm: writes sweep.sbatch (a job array over the
# points) and sweep.json without running anything; running the script's
# per-task command locally for each SLURM_ARRAY_TASK_ID stores the points;
# `nibble sweep collect` lists missing points and merges finished ones.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
cd "${NIBBLE_SOURCE_DIR:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
D=$T/s

"$CLI" sweep --chip configs/chips/default.json --net mlp --training --batch 4 --mode timing \
  --set /cores/0/array/rows=4,8,16 --set /cores/0/array/cols=4,8,16 --zip -j 2 \
  --backend slurm --out "$D" >"$T/out"
[ -f "$D/sweep.sbatch" ] && [ -f "$D/sweep.json" ] || fail "script or manifest missing"
[ -d "$D/slurm" ] || fail "no folder for the tasks' logs"
ls "$D/points" | grep -q . && fail "slurm backend ran points locally"
grep -qx '#SBATCH --array=0-2%2' "$D/sweep.sbatch" || fail "array line: $(grep array "$D/sweep.sbatch")"
grep -q '^exec .* sweep run-point .* --index "$SLURM_ARRAY_TASK_ID"$' "$D/sweep.sbatch" \
  || fail "no per-task command in the script"
grep -q "sbatch $D/sweep.sbatch" "$T/out" || fail "no submit hint"

# Before any task: collect lists every point as missing.
"$CLI" sweep collect "$D" --no-plot >"$T/c0"
grep -q "0 of 3 points finished" "$T/c0" || fail "collect before tasks: $(cat "$T/c0")"
grep -q "missing (3)" "$T/c0" || fail "missing points not listed"

# Run tasks 2 and 0 (out of order, as an array may), then collect.
for i in 2 0; do
  (cd "$T" && SLURM_ARRAY_TASK_ID=$i bash "$D/sweep.sbatch" >"$T/task$i.out") || fail "task $i failed"
done
"$CLI" sweep collect "$D" --no-plot >"$T/c1"
grep -q "2 of 3 points finished" "$T/c1" || fail "collect after 2 tasks: $(cat "$T/c1")"
grep -q "missing (1): 001_rows=8_cols=8" "$T/c1" || fail "missing point 1 not named"
# A task for a finished point does nothing; the last task completes the set.
SLURM_ARRAY_TASK_ID=0 bash "$D/sweep.sbatch" | grep -q "already finished" || fail "task 0 re-ran"
SLURM_ARRAY_TASK_ID=1 bash "$D/sweep.sbatch" >/dev/null || fail "task 1 failed"
"$CLI" sweep collect "$D" --no-plot >"$T/c2"
grep -q "3 of 3 points finished" "$T/c2" || fail "collect after all tasks: $(cat "$T/c2")"
/usr/bin/python3 - "$D" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/results.csv")))
assert [r["status"] for r in rows] == ["ok"] * 3, rows
for r in rows:
    rep = json.load(open(f"{d}/points/{r['point']}/report.json"))
    assert rep["config"]["chip"]["cores"][0]["array"]["rows"] == int(r["/cores/0/array/rows"])
    assert int(r["cycles"]) == rep["totals"]["cycles"]["value"]
PY
# An index past the end is bad input.
set +e
"$CLI" sweep run-point "$D" --index 3 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "points 0..2" "$T/err" || fail "bad --index: exit $rc"
echo "ok sweep_slurm"
