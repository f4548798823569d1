/*
 * Round trip: 160 Dockerfiles made from every construct the reader knows
 * (directives, BOM, shebang, CRLF, continuations with \ and `, heredocs,
 * ONBUILD, substitutions, platform ARGs, deep multi-stage files, COPY
 * --from and mount from= images, Windows paths). For each, render differs
 * from the template only by "@sha256:" after each registry image and the
 * header after the directives, and reading the rendered file gives the
 * same stages and images, now with digests.
 */
#include "docker/dockerfile.h"
#include "docker/images_lock.h"
#include "docker/render.h"
#include "util/buf.h"
#include "util/error.h"
#include "../xorshift.h"
#include "test.h"

#include <stdlib.h>

#define D "sha256:5555555555555555555555555555555555555555555555555555555555555555"
#define FILES 160

static uint64_t seed = 0x9e3779b97f4a7c15u;

static size_t pick(size_t n)
{
	return (size_t)(xorshift64(&seed) % n);
}

/* One Dockerfile: 'i' chooses its escape character, line ends and shape. */
static void make_file(struct buf *b, size_t i)
{
	int backtick = i % 4 == 3, crlf = i % 3 == 1;
	const char *nl = crlf ? "\r\n" : "\n", *e = backtick ? "`" : "\\";
	size_t stages = 1 + pick(i % 10 == 0 ? 40 : 4);

	buf_truncate(b, 0);
	if (i % 7 == 0)
		buf_adds(b, "\xef\xbb\xbf");
	/* after a shebang Parse reads no directive, so no escape=` then */
	if (i % 11 == 0 && !backtick)
		buf_printf(b, "#!/usr/bin/env docker-build%s", nl);
	if (i % 2 == 0)
		buf_printf(b, "# syntax=docker/dockerfile:1.%zu%s", 4 + pick(4), nl);
	if (backtick)
		buf_printf(b, "# escape=`%s", nl);
	if (i % 5 == 0)
		buf_printf(b, "# check=skip=all%s", nl);
	buf_printf(b, "%s# image %zu%s", nl, i, nl);
	buf_printf(b, "ARG TAG=1.%zu%sARG BASE=debian%sARG EMPTY%s", pick(9), nl, nl, nl);
	for (size_t s = 0; s < stages; s++) {
		switch (pick(7)) {
		case 0:
			buf_printf(b, "FROM ${BASE}:bookworm-${TAG} AS s%zu%s", s, nl);
			break;
		case 1:
			buf_printf(b, "FROM --platform=$BUILDPLATFORM golang:${TAG%%.*}-${TARGETARCH} AS s%zu%s",
				   s, nl);
			break;
		case 2:
			buf_printf(b, "from %s%s  ghcr.io/org/app_%zu:v${TAG/./-}${EMPTY:-x} as S%zu%s", e, nl,
				   pick(3), s, nl);
			break;
		case 3:
			if (s) {
				buf_printf(b, "FROM s%zu AS s%zu%s", pick(s), s, nl);
				break;
			}
			/* fall through */
		case 4:
			buf_printf(b, "FROM scratch AS s%zu%s", s, nl);
			break;
		case 5:
			buf_printf(b, "FROM 127.0.0.1:5000/tools/${BASE##*/}:${TAG:+v}${TAG} AS s%zu%s", s, nl);
			break;
		default:
			buf_printf(b, "FROM python:3.12-slim AS s%zu%s", s, nl);
		}
		buf_printf(b, "ARG X=${TAG}-s%zu%sENV PATH=/opt/bin:$PATH HOME=/root%s", s, nl, nl);
		switch (pick(6)) {
		case 0:
			buf_printf(b, "RUN <<EOF%sset -e%secho \"$X\" > /x%sEOF%s", nl, nl, nl, nl);
			break;
		case 1:
			buf_printf(b, "COPY <<-\"A\" <<B /etc/%s\tone%s\tA%stwo%sB%s", nl, nl, nl, nl, nl);
			break;
		case 2:
			buf_printf(b, "RUN apt-get update && %s%s    # a comment in the middle%s%s", e, nl, nl,
				   "    apt-get install -y curl");
			buf_printf(b, "%s", nl);
			break;
		case 3:
			buf_printf(b, "ONBUILD RUN <<'EOT' cat%s$X stays%sEOT%s", nl, nl, nl);
			break;
		case 4:
			buf_printf(b, "RUN [\"sh\", \"-c\", \"echo <<EOF\"]%s", nl);
			break;
		default:
			buf_printf(b, "COPY . C:\\app\\%sRUN echo C:\\\\%s", nl, nl);
		}
		if (s && pick(2))
			buf_printf(b, "COPY --from=s%zu /x /y%s", pick(s), nl);
		if (pick(3) == 0)
			buf_printf(b, "COPY --from=alpine:3.%zu /etc/os-release /%s", pick(20), nl);
		if (pick(4) == 0)
			buf_printf(b, "RUN --mount=type=cache,target=/c,from=busybox:1.36 true%s", nl);
	}
}

/* The lock: the same digest for every registry image the file names. */
static void lock_for(struct images_lock *lock, const struct dockerfile *df)
{
	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];
		struct images_lock_entry e = { 0 };
		char *key;

		if (!dockerfile_is_registry_image(img) || img->ref.digest)
			continue;
		key = image_ref_name_tag(&img->ref);
		e = (struct images_lock_entry){ key, img->expanded, image_ref_name(&img->ref),
						img->ref.tag, D, "m", NULL, 0 };
		images_lock_put(lock, &e);
		free(e.name);
		free(key);
	}
}

/* 'rendered' without the header and every "@" D is 'template'. */
static int only_digests_added(const char *rendered, size_t hstart, size_t hlen, const char *template)
{
	struct buf joined = BUF_INIT(1 << 24), b = BUF_INIT(1 << 24);
	const char *p;
	int same;

	buf_add(&joined, rendered, hstart);
	buf_adds(&joined, rendered + hstart + hlen);
	for (p = buf_str(&joined); *p;) {
		const char *at = strstr(p, "@" D);

		if (!at) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(at - p));
		p = at + strlen("@" D);
	}
	same = !strcmp(buf_str(&b), template);
	buf_release(&joined);
	buf_release(&b);
	return same;
}

int main(void)
{
	struct render_inputs in = { "Dockerfile.in", "sha256:t", "lockfiles/images.lock", "sha256:l",
				    NULL, NULL, NULL };
	struct buf text = BUF_INIT(1 << 24);
	size_t constructs[4] = { 0 };
	/* the allocation-failure pass runs once per allocation: a few files do */
	size_t files = getenv("PINNED_OOM_FAIL") || getenv("PINNED_OOM_COUNT") ? 3 : FILES;

	for (size_t i = 0; i < files; i++) {
		struct dockerfile *df = NULL, *again = NULL;
		struct images_lock lock = { 0 };
		char *out = NULL, name[64], header[512];
		size_t len, hlen, hstart;

		make_file(&text, i);
		if (dockerfile_parse(&df, buf_str(&text), text.len, "Dockerfile.in") < 0) {
			CHECK(0, "file %zu: %s\n%s", i, err_msg(), buf_str(&text));
			goto next;
		}
		lock_for(&lock, df);
		if (render_dockerfile(&out, &len, df, &lock, &in) < 0) {
			CHECK(0, "file %zu: render: %s", i, err_msg());
			goto next;
		}
		hlen = (size_t)snprintf(header, sizeof(header),
					"%s# Generated by pinned render from Dockerfile.in (sha256:t)\n"
					"# and lockfiles/images.lock (sha256:l). Do not edit: change "
					"Dockerfile.in, then run pinned lock and pinned render.\n",
					df->directives_end && text.s[df->directives_end - 1] != '\n' ? "\n" : "");
		/* the header right after the directives (and the syntax image's digest) */
		hstart = strstr(out, header) ? (size_t)(strstr(out, header) - out) : 0;
		CHECK(hstart == df->directives_end || hstart == df->directives_end + strlen("@" D),
		      "file %zu: the header at %zu, the directives end at %zu", i, hstart,
		      df->directives_end);
		CHECK(only_digests_added(out, hstart, hlen, buf_str(&text)),
		      "file %zu: more than digests changed:\n%s", i, out);
		if (dockerfile_parse(&again, out, len, "Dockerfile") < 0) {
			CHECK(0, "file %zu: the rendered file: %s", i, err_msg());
			goto next;
		}
		CHECK(again->nimages == df->nimages && again->ninstructions == df->ninstructions &&
		      again->escape == df->escape, "file %zu: %zu/%zu images, %zu/%zu instructions", i,
		      again->nimages, df->nimages, again->ninstructions, df->ninstructions);
		for (size_t k = 0; k < df->nimages && k < again->nimages; k++) {
			const struct dockerfile_image *a = &df->images[k], *r = &again->images[k];

			CHECK(a->place == r->place && a->stage == r->stage && a->scratch == r->scratch,
			      "file %zu image %zu: kind", i, k);
			if (dockerfile_is_registry_image(a)) {
				CHECK(r->ref.digest && !strcmp(r->ref.digest, D), "file %zu image %zu: digest", i, k);
				CHECK(!strcmp(a->ref.domain, r->ref.domain) && !strcmp(a->ref.path, r->ref.path) &&
				      !strcmp(a->ref.tag, r->ref.tag), "file %zu image %zu: '%s' became '%s'", i, k,
				      a->expanded, r->expanded);
			}
			constructs[a->place]++;
		}
next:
		free(out);
		images_lock_release(&lock);
		dockerfile_free(df);
		dockerfile_free(again);
		snprintf(name, sizeof(name), "roundtrip: generated Dockerfile %zu", i);
		test_end(name);
	}
	/* the corpus did hold every place an image is named */
	CHECK(constructs[DOCKERFILE_SYNTAX] && constructs[DOCKERFILE_FROM] &&
	      constructs[DOCKERFILE_COPY_FROM] && constructs[DOCKERFILE_MOUNT_FROM], "places %zu %zu %zu %zu",
	      constructs[0], constructs[1], constructs[2], constructs[3]);
	test_end("roundtrip: the corpus names images in # syntax, FROM, COPY --from and mount from=");
	buf_release(&text);
	return TEST_MAIN_RESULT();
}
