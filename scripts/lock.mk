# Included first by both make files: one run at a time per tree. Unless this make holds
# the tree's lock already (FLOWREPORT_LOCKED names this folder), every goal is run again,
# by the same make file, under the lock (scripts/lock); LOCKING is then set, and the make
# file that included this defines none of its own rules.
ifneq ($(FLOWREPORT_LOCKED),$(CURDIR))
LOCKING := 1
LOCKED_GOALS := $(or $(MAKECMDGOALS),default)
.PHONY: $(LOCKED_GOALS) locked
$(LOCKED_GOALS): locked ; @:
locked:
	@scripts/lock $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(MAKECMDGOALS)
endif
