# Every command a user runs. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Go modules of the workspace, as go.work lists them: the directories
# below the repository's root (tools pins the command-line tools run with
# `go tool` and tests the GitHub workflows).
MODULES := $(notdir $(shell go list -m -f '{{.Dir}}'))
# The packages of every module.
PACKAGES := $(foreach m,$(MODULES),./$(m)/...)

.PHONY: help
help: ## List the commands.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the function archives of the route table: build/authorizer.zip, build/hello.zip, build/me.zip, ... (linux/arm64).
	go run ./infra/cmd/build -o build

# Built, then run, rather than `go run`: the go command answers an interrupt
# by exiting 1 whatever its program does (golang/go#40467), so Ctrl-C would
# end in "make: *** [dev] Error 1". The dev command takes the terminal's
# Ctrl-C for itself and exits 0.
.PHONY: dev
dev: ## Run the whole flow offline: page :8080, API :8081, identity provider :8082 (Ctrl-C stops).
	go build -o build/dev ./local/cmd/dev
	build/dev -stack $(STACK)

# The route table is checked first, once: a wrong table (a duplicate route,
# a function without its functions/cmd directory, ...) stops make test with
# one message, before any test is built.
.PHONY: routes
# Built, then run, rather than `go run`, which would add "exit status 1".
routes: ## Check the route table against functions/cmd; build nothing.
	@go build -o build/check-routes ./infra/cmd/build
	@build/check-routes -check -stack $(STACK)

.PHONY: test
test: routes ## Check the route table, then run every test of every module.
	go test -count=1 $(PACKAGES)

# How often each benchmark runs. make bench reports the best run of the
# warm call and of the floor, the one least disturbed by whatever else the
# machine does, and the median of the ratios and of the cold starts, which a
# lucky run would flatter. The ratio comes from BenchmarkWarmOverFloor, which
# alternates the two: run one after the other, they can see very different
# loads on a shared machine.
BENCH_COUNT ?= 5

.PHONY: bench
bench: ## Run the benchmarks; print the warm authorizer's cost over the RS256 floor, its cold start as at 128 MB, and the page's time to greeting.
	@echo "go test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ..."
	@go test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) $(PACKAGES) | awk ' \
		function median(a, n,   i, j, t) { \
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } \
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 \
		} \
		function metric(unit,   i) { for (i = 3; i < NF; i++) if ($$(i+1) == unit) return $$i; return "" } \
		{ print } \
		$$1 ~ /^BenchmarkAuthorizeWarm(-[0-9]+)?$$/ && (!warm || $$3 < warm) { warm = $$3 } \
		$$1 ~ /^BenchmarkRS256Floor(-[0-9]+)?$$/ && (!floor || $$3 < floor) { floor = $$3 } \
		$$1 ~ /^BenchmarkWarmOverFloor(-[0-9]+)?$$/ && (v = metric("warm/floor")) != "" { ratio[++nratio] = v } \
		$$1 ~ /^BenchmarkAuthorizerColdStart\/unthrottled(-[0-9]+)?$$/ && (v = metric("ms/cold-start")) != "" { fast[++nfast] = v } \
		$$1 ~ /^BenchmarkAuthorizerColdStart\/128MB(-[0-9]+)?$$/ && (v = metric("ms/cold-start")) != "" { slow[++nslow] = v } \
		$$1 ~ /^BenchmarkAuthorizerColdStart\/128MB(-[0-9]+)?$$/ && (v = metric("cpu-ms/cold-start")) != "" { cpu[++ncpu] = v } \
		$$1 ~ /^BenchmarkReturningUser(-[0-9]+)?$$/ && (v = metric("ms/greeting")) != "" { greet[++ngreet] = v; chain[ngreet] = metric("requests/critical-path") } \
		$$1 ~ /^BenchmarkFirstVisit(-[0-9]+)?$$/ && (v = metric("ms/form-ready")) != "" { form[++nform] = v } \
		END { \
			if (!warm || !floor || !nratio) { print "bench: the authorizer benchmarks did not run"; exit 1 } \
			printf "\nauthorizer, warm:     %.1f us per call (best of %d runs)\n", warm / 1000, $(BENCH_COUNT); \
			printf "RS256 floor:          %.1f us (SHA-256 + RSA-2048 PKCS #1 v1.5 verification)\n", floor / 1000; \
			printf "ratio warm/floor:     %.2f median of %d runs of the two alternated, so both see the same load (target 1.45)\n", median(ratio, nratio), nratio; \
			if (nfast) printf "cold start:           %.1f ms median, invocation request to answer, keys over HTTPS, unthrottled\n", median(fast, nfast); \
			if (nslow) printf "cold start at 128 MB: %.1f ms median, the bootstrap held to 7.2%% of a CPU (target 100)\n", median(slow, nslow); \
			else print "cold start at 128 MB: skipped (needs root and a cgroup cpu controller; see go test -v -bench ColdStart ./local/emulator)"; \
			if (ncpu) printf "cold start CPU time:  %.2f ms median at 128 MB, the bootstrap'"'"'s own from exec to answer, what the quota meters (target 6.5 = 100 ms x 7.2%%)\n", median(cpu, ncpu); \
			if (ngreet) printf "returning user:       greeted after %.0f ms median, %d requests in a row after the document (150 ms added to each request; targets 650 ms, 4)\n", median(greet, ngreet), median(chain, ngreet); \
			if (nform) printf "first visit:          sign-in form ready after %.0f ms median (150 ms added to each request; target 500 ms)\n", median(form, nform) \
		}'

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

# The Pulumi stack preview, up and destroy work on, and extra flags for the
# pulumi CLI (for example PULUMI_ARGS=--yes).
STACK ?= dev
PULUMI_ARGS ?=

.PHONY: preview
preview: ## Show what `make up` would change in AWS (STACK=dev).
	go run ./infra/cmd/deploy -stack $(STACK) preview $(PULUMI_ARGS)

.PHONY: up
up: ## Deploy the stack to AWS, then print the site's URL to open.
	go run ./infra/cmd/deploy -stack $(STACK) up $(PULUMI_ARGS)

# make smoke checks the deployment SITE_URL and API_URL name, by default
# those of the STACK's outputs; SMOKE_TOKEN (an ID token) and IDP_URL (a
# development identity provider) enable the checks that need a token. It
# names the dashboard (DASHBOARD_URL) and, with AWS credentials, finds its
# request in the access log (ACCESS_LOG_GROUP), both from the outputs too.
.PHONY: smoke
smoke: ## Check a running deployment from outside: SITE_URL, API_URL (default: STACK's outputs), SMOKE_TOKEN.
	go run ./local/cmd/smoke -stack $(STACK)

.PHONY: destroy
destroy: ## Delete everything the stack created in AWS.
	go run ./infra/cmd/deploy -stack $(STACK) destroy $(PULUMI_ARGS)
