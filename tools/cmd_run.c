#include "cmd.h"
#include "archive/extract.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/process.h"
#include "verify/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#define IMAGE_LAYOUT "build/image"
#define STORAGE "build/buildah"
#define OUTPUT_DIR "build/run/output"
#define STDOUT_MAX (16u << 20)

/* data.json and params.json must be there and be JSON, as the platform checks. */
static int check_input(const char *dir)
{
	static const char *const names[] = { "data.json", "params.json" };
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_code_set(ERR_NOTFOUND, "input folder '%s' is missing", dir);
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX];
		json_error_t jerr;
		json_t *v;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (access(path, F_OK) < 0)
			return err_code_set(ERR_NOTFOUND, "'%s' is missing: the platform always "
					    "passes %s", path, names[i]);
		if (!(v = json_load_file(path, JSON_DECODE_ANY, &jerr)))
			return err_set("%s:%d:%d: not valid JSON", path, jerr.line, jerr.column);
		json_decref(v);
	}
	return 0;
}

/* The image's entrypoint and command, from its config in the layout. */
static int image_argv(json_t **out, const char *layout)
{
	char path[PATH_MAX];
	json_t *index, *manifest, *config, *argv;
	const char *digest;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if (!(index = json_load_file(path, 0, NULL)))
		return err_code_set(ERR_NOTFOUND, "no image in '%s': run pinned build", layout);
	digest = json_string_value(json_object_get(json_array_get(json_object_get(index,
								"manifests"), 0), "digest"));
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout,
		 digest && !strncmp(digest, "sha256:", 7) ? digest + 7 : "-");
	json_decref(index);
	if (!(manifest = json_load_file(path, 0, NULL)))
		return err_set("cannot read the image manifest in '%s'", layout);
	digest = json_string_value(json_object_get(json_object_get(manifest, "config"), "digest"));
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout,
		 digest && !strncmp(digest, "sha256:", 7) ? digest + 7 : "-");
	json_decref(manifest);
	if (!(config = json_load_file(path, 0, NULL)))
		return err_set("cannot read the image config in '%s'", layout);
	argv = json_array();
	json_array_extend(argv, json_object_get(json_object_get(config, "config"), "Entrypoint"));
	json_array_extend(argv, json_object_get(json_object_get(config, "config"), "Cmd"));
	json_decref(config);
	if (!json_array_size(argv)) {
		json_decref(argv);
		return err_set("the image has no entrypoint and no command: nothing to run");
	}
	*out = argv;
	return 0;
}

/* buildah (or podman) with our storage, then 'args' (NULL-terminated). */
static int engine(const char *program, struct process_result *r, const char *const *args,
		  int capture, int echo)
{
	const char *argv[64] = { program, "--root=" STORAGE "/root", "--runroot=" STORAGE "/run",
				 "--storage-driver=vfs" };
	struct process_opts o = PROCESS_OPTS_INIT;
	size_t n = 4;

	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	o.argv = argv;
	o.capture_stdout = 1;
	o.capture_stderr = 1;
	o.max_output = capture ? STDOUT_MAX : 65536;
	o.echo = echo;
	return process_run(r, &o);
}

static int buildah(struct process_result *r, const char *const *args, int capture, int echo)
{
	return engine("buildah", r, args, capture, echo);
}

/* 1 when 'program' is on PATH. */
static int on_path(const char *program)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];

	for (const char *p = path ? path : ""; *p; p += strcspn(p, ":"), p += *p == ':') {
		snprintf(file, sizeof(file), "%.*s/%s", (int)strcspn(p, ":"), p, program);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* The service's run: its stdout and exit status; the output folder filled.
 * With runc the container has no network unless 'network'; without it
 * buildah's chroot isolation cannot cut the network, and says so. */
static int run_container(struct process_result *svc, const char *input, int echo, int network,
			 int podman)
{
	char name[64], in[PATH_MAX], out[PATH_MAX], vin[PATH_MAX + 64], vlegacy[PATH_MAX + 64];
	char vout[PATH_MAX + 64], how[128];
	const char *from[] = { "from", "--name", name, "oci:" IMAGE_LAYOUT ":latest", NULL };
	const char *rm[] = { "rm", name, NULL };
	int runc = on_path("runc");
	const char *args[40] = { "run" };
	struct process_result r;
	json_t *argv = NULL;
	size_t n = 1;
	int rc = -1;

	memset(svc, 0, sizeof(*svc));
	if (image_argv(&argv, IMAGE_LAYOUT) < 0)
		return -1;
	if (!realpath(input, in) || remove_tree(OUTPUT_DIR) < 0 ||
	    (mkdir("build/run", 0755) < 0 && errno != EEXIST) || mkdir(OUTPUT_DIR, 0777) < 0 ||
	    !realpath(OUTPUT_DIR, out)) {
		if (!err_msg()[0] || errno)
			err_errno("cannot prepare '%s'", OUTPUT_DIR);
		goto done;
	}
	chmod(OUTPUT_DIR, 0777);	/* whatever user the image runs as */
	snprintf(vin, sizeof(vin), "%s:/var/runtime/input:ro", in);
	snprintf(vlegacy, sizeof(vlegacy), "%s:/var/input:ro", in);
	snprintf(vout, sizeof(vout), "%s:/var/runtime/output", out);
	snprintf(name, sizeof(name), "pinned-run-%ld", (long)getpid());
	if (podman) {	/* a one-shot container of its own, the image's entrypoint */
		const char *run[] = { "run", "--rm", "--quiet", runc ? "--runtime=runc" : "--quiet",
				      network ? "--quiet" : "--network=none",
				      /* podman's defaults fail without CAP_SYS_RESOURCE */
				      "--ulimit=nofile=1024:1024", "--ulimit=nproc=1024:1024",
				      "-v", vin, "-v", vlegacy, "-v", vout,
				      "oci:" IMAGE_LAYOUT ":latest", NULL };

		rc = engine("podman", svc, run, 1, echo);
		goto done;
	}
	if (runc) {
		args[n++] = "--isolation=oci";
		args[n++] = "--runtime=runc";
		if (!network)
			args[n++] = "--network=none";
	} else {
		args[n++] = "--isolation=chroot";
	}
	for (const char *const *v = (const char *const[]){ "-v", vin, "-v", vlegacy, "-v", vout,
							   name, "--", NULL }; *v; v++)
		args[n++] = *v;
	for (size_t i = 0; i < json_array_size(argv) && n < 39; i++)
		if (!(args[n++] = json_string_value(json_array_get(argv, i)))) {
			err_set("the image's entrypoint or command holds something not a string");
			goto done;
		}
	args[n] = NULL;
	if (!runc && !network)
		fprintf(stderr, "pinned: runc is not installed: with chroot isolation the service "
			"shares the host's network\n");
	if (buildah(&r, from, 0, 0) < 0 || !process_exited_ok(&r)) {
		if (err_msg()[0] == '\0' || process_exited_ok(&r) == 0)
			err_set("buildah from %s: %.200s", process_status(how, sizeof(how), r.status),
				buf_str(&r.err));
		process_result_release(&r);
		goto done;
	}
	process_result_release(&r);
	rc = buildah(svc, args, 1, echo);
	buildah(&r, rm, 0, 0);	/* the container goes, whatever happened */
	process_result_release(&r);
done:
	json_decref(argv);
	return rc;
}

/* output.json when written, and the names of the other files. */
static int read_output(char **json, size_t *len, json_t *files)
{
	DIR *d = opendir(OUTPUT_DIR);
	struct dirent *e;
	int rc;

	*json = NULL;
	*len = 0;
	if (!d)
		return err_errno("cannot read '%s'", OUTPUT_DIR);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "output.json"))
			json_array_append_new(files, json_string(e->d_name));
	closedir(d);
	rc = file_read_at(json, len, AT_FDCWD, OUTPUT_DIR "/output.json");
	return rc == ERR_NOTFOUND ? 0 : rc;
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
	int json = 0, interim = 0, log = 0, network = 0, c, rc, status, podman;
	const char *runner = getenv("PINNED_BUILDER");
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
	/* an engine where there is one (podman), else buildah */
	if (runner && *runner && strcmp(runner, "buildah") && strcmp(runner, "podman")) {
		err_set("pinned run takes --builder buildah or podman, not '%s'", runner);
		goto fail;
	}
	podman = runner && *runner ? !strcmp(runner, "podman") : on_path("podman");
	if (!files || check_input(input) < 0 ||
	    run_container(&svc, input, log, network, podman) < 0 ||
	    read_output(&output_json, &output_len, files) < 0)
		goto fail;
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
