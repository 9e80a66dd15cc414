/* cb_manifest.h - dataset manifests (datasets/<id>.ini, read with libinih).
 *
 *   [dataset]               id (= file stem), title, license, citation, source,
 *                           base_url (optional prefix of relative file URLs),
 *                           verified (true: every checksum was checked against
 *                           the bytes by us; false: copied from the publisher)
 *   [file]                  one per file, starting with name = the path inside
 *                           the dataset folder (may contain '/', never '..');
 *                           url (absolute, or relative to base_url; absent for
 *                           files made by us, which only a mirror can provide),
 *                           size (bytes; optional when verified = false),
 *                           sha256 or sha1 (hex), origin (upstream|conversion),
 *                           note
 *   [stimulus_set ID]       recipe entries: how the files become BrainIO
 *   [assembly ID]           stimulus sets, assemblies and RDMs. Keys: from
 *   [rdm ID]                (input files), file / csv / zip (ready-made
 *                           outputs, if listed), stimulus_set, kind, recipe,
 *                           note. Every file a recipe names must be listed.
 *
 * (A file is a [file] section with a name key, not [file NAME]: libinih cuts
 * section names at 49 characters.) Lines are at most 199 characters (libinih);
 * text values may continue on indented lines (joined with a space). Unknown
 * sections and keys, duplicate files, unsafe names and malformed checksums
 * are errors naming the file, section and key. Format: docs/formats.md.
 */
#ifndef CB_MANIFEST_H
#define CB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cb_sha.h"
#include "cb_status.h"

typedef struct cb_manifest_file {
  char *name;          /* path inside the dataset folder, e.g. "wav/stim1.wav" */
  char *url;           /* resolved upstream URL, or NULL (mirror only) */
  int64_t size;        /* bytes; -1 when unknown */
  cb_hash_kind hash;   /* which digest `digest` is */
  char *digest;        /* lower-case hex */
  char *origin;        /* "upstream" or "conversion" */
  char *note;          /* or NULL */
} cb_manifest_file;

typedef struct cb_manifest_recipe {
  char *kind;          /* "stimulus_set", "assembly" or "rdm" */
  char *id;            /* identifier of what it makes */
  int n;               /* number of key = value pairs */
  char **keys;         /* (n) in file order */
  char **values;       /* (n) */
} cb_manifest_recipe;

typedef struct cb_manifest {
  char *path;          /* the .ini it was read from */
  char *id, *title, *license, *citation, *source, *base_url;
  int verified;
  int n_files;
  cb_manifest_file *files;       /* (n_files) in file order */
  int n_recipes;
  cb_manifest_recipe *recipes;   /* (n_recipes) in file order */
} cb_manifest;

cb_status cb_manifest_load(const char *path, cb_manifest **out);
void cb_manifest_destroy(cb_manifest **m);

/* The file called `name`, or NULL. */
const cb_manifest_file *cb_manifest_file_find(const cb_manifest *m, const char *name);
/* Value of `key` in a recipe, or NULL. */
const char *cb_manifest_recipe_get(const cb_manifest_recipe *r, const char *key);
/* Sum of the known file sizes. */
int64_t cb_manifest_total_size(const cb_manifest *m);

/* Manifest directory: `override` if given, else $CORTEXBENCH_MANIFESTS, else
 * <dir of the executable>/../../datasets (build/bin -> repo root). */
cb_status cb_manifest_dir(const char *override, char *out, size_t n);
/* Sorted ids of the manifests (*.ini) in dir; free with cb_strlist_free. */
cb_status cb_manifest_list(const char *dir, char ***ids, int *n);
/* Loads <dir>/<id>.ini; unknown id is an error listing the known ones. */
cb_status cb_manifest_open(const char *dir, const char *id, cb_manifest **out);

/* 1 when `name` is a safe relative path: [A-Za-z0-9._+-] components joined by
 * '/', no empty, "." or ".." component. */
int cb_manifest_name_ok(const char *name);

#endif
