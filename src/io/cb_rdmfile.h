/* cb_rdmfile.h - representational dissimilarity matrices on disk (HDF5), the
 * format the RSA benchmarks read (docs/formats.md, "RDM files").
 *
 *   /rdm          float64 (n, n), or (S, n, n) for S subjects/sessions;
 *                 symmetric with a zero diagonal
 *   /stimulus_id  (n) vlen UTF-8 strings: row/column order of /rdm
 *   /subject      (S) vlen UTF-8 strings, present exactly when /rdm is 3-D
 *   root attrs    identifier, distance (e.g. "1-pearson"): UTF-8 strings
 */
#ifndef CB_RDMFILE_H
#define CB_RDMFILE_H

#include "cb_status.h"

typedef struct cb_rdmfile {
  int n_subject;      /* S >= 1 (1 for a 2-D /rdm) */
  int has_subject;    /* 1: /rdm is (S, n, n) with /subject; 0: (n, n), S = 1 */
  int n;              /* stimuli */
  double *rdm;        /* (S, n, n) */
  char **stimulus_id; /* (n) */
  char **subject;     /* (S) when has_subject, else NULL */
  char *identifier;   /* "" when unknown */
  char *distance;     /* "" when unknown */
} cb_rdmfile;

/* Zeroed RDMs, NULL strings (fill with cb_strdup), empty identifier/distance. */
cb_status cb_rdmfile_create(int n_subject, int has_subject, int n, cb_rdmfile **out);
/* Checks every matrix: finite off the diagonal (NaN allowed off-diagonal
 * only when allow_nan), |a_ij - a_ji| <= tol * max(1, max |a|), |a_ii| <= tol. */
cb_status cb_rdmfile_check(const cb_rdmfile *r, double tol, int allow_nan, const char *name);
/* Atomic write (temp file + rename). */
cb_status cb_rdmfile_write(const char *path, const cb_rdmfile *r);
cb_status cb_rdmfile_read(const char *path, cb_rdmfile **out);
void cb_rdmfile_destroy(cb_rdmfile **r);

#endif
