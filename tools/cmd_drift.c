#include "cmd.h"
#include "debian/apt_lock.h"
#include "debian/apt_plan.h"
#include "docker/images_lock.h"
#include "docker/registry.h"
#include "util/error.h"
#include "util/http.h"
#include "util/jsonw.h"
#include "verify/drift.h"
#include "verify/record.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char usage[] =
	"usage: pinned drift [-C DIR] [--json] [--apt-keyring FILE] [--jobs N]\n"
	"                    [--insecure-registry HOST]... [--registry-mirror HOST]\n"
	"                    [--ca-file FILE] [--timeout SECONDS] [--connect-timeout SECONDS]\n"
	"\n"
	"Ask upstream what moved since lockfiles/images.lock and lockfiles/apt.lock\n"
	"were made, and change nothing: each image's tag against its locked digest\n"
	"(moved, deleted), the locked digest itself (deleted upstream, so no rebuild\n"
	"can pull it), the platforms of a moved tag's index (added, removed); each\n"
	"locked package against the suites its stage was locked from, read and\n"
	"verified again: a newer version that apt-get install would now take (a\n"
	"security update when a -security suite has it), a locked version that left\n"
	"the archive or whose bytes changed. A lock made from a snapshot reads that\n"
	"snapshot, which does not move. One line per finding, then a summary.\n"
	"pinned lock --update takes the new state. Exit status 0 nothing moved,\n"
	"1 something moved, 2 trouble.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  --json                    the same as JSON\n"
	"  --apt-keyring FILE        verify the archive's InRelease with FILE (default\n"
	"                            /usr/share/keyrings/debian-archive-keyring.gpg)\n"
	NET_OPTIONS_USAGE
	"  -h, --help                show this help\n";

static int report_json(const struct record_diffs *d, const struct drift_counts *n)
{
	json_t *root = json_pack("{s:b, s:I, s:I, s:I, s:I}", "moved", d->n > 0, "images",
				 (json_int_t)n->images, "platforms", (json_int_t)n->platforms,
				 "packages", (json_int_t)n->packages, "suites",
				 (json_int_t)n->suites);
	char *text = NULL;
	size_t len;
	int rc = -1;

	if (jsonw_set(root, "findings", cmd_diffs_json(d, "locked", "upstream")) == 0 &&
	    jsonw_dump(&text, &len, root) == 0) {
		fwrite(text, 1, len, stdout);
		rc = 0;
	}
	json_decref(root);
	free(text);
	return rc < 0 ? err_nomem() : 0;
}

static void report_text(const struct record_diffs *d, const struct drift_counts *n)
{
	char more[1024], checked[256];

	for (size_t i = 0; i < d->n; i++) {
		cmd_diff_detail(more, sizeof(more), &d->v[i], "now");
		cmd_print(stdout, "%s: %s: %s%s", d->v[i].class, d->v[i].path, d->v[i].what, more);
	}
	snprintf(checked, sizeof(checked), "%zu image%s (%zu platform%s), %zu package%s in %zu "
		 "suite%s checked", n->images, n->images == 1 ? "" : "s", n->platforms,
		 n->platforms == 1 ? "" : "s", n->packages, n->packages == 1 ? "" : "s",
		 n->suites, n->suites == 1 ? "" : "s");
	if (d->n)
		cmd_print(stdout, "%zu finding%s: %s", d->n, d->n == 1 ? "" : "s", checked);
	else
		cmd_print(stdout, "nothing moved: %s", checked);
}

static int drift(const struct net_settings *net, const char *keyring, int json)
{
	struct images_lock images = { 0 };
	struct apt_lock apt = { 0 };
	struct record_diffs d = { 0 };
	struct drift_counts n = { 0 };
	struct registry_client *client = NULL;
	struct http_client *http = NULL;
	int rc;

	if ((rc = images_lock_read(&images, IMAGES_LOCK_PATH)) < 0 ||
	    (rc = apt_lock_read(&apt, APT_LOCK_PATH)) < 0)
		goto done;
	if (!images.count && !apt.n) {
		rc = err_set("nothing is locked here (%s, %s): run pinned lock first",
			     IMAGES_LOCK_PATH, APT_LOCK_PATH);
		goto done;
	}
	if ((rc = http_global_init()) < 0 || (rc = registry_client_new(&client, &net->opts)) < 0 ||
	    (rc = http_client_new(&http, &net->opts.http)) < 0 ||
	    (rc = drift_images(&d, &n, &images, client, net->jobs)) < 0 ||
	    (rc = drift_packages(&d, &n, &apt, http, keyring ? keyring : APT_DEBIAN_KEYRING,
				 (long long)time(NULL))) < 0)
		goto done;
	if (json)
		rc = report_json(&d, &n);
	else
		report_text(&d, &n);
done:
	rc = rc < 0 ? cmd_fail() : d.n ? EXIT_DIFFERS : EXIT_SAME;
	record_diffs_release(&d);
	registry_client_free(client);
	http_client_free(http);
	images_lock_release(&images);
	apt_lock_release(&apt);
	return rc;
}

int cmd_drift(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'J' },
		{ "apt-keyring", required_argument, NULL, 'K' },
		NET_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct net_settings net = NET_SETTINGS_INIT;
	const char *dir = NULL, *keyring = NULL;
	char *config;
	int json = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'J': json = 1; break;
		case 'K': keyring = optarg; break;
		default:
			if ((rc = cmd_net_option(&net, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if ((rc = cmd_net_done(&net, usage)) >= 0 || (rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	net.opts.docker_config = config = cmd_docker_config();
	rc = drift(&net, keyring, json);
	free(config);
	return rc;
}
