# SPDX-License-Identifier: BSD-2-Clause
# tlsmgr - one Makefile for the daemon, libtlsmgr, the example server and the tests.
#
# Honours CC CFLAGS CPPFLAGS LDFLAGS LDLIBS AR OBJCOPY DESTDIR PREFIX from the environment
# (OpenWrt) and the command line (Buildroot); the project's own flags are added in private
# variables.
#   make                     build/tlsmgr, build/libtlsmgr.a, build/libtlsmgr.so, build/tlsmgr.pc
#   make SHARED=0            no shared library (static-only systems; the default when CFLAGS or
#                            LDFLAGS say -static)
#   make BOARD=tiny          compile-time defaults of board/tiny/board.h
#   make MBEDTLS_DIR=/opt/m  build against an mbedTLS installed under that prefix
#   make BUILD=/tmp/o        objects and binaries elsewhere
#   make MAX_PAGE_SIZE=65536 aarch64/ARM files for a kernel with 64 KiB pages (default: 4 KiB
#                            cross, the running kernel's native)
#   make install DESTDIR=... PREFIX=/usr SYSCONFDIR=/etc
#   make uninstall           removes what install added (an edited tlsmgr.conf stays)
#   make run                 run the daemon in the foreground on local state (./run)
#   make check               build and run every test (installs test tools as root)
#   make bench               benchmarks against their peers, summary table (installs its
#                            tools and peers as root; docs/PERFORMANCE.md)
#   make fuzz                libFuzzer on every target (FUZZ_SECONDS each)
#   make dist                release tarball, and OpenWrt/Buildroot packages with its hash
#   make run-smoke           make run, Ctrl-C after 10 s: checks that the daemon exits 0
# Only `run` (and `run-smoke`, which runs it), `check` and `bench` may install packages;
# nothing else touches the system.

CC ?= cc
AR ?= ar
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SYSCONFDIR ?= /etc
PKG_CONFIG ?= pkg-config
BOARD ?= generic
PORT ?= linux
BUILD ?= build
# The board of the test-port builds: board/test for the unit tests; make bench builds the
# board simulation once per preset.
UNIT_BOARD ?= test
WERROR ?= 0
MBEDTLS_DIR ?=
INSTALL ?= install
# A static-only system (Buildroot's BR2_STATIC_LIBS) has no shared library to build.
SHARED ?= $(if $(filter -static,$(CFLAGS) $(LDFLAGS)),0,1)

# objcopy of the toolchain CC belongs to (mipsel-linux-gnu-gcc: mipsel-linux-gnu-objcopy),
# unless OBJCOPY is given (Buildroot and OpenWrt pass it).
ifeq ($(origin OBJCOPY),undefined)
CC_NAME := $(lastword $(CC))
OBJCOPY := $(if $(findstring /,$(CC_NAME)),$(dir $(CC_NAME)))$(shell c='$(notdir $(CC_NAME))'; \
	c=$${c%-[0-9]*}; case $$c in (*-gcc|*-cc|*-clang) printf '%s-' "$${c%-*}" ;; esac)objcopy
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))
CONFDIR := $(SYSCONFDIR)/tlsmgr

ifeq ($(wildcard board/$(BOARD)/board.h),)
$(error BOARD=$(BOARD): no board/$(BOARD)/board.h (presets: $(notdir $(wildcard board/*))))
endif

# --- dependencies: pkg-config when it knows them, plain -l otherwise -------------------------
ifneq ($(MBEDTLS_DIR),)
MBEDTLS_CFLAGS := -I$(MBEDTLS_DIR)/include
MBEDTLS_LIBS := -L$(MBEDTLS_DIR)/lib -lmbedtls -lmbedx509 -lmbedcrypto
MBEDTLS_PC :=
else
MBEDTLS_PC := $(shell $(PKG_CONFIG) --exists mbedtls mbedx509 mbedcrypto 2>/dev/null && echo yes)
MBEDTLS_CFLAGS := $(if $(MBEDTLS_PC),$(shell $(PKG_CONFIG) --cflags mbedtls))
MBEDTLS_LIBS := $(if $(MBEDTLS_PC),$(shell $(PKG_CONFIG) --libs mbedtls mbedx509 mbedcrypto),\
	-lmbedtls -lmbedx509 -lmbedcrypto)
endif
LMDB_PC := $(shell $(PKG_CONFIG) --exists lmdb 2>/dev/null && echo yes)
LMDB_CFLAGS := $(if $(LMDB_PC),$(shell $(PKG_CONFIG) --cflags lmdb))
LMDB_LIBS := $(if $(LMDB_PC),$(shell $(PKG_CONFIG) --libs lmdb),-llmdb)
DEP_LIBS = $(MBEDTLS_LIBS) $(LMDB_LIBS) -lpthread

# --- flags -----------------------------------------------------------------------------------
# An option the compiler (cc_option) or the linker (ld_option) accepts, else nothing: cross
# toolchains and Buildroot/OpenWrt compilers of every age build the same Makefile.
cc_option = $(shell $(CC) $(CFLAGS) $(1) -Werror -c -x c /dev/null -o /dev/null >/dev/null 2>&1 \
	&& echo '$(1)')
# (A linker that ignores an option only warns, even under --fatal-warnings: any output refuses.)
ld_option = $(shell out=$$(printf 'int main(void){return 0;}' | $(CC) $(CFLAGS) $(LDFLAGS) $(1) \
	-Wl,--fatal-warnings -x c - -o /dev/null 2>&1) && [ -z "$$out" ] && echo '$(1)')

TLSMGR_WARN := -Wall -Wextra -Wundef
ifeq ($(WERROR),1)
TLSMGR_WARN += -Werror
endif
# Size: each function and object in its own section, so that the link drops what nothing
# calls; hidden visibility, so that no internal function is exported or called through the
# GOT (MIPS executables export every global symbol otherwise; client.h marks the library's
# API); imports called through the GOT, without a PLT stub each; no unwind tables: this is C
# that nothing unwinds through (a host thread cancelled in tlsmgr_seed's wait still ends, its
# C cleanup handlers run; a packager who wants the tables passes -fasynchronous-unwind-tables
# in CFLAGS, which come after these).
TLSMGR_CFLAGS := -std=c99 $(TLSMGR_WARN) -ffunction-sections -fdata-sections -fvisibility=hidden \
	-fno-asynchronous-unwind-tables -fno-unwind-tables $(call cc_option,-fno-plt)
# x86: data aligned as the psABI says, not to 32 bytes for every object of 32 bytes or more
# (GCC's default keeps that for objects of GCC <= 4.8 that assumed it; no data is exported).
TLSMGR_CFLAGS += $(call cc_option,-malign-data=abi)
# Built for size (-Os or -Oz in CFLAGS): no register kept live across a call by saving it
# around each call (every call site pays the saves), no jump tables (a switch of a few cases
# is shorter as compares than as a table and its load sequence), no shrink-wrapping (it
# copies the register saves onto the paths that need them), no loop invariants hoisted into
# registers that then must be saved, no conditional moves in place of a short branch, no
# jump threading (it copies a block, often a whole log call, onto each path that reaches
# it; the dominator pass threads jumps too), no tail calls (each one copies the caller's
# epilogue in front of its jump). Code generation only: no hardening changes. With GCC 12 on
# x86-64 they take 1.5 KB from the daemon, 150 B from the library. Other -O levels keep GCC's
# choice.
SIZE_CFLAGS := $(foreach f,-fno-caller-saves -fno-jump-tables -fno-shrink-wrap \
	-fno-move-loop-invariants -fno-if-conversion -fno-thread-jumps -fno-tree-dominator-opts \
	-fno-optimize-sibling-calls,$(call cc_option,$(f)))
TLSMGR_CFLAGS += $(if $(filter -Os -Oz,$(CFLAGS)),$(SIZE_CFLAGS))
# No segment padded to a page boundary of its own in the file (binutils >= 2.31).
TLSMGR_LDFLAGS := -Wl,--gc-sections -Wl,-O1 -Wl,--as-needed $(call ld_option,-z noseparate-code)
# No empty .dynamic entries kept for tools that edit a linked file (prelink): GNU ld's five
# cost 80 bytes of RELRO in each file.
TLSMGR_LDFLAGS += $(call ld_option,-Xlinker --spare-dynamic-tags=0)
# crtbegin's weak references that nothing defines (__gmon_start__, which a -pg link defines,
# and the _ITM_* hooks of GCC's transactional memory, unused here) are resolved to 0 by the
# linker instead of costing a dynamic symbol, a GOT slot and a relocation each (x86).
TLSMGR_LDFLAGS += $(call ld_option,-z nodynamic-undefined-weak)
# No unwind tables for the linker's PLT stubs either, unless CFLAGS ask for unwind tables: the
# code that calls through them has none (TLSMGR_CFLAGS above), so nothing unwinds there. For
# the same reason no .eh_frame_hdr (and its program header), the index of tables that are
# not there: what is left of .eh_frame is the C start-up files' own.
TLSMGR_LDFLAGS += $(if $(filter -fasynchronous-unwind-tables -funwind-tables -fexceptions,\
	$(CFLAGS)),,$(call ld_option,-Xlinker --no-ld-generated-unwind-info) \
	$(call ld_option,-Xlinker --no-eh-frame-hdr))
# Relative relocations packed (DT_RELR): a bitmap word instead of 24 bytes per address. Only
# against glibc >= 2.36, whose loader reads them; the linker then adds a GLIBC_ABI_DT_RELR
# version need, so that an older loader refuses the file instead of running it unrelocated.
# (musl reads DT_RELR from 1.2.4 on, but nothing would stop an older musl from running it.)
GLIBC_RELR := $(shell $(CC) $(CFLAGS) -dM -E -include features.h -x c /dev/null 2>/dev/null | \
	awk '$$2 == "__GLIBC__" { a = $$3 } $$2 == "__GLIBC_MINOR__" { b = $$3 } \
	END { if (a * 1000 + b >= 2036) print "yes" }')
TLSMGR_LDFLAGS += $(if $(GLIBC_RELR),$(call ld_option,-z pack-relative-relocs))
# GNU ld lays out aarch64 and 32-bit ARM files for 64 KiB pages, the largest those kernels may
# use: up to 60 KiB of padding in each file (libtlsmgr.so: 67 KB instead of 31 KB). The
# kernels of OpenWrt, Buildroot (BR2_ARM64_PAGE_SIZE_4K, its default) and Debian use 4 KiB
# pages: a cross build is laid out for 4 KiB, a native one for the pages of the kernel it runs
# on (32-bit ARM kernels have 4 KiB pages only). For a kernel with 16 or 64 KiB pages pass
# MAX_PAGE_SIZE=16384 or 65536; MAX_PAGE_SIZE= keeps the linker's own. (MIPS files are not
# padded, only their addresses: their layout stays the linker's.)
TARGET_ARCH_NAME := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine 2>/dev/null)))
ifneq ($(filter aarch64 aarch64_be arm armeb,$(TARGET_ARCH_NAME)),)
MAX_PAGE_SIZE ?= $(if $(filter $(TARGET_ARCH_NAME),$(shell uname -m)),$(shell getconf PAGESIZE),4096)
endif
TLSMGR_LDFLAGS += $(if $(MAX_PAGE_SIZE),-z max-page-size=$(MAX_PAGE_SIZE))
# The library's objects serve the .so and the .a alike.
LIB_CFLAGS := -fPIC
TLSMGR_INCLUDES := -I. -Iconfig -Iport -Isrc/core -Isrc/daemon -Isrc/client
# The library's files cannot reach the daemon's headers.
LIB_INCLUDES := -I. -Iconfig -Iport -Isrc/core -Isrc/client
TLSMGR_CPPFLAGS = $(OBJ_INCLUDES) -DTLSMGR_VERSION='"$(VERSION)"' \
	-DTLSMGR_SYSCONFDIR='"$(SYSCONFDIR)"' -DTLSMGR_BOARD_HEADER='"board/$(OBJ_BOARD)/board.h"' \
	$(MBEDTLS_CFLAGS) $(LMDB_CFLAGS)
COMPILE = $(CC) $(TLSMGR_CPPFLAGS) $(CPPFLAGS) $(TLSMGR_CFLAGS) $(OBJ_CFLAGS) $(CFLAGS) \
	$(EXTRA_CFLAGS) -MMD -MP

# --- sources ---------------------------------------------------------------------------------
# port/linux overrides port/posix file by file; other ports replace the whole set.
ifeq ($(PORT),linux)
PORT_SRCS := $(filter-out $(patsubst port/linux/%,port/posix/%,$(wildcard port/linux/*.c)),\
	$(wildcard port/posix/*.c)) $(wildcard port/linux/*.c)
else
PORT_SRCS := $(wildcard port/$(PORT)/*.c)
endif
# src/core: what the daemon and the library share.
CORE_SRCS := src/core/byteorder.c src/core/cache_env.c src/core/cache_format.c \
	src/core/cache_session.c src/core/conf.c src/core/egd_client.c src/core/readfile.c \
	src/core/ticket_format.c src/core/ticket_slots.c src/core/ticket_store.c
DAEMON_SRCS := $(wildcard src/daemon/*.c)
CLIENT_SRCS := src/client/cache_client.c src/client/client.c src/client/seed.c \
	src/client/ticket_client.c
# What a TLS server links: the client, the core, and of the port only clocks, files, the
# kernel RNG, sockets, poll, the lock, the pid and the list of its own mappings (to close a
# damaged env). Never privileges, signals (nor the fault guard), log sinks, syslog names or
# hardware hooks. Another port than posix/linux gives all its files unless LIB_PORT_SRCS
# names them.
ifneq ($(filter linux posix,$(PORT)),)
LIB_PORT_SRCS := $(filter $(foreach f,clock file fs random socket poll mutex process maps detach,\
	%/$(f).c),$(PORT_SRCS))
else
LIB_PORT_SRCS ?= $(PORT_SRCS)
endif
LIB_SRCS := $(CLIENT_SRCS) $(CORE_SRCS) $(LIB_PORT_SRCS)
EXAMPLE_SRCS := $(wildcard docs/example/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)

OBJ = $(BUILD)/obj
LIB = $(BUILD)/lib
UNIT = $(BUILD)/unit

# The daemon has no threads: the port's mutex (libtlsmgr's lock) stays out of it.
DAEMON_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(DAEMON_SRCS) $(CORE_SRCS) \
	$(filter-out %/mutex.c,$(PORT_SRCS)))
LIB_OBJS := $(patsubst %.c,$(LIB)/%.o,$(LIB_SRCS))
# Unit tests: every module except main, on port/test (the real port wrapped) and board/test.
UNIT_PORT_OBJS := $(patsubst %.c,$(UNIT)/%.o,$(PORT_SRCS))
UNIT_LIB_OBJS := $(patsubst %.c,$(UNIT)/%.o,$(filter-out src/daemon/main.c,$(DAEMON_SRCS)) \
	$(CORE_SRCS) $(CLIENT_SRCS)) $(UNIT_PORT_OBJS) $(UNIT)/port/test/port_test.o \
	$(UNIT)/tests/unit/t.o
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/%,$(FUZZ_SRCS))
# Benchmarks on the real port, and the board simulation on the test port (UNIT_BOARD).
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(BENCH_SRCS)) $(BUILD)/tests/sim_board
EXAMPLE_BIN := $(if $(EXAMPLE_SRCS),$(BUILD)/example-server)

$(OBJ)/%.o: OBJ_BOARD = $(BOARD)
$(OBJ)/%.o: OBJ_INCLUDES = $(TLSMGR_INCLUDES)
$(LIB)/%.o: OBJ_BOARD = $(BOARD)
$(LIB)/%.o: OBJ_INCLUDES = $(LIB_INCLUDES)
$(LIB)/%.o: OBJ_CFLAGS = $(LIB_CFLAGS)
# The daemon's handlers all restart what they interrupt: its port need not retry (eintr.h).
$(OBJ)/port/%.o: OBJ_CFLAGS = -DPORT_SIGNALS_RESTART=1
$(UNIT)/%.o: OBJ_BOARD = $(UNIT_BOARD)
$(UNIT)/%.o: OBJ_INCLUDES = $(TLSMGR_INCLUDES) -Iport/test -Itests/unit
$(UNIT_PORT_OBJS): EXTRA_CFLAGS = -include port/test/real_names.h
# Test programs may use POSIX directly to set up what they test; src/ may not.
$(UNIT)/tests/%.o $(OBJ)/tests/%.o: EXTRA_CFLAGS = -D_GNU_SOURCE

# Objects are rebuilt when the command that compiles them changes (another SYSCONFDIR,
# BOARD, CFLAGS...): each object directory keeps it in a file that changes only then.
flags_file = $(shell mkdir -p $(dir $(1)) && printf '%s\n' '$(subst ','"'"',$(2))' >$(1).new && \
	{ cmp -s $(1).new $(1) && rm -f $(1).new || mv -f $(1).new $(1); })
COMMON_FLAGS = $(CC) $(CPPFLAGS) $(CFLAGS) $(TLSMGR_CFLAGS) $(VERSION) $(SYSCONFDIR) \
	$(MBEDTLS_CFLAGS) $(LMDB_CFLAGS)
$(call flags_file,$(OBJ)/.flags,$(COMMON_FLAGS) $(BOARD))
$(call flags_file,$(LIB)/.flags,$(COMMON_FLAGS) $(BOARD) $(LIB_CFLAGS))
$(call flags_file,$(UNIT)/.flags,$(COMMON_FLAGS) $(UNIT_BOARD))
$(call flags_file,$(BUILD)/.pc-vars,$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(VERSION) $(MBEDTLS_PC) \
	$(LMDB_PC))

.PHONY: all install install-bin install-man uninstall clean run check check-deps unit-tests \
	fuzz-bins bench-bins bench bench-deps fuzz dist mbedtls36
.SUFFIXES:
# Objects made through pattern rules are kept: deleting them would rebuild them every time.
.SECONDARY:

all: $(BUILD)/tlsmgr $(BUILD)/libtlsmgr.a $(if $(filter 0,$(SHARED)),,$(BUILD)/libtlsmgr.so) \
	$(BUILD)/tlsmgr.pc $(EXAMPLE_BIN)

$(OBJ)/%.o: %.c $(OBJ)/.flags
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

$(LIB)/%.o: %.c $(LIB)/.flags
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

$(UNIT)/%.o: %.c $(UNIT)/.flags
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

LINK = $(CC) $(TLSMGR_CFLAGS) $(CFLAGS) $(LDFLAGS) $(TLSMGR_LDFLAGS)

$(BUILD)/tlsmgr: $(DAEMON_OBJS)
	$(LINK) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# The static library is one object: the library's objects linked together, keeping only the
# public API and what it reaches (an LTO build is compiled to code there; a linker without
# --gc-keep-exported keeps everything), then every symbol but the public API made local, so
# that a server linking it statically meets none of the internal names (conf_load, port_*...).
RLINK = $(CC) $(TLSMGR_CFLAGS) $(CFLAGS) $(if $(filter -flto%,$(CFLAGS)),-flinker-output=nolto-rel) \
	-r -nostdlib
$(BUILD)/libtlsmgr.a: $(LIB_OBJS)
	@rm -f $@
	$(RLINK) -Wl,--gc-sections -Wl,--gc-keep-exported -o $(LIB)/libtlsmgr.o $^ || \
		$(RLINK) -o $(LIB)/libtlsmgr.o $^
	$(OBJCOPY) --localize-hidden $(LIB)/libtlsmgr.o
	$(AR) rcs $@ $(LIB)/libtlsmgr.o

$(BUILD)/libtlsmgr.so: $(LIB_OBJS) src/client/libtlsmgr.map
	$(LINK) -shared -Wl,-soname,libtlsmgr.so.$(SOVERSION) \
		-Wl,--version-script=src/client/libtlsmgr.map -o $@ $(LIB_OBJS) $(DEP_LIBS) $(LDLIBS)

# pkg-config file: the dependencies through their own .pc files where they have one (mbedTLS
# 3.x, OpenWrt's LMDB), else as plain -l flags (Debian 12's mbedTLS 2.28), so that
# pkg-config --static --libs tlsmgr is complete either way.
PC_REQUIRES := $(if $(MBEDTLS_PC),mbedtls mbedx509 mbedcrypto) $(if $(LMDB_PC),lmdb)
PC_LIBS := $(if $(MBEDTLS_PC),,-lmbedtls -lmbedx509 -lmbedcrypto) $(if $(LMDB_PC),,-llmdb) -lpthread
pc_dir = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}$(patsubst $(PREFIX)%,%,$(1)),$(1))
$(BUILD)/tlsmgr.pc: $(BUILD)/.pc-vars
	@mkdir -p $(@D)
	@{ echo 'prefix=$(PREFIX)'; echo 'libdir=$(call pc_dir,$(LIBDIR))'; \
	  echo 'includedir=$(call pc_dir,$(INCLUDEDIR))'; echo; echo 'Name: tlsmgr'; \
	  echo 'Description: shared TLS session cache and seed of tlsmgr for mbedTLS servers'; \
	  echo 'URL: https://github.com/tlsmgr/tlsmgr'; echo 'Version: $(VERSION)'; \
	  $(if $(strip $(PC_REQUIRES)),echo 'Requires.private: $(strip $(PC_REQUIRES))';) \
	  echo 'Cflags: -I$${includedir}'; echo 'Libs: -L$${libdir} -ltlsmgr'; \
	  echo 'Libs.private: $(strip $(PC_LIBS))'; } >$@

$(BUILD)/example-server: $(patsubst %.c,$(OBJ)/%.o,$(EXAMPLE_SRCS)) $(BUILD)/libtlsmgr.a
	$(LINK) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# --- tests -----------------------------------------------------------------------------------
unit-tests: $(UNIT_BINS)
fuzz-bins: $(FUZZ_BINS)
bench-bins: $(BENCH_BINS)

$(BUILD)/tests/test_%: $(UNIT)/tests/unit/test_%.o $(UNIT_LIB_OBJS)
	@mkdir -p $(@D)
	$(LINK) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# Fuzz targets: a standalone main replays a corpus; FUZZ_ENGINE=-fsanitize=fuzzer (clang)
# builds the libFuzzer binary instead.
$(BUILD)/tests/fuzz_%: $(UNIT)/tests/fuzz/fuzz_%.o $(if $(FUZZ_ENGINE),,$(UNIT)/tests/fuzz/replay.o) \
		$(filter-out $(UNIT)/tests/unit/t.o,$(UNIT_LIB_OBJS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(FUZZ_ENGINE) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

$(BUILD)/tests/bench_%: $(OBJ)/tests/bench/bench_%.o $(filter-out $(OBJ)/src/daemon/main.o,$(DAEMON_OBJS)) \
		$(patsubst %.c,$(OBJ)/%.o,$(CLIENT_SRCS) $(filter %/mutex.c,$(PORT_SRCS)))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

$(BUILD)/tests/sim_%: $(UNIT)/tests/bench/sim_%.o $(filter-out $(UNIT)/tests/unit/t.o,$(UNIT_LIB_OBJS))
	@mkdir -p $(@D)
	$(LINK) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

# Developer targets: these three may install build dependencies (as root) and nothing else does.
check-deps:
	@sh mk/deps.sh check

mbedtls36:
	@sh mk/mbedtls36.sh $(CURDIR)/.cache/mbedtls-3.6

check: check-deps mbedtls36
	@bash tests/run

# The benchmarks build what they measure themselves (also against mbedTLS 3.6 when
# make mbedtls36 has built it); under 10 minutes on 2 cores.
bench-deps:
	@sh mk/bench-deps.sh

bench: bench-deps
	@bash tests/bench/run $(BUILD)

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
# tlsmgr.conf is installed only where there is none: a reinstall keeps the local one, as
# Debian's and OpenWrt's conffiles do, and tlsmgr.conf.example beside it is always the new
# version's. Nothing installed is run (cross builds cannot).
SOFILES := $(if $(filter 0,$(SHARED)),,libtlsmgr.so.$(VERSION) libtlsmgr.so.$(SOVERSION) libtlsmgr.so)
INSTALLED := $(SBINDIR)/tlsmgr $(LIBDIR)/libtlsmgr.a $(addprefix $(LIBDIR)/,$(SOFILES)) \
	$(INCLUDEDIR)/tlsmgr.h $(PKGCONFIGDIR)/tlsmgr.pc $(CONFDIR)/tlsmgr.conf.example
MANPAGES := $(MANDIR)/man8/tlsmgr.8 $(MANDIR)/man5/tlsmgr.conf.5 $(MANDIR)/man3/libtlsmgr.3

install: install-bin install-man

install-bin: all
	$(INSTALL) -D -m 0755 $(BUILD)/tlsmgr $(DESTDIR)$(SBINDIR)/tlsmgr
	$(INSTALL) -D -m 0644 $(BUILD)/libtlsmgr.a $(DESTDIR)$(LIBDIR)/libtlsmgr.a
ifneq ($(SHARED),0)
	$(INSTALL) -D -m 0755 $(BUILD)/libtlsmgr.so $(DESTDIR)$(LIBDIR)/libtlsmgr.so.$(VERSION)
	ln -sf libtlsmgr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtlsmgr.so.$(SOVERSION)
	ln -sf libtlsmgr.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libtlsmgr.so
endif
	$(INSTALL) -D -m 0644 src/client/tlsmgr.h $(DESTDIR)$(INCLUDEDIR)/tlsmgr.h
	$(INSTALL) -D -m 0644 $(BUILD)/tlsmgr.pc $(DESTDIR)$(PKGCONFIGDIR)/tlsmgr.pc
	$(INSTALL) -D -m 0644 docs/tlsmgr.conf.example $(DESTDIR)$(CONFDIR)/tlsmgr.conf.example
	@if [ -e '$(DESTDIR)$(CONFDIR)/tlsmgr.conf' ]; then \
		echo 'kept $(DESTDIR)$(CONFDIR)/tlsmgr.conf; the new example is tlsmgr.conf.example'; \
	else \
		echo '$(INSTALL) -m 0644 docs/tlsmgr.conf.example $(DESTDIR)$(CONFDIR)/tlsmgr.conf'; \
		$(INSTALL) -m 0644 docs/tlsmgr.conf.example '$(DESTDIR)$(CONFDIR)/tlsmgr.conf'; \
	fi

install-man:
	$(INSTALL) -D -m 0644 docs/tlsmgr.8 $(DESTDIR)$(MANDIR)/man8/tlsmgr.8
	$(INSTALL) -D -m 0644 docs/tlsmgr.conf.5 $(DESTDIR)$(MANDIR)/man5/tlsmgr.conf.5
	$(INSTALL) -D -m 0644 docs/libtlsmgr.3 $(DESTDIR)$(MANDIR)/man3/libtlsmgr.3

# Removes what install added: tlsmgr.conf only while it is still the example (an edited one
# stays, as a package manager keeps a changed conffile), then CONFDIR if empty; under a
# DESTDIR also every directory install made that is empty now, up to DESTDIR.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED) $(MANPAGES))
	@conf='$(DESTDIR)$(CONFDIR)/tlsmgr.conf'; \
	if cmp -s docs/tlsmgr.conf.example "$$conf"; then echo "rm -f $$conf"; rm -f "$$conf"; \
	elif [ -e "$$conf" ]; then echo "kept $$conf: it differs from the example"; fi
	@rmdir '$(DESTDIR)$(CONFDIR)' 2>/dev/null || true
	@if [ -n '$(DESTDIR)' ]; then \
		for d in $(sort $(dir $(INSTALLED) $(MANPAGES))); do \
			d='$(DESTDIR)'$${d%/}; \
			while [ "$$d" != '$(DESTDIR)' ] && [ -n "$$d" ]; do \
				[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || break; \
				d=$${d%/*}; \
			done; \
		done; \
	fi

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
