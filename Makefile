# tracenet: trace events as network frames.
#
#   make          build tracenet.ko and tools/tracenetctl
#   make check    install what is missing, build, run every test
#   make demo     install what is missing, build, boot the VM, show trace0
#
# KDIR defaults to the running kernel's build tree, else the newest Debian
# linux-headers-*-amd64 (tools/kver).

KVER ?= $(shell tools/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
SPARSE_ARGS ?=

.PHONY: all module tools setup check demo clean checkpatch sparse unit selftests

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tools:
	$(MAKE) -C tools

setup:
	tools/setup

checkpatch:
	tools/checkpatch

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules

unit: tools
	$(MAKE) -C tools test

selftests: all
	tools/vm-run -- selftests/run.sh

check: setup
	tools/check

demo: setup all
	tools/vm-run -- tools/demo.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
