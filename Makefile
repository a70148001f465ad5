# Entry points for a fresh Debian 12 machine: `make demo` and `make test`.
# Both install missing packages, configure (CMake + Ninja, clang-19) and build.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CLANG_DIR ?= /usr/lib/llvm-19/bin
JOBS ?= $(shell nproc)
FMC := $(BUILD_DIR)/tools/fmc/fmc
# The fuzz build: fmc instrumented for coverage, with fmc-fuzz (libFuzzer).
# FUZZ_SANITIZERS=address,undefined gives the sanitizer variant.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SANITIZERS ?=
FUZZ_TIME ?= 10m

.PHONY: all deps configure build demo test bench format docs clean \
	fuzz-build fuzz fuzz-ablation

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=$(CLANG_DIR)/clang \
	  -DCMAKE_CXX_COMPILER=$(CLANG_DIR)/clang++

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	ninja -C $(BUILD_DIR) -j $(JOBS)

# The main job: the loss of a one-block GPT at random initialization
# (about ln 256 = 5.55), then 300 training steps of the 2-layer GPT on the
# bundled corpus.
demo: build
	$(FMC) run examples/gpt_block.mlir --random-inputs 0
	$(FMC) train examples/gpt.mlir --data examples/data/genesis.txt \
	  --steps 300 --log-every 25 --checkpoint $(BUILD_DIR)/demo-checkpoint

# Every test of the normal build, then the fuzz build's campaigns (a
# planted bug is found and reduced; 60 s from the seed corpus find nothing).
test: build fuzz-build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	cd $(FUZZ_BUILD_DIR) && ctest --output-on-failure -L fuzz

$(FUZZ_BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(FUZZ_BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=$(CLANG_DIR)/clang \
	  -DCMAKE_CXX_COMPILER=$(CLANG_DIR)/clang++ \
	  -DFMC_ENABLE_FUZZ=ON -DFMC_FUZZ_SANITIZERS=$(FUZZ_SANITIZERS)

fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja
	ninja -C $(FUZZ_BUILD_DIR) -j $(JOBS) fmc fmc-fuzz

# A campaign (docs/fuzzing.md): FUZZ_TIME=1h make fuzz.
fuzz: fuzz-build
	$(FUZZ_BUILD_DIR)/tools/fmc/fmc fuzz --time $(FUZZ_TIME) --jobs $(JOBS) \
	  --out $(FUZZ_BUILD_DIR)/fuzz-out

# The mutation modes against each other, 10 minutes each (40 in all).
fuzz-ablation: fuzz-build
	python3 bench/fuzz_ablation.py --build $(FUZZ_BUILD_DIR)

# Speed targets, printed as tables (bench/README.md); never part of `test`.
bench: build
	$(BUILD_DIR)/bench/fmc-bench-gemm
	python3 bench/step_time.py --build $(BUILD_DIR)
	python3 bench/coat.py --build $(BUILD_DIR)

docs: build
	ninja -C $(BUILD_DIR) fmc-docs

format:
	git ls-files '*.cpp' '*.h' | xargs $(CLANG_DIR)/clang-format -i

clean:
	rm -rf $(BUILD_DIR)
