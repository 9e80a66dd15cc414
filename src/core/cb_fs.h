/* cb_fs.h - files and paths. Every output goes through an atomic write:
 * a temporary file in the same directory, fsync, then rename, so a reader
 * sees either the old file, the complete new one, or nothing.
 *
 * Every input goes through one policy (docs/robustness.md, "Inputs"): it
 * must be a regular file. A FIFO would block the open or the read forever,
 * a device such as /dev/zero never ends, a directory reads as nothing. The
 * path is checked with stat before anything opens it, opened with
 * O_NONBLOCK (an open of a FIFO cannot block) and checked again with fstat
 * (the file opened is the file checked); anything else is CB_ERR_IO
 * "PATH: not a regular file (a FIFO)". Libraries that open files by path
 * themselves (HDF5, libzip) get the stat check first. Whole-file reads stop
 * at CB_FILE_READ_MAX bytes. */
#ifndef CB_FS_H
#define CB_FS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* Writes all n bytes to fd (retrying short writes and EINTR): 0, or -1 with errno set. */
int cb_fd_write_all(int fd, const void *p, size_t n);
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
/* Largest file read whole into memory (configs, CSVs, images, ONNX models,
 * .npy/.mat files): 2 GiB, protobuf's own limit for an ONNX model. */
#define CB_FILE_READ_MAX ((uint64_t)2 << 30)

/* CB_OK when `path` is a regular file (symbolic links followed); else
 * CB_ERR_IO: "PATH: cannot open (REASON)" or "PATH: not a regular file (a
 * FIFO)" (a directory, a character device, ...). For readers that hand the
 * path to a library that opens it. */
cb_status cb_file_check_regular(const char *path);
/* Opens a regular file read-only (close-on-exec) under the policy above;
 * *fd (blocking mode) and *size (bytes, may be NULL) written on success. */
cb_status cb_file_open_read(const char *path, int *fd, uint64_t *size);
/* The same as a stdio stream ("rb"). */
cb_status cb_file_fopen_read(const char *path, FILE **out);
/* Reads a whole regular file of at most CB_FILE_READ_MAX bytes; *out is
 * NUL-terminated (not counted in *n), the caller frees it. Files over
 * 64 MiB are also checked against the memory available (cb_mem.h). */
cb_status cb_file_read_all(const char *path, char **out, size_t *n);
/* Same, with a smaller limit `max` (bytes). */
cb_status cb_file_read_max(const char *path, uint64_t max, char **out, size_t *n);

#endif
