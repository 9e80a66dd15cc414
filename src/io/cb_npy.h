/* cb_npy.h - NumPy .npy files (format versions 1.0, 2.0, 3.0).
 *
 * The header dict is parsed here: 'descr' must be a numeric scalar type
 * (float: f4 f8; signed int: i1 i2 i4 i8; unsigned: u1 u2 u4 u8; bool b1),
 * little- ('<', '|') or big-endian ('>'); 'fortran_order' True or False;
 * 'shape' a tuple of up to CB_NDARRAY_MAX_DIMS sizes (() = one scalar, read
 * as shape (1)). Values are converted to double and returned in C order
 * whatever the file's order. Object, string, complex and structured dtypes
 * are CB_ERR_UNSUPPORTED; a file shorter than its header says is
 * CB_ERR_FORMAT. Errors name the file.
 */
#ifndef CB_NPY_H
#define CB_NPY_H

#include <stddef.h>

#include "cb_ndarray.h"
#include "cb_status.h"

cb_status cb_npy_read(const char *path, cb_ndarray **out);
/* 1 when the bytes start with the .npy magic "\x93NUMPY". */
int cb_npy_sniff(const unsigned char *head, size_t n);

#endif
