# Every command a user runs. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Go modules of the workspace (go.work).
MODULES := functions infra site local tools
# The packages of every module with code, as go.work resolves them (tools only
# pins the command-line tools run with `go tool`).
PACKAGES := $(foreach m,$(filter-out tools,$(MODULES)),./$(m)/...)

.PHONY: help
help: ## List the commands.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the function archives: build/authorizer.zip, build/hello.zip (linux/arm64).
	cd functions && go run ./cmd/bundle -o ../build

.PHONY: test
test: ## Run every test of every module.
	go test -count=1 $(PACKAGES)

.PHONY: bench
bench: ## Run the benchmarks.
	go test -run '^$$' -bench . -benchmem $(PACKAGES)

.PHONY: lint
lint: ## Run gofmt, go vet, staticcheck and actionlint.
	@unformatted=$$(gofmt -l $(MODULES)); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(PACKAGES)
	go tool staticcheck $(PACKAGES)
