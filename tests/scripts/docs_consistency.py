"""Docs agree with the code and with the tree (issue 17's doc findings):
every op count microarch.md section 11 quotes for the SFU equals
sim/runner/sfu_costs.hpp's; every docs/... file the docs, README and configs
cite exists; no doc names a path on the machine it was written on."""
import os
import re
import sys

ROOT = os.environ.get("NIBBLE_SOURCE_DIR", os.getcwd())
fail = []


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


costs = dict((k, int(v)) for k, v in re.findall(r'\{"(\w+)",\s*(\d+)\}', read("sim/runner/sfu_costs.hpp")))
micro = read("docs/microarch.md")
m = re.search(r"`p`, the SFU's FP operations per element.*?anything else 1", micro, re.S)
if not m:
    fail.append("docs/microarch.md: the SFU op-count list is gone")
else:
    for name, n in re.findall(r"(\w+) (\d+)", m.group(0)):
        if name in costs and costs[name] != int(n):
            fail.append(f"docs/microarch.md says {name} {n}, sfu_costs.hpp says {costs[name]}")
    missing = set(costs) - set(re.findall(r"(\w+) \d+", m.group(0)))
    if missing:
        fail.append(f"docs/microarch.md lacks SFU costs of {sorted(missing)}")

texts = {}
for d in ["docs", "docs/studies"]:
    for f in os.listdir(os.path.join(ROOT, d)):
        if f.endswith(".md"):
            texts[f"{d}/{f}"] = read(f"{d}/{f}")
texts["README.md"] = read("README.md")
for d in ["configs/chips", "configs/tech", "configs/recipes"]:
    for f in os.listdir(os.path.join(ROOT, d)):
        texts[f"{d}/{f}"] = read(f"{d}/{f}")
for name, text in texts.items():
    # references.md cites other projects' docs/ folders, not ours.
    for ref in set() if name == "docs/references.md" else set(re.findall(r"\bdocs/[\w./-]*\w", text)):
        if not os.path.exists(os.path.join(ROOT, ref)):
            fail.append(f"{name} cites {ref}, which does not exist")
    for path in set(re.findall(r"/work/[\w./-]+|\.\./shared/[\w./-]+", text)):
        fail.append(f"{name} names a machine path {path}")

if fail:
    print("\n".join("FAIL: " + f for f in fail))
    sys.exit(1)
print(f"ok   {len(costs)} SFU costs, {len(texts)} files' docs/ citations, no machine paths")
