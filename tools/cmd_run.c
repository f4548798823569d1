#include "cmd.h"
#include "archive/extract.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/process.h"
#include "verify/builder.h"
#include "verify/runtime.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned run [-C DIR] [--input DIR] [--json] [--interim] [--log] [--network]\n"
	"                  [--builder NAME]\n"
	"\n"
	"Run the image pinned build made (build/image/) once, as PlanQK runs a job:\n"
	"the input folder mounted read-only at /var/runtime/input and /var/input, a\n"
	"fresh writable /var/runtime/output, stdout and stderr captured. Print the\n"
	"result, from output.json when the service wrote one, else from its\n"
	"PlanQK:Job:Result line or MultilineResult block; a broken rule of the runtime\n"
	"interface is an error naming it.\n"
	"\n"
	"  -C DIR        run as if started in DIR\n"
	"  --input DIR   the folder with data.json and params.json (default input)\n"
	"  --json        print a report: result, where it came from, interim results,\n"
	"                output files, exit status\n"
	"  --interim     print the interim results before the result\n"
	"  --log         show the service's own output on stderr as it runs\n"
	"  --network     give the service the host's network (default: none, with runc)\n"
	"  --builder NAME  run with podman or buildah (default $PINNED_BUILDER, else podman\n"
	"                when installed, else buildah)\n"
	"  -h, --help    show this help\n";

#define OUTPUT_DIR "build/run/output"

/* A fresh, writable output folder; its absolute name into 'out'. */
static int fresh_output(char out[PATH_MAX])
{
	if (remove_tree(OUTPUT_DIR) < 0)
		return -1;
	if ((mkdir("build", 0777) < 0 && errno != EEXIST) ||
	    (mkdir("build/run", 0755) < 0 && errno != EEXIST) || mkdir(OUTPUT_DIR, 0777) < 0 ||
	    chmod(OUTPUT_DIR, 0777) < 0 ||	/* whatever user the image runs as */
	    !realpath(OUTPUT_DIR, out))
		return err_errno("cannot prepare '%s'", OUTPUT_DIR);
	return 0;
}

static int print_json(const json_t *v, size_t flags)
{
	char *text = json_dumps(v, flags | JSON_ENCODE_ANY);

	if (!text)
		return err_nomem();
	puts(text);
	free(text);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "input", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "interim", no_argument, NULL, 'I' },
		{ "log", no_argument, NULL, 'l' },
		{ "network", no_argument, NULL, 'n' },
		{ "builder", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *input = "input";
	int json = 0, interim = 0, log = 0, network = 0, shared = 0, c, rc, status;
	const char *runner = getenv("PINNED_BUILDER");
	char in[PATH_MAX], out[PATH_MAX];
	struct builder b;
	struct builder_run job = { BUILD_STORAGE, BUILD_IMAGE, in, out, 0, 0 };
	struct process_result svc = { 0 };
	struct runtime_report report = { 0 };
	char *output_json = NULL;
	size_t output_len = 0;
	json_t *files = json_array();

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'i': input = optarg; break;
		case 'j': json = 1; break;
		case 'I': interim = 1; break;
		case 'l': log = 1; break;
		case 'n': network = 1; break;
		case 'b': runner = optarg; break;
		default: json_decref(files); return cmd_other_option(c, argv, usage);
		}
	}
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0) {
		json_decref(files);
		return rc;
	}
	rc = EXIT_TROUBLE;
	if (runner && !*runner)
		runner = NULL;
	/* an engine where there is one (podman), else buildah */
	if (runner && strcmp(runner, "buildah") && strcmp(runner, "podman")) {
		err_set("pinned run takes --builder buildah or podman, not '%s'", runner);
		goto fail;
	}
	if (!files || runtime_input_check(input) < 0 || fresh_output(out) < 0)
		goto fail;
	if (!realpath(input, in)) {
		err_errno("cannot resolve '%s'", input);
		goto fail;
	}
	if ((runner ? builder_find(&b, runner) : builder_find(&b, "podman") < 0 ?
				builder_find(&b, "buildah") : 0) < 0)
		goto fail;
	job.echo = log;
	job.network = network;
	if (builder_run_image(&svc, &b, &job, &shared) < 0 ||
	    runtime_output_read(&output_json, &output_len, files, OUTPUT_DIR) < 0)
		goto fail;
	if (shared)
		fprintf(stderr, "pinned: runc is not installed: with chroot isolation the service "
			"shares the host's network\n");
	status = WIFEXITED(svc.status) ? WEXITSTATUS(svc.status) : 128 + WTERMSIG(svc.status);
	if (runtime_check(&report, buf_str(&svc.out), svc.out.len, status, output_json,
			  output_len) < 0)
		goto fail;
	json_decref(report.files);
	report.files = json_incref(files);
	if (json) {
		json_t *j = json_pack("{s:O, s:s, s:O, s:O, s:i}", "result", report.result, "from",
				      runtime_source_name(report.source), "interim", report.interim,
				      "files", report.files, "exit", report.exit_status);

		if (!j || print_json(j, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
			json_decref(j);
			goto fail;
		}
		json_decref(j);
	} else {
		fprintf(stderr, "pinned: the result, from %s\n", runtime_source_name(report.source));
		for (size_t i = 0; interim && i < json_array_size(report.interim); i++)
			if (print_json(json_array_get(report.interim, i), JSON_COMPACT) < 0)
				goto fail;
		if (print_json(report.result, JSON_COMPACT | JSON_SORT_KEYS) < 0)
			goto fail;
	}
	rc = EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	runtime_report_release(&report);
	process_result_release(&svc);
	json_decref(files);
	free(output_json);
	return rc;
}
