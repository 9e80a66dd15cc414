/* cb_test_tmpdir.h - one temporary directory per Check test program, shared
 * by the unit tests (include it after <check.h>, with CB_TEST_TMP_NAME set
 * to the program's tag, e.g. #define CB_TEST_TMP_NAME "zip").
 *   make_tmpdir()  creates /tmp/cb_test_<tag>_XXXXXX in `tmpdir`
 *   rm_tmpdir()    removes it recursively (a Check teardown)
 *   tmp_path()     <tmpdir>/<name> */
#ifndef CB_TEST_TMPDIR_H
#define CB_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char tmpdir[256];

static int cb_test__rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static void rm_tmpdir(void) {
  if (tmpdir[0] && strstr(tmpdir, "XXXXXX") == NULL) nftw(tmpdir, cb_test__rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  tmpdir[0] = '\0';
}

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/cb_test_%s_XXXXXX", CB_TEST_TMP_NAME);
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

__attribute__((unused)) static void tmp_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", tmpdir, name);
}

#endif
