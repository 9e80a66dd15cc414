/* Collective HDF5 writes (MPI-IO driver): the activations store.
 *
 * Every rank creates the same datasets with the same creation properties
 * (chunk shape from n and features only, cb_activations_layer_dcpl), then
 * every rank joins one collective H5Dwrite per layer (per chunk when
 * compressed) with its block of rows, an empty selection when it has none.
 * Chunk boundaries need not match the rank blocks: a chunk shared by two
 * ranks is assembled by one of them (HDF5's collective filtered I/O). Chunks
 * are allocated when the dataset is created (MPI-IO forces early
 * allocation) and, when compressed, reallocated at their filtered size in
 * chunk order, so the bytes of the file do not depend on the rank count or
 * the split (tests/mpi/test_store.c checks 1, 2 and 3 ranks).
 *
 * Faults: HDF5's collective calls do not survive a write that fails on some
 * ranks only (fill values written at dataset creation, the metadata flush by
 * rank 0 at close: the other ranks wait forever or crash). So rank 0
 * reserves the file's space before any collective call (a full disk or quota
 * is reported there, by every rank), and each write step ends with an
 * agreement (step()) so that the ranks leave together. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_act_impl.h"
#include "cb_activations.h"
#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_par.h"
#include "cb_par_impl.h"
#include "cb_version.h"

/* Collective: this rank's rows [start, start + count) that fall in
 * [row0, row1) of an (n, dims...) dataset (fspace of rank 1 + ndim); x is
 * (count, features), features = the product of dims. The memory space has
 * the file's shape, (count, dims...): with shapes that differ HDF5 maps
 * every element to its chunk one at a time (H5S_select_iterate), which made
 * the write of a suite's activations CPU-bound at ~50 MB/s. */
static herr_t write_rows(hid_t dset, hid_t dxpl, hid_t fspace, int64_t features, int64_t start, int64_t count,
                         const float *x, int64_t row0, int64_t row1) {
  hsize_t fdims[H5S_MAX_RANK], foff[H5S_MAX_RANK] = {0}, mdims[H5S_MAX_RANK], moff[H5S_MAX_RANK] = {0};
  int frank = H5Sget_simple_extent_dims(fspace, fdims, NULL);
  if (frank < 1) return -1;
  int64_t s = start > row0 ? start : row0, e = start + count < row1 ? start + count : row1;
  for (int k = 1; k < frank; ++k) mdims[k] = fdims[k];
  mdims[0] = (hsize_t)(count > 0 ? count : 1); /* (count, dims...) */
  hid_t mspace = H5Screate_simple(frank, mdims, NULL);
  if (mspace < 0) return -1;
  herr_t sel = -1;
  if (e > s && features > 0) {
    foff[0] = (hsize_t)s;
    moff[0] = (hsize_t)(s - start);
    fdims[0] = (hsize_t)(e - s); /* the block: (e - s, dims...) in both spaces */
    sel = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, foff, NULL, fdims, NULL);
    if (sel >= 0) sel = H5Sselect_hyperslab(mspace, H5S_SELECT_SET, moff, NULL, fdims, NULL);
  }
  if (sel < 0) { /* nothing here (or a failed selection): still join the collective call */
    H5Sselect_none(fspace);
    H5Sselect_none(mspace);
    x = NULL;
  }
  herr_t rc = H5Dwrite(dset, H5T_NATIVE_FLOAT, mspace, fspace, dxpl, x);
  H5Sclose(mspace);
  return (e > s && features > 0 && sel < 0) ? -1 : rc;
}

/* The innermost HDF5 error description (e.g. the MPI error string), for
 * messages; "" when the stack is empty. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *arg) {
  if (n == 0 && e->desc) snprintf((char *)arg, 256, "%s", e->desc);
  return 0;
}

static const char *h5_cause(char buf[256]) {
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, buf);
  return buf;
}

/* Collective: agreement on the status of one write step. A failure on any
 * rank makes every rank leave the remaining steps (no rank enters an HDF5
 * collective call the others skip) and return the first failing rank's
 * message. Once the steps are left, st stays the agreed error. */
static cb_status step(cb_par *p, cb_status *st, cb_status local) {
  cb_status agreed = cb_par_agree(p, local);
  if (*st == CB_OK) *st = agreed;
  return agreed;
}

/* Phase 1, all ranks: create the file and the layer datasets, write rows.
 * Each step (create the file, create a layer, each collective write, close)
 * ends with an agreement, so a rank whose write fails (disk full, quota, I/O
 * error) stops every rank at the same point, and all close the file
 * together. cb_par_write_activations_layout reserves the file's space first,
 * so a full disk is normally reported before HDF5 writes anything: HDF5's
 * own collective calls (fill values at creation, the metadata flush at
 * close) do not survive a write failing on one rank only. */
static cb_status write_layers(cb_par *p, const char *tmp, const char *final, int64_t n, const cb_act_names *nm,
                              const char *const *names, const int64_t *features, int64_t start, int64_t count,
                              const float *const *X, const cb_activations_layout *layout) {
  cb_status st = CB_OK;
  char cause[256];
  const int n_layers = nm->n_layers;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), file = -1, dxpl = -1;
  H5Pset_fapl_mpio(fapl, cb__par_comm(p), MPI_INFO_NULL);
  /* Same bytes for any rank count: the 1.10 format (fixed-array chunk
   * indices, no B-tree node splits), and a metadata cache that neither
   * resizes (its hit rate depends on which chunks each rank touches) nor
   * flushes before close, written by rank 0 only. Then no metadata entry is
   * written, freed and left behind as stale bytes depending on the split. */
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
  /* No aggregation blocks: their unused tails would carry whatever was in
   * rank 0's memory into the file. */
  H5Pset_meta_block_size(fapl, 0);
  H5Pset_small_data_block_size(fapl, 0);
  H5AC_cache_config_t mdc;
  memset(&mdc, 0, sizeof mdc);
  mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  if (H5Pget_mdc_config(fapl, &mdc) >= 0) {
    mdc.set_initial_size = 1;
    mdc.initial_size = mdc.max_size = mdc.min_size = (size_t)64 << 20;
    mdc.incr_mode = H5C_incr__off;
    mdc.flash_incr_mode = H5C_flash_incr__off;
    mdc.decr_mode = H5C_decr__off;
    mdc.dirty_bytes_threshold = (size_t)32 << 20;
    mdc.metadata_write_strategy = H5AC_METADATA_WRITE_STRATEGY__PROCESS_0_ONLY;
    H5Pset_mdc_config(fapl, &mdc);
  }
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_obj_track_times(fcpl, 0); /* no timestamps: identical runs give identical bytes */
  /* Track creation order so readers (and xarray) list layers in model order. */
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fcpl);
  /* (A file created on some ranks only cannot be closed collectively;
   * MPI_File_open is collective, so in practice creation fails everywhere.) */
  if (step(p, &st, file < 0 ? CB_ERROR(CB_ERR_FAULT, "%s: cannot create (parallel HDF5: %s)", final, h5_cause(cause))
                            : CB_OK) != CB_OK)
    goto done;
  dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  for (int l = 0; l < n_layers && st == CB_OK; ++l) {
    hid_t dset = -1, fspace = -1;
    cb_status sl = cb_act_v2_create_layer(file, nm, l, n, layout, H5P_DEFAULT, &dset, &fspace); /* same on every rank */
    if (sl != CB_OK)
      sl = CB_ERROR(CB_ERR_FAULT, "%s: cannot create layer '%s' (%s)", final, names[l], h5_cause(cause));
    /* Every rank joins every H5Dwrite, even with nothing to write. Filtered
     * chunks are reallocated at their compressed size in the order HDF5
     * gathers them, which depends on the split; one write per chunk, in
     * chunk order, makes that order (and the bytes) the same for any split. */
    int64_t rows = cb_activations_deflate(layout) > 0 ? cb_activations_chunk_rows(n, features[l], layout) : n;
    /* A layer without elements (zero features, e.g. an empty Slice) has no storage to write to: HDF5 fails a
     * collective write at its undefined address even with empty selections, so it is created and not written
     * (every rank decides the same from features[l]). */
    const int empty = features[l] == 0;
    if (step(p, &st, sl) == CB_OK)
      for (int64_t row0 = 0; !empty && row0 < n; row0 += rows) {
        herr_t rc = write_rows(dset, dxpl, fspace, features[l], start, count, X[l], row0, row0 + rows < n ? row0 + rows : n);
        cb_status sw = rc < 0 ? CB_ERROR(CB_ERR_FAULT, "%s: cannot write layer '%s' (%s)", final, names[l], h5_cause(cause))
                              : CB_OK;
        if (step(p, &st, sw) != CB_OK) break;
      }
    if (dset >= 0) H5Dclose(dset);
    if (fspace >= 0) H5Sclose(fspace);
  }
done:
  if (dxpl >= 0) H5Pclose(dxpl);
  if (file >= 0) {
    cb_status sc = H5Fclose(file) < 0 ? CB_ERROR(CB_ERR_FAULT, "%s: close failed (%s)", final, h5_cause(cause)) : CB_OK;
    step(p, &st, st == CB_OK ? sc : CB_OK);
  }
  H5Pclose(fapl);
  return st;
}

/* Phase 2, rank 0 alone: variable-length strings cannot be written
 * collectively, so the ids, the dimension scales (netCDF dimensions) and
 * the attributes are added serially. */
static cb_status write_metadata(const char *tmp, const char *final, const cb_act_names *nm, const char *const *names,
                                const char *model, const char *key, int64_t n, const char *const *ids) {
  hid_t file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return CB_ERROR(CB_ERR_FAULT, "%s: cannot reopen to add metadata", final);
  cb_status st = cb_act_v2_finish(file, final, nm, names, n, ids, model, CB_VERSION, key);
  if (st != CB_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cb_error_message());
    st = CB_ERROR(CB_ERR_FAULT, "%s", msg);
  }
  if (H5Fclose(file) < 0 && st == CB_OK) st = CB_ERROR(CB_ERR_FAULT, "%s: close failed", final);
  return st;
}

cb_status cb_par_write_activations(cb_par *p, const char *path, const char *model, const char *task_key, int64_t n,
                                   const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                                   const int64_t *features, int64_t start, int64_t count, const float *const *X) {
  return cb_par_write_activations_layout(p, path, model, task_key, n, stimulus_id, n_layers, layer_names, features,
                                         start, count, X, NULL);
}

/* Upper bound of the file's size: every chunk at its full (unfiltered) size,
 * twice when compressed (a filtered chunk is reallocated at its compressed
 * size while the first allocation may stay in the file), and generous room
 * for the metadata (headers, chunk indices, the stimulus ids in the global
 * heap). Measured files stay below it by at least 256 KiB. */
static uint64_t size_bound(int64_t n, int n_layers, const int64_t *features, const char *const *ids,
                           const cb_activations_layout *layout) {
  uint64_t bytes = (uint64_t)256 << 10;
  for (int l = 0; l < n_layers; ++l) {
    int64_t rows = cb_activations_chunk_rows(n, features[l], layout);
    int64_t chunks = n > 0 ? (n + rows - 1) / rows : 0;
    uint64_t data = (uint64_t)chunks * (uint64_t)rows * (uint64_t)features[l] * 4u;
    bytes += (cb_activations_deflate(layout) > 0 ? 2 * data : data) + 2048 + 64 * (uint64_t)chunks;
  }
  for (int64_t i = 0; i < n; ++i) bytes += 64 + (ids[i] ? strlen(ids[i]) : 0);
  return bytes;
}

cb_status cb_par_write_activations_layout(cb_par *p, const char *path, const char *model, const char *task_key,
                                          int64_t n, const char *const *stimulus_id, int n_layers,
                                          const char *const *layer_names, const int64_t *features, int64_t start,
                                          int64_t count, const float *const *X, const cb_activations_layout *layout) {
  return cb_par_write_activations_shaped(p, path, model, task_key, n, stimulus_id, n_layers, layer_names, features,
                                         NULL, start, count, X, layout);
}

cb_status cb_par_write_activations_shaped(cb_par *p, const char *path, const char *model, const char *task_key,
                                          int64_t n, const char *const *stimulus_id, int n_layers,
                                          const char *const *layer_names, const int64_t *features,
                                          const cb_act_shape *shapes, int64_t start, int64_t count,
                                          const float *const *X, const cb_activations_layout *layout) {
  char tmp[CB_PATH_MAX], dir[CB_PATH_MAX];
  cb_status st = CB_OK;
  uint64_t reserved = 0;
  for (int l = 0; l < n_layers; ++l)
    if (!layer_names[l][0]) return CB_ERROR(CB_ERR_ARG, "%s: empty layer name", path);
  if (layout && (layout->deflate < 0 || layout->deflate > 9))
    return CB_ERROR(CB_ERR_ARG, "%s: compression level %d not in 0..9", path, layout->deflate);
  cb_act_names *nm = NULL; /* the same on every rank */
  CB_CHECK(cb_act_names_create(n_layers, layer_names, features, shapes, &nm));
  /* Rank 0 creates the temporary file with its disk space reserved: a full
   * disk (or quota) stops every rank here, before any collective write. */
  if (cb_par_rank(p) == 0) {
    cb_path_dirname(path, dir, sizeof dir);
    st = cb_mkdirs(dir);
    if (st == CB_OK) st = cb_path_temp(path, tmp, sizeof tmp);
    reserved = size_bound(n, n_layers, features, stimulus_id, layout);
    if (st == CB_OK) st = cb_file_reserve(tmp, path, reserved);
  }
  st = cb_par_agree(p, st);
  if (st == CB_OK) st = cb_par_bcast_string(p, tmp, sizeof tmp);
  if (st != CB_OK) {
    cb_act_names_destroy(&nm);
    return st;
  }

  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  st = write_layers(p, tmp, path, n, nm, layer_names, features, start, count, X, layout); /* agreed */
  if (st == CB_OK && cb_par_rank(p) == 0) {
    st = write_metadata(tmp, path, nm, layer_names, model, task_key, n, stimulus_id);
    cb_file_unreserve(tmp, reserved);
    if (st == CB_OK) st = cb_file_commit(tmp, path);
  }
  st = cb_par_agree(p, st);
  if (st != CB_OK && cb_par_rank(p) == 0) unlink(tmp);
  cb__h5_quiet_end(&q);
  cb_act_names_destroy(&nm);
  return st;
}
