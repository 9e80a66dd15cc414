/* cb_archive.h - unpacking downloaded archives (.tar, .tar.gz, .tgz, and
 * whatever else libarchive recognises) into a directory.
 *
 * Only regular files and directories are written; every member name must be
 * a safe relative path (cb_manifest_name_ok: no absolute paths, no "..",
 * no empty components), anything else (symlinks, devices, unsafe names)
 * is an error naming the archive and the member. The archive is unpacked
 * into a temporary sibling of `dest` which is renamed to `dest` only when
 * every member was written: `dest` never holds a partial unpacking (an
 * existing `dest` is replaced). */
#ifndef CB_ARCHIVE_H
#define CB_ARCHIVE_H

#include <stdint.h>

#include "cb_status.h"

/* *n_files (may be NULL) receives the number of regular files written. */
cb_status cb_archive_extract(const char *archive, const char *dest, int *n_files);

#endif
