# Engine tooling: the pinned Pulumi CLI, the Python venv, SDK generation and the drift check.
# Included by the top-level Makefile; all paths are relative to the repository root ($(CURDIR)).
#
#   make tools       install .tools/bin/pulumi and .tools/venv (tools/install.sh; quick when done)
#   make sdk         regenerate sdk/{nodejs,python,go} from schema.json (sdk-gen, same codegen as gen-sdk)
#   make sdk-check   fail when sdk/ differs from what schema.json generates

PULUMI   := $(CURDIR)/.tools/bin/pulumi
VENV     := $(CURDIR)/.tools/venv
PYTHON   := $(VENV)/bin/python
SCHEMA   ?= $(CURDIR)/schema.json
SDK_DIR  ?= $(CURDIR)/sdk
SDK_GEN  := go -C $(CURDIR)/sdk-gen run .

# Go caches outside the repository (shared with tools/install.sh).
export GOMODCACHE ?= $(HOME)/.cache/go-mod
export GOCACHE    ?= $(HOME)/.cache/go-build

# The real engine, locally: file backend and plugin home under .state/, no update checks,
# no plugin downloads (providers come from Pulumi.yaml `plugins.providers` paths).
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_HOME ?= $(CURDIR)/.state/pulumi-home
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.state/backend
export PULUMI_CONFIG_PASSPHRASE ?= local-test-passphrase

.PHONY: tools sdk sdk-check

tools:
	$(CURDIR)/tools/install.sh

sdk: $(SCHEMA)
	$(SDK_GEN) --schema $(SCHEMA) --out $(SDK_DIR)

sdk-check: $(SCHEMA)
	$(SDK_GEN) --schema $(SCHEMA) --out $(SDK_DIR) --check
