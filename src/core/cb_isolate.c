/* cb_isolate.c - see cb_isolate.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cb_isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_written.h"

#define REPLY_MAGIC INT64_C(0x43424953524c5931) /* "CBISRLY1" */
#define ERR_KEEP 8192                           /* bytes of the child's stderr kept for the message */

int cb_isolate_enabled(void) {
  const char *e = getenv("CB_ISOLATE");
  return !(e && strcmp(e, "0") == 0);
}

double cb_isolate_timeout(long long bytes) {
  const char *e = getenv("CB_ISOLATE_TIMEOUT");
  if (e && *e) {
    char *end = NULL;
    double t = strtod(e, &end);
    if (end != e && t > 0) return t;
  }
  if (bytes < 0) bytes = 0;
  return 60.0 + (double)bytes / (10.0 * 1024 * 1024);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The child: parse, serialize, send, _exit. Never returns. */
static int in_child = 0;
int cb_isolate_in_child(void) { return in_child; }
int cb_isolate_copies(void) { return in_child ? 3 : 1; }

/* The reply's header: magic, status, message ("" on success: a fixed size), payload length. */
static void put_head(cb_wire *h, cb_status st, int64_t len) {
  cb_wire_put_i64(h, REPLY_MAGIC);
  cb_wire_put_i64(h, (int64_t)st);
  cb_wire_put_str(h, st == CB_OK ? "" : cb_error_message());
  cb_wire_put_i64(h, len);
}

static void run_child(int res_fd, int err_fd, int mem_fd, cb_isolate_fn fn, void *arg) {
  in_child = 1;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* Stop requests (Ctrl-C to the process group, mpirun forwarding SIGTERM or
   * SIGUSR1) are the parent's to handle (cb_signal): the child finishes its
   * short read, or is killed at the timeout or when the parent dies. */
  int stop[] = {SIGINT, SIGTERM, SIGUSR1};
  for (size_t i = 0; i < sizeof stop / sizeof stop[0]; ++i) signal(stop[i], SIG_IGN);
  signal(SIGPIPE, SIG_DFL);
  /* glibc's fatal messages ("free(): invalid pointer") go to stderr, not the tty. */
  setenv("LIBC_FATAL_STDERR_", "1", 1);
  dup2(err_fd, STDERR_FILENO);
  dup2(err_fd, STDOUT_FILENO);
  cb_error_clear();
  if (mem_fd >= 0) {
    /* The reply goes into the shared-memory file, which the parent maps (no pipe round trips, no copy on its
     * side); the payload streams in behind room for the success header, written last at offset 0. */
    cb_wire head = {0}, payload = {0};
    put_head(&head, CB_OK, 0);
    int rc = head.bad || lseek(mem_fd, (off_t)head.len, SEEK_SET) < 0;
    cb_wire_stream(&payload, mem_fd);
    cb_status st = rc ? CB_ERROR(CB_ERR_IO, "cannot write the reply") : fn(arg, &payload);
    if (st == CB_OK && cb_wire_flush(&payload) != 0)
      st = CB_ERROR(CB_ERR_NOMEM, "out of memory or space while sending a parsed file");
    cb_wire_free(&head);
    put_head(&head, st, st == CB_OK ? (int64_t)payload.len : 0);
    if (st == CB_OK) rc = head.bad || pwrite(mem_fd, head.buf, head.len, 0) != (ssize_t)head.len;
    else rc = head.bad || ftruncate(mem_fd, 0) != 0 || pwrite(mem_fd, head.buf, head.len, 0) != (ssize_t)head.len;
    cb_wire_free(&head);
    cb_wire_free(&payload);
    _exit(rc ? 2 : 0);
  }
  cb_wire payload = {0};
  cb_status st = fn(arg, &payload);
  if (st == CB_OK && payload.bad) st = CB_ERROR(CB_ERR_NOMEM, "out of memory while sending a parsed file");
  cb_wire head = {0};
  put_head(&head, st, st == CB_OK ? (int64_t)payload.len : 0);
  int rc = head.bad || cb_fd_write_all(res_fd, head.buf, head.len) != 0;
  if (!rc && st == CB_OK) rc = cb_fd_write_all(res_fd, payload.buf, payload.len) != 0;
  cb_wire_free(&head);
  cb_wire_free(&payload);
  _exit(rc ? 2 : 0);
}

/* First line of the captured stderr that says what went wrong, else "". */
static void relevant_line(const char *err, char *out, size_t n) {
  /* Not the sanitizers' reports: their addresses and frames mean nothing to a
   * user (the sanitizer builds say "exit status 1"). */
  static const char *const keys[] = {"free()", "malloc", "double free", "corrupted", "Assertion", "HDF5"};
  out[0] = '\0';
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k) {
    const char *p = strstr(err, keys[k]);
    if (p == NULL) continue;
    while (p > err && p[-1] != '\n') --p;
    size_t j = 0;
    for (; p[j] && p[j] != '\n' && j + 1 < n; ++j) out[j] = (p[j] >= 32 && p[j] < 127) ? p[j] : '?';
    out[j] = '\0';
    while (j > 0 && out[j - 1] == ' ') out[--j] = '\0';
    if (j > 120) strcpy(out + 117, "...");
    return;
  }
}

static cb_status crashed(const char *path, const char *detail) {
  return CB_ERROR(CB_ERR_FORMAT,
                  "%s: corrupt or unsupported HDF5 file (the HDF5 library crashed while reading it: %s)", path,
                  detail);
}

/* Checks the reply header; on CB_OK leaves `reply` positioned at the payload. */
static cb_status decode_reply(const char *path, cb_wire *reply) {
  int64_t magic = 0, st = 0, len = 0;
  char *msg = NULL;
  if (!cb_wire_get_i64(reply, &magic) || magic != REPLY_MAGIC || !cb_wire_get_count(reply, 0, CB_ERR_INTERNAL, &st) ||
      !cb_wire_get_str(reply, &msg) || !cb_wire_get_count(reply, 0, INT64_MAX, &len) ||
      (uint64_t)len != cb_wire_left(reply)) {
    free(msg);
    return crashed(path, "malformed reply from the reading process");
  }
  cb_status s = (cb_status)st;
  if (s != CB_OK) {
    if (msg == NULL || msg[0] == '\0') s = CB_ERROR(s, "%s: cannot read", path);
    else s = CB_ERROR(s, "%s", msg);
  }
  free(msg);
  return s;
}

static cb_status run_inline(cb_isolate_fn fn, void *arg, cb_wire *reply) {
  cb_status st = fn(arg, reply);
  if (st == CB_OK && reply->bad) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st != CB_OK) cb_wire_free(reply);
  reply->pos = 0;
  return st;
}

/* Files this process wrote itself (cb_isolate_trust); at most a few hundred. */
static char **trusted;
static int n_trusted;

cb_status cb_isolate_trust(const char *path) {
  if (cb_isolate_trusted(path)) return CB_OK;
  char **t = realloc(trusted, sizeof *t * (size_t)(n_trusted + 1));
  if (!t) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  trusted = t;
  if (!(trusted[n_trusted] = strdup(path))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  ++n_trusted;
  return CB_OK;
}

int cb_isolate_trusted(const char *path) {
  for (int i = 0; path && i < n_trusted; ++i)
    if (!strcmp(trusted[i], path)) return 1;
  return 0;
}

int cb_isolate_inline(const char *path) {
  return !cb_isolate_enabled() || cb_isolate_trusted(path) || cb_written_unchanged(path);
}

void cb_isolate_trust_clear(void) {
  for (int i = 0; i < n_trusted; ++i) free(trusted[i]);
  free(trusted);
  trusted = NULL;
  n_trusted = 0;
}

/* reply = a read-only view of the reply the child wrote into mem_fd (MAP_POPULATE: mapped at once). */
static int map_reply(int mem_fd, cb_wire *reply) {
  struct stat sb;
  if (fstat(mem_fd, &sb) != 0 || sb.st_size <= 0) return -1;
  void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, mem_fd, 0);
  if (m == MAP_FAILED) return -1;
  reply->buf = m;
  reply->len = reply->cap = (size_t)sb.st_size;
  reply->mapped = 1;
  return 0;
}

/* Two close-on-exec pipes: res for the reply, err for the child's stderr; both closed on failure. */
static cb_status open_pipes(const char *path, int res[2], int err[2]) {
  if (pipe2(res, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    for (int i = 0; i < 2; ++i) {
      if (res[i] >= 0) close(res[i]);
      if (err[i] >= 0) close(err[i]);
    }
    return CB_ERROR(CB_ERR_IO, "%s: cannot create a pipe to read it (%s)", path, strerror(e));
  }
  return CB_OK;
}

/* Reads both pipes until they close or the deadline passes: the reply into `reply`, the first ERR_KEEP bytes of
 * stderr into errbuf (NUL-terminated, inner NULs as spaces). 1 when the deadline passed. */
static int collect(int res_fd, int err_fd, double deadline, cb_wire *reply, char errbuf[ERR_KEEP + 1]) {
  size_t errlen = 0;
  int open_res = 1, open_err = 1, timed_out = 0;
  unsigned char chunk[1 << 16]; /* a pipe holds 64 KiB (the reply itself goes through shared memory) */
  while (open_res || open_err) {
    double left = deadline - now_s();
    if (left <= 0) {
      timed_out = 1;
      break;
    }
    struct pollfd p[2] = {{open_res ? res_fd : -1, POLLIN, 0}, {open_err ? err_fd : -1, POLLIN, 0}};
    int ms = left > 1.0 ? 1000 : (int)(left * 1000.0) + 1; /* wake at least every second */
    int r = poll(p, 2, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t k = read(p[i].fd, chunk, sizeof chunk);
      if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (k <= 0) {
        if (i == 0) open_res = 0;
        else open_err = 0;
        continue;
      }
      if (i == 0) {
        cb_wire_put_bytes(reply, chunk, (size_t)k);
      } else if (errlen < ERR_KEEP) {
        size_t take = (size_t)k < ERR_KEEP - errlen ? (size_t)k : ERR_KEEP - errlen;
        memcpy(errbuf + errlen, chunk, take);
        errlen += take;
      }
    }
  }
  errbuf[errlen] = '\0';
  for (size_t i = 0; i < errlen; ++i)
    if (errbuf[i] == '\0') errbuf[i] = ' ';
  return timed_out;
}

/* The outcome of the child pid (waitpid returned w with status wst): a timeout, a reply too large to keep, an
 * interruption, a crash or a failed exit (with the relevant line of its stderr), no reply, else the decoded reply. */
static cb_status outcome(const char *path, double timeout, int timed_out, pid_t pid, pid_t w, int wst,
                         const char *errbuf, int mem_fd, cb_wire *reply) {
  char line[160];
  relevant_line(errbuf, line, sizeof line);
  if (timed_out)
    return CB_ERROR(CB_ERR_FORMAT,
                    "%s: corrupt or unsupported HDF5 file (the HDF5 library timed out reading it after %g s)", path,
                    timeout);
  if (reply->bad) return CB_ERROR(CB_ERR_NOMEM, "%s: out of memory while receiving the parsed file", path);
  if (w == pid && WIFSIGNALED(wst) && (WTERMSIG(wst) == SIGINT || WTERMSIG(wst) == SIGTERM || WTERMSIG(wst) == SIGUSR1))
    return CB_ERROR(CB_ERR_INTERRUPTED, "%s: reading interrupted by signal %d", path, WTERMSIG(wst));
  if (w == pid && WIFSIGNALED(wst)) {
    char detail[220];
    int sig = WTERMSIG(wst);
    if (line[0]) snprintf(detail, sizeof detail, "signal %d, %s: %s", sig, strsignal(sig), line);
    else snprintf(detail, sizeof detail, "signal %d, %s", sig, strsignal(sig));
    return crashed(path, detail);
  }
  if (w == pid && (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)) {
    char detail[220];
    if (line[0]) snprintf(detail, sizeof detail, "exit status %d: %s", WEXITSTATUS(wst), line);
    else snprintf(detail, sizeof detail, "exit status %d", WEXITSTATUS(wst));
    return crashed(path, detail);
  }
  if (mem_fd >= 0 && (reply->len > 0 || map_reply(mem_fd, reply) != 0))
    return crashed(path, "no reply from the reading process");
  return decode_reply(path, reply);
}

cb_status cb_isolate_call(const char *path, cb_isolate_fn fn, void *arg, cb_wire *reply) {
  memset(reply, 0, sizeof *reply);
  if (cb_isolate_inline(path)) return run_inline(fn, arg, reply);
  struct stat sb;
  double timeout = cb_isolate_timeout(path && stat(path, &sb) == 0 ? (long long)sb.st_size : 0);
  if (path == NULL) path = "(unnamed)";
  int res[2] = {-1, -1}, err[2] = {-1, -1};
  CB_CHECK(open_pipes(path, res, err));
  fcntl(res[1], F_SETPIPE_SZ, 1 << 20); /* fewer context switches for large replies (best effort) */
  int mem_fd = memfd_create("cb_isolate_reply", MFD_CLOEXEC); /* -1: the reply comes down the pipe */
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(res[0]), close(res[1]), close(err[0]), close(err[1]);
    if (mem_fd >= 0) close(mem_fd);
    return CB_ERROR(CB_ERR_IO, "%s: cannot start a process to read it (%s)", path, strerror(e));
  }
  if (pid == 0) {
    close(res[0]);
    close(err[0]);
    run_child(res[1], err[1], mem_fd, fn, arg);
  }
  close(res[1]);
  close(err[1]);

  char errbuf[ERR_KEEP + 1];
  int timed_out = collect(res[0], err[0], now_s() + timeout, reply, errbuf);
  if (timed_out) kill(pid, SIGKILL);
  close(res[0]);
  close(err[0]);
  int wst = 0;
  pid_t w;
  do w = waitpid(pid, &wst, 0);
  while (w < 0 && errno == EINTR);

  cb_status st = outcome(path, timeout, timed_out, pid, w, wst, errbuf, mem_fd, reply);
  if (mem_fd >= 0) close(mem_fd);
  if (st != CB_OK) cb_wire_free(reply);
  return st;
}
