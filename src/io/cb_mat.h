/* cb_mat.h - numeric arrays from MATLAB .mat files.
 *
 * Level 5 MAT-files (versions 5 to 7: the default of save before -v7.3) are
 * parsed here (zlib for miCOMPRESSED elements; little- and big-endian
 * files); v7.3 files are HDF5 files behind a 512-byte user block and are read
 * with the HDF5 library. (libmatio is not used: it links the serial HDF5,
 * which cannot share a process with the parallel HDF5 cortexbench uses.)
 *
 * A variable is named "var" or "var.field":
 *   var        a numeric or logical array (double, single, integer classes);
 *   var.field  the field of a struct array: every element's field must be a
 *              numeric array of one common shape; the result has a leading
 *              axis over the struct's elements in MATLAB's linear
 *              (column-major) order, e.g. RDMs(1,4,2).RDM of 92x92 becomes
 *              (8, 92, 92). A 1x1 struct gives (1, ...).
 * Arrays come back with MATLAB's dimensions in C order: A(i,j,k) is
 * data[i][j][k] (as scipy.io.loadmat returns them). Complex, sparse, cell,
 * char, object and function-handle values are CB_ERR_UNSUPPORTED with the
 * class named. Errors name the file and the variable (and list the
 * variables present when one is missing).
 *
 * v7.3 support: numeric datasets (/var) and fields of scalar structs
 * (/var/field); struct arrays stored as object references are unsupported.
 */
#ifndef CB_MAT_H
#define CB_MAT_H

#include <stddef.h>

#include "cb_ndarray.h"
#include "cb_status.h"

/* 1 when the 128-byte header says a MAT-file (v5 or v7.3). */
int cb_mat_sniff(const unsigned char *head, size_t n);
cb_status cb_mat_read(const char *path, const char *var, cb_ndarray **out);
/* Char values of "var.field" over a struct array's elements (linear order),
 * or of a char array "var" (one string). Level 5 files only. Free with
 * cb_strlist_free. */
cb_status cb_mat_read_strings(const char *path, const char *var, char ***out, int *n);

#endif
