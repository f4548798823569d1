/* InRelease files: gpgv's verdict, then the signed text. */
#include "debian/release.h"

#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "debian/deb822.h"
#include "debian/packages.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/process.h"
#include "util/sha256.h"

void deb_release_release(struct deb_release *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->text);
	free(r->signer);
	deb_release_meta_release(&r->meta);
	memset(r, 0, sizeof(*r));
}

void deb_release_meta_release(struct deb_release_meta *m)
{
	free(m->suite);
	free(m->codename);
	free(m->version);
	memset(m, 0, sizeof(*m));
}

int deb_release_meta_copy(struct deb_release_meta *to, const struct deb_release_meta *from)
{
	*to = *from;
	to->suite = to->codename = to->version = NULL;
	if ((from->suite && !(to->suite = strdup(from->suite))) ||
	    (from->codename && !(to->codename = strdup(from->codename))) ||
	    (from->version && !(to->version = strdup(from->version)))) {
		deb_release_meta_release(to);
		return err_nomem();
	}
	return 0;
}

/* apt's ExpressionMatches: "/RE/" or a glob, either ignoring case. */
static int expression_matches(const char *pattern, const char *s)
{
	size_t n = strlen(pattern);

	if (!s)
		return 0;
	if (n > 1 && pattern[0] == '/' && pattern[n - 1] == '/') {
		char *re = strndup(pattern + 1, n - 2);
		regex_t preg;
		int hit = 0;

		if (re && regcomp(&preg, re, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0) {
			hit = regexec(&preg, s, 0, NULL, 0) == 0;
			regfree(&preg);
		}
		free(re);
		return hit;
	}
	return fnmatch(pattern, s, FNM_CASEFOLD) == 0;
}

int deb_release_is(const struct deb_release_meta *m, const char *target)
{
	size_t n = strlen(target);

	if (target[0] >= '0' && target[0] <= '9') {
		/* a version: exactly, or its beginning with a trailing '*' */
		int prefix = target[n - 1] == '*';
		size_t len = n - (size_t)prefix;

		if (!m->version)
			return 0;
		if ((prefix ? strlen(m->version) >= len : strlen(m->version) == len) &&
		    strncasecmp(m->version, target, len) == 0)
			return 1;
		return expression_matches(target, m->version);
	}
	return expression_matches(target, m->suite) || expression_matches(target, m->codename);
}

int deb_release_pin(const struct deb_release_meta *m, const char *target)
{
	if (target && deb_release_is(m, target))
		return DEB_PIN_TARGET;
	if (m->not_automatic)
		return m->but_automatic_upgrades ? 100 : 1;
	return 500;
}

static int digits(const char *s, size_t n, int *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return n ? 0 : -1;
}

long long deb_release_time(const char *s, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[64], *w[8], *save = NULL;
	struct tm tm = { 0 };
	int n = 0, v;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (char *t = strtok_r(buf, " ", &save); t && n < 8; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	/* [Day,] DD Mon YYYY HH:MM:SS ZONE */
	if (n == 6) {
		if (strlen(w[0]) != 4 || w[0][3] != ',')
			return -1;
		memmove(w, w + 1, 5 * sizeof(*w));
		n = 5;
	}
	if (n != 5 || strlen(w[1]) != 3 || strlen(w[3]) != 8 || w[3][2] != ':' || w[3][5] != ':')
		return -1;
	if (strcmp(w[4], "UTC") && strcmp(w[4], "GMT") && strcmp(w[4], "+0000") && strcmp(w[4], "Z"))
		return -1;
	{
		const char *m = strstr(months, w[1]);

		if (!m || (m - months) % 3)
			return -1;
		tm.tm_mon = (int)(m - months) / 3;
	}
	if (digits(w[0], strlen(w[0]), &tm.tm_mday) || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    strlen(w[2]) != 4 || digits(w[2], 4, &v) || v < 1970)
		return -1;
	tm.tm_year = v - 1900;
	if (digits(w[3], 2, &tm.tm_hour) || digits(w[3] + 3, 2, &tm.tm_min) ||
	    digits(w[3] + 6, 2, &tm.tm_sec) || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return (long long)timegm(&tm);
}

/* The "SHA256:" field: lines of "HEX SIZE PATH". */
static int add_files(struct deb_release *r, const struct deb822_field *f, const char *name)
{
	const char *p = f->value, *end = f->value + f->value_len;
	size_t line = f->line;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *w[3], *we[3];
		struct deb_release_file *file;
		int n = 0;

		for (const char *q = p; q < e && n < 3;) {
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (q == e)
				break;
			w[n] = q;
			while (q < e && *q != ' ' && *q != '\t')
				q++;
			we[n++] = q;
		}
		if (n) {
			uint64_t size = 0;

			if (n != 3 || !deb_sha256_valid(w[0], (size_t)(we[0] - w[0])) || we[1] - w[1] > 15)
				return err_set("%s:%zu: SHA256: expected 'SHA-256 SIZE PATH'", name, line);
			for (const char *d = w[1]; d < we[1]; d++) {
				if (*d < '0' || *d > '9')
					return err_set("%s:%zu: SHA256: a size that is not a number", name,
						       line);
				size = size * 10 + (uint64_t)(*d - '0');
			}
			if (GROW(r->files, r->nfiles, r->alloc))
				return ERR_NOMEM;
			file = &r->files[r->nfiles];
			if (!(file->path = strndup(w[2], (size_t)(we[2] - w[2]))))
				return err_nomem();
			r->nfiles++;
			file->size = size;
			memcpy(file->sha256, w[0], 64);
			file->sha256[64] = '\0';
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return 0;
}

static int copy_field(char **out, const struct deb822 *d, const char *field)
{
	const struct deb822_field *f = deb822_get(d, field);

	if (f && !(*out = strndup(f->value, f->value_len)))
		return err_nomem();
	return 0;
}

/* 1 when field 'name' says yes, as apt's StringToBool reads it. */
static int yes(const struct deb822 *d, const char *name)
{
	static const char *const words[] = { "1", "yes", "true", "with", "on", "enable" };
	const struct deb822_field *f = deb822_get(d, name);

	for (size_t i = 0; f && i < sizeof(words) / sizeof(words[0]); i++)
		if (f->value_len == strlen(words[i]) && !strncasecmp(f->value, words[i], f->value_len))
			return 1;
	return 0;
}

int deb_release_parse(struct deb_release *out, const char *text, size_t len, const char *name)
{
	struct deb822 d = { 0 };
	const struct deb822_field *f;
	int rc;

	deb822_start(&d, text, len, name, 1);
	rc = deb822_next(&d);
	if (rc == 0)
		rc = err_set("%s: no Release stanza", name);
	if (rc < 0)
		goto done;
	rc = 0;
	if ((rc = copy_field(&out->meta.suite, &d, "Suite")) ||
	    (rc = copy_field(&out->meta.codename, &d, "Codename")) ||
	    (rc = copy_field(&out->meta.version, &d, "Version")))
		goto done;
	/* apt: ButAutomaticUpgrades counts only with NotAutomatic */
	out->meta.not_automatic = yes(&d, "NotAutomatic");
	out->meta.but_automatic_upgrades = out->meta.not_automatic && yes(&d, "ButAutomaticUpgrades");
	if (!(f = deb822_get(&d, "Date"))) {
		rc = err_set("%s: no Date field", name);
		goto done;
	}
	if ((out->date = deb_release_time(f->value, f->value_len)) < 0) {
		rc = err_set("%s:%zu: Date '%.*s' is not a date as RFC 2822 writes it", name, f->line,
			     (int)(f->value_len > 40 ? 40 : f->value_len), f->value);
		goto done;
	}
	if ((f = deb822_get(&d, "Valid-Until")) &&
	    (out->valid_until = deb_release_time(f->value, f->value_len)) < 0) {
		rc = err_set("%s:%zu: Valid-Until '%.*s' is not a date as RFC 2822 writes it", name,
			     f->line, (int)(f->value_len > 40 ? 40 : f->value_len), f->value);
		goto done;
	}
	if (!(f = deb822_get(&d, "SHA256"))) {
		rc = err_set("%s: no SHA256 field: the indexes cannot be checked", name);
		goto done;
	}
	rc = add_files(out, f, name);
	if (!rc && (rc = deb822_next(&d)) != 0)
		rc = rc > 0 ? err_set("%s:%zu: a second stanza", name, d.stanza_line) : rc;
done:
	deb822_release(&d);
	return rc;
}

/* What gpgv's status lines say went wrong. */
static int gpgv_refusal(const char *status, const struct deb_release_opts *o)
{
	const char *line;

	if ((line = strstr(status, "[GNUPG:] NO_PUBKEY ")))
		return err_code_set(ERR_REFUSED, "%s: signed by key %.16s, which keyring %s does not hold",
				    o->name, line + 19, o->keyring);
	if ((line = strstr(status, "[GNUPG:] BADSIG ")))
		return err_code_set(ERR_REFUSED, "%s: the signature by key %.16s does not match the "
				    "text: the file was changed after it was signed", o->name, line + 16);
	if ((line = strstr(status, "[GNUPG:] EXPKEYSIG ")))
		return err_code_set(ERR_REFUSED, "%s: signed by key %.16s, which has expired", o->name,
				    line + 19);
	if ((line = strstr(status, "[GNUPG:] REVKEYSIG ")))
		return err_code_set(ERR_REFUSED, "%s: signed by key %.16s, which was revoked", o->name,
				    line + 19);
	if (strstr(status, "[GNUPG:] NODATA") || !strstr(status, "[GNUPG:] NEWSIG"))
		return err_code_set(ERR_REFUSED, "%s: not a clearsigned file", o->name);
	return err_code_set(ERR_REFUSED, "%s: gpgv does not accept its signature", o->name);
}

int deb_release_verify(struct deb_release *out, const void *inrelease, size_t len,
		       const struct deb_release_opts *o)
{
	struct process_opts po = PROCESS_OPTS_INIT;
	struct process_result res = { 0 };
	char keyring[4096];
	const char *argv[] = { "gpgv", "--homedir", "/nonexistent/pinned-gpgv", "--keyring", keyring,
			       "--status-fd", "2", "--output", "-", "-", NULL };
	const char *valid;
	int rc;

	memset(out, 0, sizeof(*out));
	/* gpgv looks a keyring without a '/' up in its home directory */
	snprintf(keyring, sizeof(keyring), "%s%s", strchr(o->keyring, '/') ? "" : "./", o->keyring);
	po.argv = argv;
	po.input = inrelease;
	po.input_len = len;
	po.capture_stdout = po.capture_stderr = 1;
	po.max_output = len + 4096;
	po.timeout_ms = 60000;
	if ((rc = process_run(&res, &po)) != 0) {
		rc = err_prefix("%s: cannot verify its signature", o->name);
		goto done;
	}
	valid = strstr(buf_str(&res.err), "[GNUPG:] VALIDSIG ");
	if (!process_exited_ok(&res) || !valid) {
		rc = gpgv_refusal(buf_str(&res.err), o);
		goto done;
	}
	if (!(out->signer = strndup(valid + 18, strcspn(valid + 18, " \n")))) {
		rc = err_nomem();
		goto done;
	}
	out->len = res.out.len;
	if (!(out->text = buf_detach(&res.out, NULL))) {
		rc = ERR_NOMEM;
		goto done;
	}
	if ((rc = deb_release_parse(out, out->text, out->len, o->name)) != 0)
		goto done;
	if (out->date > o->now + 600) {
		rc = err_code_set(ERR_REFUSED, "%s: its Date is %lld s in the future: not valid yet",
				  o->name, out->date - o->now);
		goto done;
	}
	if (out->valid_until && out->valid_until < o->now && !o->ignore_valid_until) {
		char when[32];
		time_t t = (time_t)out->valid_until;
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		rc = err_code_set(ERR_REFUSED, "%s: expired on %s (Valid-Until): the archive state it "
				  "describes may be stale", o->name, when);
	}
done:
	process_result_release(&res);
	if (rc)
		deb_release_release(out);
	return rc;
}

const struct deb_release_file *deb_release_find(const struct deb_release *r, const char *path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}

int deb_release_check(const struct deb_release *r, const char *path, const void *data,
		      size_t len)
{
	const struct deb_release_file *f = deb_release_find(r, path);
	char got[SHA256_STRING_LEN + 1];

	if (!f)
		return err_code_set(ERR_NOTFOUND, "%s is not listed in the release", path);
	if (f->size != len)
		return err_code_set(ERR_REFUSED, "%s has %zu bytes, the release says %llu", path, len,
				    (unsigned long long)f->size);
	if (sha256_string(got, data, len))
		return err_code();
	if (strcmp(got + 7, f->sha256))
		return err_code_set(ERR_REFUSED, "%s has SHA-256 %s, the release says %s", path, got + 7,
				    f->sha256);
	return 0;
}
