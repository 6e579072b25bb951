#!/usr/bin/python3
"""The checked-in JSON Schemas and the strict loader agree: every shipped
config passes both; every file in tests/data/bad_configs fails both (the
loader with the pointer its .expect names); every file in
tests/data/bad_designs passes the schema (its fault is one only the loader
can see: cross-field checks, duplicate keys, missing tech files)."""
import glob
import json
import os
import subprocess
import sys

import jsonschema

NIBBLE = os.environ.get("NIBBLE_CLI", "build/bin/nibble")
os.chdir(os.environ.get("NIBBLE_SOURCE_DIR", "."))
failures = []


def validator(path):
    schema = json.load(open(path))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def expectation(path):
    pointer, contains = None, []
    for line in open(path[:-5] + ".expect"):
        line = line.rstrip("\n")
        if line.startswith("pointer:"):
            pointer = line[8:].strip()
        elif line.startswith("contains: "):
            contains.append(line[10:])
    return pointer, contains


chip_schema = validator("configs/schema/chip.schema.json")
tech_schema = validator("configs/schema/tech.schema.json")

for path in sorted(glob.glob("configs/chips/*.json")):
    errors = [e.message for e in chip_schema.iter_errors(json.load(open(path)))]
    if errors:
        failures.append(f"{path}: shipped chip fails the schema: {errors[0]}")
# configs/tech/pe_area_synth.json is not a tech table but the PE area data
# tools/synth_area writes (docs/rtl.md); script.rtl_area_table checks it.
tech_tables = [p for p in sorted(glob.glob("configs/tech/*.json"))
               if not p.endswith("/pe_area_synth.json")]
for path in tech_tables:
    errors = [e.message for e in tech_schema.iter_errors(json.load(open(path)))]
    if errors:
        failures.append(f"{path}: shipped tech table fails the schema: {errors[0]}")
shipped = sorted(glob.glob("configs/chips/*.json") + tech_tables)
rc = subprocess.run([NIBBLE, "validate", *shipped], capture_output=True, text=True)
if rc.returncode != 0:
    failures.append(f"loader rejects shipped configs: {rc.stderr}")

bad = sorted(glob.glob("tests/data/bad_configs/*.json"))
if len(bad) < 30:
    failures.append(f"bad_configs corpus has {len(bad)} files, want >= 30")
for path in bad:
    if chip_schema.is_valid(json.load(open(path))):
        failures.append(f"{path}: the schema accepts a bad config")
    pointer, contains = expectation(path)
    rc = subprocess.run([NIBBLE, "validate", path], capture_output=True, text=True)
    where = (pointer or "/") + ": "
    if rc.returncode != 2:
        failures.append(f"{path}: loader exit {rc.returncode}, want 2")
    elif where not in rc.stderr or not all(c in rc.stderr for c in contains):
        failures.append(f"{path}: message lacks '{where}' or {contains}:\n{rc.stderr}")

for path in sorted(glob.glob("tests/data/bad_designs/*.json")):
    doc = json.load(open(path))
    errors = [e.message for e in chip_schema.iter_errors(doc)]
    if errors:
        failures.append(f"{path}: belongs in bad_configs, the schema already rejects it: {errors[0]}")
    rc = subprocess.run([NIBBLE, "validate", path], capture_output=True, text=True)
    if rc.returncode != 2:
        failures.append(f"{path}: loader exit {rc.returncode}, want 2")

for f in failures:
    print("FAIL", f)
print(f"{len(bad)} bad configs, {len(glob.glob('tests/data/bad_designs/*.json'))} bad designs checked")
sys.exit(1 if failures else 0)
