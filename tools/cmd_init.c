#include "cmd.h"
#include "util/error.h"
#include "util/fileio.h"

#include <fnmatch.h>
#include <getopt.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned init [--force] [DIR]\n"
	"\n"
	"Start a service in DIR (default: here; made when missing) with the layout\n"
	"pinned builds: Dockerfile.in, .dockerignore, src/, input/, openapi-spec.yml\n"
	"and a Makefile including pinned.mk. In a project that has a Dockerfile (or\n"
	"a Dockerfile.in), adopt it instead: the Dockerfile becomes Dockerfile.in, a\n"
	".dockerignore is proposed from what the tree holds (.git, editor files,\n"
	"caches, .env), and a Makefile including pinned.mk is added, where there is\n"
	"none. Then make image makes the first lock, render, build and record.\n"
	"Nothing that exists is overwritten, unless --force.\n"
	"\n"
	"  --force     overwrite what exists\n"
	"  -h, --help  show this help\n";

/* ---- a new service --------------------------------------------------------- */

static const char new_template[] =
	"# The service's image. pinned lock pins every image and package it names;\n"
	"# pinned render writes Dockerfile from this file (make image does both).\n"
	"FROM python:3.12-slim\n"
	"WORKDIR /app\n"
	"COPY requirements.txt .\n"
	"RUN pip install --no-cache-dir -r requirements.txt\n"
	"COPY src/ src/\n"
	"ENTRYPOINT [\"python\", \"-m\", \"src\"]\n";

static const char new_ignore[] =
	"# The build context: only what the image needs (Dockerfile and\n"
	"# .dockerignore are always sent).\n"
	"*\n"
	"!src\n"
	"!requirements.txt\n"
	"**/__pycache__\n";

static const char new_main[] =
	"\"\"\"A PlanQK service: read the job's input, print its result.\"\"\"\n"
	"import json\n"
	"import os\n"
	"\n"
	"\n"
	"def read(name):\n"
	"    for folder in (\"/var/runtime/input\", \"/var/input\"):\n"
	"        path = os.path.join(folder, name)\n"
	"        if os.path.exists(path):\n"
	"            with open(path) as f:\n"
	"                return json.load(f)\n"
	"    return {}\n"
	"\n"
	"\n"
	"def run(data, params):\n"
	"    values = data.get(\"values\", [])\n"
	"    return {\"sum\": sum(values) * params.get(\"scale\", 1)}\n"
	"\n"
	"\n"
	"result = json.dumps(run(read(\"data.json\"), read(\"params.json\")), separators=(\",\", \":\"))\n"
	"if os.path.isdir(\"/var/runtime/output\"):\n"
	"    with open(\"/var/runtime/output/output.json\", \"w\") as f:\n"
	"        f.write(result)\n"
	"print(\"PlanQK:Job:Result: \" + result)\n";

static const char new_requirements[] =
	"# The service's Python packages, pinned: name==version (pip freeze).\n";

static const char new_spec[] =
	"openapi: 3.0.0\n"
	"info:\n"
	"  title: A PlanQK service\n"
	"  version: \"1.0\"\n"
	"paths: {}\n"
	"components:\n"
	"  schemas:\n"
	"    inputData:\n"
	"      type: object\n"
	"      properties:\n"
	"        values:\n"
	"          type: array\n"
	"          items: {type: number}\n"
	"    inputParams:\n"
	"      type: object\n"
	"      properties:\n"
	"        scale: {type: number}\n"
	"    resultResponse:\n"
	"      type: object\n"
	"      properties:\n"
	"        sum: {type: number}\n"
	"    errorResponse:\n"
	"      type: object\n"
	"      properties:\n"
	"        code: {type: string}\n"
	"        detail: {type: string}\n";

struct file {
	const char *path, *text;
	int adopt;		/* also written when adopting a project */
};

/* ---- adopting a project ------------------------------------------------------ */

/* What a project tree may hold that no image needs, by pattern on the
 * names of the top two levels. */
static const char *const unwanted[] = {
	".git", ".gitignore", ".gitattributes", ".hg", ".svn",
	".vscode", ".idea", "*.swp", "*~", ".DS_Store",
	"__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox",
	".venv", "venv", "node_modules", ".ipynb_checkpoints",
	".env", ".env.*", "*.pem", "id_rsa", "id_ed25519",
	NULL,
};

/* 1 when a name the pattern 'p' matches is at the top of 'dir' or one below. */
static int holds(const char *dir, const char *p, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char sub[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		found = fnmatch(p, e->d_name, 0) == 0;
		if (!found && depth == 0 && e->d_type == DT_DIR &&
		    snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < (int)sizeof(sub))
			found = holds(sub, p, 1);
	}
	closedir(d);
	return found;
}

/* The proposed .dockerignore: each unwanted name the tree holds, at any
 * depth ("**" for those found below the top), then pinned's outputs. */
static char *propose_ignore(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		err_nomem();
		return NULL;
	}
	fputs("# Proposed by pinned init from what the tree held: what no image needs.\n"
	      "# Review it: pinned context --list names what the context holds.\n", f);
	for (const char *const *p = unwanted; *p; p++)
		if (holds(".", *p, 0))
			fprintf(f, "**/%s\n", *p);
	fputs("build\n", f);
	if (fclose(f) != 0) {
		free(text);
		err_nomem();
		return NULL;
	}
	return text;
}

/* ---- both ------------------------------------------------------------------ */

/* The include line for pinned.mk: installed beside the binary
 * (PREFIX/share/pinned/ for PREFIX/bin/pinned), else in the source tree the
 * binary was built in (mk/, one or two folders up from build/pinned or
 * build/asan/pinned). */
static int mk_include(char **out)
{
	static const char *const places[] = { "/../share/pinned/pinned.mk", "/../mk/pinned.mk",
					      "/../../mk/pinned.mk" };
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
			char *real;

			snprintf(path, sizeof(path), "%s%s", exe, places[i]);
			if ((real = realpath(path, NULL))) {
				int rc = asprintf(out, "# The targets of a service built with pinned: make lock | image "
						  "| run | verify | rebuild | package\ninclude %s\n", real);

				free(real);
				return rc < 0 ? err_nomem() : 0;
			}
		}
	}
	return err_set("cannot find pinned.mk beside the pinned binary (in ../share/pinned/): "
		       "install pinned with make install");
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int write_file(const char *path, const char *text)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	if (slash && dir_make(dir) < 0)
		return -1;
	return outfile_write(path, text, strlen(text));
}

/* Write 'files' (when adopting, only those marked so), never over one
 * that exists unless 'force'; adopting, the Dockerfile becomes the
 * template first. Returns 0, or -1 with the message set. */
static int lay_out(const struct file *files, size_t n, int adopt, int force)
{
	/* nothing written until nothing is in the way */
	for (size_t i = 0; !force && !adopt && i < n; i++)
		if (exists(files[i].path))
			return err_set("%s exists: pinned init starts a new service where there is "
				       "none, or adopts a project with a Dockerfile (--force overwrites)",
				       files[i].path);
	if (adopt && !exists("Dockerfile.in")) {
		if (rename("Dockerfile", "Dockerfile.in") < 0)
			return err_errno("cannot rename 'Dockerfile' to 'Dockerfile.in'");
		printf("Dockerfile.in: the project's Dockerfile, now the template pinned renders\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (adopt && !files[i].adopt)
			continue;
		if (!force && exists(files[i].path)) {
			printf("%s: kept as it was%s\n", files[i].path,
			       !strcmp(files[i].path, "Makefile") ? " (add the include of pinned.mk)" : "");
			continue;
		}
		if (write_file(files[i].path, files[i].text) < 0)
			return -1;
		printf("%s: written\n", files[i].path);
	}
	printf("next: make image (the first lock, render, build and record), then commit "
	       "Dockerfile.in, Dockerfile and lockfiles/\n");
	return 0;
}

static int init(int force)
{
	int adopt = exists("Dockerfile") || exists("Dockerfile.in");
	char *makefile = NULL, *ignore = NULL;
	int rc = -1;

	if (mk_include(&makefile) == 0 && (!adopt || (ignore = propose_ignore()))) {
		const struct file files[] = {
			{ "Dockerfile.in", new_template, 0 },
			{ ".dockerignore", adopt ? ignore : new_ignore, 1 },
			{ "src/__main__.py", new_main, 0 },
			{ "src/__init__.py", "", 0 },
			{ "requirements.txt", new_requirements, 0 },
			{ "input/data.json", "{\"values\": [1, 2, 3]}\n", 0 },
			{ "input/params.json", "{\"scale\": 2}\n", 0 },
			{ "openapi-spec.yml", new_spec, 0 },
			{ "Makefile", makefile, 1 },
		};

		rc = lay_out(files, sizeof(files) / sizeof(files[0]), adopt, force);
	}
	free(makefile);
	free(ignore);
	return rc < 0 ? cmd_fail() : EXIT_SAME;
}

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	int force = 0, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'f')
			force = 1;
		else
			return cmd_other_option(c, argv, usage);
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc)
		return cmd_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (dir && dir_make(dir) < 0)
		return cmd_fail();
	if ((c = cmd_begin(argc, argv, usage, dir)) >= 0)
		return c;
	return init(force);
}
