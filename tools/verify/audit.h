#ifndef PINNED_AUDIT_H
#define PINNED_AUDIT_H

#include <stddef.h>

/*
 * What an image carries that breaks reproducibility or leaks the build,
 * layer by layer: a file a later layer removes is still in the image's
 * bytes, so every layer's entries are read, never only the merged tree.
 */
struct audit_finding {
	size_t layer;		/* 1-based */
	char *path;
	const char *what;	/* "dpkg log", "apt log", "ldconfig cache", "apt lists",
				 * "timestamped pyc", "time after the epoch",
				 * "non-root owner", "secret" */
	char *detail;		/* one phrase, or NULL */
};

struct audit {
	struct audit_finding *v;
	size_t n, alloc;
	size_t layers, files;	/* what was read */
};

/*
 * Audit the image of OCI layout 'layout' tagged 'tag' (NULL: the first).
 * 'epoch' is the build's SOURCE_DATE_EPOCH (negative: unknown, and file
 * times are not checked). A file owned by a user other than root is a
 * finding unless its layer's history step sets owners (--chown, chown,
 * useradd, adduser). '*out' is zeroed first; release it with
 * audit_release() either way. Returns 0, or a negative code with the
 * message set (an image that cannot be read).
 */
int image_audit(struct audit *out, const char *layout, const char *tag, long long epoch);
void audit_release(struct audit *a);

#endif
