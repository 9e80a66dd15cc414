/* cb_dl.h - a shared library opened at its first use (dlopen) instead of linked.
 *
 * A library the program links is loaded and relocated at every start of every command; on this project's
 * machines each costs 0.5-1 ms with its dependencies (librsvg with cairo and pango ~20 ms, libarchive with ICU and
 * libxml2 ~5 ms), which `version` or a single `score` pays for nothing. Code that needs one only for a rare task
 * (drawing a PNG, unpacking a downloaded archive) declares a table of pointers typed by the library's own headers
 * (`__typeof__(fn) *fn;`), a cb_dl_lib naming them, and calls cb_dl_need before its first call through them. */
#ifndef CB_DL_H
#define CB_DL_H

#include <stddef.h>

typedef struct cb_dl_sym {
  const char *name; /* the symbol */
  void **slot;      /* where its address goes */
} cb_dl_sym;

/* A library opened at its first use: `static cb_dl_lib lib = {SONAME, syms, N};` beside the table of pointers. */
typedef struct cb_dl_lib {
  const char *soname;
  const cb_dl_sym *syms;
  size_t n;
  int tried, ok;   /* set by cb_dl_need */
  char error[256]; /* why it could not be opened */
} cb_dl_lib;

/* Opens lib's soname (RTLD_NOW | RTLD_LOCAL; kept open for the life of the process) and resolves every symbol into
 * its slot, once (thread-safe; later calls return the first outcome). 1 when every slot is set; 0 with why
 * (dlerror's text, or the missing symbol) in lib->error. */
int cb_dl_need(cb_dl_lib *lib);

#endif
