#include "cb_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_log.h"

struct cb_dirlock {
  int fd; /* the open DIR/.lock (-1: no lock on this file system) */
};

/* "PID HOST" of the holder as written in the lock file, or "unknown". */
static void holder(int fd, char *out, size_t n) {
  char buf[256];
  ssize_t r = pread(fd, buf, sizeof buf - 1, 0);
  long pid = 0;
  char host[200] = "";
  if (r > 0) {
    buf[r] = '\0';
    if (sscanf(buf, "%ld %199s", &pid, host) >= 1 && pid > 0) {
      if (host[0])
        snprintf(out, n, "pid %ld on %s", pid, host);
      else
        snprintf(out, n, "pid %ld", pid);
      return;
    }
  }
  snprintf(out, n, "pid unknown");
}

cb_status cb_dirlock_acquire(const char *dir, int shared, cb_dirlock **out) {
  char path[CB_PATH_MAX];
  CB_CHECK(cb_path_join(path, sizeof path, dir, ".lock"));
  cb_dirlock *l = calloc(1, sizeof *l);
  if (!l) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (l->fd < 0) {
    int e = errno;
    free(l);
    return CB_ERROR(CB_ERR_IO, "%s: cannot create (%s)", path, strerror(e));
  }
  if (flock(l->fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    int e = errno;
    if (e == EWOULDBLOCK) {
      char who[256];
      holder(l->fd, who, sizeof who);
      close(l->fd);
      free(l);
      return CB_ERROR(CB_ERR_IO, "%s: in use by another cortexbench run (%s); wait for it to end or choose another "
                      "directory", dir, who);
    }
    if (e != ENOLCK && e != ENOSYS && e != EOPNOTSUPP && e != EINVAL) {
      close(l->fd);
      free(l);
      return CB_ERROR(CB_ERR_IO, "%s: cannot lock (%s)", path, strerror(e));
    }
    cb_log(CB_LOG_WARN, "%s: cannot lock (%s): runs sharing this directory are not detected", path, strerror(e));
  }
  /* Informational: who holds it (with shared locks, the latest holder). */
  char me[300], host[256] = "";
  if (gethostname(host, sizeof host) != 0 || !host[0]) snprintf(host, sizeof host, "?");
  host[sizeof host - 1] = '\0';
  int len = snprintf(me, sizeof me, "%ld %s\n", (long)getpid(), host);
  if (ftruncate(l->fd, 0) != 0 || pwrite(l->fd, me, (size_t)len, 0) != len)
    cb_log(CB_LOG_DEBUG, "%s: cannot record the holder (%s)", path, strerror(errno));
  *out = l;
  return CB_OK;
}

void cb_dirlock_release(cb_dirlock **lp) {
  if (!lp || !*lp) return;
  if ((*lp)->fd >= 0) close((*lp)->fd); /* closing releases the flock */
  free(*lp);
  *lp = NULL;
}
