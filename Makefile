# pinned: one non-recursive Makefile.
#   make            build build/pinned
#   make check      build and run every test, again under AddressSanitizer and
#                   UBSan, the allocation-failure pass and each fuzz target for
#                   20 s; ends with "N passed, N failed"
#   make asan       every test under AddressSanitizer and UBSan only
#   make oom        the allocation-failure pass only
#   make bench      benchmarks against the peers the issues name
#   make install    PREFIX=/usr/local DESTDIR=
# Each target first makes sure the Debian packages it needs are installed.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
BUILD := build

PKGS := libarchive libcrypto libgit2 jansson libcurl
BUILD_DEPS := gcc make pkg-config libarchive-dev libssl-dev libgit2-dev \
	libjansson-dev libcurl4-openssl-dev
TEST_DEPS := git tar libarchive-tools openssl docker-registry skopeo buildah podman runc debootstrap \
	gpg gpgv debian-archive-keyring apt dpkg-dev xz-utils curl \
	busybox-static umoci attr protobuf-compiler python3-protobuf libprotobuf-dev \
	apache2-utils unzip
BENCH_DEPS := hyperfine time
FUZZ_DEPS := clang libclang-rt-14-dev

# Evaluated when a recipe runs, so after 'deps' has installed pkg-config files.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
ALL_CFLAGS = $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread -MMD -MP -Itools

# Commands flat in tools/, library code in family folders: generic helpers
# (util), the context and its archives (archive), Dockerfiles, images,
# registries and locks (docker), Debian packages and archives (debian), build
# and verification (verify).
FAMILIES := util archive docker debian verify
LIB_SRC := $(foreach f,$(FAMILIES),$(wildcard tools/$(f)/*.c))
CMD_SRC := $(wildcard tools/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# The fuzz targets (see 'make fuzz'); defined here because 'check' names them.
FUZZ_SECONDS ?= 60
FUZZ := $(BUILD)/fuzz
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ)/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB := $(FUZZ)/libpinned.a
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ)/%.o)

ASAN := $(BUILD)/asan
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_LIB_OBJ := $(LIB_SRC:%.c=$(ASAN)/%.o)
ASAN_CMD_OBJ := $(CMD_SRC:%.c=$(ASAN)/%.o)
ASAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(ASAN)/tests/%)
# A sanitizer report is its own exit status, never one a test expects.
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1

all: $(BUILD)/pinned

# The main job on a fresh machine with Debian's archive and no container
# registry: mk/demo.sh builds a Debian base, serves it on loopback, and
# builds the sample image twice, compares and runs it, all under build/demo.
demo: $(BUILD)/pinned | deps-demo
	@mk/demo.sh $(BUILD) $(BUILD)/pinned

# Where a registry has the base images (Docker Hub, or REGISTRY_MIRROR=host:port):
# the sample service's targets, as any project gets them from pinned.mk
# (image, run, verify, lock, package), with the pinned built here.
# PINNED=path uses a pinned built elsewhere (the tests run these targets in
# copies of the project).
PINNED ?= $(BUILD)/pinned
PINNED_DEP = $(PINNED)
include mk/pinned.mk

# The sample service's build context alone.
context: $(BUILD)/pinned
	$(BUILD)/pinned context --manifest $(BUILD)/context.manifest

deps:
	@mk/deps.sh $(BUILD_DEPS)

deps-test: deps
	@mk/deps.sh $(TEST_DEPS)

DEMO_DEPS := debootstrap docker-registry buildah tar
deps-demo: deps
	@mk/deps.sh $(DEMO_DEPS)

deps-bench: deps
	@mk/deps.sh $(BENCH_DEPS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/pinned: $(CMD_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -pthread -Wl,--as-needed -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -pthread -Wl,--as-needed -o $@ $^ $(PKG_LIBS)

$(ASAN)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(ASAN)/tests/%: $(ASAN)/tests/unit/%.o $(ASAN_LIB_OBJ)
	$(CC) $(ASAN_FLAGS) -pthread -o $@ $^ $(PKG_LIBS)

$(ASAN)/pinned: $(ASAN_CMD_OBJ) $(ASAN_LIB_OBJ)
	$(CC) $(ASAN_FLAGS) -pthread -o $@ $^ $(PKG_LIBS)

# The sample PlanQK service (src/): its simulator is unit-tested here like a
# module; the service itself is built in the image (Dockerfile.in) and here
# for the end-to-end tests of its interface.
SERVICE_SRC := $(wildcard src/*.c)
$(BUILD)/service: $(SERVICE_SRC) src/sim.h | deps
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $(SERVICE_SRC) $(shell pkg-config --libs jansson) -lm

$(ASAN)/service: $(SERVICE_SRC) src/sim.h | deps
	@mkdir -p $(@D)
	$(CC) $(WARN) $(ASAN_FLAGS) -o $@ $(SERVICE_SRC) $(shell pkg-config --libs jansson) -lm

$(BUILD)/tests/unit/test_sim.o $(ASAN)/tests/unit/test_sim.o: ALL_CFLAGS += -Isrc

$(BUILD)/tests/test_sim: $(BUILD)/tests/unit/test_sim.o $(BUILD)/src/sim.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(ASAN)/tests/test_sim: $(ASAN)/tests/unit/test_sim.o $(ASAN)/src/sim.o
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The resolver on its own, for the test that holds it against apt-get.
$(BUILD)/tests/aptplan: $(BUILD)/tests/e2e/aptplan.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -pthread -Wl,--as-needed -o $@ $^ $(PKG_LIBS)
$(ASAN)/tests/aptplan: $(ASAN)/tests/e2e/aptplan.o $(ASAN_LIB_OBJ)
	$(CC) $(ASAN_FLAGS) -pthread -o $@ $^ $(PKG_LIBS)
$(ASAN)/tests/fakereg: $(BUILD)/tests/fakereg
	cp $< $@

$(ASAN)/tests/faultproxy: $(BUILD)/tests/faultproxy
	cp $< $@

# Servers the end-to-end tests start: a fake registry for faults a real one
# cannot produce, and a proxy that injects faults in front of a real one
# (tests/e2e/fakereg.c and faultproxy.c say what each does).
SERVERS := $(BUILD)/tests/fakereg $(BUILD)/tests/faultproxy $(BUILD)/tests/aptplan

$(BUILD)/tests/fakereg: tests/e2e/fakereg.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(shell pkg-config --libs libcrypto)

$(BUILD)/tests/faultproxy: tests/e2e/faultproxy.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(shell pkg-config --libs libssl libcrypto)

# Everything: the suite, the suite again under ASan and UBSan, and the
# allocation-failure pass; one count at the end.
check: $(BUILD)/pinned $(UNIT_BIN) $(SERVERS) $(BUILD)/service asan-build oom-build $(FUZZ_BIN) \
		| deps-test
	@{ tests/run.sh $(BUILD); \
	   $(ASAN_ENV) tests/run.sh --label asan $(ASAN); \
	   tests/oom/run.sh $(OOM)/tests; \
	   FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ); } | tests/count.sh

# make check fuzzes each target this long, one per core at a time: a smoke
# test, not a campaign
CHECK_FUZZ_SECONDS ?= 20

# The whole suite, unit and end-to-end, against ASan and UBSan builds.
asan: asan-build | deps-test
	@$(ASAN_ENV) tests/run.sh --label asan $(ASAN) | tests/count.sh

asan-build: $(ASAN)/pinned $(ASAN_UNIT_BIN) $(SERVERS:$(BUILD)/%=$(ASAN)/%) $(ASAN)/service

# Allocation failures: each unit test again with each of the library's
# allocations failing in turn, under ASan (tests/oom/run.sh).
OOM := $(BUILD)/oom
OOM_LIB_OBJ := $(LIB_SRC:%.c=$(OOM)/%.o) $(OOM)/tests/oom/oom.o
OOM_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OOM)/tests/%)

$(OOM)/tools/%.o: tools/%.c tests/oom/oom.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -include tests/oom/oom.h -c -o $@ $<

$(OOM)/tests/oom/oom.o: tests/oom/oom.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(OOM)/src/%.o: src/%.c tests/oom/oom.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -include tests/oom/oom.h -c -o $@ $<

$(OOM)/tests/test_sim: $(ASAN)/tests/unit/test_sim.o $(OOM)/src/sim.o $(OOM)/tests/oom/oom.o
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(OOM)/tests/%: $(ASAN)/tests/unit/%.o $(OOM_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) -pthread -o $@ $^ $(PKG_LIBS)

oom: oom-build | deps-test
	@tests/oom/run.sh $(OOM)/tests | tests/count.sh

oom-build: $(OOM_UNIT_BIN)

bench: $(BUILD)/pinned $(BUILD)/gen_tree $(BUILD)/tests/aptplan | deps-bench deps-test
	@tests/bench/run.sh $(BUILD)

$(BUILD)/gen_tree: tests/bench/gen_tree.c tests/xorshift.h | deps
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

# Fuzz the parsers of untrusted input for FUZZ_SECONDS each (clang, libFuzzer,
# ASan, UBSan), from the seeds in tests/fuzz/corpus/TARGET with
# tests/fuzz/TARGET.dict; what a run finds is kept in build/fuzz/TARGET.corpus.

$(FUZZ)/tools/%.o: tools/%.c | deps-fuzz
	@mkdir -p $(@D)
	clang $(WARN) -Wno-strict-prototypes -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=all $(PKG_CFLAGS) -pthread -Itools -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(FUZZ)/%: tests/fuzz/%.c $(FUZZ_LIB) | deps-fuzz
	@mkdir -p $(@D)
	clang $(WARN) -Wno-strict-prototypes $(FUZZ_FLAGS) $(PKG_CFLAGS) -pthread -Itools -o $@ $< \
		$(FUZZ_LIB) $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ) | tests/count.sh

deps-fuzz: deps
	@mk/deps.sh $(FUZZ_DEPS)

install: $(BUILD)/pinned
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/pinned
	install -m 0755 $(BUILD)/pinned $(DESTDIR)$(PREFIX)/bin/pinned
	install -m 0644 doc/pinned.1 $(DESTDIR)$(PREFIX)/share/man/man1/pinned.1
	install -m 0644 mk/pinned.mk $(DESTDIR)$(PREFIX)/share/pinned/pinned.mk

clean:
	rm -rf $(BUILD)

.PHONY: all demo deps-demo context fuzz deps deps-test deps-bench deps-fuzz check asan asan-build oom oom-build bench \
	install clean
.SECONDARY:

# dependency files of our objects only: build/ also holds image roots with *.d folders
-include $(shell find $(addprefix $(BUILD)/,tools tests src asan oom fuzz) -name '*.d' -type f 2>/dev/null)
