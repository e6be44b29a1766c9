# enroll-audit: the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
STRICT := -Xswiftc -warnings-as-errors
DEMO_STORE ?= .build/demo.sqlite

.PHONY: setup lint format build test demo schemas bench torture man clean

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
	$(SWIFT) test --skip-build

demo: setup
	$(SWIFT) build $(STRICT)
	.build/debug/enroll-audit demo --store $(DEMO_STORE) --replace
	.build/debug/enroll-audit verify --store $(DEMO_STORE)

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

clean:
	rm -rf .build
