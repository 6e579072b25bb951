#!/usr/bin/env bash
# nibble sweep --backend slurm for real (issue 18): a one-node Slurm
# (munged + slurmctld + slurmd, configured in a temp folder on localhost) runs
# the job array through real sbatch; `sweep collect` then merges it, and the
# results and every point's report must equal the local backend's byte for
# byte. Also: run-point rebuilds the command from the spec (a doctored
# sweep.json argv is not executed), refuses another binary, and locks. A
# small training sweep (nibble sweep --train) goes through sbatch the same way.
set -uo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
CLI=$(readlink -f "$CLI")
cd "${NIBBLE_SOURCE_DIR:-.}"
source tests/scripts/slurm_cluster.bash
T=$(mktemp -d)
trap 'slurm_stop; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

missing=$(slurm_missing)
if [[ -n $missing ]]; then
  # CI runs as root with tools/install-deps' packages; elsewhere say why.
  if [[ ${NIBBLE_REQUIRE_SLURM:-0} == 1 ]]; then fail "cannot start Slurm, missing:$missing"; fi
  echo "skipped: cannot start Slurm here (missing:$missing)"
  exit 0
fi
slurm_start "$T/cluster" || fail "could not start a one-node Slurm"

sweep=(--chip configs/chips/default.json --workload mlp --training --batch 4 --mode fast
       --seed 7 --set /cores/0/array/rows=4,8,16 --set /cores/0/array/cols=8,16 -j 2 --no-plot)
"$CLI" sweep "${sweep[@]}" --out "$T/local" >"$T/local.out" 2>&1 || fail "local sweep: $(tail "$T/local.out")"
"$CLI" sweep "${sweep[@]}" --backend slurm --out "$T/slurm" >"$T/slurm.out" 2>&1 \
  || fail "slurm sweep: $(tail "$T/slurm.out")"
grep -q '"fnv1a64"' "$T/slurm/sweep.json" || fail "sweep.json does not record the binary"

# Real sbatch; --wait returns when every array task has ended.
job=$(sbatch --parsable --wait "$T/slurm/sweep.sbatch" 2>"$T/sbatch.err") \
  || fail "sbatch: $(cat "$T/sbatch.err"); slurmd log: $(tail -5 "$T/cluster/slurmd.log")"
ls "$T/slurm/slurm/" | grep -q "^${job%%;*}_" || fail "no task logs from job $job"
"$CLI" sweep collect "$T/slurm" --no-plot >"$T/collect.out" || fail "collect"
grep -q "6 of 6 points finished" "$T/collect.out" || fail "collect: $(cat "$T/collect.out")"

# Byte for byte: results.csv, layers.csv, and each point's report.
for f in results.csv layers.csv; do
  cmp "$T/local/$f" "$T/slurm/$f" || fail "$f differs between the local and Slurm backends"
done
n=0
for p in "$T"/local/points/*/; do
  id=$(basename "$p")
  for f in report.json report.csv summary.txt; do
    cmp "$p/$f" "$T/slurm/points/$id/$f" || fail "points/$id/$f differs"
  done
  n=$((n + 1))
done
[[ $n -eq 6 ]] || fail "expected 6 local points, found $n"

# A training sweep (issue 15) through real sbatch: results.csv, summary.csv
# and layers.csv equal the local backend's byte for byte.
train=(--train --chip configs/chips/default.json --net mlp --recipe ibm4 --train-limit 64
       --test-limit 32 --batch 32 --set chip:/cores/0/array/accumulator_bits=16,32 --set seed=1,2
       -j 2 --no-plot)
"$CLI" sweep "${train[@]}" --out "$T/tlocal" >"$T/tlocal.out" 2>&1 || fail "local training sweep: $(tail "$T/tlocal.out")"
"$CLI" sweep "${train[@]}" --backend slurm --out "$T/tslurm" >"$T/tslurm.out" 2>&1 \
  || fail "slurm training sweep: $(tail "$T/tslurm.out")"
sbatch --parsable --wait "$T/tslurm/sweep.sbatch" >/dev/null 2>"$T/tsbatch.err" \
  || fail "sbatch (training): $(cat "$T/tsbatch.err")"
"$CLI" sweep collect "$T/tslurm" --no-plot >"$T/tcollect.out" || fail "collect (training)"
grep -q "4 of 4 points finished" "$T/tcollect.out" || fail "collect: $(cat "$T/tcollect.out")"
for f in results.csv summary.csv layers.csv; do
  cmp "$T/tlocal/$f" "$T/tslurm/$f" || fail "training sweep: $f differs between the local and Slurm backends"
done

# A doctored sweep.json: the stored argv would run /bin/sh; run-point builds
# the command from the spec instead, so the point runs nibble as usual.
rm -rf "$T/slurm/points/000_"*
/usr/bin/python3 - "$T/slurm/sweep.json" "$T/pwned" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for p in m["points"]:
    p["command"] = ["/bin/sh", "-c", "touch " + sys.argv[2]]
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
"$CLI" sweep run-point "$T/slurm" --index 0 >"$T/rp.out" 2>&1 || fail "run-point: $(cat "$T/rp.out")"
[[ ! -e $T/pwned ]] || fail "run-point executed the stored argv"
cmp "$T/local/results.csv" <("$CLI" sweep collect "$T/slurm" --no-plot >/dev/null && cat "$T/slurm/results.csv") \
  || fail "the re-run point differs"

# Another binary (here: a copy with one byte appended) is refused.
cp "$CLI" "$T/other-nibble" && printf 'x' >>"$T/other-nibble"
"$T/other-nibble" sweep run-point "$T/slurm" --index 1 >"$T/other.out" 2>&1
rc=$?
[[ $rc -eq 2 ]] && grep -q "/nibble: written by nibble" "$T/other.out" || fail "other binary: exit $rc $(cat "$T/other.out")"

# A point locked by another run-point is refused, not raced.
rm -rf "$T/slurm/points/001_"*
id1=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["points"][1]["id"])' "$T/slurm/sweep.json")
exec 9>"$T/slurm/points/$id1.lock"
flock -n 9 || fail "could not take the point lock"
"$CLI" sweep run-point "$T/slurm" --index 1 >"$T/locked.out" 2>&1
rc=$?
exec 9>&-
[[ $rc -eq 2 ]] && grep -q "lock" "$T/locked.out" || fail "locked point: exit $rc $(cat "$T/locked.out")"
echo "ok sweep_slurm_cluster (job $job)"
