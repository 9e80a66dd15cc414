/* cb_wire.c - see cb_wire.h. */
#include "cb_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_strbuf.h"

static void room_unmap(cb_wire *w) {
  if (w->room_map) munmap(w->room_map, w->room_map_len);
  w->room_map = NULL;
  w->room_map_len = 0;
}

void cb_wire_free(cb_wire *w) {
  if (w == NULL) return;
  room_unmap(w);
  if (w->mapped && w->buf) munmap(w->buf, w->cap);
  else free(w->buf);
  memset(w, 0, sizeof *w);
}

#define STREAM_BUF ((size_t)1 << 20)

void cb_wire_stream(cb_wire *w, int fd) {
  w->streaming = 1;
  w->stream_fd = fd;
  w->pending = 0;
}

int cb_wire_flush(cb_wire *w) {
  room_unmap(w);
  if (!w->streaming || w->pending == 0) return w->bad ? -1 : 0;
  if (cb_fd_write_all(w->stream_fd, w->buf, w->pending) != 0) w->bad = 1;
  w->pending = 0;
  return w->bad ? -1 : 0;
}

static void stream_put(cb_wire *w, const void *p, size_t n) {
  if (!w->buf && !(w->buf = malloc(STREAM_BUF))) {
    w->bad = 1;
    return;
  }
  w->cap = STREAM_BUF;
  if (n >= STREAM_BUF / 4) { /* large arrays: after what is buffered, straight to the file */
    if (cb_wire_flush(w) != 0) return;
    if (cb_fd_write_all(w->stream_fd, p, n) != 0) w->bad = 1;
  } else {
    if (w->pending + n > STREAM_BUF && cb_wire_flush(w) != 0) return;
    memcpy(w->buf + w->pending, p, n);
    w->pending += n;
  }
  w->len += n;
}

/* Kept in memory: capacity for n more bytes (1) or w->bad (0). */
static int reserve(cb_wire *w, size_t n) {
  if (w->mapped) {
    w->bad = 1;
    return 0;
  }
  if (w->len + n > w->cap) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n) cap *= 2;
    unsigned char *b = realloc(w->buf, cap);
    if (b == NULL) {
      w->bad = 1;
      return 0;
    }
    w->buf = b;
    w->cap = cap;
  }
  return 1;
}

void cb_wire_put_bytes(cb_wire *w, const void *p, size_t n) {
  if (w->bad || n == 0) return;
  room_unmap(w);
  if (w->streaming) {
    stream_put(w, p, n);
    return;
  }
  if (!reserve(w, n)) return;
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

/* Streaming: extend the file by n bytes at its position and map them shared. */
static void *stream_room(cb_wire *w, size_t n) {
  if (cb_wire_flush(w) != 0) return NULL;
  off_t off = lseek(w->stream_fd, 0, SEEK_CUR);
  long page = sysconf(_SC_PAGESIZE);
  if (off < 0 || page <= 0 || ftruncate(w->stream_fd, off + (off_t)n) != 0) return NULL;
  off_t base = off - off % page; /* mmap offsets are page multiples */
  size_t len = (size_t)(off - base) + n;
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, w->stream_fd, base);
  if (m == MAP_FAILED) return NULL;
  if (lseek(w->stream_fd, off + (off_t)n, SEEK_SET) < 0) {
    munmap(m, len);
    return NULL;
  }
  w->room_map = m;
  w->room_map_len = len;
  w->len += n;
  return (unsigned char *)m + (off - base);
}

void *cb_wire_put_room(cb_wire *w, size_t n) {
  static unsigned char none; /* n == 0: a valid pointer to nothing */
  if (w->bad) return NULL;
  room_unmap(w);
  if (n == 0) return &none;
  if (w->streaming) {
    void *r = stream_room(w, n);
    if (!r) w->bad = 1;
    return r;
  }
  if (!reserve(w, n)) return NULL;
  w->len += n;
  return w->buf + w->len - n;
}

void cb_wire_put_i64(cb_wire *w, int64_t v) { cb_wire_put_bytes(w, &v, sizeof v); }

void cb_wire_put_f64s(cb_wire *w, const double *v, int64_t n) {
  if (n > 0) cb_wire_put_bytes(w, v, (size_t)n * sizeof *v);
}

void cb_wire_put_f32s(cb_wire *w, const float *v, int64_t n) {
  if (n > 0) cb_wire_put_bytes(w, v, (size_t)n * sizeof *v);
}

void cb_wire_put_str(cb_wire *w, const char *s) {
  if (s == NULL) {
    cb_wire_put_i64(w, -1);
    return;
  }
  size_t n = strlen(s);
  cb_wire_put_i64(w, (int64_t)n);
  cb_wire_put_bytes(w, s, n);
}

void cb_wire_put_strs(cb_wire *w, char *const *s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) cb_wire_put_str(w, s[i] ? s[i] : "");
}

size_t cb_wire_left(const cb_wire *w) { return w->pos <= w->len ? w->len - w->pos : 0; }

int cb_wire_get_bytes(cb_wire *w, void *p, size_t n) {
  if (w->bad || n > cb_wire_left(w)) {
    w->bad = 1;
    return 0;
  }
  if (n) memcpy(p, w->buf + w->pos, n);
  w->pos += n;
  return 1;
}

const void *cb_wire_get_view(cb_wire *w, size_t n) {
  if (w->bad || n > cb_wire_left(w)) {
    w->bad = 1;
    return NULL;
  }
  const void *v = w->buf + w->pos;
  w->pos += n;
  return v;
}

int cb_wire_get_i64(cb_wire *w, int64_t *v) { return cb_wire_get_bytes(w, v, sizeof *v); }

int cb_wire_get_count(cb_wire *w, int64_t lo, int64_t hi, int64_t *v) {
  int64_t x = 0;
  if (!cb_wire_get_i64(w, &x)) return 0;
  if (x < lo || x > hi) {
    w->bad = 1;
    return 0;
  }
  *v = x;
  return 1;
}

/* n elements of `size` bytes, checked against what is left before allocating. */
static int get_array(cb_wire *w, int64_t n, size_t size, void **out) {
  if (w->bad || n < 0 || (uint64_t)n > cb_wire_left(w) / size) {
    w->bad = 1;
    return 0;
  }
  void *p = malloc(n > 0 ? (size_t)n * size : 1);
  if (p == NULL || !cb_wire_get_bytes(w, p, (size_t)n * size)) {
    free(p);
    w->bad = 1;
    return 0;
  }
  *out = p;
  return 1;
}

int cb_wire_get_f64s(cb_wire *w, int64_t n, double **out) { return get_array(w, n, sizeof **out, (void **)out); }
int cb_wire_get_f32s(cb_wire *w, int64_t n, float **out) { return get_array(w, n, sizeof **out, (void **)out); }

int cb_wire_get_str(cb_wire *w, char **out) {
  int64_t n = 0;
  if (!cb_wire_get_i64(w, &n)) return 0;
  if (n == -1) {
    *out = NULL;
    return 1;
  }
  if (n < 0 || (uint64_t)n > cb_wire_left(w)) {
    w->bad = 1;
    return 0;
  }
  char *s = malloc((size_t)n + 1);
  if (s == NULL || !cb_wire_get_bytes(w, s, (size_t)n)) {
    free(s);
    w->bad = 1;
    return 0;
  }
  s[n] = '\0';
  *out = s;
  return 1;
}

int cb_wire_get_strs(cb_wire *w, int64_t n, char ***out) {
  /* Each string takes at least its 8-byte length. */
  if (w->bad || n < 0 || (uint64_t)n > cb_wire_left(w) / 8) {
    w->bad = 1;
    return 0;
  }
  char **list = calloc((size_t)n + 1, sizeof *list);
  if (list == NULL) {
    w->bad = 1;
    return 0;
  }
  for (int64_t i = 0; i < n; ++i)
    if (!cb_wire_get_str(w, &list[i]) || list[i] == NULL) {
      w->bad = 1;
      cb_strlist_free(&list);
      return 0;
    }
  *out = list;
  return 1;
}
