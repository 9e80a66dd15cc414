/* cb_stimuli.h - stimulus sets in BrainIO's CSV form.
 *
 * The CSV has a header row; the columns stimulus_id (legacy name: image_id)
 * and filename are required, every other column is kept as string metadata.
 * Quoting follows RFC 4180: fields may be enclosed in double quotes, inside
 * which commas, newlines and doubled quotes ("") are literal. A UTF-8 BOM and
 * CRLF line ends are accepted; blank lines are skipped.
 *
 * Files are resolved relative to base_dir, by default the directory holding
 * the CSV. Filenames must be relative and must not leave base_dir via "..".
 *
 * Zipped sets (BrainIO ships each stimulus set as <name>.csv + <name>.zip):
 * when a zip with the CSV's base name sits beside it (stimuli.csv ->
 * stimuli.zip), or one is given to cb_stimulus_set_read_zip, files are read
 * from the zip in memory, never extracted. A filename is looked up in the zip
 * as written, or under the zip's single top-level directory (cb_zip.h).
 * Reading fails when the zip is corrupt, has an entry that escapes its root,
 * or lacks a file the CSV lists (the message names the zip and the file).
 * Use cb_stimulus_set_file_bytes (or cb_image_read_stimulus, src/input) to read a
 * stimulus whichever the storage.
 */
#ifndef CB_STIMULI_H
#define CB_STIMULI_H

#include <stddef.h>
#include <stdint.h>

#include "cb_modality.h"
#include "cb_status.h"

typedef struct cb_stimulus_set {
  char *path;         /* the CSV (NULL for a set built in memory) */
  char *base_dir;     /* directory files are resolved against */
  int n;              /* stimuli */
  char **stimulus_id; /* (n) */
  char **filename;    /* (n) as written in the CSV */
  int n_meta;
  char **meta_names; /* (n_meta) other columns, in CSV order */
  char **meta;       /* (n, n_meta) row-major values */
  char *zip_path;     /* the zip files are read from, NULL when from base_dir */
  struct cb_zip *zip; /* open handle on zip_path (not thread-safe) */
  cb_modality modality; /* of its files (the reader checks they are all of one kind) or declared; UNSET for a set
                           built in memory until declared: read it with cb_stimulus_set_modality */
} cb_stimulus_set;

/* Reads and validates a stimulus CSV (and its zip, when one sits beside it).
 * Errors name the file (and the line); so does a set whose files mix images
 * and sounds (one set holds one modality). */
cb_status cb_stimulus_set_read(const char *csv_path, cb_stimulus_set **out);
/* Same, with files read from `zip_path` (NULL: look beside the CSV as above). */
cb_status cb_stimulus_set_read_zip(const char *csv_path, const char *zip_path, cb_stimulus_set **out);
/* The bytes of stimulus i's file, from the zip or from base_dir; *data is
 * malloc'ed (caller frees) and written only on success. */
cb_status cb_stimulus_set_file_bytes(const cb_stimulus_set *s, int i, uint8_t **data, size_t *n);
/* Writes the header "stimulus_id,filename,<meta...>" and one row per
 * stimulus, quoting fields when needed; atomic (temp file + rename). */
cb_status cb_stimulus_set_write(const char *csv_path, const cb_stimulus_set *s);
/* Empty set of n stimuli with the given metadata columns (names copied).
 * All string slots are NULL: fill them with cb_strdup. base_dir is ".". */
cb_status cb_stimulus_set_create(int n, int n_meta, const char *const *meta_names, cb_stimulus_set **out);
/* The set's modality: declared (cb_stimulus_set_declare), or read from its files (CSV sets: all of one kind, or
 * the reader refused the file), or for a set built in memory the kind of its first file. */
cb_modality cb_stimulus_set_modality(const cb_stimulus_set *s);
/* Declares the set's modality (UNSET: nothing to declare); every file must be of that kind, else CB_ERR_FORMAT
 * "WHO: declared audio, but stimulus 'ID' of SET.csv is visual ('x.png')". */
cb_status cb_stimulus_set_declare(cb_stimulus_set *s, cb_modality m, const char *who);
/* Value of metadata `column` for stimulus i; NULL if no such column or i out of range. */
const char *cb_stimulus_set_meta(const cb_stimulus_set *s, int i, const char *column);
/* Index of a stimulus id, -1 when absent (linear search). */
int cb_stimulus_set_find(const cb_stimulus_set *s, const char *stimulus_id);
/* Full path of stimulus i's file: base_dir joined with its filename. For a
 * zipped set this path does not exist on disk: CB_ERR_UNSUPPORTED (read
 * with cb_stimulus_set_file_bytes instead). */
cb_status cb_stimulus_set_file_path(const cb_stimulus_set *s, int i, char *out, size_t n);
void cb_stimulus_set_destroy(cb_stimulus_set **s);

#endif
