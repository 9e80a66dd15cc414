/* cb_dl.c - see cb_dl.h. */
#include "cb_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static int open_lib(const char *soname, const cb_dl_sym *syms, size_t n, char *err, size_t errn) {
  void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(err, errn, "%s", e ? e : "cannot be loaded");
    return 0;
  }
  for (size_t i = 0; i < n; ++i) {
    *syms[i].slot = dlsym(h, syms[i].name);
    if (!*syms[i].slot) {
      snprintf(err, errn, "%s has no %s", soname, syms[i].name);
      return 0; /* h stays open: the process keeps what it loaded */
    }
  }
  return 1;
}

int cb_dl_need(cb_dl_lib *lib) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&lock);
  if (!lib->tried) {
    lib->ok = open_lib(lib->soname, lib->syms, lib->n, lib->error, sizeof lib->error);
    lib->tried = 1;
  }
  int ok = lib->ok;
  pthread_mutex_unlock(&lock);
  return ok;
}
