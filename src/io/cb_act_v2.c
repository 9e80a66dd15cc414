/* cb_act_v2.c - activations files version 2 (netCDF-4 layout, see
 * cb_activations.h): layer datasets, dimension scales, attributes, listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "cb_act_impl.h"
#include "cb_activations.h"
#include "cb_h5_impl.h"
#include "cb_strbuf.h"

#define NC_DIM_TEXT "This is a netCDF dimension but not a netCDF variable."

cb_status cb_act_v2_create_layer(hid_t f, const cb_act_names *nm, int l, int64_t n, const cb_activations_layout *layout,
                                 hid_t lcpl, hid_t *dset, hid_t *space) {
  const cb_act_shape *s = &nm->shape[l];
  hsize_t dims[CB_ACT_MAX_DIMS + 1] = {(hsize_t)n}; /* (n, dims...) */
  for (int k = 0; k < s->ndim; ++k) dims[k + 1] = (hsize_t)s->dims[k];
  hid_t dcpl = -1;
  CB_CHECK(cb_activations_layer_dcpl(n, s->ndim, s->dims, layout, &dcpl));
  hid_t sp = H5Screate_simple(s->ndim + 1, dims, NULL);
  hid_t d = sp >= 0 ? H5Dcreate2(f, nm->var[l], H5T_IEEE_F32LE, sp, lcpl, dcpl, H5P_DEFAULT) : -1;
  H5Pclose(dcpl);
  if (d < 0) {
    cb__h5_close(&sp, H5Sclose);
    return CB_ERROR(CB_ERR_IO, "cannot create variable '%s'", nm->var[l]);
  }
  *dset = d;
  *space = sp;
  return CB_OK;
}

static herr_t str_attr(hid_t obj, const char *name, const char *value) {
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), at = -1;
  herr_t e = -1;
  if (t >= 0 && sp >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0) {
    at = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (at >= 0) e = H5Awrite(at, t, &value);
  }
  cb__h5_close(&at, H5Aclose);
  cb__h5_close(&sp, H5Sclose);
  cb__h5_close(&t, H5Tclose);
  return e;
}

static herr_t int_attr(hid_t obj, const char *name, int v) {
  hid_t sp = H5Screate(H5S_SCALAR), at = -1;
  herr_t e = -1;
  if (sp >= 0) at = H5Acreate2(obj, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (at >= 0) e = H5Awrite(at, H5T_NATIVE_INT, &v);
  cb__h5_close(&at, H5Aclose);
  cb__h5_close(&sp, H5Sclose);
  return e;
}

/* /stimulus_id: vlen UTF-8 coordinate variable, dimension scale of dimid 0. */
static hid_t write_ids(hid_t f, int64_t n, const char *const *ids) {
  hsize_t hn = (hsize_t)n;
  const char **v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate_simple(1, &hn, NULL), d = -1;
  herr_t e = v && t >= 0 && sp >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0 ? 0 : -1;
  for (int64_t i = 0; v && i < n; ++i) v[i] = ids[i] ? ids[i] : "";
  if (e >= 0) d = H5Dcreate2(f, "stimulus_id", t, sp, H5P_DEFAULT, cb__h5_dcpl_untimed(), H5P_DEFAULT);
  if (d >= 0) e = H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  if (d >= 0 && e >= 0) e = H5DSset_scale(d, "stimulus_id");
  if (d >= 0 && e >= 0) e = int_attr(d, "_Netcdf4Dimid", 0);
  if (d >= 0 && e < 0) cb__h5_close(&d, H5Dclose);
  free(v);
  cb__h5_close(&sp, H5Sclose);
  cb__h5_close(&t, H5Tclose);
  return d;
}

/* A netCDF dimension without values: a float32 scale with no storage. */
static hid_t write_dim(hid_t f, const char *name, int64_t size, int dimid) {
  hsize_t hn = (hsize_t)size;
  char text[128];
  snprintf(text, sizeof text, "%s%10lld", NC_DIM_TEXT, (long long)size);
  hid_t sp = H5Screate_simple(1, &hn, NULL), d = -1;
  if (sp >= 0) d = H5Dcreate2(f, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, cb__h5_dcpl_untimed(), H5P_DEFAULT);
  herr_t e = d >= 0 ? H5DSset_scale(d, text) : -1;
  if (e >= 0) e = int_attr(d, "_Netcdf4Dimid", dimid);
  if (d >= 0 && e < 0) cb__h5_close(&d, H5Dclose);
  cb__h5_close(&sp, H5Sclose);
  return d;
}

static cb_status finish_layers(hid_t f, const char *path, const cb_act_names *nm, const char *const *layer_names,
                               hid_t ids, const hid_t *dims) {
  for (int l = 0; l < nm->n_layers; ++l) {
    hid_t d = H5Dopen2(f, nm->var[l], H5P_DEFAULT);
    herr_t e = d >= 0 ? H5DSattach_scale(d, ids, 0) : -1;
    for (int k = 0; e >= 0 && k < nm->shape[l].ndim; ++k) e = H5DSattach_scale(d, dims[nm->dim_id[l][k]], (unsigned)k + 1);
    if (e >= 0) e = str_attr(d, "layer", layer_names[l]);
    cb__h5_close(&d, H5Dclose);
    if (e < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot write the dimensions of layer '%s' (disk full?)", path, layer_names[l]);
  }
  return CB_OK;
}

cb_status cb_act_v2_finish(hid_t f, const char *path, const cb_act_names *nm, const char *const *layer_names,
                           int64_t n, const char *const *stimulus_id, const char *model, const char *version,
                           const char *task_key) {
  cb_status st = CB_OK;
  hid_t ids = write_ids(f, n, stimulus_id);
  hid_t *dims = calloc((size_t)nm->n_dims + 1, sizeof *dims); /* (n_dims) */
  if (ids < 0 || dims == NULL) st = CB_ERROR(CB_ERR_IO, "%s: cannot write /stimulus_id (disk full?)", path);
  int made = 0;
  for (; st == CB_OK && made < nm->n_dims; ++made) {
    dims[made] = write_dim(f, nm->dim_name[made], nm->dim_size[made], made + 1);
    if (dims[made] < 0) st = CB_ERROR(CB_ERR_IO, "%s: cannot write dimension '%s'", path, nm->dim_name[made]);
  }
  if (st == CB_OK) st = finish_layers(f, path, nm, layer_names, ids, dims);
  if (st == CB_OK &&
      (str_attr(f, "model", model ? model : "") < 0 || str_attr(f, "cortexbench_version", version ? version : "") < 0 ||
       (task_key && str_attr(f, "task_key", task_key) < 0) || int_attr(f, "activations_format", 2) < 0))
    st = CB_ERROR(CB_ERR_IO, "%s: cannot write the root attributes (disk full?)", path);
  for (int k = 0; k < made; ++k) cb__h5_close(&dims[k], H5Dclose);
  free(dims);
  cb__h5_close(&ids, H5Dclose);
  return st;
}
