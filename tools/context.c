#include "context.h"
#include "error.h"
#include "fileio.h"
#include "grow.h"
#include "ignore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind { KIND_FILE, KIND_DIR, KIND_LINK, KIND_SUBMODULE, KIND_OTHER };

/* One name in a directory being walked. */
struct child {
	char *key;		/* the name, with '/' appended for a directory */
	size_t namelen;		/* its length without that '/' */
	enum kind kind;
	const git_tree_entry *tree_entry;	/* when walking a revision */
};

struct walker {
	const struct context_opts *opts;
	struct ignore *ignore;
	context_emit_fn emit;
	void *arg;
	char *path;		/* archive path of what is being looked at */
	size_t len, alloc;
	size_t *pending;	/* directories entered but not yet emitted: */
	size_t npending;	/* the length of each one's path, with its '/' */
	size_t pending_alloc;
	git_repository *repo;
};

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return err_set("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

/* ---- paths and order ----------------------------------------------------- */

/* Set the walker's path to its first 'at' bytes followed by 'name'. */
static int path_set(struct walker *w, size_t at, const char *name, size_t n)
{
	if (at + n + 2 > w->alloc) {
		size_t alloc = w->alloc ? w->alloc : 256;
		char *p;

		while (alloc < at + n + 2)
			alloc *= 2;
		if (!(p = realloc(w->path, alloc)))
			return err_nomem();
		w->path = p;
		w->alloc = alloc;
	}
	memcpy(w->path + at, name, n);
	w->len = at + n;
	w->path[w->len] = '\0';
	return 0;
}

static int child_compare(const void *a, const void *b)
{
	return strcmp(((const struct child *)a)->key, ((const struct child *)b)->key);
}

static int child_add(struct child **list, size_t *n, size_t *alloc,
		     const char *name, size_t namelen, enum kind kind)
{
	struct child *c;
	int dir = kind == KIND_DIR || kind == KIND_SUBMODULE;

	if (GROW(*list, *n, *alloc) < 0)
		return -1;
	c = &(*list)[*n];
	if (!(c->key = malloc(namelen + 2)))
		return err_nomem();
	memcpy(c->key, name, namelen);
	c->key[namelen] = '/';
	c->key[namelen + dir] = '\0';
	c->namelen = namelen;
	c->kind = kind;
	c->tree_entry = NULL;
	(*n)++;
	return 0;
}

static void children_free(struct child *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].key);
	free(list);
}

/* ---- what goes in -------------------------------------------------------- */

enum decision { SKIP, INCLUDE, WALK_ONLY };

/* Decide on the walker's current path (no trailing '/'). */
static enum decision decide(struct walker *w, int dir)
{
	if (!ignore_excluded(w->ignore, w->path))
		return INCLUDE;
	if (dir && ignore_may_include_below(w->ignore, w->path))
		return WALK_ONLY;
	return SKIP;
}

/* Emit the directories we walked into without including them: the parents
 * of something that an exception brought back. */
static int emit_pending(struct walker *w)
{
	for (size_t i = 0; i < w->npending; i++) {
		size_t at = w->pending[i];
		char saved = w->path[at];
		struct entry e = { w->path, ENTRY_DIR, 0755, 0, NULL };
		int rc;

		w->path[at] = '\0';
		rc = w->emit(w->arg, &e, -1, NULL);
		w->path[at] = saved;
		if (rc < 0)
			return -1;
	}
	w->npending = 0;
	return 0;
}

static int emit_entry(struct walker *w, const struct entry *e, int fd, const void *data)
{
	if (w->npending && emit_pending(w) < 0)
		return -1;
	return w->emit(w->arg, e, fd, data);
}

/*
 * Enter the directory at the walker's path: emit it (INCLUDE) or remember it
 * (WALK_ONLY), and add its '/'. Returns the pending depth to leave() with.
 */
static int enter(struct walker *w, enum decision d, size_t *mark)
{
	if (path_set(w, w->len, "/", 1) < 0)
		return -1;
	*mark = w->npending;
	if (d == INCLUDE) {
		struct entry e = { w->path, ENTRY_DIR, 0755, 0, NULL };

		return emit_entry(w, &e, -1, NULL);
	}
	if (GROW(w->pending, w->npending, w->pending_alloc) < 0)
		return -1;
	w->pending[w->npending++] = w->len;
	return 0;
}

/* Leave a directory: forget it if nothing inside it was included. */
static void leave(struct walker *w, size_t mark)
{
	if (w->npending > mark)
		w->npending = mark;
}

/* ---- the working tree ---------------------------------------------------- */

static const char *kind_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file, directory or symbolic link";
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int fs_file(struct walker *w, int dirfd, const char *name)
{
	struct stat before, after;
	int fd, rc = -1;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_errno("cannot open '%s'", w->path);
	if (fstat(fd, &before) < 0) {
		err_errno("cannot stat '%s'", w->path);
		goto done;
	}
	if (!S_ISREG(before.st_mode)) {
		err_set("'%s' changed while it was archived: it is no longer a regular file", w->path);
		goto done;
	}
	for (int i = 0; i < w->opts->nskip; i++) {
		if (before.st_dev == w->opts->skip[i].dev &&
		    before.st_ino == w->opts->skip[i].ino) {
			rc = 0;
			goto done;
		}
	}
	{
		struct entry e = { w->path, ENTRY_FILE,
				   before.st_mode & S_IXUSR ? 0755 : 0644,
				   (uint64_t)before.st_size, NULL };

		if (emit_entry(w, &e, fd, NULL) < 0)
			goto done;
	}
	if (fstat(fd, &after) < 0) {
		err_errno("cannot stat '%s'", w->path);
		goto done;
	}
	if (!same_file(&before, &after)) {
		err_set("'%s' changed while it was archived%s", w->path,
			after.st_size > before.st_size ? ": it grew" :
			after.st_size < before.st_size ? ": it shrank" : "");
		goto done;
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

static int fs_link(struct walker *w, int dirfd, const char *name)
{
	size_t size = 256;
	char *target = NULL;
	ssize_t n;
	int rc;

	for (;;) {
		char *t = realloc(target, size);

		if (!t) {
			free(target);
			return err_nomem();
		}
		target = t;
		n = readlinkat(dirfd, name, target, size);
		if (n < 0) {
			free(target);
			return err_errno("cannot read link '%s'", w->path);
		}
		if ((size_t)n < size)
			break;
		size *= 2;
	}
	target[n] = '\0';
	{
		struct entry e = { w->path, ENTRY_SYMLINK, 0777, 0, target };

		rc = emit_entry(w, &e, -1, NULL);
	}
	free(target);
	return rc;
}

static enum kind kind_of(int dirfd, struct dirent *d, mode_t *mode)
{
	struct stat st;

	*mode = 0;
	switch (d->d_type) {
	case DT_REG: return KIND_FILE;
	case DT_DIR: return KIND_DIR;
	case DT_LNK: return KIND_LINK;
	case DT_UNKNOWN: break;
	default: return KIND_OTHER;
	}
	if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return KIND_OTHER;
	*mode = st.st_mode;
	if (S_ISREG(st.st_mode))
		return KIND_FILE;
	if (S_ISDIR(st.st_mode))
		return KIND_DIR;
	if (S_ISLNK(st.st_mode))
		return KIND_LINK;
	return KIND_OTHER;
}

/* Read the names in 'dirfd' (which stays open), sorted. */
static int fs_list(struct walker *w, int dirfd, struct child **out, size_t *n)
{
	size_t alloc = 0;
	struct dirent *d;
	DIR *dir;
	int fd = dup(dirfd);

	*out = NULL;
	*n = 0;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		err_errno("cannot read directory '%s'", w->len ? w->path : ".");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = 0;
	while ((d = readdir(dir))) {
		mode_t mode;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (child_add(out, n, &alloc, d->d_name, strlen(d->d_name),
			      kind_of(dirfd, d, &mode)) < 0)
			goto fail;
		errno = 0;
	}
	if (errno) {
		err_errno("cannot read directory '%s'", w->len ? w->path : ".");
		goto fail;
	}
	closedir(dir);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), child_compare);
	return 0;
fail:
	closedir(dir);
	children_free(*out, *n);
	*out = NULL;
	return -1;
}

static int fs_walk(struct walker *w, int dirfd)
{
	struct child *list;
	size_t n, base = w->len, mark;
	int rc = -1;

	if (fs_list(w, dirfd, &list, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct child *c = &list[i];
		enum decision d;

		if (path_set(w, base, c->key, c->namelen) < 0)
			goto done;
		if ((d = decide(w, c->kind == KIND_DIR)) == SKIP)
			continue;
		if (c->kind == KIND_FILE) {
			if (fs_file(w, dirfd, c->key) < 0)
				goto done;
		} else if (c->kind == KIND_LINK) {
			if (fs_link(w, dirfd, c->key) < 0)
				goto done;
		} else if (c->kind == KIND_DIR) {
			int sub = openat(dirfd, c->key, O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);
			/* c->key still ends in '/'; openat accepts that */

			if (sub < 0) {
				err_errno("cannot open directory '%s'", w->path);
				goto done;
			}
			if (enter(w, d, &mark) < 0 || fs_walk(w, sub) < 0) {
				close(sub);
				goto done;
			}
			close(sub);
			leave(w, mark);
		} else {
			struct stat st;

			if (fstatat(dirfd, c->key, &st, AT_SYMLINK_NOFOLLOW) < 0)
				err_errno("cannot stat '%s'", w->path);
			else
				err_set("cannot archive '%s': it is %s", w->path,
					kind_name(st.st_mode));
			goto done;
		}
	}
	rc = 0;
done:
	children_free(list, n);
	w->len = base;
	return rc;
}

/* ---- a git revision ------------------------------------------------------ */

/* Open the repository holding 'root'. With 'required' unset, no repository
 * is not an error: '*out' is then NULL. */
static int open_repo(git_repository **out, const char *root, int required)
{
	int rc = git_repository_open_ext(out, root, 0, NULL);

	if (rc == GIT_ENOTFOUND && !required) {
		*out = NULL;
		return 0;
	}
	if (rc == GIT_ENOTFOUND) {
		char real[PATH_MAX];

		return err_set("--rev needs a git repository, and '%s' is not in one",
			       realpath(root, real) ? real : root);
	}
	if (rc < 0)
		return git_fail("cannot open the git repository");
	return 0;
}

static int git_file(struct walker *w, const git_tree_entry *te, int exec)
{
	git_blob *blob;
	int rc;

	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(te)) < 0)
		return git_fail(w->path);
	{
		struct entry e = { w->path, ENTRY_FILE, exec ? 0755 : 0644,
				   (uint64_t)git_blob_rawsize(blob), NULL };

		rc = emit_entry(w, &e, -1, git_blob_rawcontent(blob));
	}
	git_blob_free(blob);
	return rc;
}

static int git_link(struct walker *w, const git_tree_entry *te)
{
	git_blob *blob;
	char *target;
	size_t size;
	int rc;

	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(te)) < 0)
		return git_fail(w->path);
	size = (size_t)git_blob_rawsize(blob);
	if (!(target = malloc(size + 1))) {
		git_blob_free(blob);
		return err_nomem();
	}
	memcpy(target, git_blob_rawcontent(blob), size);
	target[size] = '\0';
	git_blob_free(blob);
	if (strlen(target) != size) {
		free(target);
		return err_set("cannot archive link '%s': its target holds a NUL byte", w->path);
	}
	{
		struct entry e = { w->path, ENTRY_SYMLINK, 0777, 0, target };

		rc = emit_entry(w, &e, -1, NULL);
	}
	free(target);
	return rc;
}

static enum kind git_kind(const git_tree_entry *te)
{
	switch (git_tree_entry_filemode(te)) {
	case GIT_FILEMODE_TREE: return KIND_DIR;
	case GIT_FILEMODE_LINK: return KIND_LINK;
	case GIT_FILEMODE_COMMIT: return KIND_SUBMODULE;
	default: return KIND_FILE;
	}
}

static int git_walk(struct walker *w, const git_tree *tree)
{
	size_t count = git_tree_entrycount(tree), n = 0, alloc = 0, base = w->len, mark;
	struct child *list = NULL;
	int rc = -1;

	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(te);

		if (child_add(&list, &n, &alloc, name, strlen(name), git_kind(te)) < 0)
			goto done;
		list[n - 1].tree_entry = te;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), child_compare);
	for (size_t i = 0; i < n; i++) {
		struct child *c = &list[i];
		enum decision d;

		if (path_set(w, base, c->key, c->namelen) < 0)
			goto done;
		if ((d = decide(w, c->kind == KIND_DIR || c->kind == KIND_SUBMODULE)) == SKIP)
			continue;
		if (c->kind == KIND_FILE) {
			if (git_file(w, c->tree_entry, git_tree_entry_filemode(c->tree_entry) ==
						      GIT_FILEMODE_BLOB_EXECUTABLE) < 0)
				goto done;
		} else if (c->kind == KIND_LINK) {
			if (git_link(w, c->tree_entry) < 0)
				goto done;
		} else if (c->kind == KIND_SUBMODULE) {
			/* like git archive: a submodule is an empty directory */
			if (d == INCLUDE && enter(w, d, &mark) < 0)
				goto done;
		} else {
			git_tree *sub;

			if (git_tree_lookup(&sub, w->repo, git_tree_entry_id(c->tree_entry)) < 0) {
				git_fail(w->path);
				goto done;
			}
			if (enter(w, d, &mark) < 0 || git_walk(w, sub) < 0) {
				git_tree_free(sub);
				goto done;
			}
			git_tree_free(sub);
			leave(w, mark);
		}
	}
	rc = 0;
done:
	children_free(list, n);
	w->len = base;
	return rc;
}

/* The path of 'root' inside the work tree of 'repo', "" at its top. */
static int repo_prefix(char **out, git_repository *repo, const char *root)
{
	const char *workdir = git_repository_workdir(repo);
	char real_root[PATH_MAX], real_work[PATH_MAX];
	size_t n;

	*out = NULL;
	if (!workdir)
		return err_set("--rev needs a repository with a work tree");
	if (!realpath(root, real_root) || !realpath(workdir, real_work))
		return err_errno("cannot resolve '%s'", root);
	n = strlen(real_work);
	if (strncmp(real_root, real_work, n) ||
	    (real_root[n] != '/' && real_root[n] != '\0'))
		return err_set("'%s' is outside the work tree '%s'", root, real_work);
	*out = strdup(real_root[n] ? real_root + n + 1 : "");
	return *out ? 0 : err_nomem();
}

/* The tree of the context at opts->rev. */
static int rev_tree(git_tree **out, git_repository *repo,
		    const struct context_opts *opts)
{
	git_object *obj = NULL, *peeled = NULL;
	git_tree_entry *te = NULL;
	char *prefix = NULL;
	int rc = -1;

	*out = NULL;
	if (git_revparse_single(&obj, repo, opts->rev) < 0) {
		err_set("unknown revision '%s'", opts->rev);
		goto done;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_TREE) < 0) {
		git_fail(opts->rev);
		goto done;
	}
	if (repo_prefix(&prefix, repo, opts->root) < 0)
		goto done;
	if (!*prefix) {
		*out = (git_tree *)peeled;
		peeled = NULL;
		rc = 0;
		goto done;
	}
	if (git_tree_entry_bypath(&te, (git_tree *)peeled, prefix) < 0 ||
	    git_tree_entry_type(te) != GIT_OBJECT_TREE) {
		err_set("'%s' is not a directory in revision '%s'", prefix, opts->rev);
		goto done;
	}
	if (git_tree_lookup(out, repo, git_tree_entry_id(te)) < 0) {
		git_fail(prefix);
		goto done;
	}
	rc = 0;
done:
	git_tree_entry_free(te);
	free(prefix);
	git_object_free(peeled);
	git_object_free(obj);
	return rc;
}

/* Read 'name' at the top of the tree 'tree'; ENOENT when it is not a file there. */
static int git_read(char **out, size_t *len, git_repository *repo,
		    const git_tree *tree, const char *name)
{
	const git_tree_entry *te = git_tree_entry_byname(tree, name);
	git_blob *blob;

	*out = NULL;
	if (!te || git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		errno = ENOENT;
		return err_set("cannot open '%s': not in revision", name);
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0)
		return git_fail(name);
	*len = (size_t)git_blob_rawsize(blob);
	if ((*out = malloc(*len + 1))) {
		memcpy(*out, git_blob_rawcontent(blob), *len);
		(*out)[*len] = '\0';
	}
	git_blob_free(blob);
	return *out ? 0 : err_nomem();
}

/* Read the context's .dockerignore, if there is one, and keep the build files. */
static int read_ignore(struct walker *w, int dirfd, const git_tree *tree)
{
	const char *dockerfile = w->opts->dockerfile ? w->opts->dockerfile : "Dockerfile";
	char *text;
	size_t len;
	int rc;

	rc = tree ? git_read(&text, &len, w->repo, tree, ".dockerignore") :
		    file_read_at(&text, &len, dirfd, ".dockerignore");
	if (rc < 0 && errno != ENOENT)
		return -1;
	if (rc < 0)
		rc = (w->ignore = ignore_empty()) ? 0 : err_nomem();
	else
		rc = ignore_parse(&w->ignore, text, len, ".dockerignore");
	free(text);
	if (rc < 0 || ignore_keep(w->ignore, ".dockerignore") < 0)
		return -1;
	return ignore_keep(w->ignore, dockerfile);
}

/* ---- both ---------------------------------------------------------------- */

int context_walk(const struct context_opts *opts, context_emit_fn emit, void *arg)
{
	struct walker w = { .opts = opts, .emit = emit, .arg = arg };
	git_tree *tree = NULL;
	int dirfd = -1, rc = -1;

	if (path_set(&w, 0, "", 0) < 0)
		goto done;
	if (opts->rev) {
		git_libgit2_init();
		if (open_repo(&w.repo, opts->root, 1) < 0 || rev_tree(&tree, w.repo, opts) < 0 ||
		    read_ignore(&w, -1, tree) < 0)
			goto done;
		rc = git_walk(&w, tree);
		goto done;
	}
	dirfd = open(opts->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		err_errno("cannot open context directory '%s'", opts->root);
		goto done;
	}
	if (read_ignore(&w, dirfd, NULL) < 0)
		goto done;
	rc = fs_walk(&w, dirfd);
done:
	if (dirfd >= 0)
		close(dirfd);
	git_tree_free(tree);
	git_repository_free(w.repo);
	ignore_free(w.ignore);
	free(w.path);
	free(w.pending);
	if (opts->rev)
		git_libgit2_shutdown();
	return rc;
}

int context_read(char **out, size_t *len, const struct context_opts *opts,
		 const char *name)
{
	git_repository *repo = NULL;
	git_tree *tree = NULL;
	char *path;
	int rc = -1;

	*out = NULL;
	if (!opts->rev) {
		if (asprintf(&path, "%s/%s", opts->root, name) < 0)
			return err_nomem();
		rc = file_read_at(out, len, AT_FDCWD, path);
		if (rc < 0)
			err_errno("cannot read '%s'", name);
		free(path);
		return rc;
	}
	git_libgit2_init();
	if (open_repo(&repo, opts->root, 1) == 0 && rev_tree(&tree, repo, opts) == 0)
		rc = git_read(out, len, repo, tree, name);
	git_tree_free(tree);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

static int parse_epoch(int64_t *out, const char *s)
{
	int64_t v = 0;

	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return err_set("invalid SOURCE_DATE_EPOCH '%s': not a non-negative integer of seconds", s);
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

int context_mtime(int64_t *out, const struct context_opts *opts)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	git_repository *repo = NULL;
	git_object *obj = NULL, *commit = NULL;
	int rc = -1, gitrc;

	*out = 0;
	if (env && *env)
		return parse_epoch(out, env);
	git_libgit2_init();
	if (open_repo(&repo, opts->root, opts->rev != NULL) < 0)
		goto done;
	if (!repo) {
		rc = 0;
		goto done;
	}
	gitrc = git_revparse_single(&obj, repo, opts->rev ? opts->rev : "HEAD");
	if (gitrc < 0 && !opts->rev) {
		rc = 0;	/* no commit yet */
		goto done;
	}
	if (gitrc < 0) {
		err_set("unknown revision '%s'", opts->rev);
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		git_time_t t = git_commit_time((git_commit *)commit);

		if (t < 0) {
			err_set("commit time of '%s' is before 1970", opts->rev ? opts->rev : "HEAD");
			goto done;
		}
		*out = t;
	}
	rc = 0;
done:
	git_object_free(commit);
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
