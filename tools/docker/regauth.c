#include "docker/regauth.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/http.h"
#include "util/process.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* What was found for one registry. */
struct found {
	char *domain;
	char *creds;		/* "user:password", or NULL */
};

struct regauth {
	json_t *config;		/* NULL: no config file */
	char *path;
	long helper_timeout_s;
	pthread_mutex_t lock;
	struct found *found;
	size_t nfound, found_alloc;
};

int regauth_new(struct regauth **out, const char *config_path, long helper_timeout_s)
{
	struct regauth *a = calloc(1, sizeof(*a));
	json_error_t jerr;

	*out = NULL;
	if (!a)
		return err_nomem();
	pthread_mutex_init(&a->lock, NULL);
	a->helper_timeout_s = helper_timeout_s;
	if (config_path && access(config_path, F_OK) == 0) {
		if (!(a->path = strdup(config_path))) {
			regauth_free(a);
			return err_nomem();
		}
		if (!(a->config = json_load_file(config_path, 0, &jerr))) {
			/* never jerr.text: it quotes the file, and the file holds secrets */
			err_set("%s:%d:%d: not valid JSON", config_path, jerr.line, jerr.column);
			regauth_free(a);
			return -1;
		}
	}
	*out = a;
	return 0;
}

void regauth_free(struct regauth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfound; i++) {
		free(a->found[i].domain);
		free(a->found[i].creds);
	}
	free(a->found);
	json_decref(a->config);
	free(a->path);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

char *regauth_basic(const char *creds)
{
	size_t n = strlen(creds);
	char *out = malloc(6 + 4 * ((n + 2) / 3) + 1);

	if (!out) {
		err_nomem();
		return NULL;
	}
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)creds, (int)n);
	return out;
}

/* The Docker config's key for a registry, as docker login writes it. */
static const char *auth_key(const char *domain)
{
	return !strcmp(domain, "docker.io") ? "https://index.docker.io/v1/" : domain;
}

/* 1 when config key 'key' names 'domain', as the Docker CLI matches keys:
 * "host", "https://host", "http://host/v2/"; for Docker Hub also
 * "docker.io", "index.docker.io" and "registry-1.docker.io". */
static int key_names(const char *key, const char *domain)
{
	static const char *const hub[] = { "docker.io", "index.docker.io",
					   "registry-1.docker.io", NULL };
	size_t n;

	if (!strncmp(key, "https://", 8))
		key += 8;
	else if (!strncmp(key, "http://", 7))
		key += 7;
	n = strcspn(key, "/");
	if (strcmp(domain, "docker.io"))
		return strlen(domain) == n && !strncmp(key, domain, n);
	for (const char *const *h = hub; *h; h++)
		if (strlen(*h) == n && !strncmp(key, *h, n))
			return 1;
	return 0;
}

/* The "auths" entry for 'domain': its own key first, then any key naming it. */
static json_t *auth_entry(const json_t *auths, const char *domain, const char **key)
{
	json_t *entry;
	const char *k;

	*key = auth_key(domain);
	if ((entry = json_object_get(auths, *key)))
		return entry;
	json_object_foreach((json_t *)auths, k, entry)
		if (key_names(k, domain)) {
			*key = k;
			return entry;
		}
	return NULL;
}

/*
 * Run "docker-credential-HELPER get" with the server on standard input and
 * read {"Username", "Secret"} into '*out'. A helper that exits non-zero
 * knows no credentials: '*out' NULL, 0. Returns a negative code when the
 * helper cannot be run or answers nonsense.
 */
static int run_helper(char **out, const struct regauth *a, const char *helper,
		      const char *server)
{
	char program[256];
	const char *argv[] = { program, "get", NULL };
	struct process_opts opts = PROCESS_OPTS_INIT;
	struct process_result r;
	json_t *root;
	int rc;

	*out = NULL;
	snprintf(program, sizeof(program), "docker-credential-%s", helper);
	opts.argv = argv;
	opts.input = server;
	opts.input_len = strlen(server);
	opts.capture_stdout = 1;
	opts.max_output = 65536;
	opts.timeout_ms = a->helper_timeout_s * 1000;
	if ((rc = process_run(&r, &opts)) < 0) {
		process_result_release(&r);
		return err_prefix("credential helper '%s'", program);
	}
	if (!process_exited_ok(&r)) {
		process_result_release(&r);
		return 0;	/* "credentials not found": go anonymous */
	}
	if ((root = json_loadb(buf_str(&r.out), r.out.len, 0, NULL))) {
		const char *user = json_string_value(json_object_get(root, "Username"));
		const char *secret = json_string_value(json_object_get(root, "Secret"));

		if (user && secret && asprintf(out, "%s:%s", user, secret) < 0)
			*out = NULL;
		json_decref(root);
	}
	process_result_release(&r);
	if (!*out)
		return err_set("credential helper '%s' gave no Username and Secret", program);
	return 0;
}

/* Look 'domain' up in the config: "user:password" or NULL in '*out'. */
static int lookup(char **out, const struct regauth *a, const char *domain)
{
	const char *key, *helper, *auth, *user, *password;
	const json_t *helpers, *entry;

	*out = NULL;
	if (!a->config)
		return 0;
	/* credHelpers are keyed by host name; Docker Hub's is index.docker.io */
	helpers = json_object_get(a->config, "credHelpers");
	helper = json_string_value(json_object_get(helpers, domain));
	if (!helper && !strcmp(domain, "docker.io"))
		helper = json_string_value(json_object_get(helpers, "index.docker.io"));
	if (!helper)
		helper = json_string_value(json_object_get(a->config, "credsStore"));
	entry = auth_entry(json_object_get(a->config, "auths"), domain, &key);
	auth = json_string_value(json_object_get(entry, "auth"));
	user = json_string_value(json_object_get(entry, "username"));
	password = json_string_value(json_object_get(entry, "password"));
	if (auth && *auth) {
		size_t n = strlen(auth);
		unsigned char *plain = malloc(n + 1);
		int len = plain ? EVP_DecodeBlock(plain, (const unsigned char *)auth, (int)n) : -1;

		if (!plain)
			return err_nomem();
		if (len < 0 || !memchr(plain, ':', (size_t)len)) {
			free(plain);
			return err_set("%s: the auth of '%s' is not base64 of user:password", a->path,
				       key);
		}
		while (len > 0 && plain[len - 1] == '\0')	/* base64 padding */
			len--;
		plain[len] = '\0';
		*out = (char *)plain;
		return 0;
	}
	if (user && password)
		return asprintf(out, "%s:%s", user, password) < 0 ? (*out = NULL, err_nomem()) : 0;
	return helper ? run_helper(out, a, helper, key) : 0;
}

int regauth_credentials(const char **out, struct regauth *a, const char *domain)
{
	char *creds = NULL;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nfound; i++) {
		if (!strcmp(a->found[i].domain, domain)) {
			*out = a->found[i].creds;
			goto done;
		}
	}
	if ((rc = lookup(&creds, a, domain)) < 0)
		goto done;
	if (GROW(a->found, a->nfound, a->found_alloc) < 0 ||
	    !(a->found[a->nfound].domain = strdup(domain))) {
		free(creds);
		rc = err_nomem();
		goto done;
	}
	a->found[a->nfound++].creds = creds;
	*out = creds;
done:
	pthread_mutex_unlock(&a->lock);
	return rc;
}

char *regauth_challenge_param(const char *challenge, const char *key)
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
static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy = e ? strdup(e) : NULL;

	curl_free(e);
	return copy;
}

int regauth_token(char **out, struct http_conn *conn, const char *challenge, const char *path,
		  const char *creds)
{
	char *realm = regauth_challenge_param(challenge, "realm");
	char *service = regauth_challenge_param(challenge, "service");
	char *scope = regauth_challenge_param(challenge, "scope");
	char *url = NULL, *auth = NULL, *header = NULL, *es = NULL, *esc = NULL, *server = NULL;
	const char *headers[2] = { NULL, NULL };
	struct http_response r = { 0 };
	struct http_request req = { 0 };
	json_t *root = NULL;
	const char *token;
	int rc = -1;

	*out = NULL;
	if (!realm) {
		err_set("registry asked for a bearer token without a realm");
		goto done;
	}
	/* credentials in clear text only to this machine or a host named insecure */
	if (!http_url_allowed(http_conn_client(conn), realm)) {
		rc = err_code_set(ERR_REFUSED,
				  "registry asked for a token from '%s', which is not https: refused "
				  "(--insecure-registry names a host that may use plain HTTP)", realm);
		goto done;
	}
	if (!scope && asprintf(&scope, "repository:%s:pull", path) < 0) {
		scope = NULL;
		goto oom;
	}
	if ((service && !(es = url_escape(service))) || !(esc = url_escape(scope)))
		goto oom;
	if (asprintf(&url, "%s%sscope=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", esc,
		     es ? "&service=" : "", es ? es : "") < 0) {
		url = NULL;
		goto oom;
	}
	if (asprintf(&server, "token service '%s'", realm) < 0) {
		server = NULL;
		goto oom;
	}
	if (creds) {
		if (!(auth = regauth_basic(creds)) ||
		    asprintf(&header, "Authorization: %s", auth) < 0) {
			header = NULL;
			goto oom;
		}
		headers[0] = header;
	}
	req.url = url;
	req.headers = headers;
	req.max = 1u << 20;
	req.server = server;
	req.what = scope;
	if ((rc = http_get(&r, conn, &req)) < 0)
		goto done;
	rc = -1;
	if (r.status != 200) {
		rc = err_code_set(r.status == 401 ? ERR_REFUSED : ERR_FAIL,
				  "token service '%s' answered %ld%s", realm, r.status,
				  r.status == 401 ? ": the credentials were refused" : "");
		goto done;
	}
	root = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
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
	rc = err_nomem();
done:
	json_decref(root);
	http_response_release(&r);
	free(realm);
	free(service);
	free(scope);
	free(url);
	free(auth);
	free(header);
	free(server);
	free(es);
	free(esc);
	return rc;
}
