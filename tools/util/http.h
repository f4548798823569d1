#ifndef PINNED_HTTP_H
#define PINNED_HTTP_H

#include <stddef.h>

#include "util/buf.h"

/*
 * HTTP GET over libcurl for the registry and apt clients: verified TLS,
 * retries with backoff, a cap on every body, and transport failures turned
 * into our messages. A client holds what all its requests share (options,
 * and the hosts found to answer only plain HTTP); a connection is one
 * thread's curl handle, reused from request to request.
 */
struct http_opts {
	const char *ca_file;		/* CA bundle; NULL: the system's */
	const char *const *insecure;	/* hosts that may answer plain HTTP (loopback may anyway) */
	size_t ninsecure;
	long connect_timeout;		/* seconds to connect, TLS handshake included */
	long timeout;			/* seconds for a whole request */
	int retries;			/* more tries on resets, 429 and 5xx */
};

#define HTTP_OPTS_INIT { NULL, NULL, 0, 10, 30, 3 }

struct http_client;
struct http_conn;

/* Call once, before any thread makes a request. Returns 0, or ERR_FAIL. */
int http_global_init(void);

/* A client with a copy of 'opts' (the strings are borrowed, not copied).
 * Returns 0, or ERR_NOMEM. Free with http_client_free(); accepts NULL. */
int http_client_new(struct http_client **out, const struct http_opts *opts);
void http_client_free(struct http_client *c);

/* 1 when 'host' ("name", "name:port", "[v6]:port") is this machine: an IP
 * literal in 127.0.0.0/8, ::1, or "localhost"; nothing else. */
int http_loopback(const char *host);

/* 1 when 'host' may be asked over plain HTTP: loopback, or named insecure. */
int http_insecure_host(const struct http_client *c, const char *host);

/* One thread's connection. Returns 0, or ERR_FAIL. Free with
 * http_conn_free(); accepts NULL. */
int http_conn_new(struct http_conn **out, struct http_client *c);
void http_conn_free(struct http_conn *conn);

/* The client a connection belongs to. */
struct http_client *http_conn_client(const struct http_conn *conn);

/* For a URL "scheme://host[:port]/...": 1 when it is https, or plain http
 * to a host that may be asked over plain HTTP (http_insecure_host()); 0
 * for plain http elsewhere and for any other scheme. */
int http_url_allowed(const struct http_client *c, const char *url);

struct http_request {
	const char *url;		/* the whole URL; or NULL, and: */
	const char *host;		/* "name[:port]": the client chooses https, or
					 * http for an insecure host without TLS */
	const char *path;		/* "/v2/..." with 'host' */
	const char *const *headers;	/* "Name: value" lines, NULL-terminated, or NULL */
	size_t max;			/* the most body bytes accepted */
	const char *server;		/* who answers, for messages: "registry 'HOST'" */
	const char *what;		/* what is asked for, for messages */
};

struct http_response {
	long status;			/* of the last answer */
	struct buf body;
	struct buf headers;		/* the last answer's header lines */
	int retries;			/* requests made again after a transient failure */
	int overflow;			/* the body passed req->max */
};

/*
 * GET and wait for the answer; transient failures (resets, 429, 5xx) are
 * tried again up to opts->retries times with backoff. Returns 0 when an
 * answer came, whatever its status; otherwise a negative code with the
 * message naming req->server and req->what: ERR_TIMEOUT (the connect or the
 * request limit, saying which), ERR_REFUSED (a certificate we do not
 * trust), ERR_TOOBIG (a body over req->max), ERR_NOMEM, ERR_FAIL. Empty
 * 'out' with http_response_release() either way.
 */
int http_get(struct http_response *out, struct http_conn *conn, const struct http_request *req);

/* The value of header 'name' (case-insensitive) of the last answer, in a
 * new string; NULL when absent (or out of memory: then ERR_NOMEM is set). */
char *http_header(const struct http_response *r, const char *name);

void http_response_release(struct http_response *r);

#endif
