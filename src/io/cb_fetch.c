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

cb_status cb_fetch_url(const cb_fetch_opts *o, const char *url, const char *dest, int64_t size, cb_hash_kind kind,
                       const char *digest, int *was_cached, uint64_t *transferred) {
  char part[CB_PATH_MAX], dir[CB_PATH_MAX], actual[CB_HASH_HEX_MAX], errbuf[CURL_ERROR_SIZE];
  int ok = 0, fd = -1;
  int64_t got = 0;
  uint64_t received = 0;
  cb_status st = CB_OK;
  if (was_cached) *was_cached = 0;
  if (transferred) *transferred = 0;

  if (cb_path_exists(dest)) {
    CB_CHECK(verify(dest, size, kind, digest, &ok, &got, actual));
    if (ok) {
      if (was_cached) *was_cached = 1;
      return CB_OK;
    }
    cb_log(CB_LOG_WARN, "%s: cached copy does not match the manifest (size %lld, %s %s); downloading it again", dest,
           (long long)got, cb_hash_name(kind), actual[0] ? actual : "not computed");
    if (unlink(dest) != 0) return CB_ERROR(CB_ERR_IO, "%s: cannot remove (%s)", dest, strerror(errno));
  }
  if ((size_t)snprintf(part, sizeof part, "%s.part", dest) >= sizeof part)
    return CB_ERROR(CB_ERR_ARG, "%s: path too long", dest);
  cb_path_dirname(dest, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", part, strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    st = CB_ERROR(CB_ERR_IO, "%s: another process is downloading this file", part);
    goto done;
  }

  const char *slash = strrchr(dest, '/');
  xfer x = {.fd = fd, .expected = size, .label = slash ? slash + 1 : dest, .progress = o->progress};
  int range_restarted = 0;
  for (int attempt = 0;; ++attempt) {
    int64_t have = fd_size(fd);
    if (have < 0 || (size >= 0 && have > size)) {
      if (ftruncate(fd, 0) != 0) {
        st = CB_ERROR(CB_ERR_IO, "%s: cannot truncate (%s)", part, strerror(errno));
        goto done;
      }
      have = 0;
    }
    if (size >= 0 && have == size && have > 0) break; /* complete from an earlier run: verify */
    if (lseek(fd, have, SEEK_SET) < 0) {
      st = CB_ERROR(CB_ERR_IO, "%s: cannot seek (%s)", part, strerror(errno));
      goto done;
    }
    x.offset = have;
    x.received = 0;
    x.restarted = 0;
    x.write_errno = 0;
    x.last_draw = 0;
    x.stall_limit = (double)o->stall_timeout;
    x.last_byte_time = 0;
    x.last_bytes = 0;
    x.stalled = 0;
    if (have > 0) cb_log(CB_LOG_INFO, "%s: resuming at byte %lld", x.label, (long long)have);
    long http = 0;
    CURLcode rc = transfer(o, url, &x, &http, errbuf);
    received += x.received;
    if (x.progress && rc == CURLE_OK) draw_bar(&x, (double)fd_size(fd), (double)(size >= 0 ? size : fd_size(fd)), 1);
    else if (x.progress && x.last_draw > 0) fputc('\n', stderr);
    if (x.write_errno) {
      st = CB_ERROR(CB_ERR_IO, "%s: write failed (%s)", part, strerror(x.write_errno));
      goto done;
    }
    int64_t now = fd_size(fd);
    const char *why = NULL;
    char msg[CURL_ERROR_SIZE + 64];
    if (rc == CURLE_OK) {
      if (size < 0 || now == size) break;
      if (now > size) {
        snprintf(msg, sizeof msg, "got %lld bytes, expected %lld", (long long)now, (long long)size);
        unlink(part);
        st = CB_ERROR(CB_ERR_FORMAT, "%s: size mismatch from %s: %s", dest, url, msg);
        goto done;
      }
      snprintf(msg, sizeof msg, "transfer ended after %lld of %lld bytes", (long long)now, (long long)size);
      why = msg;
    } else if ((rc == CURLE_HTTP_RETURNED_ERROR && http == 416) || rc == CURLE_BAD_DOWNLOAD_RESUME ||
               rc == CURLE_RANGE_ERROR) {
      /* The server cannot resume, or our partial file does not fit the
       * remote one: start again from zero, once, without counting an attempt. */
      if (ftruncate(fd, 0) != 0) {
        st = CB_ERROR(CB_ERR_IO, "%s: cannot truncate (%s)", part, strerror(errno));
        goto done;
      }
      snprintf(msg, sizeof msg, "cannot resume (%s); restarting", errbuf[0] ? errbuf : curl_easy_strerror(rc));
      why = msg;
      if (!range_restarted) {
        range_restarted = 1;
        cb_log(CB_LOG_INFO, "%s: %s", x.label, why);
        --attempt;
        continue;
      }
    } else if (x.stalled || transient(rc, http)) {
      if (x.stalled)
        snprintf(msg, sizeof msg, "timed out: no data for %ld s", o->stall_timeout);
      else if (rc == CURLE_HTTP_RETURNED_ERROR) snprintf(msg, sizeof msg, "HTTP %ld", http);
      else snprintf(msg, sizeof msg, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
      why = msg;
    } else {
      if (rc == CURLE_HTTP_RETURNED_ERROR)
        st = CB_ERROR(CB_ERR_IO, "%s: download failed from %s: HTTP %ld", dest, url, http);
      else
        st = CB_ERROR(CB_ERR_IO, "%s: download failed from %s: %s", dest, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
      goto done;
    }
    if (attempt >= o->retries) {
      st = CB_ERROR(CB_ERR_IO, "%s: download failed from %s after %d attempt%s: %s", dest, url, attempt + 1,
                    attempt ? "s" : "", why);
      goto done;
    }
    double wait = o->backoff * (double)(1L << (attempt < 20 ? attempt : 20));
    cb_log(CB_LOG_WARN, "%s: %s; retrying in %.1f s (attempt %d of %d)", x.label, why, wait, attempt + 2,
           o->retries + 1);
    sleep_seconds(wait);
  }

  CB_CHECK_GOTO(verify(part, size, kind, digest, &ok, &got, actual), st, done);
  if (!ok) {
    unlink(part);
    if (size >= 0 && got != size)
      st = CB_ERROR(CB_ERR_FORMAT, "%s: size mismatch from %s: expected %lld bytes, got %lld", dest, url,
                    (long long)size, (long long)got);
    else
      st = CB_ERROR(CB_ERR_FORMAT, "%s: %s mismatch from %s: expected %s, got %s", dest, cb_hash_name(kind), url,
                    digest, actual);
    goto done;
  }
  CB_CHECK_GOTO(cb_file_commit(part, dest), st, done);
  if (transferred) *transferred = received;
done:
  if (fd >= 0) {
    /* Leave nothing behind when nothing was received (404, refused...). */
    if (st != CB_OK && fd_size(fd) == 0) unlink(part);
    close(fd);
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
