/*
 * libFuzzer: the Dockerfile reader and the lint rules on arbitrary bytes,
 * and a differential check: a file that reads, rendered with a digest for
 * each image, reads again with the same images (same places, kinds and
 * names), each now with that digest.
 */
#include "docker/dockerfile.h"
#include "docker/images_lock.h"
#include "docker/lint.h"
#include "docker/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define D "sha256:5555555555555555555555555555555555555555555555555555555555555555"

/* A reference with a digest and no tag has none; without either it is latest. */
static const char *tag(const struct image_ref *ref)
{
	return ref->tag ? ref->tag : "latest";
}

static void same_images(const struct dockerfile *a, const struct dockerfile *b)
{
	if (a->nimages != b->nimages)
		abort();
	for (size_t i = 0; i < a->nimages; i++) {
		const struct dockerfile_image *x = &a->images[i], *y = &b->images[i];

		if (x->place != y->place || x->stage != y->stage || x->scratch != y->scratch)
			abort();
		if (dockerfile_is_registry_image(x) &&
		    (strcmp(x->ref.domain, y->ref.domain) || strcmp(x->ref.path, y->ref.path) ||
		     strcmp(tag(&x->ref), tag(&y->ref)) || !y->ref.digest ||
		     (!x->ref.digest && strcmp(y->ref.digest, D))))
			abort();
	}
}

static void round_trip(const struct dockerfile *df)
{
	struct render_inputs in = { "Dockerfile.in", "sha256:t", "images.lock", "sha256:l", NULL, NULL,
				    NULL };
	struct images_lock lock = { 0 };
	struct dockerfile *again = NULL;
	char *out = NULL;
	size_t len;

	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];
		struct images_lock_entry e;
		char *key, *name;

		if (!dockerfile_is_registry_image(img) || img->ref.digest)
			continue;
		key = image_ref_name_tag(&img->ref);
		name = image_ref_name(&img->ref);
		e = (struct images_lock_entry){ key, img->expanded, name, img->ref.tag, D, "m", NULL, 0 };
		if (key && name)
			images_lock_put(&lock, &e);
		free(key);
		free(name);
	}
	if (render_dockerfile(&out, &len, df, &lock, &in) == 0 &&
	    dockerfile_parse(&again, out, len, "Dockerfile") == 0)
		same_images(df, again);
	dockerfile_free(again);
	free(out);
	images_lock_release(&lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile *df;
	struct lint_findings findings = { 0 };

	if (dockerfile_parse(&df, (const char *)data, size, "Dockerfile") == 0) {
		lint_dockerfile(&findings, df);
		lint_findings_release(&findings);
		round_trip(df);
		dockerfile_free(df);
	}
	return 0;
}
