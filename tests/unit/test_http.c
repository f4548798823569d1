/* The HTTP layer's pure parts: loopback and insecure hosts, headers. */
#include "util/http.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	const char *insecure[] = { "reg.example:5000" };
	struct http_opts opts = HTTP_OPTS_INIT;
	struct http_client *c = NULL;
	struct http_response r = { 0 };
	char *v;

	CHECK(http_loopback("127.0.0.1:5000") && http_loopback("127.1.2.3") &&
	      http_loopback("localhost") && http_loopback("localhost:80") &&
	      http_loopback("[::1]:80") && http_loopback("[::1]"), "loopback");
	CHECK(!http_loopback("127.registry.example.com") && !http_loopback("127.0.0.1.nip.io") &&
	      !http_loopback("localhost.example.com") && !http_loopback("ghcr.io") &&
	      !http_loopback("128.0.0.1") && !http_loopback("[::2]:80") && !http_loopback("[::1"),
	      "not loopback");
	opts.insecure = insecure;
	opts.ninsecure = 1;
	CHECK(http_client_new(&c, &opts) == 0, "client");
	CHECK(http_insecure_host(c, "reg.example:5000") && http_insecure_host(c, "127.0.0.1:1") &&
	      !http_insecure_host(c, "reg.example") && !http_insecure_host(c, "127.x.example"),
	      "insecure hosts");
	http_client_free(c);
	test_end("http: loopback is an IP literal in 127/8, ::1 or localhost; nothing else");

	r.headers = (struct buf)BUF_INIT(4096);
	buf_adds(&r.headers, "HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\n"
			     "docker-content-digest: sha256:ab\r\n\r\n");
	v = http_header(&r, "Content-Type");
	CHECK(v && !strcmp(v, "application/json"), "trimmed");
	free(v);
	v = http_header(&r, "Docker-Content-Digest");
	CHECK(v && !strcmp(v, "sha256:ab"), "any case");
	free(v);
	CHECK(!http_header(&r, "Content"), "a prefix is not a header");
	http_response_release(&r);
	test_end("http: headers by name, in any case, trimmed");
	return TEST_MAIN_RESULT();
}
