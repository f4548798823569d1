/*
 * usage: fakereg MODE [ARGS]
 * A server for the registry tests on 127.0.0.1 with a free port, which it
 * prints on the first line of standard output; it logs one line per request
 * on standard error and runs until killed.
 *
 * A fake registry, only for faults a real one cannot be made to produce:
 *   hang        accept, read the request, never answer
 *   stall       accept and never answer anything, a TLS handshake included
 *   500         answer every request with 500
 *   baddigest   a manifest whose Docker-Content-Digest is not its digest
 *   huge        a 5 MiB manifest
 *   badjson     a body that is not JSON
 *   reset-once  the first request is cut off mid-body with a TCP reset,
 *               later ones get a good manifest
 *
 * And a real token service for docker-registry's token auth:
 *   token KEY CERT ISSUER SERVICE USER:PASSWORD
 *               GET /token?scope=repository:NAME:ACTIONS&service=SERVICE with
 *               Basic USER:PASSWORD returns {"token": JWT} granting ACTIONS,
 *               the JWT signed with KEY (RS256) and carrying CERT in x5c, as
 *               the registry verifies it against its rootcertbundle.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,"
	"\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
	"\"layers\":[]}";

static void reply(int fd, const char *status, const char *headers, const char *body,
		  size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
			 status, len, headers);

	(void)!write(fd, head, (size_t)n);
	if (len)
		(void)!write(fd, body, len);
}

static void sha256_hex(char out[72], const void *data, size_t len)
{
	unsigned char d[32];

	SHA256(data, len, d);
	strcpy(out, "sha256:");
	for (int i = 0; i < 32; i++)
		sprintf(out + 7 + 2 * i, "%02x", d[i]);
}

static char *b64url(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);

	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

/* The query parameter 'key' of 'path', URL-decoded enough for scopes. */
static void query(char *out, size_t size, const char *path, const char *key)
{
	const char *p = strstr(path, key);
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return;
	for (p += strlen(key); *p && *p != '&' && *p != ' ' && n + 1 < size; p++) {
		if (p[0] == '%' && p[1] && p[2]) {
			char hex[3] = { p[1], p[2], 0 };

			out[n++] = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void token(int fd, const char *request, char **argv)
{
	const char *key_path = argv[2], *cert_path = argv[3], *issuer = argv[4];
	const char *service = argv[5], *userpass = argv[6];
	char scope[512], name[512], actions[256], list[512] = "", header[4096], claims[2048];
	char basic[256], *expected;
	FILE *f;
	EVP_PKEY *key;
	X509 *cert;
	unsigned char *der = NULL, sig[1024];
	size_t siglen = sizeof(sig);
	char *h64, *c64, *s64, *x5c, *signing, *jwt, body[8192];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int derlen;
	long now = (long)time(NULL);

	expected = malloc(4 * strlen(userpass) / 3 + 8);
	EVP_EncodeBlock((unsigned char *)expected, (const unsigned char *)userpass,
			(int)strlen(userpass));
	snprintf(basic, sizeof(basic), "Authorization: Basic %s", expected);
	if (!strcasestr(request, basic)) {
		reply(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"token\"\r\n", "", 0);
		free(expected);
		return;
	}
	free(expected);
	query(scope, sizeof(scope), request, "scope=");
	if (sscanf(scope, "repository:%511[^:]:%255s", name, actions) != 2)
		name[0] = actions[0] = '\0';
	/* grant what was asked: "pull,push" becomes ["pull","push"] */
	for (char *a = strtok(actions, ","); a; a = strtok(NULL, ","))
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
			 list[0] ? "," : "", a);
	f = fopen(key_path, "r");
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(cert_path, "r");
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	derlen = i2d_X509(cert, &der);
	x5c = malloc(4 * ((size_t)derlen + 2) / 3 + 4);
	EVP_EncodeBlock((unsigned char *)x5c, der, derlen);
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"%s\"]}", x5c);
	snprintf(claims, sizeof(claims),
		 "{\"iss\":\"%s\",\"sub\":\"pinned\",\"aud\":\"%s\",\"exp\":%ld,\"nbf\":%ld,"
		 "\"iat\":%ld,\"jti\":\"%ld\",\"access\":[{\"type\":\"repository\",\"name\":\"%s\","
		 "\"actions\":[%s]}]}",
		 issuer, service, now + 300, now - 60, now, now, name, list);
	h64 = b64url((unsigned char *)header, strlen(header));
	c64 = b64url((unsigned char *)claims, strlen(claims));
	signing = malloc(strlen(h64) + strlen(c64) + 2);
	sprintf(signing, "%s.%s", h64, c64);
	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(md, sig, &siglen, (unsigned char *)signing, strlen(signing));
	s64 = b64url(sig, siglen);
	jwt = malloc(strlen(signing) + strlen(s64) + 2);
	sprintf(jwt, "%s.%s", signing, s64);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", jwt);
	reply(fd, "200 OK", "Content-Type: application/json\r\n", body, strlen(body));
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	X509_free(cert);
	OPENSSL_free(der);
	free(x5c);
	free(h64);
	free(c64);
	free(s64);
	free(signing);
	free(jwt);
}

/* Serve one connection; returns 0 when it was no HTTP request (a TLS
 * ClientHello: the client tries HTTPS first), so it does not count. */
static int serve(int fd, const char *mode, char **argv, int count)
{
	char request[8192], digest[72], headers[512];
	ssize_t n = read(fd, request, sizeof(request) - 1);

	request[n > 0 ? n : 0] = '\0';
	if (!strcmp(mode, "stall"))
		pause();
	if (n <= 0 || request[0] == 0x16)
		return 0;
	fprintf(stderr, "request %d: %.*s\n", count, (int)strcspn(request, "\r\n"), request);
	if (!strcmp(mode, "hang")) {
		pause();
	} else if (!strcmp(mode, "500")) {
		reply(fd, "500 Internal Server Error", "", "", 0);
	} else if (!strcmp(mode, "baddigest")) {
		reply(fd, "200 OK",
		      "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
		      "Docker-Content-Digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\r\n",
		      manifest, strlen(manifest));
	} else if (!strcmp(mode, "huge")) {
		size_t len = 5 << 20;
		char *body = malloc(len);

		memset(body, ' ', len);
		body[0] = '{';
		body[len - 1] = '}';
		reply(fd, "200 OK", "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n",
		      body, len);
		free(body);
	} else if (!strcmp(mode, "badjson")) {
		reply(fd, "200 OK", "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n",
		      "not json", 8);
	} else if (!strcmp(mode, "reset-once")) {
		sha256_hex(digest, manifest, strlen(manifest));
		snprintf(headers, sizeof(headers),
			 "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
			 "Docker-Content-Digest: %s\r\n", digest);
		if (count == 1) {
			struct linger hard = { 1, 0 };
			char head[512];
			int len = snprintf(head, sizeof(head),
					   "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n%s\r\n",
					   strlen(manifest), headers);

			(void)!write(fd, head, (size_t)len);
			(void)!write(fd, manifest, 20);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
		} else {
			reply(fd, "200 OK", headers, manifest, strlen(manifest));
		}
	} else if (!strcmp(mode, "token")) {
		token(fd, request, argv);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, count = 0;

	if (argc < 2 || (!strcmp(argv[1], "token") && argc != 7)) {
		fputs("usage: fakereg hang|stall|500|baddigest|huge|badjson|reset-once\n"
		      "       fakereg token KEY CERT ISSUER SERVICE USER:PASSWORD\n", stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&addr, &len) < 0) {
		perror("fakereg");
		return 2;
	}
	printf("%d\n", ntohs(addr.sin_port));
	fflush(stdout);
	for (;;) {
		int fd = accept(s, NULL, NULL);

		if (fd < 0)
			continue;
		count += serve(fd, argv[1], argv, count + 1);
		close(fd);
	}
}
