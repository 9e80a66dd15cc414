#include "cb_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_config.h"
#include "cb_fs.h"
#include "cb_lock.h"
#include "cb_log.h"

#define FINGERPRINT_FILE "config.sha256"
#define TRASH_PREFIX ".scores.old."

struct cb_outdir {
  cb_dirlock *lock;
};

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  if (type == FTW_DP) return rmdir(path) != 0 && errno != ENOENT ? -1 : 0;
  return unlink(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* rm -r (no symbolic link is followed). */
static cb_status remove_tree(const char *path) {
  if (!cb_path_exists(path)) return CB_OK;
  if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
    return CB_ERROR(CB_ERR_IO, "%s: cannot remove (%s)", path, strerror(errno));
  return CB_OK;
}

/* Removes DIR/.scores.old.* left by an interrupted restart. */
static cb_status remove_trash(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot list (%s)", dir, strerror(errno));
  cb_status st = CB_OK;
  struct dirent *e;
  while (st == CB_OK && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, TRASH_PREFIX, strlen(TRASH_PREFIX)) != 0) continue;
    char path[CB_PATH_MAX];
    st = cb_path_join(path, sizeof path, dir, e->d_name);
    if (st == CB_OK) st = remove_tree(path);
  }
  closedir(d);
  return st;
}

/* The stored fingerprint: 1 with hex filled, 0 when there is none, -1 when
 * the file is not a fingerprint. */
static int read_fingerprint(const char *path, char hex[CB_CONFIG_FINGERPRINT_HEX]) {
  if (!cb_path_exists(path)) return 0;
  char *text = NULL;
  size_t n = 0;
  if (cb_file_read_all(path, &text, &n) != CB_OK) {
    cb_error_clear();
    return -1;
  }
  int ok = n >= 64;
  for (int i = 0; ok && i < 64; ++i) ok = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
  if (ok) {
    memcpy(hex, text, 64);
    hex[64] = '\0';
  }
  free(text);
  return ok ? 1 : -1;
}

/* Stores the fingerprint unless one exists (link(2): the first of several
 * shards starting together wins; the others compare). *stored = 1 when it did. */
static cb_status store_if_absent(const char *path, const char *hex, int *stored) {
  char tmp[CB_PATH_MAX], line[CB_CONFIG_FINGERPRINT_HEX + 1];
  int n = snprintf(line, sizeof line, "%s\n", hex);
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
  int e = write(fd, line, (size_t)n) == n && fsync(fd) == 0 ? 0 : (errno ? errno : EIO);
  if (close(fd) != 0 && !e) e = errno;
  if (!e) {
    *stored = link(tmp, path) == 0;
    if (!*stored && errno != EEXIST) e = errno;
  }
  unlink(tmp);
  if (e) return CB_ERROR(CB_ERR_IO, "%s: cannot write (%s)", path, strerror(e));
  return CB_OK;
}

static int any_file(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)path;
  (void)sb;
  (void)ftw;
  return type == FTW_F; /* non-zero stops the walk */
}

/* 1 when the directory holds results: a leaderboard or a file under scores/
 * (a run that failed before scoring leaves neither). */
static int has_results(const char *dir) {
  char p[CB_PATH_MAX];
  if (cb_path_join(p, sizeof p, dir, "leaderboard.csv") == CB_OK && cb_path_exists(p)) return 1;
  return cb_path_join(p, sizeof p, dir, "scores") == CB_OK && cb_path_is_dir(p) &&
         nftw(p, any_file, 16, FTW_PHYS) > 0;
}

/* Clears the previous results and stores the new fingerprint (see the header). */
static cb_status restart(const char *dir, const char *fp_path, const char *hex) {
  static const char *const files[] = {"leaderboard.csv", "leaderboard.json", "leaderboard.md", "leaderboard.html"};
  char scores[CB_PATH_MAX], trash[CB_PATH_MAX], leaf[64], line[CB_CONFIG_FINGERPRINT_HEX + 1];
  CB_CHECK(cb_path_join(scores, sizeof scores, dir, "scores"));
  snprintf(leaf, sizeof leaf, TRASH_PREFIX "%ld", (long)getpid());
  CB_CHECK(cb_path_join(trash, sizeof trash, dir, leaf));
  if (cb_path_exists(scores) && rename(scores, trash) != 0)
    return CB_ERROR(CB_ERR_IO, "%s: cannot move aside (%s)", scores, strerror(errno));
  for (size_t i = 0; i < sizeof files / sizeof *files; ++i) {
    char p[CB_PATH_MAX];
    CB_CHECK(cb_path_join(p, sizeof p, dir, files[i]));
    if (unlink(p) != 0 && errno != ENOENT) return CB_ERROR(CB_ERR_IO, "%s: cannot remove (%s)", p, strerror(errno));
  }
  char figures[CB_PATH_MAX]; /* the report's figure files */
  CB_CHECK(cb_path_join(figures, sizeof figures, dir, "figures"));
  CB_CHECK(remove_tree(figures));
  snprintf(line, sizeof line, "%s\n", hex);
  CB_CHECK(cb_file_write_atomic(fp_path, line, strlen(line)));
  return remove_tree(trash);
}

cb_status cb_outdir_open(const char *dir, const char *config, int shared, int restart_flag, cb_outdir **out) {
  char fp_path[CB_PATH_MAX], want[CB_CONFIG_FINGERPRINT_HEX], have[CB_CONFIG_FINGERPRINT_HEX];
  if (shared && restart_flag) return CB_ERROR(CB_ERR_ARG, "%s: --restart cannot clear a directory shared by shards", dir);
  CB_CHECK(cb_path_join(fp_path, sizeof fp_path, dir, FINGERPRINT_FILE));
  CB_CHECK(cb_config_fingerprint(config, want));
  CB_CHECK(cb_mkdirs(dir));
  cb_outdir *od = calloc(1, sizeof *od);
  if (!od) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_status st = cb_dirlock_acquire(dir, shared, &od->lock);
  if (st == CB_OK && !shared) st = remove_trash(dir); /* no other run is in here */
  if (st != CB_OK) goto fail;
  if (restart_flag) {
    if (cb_path_exists(fp_path) || has_results(dir)) cb_log(CB_LOG_INFO, "%s: --restart: clearing the previous results", dir);
    st = restart(dir, fp_path, want);
    goto done;
  }
  int found = read_fingerprint(fp_path, have);
  if (found == 0) {
    const int adopted = has_results(dir);
    int stored = 0;
    st = store_if_absent(fp_path, want, &stored);
    if (st == CB_OK && stored && adopted)
      cb_log(CB_LOG_INFO, "%s: no configuration fingerprint (results of an earlier cortexbench): adopted for %s", dir,
             config);
    if (st == CB_OK && !stored) found = read_fingerprint(fp_path, have); /* a shard stored one first */
  }
  const int other = st == CB_OK && (found < 0 || (found > 0 && strcmp(have, want) != 0));
  if (other && !shared && !has_results(dir)) {
    /* Another configuration's run stopped before it produced anything (e.g.
     * on an error in its configuration) and no run is in here (exclusive
     * lock): nothing to mix with, take over. */
    cb_log(CB_LOG_DEBUG, "%s: no results yet: its configuration fingerprint is now %s's", dir, config);
    char line[CB_CONFIG_FINGERPRINT_HEX + 1];
    snprintf(line, sizeof line, "%s\n", want);
    st = cb_file_write_atomic(fp_path, line, strlen(line));
  } else if (other && found < 0) {
    st = CB_ERROR(CB_ERR_CONFIG, "%s: %s is not a configuration fingerprint; run with --restart to clear the "
                  "directory's results, or choose another directory", dir, FINGERPRINT_FILE);
  } else if (other) {
    st = CB_ERROR(CB_ERR_CONFIG, "%s: holds the results of another configuration (%s %.12s, %s gives %.12s); run "
                  "with --restart to clear them, or choose another directory", dir, FINGERPRINT_FILE, have, config,
                  want);
  }
done:
  if (st != CB_OK) goto fail;
  *out = od;
  return CB_OK;
fail:
  cb_outdir_close(&od);
  return st;
}

void cb_outdir_close(cb_outdir **od) {
  if (!od || !*od) return;
  cb_dirlock_release(&(*od)->lock);
  free(*od);
  *od = NULL;
}
