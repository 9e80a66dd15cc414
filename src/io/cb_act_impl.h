/* cb_act_impl.h - internal to cb_io (and src/par/cb_par_hdf5.c, the
 * collective writer): the HDF5-level pieces of the activations file
 * (cb_activations.h) that the serial and the parallel writer share. They take
 * HDF5 handles, which is why they are not in the public header. */
#ifndef CB_ACT_IMPL_H
#define CB_ACT_IMPL_H

#include <stdint.h>

#include <hdf5.h>

#include "cb_act_names.h"
#include "cb_activations.h"
#include "cb_status.h"

/* Dataset-creation property list of an (n, dims...) layer (ndim per-stimulus
 * axes, features = their product): untimed; chunked (chunk_rows, dims...)
 * when n, features > 0, else contiguous; shuffle + deflate when the level
 * (cb_activations_deflate) > 0. The caller closes *out with H5Pclose.
 * CB_ERR_ARG for a level outside 0..9. */
cb_status cb_activations_layer_dcpl(int64_t n, int ndim, const int64_t *dims, const cb_activations_layout *layout,
                                    hid_t *out);

/* Version 2 writing, shared by the serial and the parallel writer.
 * cb_act_v2_create_layer: creates layer l's dataset at the root (names from
 * nm), its dataspace in *space; lcpl may be H5P_DEFAULT.
 * cb_act_v2_finish (serial access, after every layer exists): writes
 * /stimulus_id, the dimension scales, attaches them to the layers, writes
 * each layer's `layer` attribute and the root attributes (task_key when
 * not NULL). */
cb_status cb_act_v2_create_layer(hid_t f, const cb_act_names *nm, int l, int64_t n, const cb_activations_layout *layout,
                                 hid_t lcpl, hid_t *dset, hid_t *space);
cb_status cb_act_v2_finish(hid_t f, const char *path, const cb_act_names *nm, const char *const *layer_names,
                           int64_t n, const char *const *stimulus_id, const char *model, const char *version,
                           const char *task_key);

#endif
