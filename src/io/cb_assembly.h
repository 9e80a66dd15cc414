/* cb_assembly.h - BrainIO neural assemblies (netCDF-4 files read and written
 * with the HDF5 C API) and the stimulus-level view used by scoring.
 *
 * Layout (as written by xarray/netCDF-C for BrainIO):
 *   /presentation, /neuroid, /time_bin   dimension scales (netCDF dimensions)
 *   /<data variable>                     numeric (presentation, neuroid[, time_bin])
 *   /<coord>                             1-D, attached to one dimension scale;
 *                                        vlen UTF-8 strings or numbers
 *   root attrs identifier, stimulus_set_identifier (fixed or vlen strings)
 */
#ifndef CB_ASSEMBLY_H
#define CB_ASSEMBLY_H

#include <stdint.h>

#include "cb_status.h"

enum { CB_DIM_PRESENTATION = 0, CB_DIM_NEUROID = 1, CB_DIM_TIME_BIN = 2 };

typedef struct cb_coord {
  char *name;
  int dim;       /* 0 presentation, 1 neuroid, 2 time_bin */
  int is_string;
  char **s;      /* (len of dim) when is_string */
  double *v;     /* (len of dim) otherwise */
} cb_coord;

typedef struct cb_assembly {
  char *identifier, *stimulus_set_identifier; /* "" when the file has none */
  int64_t n_pres, n_neuroid, n_time;
  double *data;      /* (n_pres, n_neuroid, n_time) */
  int n_coords;
  cb_coord *coords;  /* (n_coords) */
  char *source;      /* file it was read from (for messages), NULL when built in memory */
} cb_assembly;

/* An assembly of the given shape (all >= 1), data filled with NaN, no coords,
 * empty identifiers. */
cb_status cb_assembly_create(int64_t n_pres, int64_t n_neuroid, int64_t n_time, cb_assembly **out);
/* Copies `values` (length of `dim`). Names must be new, non-empty, without '/',
 * and not "data", "presentation", "neuroid" or "time_bin". */
cb_status cb_assembly_add_string_coord(cb_assembly *a, int dim, const char *name, const char *const *values);
cb_status cb_assembly_add_number_coord(cb_assembly *a, int dim, const char *name, const double *values);
/* NULL if absent. */
const cb_coord *cb_assembly_coord(const cb_assembly *a, const char *name);
/* Reads a BrainIO netCDF-4 assembly. The data variable is found generically
 * (the numeric non-scale dataset attached to presentation × neuroid [× time_bin];
 * "data" preferred when several). Requires a stimulus_id (or legacy image_id)
 * presentation coordinate. */
cb_status cb_assembly_read(const char *path, cb_assembly **out);
/* Writes the netCDF-4 layout atomically (temp file + rename; parent
 * directories created). Number coordinates holding only integers are stored
 * as int64, the others as float64; strings as vlen UTF-8; data variable
 * "data" float64 chunked + shuffle + deflate 4. */
cb_status cb_assembly_write(const char *path, const cb_assembly *a);
void cb_assembly_destroy(cb_assembly **a);

/* The stimulus-level view used by scoring. */
typedef struct cb_neural {
  int n_stim, n_rep, n_neuroid;
  char **stimulus_id; /* (n_stim) in order of first appearance in the assembly */
  char **labels;      /* (n_stim) value of the stratification coordinate as text, or NULL when none asked */
  char **neuroid_id;  /* (n_neuroid) neuroid_id coord, or the neuroid's index in the assembly ("0","1",…) */
  double *reps;       /* (n_stim, n_rep, n_neuroid) NaN where a stimulus has fewer repetitions; n_rep = max count */
  double *mean;       /* (n_stim, n_neuroid) mean over the available repetitions (NaN values ignored) */
} cb_neural;

/* region: keep neuroids whose `region` coord equals it (NULL = all; error if
 * no neuroid matches or the coord is missing). [t0, t1): average the time bins
 * whose time_bin_start >= t0 and time_bin_end <= t1 (NaN, NaN = all bins; one
 * NaN bound = unbounded on that side; error if none). Repetition order =
 * `repetition` coord if present (numeric) else order of appearance. stratify:
 * name of a presentation coord whose value (string, or number printed with
 * %.17g) becomes labels[] (NULL = none). Stimulus ids come from coord
 * stimulus_id, or legacy image_id. */
cb_status cb_neural_from_assembly(const cb_assembly *a, const char *region, double t0, double t1,
                                  const char *stratify, cb_neural **out);
void cb_neural_destroy(cb_neural **n);
/* (*out)[s] = the value of presentation coordinate `column` (string, or number printed with %.17g) for stimulus s
 * of n (n->n_stim values, newly allocated; free each and the array). Every presentation of a stimulus must carry
 * the same value: the grouping column of grouped cross-validation (e.g. `movie_id`). Errors name the assembly and
 * the column: no such presentation coordinate, a stimulus with two values. */
cb_status cb_neural_stimulus_column(const cb_assembly *a, const cb_neural *n, const char *column, char ***out);

#endif
