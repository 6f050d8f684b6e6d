# swasm: build, demo, tests, spec run, soak and benchmarks.
#   make demo   build and check the samples
#   make test   unit tests and the spec testsuite run (what CI runs)

SWIFT      ?= swift
SPEC_DIR   ?= ../shared/spec/wasm-2.0/json
SOAK_COUNT ?= 5000000
SOAK_SEED  ?= $(shell date +%s)
DEBUG_BIN   = .build/debug
RELEASE_BIN = .build/release
DEB_PACKAGES = libelf-dev

.PHONY: all deps build release demo test unit spec fuzz soak bench-validate bless clean

all: build

# Install the Debian packages the build needs, only when one is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: build
	$(DEBUG_BIN)/swasmc --validate samples/fib.wat
	$(DEBUG_BIN)/swasm inspect samples/fib.wat
	@echo "--- an invalid module is rejected with its offset, function and reason:"
	@if $(DEBUG_BIN)/swasmc --validate samples/invalid-add.wat; then echo "expected a validation error"; exit 1; fi

test: build unit fuzz spec

unit:
	$(SWIFT) test

spec: build
	$(DEBUG_BIN)/swasm-spec run --spec-directory $(SPEC_DIR)

fuzz: build
	$(DEBUG_BIN)/swasm-spec fuzz --spec-directory $(SPEC_DIR) --count 100000 --seed 1

# Regenerate the golden files of Tests/filetests; review the diff like code.
bless:
	SWASM_BLESS=1 $(SWIFT) test --filter 'FileTests'

# Longer robustness run on a release build with a fresh seed.
soak: release
	$(RELEASE_BIN)/swasm-spec fuzz --spec-directory $(SPEC_DIR) --count $(SOAK_COUNT) --seed $(SOAK_SEED)

# Decode+validate throughput against wasm-tools on the largest module we have.
bench-validate: release
	python3 bench/validate_throughput.py

clean:
	rm -rf .build results
