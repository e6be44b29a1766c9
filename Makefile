# enroll-audit: the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
STRICT := -Xswiftc -warnings-as-errors
DEMO_STORE ?= .build/demo.sqlite
DEMO_TOKENS ?= .build/demo-tokens.txt
DEMO_KEY ?= .build/demo.key

.PHONY: setup lint format build test demo schemas bench bench-large bench-queries bench-rows bench-build torture man clean

setup:
	@Tools/setup

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Tools Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Tools Package.swift

build: setup
	$(SWIFT) build $(STRICT)

test: setup lint
	$(SWIFT) build --build-tests $(STRICT)
	@# The service tests and PostgreSQL's fault tests run in processes of their own: their in-process
	@# servers and postgres-nio's clients answer on the Swift task pool, which the rest of the suite's waits
	@# for child processes can hold for minutes on two cores (a fault test's appends then look hung).
	$(SWIFT) test --skip-build --skip '^ServiceTests\.' --skip '^LogContractTests\.PostgresFaultTests'
	$(SWIFT) test --skip-build --filter '^ServiceTests\.'
	$(SWIFT) test --skip-build --filter '^LogContractTests\.PostgresFaultTests'

demo: setup
	$(SWIFT) build $(STRICT)
	.build/debug/enroll-audit demo --store $(DEMO_STORE) --replace
	.build/debug/enroll-audit verify --store $(DEMO_STORE)
	@# A fresh random token of the read scope for the console, in a file only its owner reads.
	@rm -f $(DEMO_TOKENS) && (umask 077 && printf '%s read\n' "$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" > $(DEMO_TOKENS))
	@# The log's key, so that the console's downloads carry proofs (verify --file … --key $(DEMO_KEY).pub).
	@rm -f $(DEMO_KEY) $(DEMO_KEY).pub && .build/debug/enroll-audit keygen --origin demo.example/enrollment-audit --out $(DEMO_KEY) >/dev/null
	@echo
	@echo "Serve the support console on the demo store:"
	@echo "  .build/debug/enroll-audit serve --store $(DEMO_STORE) --tokens $(DEMO_TOKENS) --checkpoint-key $(DEMO_KEY)"
	@echo "then open http://127.0.0.1:8080/console and sign in with the token $$(cut -d' ' -f1 $(DEMO_TOKENS))"

# The man page from the command tree (swift-argument-parser's generate-manual plugin; works offline).
man: setup
	$(SWIFT) package --disable-automatic-resolution plugin generate-manual --configuration debug
	cp .build/plugins/GenerateManual/outputs/EnrollAuditCLI/enroll-audit.1 docs/enroll-audit.1

schemas: setup
	$(SWIFT) run generate-schemas .

# The durability and abuse suite at full scale (docs/reliability.md); under 20 minutes on 2 cores.
torture: setup
	$(SWIFT) build --build-tests $(STRICT)
	ENROLL_AUDIT_TORTURE=full $(SWIFT) test --skip-build --filter TortureTests

# Benchmarks (docs/performance.md): release builds of the CLI, the harness and the C ceiling, then every
# scenario on simulated data. BENCH_EVENTS (default 1,000,000) sets the size; BENCH_RUNS (3) the runs
# per figure; BENCH_BUDGET (seconds, default 500) the time the run may take before the size falls back;
# BENCH_SCRATCH the build directory. `make bench-large` runs at 10,000,000 events, without a budget.
# BENCH_SCALE=full adds the ingest's peak RSS at 10,000,000 events (one more ingest: tens of minutes).
# The peers' rows (Python eventsourcing from PyPI into $(BENCH_DIR)/peer-venv, PostgreSQL in a throwaway
# cluster) are part of `make bench`; `make bench-rows BENCH_ROWS=peers BENCH_EVENTS=20000` runs some rows
# alone (peers, pgqueries, webhooks, single, rebuild, rss), without a budget, and prints them.
BENCH_EVENTS ?= 1000000
BENCH_RUNS ?= 3
BENCH_SCRATCH ?= .build
BENCH_DIR ?= $(BENCH_SCRATCH)/bench
BENCH_BIN = $(BENCH_SCRATCH)/release
BENCH_SCALE ?=
BENCH_ROWS ?= peers,pgqueries,webhooks,single,rebuild,rss

bench-build: setup
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product enroll-audit
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product enroll-audit-bench
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product sqlite-ceiling

bench: bench-build
	$(BENCH_BIN)/enroll-audit-bench run --events $(BENCH_EVENTS) --runs $(BENCH_RUNS) --dir $(BENCH_DIR) \
		--doc docs/performance.md --json docs/performance.json $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))

bench-rows: bench-build
	$(BENCH_BIN)/enroll-audit-bench rows --only $(BENCH_ROWS) --events $(BENCH_EVENTS) --runs $(BENCH_RUNS) \
		--dir $(BENCH_DIR)-rows --json $(BENCH_DIR)-rows/results.json --markdown $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))

bench-large: bench-build
	$(BENCH_BIN)/enroll-audit-bench run --events 10000000 --small-events 2000000 --runs $(BENCH_RUNS) --budget 0 \
		--dir $(BENCH_DIR)-large --json $(BENCH_DIR)-large/results.json

# The queries at scale (docs/performance.md): a store of BENCH_QUERY_EVENTS (default 10,000,000) events,
# generated and ingested once into $(BENCH_DIR)-queries (the first run takes a while: the ingest), then
# only the query rows, in process and through the CLI.
BENCH_QUERY_EVENTS ?= 10000000
BENCH_QUERY_DIR = $(BENCH_DIR)-queries-$(BENCH_QUERY_EVENTS)

bench-queries: bench-build
	mkdir -p $(BENCH_QUERY_DIR)
	test -f $(BENCH_QUERY_DIR)/ingested || { rm -f $(BENCH_QUERY_DIR)/store.sqlite* && \
		$(BENCH_BIN)/enroll-audit-bench generate --events $(BENCH_QUERY_EVENTS) --out $(BENCH_QUERY_DIR)/native.ndjson && \
		$(BENCH_BIN)/enroll-audit ingest --store $(BENCH_QUERY_DIR)/store.sqlite $(BENCH_QUERY_DIR)/native.ndjson && \
		rm -f $(BENCH_QUERY_DIR)/native.ndjson && touch $(BENCH_QUERY_DIR)/ingested; }
	$(BENCH_BIN)/enroll-audit-bench queries-at --store $(BENCH_QUERY_DIR)/store.sqlite --markdown \
		--json $(BENCH_QUERY_DIR)/results.json

clean:
	rm -rf .build
