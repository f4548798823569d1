#ifndef PINNED_BASE_H
#define PINNED_BASE_H

#include <stddef.h>

#include "docker/image_ref.h"
#include "docker/registry.h"

/*
 * What a base image holds that apt's choices depend on: /etc/os-release
 * (the distribution and release) and dpkg's /var/lib/dpkg/status (what is
 * installed), read from the image's layers as they stack: each layer
 * streamed through libarchive in memory, never unpacked to disk, later
 * layers replacing files and their whiteouts (".wh.NAME", and the opaque
 * ".wh..wh..opq") removing them from the layers below.
 */
struct deb_base {
	char *os_release, *status;	/* the files' bytes, NUL-terminated; NULL: absent */
	size_t os_release_len, status_len;
	char *os_link;		/* /etc/os-release as a symbolic link: its target */
	char *lib_os_release;	/* /usr/lib/os-release, where the link usually points */
	size_t lib_os_release_len;
	char *id, *codename;	/* ID and VERSION_CODENAME of os-release; NULL: not given */
};

/* Apply one layer ('len' bytes: a tar, plain or compressed) on top of 'b'
 * (zeroed for the first). 'name' names it in messages. Returns 0, ERR_FAIL
 * for a layer that is not a readable tar, ERR_TOOBIG for a file past 64
 * MiB, ERR_NOMEM. */
int deb_base_add_layer(struct deb_base *b, const void *data, size_t len, const char *name);

/* Read os-release once every layer is on: fills id and codename; an
 * os-release that is a link is followed to /usr/lib/os-release. */
int deb_base_finish(struct deb_base *b);

/*
 * The base of image 'ref' at 'digest' from its registry, for 'platform'
 * ("linux/amd64") when 'digest' names an index: the manifest, then each
 * layer in order. Returns 0, or the registry's or a layer's error.
 */
int deb_base_fetch(struct deb_base *out, struct registry_client *c, const struct image_ref *ref,
		   const char *digest, const char *platform);

void deb_base_release(struct deb_base *b);

#endif
