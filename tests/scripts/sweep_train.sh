#!/usr/bin/env bash
# nibble sweep --train (issue 15): a tiny closed-loop training sweep (MLP,
# 96 training and 64 test images, accumulator 16/32 bits x seeds 1/2, a
# fixed recipe override). results.csv has the documented columns, and each
# point's accuracy, losses, cycles and energy equal (as text, so exactly) a
# direct `nibble train` with the same settings; summary.csv gives mean and
# sd over the seed axis; a rerun skips finished points and reruns an
# interrupted one, with byte-identical CSVs; the Slurm per-task command
# stores the same rows; bad axes exit 2 before anything runs.
set -euo pipefail
CLI=${NIBBLE_CLI:?NIBBLE_CLI must point at the nibble binary}
cd "${NIBBLE_SOURCE_DIR:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
chip=configs/chips/default.json
budget=(--net mlp --recipe ibm4 --epochs 1 --train-limit 96 --test-limit 64 --batch 32)
sweep=(sweep --train --chip $chip "${budget[@]}" --set chip:/cores/0/array/accumulator_bits=16,32
  --set seed=1,2 --set recipe:/ibm4/gradients/rounding=nearest --no-plot)
D=$T/s

"$CLI" "${sweep[@]}" -j 2 --out "$D" >"$T/run1.out" 2>"$T/run1.err" || fail "sweep: $(cat "$T/run1.err")"
grep -q "^point 4/4 done, 0 running" "$T/run1.err" || fail "no progress line"
grep -q "4 of 4 points finished" "$T/run1.out" || fail "$(cat "$T/run1.out")"

# The points, run directly.
i=0
for bits in 16 32; do
  for seed in 1 2; do
    "$CLI" -q train --chip $chip "${budget[@]}" --seed $seed \
      --set /cores/0/array/accumulator_bits=$bits --recipe-set /ibm4/gradients/rounding=nearest \
      --out "$T/direct$i" >/dev/null || fail "direct train $bits/$seed"
    i=$((i + 1))
  done
done

/usr/bin/python3 - "$D" "$T" <<'PY'
import csv, json, math, sys
d, t = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{d}/results.csv")))
header = open(f"{d}/results.csv").readline().strip().split(",")
want = ["point", "status", "chip:/cores/0/array/accumulator_bits", "seed", "net", "recipe", "mode",
        "epochs", "batch", "train_images", "test_images", "test_accuracy", "test_loss", "train_loss",
        "train_accuracy", "train_steps", "mean_cycles_per_step", "mean_energy_uj_per_step",
        "total_train_cycles", "total_train_energy_pj", "area_mm2", "leakage_mw"]
assert header[:len(want)] == want, header
# health_* columns only as /numerics_health/totals has scalars.
health = [c for c in header[len(want):]]
assert all(c.startswith("health_") for c in health), health
assert [r["point"] for r in rows] == ["000_accumulator_bits=16_seed=1", "001_accumulator_bits=16_seed=2",
                                      "002_accumulator_bits=32_seed=1", "003_accumulator_bits=32_seed=2"], rows
def text(v):  # a report value as results.csv writes it (json text)
    return json.dumps(v) if not isinstance(v, str) else v
for i, r in enumerate(rows):
    assert r["status"] == "ok", r
    assert (r["net"], r["recipe"], r["mode"], r["epochs"], r["batch"], r["train_images"],
            r["test_images"]) == ("mlp", "ibm4", "fast", "1", "32", "96", "64"), r
    rep = json.load(open(f"{t}/direct{i}/report.json"))
    assert rep["recipe"]["ibm4"]["gradients"]["rounding"] == "nearest"  # the shipped ibm4 rounds stochastically
    c = rep["chip"]
    assert c["overrides"] == [f"/cores/0/array/accumulator_bits={r['chip:/cores/0/array/accumulator_bits']}"]
    # Exactly the direct run's figures (same text as its report.json).
    for col, v in [("test_accuracy", rep["final"]["test_accuracy"]), ("test_loss", rep["final"]["test_loss"]),
                   ("train_loss", rep["final"]["train_loss"]), ("train_steps", c["steps"]),
                   ("mean_cycles_per_step", c["cycles_per_step"]),
                   ("mean_energy_uj_per_step", c["energy_uj_per_step"]),
                   ("total_train_cycles", c["cycles"]), ("total_train_energy_pj", c["energy_pj"]),
                   ("area_mm2", c["area"]["total_mm2"]), ("leakage_mw", c["area"]["leakage_power_mw"])]:
        assert r[col] == text(v), (r["point"], col, r[col], v)
    # The total is the per-step mean times the steps.
    assert int(r["total_train_cycles"]) == float(r["mean_cycles_per_step"]) * int(r["train_steps"])
    # The sweep's point report is the direct run's, but for the invocation
    # and the input paths (absolute in the sweep).
    mine = json.load(open(f"{d}/points/{r['point']}/report.json"))
    for j in (mine, rep):
        j.pop("invocation"), j.pop("recipe_path"), j["model"].pop("path"), j["chip"].pop("chip_file")
    assert mine == rep, r["point"]
# A narrower accumulator has less area.
assert float(rows[0]["area_mm2"]) < float(rows[2]["area_mm2"])
# summary.csv: one row per width, mean and sample sd over the 2 seeds.
summary = list(csv.DictReader(open(f"{d}/summary.csv")))
assert [s["chip:/cores/0/array/accumulator_bits"] for s in summary] == ["16", "32"], summary
for s, pair in zip(summary, (rows[0:2], rows[2:4])):
    assert s["seeds"] == "2"
    for m in ("test_accuracy", "mean_cycles_per_step", "mean_energy_uj_per_step"):
        a, b = (float(p[m]) for p in pair)
        mean = (a + b) / 2
        sd = math.sqrt(((a - mean) ** 2 + (b - mean) ** 2) / 1)
        assert float(s[m + "_mean"]) == mean and float(s[m + "_sd"]) == sd, (m, s, a, b)
    assert s["pareto_front"] in ("0", "1")
assert any(s["pareto_front"] == "1" for s in summary)
PY
[ $? -eq 0 ] || fail "results check"

# Resume: nothing reruns; an interrupted point (no folder, a stale .tmp) reruns alone.
cp "$D/results.csv" "$T/results.before"
cp "$D/summary.csv" "$T/summary.before"
before=$(stat -c '%i %Y' "$D/points/000_accumulator_bits=16_seed=1/report.json")
"$CLI" "${sweep[@]}" --out "$D" >/dev/null 2>"$T/run2.err" || fail "rerun"
grep -q "^4 of 4 points already finished" "$T/run2.err" || fail "rerun ran points: $(cat "$T/run2.err")"
rm -rf "$D/points/001_accumulator_bits=16_seed=2"
mkdir "$D/points/001_accumulator_bits=16_seed=2.tmp"
echo partial >"$D/points/001_accumulator_bits=16_seed=2.tmp/report.json"
"$CLI" "${sweep[@]}" --out "$D" >/dev/null 2>"$T/run3.err" || fail "resume"
grep -q "^3 of 4 points already finished" "$T/run3.err" || fail "resume: $(cat "$T/run3.err")"
grep -q "^running 1 points" "$T/run3.err" || fail "resume did not run exactly 1"
after=$(stat -c '%i %Y' "$D/points/000_accumulator_bits=16_seed=1/report.json")
[ "$before" = "$after" ] || fail "a finished point was rerun"
cmp "$D/results.csv" "$T/results.before" || fail "results.csv differs after the rerun"
cmp "$D/summary.csv" "$T/summary.before" || fail "summary.csv differs after the rerun"

# Slurm: the array's per-task command stores the same rows.
"$CLI" "${sweep[@]}" --backend slurm --out "$T/slurm" >/dev/null || fail "slurm sweep"
grep -q "sweep run-point" "$T/slurm/sweep.sbatch" || fail "no per-task command"
for i in 3 0; do
  (cd "$T" && SLURM_ARRAY_TASK_ID=$i bash "$T/slurm/sweep.sbatch" >/dev/null) || fail "task $i"
done
"$CLI" sweep collect "$T/slurm" --no-plot >"$T/collect.out"
grep -q "2 of 4 points finished" "$T/collect.out" || fail "collect: $(cat "$T/collect.out")"
for p in 000_ 003_; do
  [ "$(grep "^$p" "$T/slurm/results.csv")" = "$(grep "^$p" "$D/results.csv")" ] || fail "slurm row $p differs"
done

# Bad axes and budgets: exit 2 before anything runs, no folder.
bad() {
  local name=$1 fragment=$2
  shift 2
  set +e
  "$CLI" sweep "$@" --out "$T/bad_$name" --no-plot >/dev/null 2>"$T/err"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "$name: exit $rc, want 2: $(cat "$T/err")"
  grep -qF -- "$fragment" "$T/err" || fail "$name: stderr lacks '$fragment': $(cat "$T/err")"
  [ ! -e "$T/bad_$name" ] || fail "$name: --out folder created"
}
t=(--train --chip $chip "${budget[@]}")
bad chip_key "/cores/0/array/accumulator_bitz" "${t[@]}" --set chip:/cores/0/array/accumulator_bitz=8,16
bad chip_value "sweep point 001_accumulator_bits=7" "${t[@]}" --set chip:/cores/0/array/accumulator_bits=8,7
bad recipe_key "/ibm4/gradients/two_phaze" "${t[@]}" --set recipe:/ibm4/gradients/two_phaze=true,false
bad recipe_value "sideways" "${t[@]}" --set recipe:/ibm4/gradients/rounding=nearest,sideways
bad clash "/gemm/acc_bits is 16, but the chip" "${t[@]}" \
  --set chip:/cores/0/array/accumulator_bits=16,12 --set recipe:/gemm/acc_bits=16
bad seed "seed: expected an unsigned integer, found \"x\"" "${t[@]}" --set seed=1,x
bad seed_twice "the seed is given twice" "${t[@]}" --seed 3 --set seed=1,2
bad target "expected chip:/json/pointer, recipe:/json/pointer or seed" "${t[@]}" --set rows=1,2
bad run_flag "--training and --hfp8-1x1 are nibble run flags" "${t[@]}" --training --set seed=1,2
bad no_train "add --train" --chip $chip --net mlp --recipe ibm4 --set /clock_mhz=5,6
bad mode "expected fast or detailed" "${t[@]}" --mode timing --set seed=1,2
printf '{"format": "nibble-sweep/1", "chip": "%s", "train": {"net": "mlp", "recipe": "ibm4", "epochz": 1},
  "axes": [{"pointer": "seed", "values": [1, 2]}]}' "$PWD/$chip" >"$T/spec.json"
bad spec_key "/train/epochz: unknown key" --spec "$T/spec.json"
printf '{"format": "nibble-sweep/1", "chip": "%s", "train": {"net": "mlp", "recipe": "ibm4"},
  "axes": [{"pointer": "recipe:/ibm4/gradients/two_phaze", "values": [true, false]}]}' "$PWD/$chip" >"$T/spec2.json"
bad spec_recipe "spec2.json: sweep point 000_two_phaze=true" --spec "$T/spec2.json"
echo "ok sweep_train"
