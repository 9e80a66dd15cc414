/* cb_h5_impl.h - internal to cb_io (and src/par/cb_par_hdf5.c, the collective
 * writer): the HDF5 helpers every reader and writer of HDF5 files shares.
 * Private: HDF5's types (hid_t, herr_t) never reach a public header; the
 * rest of the program goes through io's functions (cb_h5.h, cb_activations.h,
 * cb_assembly.h, cb_rdmfile.h, ...). */
#ifndef CB_H5_IMPL_H
#define CB_H5_IMPL_H

#include <stdint.h>

#include <hdf5.h>

#include "cb_status.h"

/* HDF5's automatic error-stack printing, saved by cb__h5_quiet_begin and
 * restored by cb__h5_quiet_end: in between, HDF5 prints nothing (our
 * one-line message says what went wrong). */
typedef struct cb__h5_quiet {
  H5E_auto2_t func;
  void *data;
} cb__h5_quiet;

void cb__h5_quiet_begin(cb__h5_quiet *q);
void cb__h5_quiet_end(const cb__h5_quiet *q);

/* Closes *id with fn (H5Dclose, H5Sclose, ...) when it is open (>= 0) and
 * sets it to -1: safe to call twice, and on ids never opened. */
void cb__h5_close(hid_t *id, herr_t (*fn)(hid_t));

/* A dataset-creation property list without modification times (HDF5
 * records them by default, which makes identical content differ in bytes);
 * owned by the library, do not close. */
hid_t cb__h5_dcpl_untimed(void);

/* A new variable-length UTF-8 string type; the caller closes it (H5Tclose). */
hid_t cb__h5_vlen_utf8(void);

/* H5Fopen read-only with the strong close degree (closing the file closes
 * every object still open in it); < 0 when HDF5 cannot open it. */
hid_t cb__h5_fopen_read(const char *path);

/* Opens `path` (already checked to exist) read-only: CB_ERR_FORMAT
 * "PATH: not an KIND file" when it has no HDF5 signature (kind: "HDF5",
 * "HDF5/netCDF-4"), "PATH: cannot open as HDF5 (truncated or corrupt file)"
 * when HDF5 cannot open it. The caller closes *out (H5Fclose). */
cb_status cb__h5_open_read(const char *path, const char *kind, hid_t *out);

/* The n strings (fixed-length or variable-length, any character set) of a
 * dataset (is_attr = 0) or an attribute (is_attr = 1), into *out (n new
 * strings, the caller frees them and the array). NULL strings become "";
 * fixed-length strings end at the first NUL, space padding is dropped.
 * `what` names the object in messages ("/stimulus_id", "attribute 'x'"). */
cb_status cb__h5_read_strings(hid_t obj, int is_attr, int64_t n, const char *path, const char *what, char ***out);

/* The string attribute `name` of obj (its first element): *out = a new
 * string, or NULL when obj has no such attribute. */
cb_status cb__h5_read_string_attr(hid_t obj, const char *name, const char *path, char **out);

/* H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), the same bytes: a chunked dataset stored with
 * [shuffle,] deflate and no type conversion has its chunks inflated in threads (libdeflate; cb_h5_read.c). */
herr_t cb__h5_read_all(hid_t d, hid_t mem_type, void *buf);
/* How many datasets cb__h5_read_all has read by the threaded path (for tests). */
long cb__h5_read_fast_count(void);

#endif
