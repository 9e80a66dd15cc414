/* cb_fetch.c - cached, verified, resumable downloads with libcurl (see cb_fetch.h). */
#include "cb_fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cb_log.h"
#include "cb_strbuf.h"
#include "cb_timer.h"
#include "cb_version.h"

/* ---- options ------------------------------------------------------------ */

static cb_status env_long(const char *name, long lo, long hi, long *out) {
  const char *v = getenv(name);
  if (!v || !*v) return CB_OK;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < lo || x > hi)
    return CB_ERROR(CB_ERR_ARG, "environment variable %s: expected an integer in [%ld, %ld], got '%s'", name, lo, hi, v);
  *out = x;
  return CB_OK;
}

cb_status cb_fetch_opts_init(cb_fetch_opts *o) {
  memset(o, 0, sizeof *o);
  o->connect_timeout = 30;
  o->stall_timeout = 60;
  o->retries = 4;
  o->backoff = 1.0;
  o->progress = isatty(STDERR_FILENO);
  const char *home = getenv("CORTEXBENCH_HOME");
  int w;
  if (home && *home) {
    w = snprintf(o->home, sizeof o->home, "%s", home);
  } else {
    const char *xdg = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (xdg && *xdg) w = snprintf(o->home, sizeof o->home, "%s/cortexbench", xdg);
    else if (h && *h) w = snprintf(o->home, sizeof o->home, "%s/.cache/cortexbench", h);
    else return CB_ERROR(CB_ERR_ARG, "neither CORTEXBENCH_HOME nor HOME is set: no place for the dataset cache");
  }
  if (w < 0 || (size_t)w >= sizeof o->home) return CB_ERROR(CB_ERR_ARG, "cache directory path too long");
  const char *mirror = getenv("CORTEXBENCH_MIRROR");
  if (mirror && *mirror && (size_t)snprintf(o->mirror, sizeof o->mirror, "%s", mirror) >= sizeof o->mirror)
    return CB_ERROR(CB_ERR_ARG, "CORTEXBENCH_MIRROR too long");
  long retries = o->retries;
  CB_CHECK(env_long("CORTEXBENCH_FETCH_CONNECT_TIMEOUT", 1, 3600, &o->connect_timeout));
  CB_CHECK(env_long("CORTEXBENCH_FETCH_TIMEOUT", 1, 86400, &o->stall_timeout));
  CB_CHECK(env_long("CORTEXBENCH_FETCH_RETRIES", 0, 100, &retries));
  const char *b = getenv("CORTEXBENCH_FETCH_BACKOFF");
  if (b && *b) {
    char *end;
    errno = 0;
    double x = strtod(b, &end);
    if (errno || *end || !(x >= 0 && x <= 600))
      return CB_ERROR(CB_ERR_ARG, "environment variable CORTEXBENCH_FETCH_BACKOFF: expected seconds in [0, 600], got '%s'", b);
    o->backoff = x;
  }
  o->retries = (int)retries;
  return CB_OK;
}

/* ---- paths and URLs ----------------------------------------------------- */

cb_status cb_fetch_cache_path(const cb_fetch_opts *o, const char *id, const char *name, char *out, size_t n) {
  if (!cb_manifest_name_ok(name)) return CB_ERROR(CB_ERR_ARG, "unsafe file name '%s'", name);
  int w = snprintf(out, n, "%s/datasets/%s/%s", o->home, id, name);
  if (w < 0 || (size_t)w >= n) return CB_ERROR(CB_ERR_ARG, "cache path too long for %s/%s", id, name);
  return CB_OK;
}

/* Appends s percent-encoded (RFC 3986 unreserved characters and '/' kept). */
static cb_status append_escaped(cb_strbuf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
    int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
               *p == '.' || *p == '_' || *p == '~' || *p == '/';
    char enc[4] = {(char)*p, 0, 0, 0};
    if (!keep) enc[0] = '%', enc[1] = hex[*p >> 4], enc[2] = hex[*p & 15];
    CB_CHECK(cb_strbuf_append(b, enc));
  }
  return CB_OK;
}

cb_status cb_fetch_source_url(const cb_fetch_opts *o, const char *id, const cb_manifest_file *f, char **url) {
  cb_strbuf b = {0};
  cb_status st = CB_OK;
  if (!o->mirror[0]) {
    if (!f->url) {
      return CB_ERROR(CB_ERR_ARG,
                      "%s/%s: made by the dataset's packagers, it has no upstream URL; fetch it from a mirror "
                      "(--mirror URL|DIR or CORTEXBENCH_MIRROR)",
                      id, f->name);
    }
    *url = cb_strdup(f->url);
    return *url ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  size_t len = strlen(o->mirror);
  while (len > 1 && o->mirror[len - 1] == '/') --len;
  if (strstr(o->mirror, "://")) {
    CB_CHECK_GOTO(cb_strbuf_printf(&b, "%.*s/", (int)len, o->mirror), st, fail);
  } else {
    char dir[CB_PATH_MAX], abs[CB_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)len, o->mirror);
    if (!cb_path_is_dir(dir)) {
      st = CB_ERROR(CB_ERR_ARG, "mirror %s: not a directory (give a directory or a URL)", dir);
      goto fail;
    }
    if (!realpath(dir, abs)) {
      st = CB_ERROR(CB_ERR_IO, "mirror %s: %s", dir, strerror(errno));
      goto fail;
    }
    /* curl's file:// reader would block on a FIFO: the input policy (cb_fs.h) first. */
    char src[CB_PATH_MAX];
    int w = snprintf(src, sizeof src, "%s/%s/%s", abs, id, f->name);
    if (w > 0 && (size_t)w < sizeof src && cb_path_exists(src)) CB_CHECK_GOTO(cb_file_check_regular(src), st, fail);
    CB_CHECK_GOTO(cb_strbuf_append(&b, "file://"), st, fail);
    CB_CHECK_GOTO(append_escaped(&b, abs), st, fail);
    CB_CHECK_GOTO(cb_strbuf_append(&b, strcmp(abs, "/") ? "/" : ""), st, fail);
  }
  CB_CHECK_GOTO(append_escaped(&b, id), st, fail);
  CB_CHECK_GOTO(cb_strbuf_append(&b, "/"), st, fail);
  CB_CHECK_GOTO(append_escaped(&b, f->name), st, fail);
  *url = b.data;
  return CB_OK;
fail:
  cb_strbuf_free(&b);
  return st;
}

/* ---- one transfer ------------------------------------------------------- */

typedef struct xfer {
  int fd;                  /* the .part file, positioned at `offset` */
  int64_t offset;          /* bytes already in the file when the transfer started */
  int64_t expected;        /* full size, -1 unknown */
  uint64_t received;       /* bytes written by this transfer */
  int first;               /* no byte written yet */
  int restarted;           /* the server ignored the Range request: file truncated */
  int write_errno;
  CURL *curl;
  const char *label;       /* name shown on the progress bar */
  int progress;
  double last_draw;
  double stall_limit;      /* seconds without a new byte before aborting */
  double last_byte_time;   /* when the byte count last grew */
  curl_off_t last_bytes;
  int stalled;             /* aborted by the stall check */
} xfer;

static size_t on_data(char *data, size_t size, size_t nmemb, void *user) {
  xfer *x = user;
  size_t n = size * nmemb;
  if (x->first) {
    x->first = 0;
    long code = 0;
    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
    if (x->offset > 0 && code == 200) {
      /* Range ignored: the body is the whole file, start over. */
      if (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) != 0) {
        x->write_errno = errno;
        return 0;
      }
      cb_log(CB_LOG_DEBUG, "%s: the server ignored the Range request; downloading from the start", x->label);
      x->offset = 0;
      x->restarted = 1;
    }
  }
  for (size_t done = 0; done < n;) {
    ssize_t w = write(x->fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      x->write_errno = errno;
      return 0;
    }
    done += (size_t)w;
  }
  x->received += n;
  return n;
}

static void draw_bar(xfer *x, double now_bytes, double total, int final) {
  char bar[31];
  int filled = total > 0 ? (int)(30.0 * now_bytes / total) : 0;
  if (filled > 30) filled = 30;
  for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
  bar[30] = '\0';
  if (total > 0)
    fprintf(stderr, "\r  %-36.36s [%s] %3d%% %7.1f/%.1f MB", x->label, bar, (int)(100.0 * now_bytes / total),
            now_bytes / 1e6, total / 1e6);
  else
    fprintf(stderr, "\r  %-36.36s %7.1f MB", x->label, now_bytes / 1e6);
  if (final) fputc('\n', stderr);
  fflush(stderr);
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  (void)ultotal, (void)ulnow;
  xfer *x = user;
  double now = cb_now();
  if (dlnow != x->last_bytes || x->last_byte_time == 0) {
    x->last_bytes = dlnow;
    x->last_byte_time = now;
  } else if (now - x->last_byte_time > x->stall_limit) {
    x->stalled = 1;
    return 1; /* abort: CURLE_ABORTED_BY_CALLBACK */
  }
  if (!x->progress || now - x->last_draw < 0.2) return 0;
  x->last_draw = now;
  double total = x->expected > 0 ? (double)x->expected : (dltotal > 0 ? (double)(dltotal + x->offset) : 0);
  draw_bar(x, (double)(dlnow + x->offset), total, 0);
  return 0;
}

/* One HTTP/file transfer appended to x->fd from x->offset. Returns the curl
 * code; *http = the HTTP status (0 for file://); errbuf = curl's message. */
static CURLcode transfer(const cb_fetch_opts *o, const char *url, xfer *x, long *http, char *errbuf) {
  CURL *c = curl_easy_init();
  if (!c) return CURLE_FAILED_INIT;
  x->curl = c;
  x->first = 1;
  errbuf[0] = '\0';
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->stall_timeout + 10);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "cortexbench/" CB_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE));
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (x->offset > 0) curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->offset);
  /* The callback draws the bar and detects stalls to the second (libcurl's
   * low-speed check averages over a window of several seconds: kept as a backstop). */
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
  CURLcode rc = curl_easy_perform(c);
  *http = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
  curl_easy_cleanup(c);
  x->curl = NULL;
  return rc;
}

/* Worth another attempt: timeouts, stalls, dropped connections, 408/429/5xx. */
static int transient(CURLcode rc, long http) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return 1;
    case CURLE_HTTP_RETURNED_ERROR:
      return http == 408 || http == 429 || http >= 500;
    default:
      return 0;
  }
}

static void sleep_seconds(double s) {
  if (s <= 0) return;
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int64_t fd_size(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* Size and digest of an existing file against the expected ones. *ok = 1
 * when they match; `actual` receives the digest (when the size matched). */
static cb_status verify(const char *path, int64_t size, cb_hash_kind kind, const char *digest, int *ok,
                        int64_t *actual_size, char *actual) {
  struct stat sb;
  *ok = 0;
  actual[0] = '\0';
  if (stat(path, &sb) != 0) return CB_ERROR(CB_ERR_IO, "%s: %s", path, strerror(errno));
  *actual_size = (int64_t)sb.st_size;
  if (size >= 0 && (int64_t)sb.st_size != size) return CB_OK;
  uint64_t n;
  CB_CHECK(cb_hash_file(path, kind, actual, &n));
  *ok = !strcmp(actual, digest);
  return CB_OK;
}

/* One download into dest through its .part file: the request, the open .part file, the transfer state and the
 * message of the last failed attempt. */
typedef struct fetch_job {
  const cb_fetch_opts *o;
  const char *url, *dest;
  int64_t size;                     /* expected bytes, -1 unknown */
  char part[CB_PATH_MAX];           /* dest.part */
  int fd;                           /* the .part file, locked; -1 before it is open */
  xfer x;
  int range_restarted;              /* the one restart from zero after a failed resume was taken */
  uint64_t received;                /* bytes received over every attempt */
  char errbuf[CURL_ERROR_SIZE];     /* curl's message of the last transfer */
  char msg[CURL_ERROR_SIZE + 64];   /* why the last attempt failed */
} fetch_job;

/* Outcome of one attempt. */
enum { FETCH_COMPLETE, FETCH_RETRY, FETCH_RESTART, FETCH_FAILED };

/* A cached dest that matches the manifest: *cached = 1. A mismatching one is removed (warning). */
static cb_status fetch_check_cache(const char *dest, int64_t size, cb_hash_kind kind, const char *digest,
                                   int *cached) {
  char actual[CB_HASH_HEX_MAX];
  int ok = 0;
  int64_t got = 0;
  *cached = 0;
  if (!cb_path_exists(dest)) return CB_OK;
  CB_CHECK(verify(dest, size, kind, digest, &ok, &got, actual));
  if (ok) {
    *cached = 1;
    return CB_OK;
  }
  cb_log(CB_LOG_WARN, "%s: cached copy does not match the manifest (size %lld, %s %s); downloading it again", dest,
         (long long)got, cb_hash_name(kind), actual[0] ? actual : "not computed");
  if (unlink(dest) != 0) return CB_ERROR(CB_ERR_IO, "%s: cannot remove (%s)", dest, strerror(errno));
  return CB_OK;
}

/* Opens and locks j->part (j->fd), making its directory. */
static cb_status fetch_open_part(fetch_job *j) {
  char dir[CB_PATH_MAX];
  if ((size_t)snprintf(j->part, sizeof j->part, "%s.part", j->dest) >= sizeof j->part)
    return CB_ERROR(CB_ERR_ARG, "%s: path too long", j->dest);
  cb_path_dirname(j->dest, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  j->fd = open(j->part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (j->fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", j->part, strerror(errno));
  if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
    return CB_ERROR(CB_ERR_IO, "%s: another process is downloading this file", j->part);
  return CB_OK;
}

/* Where the next attempt starts: the bytes already in the .part file (none when it is unreadable or too long), the
 * file positioned there and the transfer state reset; *complete = 1 when the file already has every byte. */
static cb_status fetch_resume_point(fetch_job *j, int *complete) {
  xfer *x = &j->x;
  int64_t have = fd_size(j->fd);
  *complete = 0;
  if (have < 0 || (j->size >= 0 && have > j->size)) {
    if (ftruncate(j->fd, 0) != 0) return CB_ERROR(CB_ERR_IO, "%s: cannot truncate (%s)", j->part, strerror(errno));
    have = 0;
  }
  if (j->size >= 0 && have == j->size && have > 0) { /* complete from an earlier run: verify */
    *complete = 1;
    return CB_OK;
  }
  if (lseek(j->fd, have, SEEK_SET) < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot seek (%s)", j->part, strerror(errno));
  x->offset = have;
  x->received = 0;
  x->restarted = 0;
  x->write_errno = 0;
  x->last_draw = 0;
  x->stall_limit = (double)j->o->stall_timeout;
  x->last_byte_time = 0;
  x->last_bytes = 0;
  x->stalled = 0;
  if (have > 0) cb_log(CB_LOG_INFO, "%s: resuming at byte %lld", x->label, (long long)have);
  return CB_OK;
}

/* The outcome of a finished transfer (rc, http): complete, worth retrying (why in j->msg), restart from zero, or
 * failed (*st). */
static int fetch_classify(fetch_job *j, CURLcode rc, long http, cb_status *st) {
  const char *url = j->url, *dest = j->dest, *errbuf = j->errbuf;
  char *msg = j->msg;
  const size_t ms = sizeof j->msg;
  int64_t now = fd_size(j->fd);
  if (rc == CURLE_OK) {
    if (j->size < 0 || now == j->size) return FETCH_COMPLETE;
    if (now > j->size) {
      snprintf(msg, ms, "got %lld bytes, expected %lld", (long long)now, (long long)j->size);
      unlink(j->part);
      *st = CB_ERROR(CB_ERR_FORMAT, "%s: size mismatch from %s: %s", dest, url, msg);
      return FETCH_FAILED;
    }
    snprintf(msg, ms, "transfer ended after %lld of %lld bytes", (long long)now, (long long)j->size);
  } else if ((rc == CURLE_HTTP_RETURNED_ERROR && http == 416) || rc == CURLE_BAD_DOWNLOAD_RESUME ||
             rc == CURLE_RANGE_ERROR) {
    /* The server cannot resume, or our partial file does not fit the
     * remote one: start again from zero, once, without counting an attempt. */
    if (ftruncate(j->fd, 0) != 0) {
      *st = CB_ERROR(CB_ERR_IO, "%s: cannot truncate (%s)", j->part, strerror(errno));
      return FETCH_FAILED;
    }
    snprintf(msg, ms, "cannot resume (%s); restarting", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (!j->range_restarted) {
      j->range_restarted = 1;
      cb_log(CB_LOG_INFO, "%s: %s", j->x.label, msg);
      return FETCH_RESTART;
    }
  } else if (j->x.stalled || transient(rc, http)) {
    if (j->x.stalled)
      snprintf(msg, ms, "timed out: no data for %ld s", j->o->stall_timeout);
    else if (rc == CURLE_HTTP_RETURNED_ERROR) snprintf(msg, ms, "HTTP %ld", http);
    else snprintf(msg, ms, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
  } else {
    if (rc == CURLE_HTTP_RETURNED_ERROR)
      *st = CB_ERROR(CB_ERR_IO, "%s: download failed from %s: HTTP %ld", dest, url, http);
    else
      *st = CB_ERROR(CB_ERR_IO, "%s: download failed from %s: %s", dest, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return FETCH_FAILED;
  }
  return FETCH_RETRY;
}

/* One transfer from the resume point and its outcome (*st on FETCH_FAILED). */
static int fetch_attempt(fetch_job *j, cb_status *st) {
  xfer *x = &j->x;
  int complete = 0;
  *st = fetch_resume_point(j, &complete);
  if (*st != CB_OK) return FETCH_FAILED;
  if (complete) return FETCH_COMPLETE;
  long http = 0;
  CURLcode rc = transfer(j->o, j->url, x, &http, j->errbuf);
  j->received += x->received;
  if (x->progress && rc == CURLE_OK)
    draw_bar(x, (double)fd_size(j->fd), (double)(j->size >= 0 ? j->size : fd_size(j->fd)), 1);
  else if (x->progress && x->last_draw > 0) fputc('\n', stderr);
  if (x->write_errno) {
    *st = CB_ERROR(CB_ERR_IO, "%s: write failed (%s)", j->part, strerror(x->write_errno));
    return FETCH_FAILED;
  }
  return fetch_classify(j, rc, http, st);
}

/* Attempts until the .part file is complete, retrying transient failures o->retries times with exponential
 * backoff. */
static cb_status fetch_transfer(fetch_job *j) {
  const cb_fetch_opts *o = j->o;
  for (int attempt = 0;; ++attempt) {
    cb_status st = CB_OK;
    int r = fetch_attempt(j, &st);
    if (r == FETCH_COMPLETE) return CB_OK;
    if (r == FETCH_FAILED) return st;
    if (r == FETCH_RESTART) {
      --attempt;
      continue;
    }
    if (attempt >= o->retries)
      return CB_ERROR(CB_ERR_IO, "%s: download failed from %s after %d attempt%s: %s", j->dest, j->url, attempt + 1,
                      attempt ? "s" : "", j->msg);
    double wait = o->backoff * (double)(1L << (attempt < 20 ? attempt : 20));
    cb_log(CB_LOG_WARN, "%s: %s; retrying in %.1f s (attempt %d of %d)", j->x.label, j->msg, wait, attempt + 2,
           o->retries + 1);
    sleep_seconds(wait);
  }
}

/* Checks the complete .part file against the manifest (removed when it does not match) and moves it to dest. */
static cb_status fetch_commit(fetch_job *j, cb_hash_kind kind, const char *digest) {
  char actual[CB_HASH_HEX_MAX];
  int ok = 0;
  int64_t got = 0;
  CB_CHECK(verify(j->part, j->size, kind, digest, &ok, &got, actual));
  if (!ok) {
    unlink(j->part);
    if (j->size >= 0 && got != j->size)
      return CB_ERROR(CB_ERR_FORMAT, "%s: size mismatch from %s: expected %lld bytes, got %lld", j->dest, j->url,
                      (long long)j->size, (long long)got);
    return CB_ERROR(CB_ERR_FORMAT, "%s: %s mismatch from %s: expected %s, got %s", j->dest, cb_hash_name(kind), j->url,
                    digest, actual);
  }
  return cb_file_commit(j->part, j->dest);
}

cb_status cb_fetch_url(const cb_fetch_opts *o, const char *url, const char *dest, int64_t size, cb_hash_kind kind,
                       const char *digest, int *was_cached, uint64_t *transferred) {
  cb_status st = CB_OK;
  int cached = 0;
  if (was_cached) *was_cached = 0;
  if (transferred) *transferred = 0;
  CB_CHECK(fetch_check_cache(dest, size, kind, digest, &cached));
  if (cached) {
    if (was_cached) *was_cached = 1;
    return CB_OK;
  }
  fetch_job job = {0};
  fetch_job *j = &job;
  j->o = o;
  j->url = url;
  j->dest = dest;
  j->size = size;
  j->fd = -1;
  CB_CHECK_GOTO(fetch_open_part(j), st, done);
  const char *slash = strrchr(dest, '/');
  j->x = (xfer){.fd = j->fd, .expected = size, .label = slash ? slash + 1 : dest, .progress = o->progress};
  CB_CHECK_GOTO(fetch_transfer(j), st, done);
  CB_CHECK_GOTO(fetch_commit(j, kind, digest), st, done);
  if (transferred) *transferred = j->received;
done:
  if (j->fd >= 0) {
    /* Leave nothing behind when nothing was received (404, refused...). */
    if (st != CB_OK && fd_size(j->fd) == 0) unlink(j->part);
    close(j->fd);
  }
  return st;
}

/* ---- a whole dataset ---------------------------------------------------- */

cb_status cb_fetch_dataset(const cb_fetch_opts *o, const cb_manifest *m, const char *only, cb_fetch_stats *stats) {
  cb_fetch_stats s = {0};
  if (only && !cb_manifest_file_find(m, only))
    return CB_ERROR(CB_ERR_ARG, "%s: dataset %s has no file '%s'", m->path, m->id, only);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) return CB_ERROR(CB_ERR_INTERNAL, "libcurl initialisation failed");
  if (!m->verified)
    cb_log(CB_LOG_WARN, "%s: the checksums are the publisher's and were not verified by cortexbench (verified = false)",
           m->id);
  cb_status st = CB_OK;
  for (int i = 0; i < m->n_files && st == CB_OK; ++i) {
    const cb_manifest_file *f = &m->files[i];
    if (only && strcmp(only, f->name)) continue;
    char dest[CB_PATH_MAX], *url = NULL;
    int cached = 0;
    uint64_t bytes = 0;
    st = cb_fetch_cache_path(o, m->id, f->name, dest, sizeof dest);
    if (st == CB_OK) st = cb_fetch_source_url(o, m->id, f, &url);
    if (st == CB_OK) {
      cb_log(CB_LOG_DEBUG, "%s/%s <- %s", m->id, f->name, url);
      st = cb_fetch_url(o, url, dest, f->size, f->hash, f->digest, &cached, &bytes);
    }
    free(url);
    if (st != CB_OK) break;
    if (cached) s.cached++;
    else s.downloaded++;
    s.bytes += bytes;
    cb_log(CB_LOG_DEBUG, "%s/%s: %s", m->id, f->name, cached ? "cached" : "downloaded and verified");
  }
  curl_global_cleanup();
  if (st == CB_OK && stats) *stats = s;
  return st;
}
