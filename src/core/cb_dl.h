/* cb_dl.h - a shared library opened at its first use (dlopen) instead of linked.
 *
 * A library the program links is loaded and relocated at every start of every command; on this project's
 * machines each costs 0.5-1 ms with its dependencies (librsvg with cairo and pango ~20 ms, libarchive with ICU and
 * libxml2 ~5 ms), which `version` or a single `score` pays for nothing. Code that needs one only for a rare task
 * (drawing a PNG, unpacking a downloaded archive) opens it with cb_dl_open and calls through a table of pointers
 * typed by the library's own headers (`__typeof__(fn) *fn;`). */
#ifndef CB_DL_H
#define CB_DL_H

#include <stddef.h>

typedef struct cb_dl_sym {
  const char *name; /* the symbol */
  void **slot;      /* where its address goes */
} cb_dl_sym;

/* Opens soname (RTLD_NOW | RTLD_LOCAL; kept open for the life of the process) and resolves every symbol into its
 * slot. 1 on success; 0 with why (dlerror's text, or the missing symbol) in err (errn bytes). Not thread-safe by
 * itself: call it under pthread_once. */
int cb_dl_open(const char *soname, const cb_dl_sym *syms, size_t n, char *err, size_t errn);

#endif
