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

.PHONY: build schema schema-check deployer-policy readme lint unit-test wire-test emulator-test sdk-test e2e-test chaos-test test bench chaos fuzz chaos-campaign disappears emulator demo demo-destroy clean

## build: the provider binary in bin/
build:
	cargo build --locked -p sagemaker-deployment-provider
	@mkdir -p bin
	@# Replace by rename: the old binary may still be running.
	@cmp -s $(CARGO_TARGET_DIR)/debug/$(PROVIDER) $(BINARY) || \
		{ cp $(CARGO_TARGET_DIR)/debug/$(PROVIDER) $(BINARY).new && mv -f $(BINARY).new $(BINARY); }

## schema: regenerate schema.json from the provider (GetSchema through the pinned CLI)
schema: build tools
	$(PULUMI) package get-schema $(BINARY) > schema.json

## schema-check: fail when schema.json is not what the code produces
schema-check: build tools
	@$(PULUMI) package get-schema $(BINARY) | diff -u schema.json - \
		|| { echo "schema.json is stale: run 'make schema sdk' and commit the result" >&2; exit 1; }

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

sdk-test: tools
	$(PYTEST) -q tests/sdk

e2e-test: build tools
	$(PYTEST) -q --durations=20 tests/e2e

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

## test: everything CI runs
test: build tools schema-check sdk-check lint unit-test wire-test emulator-test sdk-test e2e-test chaos-test consumer-test upgrade-test
	@echo "all test suites passed"

## bench: start-up time and memory of the provider binary, call round trips, then the
##        scale benchmark (tests/bench/README.md; BENCH_ARGS="--sizes 1,10,50" and the like
##        go to scale.py)
bench: build tools
	$(PYTHON) tests/bench/startup.py --binary $(BINARY)
	$(PYTHON) tests/bench/roundtrip.py --binary $(BINARY)
	$(PYTHON) tests/bench/scale.py $(BENCH_ARGS)

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
	rm -rf bin .state
