# SPDX-License-Identifier: GPL-2.0
# flightwatch: `make` builds build/flightwatch; see README.md for the rest.

OUT := build
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
LLVM_OBJDUMP ?= llvm-objdump
CC ?= cc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# the configuration is read from /etc whatever the prefix
CONFDIR ?= /etc/flightwatch
SCDOC ?= $(shell command -v scdoc 2>/dev/null)
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/;s/ppc64le/powerpc/;s/s390x/s390/')

CFLAGS ?= -O2 -g
# CPPFLAGS and LDFLAGS from the environment too (dpkg-buildflags'
# hardening when the Debian package is built)
USER_CFLAGS := $(CFLAGS) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wshadow -Wstrict-prototypes -Iinclude -Iuser -I$(OUT)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -Ibpf -I$(OUT)
LDLIBS := -lbpf -lelf -lz -ljson-c -lsystemd -lyaml -lmaxminddb -lresolv \
	-lcap-ng -lseccomp

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# the shared maps are __weak definitions in maps.bpf.h: any link order
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
# user/ in folders by responsibility. CORE: the folders that know nothing
# of BPF, unit-testable without root (unit tests and the fuzz target link
# them). Some read the running system, never its tracing: cli/ the config
# file (and its owner and mode), core/rules /etc/passwd and directories,
# core/content a flight log's first bytes, core/geoip a database file,
# sink/journal journald's socket, trace/ trace files.
CORE_DIRS := lib core cli sink trace
CORE_SRCS := $(wildcard $(patsubst %,user/%/*.c,$(CORE_DIRS)))
# what the core modules need: unit tests and the fuzz target link them too
CORE_LDLIBS := -ljson-c -lz -lyaml -lsystemd -lresolv -lmaxminddb
# APP: the command, the collector loop and kernel/ (BPF, /proc, privileges)
APP_SRCS := $(wildcard user/*.c user/kernel/*.c)
USER_HDRS := $(wildcard user/*.h user/*/*.h)
CORE_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(CORE_SRCS))
APP_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(APP_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%,$(UNIT_SRCS))

.DELETE_ON_ERROR:
# The trace reader's libFuzzer target (clang with compiler-rt)
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude \
	-Iuser -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FUZZ_SRCS := tests/fuzz/fuzz_trace_reader.c $(CORE_SRCS)
FUZZ_TIME ?= 60

.PHONY: all deps deps-bench test unit vmtest run bench install uninstall clean \
	format fuzz fuzz-build man deb FORCE

# the man page when scdoc is there (make deps installs it)
all: $(OUT)/flightwatch $(if $(SCDOC),$(OUT)/flightwatch.8)

deps:
	$(Q)scripts/deps.sh

# the peers `make bench` compares against (not needed by CI)
deps-bench:
	$(Q)scripts/deps.sh --bench

$(OUT)/vmlinux.h:
	$(Q)mkdir -p $(OUT)
	$(Q)if [ ! -r $(VMLINUX_BTF) ]; then \
		echo "error: $(VMLINUX_BTF) not found: the kernel needs CONFIG_DEBUG_INFO_BTF=y" >&2; \
		exit 1; fi
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h
	$(Q)mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

# Each program's chain of calls within 6.1's 512 bytes of stack, which
# kernels with private stacks (6.18 here) do not ask of it
$(OUT)/flightwatch.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) scripts/bpf-stack $^
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/flightwatch.skel.h: $(OUT)/flightwatch.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name flightwatch_bpf > $@

# The same object with the syscall programs built for typed reads
# (FW_TYPED_READS, bpf/common.bpf.h), for kernels that have
# bpf_rdonly_cast (6.2 and later): the loader opens the same skeleton on
# its bytes. Only the code differs, in the same place of the link, so
# maps, programs and globals keep their layout; the skeletons are compared
# to be sure. A separate object because libbpf 1.1 (Debian 12's) fails to
# load one that declares a kfunc the kernel lacks without CAP_SYS_ADMIN.
$(OUT)/bpf/syscalls_typed.bpf.o: bpf/syscalls.bpf.c $(OUT)/vmlinux.h
	$(Q)mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DFW_TYPED_READS -MMD -MP -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/flightwatch_typed.bpf.o: $(patsubst %/syscalls.bpf.o,%/syscalls_typed.bpf.o,$(BPF_OBJS))
	$(call msg,LINK,$@)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) scripts/bpf-stack $^
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/flightwatch_typed.skel.h: $(OUT)/flightwatch_typed.bpf.o $(OUT)/flightwatch.skel.h
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name flightwatch_typed_bpf > $@.tmp
	$(Q)scripts/skel-layout $(OUT)/flightwatch.skel.h flightwatch_bpf > $@.a
	$(Q)scripts/skel-layout $@.tmp flightwatch_typed_bpf > $@.b
	$(Q)if ! cmp -s $@.a $@.b; then \
		echo "error: the typed object's layout differs from the plain one's:" >&2; \
		diff $@.a $@.b | head -20 >&2; rm -f $@.tmp; exit 1; fi
	$(Q)rm -f $@.a $@.b
	$(Q)mv $@.tmp $@

$(OUT)/user/%.o: user/%.c
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

# The loader embeds the skeleton
$(filter $(OUT)/user/kernel/loader%,$(APP_OBJS)): $(OUT)/flightwatch.skel.h \
	$(OUT)/flightwatch_typed.skel.h

$(OUT)/flightwatch: $(CORE_OBJS) $(APP_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# $^ also holds the headers the .d files list: only sources are compiled
$(OUT)/tests/unit/%: tests/unit/%.c $(CORE_OBJS)
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP $(filter %.c %.o,$^) -o $@ \
		$(CORE_LDLIBS) -lcmocka

unit: $(UNIT_BINS)

# The README's test command: this kernel, then the kernel matrix
test: all unit
	$(Q)here=0; matrix=0; tests/run.sh || here=$$?; \
		tests/vm/vmtest.sh || matrix=$$?; \
		[ $$here -eq 0 ] && [ $$matrix -eq 0 ]

# The e2e suites in QEMU guests on other kernels (tests/vm/vmtest.sh):
# VMTEST_KERNELS="RELEASE..." and VMTEST_SUITES="SUITE..." (or "all")
# choose
vmtest: all
	$(Q)tests/vm/vmtest.sh $(if $(VMTEST_KERNELS),--kernels "$(VMTEST_KERNELS)") \
		$(if $(VMTEST_SUITES),--suites "$(VMTEST_SUITES)")

run: all
	$(OUT)/flightwatch run $(ARGS)

bench: all deps-bench
	$(Q)tests/bench/run.sh
	$(Q)tests/bench/replay.sh
	$(Q)tests/bench/flood.sh
	$(Q)RING_BYTES=65536 TRACER_NICE=0 tests/bench/flood.sh
	$(Q)tests/bench/enforce.sh

$(OUT)/fuzz/fuzz_trace_reader: $(FUZZ_SRCS) $(USER_HDRS) $(wildcard include/*.h)
	$(Q)mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_SRCS) -o $@ $(CORE_LDLIBS)

fuzz-build: $(OUT)/fuzz/fuzz_trace_reader

# make fuzz [FUZZ_TIME=seconds]: fuzz the trace reader from the seed corpus
# (new inputs go to build/fuzz/corpus, crashes to build/fuzz/)
fuzz: fuzz-build
	$(Q)mkdir -p $(OUT)/fuzz/corpus
	$(Q)$(OUT)/fuzz/fuzz_trace_reader -max_total_time=$(FUZZ_TIME) \
		-artifact_prefix=$(OUT)/fuzz/ -max_len=262144 \
		$(OUT)/fuzz/corpus tests/fuzz/corpus

man: $(OUT)/flightwatch.8

$(OUT)/flightwatch.8: doc/flightwatch.8.scd
	$(Q)mkdir -p $(@D)
	$(call msg,SCDOC,$@)
	$(Q)if [ -z "$(SCDOC)" ]; then \
		echo "error: scdoc is missing (make deps)" >&2; exit 1; fi
	$(Q)$(SCDOC) < $< > $@

# The unit names the binary where PREFIX puts it: regenerated when PREFIX
# changes, rewritten only when its text does
$(OUT)/flightwatch.service: etc/flightwatch.service.in FORCE
	$(Q)mkdir -p $(@D)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g;s|@SYSUSERSDIR@|$(SYSUSERSDIR)|g' \
		$< > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

# The example configuration (when the tree has one) goes beside the real
# one as flightwatch.yaml.example: installing it as the configuration
# would put its sample allow rules into force
install: $(OUT)/flightwatch $(OUT)/flightwatch.8 $(OUT)/flightwatch.service
	install -D -m 0755 $(OUT)/flightwatch $(DESTDIR)$(SBINDIR)/flightwatch
	install -D -m 0644 $(OUT)/flightwatch.service \
		$(DESTDIR)$(UNITDIR)/flightwatch.service
	install -D -m 0644 etc/catalog/flightwatch.catalog \
		$(DESTDIR)$(CATALOGDIR)/flightwatch.catalog
	install -D -m 0644 etc/flightwatch.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/flightwatch.conf
	install -D -m 0644 $(OUT)/flightwatch.8 \
		$(DESTDIR)$(MANDIR)/man8/flightwatch.8
	install -D -m 0644 etc/bash-completion/flightwatch \
		$(DESTDIR)$(COMPLETIONDIR)/flightwatch
	install -d -m 0755 $(DESTDIR)$(CONFDIR)
	if [ -f etc/flightwatch.yaml ]; then \
		install -m 0644 etc/flightwatch.yaml \
			$(DESTDIR)$(CONFDIR)/flightwatch.yaml.example; fi
	@# the user, on this system only (a DESTDIR is a package's staging tree)
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/flightwatch.conf; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/flightwatch \
		$(DESTDIR)$(UNITDIR)/flightwatch.service \
		$(DESTDIR)$(CATALOGDIR)/flightwatch.catalog \
		$(DESTDIR)$(SYSUSERSDIR)/flightwatch.conf \
		$(DESTDIR)$(MANDIR)/man8/flightwatch.8 \
		$(DESTDIR)$(COMPLETIONDIR)/flightwatch \
		$(DESTDIR)$(CONFDIR)/flightwatch.yaml.example
	-rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null

# The Debian package (debian/), built with dpkg-buildpackage from a copy
# of the tree under build/deb/src so that nothing is written into the
# tree: the .deb (and its build log) land in build/deb/.
# DEB_VERSION=V builds version V (a changelog entry is added to the copy);
# DEB_OUT=DIR puts all of it in DIR instead; DEB_FROM=DIR starts from the
# copy an earlier build left in DIR (its DEB_OUT), objects and all, and
# does not clean it first: an incremental build (another version of the
# same tree, to test an upgrade, without compiling it again)
DEB_OUT ?= $(OUT)/deb
deb:
	$(Q)rm -rf $(DEB_OUT)/src && mkdir -p $(DEB_OUT)/src/flightwatch
	$(call msg,COPY,$(DEB_OUT)/src/flightwatch)
	$(Q)if [ -n "$(DEB_FROM)" ]; then \
		cp -a $(DEB_FROM)/src/flightwatch/. $(DEB_OUT)/src/flightwatch/; \
	else \
		tar -c --exclude=./build --exclude=./$(OUT) --exclude=./.git . | \
			tar -x -C $(DEB_OUT)/src/flightwatch; fi
	$(Q)if [ -n "$(DEB_VERSION)" ]; then \
		scripts/deb-changelog.sh $(DEB_VERSION) \
			$(DEB_OUT)/src/flightwatch/debian/changelog; fi
	$(call msg,DPKG,$(DEB_OUT))
	$(Q)cd $(DEB_OUT)/src/flightwatch && \
		dpkg-buildpackage -us -uc -b $(if $(DEB_FROM),--no-pre-clean) \
			> ../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; exit 1; }
	$(Q)mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.buildinfo \
		$(DEB_OUT)/src/*.changes $(DEB_OUT)/
	$(Q)mv $(DEB_OUT)/src/build.log $(DEB_OUT)/
	$(Q)rm -f $(DEB_OUT)/src/*.ddeb
	$(Q)ls $(DEB_OUT)/*.deb

format:
	clang-format -i $(BPF_SRCS) bpf/*.h include/*.h $(CORE_SRCS) $(APP_SRCS) \
		$(USER_HDRS) \
		tests/helpers/*.c tests/bench/*.c tests/fuzz/*.c \
		$(UNIT_SRCS) tests/unit/*.h

clean:
	rm -rf $(OUT)

-include $(wildcard $(OUT)/bpf/*.d $(OUT)/user/*.d $(OUT)/user/*/*.d \
	$(OUT)/tests/unit/*.d)

# BPF_PROG_TEST_RUN tests of single BPF programs (tests/bpf/): each opens
# the skeleton, loads one program and runs it on crafted input; they need
# root, so tests/run.sh runs them as root after the unit tests
BPF_TEST_SRCS := $(wildcard tests/bpf/test_*.c)
BPF_TEST_BINS := $(patsubst tests/bpf/%.c,$(OUT)/tests/bpf/%,$(BPF_TEST_SRCS))

$(OUT)/tests/bpf/%: tests/bpf/%.c $(OUT)/flightwatch.skel.h
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP $< -o $@ -lbpf -lelf -lz -lcmocka

unit: $(BPF_TEST_BINS)

-include $(wildcard $(OUT)/tests/bpf/*.d)
