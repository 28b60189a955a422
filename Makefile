# tracenet: trace events as network frames.
#
#   make          build tracenet.ko and tools/tracenetctl
#   make check    install what is missing, build, run every test
#   make demo     install what is missing, build, boot the VM, show trace0
#   make bench    cost per traced event as ratios to ftrace, in one VM run
#   make check-debug   the selftests on the debug kernel (KASAN, lockdep,
#                 kmemleak; make debug-kernel builds and caches it)
#   make soak     SOAK_SECONDS (600) of storm and churn on the debug kernel
#   make fuzz     the user-space fuzzers, FUZZ_SECONDS (600) each, and
#                 TN_FUZZ_MSGS (100000) netlink requests on the debug kernel
#   make install-dissector    dissector/tracenet.lua into Wireshark's personal
#                 Lua plugin folder (WS_PLUGINS); uninstall-dissector removes it
#
#   make KERNEL=NAME   tracenet.ko for a kernel of tools/kernels.list (6.1,
#                 6.12, 7.3) into build/RELEASE/, headers and build root
#                 fetched and cached by tools/kernel; also for sparse,
#                 selftests, bench
#   make check-kernels the whole selftest suite on every kernel of the list
#
# Without KERNEL, KDIR defaults to the running kernel's build tree, else the
# newest Debian linux-headers-*-amd64 (tools/kver), and the module is built
# in module/.

KVER ?= $(shell tools/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
SPARSE_ARGS ?=
SOAK_SECONDS ?= 600

.PHONY: all module tools setup check demo clean checkpatch sparse unit selftests \
	debug-kernel check-debug check-kernels soak fuzz bench install-dissector uninstall-dissector

all: module tools

ifdef KERNEL
module:
	tools/kernel make $(KERNEL) W=1 modules

sparse:
	tools/kernel make $(KERNEL) C=2 W=1 modules

VM_KERNEL = --kernel $(KERNEL)
else
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules
endif

tools:
	$(MAKE) -C tools

setup:
	tools/setup

checkpatch:
	tools/checkpatch

unit: tools
	$(MAKE) -C tools test

selftests: all
	tools/vm-run $(VM_KERNEL) -- selftests/run.sh

check-kernels: setup tools
	tools/check-kernels

check: setup
	tools/check

demo: setup all
	tools/vm-run $(VM_KERNEL) -- tools/demo.sh

bench: setup all
	tools/vm-run $(VM_KERNEL) -- bench/run.sh

debug-kernel: setup
	tools/debug-kernel

check-debug:
	tools/check-debug

soak: setup tools
	ko=$$(tools/debug-module) && \
	tools/vm-run --kernel debug --mem 2048 --timeout $$(($(SOAK_SECONDS) + 1800)) -- \
		"TRACENET_KO=$$ko SOAK_SECONDS=$(SOAK_SECONDS) \
		 TN_TEST_TIMEOUT=$$(($(SOAK_SECONDS) + 1200)) selftests/run.sh soak"

# The user-space fuzzers, then TN_FUZZ_MSGS generic netlink requests on the
# debug kernel.
TN_FUZZ_MSGS ?= 100000
fuzz: setup tools
	$(MAKE) -C tools fuzz
	ko=$$(tools/debug-module) && \
	tools/vm-run --kernel debug --mem 2048 --timeout 7200 -- \
		"TRACENET_KO=$$ko TN_FUZZ_MSGS=$(TN_FUZZ_MSGS) TN_FUZZ_JOBS=2 \
		 TN_TEST_TIMEOUT=7000 selftests/run.sh 11_genl_fuzz"

# Wireshark's personal Lua plugin folder, as the installed Wireshark names
# it (4.0: ~/.local/lib/wireshark/plugins; Lua plugins are not per version).
WS_PLUGINS ?= $(or $(shell tshark -G folders 2>/dev/null | \
	sed -n 's/^Personal Lua Plugins:[[:space:]]*//p'),$(HOME)/.local/lib/wireshark/plugins)

install-dissector:
	install -D -m 644 dissector/tracenet.lua "$(WS_PLUGINS)/tracenet.lua"

uninstall-dissector:
	rm -f "$(WS_PLUGINS)/tracenet.lua"

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	rm -rf build
