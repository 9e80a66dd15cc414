/* cb_act_names.h - netCDF names of an activations file, version 2
 * (docs/formats.md, "Activations"): one variable per layer at the root,
 * dimensions (stimulus_id, <per-stimulus dims>).
 *
 * Dimension names: <role>_<size> ("channel_64", "height_56", "feature_1000"),
 * shared by every layer whose axis has that role and size.
 * Variable names: the layer name where netCDF allows it, else the layer name
 * with '/', control and non-ASCII bytes replaced by '_', a '_' prefixed when
 * it does not start with a letter, digit or '_', trailing blanks replaced by
 * '_'; then "_2", "_3", ... appended until it differs from stimulus_id, the
 * dimension names and the earlier variables. The exact layer name is the
 * variable's attribute `layer` (readers go by it). Pure C, no HDF5. */
#ifndef CB_ACT_NAMES_H
#define CB_ACT_NAMES_H

#include <stdint.h>

#include "cb_status.h"

#define CB_ACT_MAX_DIMS 7 /* per-stimulus axes of a layer */

/* Per-stimulus shape of a layer and the role of each axis ("channel",
 * "height", "width", "frequency", "time", "feature", or NULL = "dim<k>"). */
typedef struct cb_act_shape {
  int ndim;
  int64_t dims[CB_ACT_MAX_DIMS];     /* (ndim) */
  const char *role[CB_ACT_MAX_DIMS]; /* (ndim) static strings or NULL */
} cb_act_shape;

typedef struct cb_act_names {
  int n_layers;
  char **var;                      /* (n_layers) variable names */
  cb_act_shape *shape;             /* (n_layers) per-stimulus shapes */
  int (*dim_id)[CB_ACT_MAX_DIMS];  /* (n_layers, ndim) index into dim_name */
  int n_dims;
  char **dim_name;                 /* (n_dims) in order of first use */
  int64_t *dim_size;               /* (n_dims) */
} cb_act_names;

/* shapes NULL (or a layer with ndim 0): layer l is (features[l]), role
 * "feature". A shape whose product differs from features[l] is CB_ERR_ARG. */
cb_status cb_act_names_create(int n_layers, const char *const *layer_names, const int64_t *features,
                              const cb_act_shape *shapes, cb_act_names **out);
void cb_act_names_destroy(cb_act_names **p);

#endif
