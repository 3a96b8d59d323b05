# Targets CI calls: generate, checkgenerate, lint, test. Every tool runs
# through `go tool` at the version go.mod pins, so a fresh machine needs only Go.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# protovalidate's validate.proto comes from this Go module at generate time;
# it is copied into .protodeps (ignored by git), never committed.
PROTOVALIDATE_VERSION := v1.2.2
PROTODEPS := .protodeps/protovalidate

.PHONY: run generate checkgenerate lint test test-short bench protodeps

run: ## Start the server on the embedded sandbox.
	go run ./cmd/server

protodeps:
	rm -rf .protodeps
	mkdir -p $(PROTODEPS)
	dir=$$(go mod download -json github.com/bufbuild/protovalidate@$(PROTOVALIDATE_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  cp -R "$$dir/proto/protovalidate/buf" $(PROTODEPS)/
	chmod -R u+w .protodeps

generate: protodeps ## Regenerate gen/ from proto/.
	go tool buf format -w
	go tool buf generate
	go tool buf build --exclude-imports --path proto/betterworks -o internal/server/descriptors.binpb
	go mod tidy

checkgenerate: generate ## Fail when regenerating changes anything.
	@dirty="$$(git status --porcelain -- gen proto internal/server/descriptors.binpb go.mod go.sum)"; \
	  if [ -n "$$dirty" ]; then echo "regenerating changed these files; run make generate and commit:" >&2; echo "$$dirty" >&2; exit 1; fi

lint: protodeps ## vet, staticcheck, buf lint, buf format, gofmt, layering rules.
	go vet ./...
	go tool staticcheck ./...
	go tool buf lint
	go tool buf format -d --exit-code
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:" >&2; echo "$$unformatted" >&2; exit 1; fi
	go test -count=1 ./internal/layering/

test: ## Every test, with the race detector.
	go test -race -count=1 ./...

bench: ## Whole-stack benchmarks with allocation counts.
	go test -run '^$$' -bench . -benchmem ./internal/service/...
