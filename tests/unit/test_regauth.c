/* Registry credentials: config.json, helpers run once per registry, challenges. */
#include "docker/regauth.h"
#include "util/error.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/pinned-test-regauth-XXXXXX", config[256], helper[256], log[256];
	char script[512], path[4096];
	struct regauth *a = NULL;
	const char *creds, *old_path = getenv("PATH");
	char *s;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(config, sizeof(config), "%s/config.json", dir);
	snprintf(helper, sizeof(helper), "%s/docker-credential-t", dir);
	snprintf(log, sizeof(log), "%s/calls", dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\nread server\necho \"$server\" >>%s\n"
		 "[ \"$server\" = h.example ] || exit 1\n"
		 "echo '{\"Username\":\"u\",\"Secret\":\"s3\"}'\n", log);
	write_file(helper, script, 0755);
	snprintf(path, sizeof(path), "%s:%s", dir, old_path ? old_path : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	write_file(config, "{\"auths\": {\"a.example\": {\"auth\": \"dXNlcjpwYXNz\"},"
			   " \"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1Yg==\"}},"
			   " \"credsStore\": \"t\"}", 0644);
	CHECK(regauth_new(&a, config, 5) == 0, "%s", err_msg());
	CHECK(regauth_credentials(&creds, a, "a.example") == 0 && creds && !strcmp(creds, "user:pass"),
	      "auths");
	CHECK(regauth_credentials(&creds, a, "docker.io") == 0 && creds && !strcmp(creds, "hub:hub"),
	      "Docker Hub's key");
	for (int i = 0; i < 3; i++)
		CHECK(regauth_credentials(&creds, a, "h.example") == 0 && creds &&
		      !strcmp(creds, "u:s3"), "credsStore helper");
	CHECK(regauth_credentials(&creds, a, "none.example") == 0 && !creds, "helper knows none");
	CHECK(regauth_credentials(&creds, a, "none.example") == 0 && !creds, "asked once");
	CHECK(count_lines(log) == 2, "the helper ran %d times, want once per registry", count_lines(log));
	regauth_free(a);
	test_end("regauth: config.json auths, Docker Hub's key, a helper run once per registry");

	write_file(config, "{\"auths\": {\"a.example\": {\"auth\": \"!!!\"}}}", 0644);
	CHECK(regauth_new(&a, config, 5) == 0, "%s", err_msg());
	CHECK(regauth_credentials(&creds, a, "a.example") < 0, "bad base64");
	CHECK(strstr(err_msg(), "the auth of 'a.example' is not base64 of user:password") != NULL,
	      "%s", err_msg());
	regauth_free(a);
	write_file(config, "{\"credsStore\": \"missing\"}", 0644);
	CHECK(regauth_new(&a, config, 5) == 0, "%s", err_msg());
	CHECK(regauth_credentials(&creds, a, "x.example") == ERR_NOTFOUND, "a missing helper");
	CHECK_STR(err_msg(), "credential helper 'docker-credential-missing': cannot run "
			     "'docker-credential-missing': No such file or directory");
	regauth_free(a);
	/* the forms the Docker CLI reads */
	write_file(config, "{\"auths\": {\"https://b.example:5000/v2/\": {\"auth\": \"YjpC\"},"
			   " \"c.example\": {\"username\": \"c\", \"password\": \"C\"},"
			   " \"docker.io\": {\"auth\": \"ZDpE\"}},"
			   " \"credHelpers\": {\"index.docker.io\": \"missing\"}}", 0644);
	CHECK(regauth_new(&a, config, 5) == 0, "%s", err_msg());
	CHECK(regauth_credentials(&creds, a, "b.example:5000") == 0 && creds &&
	      !strcmp(creds, "b:B"), "an https:// key with a path");
	CHECK(regauth_credentials(&creds, a, "c.example") == 0 && creds && !strcmp(creds, "c:C"),
	      "username and password");
	CHECK(regauth_credentials(&creds, a, "docker.io") == 0 && creds && !strcmp(creds, "d:D"),
	      "docker.io for Docker Hub, before its helper");
	CHECK(regauth_credentials(&creds, a, "b.example") == 0 && !creds, "another port is not it");
	regauth_free(a);
	write_file(config, "{\"credHelpers\": {\"index.docker.io\": \"missing\"}}", 0644);
	CHECK(regauth_new(&a, config, 5) == 0, "%s", err_msg());
	CHECK(regauth_credentials(&creds, a, "docker.io") == ERR_NOTFOUND,
	      "Docker Hub's helper is keyed index.docker.io");
	regauth_free(a);
	snprintf(config, sizeof(config), "%s/none.json", dir);
	CHECK(regauth_new(&a, config, 5) == 0 && regauth_credentials(&creds, a, "x") == 0 && !creds,
	      "no config, no credentials");
	regauth_free(a);
	test_end("regauth: Docker's key forms (https://host/v2/, username/password, docker.io); "
		 "bad base64 and a missing helper are errors; no config is none");

	s = regauth_challenge_param("Bearer realm=\"https://auth.example/token\",service=\"reg\","
				    "scope=\"repository:x:pull\"", "realm");
	CHECK(s && !strcmp(s, "https://auth.example/token"), "realm");
	free(s);
	s = regauth_challenge_param("Bearer realm=\"r\", service=svc", "service");
	CHECK(s && !strcmp(s, "svc"), "unquoted");
	free(s);
	s = regauth_challenge_param("Bearer xrealm=\"r\"", "realm");
	CHECK(!s, "a key inside another is not it");
	s = regauth_basic("user:pass");
	CHECK(s && !strcmp(s, "Basic dXNlcjpwYXNz"), "basic");
	free(s);
	test_end("regauth: challenge parameters and Basic credentials");

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(system(path) == 0, "cleanup");
	return TEST_MAIN_RESULT();
}
