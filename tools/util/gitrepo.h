#ifndef PINNED_GITREPO_H
#define PINNED_GITREPO_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Read access to a git repository through libgit2: open the repository
 * holding a directory, resolve a revision once to a commit, list trees and
 * read blobs from the object database. Nothing here touches the work tree
 * or any git configuration.
 */
struct gitrepo;

/* A commit, resolved once: what the record names and what is read from. */
struct gitrepo_commit {
	char id[GIT_OID_HEXSZ + 1];	/* hex */
	int64_t time;			/* commit time, seconds since the epoch */
	git_oid tree;			/* its root tree */
};

enum gitrepo_kind { GITREPO_FILE, GITREPO_EXEC, GITREPO_LINK, GITREPO_TREE, GITREPO_SUBMODULE };

struct gitrepo_entry {
	char *name;
	enum gitrepo_kind kind;
	git_oid id;
};

/* A blob's bytes, valid until gitrepo_blob_release(). */
struct gitrepo_blob {
	const void *data;
	size_t len;
	git_blob *obj;
};

/*
 * Open the repository holding 'dir'. Returns 0, ERR_NOTFOUND when 'dir' is
 * in none, or another negative code. Free with gitrepo_free(); accepts NULL.
 */
int gitrepo_open(struct gitrepo **out, const char *dir);
void gitrepo_free(struct gitrepo *repo);

/* Resolve 'rev' (any revision git accepts) to its commit. Returns 0,
 * ERR_NOTFOUND for an unknown revision, or another negative code. */
int gitrepo_resolve(struct gitrepo_commit *out, struct gitrepo *repo, const char *rev);

/* The path of directory 'dir' inside the work tree ("" at its top), in a new
 * string. A bare repository or a 'dir' outside it is an error. */
int gitrepo_prefix(char **out, struct gitrepo *repo, const char *dir);

/* The tree at 'path' ("" for 'root' itself) below tree 'root'. Returns 0,
 * or ERR_NOTFOUND when it is not a directory there. */
int gitrepo_subtree(git_oid *out, struct gitrepo *repo, const git_oid *root, const char *path);

/* The entries of tree 'tree', in the tree's order (caller frees with
 * gitrepo_entries_free()). */
int gitrepo_tree_entries(struct gitrepo_entry **out, size_t *n, struct gitrepo *repo,
			 const git_oid *tree);
void gitrepo_entries_free(struct gitrepo_entry *entries, size_t n);

/* Look 'path' ("a/b/c") up below tree 'tree'; links are not followed.
 * Returns 0, or ERR_NOTFOUND. */
int gitrepo_tree_find(struct gitrepo_entry *out, struct gitrepo *repo, const git_oid *tree,
		      const char *path);

/* Read blob 'id'; 'what' names it in messages. Returns 0, or a negative code. */
int gitrepo_blob_open(struct gitrepo_blob *out, struct gitrepo *repo, const git_oid *id,
		      const char *what);
void gitrepo_blob_release(struct gitrepo_blob *blob);

#endif
