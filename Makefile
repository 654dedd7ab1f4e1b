# dailyfeed: small verbs that CI uses too. See README.md.
SHELL := /bin/bash
GO    ?= go

.PHONY: observe observe-down run migrate test test-unit test-race chaos stack stack-down stack-status bench fuzz lint fmt manifests tidy func-cli replay-dead-letters

## run: start the local stack (what is missing) and the all-in-one function on 127.0.0.1:8080
run: stack
	./scripts/run.sh

## observe: start Jaeger (built from its pinned Go module into .local/bin) and
## Prometheus (Debian package) on loopback; `make run` then exports its traces
## to Jaeger. Query API http://127.0.0.1:16686, Prometheus http://127.0.0.1:9090
observe:
	./scripts/observe.sh up

## observe-down: stop what `make observe` started
observe-down:
	./scripts/observe.sh down

## migrate: the one-shot setup job: apply the migrations and create the bucket (make run does it first)
migrate: stack
	$(GO) run ./cmd/migrate

ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    := golang.org/x/tools/cmd/deadcode@v0.52.0

## test: start the local stack, check the alerting rules with promtool (Debian's
## prometheus package, installed when missing: the tests also run its Prometheus
## server against the real delivery gauges), run every test against the real
## servers, build one
## HTTP, one CloudEvent and the all-in-one function with func's host builder
## (OCI image checked) and lint the GitHub workflows
test: stack .local/bin/func
	./scripts/promtool.sh
	$(GO) test -count=1 -timeout 40m ./...
	./scripts/func-check.sh
	$(GO) run $(ACTIONLINT)

## test-unit: the tests that need no server, without the stack (`go test -short`):
## a test that needs PostgreSQL, Redis, Kafka or MinIO skips at its first use of them
test-unit:
	$(GO) test -short -count=1 ./...

## test-race: every test against the real servers under the race detector (CI)
test-race: stack
	./scripts/promtool.sh
	$(GO) test -race -count=1 -timeout 60m ./...

## chaos: drive 100 000 events from 200 members through the API while every
## server and process is killed or restarted and malformed records are
## produced, on private loopback servers; prints lost/duplicated/wrong/stuck
## (all 0) and the figures. CHAOS_ARGS="-events 5000 -members 60 -small" for a short run
chaos:
	$(GO) run ./cmd/chaos $(CHAOS_ARGS)

## stack: start PostgreSQL, Redis, Kafka (kfake) and MinIO on loopback, reusing running ones
stack:
	./scripts/stack.sh up

## stack-down: stop the servers that `make stack` started
stack-down:
	./scripts/stack.sh down

stack-status:
	./scripts/stack.sh status

## bench: seed data and measure the hot paths (figures go to BENCHMARKS.md)
bench: stack
	./scripts/bench.sh

## fuzz: run every fuzz target for FUZZTIME each (default 30s), one after another;
## their seed corpora (testdata/fuzz/) run in `make test` like any test
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

## lint: vet, staticcheck, unreachable functions (deadcode -test: what no
## main and no test reaches), formatting and the GitHub workflows
lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@out="$$($(GO) run $(DEADCODE) -test ./...)" && { test -z "$$out" || { echo "$$out"; exit 1; }; }
	$(GO) run $(ACTIONLINT)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')

## replay-dead-letters: list or replay kept dead letters, e.g. ARGS="-list", ARGS="-sink record-activity", ARGS="-ids 3,4", ARGS="-all"
replay-dead-letters:
	$(GO) run ./cmd/replay $(ARGS)

## manifests: regenerate every func.yaml and knative/ manifest from the route table
manifests:
	$(GO) run ./cmd/manifests

tidy:
	$(GO) get knative.dev/func-go@v0.21.3
	$(GO) mod tidy

## func-cli: build the func CLI v0.44.0 from its module source into .local/bin/func
## (`go install knative.dev/func/cmd/func@v0.44.0` does not resolve through the proxy)
FUNC_VERSION := v0.44.0
func-cli: .local/bin/func
.local/bin/func:
	./scripts/func-cli.sh $(FUNC_VERSION)

## func-build-<fn>: stage one function (or `dailyfeed`, the all-in-one) and build it with func's host builder
func-build-%: .local/bin/func
	./scripts/func.sh build $* $(FUNC_FLAGS)

## deploy-<fn>: stage and deploy one function (or `dailyfeed`) with func deploy
deploy-%: .local/bin/func
	./scripts/func.sh deploy $* $(FUNC_FLAGS)
