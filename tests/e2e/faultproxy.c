/*
 * usage: faultproxy [--tls CERT KEY] UPSTREAM MODE
 * A proxy on 127.0.0.1 with a free port (printed on the first line of
 * standard output) in front of a real registry at UPSTREAM ("127.0.0.1:PORT",
 * plain HTTP), that injects one fault into what the registry answers. It
 * serves one connection at a time, one request per connection, logs one
 * line per request on standard error and runs until killed. With --tls it
 * speaks HTTPS with CERT and KEY.
 *
 *   pass           relay every request
 *   delay:MS       wait MS milliseconds, then relay
 *   truncate       relay the headers and half the body, then close
 *   reset          relay the headers and half the body, then reset the connection
 *   status:CODE:N  answer the first N requests with CODE (N = 0: all), then relay
 *   redirect:BASE  answer 307 with "Location: BASE" followed by the request's path
 *   loop           answer 307 with a Location on this proxy itself, for ever
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static SSL_CTX *tls;
static int port;

struct peer {
	int fd;
	SSL *ssl;
};

static ssize_t peer_read(struct peer *p, char *buf, size_t len)
{
	return p->ssl ? SSL_read(p->ssl, buf, (int)len) : read(p->fd, buf, len);
}

static void peer_write(struct peer *p, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = p->ssl ? SSL_write(p->ssl, buf, (int)len) : write(p->fd, buf, len);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Read the request head, through "\r\n\r\n", into 'buf'. */
static int read_head(struct peer *p, char *buf, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = peer_read(p, buf + len, size - 1 - len);

		if (n <= 0 || (!p->ssl && buf[0] == 0x16))
			return -1;	/* or a TLS ClientHello to a plain proxy: close */
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

/* Send the request to the registry with "Connection: close" and read its
 * whole answer into a new buffer. */
static char *ask_upstream(const char *upstream, const char *head, size_t *len)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	char host[64], *colon, *out = NULL, *request;
	const char *line;
	size_t alloc = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	snprintf(host, sizeof(host), "%s", upstream);
	if (!(colon = strchr(host, ':')))
		return NULL;
	*colon = '\0';
	inet_pton(AF_INET, host, &addr.sin_addr);
	addr.sin_port = htons((unsigned short)atoi(colon + 1));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return NULL;
	}
	/* the request line and headers, without Connection: */
	request = malloc(strlen(head) + 64);
	request[0] = '\0';
	for (line = head; *line && strncmp(line, "\r\n", 2); line = strstr(line, "\r\n") + 2)
		if (strncasecmp(line, "Connection:", 11))
			strncat(request, line, (size_t)(strstr(line, "\r\n") + 2 - line));
	strcat(request, "Connection: close\r\n\r\n");
	(void)!write(fd, request, strlen(request));
	free(request);
	*len = 0;
	for (;;) {
		ssize_t n;

		if (*len + 65536 > alloc && !(out = realloc(out, alloc = 2 * alloc + 65536)))
			break;
		if ((n = read(fd, out + *len, alloc - *len)) <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return out;
}

static void answer(struct peer *p, const char *status, const char *headers)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n%s\r\n", status,
			 headers);

	peer_write(p, buf, (size_t)n);
}

static void serve(struct peer *p, const char *upstream, const char *mode, int count)
{
	char head[16384], path[4096] = "/", *body, *answer_text;
	size_t len, at;

	if (read_head(p, head, sizeof(head)) < 0)
		return;
	sscanf(head, "%*s %4095s", path);
	fprintf(stderr, "request %d: %.*s\n", count, (int)strcspn(head, "\r\n"), head);
	if (!strncmp(mode, "status:", 7)) {
		int code = atoi(mode + 7), first = atoi(strchr(mode + 7, ':') + 1);

		if (first == 0 || count <= first) {
			char status[64];

			snprintf(status, sizeof(status), "%d Fault", code);
			answer(p, status, "");
			return;
		}
	} else if (!strncmp(mode, "redirect:", 9)) {
		char location[8192];

		snprintf(location, sizeof(location), "Location: %s%s\r\n", mode + 9, path);
		answer(p, "307 Temporary Redirect", location);
		return;
	} else if (!strcmp(mode, "loop")) {
		char location[8192];

		snprintf(location, sizeof(location), "Location: %s://127.0.0.1:%d%s\r\n",
			 tls ? "https" : "http", port, path);
		answer(p, "307 Temporary Redirect", location);
		return;
	} else if (!strncmp(mode, "delay:", 6)) {
		long ms = atol(mode + 6);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (!(answer_text = ask_upstream(upstream, head, &len))) {
		answer(p, "502 Bad Gateway", "");
		return;
	}
	body = strstr(answer_text, "\r\n\r\n");
	at = body ? (size_t)(body + 4 - answer_text) : len;
	if (!strcmp(mode, "truncate") || !strcmp(mode, "reset")) {
		peer_write(p, answer_text, at + (len - at) / 2);
		if (!strcmp(mode, "reset")) {
			struct linger hard = { 1, 0 };

			setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
			if (p->ssl) {
				SSL_free(p->ssl);	/* no close_notify: a cut, not an end */
				p->ssl = NULL;
			}
		}
	} else {
		peer_write(p, answer_text, len);
	}
	free(answer_text);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, count = 0;

	if (argc == 6 && !strcmp(argv[1], "--tls")) {
		tls = SSL_CTX_new(TLS_server_method());
		if (!tls || SSL_CTX_use_certificate_chain_file(tls, argv[2]) != 1 ||
		    SSL_CTX_use_PrivateKey_file(tls, argv[3], SSL_FILETYPE_PEM) != 1) {
			ERR_print_errors_fp(stderr);
			return 2;
		}
		argv += 3;
		argc -= 3;
	}
	if (argc != 3) {
		fputs("usage: faultproxy [--tls CERT KEY] UPSTREAM pass|delay:MS|truncate|reset|"
		      "status:CODE:N|redirect:BASE|loop\n", stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&addr, &alen) < 0) {
		perror("faultproxy");
		return 2;
	}
	port = ntohs(addr.sin_port);
	printf("%d\n", port);
	fflush(stdout);
	for (;;) {
		struct peer p = { accept(s, NULL, NULL), NULL };

		if (p.fd < 0)
			continue;
		if (tls) {
			p.ssl = SSL_new(tls);
			SSL_set_fd(p.ssl, p.fd);
			if (SSL_accept(p.ssl) != 1) {	/* a client that refused our certificate */
				SSL_free(p.ssl);
				close(p.fd);
				continue;
			}
		}
		serve(&p, argv[1], argv[2], ++count);
		if (p.ssl) {
			SSL_shutdown(p.ssl);
			SSL_free(p.ssl);
		}
		close(p.fd);
	}
}
