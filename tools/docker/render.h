#ifndef PINNED_RENDER_H
#define PINNED_RENDER_H

#include <stddef.h>

#include "debian/apt_render.h"
#include "docker/dockerfile.h"
#include "docker/images_lock.h"

/* What the rendered Dockerfile's header names. */
struct render_inputs {
	const char *template_name;	/* "Dockerfile.in" */
	const char *template_digest;	/* "sha256:..." of its bytes */
	const char *lock_name;		/* "lockfiles/images.lock" */
	const char *lock_digest;
	const char *apt_lock_name;	/* "lockfiles/apt.lock", or NULL when there is none */
	const char *apt_lock_digest;
	const struct apt_edits *apt_edits;	/* its installs, rewritten; or NULL */
};

/*
 * The Dockerfile that 'df' (the template) becomes with the digests of
 * 'lock': "@sha256:..." after every registry image that has no digest yet
 * (in FROM, COPY --from, RUN --mount from= and # syntax=), each apt-get
 * install the apt lock pins rewritten (debian/apt_render.h), a header naming
 * the inputs by digest after the parser directives, every other byte as it
 * was. An image missing from the lock is an error naming where it is.
 * Returns 0 and the bytes in '*out' (caller frees), or -1 with err_msg().
 */
int render_dockerfile(char **out, size_t *len, const struct dockerfile *df,
		      const struct images_lock *lock, const struct render_inputs *in);

/*
 * The template at 'path' read as the lock 'lock' was made: with its build
 * arguments, once for each of its platforms (the host's when it names
 * none). Every read must name the same image at each place, as one
 * rendered digest pins one image; where one does not, the error names the
 * place, the two names and the two platforms. '*out' gets the reads, the
 * first the one rendered, '*n' their number; free with
 * render_templates_free(). Returns 0, or a negative code with err_msg().
 */
int render_read_template(struct dockerfile ***out, size_t *n, const char *path,
			 const struct images_lock *lock);

void render_templates_free(struct dockerfile **dfs, size_t n);

/*
 * Render the template at 'template' with the lock at 'lock_path' and, when
 * it is there, the apt lock at 'apt_lock_path' (all read here, and named by
 * digest in the header). Returns 0, or a negative code with err_msg() set:
 * ERR_NOTFOUND when the template or the images lock is missing.
 */
int render_project(char **out, size_t *len, const char *template, const char *lock_path,
		   const char *apt_lock_path);

/*
 * Compare the file at 'path' with the rendering 'want'. Returns 0 when they
 * are the same, 1 when they differ ('*line': the first line that does), or
 * a negative code with err_msg() set (ERR_NOTFOUND: 'path' is missing).
 */
int render_compare(size_t *line, const char *path, const char *want, size_t wlen);

#endif
