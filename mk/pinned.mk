# pinned.mk: the targets of a project built with pinned. In its Makefile:
#
#     include /usr/local/share/pinned/pinned.mk
#
#   make lock      pinned lock: images.lock (and apt.lock) from Dockerfile.in
#   make image     lock when there is no lock yet, render, build; the image's
#                  digest is the last line, the record lockfiles/build.lock (and
#                  lockfiles/build.manifest beside it)
#   make run       run the image once as PlanQK runs a job, with input/
#   make verify    check the tree against lockfiles/build.lock (exit 1: differs)
#   make rebuild   verify, and build again at the record's time: the same image?
#   make package   the PlanQK upload, build/service.zip
#
# Settings (make VAR=value, or set before the include):
#   PINNED           the pinned binary (default: pinned on PATH)
#   PINNED_DEP       a prerequisite of each target (the binary, when the
#                    project builds it)
#   REGISTRY_MIRROR  host[:port] Docker Hub images are pulled through
#   BUILDER          buildah, podman or docker
#   PACKAGE          where make package writes (default build/service.zip)
PINNED ?= pinned
PINNED_DEP ?=
PACKAGE ?= build/service.zip
PINNED_MIRROR_OPT = $(if $(REGISTRY_MIRROR),--registry-mirror $(REGISTRY_MIRROR))
PINNED_BUILD_OPTS = $(PINNED_MIRROR_OPT) $(if $(BUILDER),--builder $(BUILDER))

lock: $(PINNED_DEP)
	$(PINNED) lock $(PINNED_MIRROR_OPT)

image: $(PINNED_DEP)
	$(if $(wildcard lockfiles/images.lock),,$(PINNED) lock $(PINNED_MIRROR_OPT))
	$(PINNED) render
	$(PINNED) build $(PINNED_BUILD_OPTS)

run: $(PINNED_DEP)
	$(PINNED) run

verify: $(PINNED_DEP)
	$(PINNED) verify

rebuild: $(PINNED_DEP)
	$(PINNED) verify --rebuild $(PINNED_BUILD_OPTS)

package: $(PINNED_DEP)
	$(PINNED) package -o $(PACKAGE)

.PHONY: lock image run verify rebuild package
