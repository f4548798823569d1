#ifndef PINNED_REGAUTH_H
#define PINNED_REGAUTH_H

#include <stddef.h>

struct http_conn;

/*
 * Credentials for registries, as the Docker CLI keeps them: a config.json
 * with "auths" (base64 user:password), "credHelpers" per registry and a
 * "credsStore", the helpers being docker-credential-NAME programs that
 * answer "get". The file is read once; each registry's helper runs at most
 * once per regauth, however many images name it. Safe to share between
 * threads.
 */
struct regauth;

/*
 * Read the Docker config at 'config_path' (NULL, or a missing file: no
 * credentials). Helpers run by this regauth are killed after
 * 'helper_timeout_s' seconds. Returns 0, or a negative code when the file
 * exists but cannot be used. Free with regauth_free(); accepts NULL.
 */
int regauth_new(struct regauth **out, const char *config_path, long helper_timeout_s);
void regauth_free(struct regauth *a);

/*
 * "user:password" for registry 'domain' ("docker.io", "ghcr.io",
 * "127.0.0.1:5000") in '*out', owned by 'a', or NULL when there are none.
 * Returns 0, or a negative code when a helper failed.
 */
int regauth_credentials(const char **out, struct regauth *a, const char *domain);

/* "Basic BASE64(creds)" for an Authorization header (caller frees), or NULL
 * with ERR_NOMEM. */
char *regauth_basic(const char *creds);

/* The value of 'key' in a WWW-Authenticate challenge's key="value" list
 * (caller frees), or NULL when it is not there. */
char *regauth_challenge_param(const char *challenge, const char *key);

/*
 * The bearer-token flow: GET realm?scope=...&service=... (with Basic 'creds'
 * when not NULL) and read {"token"} or {"access_token"}. 'path' is the
 * repository, for the default scope "repository:PATH:pull". Returns 0 with
 * "Bearer TOKEN" in '*out' (caller frees), or a negative code.
 */
int regauth_token(char **out, struct http_conn *conn, const char *challenge, const char *path,
		  const char *creds);

#endif
