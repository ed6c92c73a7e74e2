# Vigil. "make help" lists the targets.

GO            ?= go
FUZZTIME      ?= 10s
# make test fuzzes by a count of executions, not a duration: Go 1.26's fuzz
# coordinator can report "context deadline exceeded" as a failure when a
# -fuzztime duration ends mid-execution (go.dev/issue/75804, fixed in 1.27).
TEST_FUZZTIME ?= 5000x
TEST_TIMEOUT  ?= 8m
BENCH         ?= .
BENCHTIME     ?= 1s
PROMETHEUS_VERSION := v0.316.0
VICTORIAMETRICS_VERSION := v1.150.0
# LONG=1 makes the storage comparison table use issue 6's sizes (1M series;
# about an hour on 2 cores).
LONG          ?=

# Build information, linked into bin/vigil and shown by "vigil version" and
# /api/v1/status/buildinfo.
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
REVISION   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH     ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_USER ?= $(shell id -un 2>/dev/null || echo unknown)@$(shell hostname 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.revision=$(REVISION) -X main.branch=$(BRANCH) \
	-X main.buildUser=$(BUILD_USER) -X main.buildDate=$(BUILD_DATE)

# The e2e comparison test runs this Prometheus next to Vigil.
export VIGIL_PROMETHEUS := $(CURDIR)/bin/prometheus

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: help build test bench bench-ingest run lint fuzz clean

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z_\/-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

build: ## build bin/vigil, with the version from git describe
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/vigil ./cmd/vigil

test: bin/prometheus ## run every test, then every fuzz target for TEST_FUZZTIME (5000 executions)
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)

bench: bin/victoria-metrics ## run the benchmarks (BENCH=regexp, BENCHTIME=1s), then print the storage comparison table (LONG=1: issue 6's sizes)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem $$($(GO) list ./... | grep -v /bench/storagecmp)
	VIGIL_BENCH_TABLE=1 VIGIL_VICTORIAMETRICS=$(CURDIR)/bin/victoria-metrics \
		$(GO) test -count=1 -run TestComparisonTable -v -timeout 120m ./bench/storagecmp $(if $(LONG),-long)

run: build ## build, then serve examples/vigil.yml with the data directory ./data
	bin/vigil serve --config examples/vigil.yml --data-dir data

lint: ## check formatting (gofmt -l must print nothing) and go vet
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*' -not -path './data/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt -w these files:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

fuzz: ## run every Fuzz target of every package for FUZZTIME (10s) each
	@$(GO) test -list '^Fuzz' ./... | \
	awk '/^Fuzz/ { names[n++] = $$1; next } /^ok / { for (i = 0; i < n; i++) print $$2, names[i]; n = 0 }' | \
	while read -r pkg name; do \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null; \
	done

bench-ingest: build bin/prometheus bin/victoria-metrics ## ingest Vigil, Prometheus and VictoriaMetrics side by side (100k series x 1h; ~13 min)
	VIGIL_BENCH_INGEST=1 $(GO) test -count=1 -run TestIngestComparison -v -timeout 90m ./bench/ingestcmp \
		-vigil $(CURDIR)/bin/vigil -prometheus $(CURDIR)/bin/prometheus -victoria-metrics $(CURDIR)/bin/victoria-metrics

bin/prometheus: ## install Prometheus v0.316.0, which the e2e comparison test runs
	GOBIN=$(CURDIR)/bin $(GO) install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS_VERSION)

bin/victoria-metrics: ## install VictoriaMetrics v1.150.0, which make bench compares with
	GOBIN=$(CURDIR)/bin $(GO) install github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@$(VICTORIAMETRICS_VERSION)

clean: ## remove bin/ (never data/)
	rm -rf bin
