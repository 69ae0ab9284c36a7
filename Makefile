# Lifeline: one place to set up, test and run everything.
#
#   make test    install what is missing, then lint and run every test (what CI runs)
#   make demo    the demo shop with the agent, on the collector and its embedded SQLite
#   make size    the release agent's weight against its budgets (part of `make test`)
#   make bench   benchmarks that print figures (not part of `make test`): engine, collector, peers
#   make schema  regenerate shared/rules.schema.json after changing the rule types
#   make fuzz    every fuzz target for FUZZ_SECONDS (60) each, on the nightly toolchain
#
# Set-up is idempotent: each step checks first and installs only what is missing.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

TOOLS := $(CURDIR)/.tools
export PATH := $(TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

BINARYEN_VERSION := 132.0.0
TERSER_VERSION := 5.51.2
# axe-core: the accessibility checker the end-to-end tests inject into each page.
AXE_VERSION := 4.14.1
# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# wasm-pack finds the wasm-bindgen CLI of the right version and /usr/bin/chromedriver on PATH.
# The timeout is for a whole test binary's run in one page (tests/web.rs: about 2 minutes,
# most of it the windows of dead clicks and idle waited out in real time).
export WASM_BINDGEN_TEST_TIMEOUT := 300

AGENT_OUT ?= target/agent
AGENT_FEATURES ?= shipped
WASM_OPT_FEATURES := --enable-bulk-memory --enable-reference-types --enable-multivalue \
	--enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
WASM_OPT_FLAGS := -Oz $(WASM_OPT_FEATURES)

.PHONY: setup postgres test lint unit wasm-test e2e agent agent-crash size demo bench bench-engine bench-hostile bench-collector bench-chat bench-peers schema fuzz clean

setup:
	@echo "== set-up: installing what is missing"
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown
	@v="$(WASM_BINDGEN_VERSION)"; [ -n "$$v" ] || { echo "wasm-bindgen not found in Cargo.lock"; exit 1; }; \
		if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $$v" ]; then \
			echo "installing wasm-bindgen-cli $$v (a few minutes, once)"; \
			cargo install wasm-bindgen-cli --version "$$v" --force; \
		fi
	@command -v wasm-pack >/dev/null || { echo "installing wasm-pack (a few minutes, once)"; cargo install wasm-pack --locked; }
	@if [ "$$(wasm-opt --version 2>/dev/null | awk '{print $$3}')" != "$(BINARYEN_VERSION:.0.0=)" ] \
		|| [ "$$(terser --version 2>/dev/null)" != "terser $(TERSER_VERSION)" ] \
		|| ! grep -qs '"version": "$(AXE_VERSION)"' $(TOOLS)/node_modules/axe-core/package.json; then \
		echo "installing binaryen $(BINARYEN_VERSION), terser $(TERSER_VERSION) and axe-core $(AXE_VERSION) from npm into .tools/"; \
		mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-audit --no-fund --silent \
			binaryen@$(BINARYEN_VERSION) terser@$(TERSER_VERSION) axe-core@$(AXE_VERSION); \
	fi
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing chromium and chromium-driver from Debian"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@if ! command -v pg_ctlcluster >/dev/null || ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then \
		echo "installing postgresql from Debian (the collector's second engine, tested beside SQLite)"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	@echo "== set-up done: $$(wasm-bindgen --version), $$(wasm-opt --version), $$(/usr/bin/chromium --version 2>/dev/null), $$(psql --version)"

# PostgreSQL for the tests: Debian's cluster started (no systemd here), a role for the tests
# and a database of this checkout's own, made afresh each run (each test makes a schema of its
# own in it). Override TEST_POSTGRES to test against another server.
TEST_DB := lifeline_test_$(shell echo $(CURDIR) | sha256sum | cut -c1-8)
TEST_POSTGRES ?= postgres://lifeline:lifeline@127.0.0.1:5432/$(TEST_DB)
AS_POSTGRES := $(if $(SUDO),sudo -u postgres,runuser -u postgres --)
postgres:
	@v=$$(ls /etc/postgresql | sort -n | tail -1); \
		pg_lsclusters -h | awk '$$1 == "'$$v'" && $$2 == "main" && $$4 == "online"' | grep -q . \
		|| $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$v main start
	@$(AS_POSTGRES) psql -qX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "DO \$$\$$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeline') THEN CREATE ROLE lifeline LOGIN PASSWORD 'lifeline'; END IF; END \$$\$$" \
		-c "DROP DATABASE IF EXISTS $(TEST_DB) WITH (FORCE)" \
		-c "CREATE DATABASE $(TEST_DB) OWNER lifeline" >/dev/null
	@echo "== PostgreSQL $$(psql -XAtc 'SHOW server_version' $(TEST_POSTGRES)) at $(TEST_POSTGRES)"

# The release agent: agent.js (wasm-bindgen's glue + the host helpers + the observer + the loader, minified by
# terser) and agent-HASH.wasm, through binaryen's wasm-opt (from npm; Debian's is too old and
# corrupts the module); check-HASH.js and check-HASH.wasm, the JSON rules checker. agent.js may
# rename its own top-level names; check.js keeps its global `lifeline_check`, which the loader
# calls.
agent:
	@echo "== release agent"
	@# The agent on its own: built `shipped` (no std), which the checker (with std) would undo
	@# if built in the same run (features are shared by the crates a run builds).
	cargo build -p lifeline-agent --features $(AGENT_FEATURES) --target wasm32-unknown-unknown --release --locked
	cargo build -p lifeline-rules-checker -p lifeline-support-module --target wasm32-unknown-unknown --release --locked
	@mkdir -p $(AGENT_OUT) && rm -f $(AGENT_OUT)/*.wasm $(AGENT_OUT)/*.js
	wasm-bindgen --target no-modules --no-modules-global lifeline_wasm --no-typescript \
		--out-dir $(AGENT_OUT) --out-name glue target/wasm32-unknown-unknown/release/lifeline_agent.wasm
	wasm-opt $(WASM_OPT_FLAGS) $(AGENT_OUT)/glue_bg.wasm -o $(AGENT_OUT)/optimised.wasm
	@# Short import and export names, in the wasm and its glue (about 2 kB brotli), and no
	@# custom sections (the toolchain's names and features: 0.2 kB brotli).
	wasm-opt $(WASM_OPT_FEATURES) --minify-imports-and-exports-and-modules \
		--strip-producers --strip-target-features $(AGENT_OUT)/optimised.wasm \
		-o $(AGENT_OUT)/agent.wasm > $(AGENT_OUT)/names.json
	node agent/js/short-names.mjs $(AGENT_OUT)/names.json $(AGENT_OUT)/glue.js > $(AGENT_OUT)/glue-short.js
	mv $(AGENT_OUT)/glue-short.js $(AGENT_OUT)/glue.js && rm $(AGENT_OUT)/optimised.wasm $(AGENT_OUT)/names.json
	@# The JSON rules checker, fetched by the loader only for JSON rules.
	wasm-bindgen --target no-modules --no-modules-global lifeline_check --no-typescript \
		--out-dir $(AGENT_OUT) --out-name check_glue target/wasm32-unknown-unknown/release/lifeline_rules_checker.wasm
	wasm-opt $(WASM_OPT_FLAGS) --strip-producers --strip-target-features \
		$(AGENT_OUT)/check_glue_bg.wasm -o $(AGENT_OUT)/check.wasm
	terser $(AGENT_OUT)/check_glue.js --compress --mangle --ecma 2017 -o $(AGENT_OUT)/check.js
	@# The prompt renderer, a lazy module: fetched the first time a prompt shows.
	terser agent/js/prompt.js --compress passes=2 --mangle --ecma 2017 -o $(AGENT_OUT)/prompt.js
	@# The debug switch's logger, lazy: fetched only with data-debug or ?lifeline-debug.
	terser agent/js/debug.js --compress passes=2 --mangle --ecma 2017 -o $(AGENT_OUT)/debug.js
	@# The chat, lazy: fetched when a conversation with the shop's staff opens.
	terser agent/js/chat.js --compress passes=2 --mangle --ecma 2017 -o $(AGENT_OUT)/chat.js
	@# The support module, lazy too: fetched the first time a support session starts.
	wasm-opt $(WASM_OPT_FLAGS) --strip-debug --strip-producers --strip-target-features \
		target/wasm32-unknown-unknown/release/lifeline_support_module.wasm -o $(AGENT_OUT)/support.wasm
	terser agent/support/js/support.js --compress passes=2 --mangle --ecma 2017 -o $(AGENT_OUT)/support.js
	@# Content-hashed names, cached for a year; agent.js (short cache) names them.
	@cd $(AGENT_OUT) && \
		aw=agent-$$(sha256sum agent.wasm | cut -c1-8).wasm && mv agent.wasm $$aw && \
		cw=check-$$(sha256sum check.wasm | cut -c1-8).wasm && mv check.wasm $$cw && \
		cj=check-$$(sha256sum check.js | cut -c1-8).js && mv check.js $$cj && \
		pj=prompt-$$(sha256sum prompt.js | cut -c1-8).js && mv prompt.js $$pj && \
		dj=debug-$$(sha256sum debug.js | cut -c1-8).js && mv debug.js $$dj && \
		hj=chat-$$(sha256sum chat.js | cut -c1-8).js && mv chat.js $$hj && \
		sw=support-$$(sha256sum support.wasm | cut -c1-8).wasm && mv support.wasm $$sw && \
		sj=support-$$(sha256sum support.js | cut -c1-8).js && mv support.js $$sj && \
		sed -e "s/\"agent\.wasm\"/\"$$aw\"/" -e "s/\"check\.wasm\"/\"$$cw\"/" -e "s/\"check\.js\"/\"$$cj\"/" \
			-e "s/\"prompt\.js\"/\"$$pj\"/" -e "s/\"debug\.js\"/\"$$dj\"/" -e "s/\"chat\.js\"/\"$$hj\"/" \
			-e "s/\"support\.wasm\"/\"$$sw\"/" -e "s/\"support\.js\"/\"$$sj\"/" \
			$(CURDIR)/agent/js/loader.js > loader.js && \
		for n in $$aw $$cw $$cj $$pj $$dj $$hj $$sw $$sj; do grep -q "\"$$n\"" loader.js || { echo "loader.js does not name $$n"; exit 1; }; done && \
		cat glue.js $(CURDIR)/agent/js/host.js $(CURDIR)/agent/js/observer.js loader.js | terser --compress passes=2 --mangle --toplevel \
			--ecma 2017 -o agent.js && \
		rm -f glue.js glue_bg.wasm check_glue_bg.wasm check_glue.js loader.js && ls -l

# Prints the release agent's sizes; fails when what every page loads is over its 40 kB brotli
# budget, or a lazy module over its own.
size: agent
	cargo test -p lifeline-agent --test size --locked -- --ignored --nocapture --test-threads=1

lint:
	@echo "== cargo fmt --check"
	cargo fmt --all --check
	cargo fmt --manifest-path fuzz/Cargo.toml --check
	@echo "== clippy (native)"
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy --manifest-path fuzz/Cargo.toml --lib --tests --locked -- -D warnings
	@echo "== clippy (wasm32)"
	cargo clippy -p lifeline-shared -p lifeline-agent -p lifeline-rules-checker -p lifeline-support -p lifeline-support-module --target wasm32-unknown-unknown \
		--lib --tests --locked -- -D warnings
	cargo clippy -p lifeline-agent --target wasm32-unknown-unknown --lib --tests \
		--features test-hooks,json-rules --locked -- -D warnings
	cargo clippy -p lifeline-agent --target wasm32-unknown-unknown --lib --features shipped --locked -- -D warnings
	@echo "== build for wasm32"
	cargo build -p lifeline-shared -p lifeline-agent -p lifeline-rules-checker -p lifeline-support-module --target wasm32-unknown-unknown --locked

unit: postgres
	@echo "== tests (native; the collector's on SQLite)"
	cargo test --workspace --exclude lifeline-e2e --locked
	@echo "== the collector's tests again, on PostgreSQL"
	LIFELINE_TEST_POSTGRES=$(TEST_POSTGRES) cargo test -p lifeline-collector --locked
	@echo "== fuzz corpora, replayed (fuzz/corpus/: seeds and every finding kept)"
	cargo test --manifest-path fuzz/Cargo.toml --locked

# Every fuzz target for FUZZ_SECONDS each: cargo fuzz (libFuzzer) on the nightly toolchain,
# overflow checks on. New inputs go to target/fuzz/corpus/, crashes to target/fuzz/artifacts/;
# a crash found is fixed and its input added to fuzz/corpus/TARGET/ as a regression.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := rules_check compiled_rules visit_state agent_storage replay_lines report_batch page_match admin_query support_content feedback_triage chat_frame
fuzz:
	@rustup run nightly rustc --version >/dev/null 2>&1 \
		|| { echo "make fuzz needs the nightly toolchain: rustup toolchain install nightly --profile minimal"; exit 1; }
	@command -v cargo-fuzz >/dev/null || { echo "installing cargo-fuzz (a minute, once)"; cargo install cargo-fuzz --locked; }
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p target/fuzz/corpus/$$t target/fuzz/artifacts/$$t; \
		dict=""; [ -f fuzz/$$t.dict ] && dict="-dict=$$t.dict"; \
		echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
		(cd fuzz && cargo +nightly fuzz run $$t ../target/fuzz/corpus/$$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -artifact_prefix=../target/fuzz/artifacts/$$t/ $$dict \
			2>&1 | grep -E "^Done|SUMMARY|panicked|Test unit written"); \
	done

# The demo shop with the release agent in headless Chromium, against the collector.
# The shipped agent with its test hooks (`lifeline.crash()`) in target/agent-crash, for the
# browser test of the shipped agent's own panic handler.
agent-crash:
	$(MAKE) agent AGENT_OUT=target/agent-crash AGENT_FEATURES=shipped,test-hooks

e2e: agent-crash agent
	@echo "== end-to-end tests (the release agent in headless Chromium; screenshots in target/e2e/)"
	cargo test -p lifeline-e2e --locked -- --test-threads=1

wasm-test:
	@echo "== tests (wasm32 in headless Chromium, through wasm-pack)"
	wasm-pack test --headless --chrome shared --test wasm
	wasm-pack test --headless --chrome agent --features test-hooks,json-rules --test web --test panic
	wasm-pack test --headless --chrome agent/checker --test web

test: setup lint unit wasm-test size e2e
	@echo "== all tests passed"

# The demo: the release agent and the collector on its embedded SQLite (data/lifeline.db),
# serving the demo shop; the demo site and its rules are created when missing. Each run
# prints a fresh admin token.
DEMO_LISTEN ?= 127.0.0.1:8080
COLLECTOR := target/server/lifeline-collector
demo: setup agent
	cargo build --profile server -p lifeline-collector --bin lifeline-collector --locked
	@mkdir -p data
	@url=http://$(DEMO_LISTEN); db=sqlite://data/lifeline.db; \
	$(COLLECTOR) site add demo --origin $$url --origin http://localhost:$${url##*:} --database $$db \
		>/dev/null 2>&1 || true; \
	token=$$($(COLLECTOR) site token demo --rotate --database $$db 2>/dev/null); \
	$(COLLECTOR) rules put demo www/demo/rules.json --database $$db; \
	echo; \
	echo "  Lifeline demo"; \
	echo "  The shop:        $$url/demo/   (struggle on purpose: press Apply on the cart's promo code"; \
	echo "                   a few times; go back and forth between cart and delivery)"; \
	echo "  Admin token:     $$token   (new each run)"; \
	echo "  Dashboard:       $$url/dashboard/   (site demo, the token above)"; \
	echo "  Decisions:       curl -H 'Authorization: Bearer $$token' $$url/v1/admin/sites/demo/decisions"; \
	echo "  Feedback (CSV):  curl -H 'Authorization: Bearer $$token' '$$url/v1/admin/sites/demo/feedback?format=csv'"; \
	echo "  Stats:           curl -H 'Authorization: Bearer $$token' $$url/v1/admin/sites/demo/stats"; \
	echo "  Stop with Ctrl-C; data stays in data/lifeline.db."; \
	echo; \
	exec $(COLLECTOR) serve --listen $(DEMO_LISTEN) --database $$db --public-url $$url --www www --agent target/agent

bench: bench-engine bench-hostile bench-collector bench-chat bench-peers

bench-engine:
	cargo bench -p lifeline-shared --bench engine

# The slowest page view over the worst rules the checker accepts, and what checking hostile
# rules bodies holds at its peak.
bench-hostile:
	cargo bench -p lifeline-shared --bench hostile

# The report endpoint on SQLite and on PostgreSQL (a database of its own, made afresh) against
# a no-op axum route, with wrk (installed if missing).
BENCH_DB := lifeline_bench_$(shell echo $(CURDIR) | sha256sum | cut -c1-8)
bench-collector: postgres
	@$(AS_POSTGRES) psql -qX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS $(BENCH_DB) WITH (FORCE)" -c "CREATE DATABASE $(BENCH_DB) OWNER lifeline" >/dev/null
	BENCH_POSTGRES=$(subst $(TEST_DB),$(BENCH_DB),$(TEST_POSTGRES)) collector/bench/load.sh 10 128

# One collector holding 1,500 chat WebSockets and 500 staff live streams at once: its memory
# and the message latency.
bench-chat:
	collector/bench/chat.sh 1500 500 30 10

# Lifeline next to posthog-js and no agent in headless Chromium, plus the collector's figures:
# target/peers/report.md (the README's table) and raw.json. puppeteer-core and posthog-js are
# installed into target/peers/ (ignored) the first time.
PEERS := target/peers
bench-peers: agent bench-collector
	cargo build --profile server -p lifeline-collector --bin lifeline-collector --locked
	@mkdir -p $(PEERS); [ -f $(PEERS)/package.json ] || echo '{"private": true}' > $(PEERS)/package.json
	@[ -d $(PEERS)/node_modules/puppeteer-core ] && [ -d $(PEERS)/node_modules/posthog-js ] \
		|| npm install --prefix $(PEERS) --no-audit --no-fund --silent puppeteer-core@25.16.0 posthog-js@1.449.2
	node tests/bench/peers.mjs 5

schema:
	LIFELINE_BLESS=1 cargo test -p lifeline-shared --test schema

clean:
	cargo clean
