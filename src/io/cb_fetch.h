/* cb_fetch.h - downloading dataset files into the cache, with libcurl.
 *
 * Cache layout: <home>/datasets/<dataset id>/<file name>, home =
 * $CORTEXBENCH_HOME (default ~/.cache/cortexbench). A file is downloaded to
 * "<name>.part" next to its final place (resumed with an HTTP Range request
 * when a previous attempt left one and the server answers 206), its size and
 * checksum are verified, and only then is it renamed into place: the final
 * name never holds a partial or unverified file. A wrong checksum deletes the
 * .part file. Transient failures (timeouts, stalls, connection resets, HTTP
 * 408/429/5xx) are retried with exponential backoff, resuming where the
 * transfer stopped; 404 and other client errors are not. TLS peers are
 * verified; proxies come from the usual environment variables (libcurl).
 *
 * A mirror replaces every upstream URL: a URL base maps a file to
 * <mirror>/<dataset id>/<file name>; a directory DIR to
 * file://DIR/<dataset id>/<file name> (the layout of ../shared/data), so an
 * offline cluster or CI uses a pre-staged copy through the same code path.
 */
#ifndef CB_FETCH_H
#define CB_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "cb_fs.h"
#include "cb_manifest.h"
#include "cb_sha.h"
#include "cb_status.h"

typedef struct cb_fetch_opts {
  char home[CB_PATH_MAX];   /* cache root */
  char mirror[CB_PATH_MAX]; /* "" none; a URL (contains "://") or a directory */
  long connect_timeout;     /* seconds to establish a connection */
  long stall_timeout;       /* seconds below 1 byte/s before giving up on a transfer */
  int retries;              /* extra attempts after a transient failure */
  double backoff;           /* seconds before the first retry; doubles each time */
  int progress;             /* 1: progress bar on stderr */
} cb_fetch_opts;

/* Defaults overridden by the environment: CORTEXBENCH_HOME, CORTEXBENCH_MIRROR,
 * CORTEXBENCH_FETCH_CONNECT_TIMEOUT (default 30), CORTEXBENCH_FETCH_TIMEOUT
 * (stall, default 60), CORTEXBENCH_FETCH_RETRIES (default 4),
 * CORTEXBENCH_FETCH_BACKOFF (default 1). Progress bar when stderr is a terminal. */
cb_status cb_fetch_opts_init(cb_fetch_opts *o);

typedef struct cb_fetch_stats {
  int cached;               /* files already present and verified */
  int downloaded;           /* files transferred and verified */
  uint64_t bytes;           /* bytes transferred */
} cb_fetch_stats;

/* <home>/datasets/<id>/<name>. */
cb_status cb_fetch_cache_path(const cb_fetch_opts *o, const char *id, const char *name, char *out, size_t n);

/* URL a file is fetched from (mirror mapping, or the upstream url). *url is
 * malloc'd. A file without upstream URL and no mirror is an error. */
cb_status cb_fetch_source_url(const cb_fetch_opts *o, const char *id, const cb_manifest_file *f, char **url);

/* Makes `dest` a verified copy of `url`: nothing to do when dest already has
 * the expected size and digest; else download (resuming dest.part), verify
 * (size < 0: unknown, not checked) and rename. *transferred (may be NULL) =
 * bytes received. */
cb_status cb_fetch_url(const cb_fetch_opts *o, const char *url, const char *dest, int64_t size, cb_hash_kind kind,
                       const char *digest, int *was_cached, uint64_t *transferred);

/* Every file of the dataset (only != NULL: that file) into the cache. */
cb_status cb_fetch_dataset(const cb_fetch_opts *o, const cb_manifest *m, const char *only, cb_fetch_stats *stats);

#endif
