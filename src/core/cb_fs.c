#include "cb_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cb_mem.h"

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
        return CB_ERROR(CB_ERR_FAULT, "%s: cannot create directory (%s)", buf, strerror(errno));
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
    return CB_ERROR(CB_ERR_FAULT, "%s: cannot move into place (%s)", final, strerror(e));
  }
  return CB_OK;
}

cb_status cb_file_write_atomic(const char *path, const void *data, size_t n) {
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  FILE *f = fopen(tmp, "wb");
  if (!f) return CB_ERROR(CB_ERR_FAULT, "%s: cannot write (%s)", path, strerror(errno));
  int err = 0; /* the first errno, before unlink or fclose can change it */
  if (fwrite(data, 1, n, f) != n || fflush(f) != 0) err = errno ? errno : EIO;
  if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (err) {
    unlink(tmp);
    return CB_ERROR(CB_ERR_FAULT, "%s: write failed (%s)", path, strerror(err));
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
    return CB_ERROR(CB_ERR_FAULT, "%s: %s (needs %s, %s free in %s)", final, strerror(err), need, avail, dir);
  }
  return CB_ERROR(CB_ERR_FAULT, "%s: %s (needs %s in %s)", final, strerror(err), need, dir);
}

int cb_fd_write_all(int fd, const void *p, size_t n) {
  const unsigned char *b = p;
  while (n > 0) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k;
    n -= (size_t)k;
  }
  return 0;
}

cb_status cb_file_reserve(const char *path, const char *final, uint64_t bytes) {
  char dir[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return CB_ERROR(CB_ERR_FAULT, "%s: cannot create (%s)", final, strerror(errno));
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
    return CB_ERROR(CB_ERR_FAULT, "%s: cannot reserve %llu bytes (%s)", final, (unsigned long long)bytes, strerror(err));
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

/* "a FIFO", "a directory", ... for the message about a non-regular file. */
static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a file";
}

cb_status cb_file_check_regular(const char *path) {
  struct stat st;
  if (path == NULL || path[0] == '\0') return CB_ERROR(CB_ERR_ARG, "no input file named");
  if (stat(path, &st) != 0) return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return CB_ERROR(CB_ERR_IO, "%s: not a regular file (%s)", path, kind_of(st.st_mode));
  return CB_OK;
}

cb_status cb_file_open_read(const char *path, int *fd_out, uint64_t *size) {
  CB_CHECK(cb_file_check_regular(path));
  /* O_NONBLOCK: should the path have become a FIFO since the stat, the open
   * returns at once instead of waiting for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return CB_ERROR(CB_ERR_IO, "%s: not a regular file (%s)", path, kind_of(st.st_mode));
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  *fd_out = fd;
  if (size) *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
  return CB_OK;
}

cb_status cb_file_fopen_read(const char *path, FILE **out) {
  int fd = -1;
  CB_CHECK(cb_file_open_read(path, &fd, NULL));
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    int e = errno;
    close(fd);
    return CB_ERROR(CB_ERR_IO, "%s: cannot open (%s)", path, strerror(e));
  }
  *out = f;
  return CB_OK;
}

/* "2 GiB", "64 MiB", "300 bytes". */
static void fmt_bytes(uint64_t x, char *out, size_t n) {
  if (x >= ((uint64_t)1 << 30) && x % ((uint64_t)1 << 30) == 0)
    snprintf(out, n, "%llu GiB", (unsigned long long)(x >> 30));
  else if (x >= ((uint64_t)1 << 20) && x % ((uint64_t)1 << 20) == 0)
    snprintf(out, n, "%llu MiB", (unsigned long long)(x >> 20));
  else
    snprintf(out, n, "%llu bytes", (unsigned long long)x);
}

static cb_status too_large(const char *path, uint64_t have, uint64_t max) {
  char lim[32];
  fmt_bytes(max, lim, sizeof lim);
  return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: file too large to read (%s%llu bytes; the limit is %s)", path,
                  have > max ? "" : "over ", (unsigned long long)have, lim);
}

cb_status cb_file_read_max(const char *path, uint64_t max, char **out, size_t *n) {
  int fd = -1;
  uint64_t size = 0;
  CB_CHECK(cb_file_open_read(path, &fd, &size));
  if (max > CB_FILE_READ_MAX) max = CB_FILE_READ_MAX;
  if (size > max) {
    close(fd);
    return too_large(path, size, max);
  }
  if (size >= ((uint64_t)64 << 20)) {
    cb_status st = cb_mem_check(size, "%s: reading the file (%llu bytes)", path, (unsigned long long)size);
    if (st != CB_OK) {
      close(fd);
      return st;
    }
  }
  /* The size from fstat sizes the buffer (+1 byte to see the end of file,
   * +1 for the NUL); a file that grows meanwhile is read on, up to the limit. */
  size_t cap = (size_t)size + 2, len = 0;
  if (cap < 4096) cap = 4096;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", path);
  }
  cb_status st = CB_OK;
  for (;;) {
    if (cap - len < 2) {
      if ((uint64_t)len >= max + 1) {
        st = too_large(path, len, max);
        break;
      }
      size_t ncap = cap * 2;
      if ((uint64_t)ncap > max + 2) ncap = (size_t)max + 2;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        st = CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", path);
        break;
      }
      buf = nb;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + len, cap - len - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      st = CB_ERROR(CB_ERR_IO, "%s: read failed (%s)", path, strerror(errno));
      break;
    }
    if (r == 0) break;
    len += (size_t)r;
    if ((uint64_t)len > max) {
      st = too_large(path, len, max);
      break;
    }
  }
  close(fd);
  if (st != CB_OK) {
    free(buf);
    return st;
  }
  buf[len] = '\0';
  *out = buf;
  if (n) *n = len;
  return CB_OK;
}

cb_status cb_file_read_all(const char *path, char **out, size_t *n) {
  return cb_file_read_max(path, CB_FILE_READ_MAX, out, n);
}
