/* cb_sha.c - SHA-256 / SHA-1 through OpenSSL's libcrypto (see cb_sha.h). */
#include "cb_sha.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "cb_fs.h"
#include "cb_written.h"

const char *cb_hash_name(cb_hash_kind kind) { return kind == CB_HASH_SHA1 ? "sha1" : "sha256"; }
size_t cb_hash_size(cb_hash_kind kind) { return kind == CB_HASH_SHA1 ? 20 : 32; }

cb_status cb_hash_init(cb_hash *h, cb_hash_kind kind) {
  h->kind = kind;
  h->total = 0;
  h->bad = 0;
  h->ctx = EVP_MD_CTX_new();
  if (h->ctx == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a %s digest", cb_hash_name(kind));
  if (EVP_DigestInit_ex(h->ctx, kind == CB_HASH_SHA1 ? EVP_sha1() : EVP_sha256(), NULL) != 1) {
    cb_hash_discard(h);
    return CB_ERROR(CB_ERR_INTERNAL, "libcrypto cannot start a %s digest", cb_hash_name(kind));
  }
  return CB_OK;
}

void cb_hash_update(cb_hash *h, const void *data, size_t n) {
  if (h->ctx == NULL || n == 0) return;
  if (EVP_DigestUpdate(h->ctx, data, n) != 1) h->bad = 1;
  h->total += n;
}

void cb_hash_discard(cb_hash *h) {
  if (h == NULL || h->ctx == NULL) return;
  EVP_MD_CTX_free(h->ctx);
  h->ctx = NULL;
}

cb_status cb_hash_final(cb_hash *h, uint8_t *out) {
  unsigned int len = 0;
  int ok = h->ctx != NULL && !h->bad && EVP_DigestFinal_ex(h->ctx, out, &len) == 1 && len == cb_hash_size(h->kind);
  cb_hash_discard(h);
  return ok ? CB_OK : CB_ERROR(CB_ERR_INTERNAL, "libcrypto failed to compute a %s digest", cb_hash_name(h->kind));
}

cb_status cb_hash_hex(cb_hash *h, char *hex) {
  static const char digits[] = "0123456789abcdef";
  uint8_t d[EVP_MAX_MD_SIZE];
  const size_t n = cb_hash_size(h->kind);
  hex[0] = '\0';
  CB_CHECK(cb_hash_final(h, d));
  for (size_t i = 0; i < n; ++i) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * n] = '\0';
  return CB_OK;
}

cb_status cb_hash_file(const char *path, cb_hash_kind kind, char *hex, uint64_t *n_bytes) {
  FILE *f = NULL;
  CB_CHECK(cb_file_fopen_read(path, &f));
  cb_hash h;
  cb_status st = cb_hash_init(&h, kind);
  if (st != CB_OK) {
    fclose(f);
    return st;
  }
  uint8_t buf[1 << 16];
  size_t r;
  while ((r = fread(buf, 1, sizeof buf, f)) > 0) cb_hash_update(&h, buf, r);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    cb_hash_discard(&h);
    return CB_ERROR(CB_ERR_IO, "%s: read error while hashing", path);
  }
  if (n_bytes) *n_bytes = h.total;
  return cb_hash_hex(&h, hex);
}

cb_status cb_hash_record_written(const char *path) {
  char hex[CB_HASH_HEX_MAX];
  CB_CHECK(cb_hash_file(path, CB_HASH_SHA256, hex, NULL));
  return cb_written_record(path, hex);
}

cb_status cb_hash_file_sha256(const char *path, char *hex) {
  if (cb_written_unchanged(path) && cb_written_digest(path, hex)) return CB_OK;
  return cb_hash_file(path, CB_HASH_SHA256, hex, NULL);
}
