# Entry points for a fresh Debian 12 machine: `make demo` and `make test`.
# Both install missing packages, configure (CMake + Ninja, clang-19) and build.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CLANG_DIR ?= /usr/lib/llvm-19/bin
JOBS ?= $(shell nproc)
FMC := $(BUILD_DIR)/tools/fmc/fmc

.PHONY: all deps configure build demo test bench format docs clean

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

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

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
