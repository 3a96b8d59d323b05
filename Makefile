# Targets CI calls: generate, checkgenerate, lint, test. Every Go tool runs
# through `go tool` at the version go.mod pins; web/'s npm packages are pinned
# by web/package-lock.json. A fresh machine needs Go, Node.js and npm; `make
# test` installs the rest.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# protovalidate's validate.proto comes from this Go module at generate time;
# it is copied into .protodeps (ignored by git), never committed.
PROTOVALIDATE_VERSION := v1.2.2
PROTODEPS := .protodeps/protovalidate

# web/'s npm packages (protoc-gen-es, the TypeScript client's runtime,
# playwright-core), pinned by web/package-lock.json; npm ci writes the
# stamp, so they are installed again only when the lock file changes.
WEB_DEPS := web/node_modules/.package-lock.json

# Debian's packages the end-to-end tests need: Chromium for the example
# page, redis-server for the Redis-backed limiters.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The contract as callers last received it. make lint refuses any change to
# proto/ that would break them on the wire or in JSON (buf's WIRE_JSON
# rules); make release-contract records the current contract once a
# release ships.
RELEASED_CONTRACT := released/betterworks-v1.binpb

# deploy/ is a Go module of its own (the Kubernetes manifests and their
# test), so that Kubernetes stays out of the service's go.mod; `./...` at
# the root does not enter it, so lint and test run there too.
DEPLOY := deploy

.PHONY: run generate checkgenerate lint test test-short bench protodeps webdeps provision release-contract

run: ## Start the server on the embedded sandbox.
	go run ./cmd/server

protodeps:
	rm -rf .protodeps
	mkdir -p $(PROTODEPS)
	dir=$$(go mod download -json github.com/bufbuild/protovalidate@$(PROTOVALIDATE_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  cp -R "$$dir/proto/protovalidate/buf" $(PROTODEPS)/
	chmod -R u+w .protodeps

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

webdeps: $(WEB_DEPS)

provision: webdeps ## Install what the tests need: Debian's chromium and redis-server, web/'s npm packages.
	@missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing$$missing from Debian's packages" >&2; \
	    $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	  fi
	@# Build grpcurl and buf, which internal/clienttest runs, before the tests' clock starts.
	go tool -n grpcurl >/dev/null
	go tool -n buf >/dev/null

generate: protodeps webdeps ## Regenerate gen/ and web/gen/ from proto/.
	go tool buf format -w
	go tool buf generate
	go tool buf generate --template buf.gen.web.yaml
	go tool buf build --exclude-imports --path proto/betterworks -o internal/server/descriptors.binpb
	go mod tidy

checkgenerate: generate ## Fail when regenerating changes anything.
	@dirty="$$(git status --porcelain -- gen web/gen proto internal/server/descriptors.binpb go.mod go.sum)"; \
	  if [ -n "$$dirty" ]; then echo "regenerating changed these files; run make generate and commit:" >&2; echo "$$dirty" >&2; exit 1; fi

lint: protodeps ## vet, staticcheck, buf lint, buf format, buf breaking against the released contract, gofmt, layering rules; vet, staticcheck and tidiness of deploy/.
	go vet ./...
	go tool staticcheck ./...
	cd $(DEPLOY) && go vet ./... && go mod tidy -diff
	@# staticcheck at the version the root go.mod pins, run on deploy/'s packages.
	staticcheck="$$(go tool -n staticcheck)" && cd $(DEPLOY) && "$$staticcheck" ./...
	go tool buf lint
	go tool buf breaking proto --against $(RELEASED_CONTRACT)
	go tool buf format -d --exit-code
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:" >&2; echo "$$unformatted" >&2; exit 1; fi
	go test -count=1 ./internal/layering/

test: provision ## Every test, with the race detector; the browser test may not skip; then deploy/'s manifests.
	BWFACADE_REQUIRE_BROWSER=1 go test -race -count=1 ./...
	cd $(DEPLOY) && go test -count=1 ./...

bench: ## Whole-stack benchmarks with allocation counts.
	go test -run '^$$' -bench . -benchmem ./internal/service/...

release-contract: protodeps ## Record the current contract as released: make lint then guards it.
	go tool buf build proto --exclude-source-info -o $(RELEASED_CONTRACT)

.PHONY: loadtest
loadtest: ## The load harness (about 80 s): the facade against direct REST calls and a bare proxy hop, as a table.
	go run ./cmd/loadtest

.PHONY: loadtest-export
loadtest-export: ## The export benchmark (about 25 s): ExportUsers of 100,000 users through the facade, against the token's pace.
	go run ./cmd/loadtest -scenarios export
