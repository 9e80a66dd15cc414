/* cb_dl.c - see cb_dl.h. */
#include "cb_dl.h"

#include <dlfcn.h>
#include <stdio.h>

int cb_dl_open(const char *soname, const cb_dl_sym *syms, size_t n, char *err, size_t errn) {
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
