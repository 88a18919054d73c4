# Node.js: the generated SDK compiled into sdk/nodejs/bin and the TypeScript examples'
# dependencies in ONE examples/node_modules (npm workspaces, exact pins, examples/package-lock.json).
# Included by the top-level Makefile; paths are relative to the repository root ($(CURDIR)).
#
#   make node-sdk   npm ci in examples/ (only when a package.json / the lock / node changed), tsc the
#                   SDK (only when sdk/nodejs changed) and refresh the examples' copy of it;
#                   about 0.1 s when nothing changed. Run it after `make sdk`, before the TS tests.

.PHONY: node-sdk

node-sdk:
	$(CURDIR)/tools/node-sdk.sh
