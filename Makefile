# retrysim — top-level build.
# Out-of-tree: everything lands in $(BUILD) (build/, or build-san/ when SANITIZE is set).
# Sources are discovered by wildcard, so a new module is a new file, not a Makefile edit:
#   policies/*.c          -> libretrypol.a / libretrypol.so  (the production library;
#                            compiled -fvisibility=hidden: the .so exports only the
#                            POL_API functions of the headers in PUBLIC_policies)
#   sim/*/ bench/ live/   -> libretrysim.a, linked into `retrysim` with cli/*.c
#   tests/test_*.c        -> one CUnit program per module, run by `make test`
# Each directory compiles with only its own and its lower layers' include
# paths (layers.mk); scripts/check-layers.sh checks the same table.
SHELL      := /bin/bash
PREFIX     ?= /usr/local
DESTDIR    ?=
SANITIZE   ?=
ifeq ($(SANITIZE),)
BUILD      ?= build
else
BUILD      ?= build-san
endif
CC         ?= cc
# The version is written once, in policies/pol_version.h; VERSION (the
# installed file name and retrypol.pc) and the soname are read from it.
# Soname rule: libretrypol.so.MAJOR (libretrypol.so.0 for every 0.x); what
# that promises: docs/policies.md, "ABI stability and versioning".
pol_version_field = $(shell sed -n 's/^\#define POL_VERSION_$(1)  *\([0-9][0-9]*\)$$/\1/p' policies/pol_version.h)
VERSION_MAJOR := $(call pol_version_field,MAJOR)
VERSION_MINOR := $(call pol_version_field,MINOR)
VERSION_PATCH := $(call pol_version_field,PATCH)
ifeq ($(words $(VERSION_MAJOR) $(VERSION_MINOR) $(VERSION_PATCH)),3)
VERSION    := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
else
$(error cannot read POL_VERSION_MAJOR/MINOR/PATCH from policies/pol_version.h)
endif
POL_SONAME := libretrypol.so.$(VERSION_MAJOR)
OPT        ?= -O2
CPPFLAGS   += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
include layers.mk
CFLAGS     ?= $(OPT) -g
CFLAGS     += -std=c11 -Wall -Wextra -Werror -MMD -MP -fPIC
LDLIBS     := -lyaml -lcsv -lcurl -lmicrohttpd -ljansson -lgsl -lgslcblas -lm
# Open MPI (distributed sweeps: bench/sweep_mpi.c) when its compiler wrapper is
# installed (scripts/deps.sh installs it): mpi.h and libmpi come from
# `mpicc --showme`. Without it (or with `make MPICC=`) that file compiles to
# stubs that answer --mpi with "built without MPI"; nothing else needs MPI.
MPICC      ?= mpicc
MPI_SHOWME := $(if $(MPICC),$(shell command -v $(MPICC) >/dev/null 2>&1 && $(MPICC) --showme:compile 2>/dev/null))
ifneq ($(MPI_SHOWME),)
MPI_CPPFLAGS := -DRETRYSIM_HAVE_MPI $(patsubst -I%,-isystem %,$(MPI_SHOWME))
MPI_LDLIBS   := $(shell $(MPICC) --showme:link 2>/dev/null)
endif
LDLIBS     += $(MPI_LDLIBS)
ifneq ($(SANITIZE),)
CFLAGS     += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

POL_SRC    := $(wildcard policies/*.c)
# the installed headers (layers.mk); policies/ has internal ones too
POL_HDR    := $(addprefix policies/,$(PUBLIC_policies))
SIM_SRC    := $(wildcard sim/*/*.c bench/*.c live/*.c)
CLI_SRC    := $(wildcard cli/*.c)
TEST_SRC   := $(wildcard tests/test_*.c)
POL_OBJ    := $(POL_SRC:%.c=$(BUILD)/%.o)
SIM_OBJ    := $(SIM_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIBPOL_A   := $(BUILD)/libretrypol.a
LIBPOL_SO  := $(BUILD)/libretrypol.so
LIBSIM_A   := $(BUILD)/libretrysim.a
BIN        := $(BUILD)/retrysim
# the bench model as plain C on the simulator's engine, the floor bench-peers
# compares with (bench/peers/bare_model.c; its layer, layers.mk, has no model)
BARE       := $(BUILD)/bench-bare-model

.PHONY: FORCE all deps test unit e2e demo bench bench-peers plots install uninstall clean tests version python-site
all: $(BIN) $(LIBPOL_A) $(LIBPOL_SO)
tests: $(TEST_BIN) $(BARE)

deps:
	@bash scripts/deps.sh

version:
	@echo $(VERSION)

# where make install puts the Python package (tests/e2e/python.sh)
python-site:
	@echo $(PYTHON_SITE)

# the include paths of a source file's layer (its directory; tests/ for tests)
layer_inc = $(addprefix -I,$(LAYER_$(patsubst %/,%,$(dir $(1)))))
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(call layer_inc,$<) $(CFLAGS) -c $< -o $@

# libretrypol exports only what its public headers declare POL_API
$(POL_OBJ): CFLAGS += -fvisibility=hidden

# the CLI prints VERSION (retrysim --version, the man page's header)
$(CLI_OBJ): CPPFLAGS += -DRETRYSIM_VERSION='"$(VERSION)"'
$(CLI_OBJ): Makefile

# sweep_mpi.o is rebuilt when MPI appears or goes (the flags are recorded)
$(BUILD)/bench/sweep_mpi.o: CPPFLAGS += $(MPI_CPPFLAGS)
$(BUILD)/bench/sweep_mpi.o: $(BUILD)/mpi.flags
$(BUILD)/mpi.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(MPI_CPPFLAGS) $(MPI_LDLIBS)' | cmp -s - $@ || echo '$(MPI_CPPFLAGS) $(MPI_LDLIBS)' > $@
FORCE:

$(LIBPOL_A): $(POL_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBPOL_SO): $(POL_OBJ)
	$(CC) -shared -Wl,-soname,$(POL_SONAME) $(LDFLAGS) -o $@ $^ -lgsl -lgslcblas -lm

$(LIBSIM_A): $(SIM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBSIM_A) $(LIBPOL_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBSIM_A) $(LIBPOL_A)
	$(CC) $(LDFLAGS) $(if $(filter test_oom%,$*),$(OOM_WRAP)) -o $@ $^ -lcunit $(LDLIBS)

# tests/test_oom*.c: the allocator calls of the static libraries' objects go
# through the test's counting wrappers (__wrap_malloc ...), which fail the Nth
# allocation (docs/robustness.md, "Allocation failures").
OOM_WRAP   := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup

# `make fuzz`: every tests/fuzz/fuzz_<name>.c becomes $(FUZZ_BUILD)/fuzz_<name>, a
# libFuzzer program (clang, ASan + UBSan); the code under test (policies/,
# sim/, bench/, live/; without MPI) is compiled into $(FUZZ_BUILD)/ with
# -fsanitize=fuzzer-no-link. A new target is a new file. Run them with
# scripts/fuzz.sh (docs/robustness.md).
FUZZ_CC    ?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 -std=c11 -Wall -Wextra -MMD -MP $(FUZZ_SAN)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ   := $(POL_SRC:%.c=$(FUZZ_BUILD)/%.o) $(SIM_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_LIB   := $(FUZZ_BUILD)/libfuzzed.a
FUZZ_LDLIBS := -lyaml -lcsv -lcurl -lmicrohttpd -ljansson -lgsl -lgslcblas -lm
.PHONY: fuzz
fuzz: $(FUZZ_BIN)
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(call layer_inc,$<) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(addprefix -I,$(LAYER_tests)) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS)

# the option parser's unit test links the CLI's objects (all but main.o)
$(BUILD)/tests/test_cli: $(BUILD)/tests/test_cli.o $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ)) $(LIBSIM_A) $(LIBPOL_A)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

# `make test`: install what is missing, build, run every CUnit suite and the
# end-to-end tests; the last line is "N passed, N failed".
test:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory all tests
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash scripts/run-tests.sh

demo:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash scripts/demo.sh

bench:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory all
	$(BIN) bench engine
	$(BIN) bench model
	$(BIN) bench sweep

# the same model in SimPy 2.3.1 (python3-simpy), side by side (bench/peers/)
$(BARE): bench/peers/bare_model.c $(LIBSIM_A) $(LIBPOL_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(call layer_inc,$<) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBSIM_A) $(LIBPOL_A) -lgsl -lgslcblas -lm

bench-peers:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BARE)
	/usr/bin/python3 bench/peers/compare.py $(BIN) --bare $(BARE)

plots:
	@bash scripts/deps.sh
	@$(MAKE) --no-print-directory all
	$(BIN) plot results

# The Python package (python/retrypol, docs/python.md) goes where Debian's
# python3 looks for site packages of PREFIX: $(PREFIX)/lib/python3.X/dist-packages
# (/usr/local/lib/python3.11/dist-packages on Debian 12); another prefix needs
# PYTHONPATH=$(PYTHON_SITE). make install records $(PREFIX)/lib in
# retrypol/_install.py, where the package looks for libretrypol.so.0 when
# RETRYPOL_LIBRARY is not set.
PYTHON      ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
PYTHON_VER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
PYTHON_SITE ?= $(PREFIX)/lib/python$(PYTHON_VER)/dist-packages
PY_SRC      := $(wildcard python/retrypol/*.py)

# install: the binary, libretrypol (static, shared, headers, pkg-config), the
# gnuplot scripts, the man page and bash completion that the binary
# generates from its option table (retrysim --man, --bash-completion), and
# the Python package with its example.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/retrypol
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/retrysim
	install -m 644 $(LIBPOL_A) $(DESTDIR)$(PREFIX)/lib/libretrypol.a
	install -m 755 $(LIBPOL_SO) $(DESTDIR)$(PREFIX)/lib/libretrypol.so.$(VERSION)
	ln -sf libretrypol.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(POL_SONAME)
	ln -sf $(POL_SONAME) $(DESTDIR)$(PREFIX)/lib/libretrypol.so
	install -m 644 $(POL_HDR) $(DESTDIR)$(PREFIX)/include/retrypol/
	install -d $(DESTDIR)$(PREFIX)/share/retrysim/plots && install -m 644 plots/*.gp plots/*.awk $(DESTDIR)$(PREFIX)/share/retrysim/plots/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' retrypol.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/retrypol.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(BIN) --man > $(DESTDIR)$(PREFIX)/share/man/man1/retrysim.1.tmp
	mv $(DESTDIR)$(PREFIX)/share/man/man1/retrysim.1.tmp $(DESTDIR)$(PREFIX)/share/man/man1/retrysim.1
	$(BIN) --bash-completion > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/retrysim.tmp
	mv $(DESTDIR)$(PREFIX)/share/bash-completion/completions/retrysim.tmp \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/retrysim
	install -d $(DESTDIR)$(PYTHON_SITE)/retrypol $(DESTDIR)$(PREFIX)/share/retrysim/examples/python
	install -m 644 $(filter-out python/retrypol/_install.py,$(PY_SRC)) $(DESTDIR)$(PYTHON_SITE)/retrypol/
	printf '# written by make install: where libretrypol.so.$(VERSION_MAJOR) was installed\nLIBDIR = "%s"\n' \
	  '$(PREFIX)/lib' > $(DESTDIR)$(PYTHON_SITE)/retrypol/_install.py
	install -m 644 python/examples/*.py $(DESTDIR)$(PREFIX)/share/retrysim/examples/python/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/retrysim $(DESTDIR)$(PREFIX)/lib/libretrypol.* \
	  $(DESTDIR)$(PREFIX)/include/retrypol $(DESTDIR)$(PREFIX)/lib/pkgconfig/retrypol.pc $(DESTDIR)$(PREFIX)/share/retrysim \
	  $(DESTDIR)$(PREFIX)/share/man/man1/retrysim.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/retrysim \
	  $(DESTDIR)$(PYTHON_SITE)/retrypol

clean:
	rm -rf build build-san build-fuzz

-include $(POL_OBJ:.o=.d) $(SIM_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
-include $(FUZZ_OBJ:.o=.d) $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/tests/fuzz/%.d)
