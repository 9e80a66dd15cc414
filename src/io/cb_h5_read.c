/* cb_h5_read.c - a whole dataset read, with its compressed chunks inflated in threads (see cb_h5_impl.h).
 *
 * HDF5 runs a chunked dataset's filters on one thread with zlib; for the files cortexbench reads most (activations
 * and assemblies, shuffle + deflate, as cortexbench and xarray write them) the inflate was most of a read: a
 * single score spent ~20 ms of its fixed cost there, a suite's scoring stage a quarter of its time. Here the raw
 * chunks are fetched through HDF5 (H5Dget_chunk_info_by_coord, H5Dread_chunk: HDF5 still parses the file and finds
 * every chunk), inflated by libdeflate and un-shuffled in cb_threads_default() threads, and placed in the caller's
 * buffer. The result is the bytes H5Dread gives (both filters are lossless; a chunk whose filter mask skips a
 * filter skips it here too). Any other dataset (contiguous, other filters, a type conversion, an unwritten chunk)
 * goes to H5Dread. */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_h5_impl.h"
#include "cb_threads.h"

#define MAX_RANK 8

/* The fast path's plan of one dataset, and its batch in hand: up to `slots` chunks fetched (serially: HDF5 is not
 * thread-safe) into raw slots, then inflated into scratch slots and placed, one thread per chunk. Every buffer is
 * allocated by the calling thread (its heap asks for huge pages, cb_mem.h; a thread's own arena would fault in 4 KiB
 * pages), and the slots bound the memory to slots x (chunk + compressed chunk) whatever the dataset's size. */
typedef struct chunk_plan {
  int rank;
  hsize_t dims[MAX_RANK], chunk[MAX_RANK], grid[MAX_RANK]; /* dataset, chunk, chunks per axis */
  size_t es, chunk_bytes, raw_cap;                          /* element size, bytes of a chunk, of a stored chunk */
  int shuffle_at, deflate_at;                               /* index in the filter pipeline, -1 when absent */
  size_t n, slots;                                          /* chunks; chunks per batch */
  unsigned char *raw, *scratch;                             /* (slots, raw_cap), (slots, chunk_bytes) */
  size_t first;                                             /* the batch: chunks first .. first + slots - 1 */
  size_t raw_size[CB_THREADS_MAX];                          /* (slots) stored bytes of each chunk of the batch */
  unsigned mask[CB_THREADS_MAX];                            /* (slots) filters skipped for it */
  hsize_t origin[CB_THREADS_MAX][MAX_RANK];                 /* (slots, rank) its first element */
  unsigned char done[CB_THREADS_MAX];                       /* (slots) 1 once it is in out */
  unsigned char *out;                                       /* the caller's buffer (dims, es) */
} chunk_plan;

/* 1 when d's pipeline is [shuffle,] deflate in that order, with no other filter (the plan records where). */
static int plain_pipeline(hid_t dcpl, chunk_plan *p) {
  int nf = H5Pget_nfilters(dcpl);
  p->shuffle_at = p->deflate_at = -1;
  if (nf < 1 || nf > 2) return 0;
  for (int i = 0; i < nf; ++i) {
    unsigned flags = 0, cd[8];
    size_t ncd = 8;
    H5Z_filter_t f = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
    if (f == H5Z_FILTER_SHUFFLE && i == 0 && nf == 2) p->shuffle_at = i;
    else if (f == H5Z_FILTER_DEFLATE && i == nf - 1) p->deflate_at = i;
    else return 0;
  }
  return p->deflate_at >= 0;
}

/* Fills the plan's geometry; 0 when the dataset is not a candidate. */
static int plan_geometry(hid_t d, hid_t mem_type, chunk_plan *p) {
  int ok = 0;
  hid_t dcpl = H5Dget_create_plist(d), space = H5Dget_space(d), ft = H5Dget_type(d);
  if (dcpl < 0 || space < 0 || ft < 0 || H5Pget_layout(dcpl) != H5D_CHUNKED || H5Tequal(ft, mem_type) <= 0 ||
      !plain_pipeline(dcpl, p))
    goto done;
  p->rank = H5Sget_simple_extent_ndims(space);
  if (p->rank < 1 || p->rank > MAX_RANK || H5Sget_simple_extent_dims(space, p->dims, NULL) != p->rank ||
      H5Pget_chunk(dcpl, p->rank, p->chunk) != p->rank)
    goto done;
  p->es = H5Tget_size(ft);
  p->chunk_bytes = p->es;
  p->n = 1;
  for (int k = 0; k < p->rank; ++k) {
    if (p->chunk[k] == 0 || p->dims[k] == 0 || p->chunk[k] > ((hsize_t)1 << 32)) goto done;
    p->grid[k] = (p->dims[k] + p->chunk[k] - 1) / p->chunk[k];
    p->chunk_bytes *= (size_t)p->chunk[k];
    p->n *= (size_t)p->grid[k];
    if (p->chunk_bytes > ((size_t)1 << 32) || p->n > ((size_t)1 << 40)) goto done; /* HDF5's own chunk limit */
  }
  ok = p->es > 0;
done:
  cb__h5_close(&ft, H5Tclose);
  cb__h5_close(&space, H5Sclose);
  cb__h5_close(&dcpl, H5Pclose);
  return ok;
}

/* Fetches chunks first .. first + m - 1 into the raw slots (HDF5 parses the file and finds each); 0 when one is
 * unwritten, larger than deflate can make a chunk, or unreadable. */
static int fetch_batch(hid_t d, chunk_plan *p, size_t m) {
  for (size_t k = 0; k < m; ++k) {
    hsize_t *o = p->origin[k], size = 0;
    size_t rest = p->first + k;
    for (int a = p->rank - 1; a >= 0; --a) { /* the chunk's grid position, last axis fastest */
      o[a] = (hsize_t)(rest % p->grid[a]) * p->chunk[a];
      rest /= p->grid[a];
    }
    haddr_t addr = HADDR_UNDEF;
    uint32_t fm = 0;
    if (H5Dget_chunk_info_by_coord(d, o, &p->mask[k], &addr, &size) < 0 || addr == HADDR_UNDEF || size == 0 ||
        size > (hsize_t)p->raw_cap || H5Dread_chunk(d, H5P_DEFAULT, o, &fm, p->raw + k * p->raw_cap) < 0 ||
        fm != p->mask[k])
      return 0;
    p->raw_size[k] = (size_t)size;
    p->done[k] = 0;
  }
  return 1;
}

/* `run` elements of es bytes from HDF5's shuffled byte planes (byte j of element i at j * count + i; src points at
 * the first element's byte 0) into dst, as stored. On little-endian machines 4- and 8-byte elements are assembled
 * from their planes as one word (byte j of the word is byte j in memory there). */
static void unshuffle_run(const unsigned char *src, size_t count, size_t es, size_t run, unsigned char *dst) {
  const int little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  if (little && es == 4) {
    const unsigned char *b0 = src, *b1 = src + count, *b2 = src + 2 * count, *b3 = src + 3 * count;
    for (size_t i = 0; i < run; ++i) {
      uint32_t w = (uint32_t)b0[i] | (uint32_t)b1[i] << 8 | (uint32_t)b2[i] << 16 | (uint32_t)b3[i] << 24;
      memcpy(dst + 4 * i, &w, 4);
    }
  } else if (little && es == 8) {
    for (size_t i = 0; i < run; ++i) {
      uint64_t w = 0;
      for (size_t j = 0; j < 8; ++j) w |= (uint64_t)src[j * count + i] << (8 * j);
      memcpy(dst + 8 * i, &w, 8);
    }
  } else {
    for (size_t j = 0; j < es; ++j)
      for (size_t i = 0; i < run; ++i) dst[i * es + j] = src[j * count + i];
  }
}

/* The in-bounds part of a whole chunk (row-major; shuffled: HDF5's byte planes, byte j of element i at
 * j * elements + i) into the caller's buffer. */
static void place(const chunk_plan *p, const hsize_t *o, const unsigned char *src, int shuffled) {
  const int r = p->rank;
  const size_t es = p->es, count = p->chunk_bytes / es;
  hsize_t ext[MAX_RANK], idx[MAX_RANK] = {0};
  for (int k = 0; k < r; ++k) ext[k] = p->dims[k] - o[k] < p->chunk[k] ? p->dims[k] - o[k] : p->chunk[k];
  const size_t run = (size_t)ext[r - 1];
  for (;;) {
    size_t s = 0, t = 0; /* element offsets in the chunk and in the dataset */
    for (int k = 0; k < r; ++k) {
      s = s * (size_t)p->chunk[k] + (size_t)idx[k];
      t = t * (size_t)p->dims[k] + (size_t)(o[k] + idx[k]);
    }
    unsigned char *dst = p->out + t * es;
    if (!shuffled) memcpy(dst, src + s * es, run * es);
    else unshuffle_run(src + s, count, es, run, dst);
    int k = r - 2;
    while (k >= 0 && ++idx[k] == ext[k]) idx[k--] = 0;
    if (k < 0) return;
  }
}

/* Slots [k0, k1) of the batch: inflate into the slot's scratch, place (un-shuffling); done[k] = 1 for each. */
static void inflate_slots(void *ctx, size_t k0, size_t k1) {
  chunk_plan *p = ctx;
  struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
  for (size_t k = k0; k < k1 && z; ++k) {
    const unsigned char *cur = p->raw + k * p->raw_cap;
    size_t got = p->raw_size[k];
    if (!(p->mask[k] & (1u << p->deflate_at))) {
      unsigned char *a = p->scratch + k * p->chunk_bytes;
      if (libdeflate_zlib_decompress(z, cur, got, a, p->chunk_bytes, &got) != LIBDEFLATE_SUCCESS) break;
      cur = a;
    }
    if (got != p->chunk_bytes) break;
    place(p, p->origin[k], cur, p->shuffle_at >= 0 && !(p->mask[k] & (1u << p->shuffle_at)));
    p->done[k] = 1;
  }
  libdeflate_free_decompressor(z);
}

/* The fast path over every batch; 0 when a chunk does not qualify (the caller then reads with H5Dread). */
static int read_batches(hid_t d, chunk_plan *p) {
  int threads = cb_threads_default();
  p->slots = (size_t)(threads < 1 ? 1 : threads);
  if (p->slots > p->n) p->slots = p->n;
  while (p->slots > 1 && p->slots * p->chunk_bytes > ((size_t)256 << 20)) --p->slots; /* scratch <= 256 MB */
  p->raw_cap = p->chunk_bytes + (p->chunk_bytes >> 4) + 1024; /* deflate never grows data by more */
  p->raw = malloc(p->slots * p->raw_cap);
  p->scratch = malloc(p->slots * p->chunk_bytes);
  int ok = p->raw && p->scratch;
  for (p->first = 0; ok && p->first < p->n; p->first += p->slots) {
    size_t m = p->n - p->first < p->slots ? p->n - p->first : p->slots;
    ok = fetch_batch(d, p, m);
    if (ok) cb_threads_for((int)m, m, 1, inflate_slots, p);
    for (size_t k = 0; ok && k < m; ++k) ok = p->done[k];
  }
  free(p->raw);
  free(p->scratch);
  return ok;
}

static long fast_reads; /* datasets read by the threaded path (tests) */
long cb__h5_read_fast_count(void) { return fast_reads; }

herr_t cb__h5_read_all(hid_t d, hid_t mem_type, void *buf) {
  chunk_plan p = {0};
  p.out = buf;
  if (plan_geometry(d, mem_type, &p) && read_batches(d, &p)) {
    ++fast_reads;
    return 0;
  }
  return H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
}
