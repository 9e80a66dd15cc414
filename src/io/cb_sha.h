/* cb_sha.h - SHA-256 and SHA-1 digests (FIPS 180-4), streaming.
 *
 * Used by the fetcher to verify downloads against the checksums of a dataset
 * manifest. SHA-1 exists only because some publishers (Brain-Score's S3
 * assemblies) give nothing else; it is not used for anything new.
 *
 *   cb_hash h;
 *   cb_hash_init(&h, CB_HASH_SHA256);
 *   cb_hash_update(&h, buf, n);          (any number of times)
 *   cb_hash_hex(&h, hex);                (hex: CB_HASH_HEX_MAX bytes)
 */
#ifndef CB_SHA_H
#define CB_SHA_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

typedef enum cb_hash_kind { CB_HASH_SHA256 = 0, CB_HASH_SHA1 = 1 } cb_hash_kind;

#define CB_HASH_HEX_MAX 65 /* 64 hex digits + NUL */

typedef struct cb_hash {
  cb_hash_kind kind;
  uint32_t h[8];       /* (8) state words; SHA-1 uses the first 5 */
  uint8_t block[64];   /* (64) pending bytes of the current block */
  size_t fill;         /* bytes in block */
  uint64_t total;      /* bytes hashed so far */
} cb_hash;

/* "sha256" / "sha1". */
const char *cb_hash_name(cb_hash_kind kind);
/* Digest length in bytes: 32 or 20. */
size_t cb_hash_size(cb_hash_kind kind);

void cb_hash_init(cb_hash *h, cb_hash_kind kind);
void cb_hash_update(cb_hash *h, const void *data, size_t n);
/* Finishes the digest: out = cb_hash_size(kind) bytes. h must be re-initialised to be reused. */
void cb_hash_final(cb_hash *h, uint8_t *out);
/* Finishes the digest as lower-case hex (2 * size digits + NUL). */
void cb_hash_hex(cb_hash *h, char *hex);

/* Digest of a whole file as lower-case hex; *n_bytes (if not NULL) = its size. */
cb_status cb_hash_file(const char *path, cb_hash_kind kind, char *hex, uint64_t *n_bytes);

#endif
