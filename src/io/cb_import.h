/* cb_import.h - foreign data into cortexbench's formats (`cortexbench import`).
 *
 * Arrays come from NumPy .npy (cb_npy.h), MATLAB .mat v5/v7.3 (cb_mat.h) or
 * plain HDF5 (dataset named by `var`); the format is recognised by content.
 *
 * Assemblies: the array's axes are named by `dims`, a permutation of
 * "neuroid,stimulus[,repetition][,time_bin]" (default "neuroid,stimulus,
 * repetition" for 3-D arrays, "neuroid,stimulus" for 2-D). Each (stimulus,
 * repetition) pair becomes one presentation, stimulus-major, except pairs
 * whose values are NaN for every neuroid and time bin (NaN-padded repeats),
 * which are dropped. Presentation coords stimulus_id and repetition
 * (0-based position on the repetition axis); neuroid coords neuroid_id
 * (neuroid_prefix + 0-based index, zero-padded to the width of the largest)
 * and region (when given); time coords time_bin_start/end when a single
 * window is given. Stimulus ids: from a list (one per stimulus, in array
 * order), else stimulus_prefix + 1-based index zero-padded to 4 digits.
 *
 * CSV assemblies: header row; column stimulus_id (or image_id), optional
 * column repetition, every other column one neuroid (header = neuroid_id);
 * one row per presentation; empty cells and "nan" are NaN.
 */
#ifndef CB_IMPORT_H
#define CB_IMPORT_H

#include "cb_assembly.h"
#include "cb_ndarray.h"
#include "cb_rdmfile.h"
#include "cb_status.h"

typedef struct cb_import_opts {
  const char *var;             /* .mat variable ("v" or "v.field") / HDF5 dataset; ignored for .npy */
  const char *dims;            /* axis names, NULL = default */
  char **stimulus_ids;         /* (n_ids) or NULL */
  int n_ids;
  const char *stimulus_prefix; /* used when stimulus_ids is NULL; NULL = "stimulus" */
  const char *neuroid_prefix;  /* NULL = "" */
  const char *region;          /* NULL = no region coord */
  const char *identifier;      /* NULL = "" */
  const char *stimulus_set_identifier; /* NULL = "" */
  double time_bin_start, time_bin_end; /* both finite: time coords of a single bin */
  int element;                 /* RDMs: 1-based element of a stack to keep, 0 = all */
  const char *distance;        /* RDMs: NULL = "" */
  double tolerance;            /* RDMs: symmetry/diagonal tolerance, <= 0 = 1e-6 */
  char *const *subjects;       /* RDMs: (n_subjects) names, one per RDM written, in file order, or NULL */
  int n_subjects;
} cb_import_opts;

/* Defaults: everything NULL/0, time bounds NaN. */
cb_import_opts cb_import_opts_default(void);
/* Reads a numeric array from .npy, .mat or HDF5 (by content). */
cb_status cb_import_read_array(const char *path, const char *var, cb_ndarray **out);
/* Stimulus ids from a file: a stimulus-set CSV (its stimulus_id column) when
 * the first line has a stimulus_id/image_id column, else one id per line. */
cb_status cb_import_read_ids(const char *path, char ***ids, int *n);
/* Array file or CSV (by extension .csv) into an assembly. */
cb_status cb_import_assembly(const char *path, const cb_import_opts *o, cb_assembly **out);
/* Square (n, n) / stacked (S, n, n) or condensed (n(n-1)/2 upper triangle in
 * MATLAB squareform/scipy order, possibly (1, m), (m, 1) or stacked (S, m) /
 * (S, 1, m)) RDMs into an RDM file; symmetric with zero diagonal checked. A
 * stack from a struct array ("var.field" of a .mat) gets subject names from
 * the struct's "name" field when it has one, else "1".."S". o->subjects, when
 * given, replaces those names (one per RDM written, so 1 with `element`; the
 * file is then always (S, n, n) with /subject); repeated names mark sessions
 * of one subject (docs/formats.md). A wrong count is CB_ERR_ARG naming path. */
cb_status cb_import_rdm(const char *path, const cb_import_opts *o, cb_rdmfile **out);

#endif
