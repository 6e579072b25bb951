#!/usr/bin/python3
"""Held-out check of the block-scaled FP4 formats against the independent
NumPy implementation (tests/numerics/block_fp4_numpy_ref.py):
1. the checked-in vectors (read by test_numerics BlockFp4Vectors) are exactly
   what the NumPy script generates;
2. `nibble quantize --format mxfp4|nvfp4` agrees with it (codes ==, decoded
   values ==) on random and corner inputs for every flag combination;
3. bad flags exit 2 and print nothing on stdout."""
import importlib.util
import io
import os
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np

src = os.environ.get("NIBBLE_SOURCE_DIR", ".")
cli = os.environ["NIBBLE_CLI"]
spec = importlib.util.spec_from_file_location(
    "ref", os.path.join(src, "tests/numerics/block_fp4_numpy_ref.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
failures = 0

# 1. vectors
buf = io.StringIO()
with redirect_stdout(buf):
    ref.main()
with open(os.path.join(src, "tests/data/numerics/block_fp4_vectors.txt")) as f:
    if f.read() != buf.getvalue():
        print("FAIL: tests/data/numerics/block_fp4_vectors.txt is not the NumPy script's output")
        failures += 1

# 2. CLI
rng = np.random.default_rng(16)
inputs = []
for n in (1, 15, 16, 17, 33, 64, 100):
    inputs.append(rng.standard_normal(n).astype(np.float32) * np.float32(rng.uniform(1e-3, 1e3)))
inputs.append(np.ldexp(rng.uniform(-2, 2, 70), rng.integers(-140, 100, 70)).astype(np.float32))
inputs.append(np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 7, -5, 6, 0] * 3, dtype=np.float32))
inputs.append(np.zeros(20, dtype=np.float32))
inputs.append(np.array([1, 2, np.nan, 4] + [1] * 40, dtype=np.float32))
inputs.append(np.array([1, 2, np.inf, 4] + [1] * 40, dtype=np.float32))
runs = 0
values_checked = 0
for x in inputs:
    text = "".join(repr(float(v)) + "\n" for v in x)
    # Every scale and element rounding at each format's default block size;
    # the other block size with the default scale rounding.
    combos = [("mxfp4", 32, m, r) for m in ("floor", "ceil", "even") for r in range(3)]
    combos += [("mxfp4", 16, "floor", r) for r in range(3)]
    combos += [("nvfp4", 16, None, r) for r in range(3)] + [("nvfp4", 32, None, 0)]
    roundings = (("nearest", "even"), ("nearest-away", "away"), ("stochastic", "stochastic"))
    for fmt, block, mode, r in combos:
        rnd, rref = roundings[r]
        args = [cli, "quantize", "--format", fmt, "--block-size", str(block),
                "--rounding", rnd, "--seed", "5"]
        if mode:
            args += ["--scale-rounding", mode]
        p = subprocess.run(args, input=text, capture_output=True, text=True)
        runs += 1
        codes, scales, _, dec = ref.quantize(x.reshape(1, -1), 1, len(x),
                                             fmt[:2], block, False,
                                             mode or "floor", rref, 5)
        want = ref.decoded(fmt[:2], codes, scales, dec, block).ravel()
        lines = p.stdout.splitlines()
        ok = p.returncode == 0 and len(lines) == len(x)
        for i, line in enumerate(lines if ok else []):
            c, v = line.split()
            got_v = float(v)
            same_v = (got_v != got_v and want[i] != want[i]) or got_v == want[i]
            if int(c, 16) != codes[0, i] or not same_v:
                ok = False
                print("  value %d: %r -> got %s, want 0x%x %r" %
                      (i, float(x[i]), line, codes[0, i], want[i]))
                break
        values_checked += len(x)
        if not ok:
            failures += 1
            print("FAIL:", " ".join(args[1:]), p.returncode, p.stderr.strip())

# 3. bad flags
for bad in (["--format", "mxfp4", "--block-size", "24"],
            ["--format", "nvfp4", "--scale-rounding", "ceil"],
            ["--format", "mxfp4", "--scale-rounding", "up"],
            ["--format", "fp4", "--block-size", "16"],
            ["--format", "mxfp4", "--scale", "2"],
            ["--format", "int4", "--rounding", "nearest-away"]):
    p = subprocess.run([cli, "quantize"] + bad, input="1\n", capture_output=True, text=True)
    if p.returncode != 2 or p.stdout:
        failures += 1
        print("FAIL: quantize", " ".join(bad), "exit", p.returncode, "stdout", repr(p.stdout))

print("block_fp4_numpy: %d CLI runs, %d values compared, %d failures" %
      (runs, values_checked, failures))
sys.exit(1 if failures else 0)
