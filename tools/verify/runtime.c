#include "verify/runtime.h"
#include "util/error.h"
#include "util/fileio.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string.h>

#define RESULT_PREFIX "PlanQK:Job:Result:"
#define INTERIM_PREFIX "PlanQK:Job:InterimResult:"
#define MULTILINE "PlanQK:Job:MultilineResult"

const char *runtime_source_name(enum runtime_source s)
{
	switch (s) {
	case RUNTIME_OUTPUT_JSON: return "/var/runtime/output/output.json";
	case RUNTIME_RESULT_LINE: return "the " RESULT_PREFIX " line";
	case RUNTIME_MULTILINE: return "the " MULTILINE " block";
	case RUNTIME_NONE: break;
	}
	return "nothing";
}

void runtime_report_release(struct runtime_report *r)
{
	json_decref(r->result);
	json_decref(r->interim);
	json_decref(r->files);
	memset(r, 0, sizeof(*r));
}

/* JSON from text[0, n), or NULL. */
static json_t *json_of(const char *text, size_t n)
{
	return json_loadb(text, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

int runtime_check(struct runtime_report *r, const char *out, size_t len, int exit_status,
		  const char *output_json, size_t output_len)
{
	const char *p = out, *end = out + len, *block = NULL, *block_end = NULL;
	size_t lineno = 0, block_line = 0;
	json_t *line_result = NULL;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->exit_status = exit_status;
	if (!(r->interim = json_array()) || !(r->files = json_array()))
		return err_nomem();
	for (; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n == strlen(MULTILINE) && !memcmp(p, MULTILINE, n)) {
			if (!block && !block_end) {
				block = nl ? nl + 1 : end;
				block_line = lineno + 1;
			} else if (block && !block_end) {
				block_end = p;
			}
		} else if (!block || block_end) {
			if (n >= strlen(RESULT_PREFIX) && !memcmp(p, RESULT_PREFIX, strlen(RESULT_PREFIX)) &&
			    !line_result && !rc) {
				if (!(line_result = json_of(p + strlen(RESULT_PREFIX),
							    n - strlen(RESULT_PREFIX))))
					rc = err_set("stdout line %zu: the " RESULT_PREFIX " line does not "
						     "hold valid JSON on one line", lineno + 1);
			} else if (n >= strlen(INTERIM_PREFIX) &&
				   !memcmp(p, INTERIM_PREFIX, strlen(INTERIM_PREFIX)) && !rc) {
				json_t *v = json_of(p + strlen(INTERIM_PREFIX), n - strlen(INTERIM_PREFIX));

				if (!v)
					rc = err_set("stdout line %zu: an interim result that is not "
						     "valid JSON", lineno + 1);
				else if (json_array_append_new(r->interim, v) < 0)
					rc = err_nomem();
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (rc < 0)
		goto done;
	if (block && !block_end) {
		rc = err_set("stdout line %zu: a " MULTILINE " block that is never closed", block_line);
		goto done;
	}
	if (output_json) {
		if (!(r->result = json_of(output_json, output_len))) {
			rc = err_set("/var/runtime/output/output.json is not valid JSON");
			goto done;
		}
		r->source = RUNTIME_OUTPUT_JSON;
	} else if (line_result) {
		r->result = line_result;
		line_result = NULL;
		r->source = RUNTIME_RESULT_LINE;
	} else if (block) {
		if (!(r->result = json_of(block, (size_t)(block_end - block)))) {
			rc = err_set("stdout line %zu: the " MULTILINE " block is not valid JSON",
				     block_line);
			goto done;
		}
		r->source = RUNTIME_MULTILINE;
	}
	if (exit_status != 0) {
		rc = err_set("the service exited with status %d: a job that succeeds exits 0",
			     exit_status);
		goto done;
	}
	if (!r->result)
		rc = err_set("no result: the service wrote no /var/runtime/output/output.json and "
			     "printed no " RESULT_PREFIX " line or " MULTILINE " block");
done:
	json_decref(line_result);
	return rc;
}

int runtime_input_check(const char *dir)
{
	static const char *const names[] = { "data.json", "params.json" };
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_code_set(ERR_NOTFOUND, "input folder '%s' is missing", dir);
	for (size_t i = 0; i < 2; i++) {
		char path[4096];
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

int runtime_output_read(char **json, size_t *len, json_t *files, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int rc;

	*json = NULL;
	*len = 0;
	if (!d)
		return err_errno("cannot read '%s'", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "output.json"))
			json_array_append_new(files, json_string(e->d_name));
	closedir(d);
	snprintf(path, sizeof(path), "%s/output.json", dir);
	rc = file_read_at(json, len, AT_FDCWD, path);
	return rc == ERR_NOTFOUND ? 0 : rc;
}
