#include "cmd.h"
#include "archive/context.h"
#include "archive/extract.h"
#include "docker/dockerfile.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "verify/audit.h"
#include "verify/imagediff.h"
#include "verify/record.h"

#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinned audit [-C DIR] [--epoch SECONDS] [--json] [--registry-mirror HOST]\n"
	"                    [--insecure-registry HOST]... [IMAGE]\n"
	"\n"
	"Say what the image carries that breaks reproducibility or leaks the build,\n"
	"layer by layer (a file a later layer removes is still in the image):\n"
	"dpkg's and apt's logs, ldconfig's aux-cache, apt lists, .pyc files compiled\n"
	"with timestamps rather than hashes, file times after the build's\n"
	"SOURCE_DATE_EPOCH, files of users other than root that no step of their layer\n"
	"gave an owner, and secrets (.env, id_rsa and the like, *.pem and *.key\n"
	"holding a private key). IMAGE as pinned diff takes one (default\n"
	"oci:build/image, what pinned build made). Exit status 0 clean, 1 found,\n"
	"2 trouble.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  --epoch SECONDS           the build's SOURCE_DATE_EPOCH (default: the record's\n"
	"                            when lockfiles/build.lock names this image, else\n"
	"                            $SOURCE_DATE_EPOCH; else file times are not checked)\n"
	"  --json                    the same as JSON\n"
	"  --registry-mirror HOST    pull Docker Hub images through HOST\n"
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n"
	"  -h, --help                show this help\n";

/* The epoch of the record's build of this image, or -1. */
static long long recorded_epoch(const char *layout, const char *tag)
{
	struct layout_image img;
	struct record rec;
	char *text = NULL;
	size_t len;
	long long epoch = -1;

	if (file_read_at(&text, &len, AT_FDCWD, RECORD_PATH) == 0 &&
	    record_parse(&rec, text, len, RECORD_PATH) == 0) {
		if (layout_image_load_tag(&img, layout, tag) == 0)
			for (size_t i = 0; i < rec.nbuilds; i++)
				if (!strcmp(rec.builds[i].manifest, img.manifest_digest))
					epoch = rec.builds[i].epoch;
		layout_image_release(&img);
		record_release(&rec);
	}
	free(text);
	return epoch;
}

static int report(const struct audit *a, const char *image, long long epoch, int json)
{
	json_t *root, *list;
	char *text = NULL;
	size_t len;
	int rc = -1;

	if (!json) {
		for (size_t i = 0; i < a->n; i++)
			cmd_print(stdout, "layer %zu: %s: %s%s%s", a->v[i].layer, a->v[i].path,
				  a->v[i].what, a->v[i].detail ? ": " : "",
				  a->v[i].detail ? a->v[i].detail : "");
		cmd_print(stdout, "%s%zu finding%s in %s: %zu entries in %zu layers read%s", a->n ? "" : "clean: ",
			  a->n, a->n == 1 ? "" : "s", image, a->files, a->layers,
			  epoch < 0 ? "; file times not checked (no --epoch, SOURCE_DATE_EPOCH or "
				      "record of this image)" : "");
		return 0;
	}
	list = json_array();
	for (size_t i = 0; list && i < a->n; i++)
		if (json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s?}", "layer",
							  (json_int_t)a->v[i].layer, "path",
							  a->v[i].path, "what", a->v[i].what, "detail",
							  a->v[i].detail)) < 0) {
			json_decref(list);
			list = NULL;
		}
	root = json_pack("{s:s, s:b, s:I, s:I}", "image", image, "clean", !a->n, "layers",
			 (json_int_t)a->layers, "entries", (json_int_t)a->files);
	if (jsonw_set(root, "findings", list) == 0 &&
	    (epoch < 0 || jsonw_set(root, "epoch", json_integer(epoch)) == 0) &&
	    jsonw_dump(&text, &len, root) == 0) {
		fwrite(text, 1, len, stdout);
		rc = 0;
	}
	json_decref(root);
	free(text);
	return rc < 0 ? err_nomem() : 0;
}

/* Audit 'image' against epoch 'given' (--epoch), else the record's, else
 * 'sde' ($SOURCE_DATE_EPOCH); -1: none. */
static int audit(const char *image, long long given, long long sde, int json,
		 const struct build_settings *s)
{
	struct audit a = { 0 };
	char tmp[4096], dir[4200], *layout = NULL, *tag = NULL;
	long long epoch = given;
	int rc;

	if (cmd_temp_dir(tmp, "audit") < 0)
		return cmd_fail();
	snprintf(dir, sizeof(dir), "%s/image", tmp);
	if ((rc = cmd_image_operand(&layout, &tag, image, dir, s)) == 0) {
		if ((rc = cmd_pull(image, dockerfile_host_platform(), s, dir)) < 0)
			err_prefix("'%s' is no image here (oci:DIR, oci-archive:FILE, a layout "
				   "folder), nor one that could be pulled", image);
		else if (!(layout = strdup(dir)))
			rc = err_nomem();
	}
	if (rc >= 0) {
		if (epoch < 0 && (epoch = recorded_epoch(layout, tag)) < 0)
			epoch = sde;
		rc = image_audit(&a, layout, tag, epoch);
	}
	if (rc >= 0)
		rc = report(&a, image, epoch, json);
	rc = rc < 0 ? cmd_fail() : a.n ? EXIT_DIFFERS : EXIT_SAME;
	audit_release(&a);
	free(layout);
	free(tag);
	remove_tree(tmp);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "epoch", required_argument, NULL, 'e' },
		REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct build_settings s = { 0 };
	const char *dir = NULL, *epoch = NULL, *sde = getenv("SOURCE_DATE_EPOCH");
	int64_t given = -1, sde_epoch = -1;
	int json = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'j': json = 1; break;
		case 'e': epoch = optarg; break;
		default:
			if ((rc = cmd_build_option(&s, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(usage, "audit takes one image");
	if (epoch && (!*epoch || context_parse_epoch(&given, epoch) < 0))
		return cmd_usage_error(usage, "--epoch takes seconds since 1970, not '%s'", epoch);
	if (!epoch && sde && *sde && context_parse_epoch(&sde_epoch, sde) < 0)
		return cmd_usage_error(usage, "SOURCE_DATE_EPOCH is not seconds since 1970: '%s'", sde);
	if ((rc = cmd_build_settings_done(&s, usage)) >= 0 ||
	    (rc = cmd_begin(optind, argv, usage, dir)) >= 0)
		return rc;
	return audit(optind < argc ? argv[optind] : "oci:" BUILD_IMAGE, given, sde_epoch, json, &s);
}
