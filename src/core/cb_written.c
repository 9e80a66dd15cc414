/* cb_written.c - see cb_written.h. */
#include "cb_written.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_fs.h"

#define RECORD_MAX 256 /* a record's bytes: 65 + a stat line of at most ~110 */

static void record_path(const char *path, char *out, size_t n) { snprintf(out, n, "%s.sha256", path); }

/* "stat DEV INO SIZE MTIME CTIME\n" of path; 0 when it cannot be stat'ed. */
static int stat_line(const char *path, char *out, size_t n) {
  struct stat sb;
  if (stat(path, &sb) != 0) return 0;
  int k = snprintf(out, n, "stat %llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)sb.st_dev,
                   (unsigned long long)sb.st_ino, (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
                   (long)sb.st_mtim.tv_nsec, (long long)sb.st_ctim.tv_sec, (long)sb.st_ctim.tv_nsec);
  return k > 0 && (size_t)k < n;
}

cb_status cb_written_record(const char *path, const char *hex) {
  if (path == NULL || hex == NULL || strlen(hex) != 64) return CB_ERROR(CB_ERR_ARG, "written record: bad argument");
  char side[CB_PATH_MAX + 8], body[RECORD_MAX];
  record_path(path, side, sizeof side);
  memcpy(body, hex, 64);
  body[64] = '\n';
  if (!stat_line(path, body + 65, sizeof body - 65)) return CB_ERROR(CB_ERR_IO, "%s: cannot stat the file written", path);
  return cb_file_write_atomic(side, body, strlen(body));
}

/* The record's bytes (NUL-terminated); 0 when it is missing or too long. */
static int read_record(const char *path, char *buf, size_t n) {
  char side[CB_PATH_MAX + 8];
  record_path(path, side, sizeof side);
  FILE *fh = fopen(side, "r");
  if (!fh) return 0;
  size_t got = fread(buf, 1, n - 1, fh);
  int more = fgetc(fh) != EOF;
  fclose(fh);
  buf[got] = '\0';
  return !more && got >= 65 && buf[64] == '\n';
}

int cb_written_unchanged(const char *path) {
  char rec[RECORD_MAX], now[RECORD_MAX];
  if (path == NULL || !read_record(path, rec, sizeof rec) || !stat_line(path, now, sizeof now)) return 0;
  return strcmp(rec + 65, now) == 0;
}

int cb_written_digest(const char *path, char *hex) {
  char rec[RECORD_MAX];
  if (path == NULL || !read_record(path, rec, sizeof rec)) return 0;
  for (int i = 0; i < 64; ++i)
    if (!((rec[i] >= '0' && rec[i] <= '9') || (rec[i] >= 'a' && rec[i] <= 'f'))) return 0;
  memcpy(hex, rec, 64);
  hex[64] = '\0';
  return 1;
}
