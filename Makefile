# Latent Palette. `make run` starts the app, `make test` runs every test; both install what is missing.
GO ?= go
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: run test deps test-deps build vet fmt-check unit smoke ui-drag ui-keys ui-layout ui-grid ui-continue ui-classes docs-screenshots bench clean

run: deps build
	./palette

test: test-deps vet fmt-check build unit smoke ui-drag ui-keys ui-layout ui-grid ui-continue ui-classes

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build:
	$(GO) build -o palette ./app

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -timeout 30m ./...

smoke: build
	scripts/smoke.sh ./palette build/smoke.png

ui-drag: build
	scripts/ui-drag.sh ./palette build/ui-drag

ui-keys: build
	scripts/ui-keys.sh ./palette build/ui-keys

ui-layout: build
	scripts/ui-layout.sh ./palette build/ui-layout

ui-grid: build
	scripts/ui-grid.sh ./palette build/ui-grid

ui-continue: build
	scripts/ui-continue.sh ./palette build/ui-continue

ui-classes: build
	scripts/ui-classes.sh ./palette build/ui-classes

docs-screenshots: build
	scripts/ui-drag.sh --docs ./palette build/ui-drag
	scripts/ui-grid.sh --docs ./palette build/ui-grid
	scripts/ui-classes.sh --docs ./palette build/ui-classes

# The benchmarks run with the OpenBLAS kernels the palette binary picks for itself (see
# app/blas_exec_linux.go); a machine's own OPENBLAS_CORETYPE wins.
bench: build
	OPENBLAS_CORETYPE=$${OPENBLAS_CORETYPE:-$$(./palette version | sed -n 's/.*openblas (\(.*\)))$$/\1/p')} \
		$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf palette build
