# The two set-up commands (see README.md):
#   make run    install what is missing, build, run the main job, print a summary
#   make test   install what is missing, build, run every test through ctest
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_ARGS ?=
NIBBLE := $(BUILD_DIR)/bin/nibble

# The main job: the CNN trained on the default chip (every op simulated), the
# FP32 reference on the same Fashion-MNIST subset, plots and a summary
# (tools/train_on_chip, docs/closed_loop.md).
MAIN_JOB ?= tools/train_on_chip $(NIBBLE)

.PHONY: all deps configure build run test install asan bench clean format fuzz fuzz-ci doc-figures

all: build

deps:
	@tools/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(MAIN_JOB)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Installs the CLI and its data (configs, nets, recipes, schemas, examples,
# tools) under PREFIX: PREFIX/bin/nibble and PREFIX/share/nibble.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	@$(MAKE) test BUILD_DIR=build-asan CMAKE_ARGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNIBBLE_SANITIZE=ON -DNIBBLE_BUILD_BENCH=OFF"

# libFuzzer targets for every input reader, with ASan + UBSan (clang-14):
# build-fuzz/bin/fuzz_<reader>; tools/run_fuzzers runs them (docs/fuzzing.md).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DNIBBLE_FUZZ=ON -DNIBBLE_BUILD_BENCH=OFF \
	  -DNIBBLE_WERROR=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets test_readers

# CI's robustness job: every fuzz target FUZZ_SECONDS on its corpus, two at a
# time, then the reader tests under ASan + UBSan.
fuzz-ci: fuzz
	tools/run_fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS) --jobs 2
	cd $(FUZZ_BUILD) && ctest -R '^readers\.' --output-on-failure -j $(JOBS)

# Every figure the docs quote from Nibble's output, against the current
# binary (docs/figures.json). ctest runs TIER=ci; the default here adds the
# training runs (minutes); TIER=study the 5-epoch accuracy tables (hours).
# WRITE=1 puts the measured figures into the docs.
TIER ?= long
doc-figures: build
	tools/doc_figures --nibble $(BUILD_DIR)/bin/nibble --tier $(TIER) $(if $(WRITE),--write)

bench: build
	@for b in $(BUILD_DIR)/bin/bench_*; do echo "== $$b"; $$b; done

format:
	@find hw_models sim workloads tests bench -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz

# SCALE-Sim v2 agreement (issue 12, docs/microarch.md 12.2): SCALE-Sim once
# per distinct shipped layer (resumable cache; stop it with kill, rerun to
# go on), then both simulators on the random and shipped layers, writing
# docs/validation/scalesim_v2.{csv,md}. Hours of pure-Python SCALE-Sim: nice'd.
SCALESIM_CACHE ?= docs/validation/scalesim_v2_shipped_cache.jsonl
SCALESIM_TIMEOUT ?= 900
.PHONY: validate-scalesim
validate-scalesim: build
	OPENBLAS_NUM_THREADS=1 nice -n 15 /usr/bin/python3 tools/scalesim_shipped_cache --cache $(SCALESIM_CACHE) \
	  --timeout $(SCALESIM_TIMEOUT)
	OPENBLAS_NUM_THREADS=1 nice -n 10 /usr/bin/python3 tools/validate_scalesim --shipped-cache $(SCALESIM_CACHE) \
	  --cache $(BUILD_DIR)/scalesim_random_cache.json --nibble-cache $(BUILD_DIR)/nibble_runs.jsonl
