#include "cb_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

cb_status cb_mkdirs(const char *path) {
  char buf[CB_PATH_MAX];
  size_t len = strlen(path);
  if (len == 0 || len >= sizeof buf) return CB_ERROR(CB_ERR_ARG, "invalid directory path '%s'", path);
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; ++i) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return CB_ERROR(CB_ERR_IO, "%s: cannot create directory (%s)", buf, strerror(errno));
      buf[i] = c;
    }
  }
  if (!cb_path_is_dir(path)) return CB_ERROR(CB_ERR_IO, "%s: exists and is not a directory", path);
  return CB_OK;
}

int cb_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int cb_path_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

cb_status cb_path_join(char *out, size_t n, const char *a, const char *b) {
  int w;
  if (b[0] == '/' || a[0] == '\0')
    w = snprintf(out, n, "%s", b);
  else
    w = snprintf(out, n, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b);
  if (w < 0 || (size_t)w >= n) return CB_ERROR(CB_ERR_ARG, "path too long: %s/%s", a, b);
  return CB_OK;
}

void cb_path_dirname(const char *path, char *out, size_t n) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, n, ".");
  } else if (slash == path) {
    snprintf(out, n, "/");
  } else {
    size_t len = (size_t)(slash - path);
    if (len >= n) len = n - 1;
    memcpy(out, path, len);
    out[len] = '\0';
  }
}

cb_status cb_path_temp(const char *final, char *out, size_t n) {
  const char *slash = strrchr(final, '/');
  int w;
  if (slash)
    w = snprintf(out, n, "%.*s/.%s.tmp.%ld", (int)(slash - final), final, slash + 1, (long)getpid());
  else
    w = snprintf(out, n, ".%s.tmp.%ld", final, (long)getpid());
  if (w < 0 || (size_t)w >= n) return CB_ERROR(CB_ERR_ARG, "path too long: %s", final);
  return CB_OK;
}

cb_status cb_file_commit(const char *tmp, const char *final) {
  int fd = open(tmp, O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  if (rename(tmp, final) != 0) {
    int e = errno;
    unlink(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: cannot move into place (%s)", final, strerror(e));
  }
  return CB_OK;
}

cb_status cb_file_write_atomic(const char *path, const void *data, size_t n) {
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  FILE *f = fopen(tmp, "wb");
  if (!f) return CB_ERROR(CB_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
  int err = 0; /* the first errno, before unlink or fclose can change it */
  if (fwrite(data, 1, n, f) != n || fflush(f) != 0) err = errno ? errno : EIO;
  if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (err) {
    unlink(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: write failed (%s)", path, strerror(err));
  }
  return cb_file_commit(tmp, path);
}

/* "12.3 MB" (decimal units, as df -H). */
static void human_bytes(uint64_t b, char *out, size_t n) {
  if (b >= 1000000000ULL)
    snprintf(out, n, "%.1f GB", (double)b / 1e9);
  else if (b >= 1000000ULL)
    snprintf(out, n, "%.1f MB", (double)b / 1e6);
  else
    snprintf(out, n, "%.1f kB", (double)b / 1e3);
}

static cb_status no_space(const char *final, const char *dir, uint64_t bytes, int err) {
  struct statvfs vs;
  char need[32], avail[32];
  human_bytes(bytes, need, sizeof need);
  if (statvfs(dir, &vs) == 0) {
    human_bytes((uint64_t)vs.f_bavail * (uint64_t)vs.f_frsize, avail, sizeof avail);
    return CB_ERROR(CB_ERR_IO, "%s: %s (needs %s, %s free in %s)", final, strerror(err), need, avail, dir);
  }
  return CB_ERROR(CB_ERR_IO, "%s: %s (needs %s in %s)", final, strerror(err), need, dir);
}

cb_status cb_file_reserve(const char *path, const char *final, uint64_t bytes) {
  char dir[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot create (%s)", final, strerror(errno));
  int err = 0;
  if (bytes > 0 && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) != 0) {
    err = errno;
    if (err == EOPNOTSUPP || err == ENOSYS || err == EINVAL) { /* cannot reserve: check the free space instead */
      struct statvfs vs;
      err = statvfs(dir, &vs) == 0 && (uint64_t)vs.f_bavail * (uint64_t)vs.f_frsize < bytes ? ENOSPC : 0;
    }
  }
  close(fd);
  if (err) {
    unlink(path);
    if (err == ENOSPC || err == EDQUOT) return no_space(final, dir, bytes, err);
    return CB_ERROR(CB_ERR_IO, "%s: cannot reserve %llu bytes (%s)", final, (unsigned long long)bytes, strerror(err));
  }
  return CB_OK;
}

void cb_file_unreserve(const char *path, uint64_t bytes) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  /* Frees the blocks that cb_file_reserve allocated beyond the end of the
   * file and the writer did not use: truncating to the same size does it on
   * ext4 and tmpfs, punching a hole past the end on others. */
  if (fstat(fd, &st) == 0) {
    int rc = ftruncate(fd, st.st_size);
    if (bytes > (uint64_t)st.st_size)
      rc |= fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, st.st_size, (off_t)(bytes - (uint64_t)st.st_size));
    (void)rc; /* best effort: the blocks are only wasted, the file is complete */
  }
  close(fd);
}

cb_status cb_file_read_all(const char *path, char **out, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", path);
  }
  for (;;) {
    if (cap - len < 4096) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(f);
        return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", path);
      }
      buf = nb;
      cap *= 2;
    }
    size_t r = fread(buf + len, 1, cap - len - 1, f);
    len += r;
    if (r == 0) break;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return CB_ERROR(CB_ERR_IO, "%s: read failed", path);
  }
  buf[len] = '\0';
  *out = buf;
  if (n) *n = len;
  return CB_OK;
}
