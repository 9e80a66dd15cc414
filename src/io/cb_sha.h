/* cb_sha.h - SHA-256 and SHA-1 digests, streaming, computed by OpenSSL's libcrypto (EVP).
 *
 * Used for task keys, configuration fingerprints, the sha256 of assemblies in score files, and by the fetcher to
 * verify downloads against the checksums of a dataset manifest. SHA-1 exists only because some publishers
 * (Brain-Score's S3 assemblies) give nothing else; it is not used for anything new.
 *
 *   cb_hash h;
 *   CB_CHECK(cb_hash_init(&h, CB_HASH_SHA256));
 *   cb_hash_update(&h, buf, n);          (any number of times)
 *   CB_CHECK(cb_hash_hex(&h, hex));      (hex: CB_HASH_HEX_MAX bytes; ends the digest)
 * A digest abandoned before cb_hash_hex / cb_hash_final is released with cb_hash_discard.
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
  void *ctx;      /* libcrypto's EVP_MD_CTX; NULL once the digest ended */
  uint64_t total; /* bytes hashed so far */
  int bad;        /* 1 when libcrypto refused an update (reported by cb_hash_final / cb_hash_hex) */
} cb_hash;

/* "sha256" / "sha1". */
const char *cb_hash_name(cb_hash_kind kind);
/* Digest length in bytes: 32 or 20. */
size_t cb_hash_size(cb_hash_kind kind);

/* Starts a digest (CB_ERR_NOMEM / CB_ERR_INTERNAL when libcrypto cannot; h is then safe to discard). */
cb_status cb_hash_init(cb_hash *h, cb_hash_kind kind);
void cb_hash_update(cb_hash *h, const void *data, size_t n);
/* Ends the digest: out = cb_hash_size(kind) bytes. h must be re-initialised to be reused. */
cb_status cb_hash_final(cb_hash *h, uint8_t *out);
/* Ends the digest as lower-case hex (2 * size digits + NUL); hex = "" on failure. */
cb_status cb_hash_hex(cb_hash *h, char *hex);
/* Releases a digest that will not be ended (NULL-safe, idempotent). */
void cb_hash_discard(cb_hash *h);

/* Digest of a whole file as lower-case hex; *n_bytes (if not NULL) = its size. */
cb_status cb_hash_file(const char *path, cb_hash_kind kind, char *hex, uint64_t *n_bytes);

/* Records a file this program has just written (its SHA-256 and stat, PATH.sha256: src/core/cb_written.h), so that
 * its readers parse it in-process while it is unchanged. Call after the file's final rename. */
cb_status cb_hash_record_written(const char *path);
/* cb_hash_file's SHA-256 of path, taken from its record when the file is one this program wrote and is unchanged
 * (cb_written_unchanged: no byte read), else computed. */
cb_status cb_hash_file_sha256(const char *path, char *hex);

#endif
