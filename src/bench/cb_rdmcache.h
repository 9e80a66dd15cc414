/* cb_rdmcache.h - the model RDMs the scoring of an RDM benchmark computed,
 * kept in the work directory for the report's RDM figures (so that the
 * report does not read a layer's activations again and recompute them).
 *
 * File <work>/rdms/<task key>.rdm, the task key of the score it came from
 * (a changed input gives a new key, never a stale RDM): 8 bytes "CBRDM1\0\0",
 * int32 n, then the upper triangle (i < j, row-major) as float32, host byte
 * order (a cache of this machine, not an exchange format). */
#ifndef CB_RDMCACHE_H
#define CB_RDMCACHE_H

#include <stddef.h>

#include "cb_status.h"

/* "<work>/rdms/<key>.rdm" into out (n bytes). */
cb_status cb_rdmcache_path(const char *work_dir, const char *key, char *out, size_t n);
/* Writes D (n, n) atomically (parent directories made). */
cb_status cb_rdmcache_write(const char *path, const double *D, int n);
/* Reads the RDM of n stimuli into D (n, n; zero diagonal, mirrored). CB_ERR_IO when the file is absent,
 * CB_ERR_FORMAT when it is not an RDM of n stimuli: callers then compute it. */
cb_status cb_rdmcache_read(const char *path, int n, double *D);

#endif
