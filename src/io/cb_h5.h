/* cb_h5.h - what the rest of the program may know of the HDF5 library
 * (its version, whether it is parallel), without HDF5's types: hdf5.h stays
 * in src/io and src/par (docs/architecture.md). */
#ifndef CB_H5_H
#define CB_H5_H

#include <stddef.h>

/* The version of the HDF5 library linked, "MAJOR.MINOR.RELEASE" (e.g.
 * "1.14.3"), into buf (n bytes, truncated to fit). */
void cb_io_hdf5_version(char *buf, size_t n);

/* 1 when that library was built parallel (MPI-IO), else 0. */
int cb_io_hdf5_parallel(void);

#endif
