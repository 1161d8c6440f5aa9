# dockstage: build, test and prove.
GO ?= go
FUZZTIME ?= 30s

.PHONY: all build test vet staticcheck fmt-check e2e fuzz bench update docs check-examples clean

all: build test

build:
	$(GO) build -o bin/dockstage ./cmd/dockstage

## test: formatting, vet, staticcheck, and every unit, golden, round-trip,
## drift and import-layer test.
test: fmt-check vet staticcheck
	$(GO) test -count=1 ./...

## vet: also the engine suite (build tag e2e), so make test catches its
## compile errors without an engine.
vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./examples/

## staticcheck: the version pinned in go.mod's tool block (go get -tool).
staticcheck:
	$(GO) tool staticcheck ./...

fmt-check:
	@out=$$(gofmt -l cmd spec transpile templates examples); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## e2e: build, test and run every example on a real Docker engine (installs
## and starts one if needed; see examples/images/).
e2e:
	$(GO) test -tags e2e -count=1 -v -timeout 60m ./examples/

## fuzz: run each fuzz target for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; \
	    $(GO) test $$pkg -run '^$$$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -timeout 0 || exit 1; \
	  done; \
	done

## bench: speed and memory of the pipelines (import and import+render
## against BuildKit's parse, side by side) and the start-up CPU of
## `dockstage version`.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## update: rewrite golden files (read the diff before committing).
update:
	$(GO) test ./... -update

## docs: regenerate the CLI reference (cmd/dockstage/docs, from the cobra
## tree; TestCLIReference fails when it drifts). Read the diff.
docs:
	$(GO) test ./cmd/dockstage -run '^TestCLIReference$$' -count=1 -update

## render-examples: regenerate the committed files of every example.
render-examples: build
	@for s in examples/*/dockstage.yaml; do ./bin/dockstage render $$s || exit 1; done

clean:
	rm -rf bin
