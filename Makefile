# sagemaker-deployment: build, generate, run and test the Pulumi provider.
#
#   make demo    build, start the local AWS emulator, deploy the seed app (one Deployment, stack dev),
#                show what was made and send it one async request (again: updates in place)
#   make test    every test: Rust unit and contract tests, wire compatibility, emulator,
#                end to end through the real Pulumi engine against the emulator, and a
#                reduced fault campaign
#   make chaos   long campaigns that look for trouble (bad input: make fuzz; the full fault
#                campaign, 50 randomized runs under injected faults: make chaos-campaign;
#                every resource type deleted behind Pulumi's back: make disappears)
#   make dist    the release: plugin archives per platform, SDK packages, SHA256SUMS in dist/
#                (make version VERSION=x.y.z first; make release-check says whether all agree)
#
# Everything is installed into .tools/ by `make tools` (run by both).

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

include mk/engine.mk
include mk/node.mk

export CARGO_TARGET_DIR ?= $(CURDIR)/target
PROVIDER    := pulumi-resource-sagemaker-deployment
BINARY      := $(CURDIR)/bin/$(PROVIDER)
PYTEST      := $(PYTHON) -m pytest
# The release's version: [workspace.package] version, the first `version =` line of Cargo.toml.
CARGO_VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n1)
# The release build of this machine's platform (make bench, make dist's linux-amd64).
RELEASE_BINARY := $(CARGO_TARGET_DIR)/release/$(PROVIDER)
DIST        := $(CURDIR)/dist
# Platforms make dist builds (OS-ARCH as Pulumi names them). darwin-amd64 and darwin-arm64
# are accepted too but do not link here: no registry carries the macOS SDK (README).
DIST_PLATFORMS ?= linux-amd64 linux-arm64 windows-amd64
# Where the engine downloads the plugin from, written into schema.json by the binary: set it
# to build for a mirror (make PLUGIN_DOWNLOAD_URL=https://... schema sdk dist); unset, the
# project's GitHub releases (provider/src/lib.rs).
ifdef PLUGIN_DOWNLOAD_URL
export SAGEMAKER_DEPLOYMENT_PLUGIN_DOWNLOAD_URL := $(PLUGIN_DOWNLOAD_URL)
endif

.PHONY: build release-build schema schema-check release-check version dist dist-smoke dist-tools deployer-policy readme lint unit-test wire-test emulator-test sdk-test e2e-test chaos-test bench-test test bench chaos fuzz chaos-campaign disappears emulator demo demo-destroy clean

## build: the provider binary in bin/
build:
	cargo build --locked -p sagemaker-deployment-provider
	@mkdir -p bin
	@# Replace by rename: the old binary may still be running.
	@cmp -s $(CARGO_TARGET_DIR)/debug/$(PROVIDER) $(BINARY) || \
		{ cp $(CARGO_TARGET_DIR)/debug/$(PROVIDER) $(BINARY).new && mv -f $(BINARY).new $(BINARY); }

## release-build: the provider in the release profile (optimised, stripped; about 20 minutes
##                from cold on 2 cores, at the lowest CPU priority)
release-build:
	nice -n 19 cargo build --release --locked -p sagemaker-deployment-provider

## schema: regenerate schema.json from the provider (GetSchema through the pinned CLI)
schema: build tools
	$(PULUMI) package get-schema $(BINARY) > schema.json

## schema-check: fail when schema.json is not what the code produces
schema-check: build tools
	@$(PULUMI) package get-schema $(BINARY) | diff -u schema.json - \
		|| { echo "schema.json is stale: run 'make schema sdk' and commit the result" >&2; exit 1; }

## release-check: fail when the version of Cargo.toml, the binary's (--version, GetSchema),
##                schema.json's, the SDKs' and CHANGELOG.md's top entry disagree
release-check: build tools
	$(PYTHON) tools/release_check.py --binary $(BINARY) --pulumi $(PULUMI)

## version: set the release version, e.g. make version VERSION=0.2.0: rewrites Cargo.toml (and
##          Cargo.lock), regenerates schema.json, sdk/ and the README tables, and makes
##          CHANGELOG.md's Unreleased entry the version's; commit, tag v$(VERSION) and sdk/go/v$(VERSION)
version:
	@[ -n "$(VERSION)" ] || { echo "usage: make version VERSION=x.y.z" >&2; exit 2; }
	python3 tools/set_version.py $(VERSION)
	cargo update --workspace --offline
	$(MAKE) schema sdk readme
	$(MAKE) release-check

## dist-tools: the cross-compilation tools make dist uses (rustup targets; Debian's aarch64 and
##             mingw-w64 gcc, which apt-get installs as root; cargo-zigbuild and zig from PyPI)
dist-tools:
	tools/dist/install-cross.sh

## dist: the release in dist/: a plugin archive per DIST_PLATFORMS (release profile, stripped;
##       an hour or more of build each from cold on 2 busy cores, one after another; the cross
##       platforms in $(CARGO_TARGET_DIR)/cross/OS-ARCH), the npm tarball, the Python wheel and
##       sdist, the Go module as a proxy serves it (checked with go get), SHA256SUMS
dist: dist-tools release-check
	rm -rf $(DIST) && mkdir -p $(DIST)
	tools/dist/sdk-packages.sh $(DIST)
	tools/dist/go-module.sh $(CARGO_VERSION) $(DIST)
	@for platform in $(DIST_PLATFORMS); do \
		tools/dist/build-plugin.sh $${platform%-*} $${platform#*-} $(CARGO_VERSION) $(DIST); done
	cd $(DIST) && find . -maxdepth 1 -type f ! -name '*.log' ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum > SHA256SUMS
	@echo "dist: version $(CARGO_VERSION)"; cd $(DIST) && find . -maxdepth 1 -type f ! -name '*.log' -printf '%10s  %P\n' | sort -k2
	$(MAKE) dist-smoke

## dist-smoke: start each plugin archive's binary in dist/ as the engine does and check it serves
##             schema.json (linux-arm64 under qemu-user, windows-amd64 under wine64)
dist-smoke: tools
	tools/dist/smoke-test.sh $(DIST) $(PULUMI)

## deployer-policy: rewrite the README's copy of the deployer IAM policy from the permission table
deployer-policy:
	UPDATE_DEPLOYER_POLICY=1 cargo test --locked -p sagemaker-deployment-provider --test deployer_policy -- the_readme_shows_the_policy_the_code_builds

## readme: rewrite the README's inputs/outputs tables from schema.json (tools/readme_tables.py;
##         tests/sdk/test_readme.py fails when they drift)
readme:
	python3 tools/readme_tables.py

lint:
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings

unit-test:
	cargo test --locked

wire-test: build tools
	$(PYTEST) -q tests/wire

emulator-test: tools
	$(PYTEST) -q tests/emulator

sdk-test: build tools
	$(PYTEST) -q tests/sdk

## e2e-test: through the real engine, E2E_WORKERS test files at a time (default 3; each worker
##           has its own emulator, engine home and stack settings files); 1 runs them in order
E2E_WORKERS ?= 3
e2e-test: build tools
	$(PYTEST) -q --durations=20 -n $(E2E_WORKERS) --dist loadfile tests/e2e

## chaos-test: a reduced fault campaign (5 runs, fixed seed, a few minutes) and its planner's tests
chaos-test: build tools
	$(PYTEST) -q tests/chaos

## consumer-test: another team's project outside the repository installs the plugin archive and
##                the npm tarball / Python wheel packed from bin/ and sdk/ (tools/dist), keeps its
##                state in the S3 backend on the emulator, deploys and destroys (tests/consumer)
.PHONY: consumer-test upgrade-test
consumer-test: build tools
	$(PYTEST) -q --durations=5 tests/consumer

## upgrade-test: the states recorded with earlier releases (tests/upgrade/fixtures) preview
##               with no change under the binary in bin/ (record one: tools/record-upgrade-fixture.sh)
upgrade-test: build tools
	$(PYTEST) -q --durations=5 tests/upgrade

## bench-test: the benchmark's own tools (the gRPC trace reader of the preview comparison)
bench-test: tools
	$(PYTEST) -q tests/bench

## test: everything CI runs
test: build tools schema-check release-check sdk-check lint unit-test wire-test emulator-test sdk-test e2e-test chaos-test consumer-test upgrade-test bench-test
	@echo "all test suites passed"

## bench: the debug and release binaries side by side (start-up time, memory after GetSchema,
##        binary and archive size; the release build takes about 20 minutes from cold), call
##        round trips, then the scale benchmark (tests/bench/README.md; BENCH_ARGS="--sizes
##        1,10,50" and the like go to scale.py)
bench: build release-build tools
	$(PYTHON) tests/bench/binaries.py --binary debug=$(BINARY) --binary release=$(RELEASE_BINARY)
	$(PYTHON) tests/bench/roundtrip.py --binary $(BINARY)
	$(PYTHON) tests/bench/scale.py --preview-provider debug=$(BINARY) --preview-provider release=$(RELEASE_BINARY) $(BENCH_ARGS)

## chaos: long campaigns that look for trouble; each sub-target prints what it ran and found
chaos: fuzz chaos-campaign disappears

## disappears: every custom resource type deleted behind Pulumi's back, then refreshed and
##             recreated (make test runs five representative types)
disappears: build tools
	DISAPPEARS=all $(PYTEST) -q tests/e2e/test_disappears.py

## fuzz: bad input through the gRPC server for every resource, component and setting
##       (FUZZ_CASES cases, 100,000 by default; FUZZ_SEED to replay a run)
FUZZ_CASES ?= 100000
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) FUZZ_SEED=$${FUZZ_SEED:-$$(date +%s)} \
		cargo test --locked -p sagemaker-deployment-provider --test fuzz -- --nocapture

## chaos-campaign: 50 randomized runs under injected faults (CHAOS_RUNS, CHAOS_SEED to choose;
##   the seed is printed, and each run says how to replay it)
chaos-campaign: build tools
	$(PYTHON) tests/chaos/campaign.py --runs $${CHAOS_RUNS:-50} $${CHAOS_SEED:+--seed $$CHAOS_SEED}

## emulator: run the local AWS emulator in the foreground
emulator: tools
	PYTHONPATH=$(CURDIR)/tests/emulator $(PYTHON) -m sagemaker_emulator --port $${EMULATOR_PORT:-4566}

## demo: deploy the seed app (examples/demo) to a local emulator, print a summary, invoke it once;
##       a second run updates in place; demo-destroy destroys the stack and stops the emulator
demo: build tools
	$(PYTHON) examples/demo/run.py up

demo-destroy: tools
	$(PYTHON) examples/demo/run.py destroy

clean:
	rm -rf bin .state dist
