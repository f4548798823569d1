/* Debian version ordering, after dpkg's lib/dpkg/version.c (verrevcmp). */
#include "debian/version.h"

#include <string.h>

#include "util/error.h"

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The weight of a character between digit runs: '~' before the end, the end
 * before letters, letters before everything else. */
static int order(const unsigned char *p, const unsigned char *end)
{
	if (p == end || is_digit(*p))
		return 0;
	if (is_alpha(*p))
		return *p;
	if (*p == '~')
		return -1;
	return *p + 256;
}

/* dpkg's verrevcmp over [a, ae) and [b, be). */
static int part_cmp(const unsigned char *a, const unsigned char *ae, const unsigned char *b,
		    const unsigned char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = order(a, ae), bc = order(b, be);

			if (ac != bc)
				return ac - bc;
			a += a < ae;
			b += b < be;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a))
			return 1;
		if (b < be && is_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct parts {
	const unsigned char *epoch, *epoch_end, *up, *up_end, *rev, *rev_end;
};

/* Epoch before the first ':', revision after the last '-' that follows it. */
static void split(struct parts *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + len;
	const unsigned char *colon = memchr(u, ':', len), *dash;

	p->epoch = p->epoch_end = u;
	if (colon) {
		p->epoch_end = colon;
		u = colon + 1;
	}
	for (dash = end; dash > u && dash[-1] != '-'; dash--)
		;
	p->up = u;
	if (dash > u) {
		p->up_end = dash - 1;
		p->rev = dash;
	} else {
		p->up_end = end;
		p->rev = end;
	}
	p->rev_end = end;
}

static int sign(int r)
{
	return (r > 0) - (r < 0);
}

int deb_version_ncmp(const char *a, size_t alen, const char *b, size_t blen)
{
	struct parts pa, pb;
	int r;

	split(&pa, a, alen);
	split(&pb, b, blen);
	r = part_cmp(pa.epoch, pa.epoch_end, pb.epoch, pb.epoch_end);
	if (!r)
		r = part_cmp(pa.up, pa.up_end, pb.up, pb.up_end);
	if (!r)
		r = part_cmp(pa.rev, pa.rev_end, pb.rev, pb.rev_end);
	return sign(r);
}

int deb_version_cmp(const char *a, const char *b)
{
	return deb_version_ncmp(a, strlen(a), b, strlen(b));
}

int deb_version_check(const char *v)
{
	size_t len = strlen(v);
	struct parts p;
	const unsigned char *c;

	if (len == 0)
		return err_set("version string is empty");
	for (c = (const unsigned char *)v; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n')
			return err_set("version string has embedded spaces");
	split(&p, v, len);
	if (memchr(v, ':', len)) {
		if (p.epoch == p.epoch_end)
			return err_set("epoch in version is empty");
		if (*p.epoch == '-')
			return err_set("epoch in version is negative");
		for (c = p.epoch; c < p.epoch_end; c++)
			if (!is_digit(*c))
				return err_set("epoch in version is not number");
		while (p.epoch < p.epoch_end - 1 && *p.epoch == '0')
			p.epoch++;
		if (p.epoch_end - p.epoch > 10 ||
		    (p.epoch_end - p.epoch == 10 && memcmp(p.epoch, "2147483647", 10) > 0))
			return err_set("epoch in version is too big");
		if (p.up == p.rev_end)
			return err_set("nothing after colon in version number");
	}
	if (p.up_end != p.rev_end && p.rev == p.rev_end)
		return err_set("revision number is empty");
	if (p.up == p.up_end)
		return err_set("version number is empty");
	if (!is_digit(*p.up))
		return err_set("version number does not start with digit");
	for (c = p.up; c < p.up_end; c++)
		if (!is_digit(*c) && !is_alpha(*c) && *c != '.' && *c != '-' && *c != '+' &&
		    *c != '~' && *c != ':')
			return err_set("invalid character in version number");
	for (c = p.rev; c < p.rev_end; c++)
		if (!is_digit(*c) && !is_alpha(*c) && *c != '.' && *c != '+' && *c != '~')
			return err_set("invalid character in revision number");
	return 0;
}
