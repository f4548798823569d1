#include "docker/lock.h"
#include "util/error.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

void lock_failures_release(struct lock_failures *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].message);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* What is to be resolved: where each image is written, its reference, its key. */
struct queue {
	const struct dockerfile_image **from;
	const struct image_ref **refs;
	char **keys;
	size_t n;
};

/* Take each image from 'old' or queue it; each key once. */
static int plan(struct queue *q, struct images_lock *out, const struct dockerfile *df,
		const struct images_lock *old, int update)
{
	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];
		const struct images_lock_entry *e;
		char *key;
		int queued = 0, rc = 0;

		if (!dockerfile_is_registry_image(img) || img->ref.digest)
			continue;
		if (!(key = image_ref_name_tag(&img->ref)))
			return err_nomem();
		if ((e = update ? NULL : images_lock_find(old, key))) {
			if (!images_lock_find(out, key))
				rc = images_lock_put(out, e);
			free(key);
			if (rc < 0)
				return rc;
			continue;
		}
		for (size_t k = 0; k < q->n && !queued; k++)
			queued = !strcmp(q->keys[k], key);
		if (queued) {
			free(key);
			continue;
		}
		q->keys[q->n] = key;
		q->refs[q->n] = &img->ref;
		q->from[q->n++] = img;
	}
	return 0;
}

/* Put what was resolved into the lock. */
static int take(struct images_lock *out, const struct queue *q, const struct registry_resolved *results)
{
	for (size_t k = 0; k < q->n; k++) {
		struct images_lock_entry e = {
			.key = q->keys[k],
			.reference = q->from[k]->expanded,
			.name = image_ref_name(q->refs[k]),
			.tag = q->refs[k]->tag,
			.digest = results[k].digest,
			.media_type = results[k].media_type,
			.platforms = results[k].platforms,
			.nplatforms = results[k].nplatforms,
		};
		int rc = e.name ? images_lock_put(out, &e) : err_nomem();

		free(e.name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One failure for each image whose resolution failed, where it is written. */
static int report(struct lock_failures *failures, const struct queue *q, char **errors)
{
	for (size_t k = 0; k < q->n; k++) {
		if (!errors[k])
			continue;
		if (GROW(failures->v, failures->n, failures->alloc) < 0)
			return -1;
		failures->v[failures->n++] = (struct lock_failure){ q->from[k]->line,
								    q->from[k]->col, errors[k] };
		errors[k] = NULL;
	}
	return ERR_FAIL;
}

int lock_images(struct images_lock *out, struct lock_failures *failures,
		const struct dockerfile *df, const struct images_lock *old, int update,
		struct registry_client *client, int jobs)
{
	size_t max = df->nimages + 1;
	struct queue q = { calloc(max, sizeof(*q.from)), calloc(max, sizeof(*q.refs)),
			   calloc(max, sizeof(*q.keys)), 0 };
	struct registry_resolved *results = calloc(max, sizeof(*results));
	char **errors = calloc(max, sizeof(*errors));
	int rc;

	if (!q.from || !q.refs || !q.keys || !results || !errors) {
		rc = err_nomem();
		goto done;
	}
	if ((rc = plan(&q, out, df, old, update)) < 0)
		goto done;
	rc = registry_resolve_all(client, results, errors, NULL, q.refs, q.n, jobs);
	if (rc == ERR_FAIL)
		rc = report(failures, &q, errors);
	else if (rc == 0)
		rc = take(out, &q, results);
done:
	for (size_t k = 0; k < q.n; k++) {
		free(q.keys[k]);
		registry_resolved_release(&results[k]);
		free(errors[k]);
	}
	free(q.from);
	free(q.refs);
	free(q.keys);
	free(results);
	free(errors);
	return rc;
}
