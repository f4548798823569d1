#include "util/http.h"
#include "util/error.h"
#include "util/grow.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HEADERS_MAX (64u << 10)

struct http_client {
	struct http_opts opts;
	pthread_mutex_t lock;
	char **plain;		/* hosts found to answer plain HTTP in this run */
	size_t nplain, plain_alloc;
};

struct http_conn {
	struct http_client *client;
	CURL *curl;
};

int http_global_init(void)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	return rc ? err_set("cannot start libcurl: %s", curl_easy_strerror(rc)) : 0;
}

int http_client_new(struct http_client **out, const struct http_opts *opts)
{
	struct http_client *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return err_nomem();
	c->opts = *opts;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nplain; i++)
		free(c->plain[i]);
	free(c->plain);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int http_loopback(const char *host)
{
	char name[64];
	size_t n;
	struct in_addr a4;
	struct in6_addr a6;

	if (host[0] == '[') {	/* "[v6]" or "[v6]:port" */
		n = strcspn(host + 1, "]");
		if (host[n + 1] != ']' || (host[n + 2] && host[n + 2] != ':') || n >= sizeof(name))
			return 0;
		memcpy(name, host + 1, n);
		name[n] = '\0';
		return inet_pton(AF_INET6, name, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	n = strcspn(host, ":");
	if (n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	if (!strcmp(name, "localhost"))
		return 1;
	return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int http_insecure_host(const struct http_client *c, const char *host)
{
	for (size_t i = 0; i < c->opts.ninsecure; i++)
		if (!strcmp(c->opts.insecure[i], host))
			return 1;
	return http_loopback(host);
}

static int known_plain(struct http_client *c, const char *host)
{
	int found = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nplain && !found; i++)
		found = !strcmp(c->plain[i], host);
	pthread_mutex_unlock(&c->lock);
	return found;
}

/* Remember a plain-HTTP host; forgetting it (out of memory) costs one more
 * TLS attempt, nothing else. */
static void remember_plain(struct http_client *c, const char *host)
{
	char *copy = strdup(host);

	pthread_mutex_lock(&c->lock);
	if (copy && GROW(c->plain, c->nplain, c->plain_alloc) == 0)
		c->plain[c->nplain++] = copy;
	else
		free(copy);
	pthread_mutex_unlock(&c->lock);
}

int http_conn_new(struct http_conn **out, struct http_client *c)
{
	struct http_conn *conn = calloc(1, sizeof(*conn));

	*out = NULL;
	if (!conn)
		return err_nomem();
	conn->client = c;
	if (!(conn->curl = curl_easy_init())) {
		free(conn);
		return err_set("cannot start libcurl");
	}
	*out = conn;
	return 0;
}

struct http_client *http_conn_client(const struct http_conn *conn)
{
	return conn->client;
}

/* The host[:port] of an http(s) URL into 'host'; 0 when there is none, it
 * is too long, or the URL holds credentials. */
static int url_host(char host[256], const char *url)
{
	size_t skip = !strncmp(url, "https://", 8) ? 8 : !strncmp(url, "http://", 7) ? 7 : 0;
	size_t n = skip ? strcspn(url + skip, "/?#") : 0;

	if (n == 0 || n >= 256 || memchr(url + skip, '@', n))
		return 0;
	memcpy(host, url + skip, n);
	host[n] = '\0';
	return 1;
}

int http_url_allowed(const struct http_client *c, const char *url)
{
	char host[256];

	if (!strncmp(url, "https://", 8))
		return 1;
	return !strncmp(url, "http://", 7) && url_host(host, url) && http_insecure_host(c, host);
}

/* 1 when the user named 'host' with --insecure-registry (loopback is not enough). */
static int named_insecure(const struct http_client *c, const char *host)
{
	for (size_t i = 0; i < c->opts.ninsecure; i++)
		if (!strcmp(c->opts.insecure[i], host))
			return 1;
	return 0;
}

/*
 * Check the redirect from 'from' to 'to': https or http only; never from
 * https down to plain http unless the user named the target host insecure.
 * '*same_host' (same scheme and host) says whether the credentials may go
 * along.
 */
static int redirect_allowed(const struct http_client *c, const char *from, const char *to,
			    const struct http_request *req, int *same_host)
{
	char host[256], old[256];

	if (!url_host(host, to))
		return err_code_set(ERR_REFUSED, "%s redirected '%s' to a URL that is not http(s)",
				    req->server, req->what);
	if (!strncmp(to, "http://", 7) &&
	    (!strncmp(from, "https://", 8) ? !named_insecure(c, host) : !http_insecure_host(c, host)))
		return err_code_set(ERR_REFUSED,
				    "%s redirected '%s' from %s to plain HTTP at '%s': refused "
				    "(--insecure-registry %s allows it)", req->server, req->what,
				    !strncmp(from, "https://", 8) ? "HTTPS" : "HTTP", host, host);
	*same_host = url_host(old, from) && !strcmp(old, host) &&
		     !strncmp(from, "https://", 8) == !strncmp(to, "https://", 8);
	return 0;
}

/* 'headers' without its Authorization line, for another host. */
static int without_credentials(struct curl_slist **out, const struct curl_slist *headers)
{
	*out = NULL;
	for (; headers; headers = headers->next) {
		struct curl_slist *n;

		if (!strncasecmp(headers->data, "Authorization:", 14))
			continue;
		if (!(n = curl_slist_append(*out, headers->data))) {
			curl_slist_free_all(*out);
			*out = NULL;
			return err_nomem();
		}
		*out = n;
	}
	return 0;
}

void http_conn_free(struct http_conn *conn)
{
	if (!conn)
		return;
	curl_easy_cleanup(conn->curl);
	free(conn);
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_response *r = arg;
	size_t n = size * nmemb;

	if (buf_add(&r->body, data, n) < 0) {
		r->overflow = err_code() == ERR_TOOBIG;
		return 0;
	}
	return n;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct http_response *r = arg;
	size_t n = size * nmemb;

	/* a new answer (after a redirect or a 100) starts a new header set */
	if (n >= 5 && !strncmp(line, "HTTP/", 5))
		buf_truncate(&r->headers, 0);
	return buf_add(&r->headers, line, n) < 0 ? 0 : n;
}

char *http_header(const struct http_response *r, const char *name)
{
	size_t k = strlen(name);
	const char *p = buf_str(&r->headers);

	for (; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *v;
		size_t vlen;
		char *s;

		if (strncasecmp(p, name, k) || p[k] != ':')
			continue;
		v = p + k + 1;
		vlen = strcspn(v, "\r\n");
		while (vlen && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (!(s = strndup(v, vlen)))
			err_nomem();
		return s;
	}
	return NULL;
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
static int transport_error(struct http_conn *conn, CURLcode crc, char *errbuf,
			   const struct http_request *req)
{
	const struct http_opts *opts = &conn->client->opts;
	CURL *curl = conn->curl;
	curl_off_t total = 0;

	if (!errbuf[0])
		snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(crc));
	for (size_t n = strlen(errbuf); n && isspace((unsigned char)errbuf[n - 1]); n--)
		errbuf[n - 1] = '\0';
	/* curl starts its messages with a capital: ours go after a colon.
	 * Only a plain word loses it ("Failed" does; "SSL", "OpenSSL" do not). */
	{
		size_t w = 1;

		while (errbuf[w] && !isspace((unsigned char)errbuf[w]) &&
		       !isupper((unsigned char)errbuf[w]))
			w++;
		if (isupper((unsigned char)errbuf[0]) && (!errbuf[w] || isspace((unsigned char)errbuf[w])))
			errbuf[0] = (char)tolower((unsigned char)errbuf[0]);
	}
	switch (crc) {
	case CURLE_OPERATION_TIMEDOUT:
		/* the request limit cannot fire before it has passed */
		curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total);
		if (opts->connect_timeout < opts->timeout && total < (curl_off_t)opts->timeout * 1000000)
			return err_code_set(ERR_TIMEOUT, "cannot connect to %s within %ld s",
					    req->server, opts->connect_timeout);
		return err_code_set(ERR_TIMEOUT, "%s did not answer for '%s' within %ld s",
				    req->server, req->what, opts->timeout);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set("cannot resolve the host of %s", req->server);
	case CURLE_COULDNT_CONNECT:
		return err_set("cannot connect to %s", req->server);
	case CURLE_SSL_CONNECT_ERROR:
		if (req->host && !http_insecure_host(conn->client, req->host))
			return err_set("cannot make a TLS connection to %s: %s (one that answers "
				       "only plain HTTP must be named with --insecure-registry %s)",
				       req->server, errbuf, req->host);
		return err_set("%s: %s", req->server, errbuf);
	case CURLE_PEER_FAILED_VERIFICATION:
		return err_code_set(ERR_REFUSED,
				    "%s has a TLS certificate we do not trust (--ca-file adds a CA): %s",
				    req->server, errbuf);
	default:
		return err_set("%s: %s", req->server, errbuf);
	}
}

/* One request with 'url', no retries. */
static CURLcode perform(struct http_conn *conn, const char *url, struct curl_slist *headers,
			struct http_response *r, char *errbuf)
{
	const struct http_opts *opts = &conn->client->opts;
	CURL *curl = conn->curl;
	CURLcode rc;

	http_response_release(r);
	r->status = 0;
	r->overflow = 0;
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "pinned/0.1");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	/* redirects are followed by http_get(), which checks each */
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, opts->connect_timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, opts->timeout);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (opts->ca_file && *opts->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, opts->ca_file);
	errbuf[0] = '\0';
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	return rc;
}

#define REDIRECTS_MAX 5

int http_get(struct http_response *r, struct http_conn *conn, const struct http_request *req)
{
	struct http_client *c = conn->client;
	const struct http_opts *opts = &c->opts;
	struct curl_slist *headers = NULL, *sent = NULL;
	char errbuf[CURL_ERROR_SIZE], *url = NULL;
	const char *scheme = "https";
	int rc = -1, redirects = 0;

	memset(r, 0, sizeof(*r));
	r->body = (struct buf)BUF_INIT(req->max);
	r->headers = (struct buf)BUF_INIT(HEADERS_MAX);
	for (const char *const *h = req->headers; h && *h; h++) {
		struct curl_slist *n = curl_slist_append(headers, *h);

		if (!n) {
			err_nomem();
			goto done;
		}
		headers = n;
	}
	sent = headers;
	if (!req->url && http_insecure_host(c, req->host) && known_plain(c, req->host))
		scheme = "http";
	for (;;) {
		CURLcode crc;
		char *to = NULL;

		if (!url && (req->url ? !(url = strdup(req->url)) :
					asprintf(&url, "%s://%s%s", scheme, req->host, req->path) < 0)) {
			url = NULL;
			err_nomem();
			goto done;
		}
		crc = perform(conn, url, sent, r, errbuf);
		if (crc == CURLE_SSL_CONNECT_ERROR && !req->url && !redirects &&
		    !strcmp(scheme, "https") && http_insecure_host(c, req->host)) {
			scheme = "http";	/* a loopback or insecure host without TLS */
			remember_plain(c, req->host);
			free(url);
			url = NULL;
			continue;
		}
		if (crc == CURLE_WRITE_ERROR && r->overflow) {
			rc = err_code_set(ERR_TOOBIG, "%s sent more than %zu bytes for '%s'",
					  req->server, req->max, req->what);
			goto done;
		}
		if ((transient(crc) || r->status == 429 || r->status >= 500) &&
		    r->retries < opts->retries) {
			backoff(r->retries++);
			continue;
		}
		if (crc != CURLE_OK) {
			rc = transport_error(conn, crc, errbuf, req);
			goto done;
		}
		if ((r->status == 301 || r->status == 302 || r->status == 303 ||
		     r->status == 307 || r->status == 308) &&
		    curl_easy_getinfo(conn->curl, CURLINFO_REDIRECT_URL, &to) == CURLE_OK && to) {
			int same_host;
			char *next;

			if (++redirects > REDIRECTS_MAX) {
				rc = err_set("%s redirected '%s' more than %d times", req->server,
					     req->what, REDIRECTS_MAX);
				goto done;
			}
			if ((rc = redirect_allowed(c, url, to, req, &same_host)) < 0)
				goto done;
			if (!(next = strdup(to))) {
				rc = err_nomem();
				goto done;
			}
			free(url);
			url = next;
			/* credentials stay with the host they were meant for */
			if (!same_host && sent == headers && (rc = without_credentials(&sent, headers)) < 0) {
				sent = headers;
				goto done;
			}
			continue;
		}
		break;
	}
	rc = 0;
done:
	if (sent != headers)
		curl_slist_free_all(sent);
	curl_slist_free_all(headers);
	free(url);
	return rc;
}
