/* cb_archive.c - safe unpacking of archives with libarchive (see cb_archive.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_archive.h"
#include "cb_dl.h"
#include "cb_fs.h"
#include "cb_log.h"
#include "cb_manifest.h"

#ifndef CB_LIBARCHIVE_SONAME
#define CB_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

/* libarchive is opened at the first unpacking (cb_dl), not linked: with its compression and XML libraries (ICU,
 * libxml2) it is nine of the program's shared libraries, loaded at every start of every command although only
 * `zoo fetch` unpacks. The calls used here, typed by libarchive's headers: */
static struct {
  __typeof__(archive_read_data_block) *archive_read_data_block;
  __typeof__(archive_error_string) *archive_error_string;
  __typeof__(archive_read_new) *archive_read_new;
  __typeof__(archive_read_support_filter_all) *archive_read_support_filter_all;
  __typeof__(archive_read_support_format_all) *archive_read_support_format_all;
  __typeof__(archive_read_open_filename) *archive_read_open_filename;
  __typeof__(archive_read_next_header) *archive_read_next_header;
  __typeof__(archive_entry_pathname) *archive_entry_pathname;
  __typeof__(archive_entry_filetype) *archive_entry_filetype;
  __typeof__(archive_read_free) *archive_read_free;
} L;
#define CB_SYM(f) {#f, (void **)&L.f}
static const cb_dl_sym libarchive_syms[] = {
    CB_SYM(archive_read_data_block), CB_SYM(archive_error_string), CB_SYM(archive_read_new),
    CB_SYM(archive_read_support_filter_all), CB_SYM(archive_read_support_format_all),
    CB_SYM(archive_read_open_filename), CB_SYM(archive_read_next_header), CB_SYM(archive_entry_pathname),
    CB_SYM(archive_entry_filetype), CB_SYM(archive_read_free),
};
#undef CB_SYM
static cb_dl_lib libarchive = {CB_LIBARCHIVE_SONAME, libarchive_syms,
                               sizeof libarchive_syms / sizeof libarchive_syms[0], 0, 0, ""};

/* CB_OK when libarchive is loaded (once per process). */
static cb_status need_libarchive(const char *archive) {
  if (!cb_dl_need(&libarchive))
    return CB_ERROR(CB_ERR_IO, "%s: cannot load libarchive (package libarchive13) to unpack it: %s", archive,
                    libarchive.error);
  return CB_OK;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* rm -rf path (quietly: a missing path is fine). */
static void remove_tree(const char *path) {
  if (cb_path_exists(path)) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Copies the data of the current entry into path. */
static cb_status write_member(struct archive *a, const char *archive, const char *name, const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot create (%s)", path, strerror(errno));
  cb_status st = CB_OK;
  const void *buf;
  size_t size;
  la_int64_t offset, written = 0;
  for (;;) {
    int r = L.archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: member %s: %s", archive, name, L.archive_error_string(a));
      break;
    }
    if (offset != written && lseek(fd, offset, SEEK_SET) < 0) { /* sparse member */
      st = CB_ERROR(CB_ERR_IO, "%s: %s", path, strerror(errno));
      break;
    }
    const char *p = buf;
    size_t left = size;
    while (left > 0) {
      ssize_t w = write(fd, p, left);
      if (w < 0) {
        if (errno == EINTR) continue;
        st = CB_ERROR(CB_ERR_IO, "%s: write failed (%s)", path, strerror(errno));
        break;
      }
      p += w, left -= (size_t)w;
    }
    if (st != CB_OK) break;
    written = offset + (la_int64_t)size;
  }
  if (close(fd) != 0 && st == CB_OK) st = CB_ERROR(CB_ERR_IO, "%s: close failed (%s)", path, strerror(errno));
  return st;
}

cb_status cb_archive_extract(const char *archive, const char *dest, int *n_files) {
  if (!archive || !dest) return CB_ERROR(CB_ERR_ARG, "archive extract: NULL argument");
  char tmp[CB_PATH_MAX], path[CB_PATH_MAX];
  CB_CHECK(cb_path_temp(dest, tmp, sizeof tmp));
  char parent[CB_PATH_MAX];
  cb_path_dirname(dest, parent, sizeof parent);
  CB_CHECK(cb_mkdirs(parent));
  CB_CHECK(need_libarchive(archive));
  remove_tree(tmp);
  if (mkdir(tmp, 0755) != 0) return CB_ERROR(CB_ERR_IO, "%s: cannot create (%s)", tmp, strerror(errno));
  cb_status st = CB_OK;
  int files = 0;
  struct archive *a = L.archive_read_new();
  CB_ALLOC_GOTO(a, st, done);
  L.archive_read_support_filter_all(a);
  L.archive_read_support_format_all(a);
  CB_CHECK_GOTO(cb_file_check_regular(archive), st, done);
  if (L.archive_read_open_filename(a, archive, 1 << 16) != ARCHIVE_OK) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: not a readable archive (%s)", archive, L.archive_error_string(a));
    goto done;
  }
  struct archive_entry *e;
  for (;;) {
    int r = L.archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt archive (%s)", archive, L.archive_error_string(a));
      goto done;
    }
    char name[CB_PATH_MAX];
    snprintf(name, sizeof name, "%s", L.archive_entry_pathname(e) ? L.archive_entry_pathname(e) : "");
    size_t len = strlen(name);
    while (len > 0 && name[len - 1] == '/') name[--len] = '\0'; /* "dir/" */
    const char *nm = name;
    while (nm[0] == '.' && nm[1] == '/') nm += 2; /* "./x" as written by tar -C dir . */
    if (!strcmp(nm, ".") || !*nm) continue;
    mode_t type = L.archive_entry_filetype(e);
    if (!cb_manifest_name_ok(nm)) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: member '%s' has an unsafe name", archive, name);
      goto done;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%s", tmp, nm) >= sizeof path) {
      st = CB_ERROR(CB_ERR_ARG, "%s: member '%s': path too long", archive, name);
      goto done;
    }
    if (type == AE_IFDIR) {
      CB_CHECK_GOTO(cb_mkdirs(path), st, done);
    } else if (type == AE_IFREG) {
      char dir[CB_PATH_MAX];
      cb_path_dirname(path, dir, sizeof dir);
      CB_CHECK_GOTO(cb_mkdirs(dir), st, done);
      CB_CHECK_GOTO(write_member(a, archive, name, path), st, done);
      ++files;
    } else {
      st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: member '%s' is not a regular file or directory", archive, name);
      goto done;
    }
  }
  remove_tree(dest);
  if (rename(tmp, dest) != 0) st = CB_ERROR(CB_ERR_IO, "%s: cannot rename into place (%s)", dest, strerror(errno));
done:
  if (a) L.archive_read_free(a);
  if (st != CB_OK) remove_tree(tmp);
  else if (n_files) *n_files = files;
  return st;
}
