# nsbsh - a login shell that enters a Git project's Nix environment in a sandbox.
#   make                 build ./nsbsh (and the ./nsb link)
#   make check           unit tests, then the integration suite (tests/run)
#   make install         PREFIX=/usr/local DESTDIR= (REGISTER_SHELL=1: also install-shell)
#   make install-shell   install, and add $(BINDIR)/nsbsh to /etc/shells (chsh)
#   make bench           cached re-entry against bash and bubblewrap
#   make fuzz            the libFuzzer targets (clang); fuzz-check runs each briefly
#   make man             man/*.N from man/*.N.scd (scdoc; part of `all` when installed)
#   make check-package   build, install, smoke-test and purge the Debian package (root)
#   make SANITIZE=address,undefined   build with sanitizers

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
VERSION := 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
LIBS_PC := libgit2 libseccomp libedit libconfuse libssl
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIBS_PC))
# libgit2 and libedit are loaded with dlopen when a start needs them
# (src/git/gitlib.h, src/shell/picker.c), by the soname of the library
# pkg-config finds; libconfuse too, by the first parse of a policy file
# (src/policy/parse.c): a fast join and a start with no file parse none.
# libssl too, by a live sandbox's supervisor with inject (sandbox/tls-inject.c).
# libseccomp too, by whoever builds a sandbox (sandbox/seccomp.c): a join
# needs none of it.  So nsbsh links libc alone.
soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1))/$(1).so" | awk '/SONAME/ { print $$2 }')
LIBGIT2_SONAME := $(call soname,libgit2)
LIBEDIT_SONAME := $(call soname,libedit)
LIBSSL_SONAME := $(call soname,libssl)
LIBCRYPTO_SONAME := $(call soname,libcrypto)
LIBSECCOMP_SONAME := $(call soname,libseccomp)
LIBCONFUSE_SONAME := $(call soname,libconfuse)
ifeq ($(LIBCONFUSE_SONAME),)
$(error cannot find the soname of libconfuse (is libconfuse-dev installed?))
endif
ifeq ($(LIBSECCOMP_SONAME),)
$(error cannot find the soname of libseccomp (is libseccomp-dev installed?))
endif
ifeq ($(LIBSSL_SONAME),)
$(error cannot find the soname of libssl (is libssl-dev installed?))
endif
ifeq ($(LIBGIT2_SONAME),)
$(error cannot find the soname of libgit2 (is libgit2-dev installed?))
endif
ifeq ($(LIBEDIT_SONAME),)
$(error cannot find the soname of libedit (is libedit-dev installed?))
endif
# The interposers of src/git/notls.c must be visible to the dlopen'ed libgit2.
EXPORTS := -Wl,--export-dynamic-symbol=mbedtls_x509_crt_parse_file \
	-Wl,--export-dynamic-symbol=mbedtls_x509_crt_parse_path

# Every libc call of nsbsh's own objects that reads what a start decides
# from goes through src/base/inputs.c while it decides (IN-1).
INPUTS_WRAP := $(foreach f,open __open_2 openat __openat_2 fopen fclose opendir fdopendir \
	closedir close dup2 dup3 close_range stat lstat fstatat fstat statx statfs fstatfs \
	statvfs fstatvfs access faccessat readlink readlinkat realpath getcwd getenv isatty \
	getpwuid getgrgid getgroups syscall read mkdir mkdirat unlink unlinkat symlink \
	symlinkat rename renameat rmdir linkat chmod fchmod fchmodat ftruncate utimensat \
	mknodat fork chdir connect posix_spawn dlopen,-Wl,--wrap=$(f))

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-align \
	-Wwrite-strings -Wmissing-prototypes -Wstrict-prototypes -Wundef \
	-Wnull-dereference -Wimplicit-fallthrough -Wvla -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif

CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE \
	-fstack-protector-strong -MMD -MP -DNSBSH_VERSION='"$(VERSION)"' \
	-DLIBGIT2_SONAME='"$(LIBGIT2_SONAME)"' -DLIBEDIT_SONAME='"$(LIBEDIT_SONAME)"' \
	-DLIBSSL_SONAME='"$(LIBSSL_SONAME)"' -DLIBCRYPTO_SONAME='"$(LIBCRYPTO_SONAME)"' \
	-DLIBSECCOMP_SONAME='"$(LIBSECCOMP_SONAME)"' -DLIBCONFUSE_SONAME='"$(LIBCONFUSE_SONAME)"' \
	-Isrc $(PC_CFLAGS)
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O1
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

# One folder a concern (DEVELOPERS.md); includes name the folder: "base/util.h".
SRCS := $(wildcard src/*.c src/*/*.c)
OBJS := $(SRCS:.c=.o)
LIB_OBJS := $(filter-out src/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)

all: nsbsh nsb tools/nsbsh-connect

nsbsh: $(OBJS)
	$(CC) $(LDFLAGS) $(EXPORTS) $(INPUTS_WRAP) -o $@ $(OBJS)

# ssh's ProxyCommand inside a sandbox with network = allow: static, the
# sandbox may have no /usr/lib.
tools/nsbsh-connect: tools/nsbsh-connect.c
	$(CC) -static -O2 -std=gnu11 $(WARN) -D_GNU_SOURCE -o $@ $<

nsb: nsbsh
	ln -sf nsbsh $@

# The seccomp filters, compiled at build time by the table of
# src/sandbox/seccomp.c itself (tools/gen-seccomp.c): a start loads one
# instead of building it.
tools/gen-seccomp: tools/gen-seccomp.c src/sandbox/seccomp.c src/sandbox/seccomp.h src/base/util.h src/base/dl.c
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(LDFLAGS) -DSECCOMP_NO_PRECOMPILED -o $@ \
		tools/gen-seccomp.c src/sandbox/seccomp.c src/base/dl.c

src/sandbox/seccomp-bpf.inc: tools/gen-seccomp
	tools/gen-seccomp >$@.tmp && mv $@.tmp $@

src/sandbox/seccomp.o: src/sandbox/seccomp-bpf.inc

# The system's policy file, compiled into src/policy/sysconf.o alone.
SYSTEM_CONFIG ?= /etc/nsbsh/nsbsh.conf
src/policy/sysconf.o: override CFLAGS += -DNSBSH_SYSTEM_CONFIG='"$(SYSTEM_CONFIG)"'

# tests/run's nsbsh: `make install PREFIX=TEST_PREFIX`, but the binary is
# linked with a sysconf.o that reads TEST_SYSTEM_CONFIG (the run's scratch),
# so that the suite never depends on, nor touches, the machine's own
# /etc/nsbsh/nsbsh.conf.
test-install: all
	@test -n "$(TEST_PREFIX)" && test -n "$(TEST_SYSTEM_CONFIG)" || \
		{ echo "make test-install: TEST_PREFIX and TEST_SYSTEM_CONFIG are needed" >&2; exit 2; }
	$(MAKE) install PREFIX=$(TEST_PREFIX)
	$(CC) $(CFLAGS) -DNSBSH_SYSTEM_CONFIG='"$(TEST_SYSTEM_CONFIG)"' -c src/policy/sysconf.c \
		-o $(TEST_PREFIX)/sysconf.o
	$(CC) $(LDFLAGS) $(EXPORTS) $(INPUTS_WRAP) -o $(TEST_PREFIX)/bin/nsbsh \
		$(filter-out src/policy/sysconf.o,$(OBJS)) $(TEST_PREFIX)/sysconf.o

tests/unit/test_%: tests/unit/test_%.c $(LIB_OBJS) tests/unit/unit.h
	$(CC) $(CFLAGS) $(LDFLAGS) $(EXPORTS) $(INPUTS_WRAP) -o $@ $< $(LIB_OBJS)

# Static: it runs inside the sandbox, which has no /usr/lib.
tests/try-syscall: tests/try-syscall.c
	$(CC) -static -O1 -Wall -pthread -o $@ $<

# What some of the bench's goals cost at the least here (tests/bench).
tests/floor: tests/floor.c
	$(CC) -static -O2 -Wall -Wextra -pthread -o $@ $<

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do ./$$t; done

check: all unit tests/try-syscall
	tests/run

bench: all tests/floor
	tests/bench

# libFuzzer targets of the pure parsers.  fuzz-check runs each for FUZZ_TIME
# seconds on a copy of its seed corpus (tests/fuzz/corpus-NAME/), so that
# what it finds stays out of the tree; `check` runs it where clang is.
FUZZ_CC ?= clang
FUZZ_TIME ?= 10
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc
FUZZ_BINS := tests/fuzz/fuzz_devenv tests/fuzz/fuzz_config tests/fuzz/fuzz_branchname \
	tests/fuzz/fuzz_gitconfig tests/fuzz/fuzz_sshagent tests/fuzz/fuzz_proxy \
	tests/fuzz/fuzz_inject
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)

fuzz: $(FUZZ_BINS)

FUZZ_DEVENV := src/env/devenv.c src/env/closure.c src/base/strbuf.c
# fuzz_config: the parse (parse.c, text.c) and the merge (merge.c), with
# the questions they ask (query.c), printable() (log.c) and the path
# rules (path.c); not load.c, which reads files.
FUZZ_CONFIG := src/policy/parse.c src/policy/text.c src/policy/merge.c src/policy/query.c \
	src/base/dl.c src/base/log.c src/base/path.c src/net/proxy.c src/net/inject.c src/base/strbuf.c
FUZZ_BRANCHNAME := src/git/branchname.c src/base/sha256.c
FUZZ_GITCONFIG := src/git/gitconfig.c src/git/protect.c src/base/path.c
FUZZ_SSHAGENT := src/sandbox/sshagent.c src/base/sha256.c
FUZZ_PROXY := src/net/proxy.c src/base/strbuf.c
FUZZ_INJECT := src/net/inject.c src/net/proxy.c src/base/strbuf.c

tests/fuzz/fuzz_devenv: tests/fuzz/fuzz_devenv.c $(FUZZ_DEVENV) src/env/devenv.h src/base/util.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_devenv.c $(FUZZ_DEVENV)

tests/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_CONFIG) src/policy/config.h \
		src/policy/internal.h src/base/log.h src/base/path.h src/base/util.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(shell $(PKG_CONFIG) --cflags libconfuse) \
		-DLIBCONFUSE_SONAME='"$(LIBCONFUSE_SONAME)"' -o $@ tests/fuzz/fuzz_config.c $(FUZZ_CONFIG)

tests/fuzz/fuzz_branchname: tests/fuzz/fuzz_branchname.c $(FUZZ_BRANCHNAME) src/git/branchname.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_branchname.c $(FUZZ_BRANCHNAME)

tests/fuzz/fuzz_gitconfig: tests/fuzz/fuzz_gitconfig.c $(FUZZ_GITCONFIG) src/git/gitconfig.h src/git/protect.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_gitconfig.c $(FUZZ_GITCONFIG)

tests/fuzz/fuzz_sshagent: tests/fuzz/fuzz_sshagent.c $(FUZZ_SSHAGENT) src/sandbox/sshagent.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_sshagent.c $(FUZZ_SSHAGENT)
tests/fuzz/fuzz_proxy: tests/fuzz/fuzz_proxy.c $(FUZZ_PROXY) src/net/proxy.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_proxy.c $(FUZZ_PROXY)

tests/fuzz/fuzz_inject: tests/fuzz/fuzz_inject.c $(FUZZ_INJECT) src/net/inject.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_inject.c $(FUZZ_INJECT)

fuzz-check: fuzz
	@set -e; for f in $(FUZZ_BINS); do \
		d=$$(mktemp -d); cp tests/fuzz/corpus-$${f##*/fuzz_}/* "$$d"/; \
		if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./$$f -max_total_time=$(FUZZ_TIME) \
			-artifact_prefix="$$d/" "$$d" 2>"$$d.log"; then \
			echo "$$f: $$(tail -n 1 "$$d.log")"; rm -rf "$$d" "$$d.log"; \
		else \
			tail -n 40 "$$d.log"; echo "$$f: failed; its corpus, crash and log are in $$d" >&2; exit 1; \
		fi; \
	done

ifneq ($(HAVE_FUZZ_CC),)
check: fuzz-check
else
check: fuzz-skip
fuzz-skip:
	@echo "make check: '$(FUZZ_CC)' is missing: the fuzzers do not run (apt-get install clang)"
endif

.PHONY: fuzz fuzz-check fuzz-skip

# Man pages: man/NAME.N from man/NAME.N.scd.  Part of `all` only where scdoc
# is installed, so that a build needs nothing more; `make man` without it
# says what is missing.
SCDOC ?= scdoc
MAN_SRCS := $(wildcard man/*.scd)
MAN_PAGES := $(MAN_SRCS:.scd=)
HAVE_SCDOC := $(shell command -v $(SCDOC) 2>/dev/null)
ifneq ($(HAVE_SCDOC),)
all: man
man: $(MAN_PAGES)
$(MAN_PAGES): %: %.scd
	$(SCDOC) < $< > $@.tmp && mv -f $@.tmp $@
else
man:
	@echo "make man: cannot build the man pages: '$(SCDOC)' is missing (apt-get install scdoc)" >&2; exit 1
endif

# As root, after `make`: builds the .deb (packaging/build-deb), installs it,
# smoke-tests it and purges it.  It changes the machine, so `check` leaves it out.
check-package: all
	tests/package-test

.PHONY: man check-package

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/nsbsh/shellwrap $(DESTDIR)$(DATADIR)/nsbsh/policy \
		$(DESTDIR)$(DATADIR)/bash-completion/completions
	install -m 0755 nsbsh $(DESTDIR)$(BINDIR)/nsbsh
	install -d $(DESTDIR)$(PREFIX)/lib/nsbsh
	install -m 0755 tools/nsbsh-connect $(DESTDIR)$(PREFIX)/lib/nsbsh/nsbsh-connect
	ln -sf nsbsh $(DESTDIR)$(BINDIR)/nsb
	install -m 0644 shellwrap/*.bash $(DESTDIR)$(DATADIR)/nsbsh/shellwrap/
	install -m 0644 policy/*.conf $(DESTDIR)$(DATADIR)/nsbsh/policy/
	install -m 0644 completion/nsb $(DESTDIR)$(DATADIR)/bash-completion/completions/nsb
	for p in man/*.[1-8]; do [ ! -f "$$p" ] || { install -d $(DESTDIR)$(MANDIR)/man$${p##*.} && \
		install -m 0644 "$$p" $(DESTDIR)$(MANDIR)/man$${p##*.}/; } || exit 1; done
	@[ "$(REGISTER_SHELL)" != 1 ] || $(MAKE) --no-print-directory register-shell

# /etc/shells lists the shells chsh(1) accepts: opt in with `make
# install-shell` (after install, same PREFIX), or REGISTER_SHELL=1 make
# install.  Not with DESTDIR: a package registers itself when installed
# (packaging/debian/nsbsh.postinst runs add-shell).  SHELLS names the file.
SHELLS ?= /etc/shells
install-shell: install
	@[ "$(REGISTER_SHELL)" = 1 ] || $(MAKE) --no-print-directory register-shell

register-shell:
	@if [ -n "$(DESTDIR)" ]; then \
		echo "make install-shell: not with DESTDIR: the package's postinst registers the shell" >&2; exit 1; fi
	@if grep -qxF '$(BINDIR)/nsbsh' $(SHELLS) 2>/dev/null; then \
		echo "$(BINDIR)/nsbsh is already in $(SHELLS)"; \
	elif [ "$(SHELLS)" = /etc/shells ] && command -v add-shell >/dev/null; then \
		add-shell $(BINDIR)/nsbsh && echo "added $(BINDIR)/nsbsh to /etc/shells"; \
	else \
		echo '$(BINDIR)/nsbsh' >>$(SHELLS) && echo "added $(BINDIR)/nsbsh to $(SHELLS)"; \
	fi

uninstall-shell:
	@if [ "$(SHELLS)" = /etc/shells ] && command -v remove-shell >/dev/null; then \
		remove-shell $(BINDIR)/nsbsh; \
	elif [ -f $(SHELLS) ]; then \
		grep -vxF '$(BINDIR)/nsbsh' $(SHELLS) >$(SHELLS).tmp; mv -f $(SHELLS).tmp $(SHELLS); \
	fi

clean:
	rm -f nsbsh nsb $(OBJS) $(OBJS:.o=.d) $(UNIT_BINS) tests/unit/*.d tests/try-syscall tests/floor
	rm -f tools/gen-seccomp tools/nsbsh-connect src/sandbox/seccomp-bpf.inc src/sandbox/seccomp-bpf.inc.tmp
	rm -f $(MAN_PAGES) $(MAN_PAGES:=.tmp)
	rm -f $(FUZZ_BINS)

.PHONY: all unit check bench install test-install install-shell register-shell uninstall-shell clean
-include $(OBJS:.o=.d) $(UNIT_SRCS:.c=.d)
