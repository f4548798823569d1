#include "util/gitrepo.h"
#include "util/error.h"

#include <limits.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

struct gitrepo {
	git_repository *repo;
};

/* libgit2's last message, after 'what'. */
static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return err_set("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

/*
 * libgit2 stops when it cannot stat the user's configuration ($HOME not
 * readable, as for a service user). We read objects and need no
 * configuration: a level whose file cannot be looked at is left out.
 */
static void skip_unreadable_config(void)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char path[4096];

	if (home && *home) {
		snprintf(path, sizeof(path), "%s/.gitconfig", home);
		if (access(path, F_OK) < 0 && errno != ENOENT)
			git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	}
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/git/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/git/config", home);
	else
		return;
	if (access(path, F_OK) < 0 && errno != ENOENT)
		git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
}

int gitrepo_open(struct gitrepo **out, const char *dir)
{
	struct gitrepo *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return err_nomem();
	git_libgit2_init();
	skip_unreadable_config();
	rc = git_repository_open_ext(&r->repo, dir, 0, NULL);
	if (rc < 0) {
		rc = rc == GIT_ENOTFOUND ?
			     err_code_set(ERR_NOTFOUND, "'%s' is not in a git repository", dir) :
			     git_fail("cannot open the git repository");
		gitrepo_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void gitrepo_free(struct gitrepo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r);
	git_libgit2_shutdown();
}

int gitrepo_resolve(struct gitrepo_commit *out, struct gitrepo *r, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (git_revparse_single(&obj, r->repo, rev) < 0)
		return err_code_set(ERR_NOTFOUND, "unknown revision '%s'", rev);
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = git_fail(rev);
		goto done;
	}
	git_oid_tostr(out->id, sizeof(out->id), git_object_id(commit));
	out->time = git_commit_time((git_commit *)commit);
	git_oid_cpy(&out->tree, git_commit_tree_id((git_commit *)commit));
done:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

int gitrepo_prefix(char **out, struct gitrepo *r, const char *dir)
{
	const char *workdir = git_repository_workdir(r->repo);
	char real_dir[PATH_MAX], real_work[PATH_MAX];
	size_t n;

	*out = NULL;
	if (!workdir)
		return err_set("the git repository has no work tree");
	if (!realpath(dir, real_dir) || !realpath(workdir, real_work))
		return err_errno("cannot resolve '%s'", dir);
	n = strlen(real_work);
	if (strncmp(real_dir, real_work, n) || (real_dir[n] != '/' && real_dir[n] != '\0'))
		return err_set("'%s' is outside the work tree '%s'", dir, real_work);
	*out = strdup(real_dir[n] ? real_dir + n + 1 : "");
	return *out ? 0 : err_nomem();
}

int gitrepo_subtree(git_oid *out, struct gitrepo *r, const git_oid *root, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	int rc = 0;

	if (!*path) {
		git_oid_cpy(out, root);
		return 0;
	}
	if (git_tree_lookup(&tree, r->repo, root) < 0)
		return git_fail(path);
	if (git_tree_entry_bypath(&te, tree, path) < 0 || git_tree_entry_type(te) != GIT_OBJECT_TREE)
		rc = err_code_set(ERR_NOTFOUND, "'%s' is not a directory in the revision", path);
	else
		git_oid_cpy(out, git_tree_entry_id(te));
	git_tree_entry_free(te);
	git_tree_free(tree);
	return rc;
}

static enum gitrepo_kind kind_of(const git_tree_entry *te)
{
	switch (git_tree_entry_filemode(te)) {
	case GIT_FILEMODE_TREE: return GITREPO_TREE;
	case GIT_FILEMODE_LINK: return GITREPO_LINK;
	case GIT_FILEMODE_COMMIT: return GITREPO_SUBMODULE;
	case GIT_FILEMODE_BLOB_EXECUTABLE: return GITREPO_EXEC;
	default: return GITREPO_FILE;
	}
}

int gitrepo_tree_entries(struct gitrepo_entry **out, size_t *n, struct gitrepo *r,
			 const git_oid *id)
{
	git_tree *tree;
	size_t count;

	*out = NULL;
	*n = 0;
	if (git_tree_lookup(&tree, r->repo, id) < 0)
		return git_fail("cannot read a tree");
	count = git_tree_entrycount(tree);
	if (!(*out = calloc(count + 1, sizeof(**out)))) {
		git_tree_free(tree);
		return err_nomem();
	}
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		struct gitrepo_entry *e = &(*out)[*n];

		if (!(e->name = strdup(git_tree_entry_name(te)))) {
			git_tree_free(tree);
			gitrepo_entries_free(*out, *n);
			*out = NULL;
			*n = 0;
			return err_nomem();
		}
		e->kind = kind_of(te);
		git_oid_cpy(&e->id, git_tree_entry_id(te));
		(*n)++;
	}
	git_tree_free(tree);
	return 0;
}

void gitrepo_entries_free(struct gitrepo_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

int gitrepo_tree_find(struct gitrepo_entry *out, struct gitrepo *r, const git_oid *id,
		      const char *path)
{
	git_tree_entry *te;
	git_tree *tree;
	int rc;

	memset(out, 0, sizeof(*out));
	if (git_tree_lookup(&tree, r->repo, id) < 0)
		return git_fail("cannot read a tree");
	rc = git_tree_entry_bypath(&te, tree, path);
	git_tree_free(tree);
	if (rc == GIT_ENOTFOUND)
		return err_code_set(ERR_NOTFOUND, "'%s' is not in the revision", path);
	if (rc < 0)
		return git_fail("cannot read a tree");
	out->kind = kind_of(te);
	git_oid_cpy(&out->id, git_tree_entry_id(te));
	git_tree_entry_free(te);
	return 0;
}

int gitrepo_blob_open(struct gitrepo_blob *out, struct gitrepo *r, const git_oid *id,
		      const char *what)
{
	memset(out, 0, sizeof(*out));
	if (git_blob_lookup(&out->obj, r->repo, id) < 0)
		return git_fail(what);
	out->data = git_blob_rawcontent(out->obj);
	out->len = (size_t)git_blob_rawsize(out->obj);
	return 0;
}

void gitrepo_blob_release(struct gitrepo_blob *b)
{
	git_blob_free(b->obj);
	memset(b, 0, sizeof(*b));
}
