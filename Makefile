# onair — `make run` and `make test` work on a fresh Debian 12 machine (as root).
BUILD_DIR ?= build
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=Release
ARGS ?=

.PHONY: all deps build sdk run test test-unit test-node fuzz fuzz-short bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR)
	@$(MAKE) --no-print-directory sdk

# The demo pages import the browser build of the client SDK from /sdk/, and the collab demo the
# browser builds of the SDK's Yjs peer dependencies (yjs, y-protocols, lib0) from /vendor/, as
# npm installed them (its import map names each module it loads).
sdk:
	@npx --no-install tsc -p sdk/js
	@rm -rf web/sdk && cp -r sdk/js/dist web/sdk
	@rm -rf web/vendor && mkdir -p web/vendor/yjs web/vendor/y-protocols web/vendor/lib0
	@cp node_modules/yjs/dist/yjs.mjs node_modules/yjs/LICENSE web/vendor/yjs/
	@cp node_modules/y-protocols/awareness.js node_modules/y-protocols/sync.js node_modules/y-protocols/LICENSE web/vendor/y-protocols/
	@tar -C node_modules/lib0 --exclude=./dist --exclude=./bin --exclude=./coverage --exclude='*.ts' --exclude='*.map' \
		--exclude='*.test.js' --exclude=./test.js --exclude=./testing.js --exclude='*.html' --exclude='*.json' \
		--exclude='*.md' --exclude='*.lock' -cf - . | tar -C web/vendor/lib0 -xf -

run: build
	./$(BUILD_DIR)/onair serve $(ARGS)

# Every suite: short fuzz runs, C++ unit tests (CTest), then integration and SDK tests (node).
test: build
	@scripts/test.sh

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure

test-node: build
	@node --test --test-concurrency=1 tests/integration/ tests/e2e/ tests/web/ sdk/js/test/

fuzz: deps
	@bash fuzz/run.sh 60

fuzz-short: deps
	@bash fuzz/run.sh 10

bench: build
	@node bench/conn_memory.mjs

clean:
	rm -rf $(BUILD_DIR) build-fuzz sdk/js/dist

# Fan-out: 1,000 WebSocket subscribers on one channel; onair vs nats-server vs a minimal writer.
.PHONY: bench-fanout
bench-fanout: build
	@bash bench/fanout/run.sh

# Fan-out through Redis: two nodes on one redis-server against one embedded node, 500 and 2,000
# subscribers (CPU per delivery per node, Redis's CPU per published message).
.PHONY: bench-fanout-redis
bench-fanout-redis: build
	@FANOUT_SERVERS="$${FANOUT_SERVERS:-onair onair-redis}" FANOUT_SUBS="$${FANOUT_SUBS:-500 2000}" bash bench/fanout/run.sh

# Live slot churn: 1,000 consumers over 100 broadcasts cycling attach → heartbeat → release.
.PHONY: bench-live-churn
bench-live-churn: build
	@bash bench/live_churn/run.sh

# Live slot churn through Redis: one node on the Redis engine against redis-benchmark running
# onair's acquire script (EVALSHA) at the same connections × pipeline depth.
.PHONY: bench-live-churn-redis
bench-live-churn-redis: build
	@CHURN_SERVERS="$${CHURN_SERVERS:-onair-redis redis-benchmark}" CHURN_RATE="$${CHURN_RATE:-20000}" bash bench/live_churn/run.sh

# Portal relay: one 4 Mbit/s producer to 200 viewers; onair vs the fan-out ceiling (CPU per viewer).
.PHONY: bench-relay
bench-relay: build
	@bash bench/relay/run.sh

# Stage: 2 hosts + 10,000 viewers on one stage; request storms of 250/500/1,000 over 1 s, hosts granting and denying.
.PHONY: bench-stage
bench-stage: build
	@bash bench/stage/run.sh

# SFU: 1 WebRTC publisher (VP8-shaped 1.5 Mbit/s + audio) to N subscribers, ramping N until 0.1% loss; onair vs a bare SRTP forwarder.
.PHONY: bench-sfu
bench-sfu: build
	@bash bench/sfu/run.sh

# Yjs over the Hocuspocus protocol: 100 docs × 10 typing clients and 10,000 opened/closed docs; onair vs @hocuspocus/server.
.PHONY: bench-yjs
bench-yjs: build
	@bash bench/yjs/run.sh
