# Every command a user runs. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Go modules of the workspace (go.work).
MODULES := functions infra site local tools
# The packages of every module, as go.work resolves them (tools pins the
# command-line tools run with `go tool` and tests the GitHub workflows).
PACKAGES := $(foreach m,$(MODULES),./$(m)/...)

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
lint: ## Run gofmt, go vet, staticcheck, actionlint and shellcheck.
	@$(require-shellcheck)
	@unformatted=$$(gofmt -l $(MODULES)); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(PACKAGES)
	go tool staticcheck $(PACKAGES)
	go tool actionlint $(WORKFLOWS)
	$(if $(SHELLCHECK),shellcheck $(SHELL_SCRIPTS))

# The GitHub workflows actionlint checks.
WORKFLOWS = $(wildcard .github/workflows/*.yml)
# The shell scripts shellcheck lints: CI's entry point and every tracked or new
# *.sh file. actionlint also runs shellcheck over the workflows' `run:` steps.
SHELL_SCRIPTS = .ci/run $(shell git ls-files --cached --others --exclude-standard '*.sh' 2>/dev/null)
SHELLCHECK := $(shell command -v shellcheck 2>/dev/null)
# Without shellcheck the shell goes unlinted: a note on a workstation, a
# failure in CI (CI is set), which must lint everything.
define require-shellcheck
if [ -z "$(SHELLCHECK)" ]; then \
	if [ -n "$${CI:-}" ]; then echo "shellcheck is required in CI: apt-get install shellcheck" >&2; exit 1; fi; \
	echo "shellcheck not installed: shell scripts and workflow run: steps go unchecked (apt-get install shellcheck)"; \
fi
endef
