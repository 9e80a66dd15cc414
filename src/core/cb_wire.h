/* cb_wire.h - a small byte format for sending parsed results between
 * processes (cb_isolate): little-endian-as-native fixed-width integers and
 * doubles, length-prefixed strings. Both ends are the same binary, so no
 * byte-order handling is needed; the reader is bounds-checked throughout
 * because the writer may be a process whose memory was corrupted.
 *
 * Writing appends to a growing buffer; an allocation failure sets `bad` and
 * later writes are ignored. Reading consumes from `pos`; a read past the end
 * or an implausible count sets `bad` and returns 0. */
#ifndef CB_WIRE_H
#define CB_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_wire {
  unsigned char *buf; /* (len) bytes, capacity cap */
  size_t len, cap;
  size_t pos; /* read position */
  int bad;    /* a write failed or a read went wrong */
  int mapped; /* 1: buf is a read-only view mapped by cb_isolate (munmap'ed by cb_wire_free; puts fail) */
  int streaming;  /* 1: puts go to stream_fd (buf holds `pending` bytes not yet written); len counts all bytes */
  int stream_fd;
  size_t pending;
  void *room_map; /* streaming: the shared mapping of the stream file that cb_wire_put_room handed out (or NULL) */
  size_t room_map_len;
} cb_wire;

/* Puts after this call are written to fd (buffered in 1 MiB; large arrays directly) instead of kept: the reply of
 * an isolated reader goes to shared memory without a second copy. len still counts every byte put. */
void cb_wire_stream(cb_wire *w, int fd);
/* Writes what is buffered; 0 on success (else w->bad is set). */
int cb_wire_flush(cb_wire *w);

/* Frees the buffer and zeroes the struct (NULL-safe). */
void cb_wire_free(cb_wire *w);

void cb_wire_put_bytes(cb_wire *w, const void *p, size_t n);
void cb_wire_put_i64(cb_wire *w, int64_t v);
void cb_wire_put_f64s(cb_wire *w, const double *v /* (n) */, int64_t n);
void cb_wire_put_f32s(cb_wire *w, const float *v /* (n) */, int64_t n);
/* NULL is kept distinct from "". */
void cb_wire_put_str(cb_wire *w, const char *s);
void cb_wire_put_strs(cb_wire *w, char *const *s /* (n) */, int64_t n);

/* Room for the next n bytes of the message, for the caller to fill before its next call on w (e.g. a dataset read
 * straight into the reply); NULL on failure (w->bad set). Streaming, the room is the stream file itself (a memfd),
 * mapped shared: the bytes reach the reader without a copy. Valid until the next put, flush or free. */
void *cb_wire_put_room(cb_wire *w, size_t n);
/* The next n bytes without a copy (valid until cb_wire_free); NULL (w->bad set) on a short buffer. */
const void *cb_wire_get_view(cb_wire *w, size_t n);

/* Each returns 1 on success, 0 (and sets w->bad) on a short or bad buffer. */
int cb_wire_get_bytes(cb_wire *w, void *p, size_t n);
int cb_wire_get_i64(cb_wire *w, int64_t *v);
/* An i64 within [lo, hi]. */
int cb_wire_get_count(cb_wire *w, int64_t lo, int64_t hi, int64_t *v);
/* Allocates *out (n values; NULL when n == 0 is not used: at least 1 element
 * is allocated); the caller frees it. */
int cb_wire_get_f64s(cb_wire *w, int64_t n, double **out /* (n) */);
int cb_wire_get_f32s(cb_wire *w, int64_t n, float **out /* (n) */);
int cb_wire_get_str(cb_wire *w, char **out);
/* A NULL-terminated list of n strings (free with cb_strlist_free); NULL
 * entries are not allowed in lists. */
int cb_wire_get_strs(cb_wire *w, int64_t n, char ***out /* (n + 1) */);
/* Bytes left to read. */
size_t cb_wire_left(const cb_wire *w);

#endif
