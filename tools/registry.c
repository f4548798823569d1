#include "registry.h"
#include "digest.h"
#include "error.h"
#include "fileio.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char accept_header[] =
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

int registry_global_init(void)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	return rc ? err_set("cannot start libcurl: %s", curl_easy_strerror(rc)) : 0;
}

void resolved_release(struct resolved *r)
{
	free(r->digest);
	free(r->media_type);
	platform_digests_free(r->platforms, r->nplatforms);
	memset(r, 0, sizeof(*r));
}

/* ---- one HTTP request ---------------------------------------------------- */

struct response {
	long status;
	char *body;
	size_t len, max;
	int oversize;
	char *digest;		/* Docker-Content-Digest */
	char *content_type;
	char *challenge;	/* WWW-Authenticate */
};

static void response_reset(struct response *r)
{
	free(r->body);
	free(r->digest);
	free(r->content_type);
	free(r->challenge);
	memset(r, 0, sizeof(*r));
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;
	size_t n = size * nmemb;
	char *grown;

	if (r->len + n > r->max) {
		r->oversize = 1;
		return 0;
	}
	if (!(grown = realloc(r->body, r->len + n + 1)))
		return 0;
	r->body = grown;
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* Keep the value of header 'name' (case-insensitive) from 'line'. */
static void keep_header(char **slot, const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;
	size_t vlen;

	if (n <= k || strncasecmp(line, name, k) || line[k] != ':')
		return;
	v = line + k + 1;
	vlen = n - k - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	free(*slot);
	*slot = strndup(v, vlen);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;
	size_t n = size * nmemb;

	keep_header(&r->digest, line, n, "Docker-Content-Digest");
	keep_header(&r->content_type, line, n, "Content-Type");
	keep_header(&r->challenge, line, n, "WWW-Authenticate");
	return n;
}

/* GET 'url' with an optional Authorization header value. */
static CURLcode http_get(CURL *curl, const char *url, const char *authorization,
			 int manifest, const struct registry_opts *opts,
			 struct response *r, char *errbuf)
{
	struct curl_slist *headers = NULL;
	char *auth = NULL;
	const char *ca = opts->ca_file ? opts->ca_file : getenv("SSL_CERT_FILE");
	CURLcode rc;

	response_reset(r);
	r->max = opts->max_manifest;
	if (manifest)
		headers = curl_slist_append(headers, accept_header);
	if (authorization && asprintf(&auth, "Authorization: %s", authorization) >= 0)
		headers = curl_slist_append(headers, auth);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "pinned/0.1");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, opts->connect_timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, opts->timeout);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (ca && *ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	errbuf[0] = '\0';
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	free(auth);
	return rc;
}

/* ---- credentials --------------------------------------------------------- */

/* The Docker config's key for a registry, as docker login writes it. */
static const char *auth_key(const char *domain)
{
	return !strcmp(domain, "docker.io") ? "https://index.docker.io/v1/" : domain;
}

/* "Basic BASE64(user:password)" for an Authorization header, or NULL. */
static char *basic_auth(const char *creds)
{
	size_t n = strlen(creds);
	char *out = malloc(6 + 4 * ((n + 2) / 3) + 1);

	if (out) {
		memcpy(out, "Basic ", 6);
		EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)creds, (int)n);
	}
	return out;
}

/*
 * Run "docker-credential-HELPER get" with the server on standard input and
 * read {"Username", "Secret"}. Returns a "user:secret" string, NULL when the
 * helper knows no credentials (or fails; then err_msg() says why and
 * '*failed' is set).
 */
static char *credential_helper(const char *helper, const char *server, int *failed)
{
	char program[256], *argv[3], buf[65536];
	int in[2], out[2], status;
	posix_spawn_file_actions_t actions;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	json_t *root;
	char *result = NULL;

	snprintf(program, sizeof(program), "docker-credential-%s", helper);
	argv[0] = program;
	argv[1] = "get";
	argv[2] = NULL;
	if (pipe2(in, O_CLOEXEC) < 0)
		return NULL;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return NULL;
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	if (posix_spawnp(&pid, program, &actions, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&actions);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		*failed = 1;
		err_set("credential helper '%s' cannot be run", program);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&actions);
	close(in[0]);
	close(out[1]);
	/* a failed write shows in the helper's exit status */
	(void)write_all(in[1], server, strlen(server));
	close(in[1]);
	while ((n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(out[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NULL;	/* "credentials not found": go anonymous */
	if ((root = json_loads(buf, 0, NULL))) {
		const char *user = json_string_value(json_object_get(root, "Username"));
		const char *secret = json_string_value(json_object_get(root, "Secret"));

		if (user && secret && asprintf(&result, "%s:%s", user, secret) < 0)
			result = NULL;
		json_decref(root);
	}
	if (!result) {
		*failed = 1;
		err_set("credential helper '%s' gave no Username and Secret", program);
	}
	return result;
}

/*
 * "user:password" for 'domain' from the Docker config, or NULL. Returns -1
 * only when the config exists but cannot be used.
 */
static int credentials(char **out, const char *domain, const struct registry_opts *opts)
{
	char path[4096];
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	const char *key = auth_key(domain), *helper, *auth;
	json_error_t jerr;
	json_t *root;
	int failed = 0;

	*out = NULL;
	if (opts->docker_config)
		snprintf(path, sizeof(path), "%s", opts->docker_config);
	else if (dir)
		snprintf(path, sizeof(path), "%s/config.json", dir);
	else if (home)
		snprintf(path, sizeof(path), "%s/.docker/config.json", home);
	else
		return 0;
	if (access(path, F_OK) < 0)
		return 0;
	if (!(root = json_load_file(path, 0, &jerr)))
		return err_set("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	helper = json_string_value(json_object_get(json_object_get(root, "credHelpers"), domain));
	if (!helper)
		helper = json_string_value(json_object_get(root, "credsStore"));
	auth = json_string_value(json_object_get(json_object_get(json_object_get(root, "auths"),
								 key), "auth"));
	if (auth) {
		size_t n = strlen(auth);
		unsigned char *plain = malloc(n + 1);
		int len = plain ? EVP_DecodeBlock(plain, (const unsigned char *)auth, (int)n) : -1;

		if (len < 0 || !memchr(plain, ':', (size_t)len)) {
			free(plain);
			json_decref(root);
			return err_set("%s: the auth of '%s' is not base64 of user:password", path, key);
		}
		while (len > 0 && plain[len - 1] == '\0')	/* base64 padding */
			len--;
		plain[len] = '\0';
		*out = (char *)plain;
	} else if (helper) {
		*out = credential_helper(helper, key, &failed);
	}
	json_decref(root);
	return failed ? -1 : 0;
}

/* ---- auth challenges ----------------------------------------------------- */

/* The value of 'key' in a challenge's key="value" list, or NULL (caller frees). */
static char *challenge_param(const char *challenge, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = challenge; (p = strcasestr(p, key)); p += k) {
		const char *v, *end;

		if ((p != challenge && p[-1] != ' ' && p[-1] != ',') || p[k] != '=')
			continue;
		v = p + k + 1;
		if (*v == '"') {
			end = strchr(++v, '"');
			return end ? strndup(v, (size_t)(end - v)) : NULL;
		}
		return strndup(v, strcspn(v, ", "));
	}
	return NULL;
}

/* URL-encode 's' into a new string. */
static char *url_escape(CURL *curl, const char *s)
{
	char *e = curl_easy_escape(curl, s, 0), *copy = e ? strdup(e) : NULL;

	curl_free(e);
	return copy;
}

/*
 * The bearer-token flow: GET realm?service=...&scope=... (with Basic
 * credentials when we have them) and read {"token"} or {"access_token"}.
 * Returns "Bearer TOKEN" in '*out', or -1 with err_msg() set.
 */
static int fetch_token(char **out, CURL *curl, const char *challenge, const char *path,
		       const char *creds, const struct registry_opts *opts)
{
	char *realm = challenge_param(challenge, "realm");
	char *service = challenge_param(challenge, "service");
	char *scope = challenge_param(challenge, "scope");
	char *url = NULL, *auth = NULL, *es = NULL, *esc = NULL;
	char errbuf[CURL_ERROR_SIZE];
	struct response r = { 0 };
	json_t *root = NULL;
	const char *token;
	CURLcode crc;
	int rc = -1;

	*out = NULL;
	if (!realm) {
		err_set("registry asked for a bearer token without a realm");
		goto done;
	}
	if (!scope && asprintf(&scope, "repository:%s:pull", path) < 0)
		goto oom;
	if ((service && !(es = url_escape(curl, service))) || !(esc = url_escape(curl, scope)))
		goto oom;
	if (asprintf(&url, "%s%sscope=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", esc,
		     es ? "&service=" : "", es ? es : "") < 0) {
		url = NULL;
		goto oom;
	}
	if (creds && !(auth = basic_auth(creds)))
		goto oom;
	crc = http_get(curl, url, auth, 0, opts, &r, errbuf);
	if (crc != CURLE_OK) {
		err_set("token service '%s': %s", realm, errbuf[0] ? errbuf : curl_easy_strerror(crc));
		goto done;
	}
	if (r.status != 200) {
		err_set("token service '%s' answered %ld%s", realm, r.status,
			r.status == 401 ? ": the credentials were refused" : "");
		goto done;
	}
	root = json_loads(r.body ? r.body : "", 0, NULL);
	token = json_string_value(json_object_get(root, "token"));
	if (!token)
		token = json_string_value(json_object_get(root, "access_token"));
	if (!token) {
		err_set("token service '%s' sent no token", realm);
		goto done;
	}
	if (asprintf(out, "Bearer %s", token) < 0) {
		*out = NULL;
		goto oom;
	}
	rc = 0;
	goto done;
oom:
	err_nomem();
done:
	json_decref(root);
	response_reset(&r);
	free(realm);
	free(service);
	free(scope);
	free(url);
	free(auth);
	free(es);
	free(esc);
	return rc;
}

/* ---- the manifest -------------------------------------------------------- */

static int is_index(const char *media_type)
{
	return !strcmp(media_type, "application/vnd.oci.image.index.v1+json") ||
	       !strcmp(media_type, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static int platform_compare(const void *a, const void *b)
{
	return strcmp(((const struct platform_digest *)a)->platform,
		      ((const struct platform_digest *)b)->platform);
}

/* Check the body against its headers and read an index's platforms. */
static int read_manifest(struct resolved *out, const struct response *r, const char *what,
			 const char *host)
{
	unsigned char digest[DIGEST_LEN];
	char hex[DIGEST_STRING_LEN + 1];
	const char *type;
	json_t *root, *manifests, *m;
	size_t i;

	if (sha256_buffer(digest, r->body ? r->body : "", r->len) < 0)
		return -1;
	digest_format(hex, digest);
	if (r->digest && strcmp(r->digest, hex))
		return err_set("registry '%s' sent '%s' with Docker-Content-Digest %s, but the body's "
			       "digest is %s", host, what, r->digest, hex);
	if (!(root = json_loadb(r->body ? r->body : "", r->len, 0, NULL)))
		return err_set("registry '%s' sent '%s' as invalid JSON", host, what);
	type = json_string_value(json_object_get(root, "mediaType"));
	if (!type)
		type = r->content_type;
	if (!type || (!is_index(type) && strstr(type, "manifest") == NULL)) {
		json_decref(root);
		return err_set("registry '%s' sent '%s' with no manifest media type", host, what);
	}
	out->digest = strdup(hex);
	out->media_type = strndup(type, strcspn(type, "; "));
	manifests = json_object_get(root, "manifests");
	if (is_index(out->media_type) && json_is_array(manifests)) {
		out->platforms = calloc(json_array_size(manifests) + 1, sizeof(*out->platforms));
		json_array_foreach(manifests, i, m) {
			json_t *p = json_object_get(m, "platform");
			const char *os = json_string_value(json_object_get(p, "os"));
			const char *arch = json_string_value(json_object_get(p, "architecture"));
			const char *variant = json_string_value(json_object_get(p, "variant"));
			const char *d = json_string_value(json_object_get(m, "digest"));
			char *name;

			/* attestations are listed as unknown/unknown */
			if (!os || !arch || !d || !strcmp(os, "unknown") || !out->platforms)
				continue;
			if (asprintf(&name, "%s/%s%s%s", os, arch, variant ? "/" : "",
				     variant ? variant : "") < 0)
				continue;
			out->platforms[out->nplatforms].platform = name;
			out->platforms[out->nplatforms++].digest = strdup(d);
		}
		if (out->nplatforms > 1)
			qsort(out->platforms, out->nplatforms, sizeof(*out->platforms),
			      platform_compare);
	}
	json_decref(root);
	if (!out->digest || !out->media_type) {
		resolved_release(out);
		return err_nomem();
	}
	return 0;
}

/* The message of a registry's {"errors": [{"code", "message"}]} body. */
static const char *registry_error(const struct response *r, char *buf, size_t size)
{
	json_t *root = json_loadb(r->body ? r->body : "", r->len, 0, NULL);
	json_t *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));

	snprintf(buf, size, "%s", code ? code : "");
	json_decref(root);
	for (char *p = buf; *p; p++)
		*p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return buf;
}

/* Hosts found to answer plain HTTP in this run, so HTTPS is tried once. */
static pthread_mutex_t plain_lock = PTHREAD_MUTEX_INITIALIZER;
static char *plain_hosts[64];
static size_t nplain;

static int known_plain(const char *host)
{
	int found = 0;

	pthread_mutex_lock(&plain_lock);
	for (size_t i = 0; i < nplain && !found; i++)
		found = !strcmp(plain_hosts[i], host);
	pthread_mutex_unlock(&plain_lock);
	return found;
}

static void remember_plain(const char *host)
{
	pthread_mutex_lock(&plain_lock);
	if (nplain < sizeof(plain_hosts) / sizeof(plain_hosts[0]) &&
	    (plain_hosts[nplain] = strdup(host)))
		nplain++;
	pthread_mutex_unlock(&plain_lock);
}

static int is_insecure(const char *host, const struct registry_opts *opts)
{
	for (size_t i = 0; i < opts->ninsecure; i++)
		if (!strcmp(opts->insecure[i], host))
			return 1;
	return image_ref_loopback(host);
}

static void backoff(int attempt)
{
	struct timespec ts = { 0, 250000000L << (attempt < 3 ? attempt : 3) };

	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

static int transient(CURLcode rc)
{
	return rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_PARTIAL_FILE;
}

/* Say what went wrong below HTTP, in our words. */
static void transport_error(CURLcode crc, char *errbuf, const char *host, const char *what,
			    const struct registry_opts *opts)
{
	if (!errbuf[0])
		snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(crc));
	errbuf[0] = (char)tolower((unsigned char)errbuf[0]);
	switch (crc) {
	case CURLE_OPERATION_TIMEDOUT:
		err_set("registry '%s' did not answer for '%s' within %ld s", host, what,
			opts->timeout);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		err_set("cannot resolve the registry host '%s'", host);
		break;
	case CURLE_COULDNT_CONNECT:
		err_set("cannot connect to registry '%s'", host);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		err_set("registry '%s' has a TLS certificate we do not trust (--ca-file adds a CA): %s",
			host, errbuf);
		break;
	default:
		err_set("registry '%s': %s", host, errbuf);
	}
}

/* Resolve one reference with 'curl'. */
static int resolve_one(struct resolved *out, CURL *curl, const struct image_ref *ref,
		       const struct registry_opts *opts)
{
	const char *host = ref->domain, *scheme = "https";
	char *url = NULL, *creds = NULL, *authorization = NULL, *what = NULL;
	char errbuf[CURL_ERROR_SIZE], why[256];
	struct response r = { 0 };
	int rc = -1, attempt = 0, authed = 0;

	memset(out, 0, sizeof(*out));
	if (!strcmp(host, "docker.io"))
		host = opts->mirror ? opts->mirror : "registry-1.docker.io";
	if (asprintf(&what, "%s/%s:%s", ref->domain, ref->path, ref->tag) < 0) {
		what = NULL;
		goto oom;
	}
	if (credentials(&creds, ref->domain, opts) < 0)
		goto done;
	if (is_insecure(host, opts) && known_plain(host))
		scheme = "http";
	for (;;) {
		CURLcode crc;

		free(url);
		if (asprintf(&url, "%s://%s/v2/%s/manifests/%s", scheme, host, ref->path,
			     ref->tag) < 0) {
			url = NULL;
			goto oom;
		}
		crc = http_get(curl, url, authorization, 1, opts, &r, errbuf);
		if (crc == CURLE_SSL_CONNECT_ERROR && !strcmp(scheme, "https") &&
		    is_insecure(host, opts)) {
			scheme = "http";	/* a loopback or --insecure-registry host without TLS */
			remember_plain(host);
			continue;
		}
		if (crc == CURLE_WRITE_ERROR && r.oversize) {
			err_set("registry '%s' sent a manifest for '%s' larger than %zu bytes", host,
				what, opts->max_manifest);
			goto done;
		}
		if ((transient(crc) || r.status == 429 || r.status >= 500) &&
		    attempt < opts->retries) {
			backoff(attempt++);
			continue;
		}
		if (crc != CURLE_OK) {
			transport_error(crc, errbuf, host, what, opts);
			goto done;
		}
		if (r.status == 401 && !authed && r.challenge) {
			authed = 1;
			free(authorization);
			authorization = NULL;
			if (!strncasecmp(r.challenge, "Bearer", 6)) {
				if (fetch_token(&authorization, curl, r.challenge, ref->path, creds,
						opts) < 0)
					goto done;
			} else if (!strncasecmp(r.challenge, "Basic", 5) && creds) {
				if (!(authorization = basic_auth(creds)))
					goto oom;
			} else {
				err_set("registry '%s' wants credentials for '%s' and none are configured",
					host, what);
				goto done;
			}
			continue;
		}
		break;
	}
	if (r.status == 200) {
		rc = read_manifest(out, &r, what, host);
		goto done;
	}
	registry_error(&r, why, sizeof(why));
	if (r.status == 404)
		err_set("registry '%s' has no '%s'%s%s", host, what, why[0] ? ": " : "", why);
	else if (r.status == 401 || r.status == 403)
		err_set("registry '%s' refused access to '%s' (%ld)%s%s", host, what, r.status,
			why[0] ? ": " : "", why);
	else
		err_set("registry '%s' answered %ld for '%s'%s", host, r.status, what,
			attempt ? " (after retries)" : "");
	goto done;
oom:
	err_nomem();
done:
	response_reset(&r);
	free(url);
	free(creds);
	free(authorization);
	free(what);
	return rc;
}

/* ---- many at once -------------------------------------------------------- */

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	struct resolved *out;
	char **errors;
	const struct image_ref *const *refs;
	const struct registry_opts *opts;
	int failed;
};

static void *resolver(void *arg)
{
	struct pool *p = arg;
	CURL *curl = curl_easy_init();

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if (!curl) {
			p->errors[i] = strdup("cannot start libcurl");
		} else if (resolve_one(&p->out[i], curl, p->refs[i], p->opts) < 0) {
			p->errors[i] = strdup(err_msg());
		} else {
			continue;
		}
		pthread_mutex_lock(&p->lock);
		p->failed = 1;
		pthread_mutex_unlock(&p->lock);
	}
	curl_easy_cleanup(curl);
	return NULL;
}

int registry_resolve_all(struct resolved *out, char **errors,
			 const struct image_ref *const *refs, size_t n,
			 const struct registry_opts *opts, int jobs)
{
	struct pool p = { .n = n, .out = out, .errors = errors, .refs = refs, .opts = opts };
	pthread_t threads[64];
	int started = 0;

	memset(out, 0, n * sizeof(*out));
	memset(errors, 0, n * sizeof(*errors));
	if (jobs < 1)
		jobs = 1;
	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > n)
		jobs = (int)n;
	pthread_mutex_init(&p.lock, NULL);
	for (int i = 0; i < jobs; i++)
		if (pthread_create(&threads[started], NULL, resolver, &p) == 0)
			started++;
	if (!started && n)
		resolver(&p);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&p.lock);
	return p.failed ? -1 : 0;
}
