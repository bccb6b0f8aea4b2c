# SPDX-License-Identifier: BSD-2-Clause
# tlsmgr - one Makefile for the daemon, libtlsmgr, the example server and the tests.
#
# Honours CC CFLAGS CPPFLAGS LDFLAGS LDLIBS AR DESTDIR PREFIX from the environment (OpenWrt)
# and the command line (Buildroot); the project's own flags are appended in private variables.
#   make                     build/tlsmgr, build/libtlsmgr.a, build/libtlsmgr.so
#   make BOARD=tiny          compile-time defaults of board/tiny/board.h
#   make MBEDTLS_DIR=/opt/m  build against an mbedTLS installed under that prefix
#   make BUILD=/tmp/o        objects and binaries elsewhere
#   make install DESTDIR=... PREFIX=/usr
#   make run                 run the daemon in the foreground on local state (./run)
#   make check               build and run every test (installs test tools as root)
#   make bench               benchmarks
#   make fuzz                libFuzzer on every target (FUZZ_SECONDS each)
#   make dist                release tarball, and OpenWrt/Buildroot packages with its hash
#   make run-smoke           make run, Ctrl-C after 10 s: checks that the daemon exits 0
# Only `run` (and `run-smoke`, which runs it) and `check` may install packages; nothing else
# touches the system.

CC ?= cc
AR ?= ar
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PKG_CONFIG ?= pkg-config
BOARD ?= generic
PORT ?= linux
BUILD ?= build
WERROR ?= 0
MBEDTLS_DIR ?=
INSTALL ?= install

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
SOVERSION := 0

ifeq ($(wildcard board/$(BOARD)/board.h),)
$(error BOARD=$(BOARD): no board/$(BOARD)/board.h (presets: $(notdir $(wildcard board/*))))
endif

# --- dependencies: pkg-config when it knows them, plain -l otherwise -------------------------
ifneq ($(MBEDTLS_DIR),)
MBEDTLS_CFLAGS := -I$(MBEDTLS_DIR)/include
MBEDTLS_LIBS := -L$(MBEDTLS_DIR)/lib -lmbedtls -lmbedx509 -lmbedcrypto
else
MBEDTLS_CFLAGS := $(shell $(PKG_CONFIG) --cflags mbedtls 2>/dev/null)
MBEDTLS_LIBS := $(shell $(PKG_CONFIG) --libs mbedtls mbedx509 mbedcrypto 2>/dev/null || echo -lmbedtls -lmbedx509 -lmbedcrypto)
endif
LMDB_CFLAGS := $(shell $(PKG_CONFIG) --cflags lmdb 2>/dev/null)
LMDB_LIBS := $(shell $(PKG_CONFIG) --libs lmdb 2>/dev/null || echo -llmdb)
DEP_LIBS = $(MBEDTLS_LIBS) $(LMDB_LIBS) -lpthread

# --- flags -----------------------------------------------------------------------------------
TLSMGR_WARN := -Wall -Wextra -Wundef
ifeq ($(WERROR),1)
TLSMGR_WARN += -Werror
endif
TLSMGR_CFLAGS := -std=c99 $(TLSMGR_WARN)
TLSMGR_INCLUDES := -I. -Iconfig -Iport -Isrc/core -Isrc/daemon -Isrc/client
TLSMGR_CPPFLAGS = $(TLSMGR_INCLUDES) -DTLSMGR_VERSION='"$(VERSION)"' \
	-DTLSMGR_BOARD_HEADER='"board/$(OBJ_BOARD)/board.h"' $(MBEDTLS_CFLAGS) $(LMDB_CFLAGS)
COMPILE = $(CC) $(TLSMGR_CPPFLAGS) $(CPPFLAGS) $(TLSMGR_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP

# --- sources ---------------------------------------------------------------------------------
# port/linux overrides port/posix file by file; other ports replace the whole set.
ifeq ($(PORT),linux)
PORT_SRCS := $(filter-out $(patsubst port/linux/%,port/posix/%,$(wildcard port/linux/*.c)),\
	$(wildcard port/posix/*.c)) $(wildcard port/linux/*.c)
else
PORT_SRCS := $(wildcard port/$(PORT)/*.c)
endif
CORE_SRCS := $(wildcard src/core/*.c)
DAEMON_SRCS := $(wildcard src/daemon/*.c)
CLIENT_SRCS := $(wildcard src/client/*.c)
EXAMPLE_SRCS := $(wildcard docs/example/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)

OBJ = $(BUILD)/obj
PIC = $(BUILD)/pic
UNIT = $(BUILD)/unit

DAEMON_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(DAEMON_SRCS) $(CORE_SRCS) $(PORT_SRCS))
LIB_OBJS := $(patsubst %.c,$(PIC)/%.o,$(CLIENT_SRCS) $(CORE_SRCS) $(PORT_SRCS))
# Unit tests: every module except main, on port/test (the real port wrapped) and board/test.
UNIT_PORT_OBJS := $(patsubst %.c,$(UNIT)/%.o,$(PORT_SRCS))
UNIT_LIB_OBJS := $(patsubst %.c,$(UNIT)/%.o,$(filter-out src/daemon/main.c,$(DAEMON_SRCS)) \
	$(CORE_SRCS) $(CLIENT_SRCS)) $(UNIT_PORT_OBJS) $(UNIT)/port/test/port_test.o \
	$(UNIT)/tests/unit/t.o
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/%,$(FUZZ_SRCS))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(BENCH_SRCS))
EXAMPLE_BIN := $(if $(EXAMPLE_SRCS),$(BUILD)/example-server)

$(OBJ)/%.o: OBJ_BOARD = $(BOARD)
$(PIC)/%.o: OBJ_BOARD = $(BOARD)
$(UNIT)/%.o: OBJ_BOARD = test
$(UNIT_PORT_OBJS): EXTRA_CFLAGS = -include port/test/real_names.h
# Test programs may use POSIX directly to set up what they test; src/ may not.
$(UNIT)/tests/%.o $(OBJ)/tests/%.o: EXTRA_CFLAGS = -D_GNU_SOURCE

.PHONY: all install install-bin install-man uninstall clean run check check-deps unit-tests \
	fuzz-bins bench-bins bench fuzz dist mbedtls36
.SUFFIXES:
# Objects made through pattern rules are kept: deleting them would rebuild them every time.
.SECONDARY:

all: $(BUILD)/tlsmgr $(BUILD)/libtlsmgr.a $(BUILD)/libtlsmgr.so $(EXAMPLE_BIN)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

$(PIC)/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) -fPIC -c $< -o $@

$(UNIT)/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) -Iport/test -Itests/unit -c $< -o $@

$(BUILD)/tlsmgr: $(DAEMON_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

$(BUILD)/libtlsmgr.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libtlsmgr.so: $(LIB_OBJS) src/client/libtlsmgr.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libtlsmgr.so.$(SOVERSION) \
		-Wl,--version-script=src/client/libtlsmgr.map -o $@ $(LIB_OBJS) $(DEP_LIBS) $(LDLIBS)

$(BUILD)/example-server: $(patsubst %.c,$(OBJ)/%.o,$(EXAMPLE_SRCS)) $(BUILD)/libtlsmgr.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# --- tests -----------------------------------------------------------------------------------
unit-tests: $(UNIT_BINS)
fuzz-bins: $(FUZZ_BINS)
bench-bins: $(BENCH_BINS)

$(BUILD)/tests/test_%: $(UNIT)/tests/unit/test_%.o $(UNIT_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# Fuzz targets: a standalone main replays a corpus; FUZZ_ENGINE=-fsanitize=fuzzer (clang)
# builds the libFuzzer binary instead.
$(BUILD)/tests/fuzz_%: $(UNIT)/tests/fuzz/fuzz_%.o $(if $(FUZZ_ENGINE),,$(UNIT)/tests/fuzz/replay.o) \
		$(filter-out $(UNIT)/tests/unit/t.o,$(UNIT_LIB_OBJS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(FUZZ_ENGINE) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

$(BUILD)/tests/bench_%: $(OBJ)/tests/bench/bench_%.o $(filter-out $(OBJ)/src/daemon/main.o,$(DAEMON_OBJS)) \
		$(patsubst %.c,$(OBJ)/%.o,$(CLIENT_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# Developer targets: these two may install build dependencies (as root) and nothing else does.
check-deps:
	@sh mk/deps.sh check

mbedtls36:
	@sh mk/mbedtls36.sh $(CURDIR)/.cache/mbedtls-3.6

check: check-deps mbedtls36
	@bash tests/run

bench: all bench-bins
	@bash tests/bench/run

# Release tarball and packages with its hash (build/dist); runs nothing it built.
dist:
	@sh mk/dist.sh $(BUILD)/dist

# Real fuzzing with libFuzzer (clang), FUZZ_SECONDS per target; make check only replays corpora.
FUZZ_SECONDS ?= 60
fuzz:
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/libfuzzer FUZZ_ENGINE=-fsanitize=fuzzer \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
		LDFLAGS="-fsanitize=address,undefined" fuzz-bins
	@sh mk/fuzz.sh $(BUILD)/libfuzzer $(FUZZ_SECONDS)

# State in ./run, or as root in /run/tlsmgr-run-N (mk/run.sh says why).
run:
	@sh mk/deps.sh run
	@$(MAKE) --no-print-directory all
	@sh mk/run.sh $(BUILD)/tlsmgr

# make run stopped by a Ctrl-C to its process group after 10 s: the daemon must exit 0.
.PHONY: run-smoke
run-smoke:
	@sh mk/run-smoke.sh 10

# --- install ---------------------------------------------------------------------------------
install: install-bin install-man

install-bin: all
	$(INSTALL) -D -m 0755 $(BUILD)/tlsmgr $(DESTDIR)$(SBINDIR)/tlsmgr
	$(INSTALL) -D -m 0644 $(BUILD)/libtlsmgr.a $(DESTDIR)$(LIBDIR)/libtlsmgr.a
	$(INSTALL) -D -m 0755 $(BUILD)/libtlsmgr.so $(DESTDIR)$(LIBDIR)/libtlsmgr.so.$(SOVERSION)
	ln -sf libtlsmgr.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libtlsmgr.so
	$(INSTALL) -D -m 0644 src/client/tlsmgr.h $(DESTDIR)$(INCLUDEDIR)/tlsmgr.h
	$(INSTALL) -D -m 0644 docs/tlsmgr.conf.example $(DESTDIR)$(SYSCONFDIR)/tlsmgr/tlsmgr.conf

install-man:
	$(INSTALL) -D -m 0644 docs/tlsmgr.8 $(DESTDIR)$(MANDIR)/man8/tlsmgr.8
	$(INSTALL) -D -m 0644 docs/tlsmgr.conf.5 $(DESTDIR)$(MANDIR)/man5/tlsmgr.conf.5
	$(INSTALL) -D -m 0644 docs/libtlsmgr.3 $(DESTDIR)$(MANDIR)/man3/libtlsmgr.3

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tlsmgr $(DESTDIR)$(LIBDIR)/libtlsmgr.a \
		$(DESTDIR)$(LIBDIR)/libtlsmgr.so $(DESTDIR)$(LIBDIR)/libtlsmgr.so.$(SOVERSION) \
		$(DESTDIR)$(INCLUDEDIR)/tlsmgr.h $(DESTDIR)$(MANDIR)/man8/tlsmgr.8 \
		$(DESTDIR)$(MANDIR)/man5/tlsmgr.conf.5 $(DESTDIR)$(MANDIR)/man3/libtlsmgr.3

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
