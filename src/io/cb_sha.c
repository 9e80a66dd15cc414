/* cb_sha.c - SHA-256 and SHA-1 from FIPS 180-4 (sections 6.1 and 6.2). */
#include "cb_sha.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cb_fs.h"

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static uint32_t load_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* One 64-byte block of SHA-256: message schedule w[0..63], 64 rounds. */
static void sha256_block(uint32_t *h, const uint8_t *blk) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t) w[t] = load_be32(blk + 4 * t);
  for (int t = 16; t < 64; ++t) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 64; ++t) {
    uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = k + S1 + ch + K256[t] + w[t];
    uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = S0 + maj;
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

/* One 64-byte block of SHA-1: w[0..79], four 20-round stages. */
static void sha1_block(uint32_t *h, const uint8_t *blk) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t) w[t] = load_be32(blk + 4 * t);
  for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) f = (b & c) | (~b & d), k = 0x5a827999;
    else if (t < 40) f = b ^ c ^ d, k = 0x6ed9eba1;
    else if (t < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
    else f = b ^ c ^ d, k = 0xca62c1d6;
    uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = tmp;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static void process(cb_hash *h, const uint8_t *blk) {
  if (h->kind == CB_HASH_SHA1) sha1_block(h->h, blk);
  else sha256_block(h->h, blk);
}

const char *cb_hash_name(cb_hash_kind kind) { return kind == CB_HASH_SHA1 ? "sha1" : "sha256"; }

size_t cb_hash_size(cb_hash_kind kind) { return kind == CB_HASH_SHA1 ? 20 : 32; }

void cb_hash_init(cb_hash *h, cb_hash_kind kind) {
  static const uint32_t iv256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  static const uint32_t iv1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  memset(h, 0, sizeof *h);
  h->kind = kind;
  if (kind == CB_HASH_SHA1) memcpy(h->h, iv1, sizeof iv1);
  else memcpy(h->h, iv256, sizeof iv256);
}

void cb_hash_update(cb_hash *h, const void *data, size_t n) {
  const uint8_t *p = data;
  h->total += n;
  if (h->fill > 0) {
    size_t take = 64 - h->fill < n ? 64 - h->fill : n;
    memcpy(h->block + h->fill, p, take);
    h->fill += take, p += take, n -= take;
    if (h->fill < 64) return;
    process(h, h->block);
    h->fill = 0;
  }
  for (; n >= 64; p += 64, n -= 64) process(h, p);
  memcpy(h->block, p, n);
  h->fill = n;
}

void cb_hash_final(cb_hash *h, uint8_t *out) {
  /* Padding: 0x80, zeros up to 56 mod 64, then the bit length big-endian. */
  uint64_t bits = h->total * 8;
  h->block[h->fill++] = 0x80;
  if (h->fill > 56) {
    memset(h->block + h->fill, 0, 64 - h->fill);
    process(h, h->block);
    h->fill = 0;
  }
  memset(h->block + h->fill, 0, 56 - h->fill);
  for (int i = 0; i < 8; ++i) h->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
  process(h, h->block);
  size_t words = cb_hash_size(h->kind) / 4;
  for (size_t i = 0; i < words; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + (size_t)j] = (uint8_t)(h->h[i] >> (24 - 8 * j));
}

void cb_hash_hex(cb_hash *h, char *hex) {
  static const char digits[] = "0123456789abcdef";
  uint8_t d[32];
  size_t n = cb_hash_size(h->kind);
  cb_hash_final(h, d);
  for (size_t i = 0; i < n; ++i) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * n] = '\0';
}

cb_status cb_hash_file(const char *path, cb_hash_kind kind, char *hex, uint64_t *n_bytes) {
  FILE *f = NULL;
  CB_CHECK(cb_file_fopen_read(path, &f));
  cb_hash h;
  cb_hash_init(&h, kind);
  uint8_t buf[65536];
  size_t r;
  while ((r = fread(buf, 1, sizeof buf, f)) > 0) cb_hash_update(&h, buf, r);
  int bad = ferror(f);
  fclose(f);
  if (bad) return CB_ERROR(CB_ERR_IO, "%s: read error while hashing", path);
  if (n_bytes) *n_bytes = h.total;
  cb_hash_hex(&h, hex);
  return CB_OK;
}
