/* cb_fs.h - files and paths. Every output goes through an atomic write:
 * a temporary file in the same directory, fsync, then rename, so a reader
 * sees either the old file, the complete new one, or nothing. */
#ifndef CB_FS_H
#define CB_FS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

#define CB_PATH_MAX 4096

/* mkdir -p. */
cb_status cb_mkdirs(const char *path);
int cb_path_exists(const char *path);
int cb_path_is_dir(const char *path);
/* out = a + "/" + b (b absolute: out = b). */
cb_status cb_path_join(char *out, size_t n, const char *a, const char *b);
/* Directory part of path ("." when none). */
void cb_path_dirname(const char *path, char *out, size_t n);
/* Name of a temporary sibling of `final`: "<dir>/.<base>.tmp.<pid>". */
cb_status cb_path_temp(const char *final, char *out, size_t n);
/* fsync + rename(tmp, final); removes tmp on failure. */
cb_status cb_file_commit(const char *tmp, const char *final);
/* Writes `n` bytes to `path` atomically (parent directories created). */
cb_status cb_file_write_atomic(const char *path, const void *data, size_t n);
/* Creates (or truncates) `path` and reserves `bytes` of disk blocks for it
 * without changing its size (fallocate FALLOC_FL_KEEP_SIZE), so that later
 * writes inside [0, bytes) cannot fail for lack of space: a full disk (or
 * quota) is reported here, before anything is written, as "FINAL: no space
 * left on device (needs N MB, M MB free in DIR)". Where the file system
 * cannot reserve (EOPNOTSUPP), only the free space reported by statvfs is
 * checked. On failure `path` is removed. `final` names the file in messages. */
cb_status cb_file_reserve(const char *path, const char *final, uint64_t bytes);
/* Gives back the blocks of the `bytes` reserved that lie beyond the end of
 * `path` (best effort). */
void cb_file_unreserve(const char *path, uint64_t bytes);
/* Reads a whole file; *out is NUL-terminated, the caller frees it. */
cb_status cb_file_read_all(const char *path, char **out, size_t *n);

#endif
