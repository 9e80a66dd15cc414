/* cb_zip.h - read-only access to the files of a zip archive (libzip), for
 * BrainIO stimulus sets whose files ship as <csv base name>.zip.
 *
 * Opening checks the archive's central directory (libzip ZIP_CHECKCONS) and
 * every entry name: names that are absolute ("/x", "C:..."), contain a
 * backslash, or leave the archive root through ".." are rejected, so no
 * entry can escape a directory it would be extracted into. Entries are read
 * into memory; libzip verifies each entry's CRC-32 while reading, so a
 * damaged entry is an error, not silently wrong bytes.
 *
 * Lookup accepts the exact name, or the name under one leading directory
 * when every file of the archive sits in that same single top-level
 * directory (zips made by zipping a folder: "stimuli/a.png" found as "a.png").
 * Not thread-safe: one cb_zip per thread.
 */
#ifndef CB_ZIP_H
#define CB_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

typedef struct cb_zip cb_zip;

/* Opens and validates an archive. Errors name the zip. */
cb_status cb_zip_open(const char *path, cb_zip **out);
/* Number of entries (directories included). */
int64_t cb_zip_count(const cb_zip *z);
/* Name of entry i as stored, NULL when out of range. */
const char *cb_zip_entry_name(const cb_zip *z, int64_t i);
/* The single top-level directory holding every file ("" when none). */
const char *cb_zip_prefix(const cb_zip *z);
/* 1 when `name` resolves to a file entry (see lookup rule above). */
int cb_zip_has(const cb_zip *z, const char *name);
/* Reads the whole entry `name`; *data is malloc'ed (caller frees, one extra
 * NUL byte after the n bytes) and written only on success. Errors name the
 * zip and the entry (missing, damaged, too large). */
cb_status cb_zip_read(cb_zip *z, const char *name, uint8_t **data, size_t *n);
void cb_zip_destroy(cb_zip **z);

#endif
