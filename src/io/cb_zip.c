/* cb_zip.c - validated, in-memory reads of zip entries via libzip. */
#include "cb_zip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "cb_fs.h"
#include "cb_mem.h"
#include "cb_strbuf.h"

/* Largest entry read into memory (bytes). */
#define MAX_ENTRY ((zip_uint64_t)1 << 31)

struct cb_zip {
  char *path;   /* the archive (for messages) */
  zip_t *za;    /* libzip handle */
  char *prefix; /* "dir/" when every file sits under one top-level dir, else "" */
};

/* 1 when an entry name stays inside the archive root. */
static int entry_name_is_safe(const char *name) {
  if (name[0] == '\0' || name[0] == '/' || strchr(name, '\\')) return 0;
  if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) && name[1] == ':') return 0;
  int depth = 0;
  for (const char *p = name; *p;) {
    const char *q = strchr(p, '/');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (--depth < 0) return 0;
    } else if (n > 0 && !(n == 1 && p[0] == '.')) {
      ++depth;
    }
    p = q ? q + 1 : p + n;
  }
  return 1;
}

static cb_status zip_error_status(const char *path, int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  cb_status st = CB_ERROR(code == ZIP_ER_OPEN || code == ZIP_ER_NOENT || code == ZIP_ER_READ ? CB_ERR_IO
                                                                                               : CB_ERR_FORMAT,
                          "%s: cannot open zip (%s)", path, zip_error_strerror(&e));
  zip_error_fini(&e);
  return st;
}

/* Finds the single top-level directory shared by every file entry. */
static cb_status find_prefix(cb_zip *z) {
  zip_int64_t n = zip_get_num_entries(z->za, 0);
  const char *first = NULL;
  size_t plen = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char *name = zip_get_name(z->za, (zip_uint64_t)i, 0);
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '/') continue; /* directory entry */
    const char *slash = strchr(name, '/');
    if (!slash) {
      first = NULL;
      plen = 0;
      break;
    }
    size_t l = (size_t)(slash - name) + 1;
    if (!first) {
      first = name;
      plen = l;
    } else if (l != plen || strncmp(name, first, l) != 0) {
      first = NULL;
      plen = 0;
      break;
    }
  }
  z->prefix = malloc(plen + 1);
  if (!z->prefix) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (plen) memcpy(z->prefix, first, plen);
  z->prefix[plen] = '\0';
  return CB_OK;
}

cb_status cb_zip_open(const char *path, cb_zip **out) {
  cb_status st = CB_OK;
  if (!path || !out) return CB_ERROR(CB_ERR_ARG, "zip: no path");
  cb_zip *z = calloc(1, sizeof *z);
  CB_ALLOC_GOTO(z, st, fail);
  z->path = cb_strdup(path);
  CB_ALLOC_GOTO(z->path, st, fail);
  int code = 0, fd = -1;
  CB_CHECK_GOTO(cb_file_open_read(path, &fd, NULL), st, fail); /* regular files only (cb_fs.h) */
  z->za = zip_fdopen(fd, ZIP_CHECKCONS, &code);                 /* owns fd from here on success */
  if (!z->za) {
    close(fd);
    st = zip_error_status(path, code);
    goto fail;
  }
  zip_int64_t n = zip_get_num_entries(z->za, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char *name = zip_get_name(z->za, (zip_uint64_t)i, 0);
    if (!name) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt zip (entry %lld has no name)", path, (long long)i);
      goto fail;
    }
    if (!entry_name_is_safe(name)) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: entry '%s' is absolute or escapes the archive directory", path, name);
      goto fail;
    }
  }
  CB_CHECK_GOTO(find_prefix(z), st, fail);
  *out = z;
  return CB_OK;
fail:
  cb_zip_destroy(&z);
  return st;
}

int64_t cb_zip_count(const cb_zip *z) { return z ? (int64_t)zip_get_num_entries(z->za, 0) : 0; }

const char *cb_zip_entry_name(const cb_zip *z, int64_t i) {
  if (!z || i < 0 || i >= cb_zip_count(z)) return NULL;
  return zip_get_name(z->za, (zip_uint64_t)i, 0);
}

const char *cb_zip_prefix(const cb_zip *z) { return z ? z->prefix : ""; }

/* Index of a file entry by the lookup rule, -1 when absent. */
static zip_int64_t locate(const cb_zip *z, const char *name) {
  if (!name || !name[0]) return -1;
  while (name[0] == '.' && name[1] == '/') name += 2;
  zip_int64_t i = zip_name_locate(z->za, name, ZIP_FL_ENC_GUESS);
  if (i < 0 && z->prefix[0]) {
    size_t lp = strlen(z->prefix), ln = strlen(name);
    char *full = malloc(lp + ln + 1);
    if (!full) return -1;
    memcpy(full, z->prefix, lp);
    memcpy(full + lp, name, ln + 1);
    i = zip_name_locate(z->za, full, ZIP_FL_ENC_GUESS);
    free(full);
  }
  if (i >= 0) {
    const char *stored = zip_get_name(z->za, (zip_uint64_t)i, 0);
    size_t len = stored ? strlen(stored) : 0;
    if (len == 0 || stored[len - 1] == '/') return -1; /* a directory */
  }
  return i;
}

int cb_zip_has(const cb_zip *z, const char *name) { return z && locate(z, name) >= 0; }

cb_status cb_zip_read(cb_zip *z, const char *name, uint8_t **data, size_t *n) {
  if (!z || !name || !data || !n) return CB_ERROR(CB_ERR_ARG, "zip: invalid read arguments");
  zip_int64_t i = locate(z, name);
  if (i < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: file '%s' is missing from the zip", z->path, name);
  zip_stat_t sb;
  zip_stat_init(&sb);
  if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &sb) != 0 || !(sb.valid & ZIP_STAT_SIZE))
    return CB_ERROR(CB_ERR_FORMAT, "%s: entry '%s' is corrupt (%s)", z->path, name, zip_strerror(z->za));
  if (sb.size > MAX_ENTRY)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: entry '%s' is too large (%llu bytes)", z->path, name,
                    (unsigned long long)sb.size);
  if (sb.size >= ((zip_uint64_t)64 << 20))
    CB_CHECK(cb_mem_check(sb.size, "%s: entry '%s' (%llu bytes)", z->path, name, (unsigned long long)sb.size));
  uint8_t *buf = malloc((size_t)sb.size + 1);
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for entry '%s'", z->path, name);
  zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
  if (!f) {
    free(buf);
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot open entry '%s' (%s)", z->path, name, zip_strerror(z->za));
  }
  zip_uint64_t got = 0;
  while (got < sb.size) {
    zip_int64_t r = zip_fread(f, buf + got, sb.size - got);
    if (r < 0) {
      cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: entry '%s' is corrupt (%s)", z->path, name, zip_file_strerror(f));
      zip_fclose(f);
      free(buf);
      return st;
    }
    if (r == 0) break;
    got += (zip_uint64_t)r;
  }
  /* A final read at the end makes libzip check the CRC of what was read. */
  char extra;
  zip_int64_t r = got == sb.size ? zip_fread(f, &extra, 1) : -1;
  if (got != sb.size || r != 0) {
    cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: entry '%s' is corrupt (%s)", z->path, name,
                            r < 0 ? zip_file_strerror(f) : "size does not match the directory");
    zip_fclose(f);
    free(buf);
    return st;
  }
  int rc = zip_fclose(f);
  if (rc != 0) {
    zip_error_t e;
    zip_error_init_with_code(&e, rc);
    cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: entry '%s' is corrupt (%s)", z->path, name, zip_error_strerror(&e));
    zip_error_fini(&e);
    free(buf);
    return st;
  }
  buf[got] = 0;
  *data = buf;
  *n = (size_t)got;
  return CB_OK;
}

void cb_zip_destroy(cb_zip **zp) {
  if (!zp || !*zp) return;
  cb_zip *z = *zp;
  if (z->za) zip_discard(z->za);
  free(z->prefix);
  free(z->path);
  free(z);
  *zp = NULL;
}
