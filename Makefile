# corridord — every entry point: make, make run, make test, make bench, make asan, make format.
# Sources are picked up by wildcard: server/<module>.c <-> include/<module>.h,
# tests/unit/check_<module>.c (Check suites), tests/integration/check_<area>.c.

CC       ?= cc
comma    := ,
BUILD    := build
PKGS     := libmicrohttpd jansson libuv libpq
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
            -Wformat=2 -Wno-unused-parameter -Wno-format-nonliteral
ifneq ($(CI)$(WERROR),)
WARN     += -Werror
endif
OPT      ?= -O2
CFLAGS   ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) -MMD -MP -Iinclude \
            -DCORRIDORD_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I$(shell pg_config --includedir 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    := build/san-$(subst $(comma),-,$(SANITIZE))
endif

# The pure core: no libpq, libmicrohttpd or libuv include (checked by `make check-core`).
CORE     := money network timetable tariff tariff_book route snapshot quote

SRCS     := $(wildcard server/*.c)
OBJS     := $(SRCS:server/%.c=$(BUILD)/obj/%.o)
LIBOBJS  := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
# Tests and benchmarks link against an archive, so each pulls in only the
# modules it uses (a unit test of the core needs no HTTP or database code).
LIB      := $(BUILD)/libcorridor.a

UNIT_SRCS := $(wildcard tests/unit/check_*.c)
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%.o)
IT_SRCS   := $(wildcard tests/integration/*.c)
IT_OBJS   := $(IT_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%.o)
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)
CURL_LIBS    = $(shell pkg-config --libs libcurl 2>/dev/null)

.PHONY: all deps run test unit integration sqltest check-core bench asan tsan format clean fuzz
all: $(BUILD)/corridord $(BUILD)/tests/unit_run $(BUILD)/tests/integration_run $(BENCH_BINS)

deps:
	@deploy/install-deps.sh

$(BUILD)/obj/%.o: server/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(LIB): $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/corridord: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test suites are discovered from file names: check_<x>.c defines <x>_suite().
$(BUILD)/tests/unit_suites.h: $(UNIT_SRCS) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(patsubst tests/unit/check_%.c,%,$(filter-out tests/unit/check_main.c,$(UNIT_SRCS))); do \
	     echo "SUITE($$f)"; done; } >$@.tmp && mv $@.tmp $@
$(BUILD)/tests/integration_suites.h: $(IT_SRCS) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(patsubst tests/integration/check_%.c,%,$(filter tests/integration/check_%.c,$(IT_SRCS))); do \
	     echo "SUITE($$f)"; done; } >$@.tmp && mv $@.tmp $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/tests/unit_suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -c -o $@ $<
$(BUILD)/tests/unit_run: $(UNIT_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD)/tests/integration/%.o: tests/integration/%.c $(BUILD)/tests/integration_suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -Itests/integration -c -o $@ $<
$(BUILD)/tests/integration_run: $(IT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) $(CURL_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- the two commands ------------------------------------------------------------
RUN_DIR  ?= var/pg
RUN_PORT ?= 54329
run: deps
	@$(MAKE) --no-print-directory all
	@deploy/run.sh "$(RUN_DIR)" "$(RUN_PORT)"

test: deps
	@$(MAKE) --no-print-directory all WERROR=1
	@$(MAKE) --no-print-directory check-core
	@tests/run.sh

unit: all
	$(BUILD)/tests/unit_run

check-core:
	@bad=$$(grep -lE '#include *[<"](libpq-fe|microhttpd|uv|postgres)[^>"]*[>"]' \
	    $(foreach m,$(CORE),$(wildcard server/$(m).c include/$(m).h)) 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "core modules include I/O headers: $$bad" >&2; exit 1; fi; \
	echo "core purity: ok ($(CORE))"

bench: deps
	@deploy/install-deps.sh deploy/debian-packages-bench.txt
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh

asan:
	@$(MAKE) --no-print-directory all SANITIZE=address,undefined OPT=-O1
tsan:
	@$(MAKE) --no-print-directory all SANITIZE=thread OPT=-O1

format:
	clang-format -i server/*.c include/*.h tests/unit/*.c tests/integration/*.c $(wildcard tests/bench/*.c)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(IT_OBJS:.o=.d)
