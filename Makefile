# Hashpath: the usual entry points. Everything is CMake + Ninja underneath.
#   make run    install what is missing, build, start a node on 127.0.0.1:8734
#   make test   install what is missing, build, run every test (ASan + UBSan build)
#   make bench  build Release and run the benchmarks
#   make fuzz   build the libFuzzer targets with clang and run each briefly
#   make format-check  fail if a source is not clang-formatted (CI runs it)
#   make crash  SIGKILL a real node 100 times under load, with full-disk rounds

JOBS ?= $(shell nproc)
DATA ?= .hashpath
FUZZ_SECONDS ?= 30

KILLS ?= 100

.PHONY: all deps build build-asan run test bench fuzz crash format format-check clean

all: build

deps:
	@bash scripts/install-deps.sh

build/build.ninja:
	cmake --preset release

build: deps build/build.ninja
	cmake --build build -j $(JOBS)
	@echo "built build/hashpath"

build-asan/build.ninja:
	cmake --preset asan

build-asan: deps build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)

run: build
	./build/hashpath serve --port 8734 --data $(DATA)

test: build build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

bench: build
	@command -v wrk >/dev/null && command -v bc >/dev/null || (apt-get install -y -qq wrk bc || sudo apt-get install -y -qq wrk bc)
	bash bench/run.sh
	bash bench/http_bench.sh build
	bash bench/process_http_bench.sh build
	bash bench/aos_bench.sh build 1000
	bash bench/wasm_bench.sh build 1000
	bash bench/remote_verify_bench.sh build
	./build/bench/token_state_bench 3
	./build/bench/log_memory_bench 10000000
	./build/bench/lua_memory_bench 4000 256
	N=1000 bash bench/push_bench.sh build

crash: build
	python3 tests/crash/node_crash_campaign.py --hashpath build/hashpath --work build/crash-campaign \
	  --kills $(KILLS) --enospc --enospc-every 5 --replay-every 10

fuzz: deps
	cmake --preset fuzz
	cmake --build build-fuzz -j $(JOBS)
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

CXX_SOURCES = find engine app tests bench devices verify \( -name '*.h' -o -name '*.cc' \) -print

format:
	$(CXX_SOURCES) | xargs clang-format -i

# Fails, naming the files and lines, if any source is not clang-formatted.
format-check: deps
	$(CXX_SOURCES) | xargs clang-format --dry-run --Werror

clean:
	rm -rf build build-asan build-fuzz
