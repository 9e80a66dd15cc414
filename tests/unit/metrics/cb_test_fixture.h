/* cb_test_fixture.h - reading the text fixtures of tests/reference/fixtures
 * (made by the scripts in tests/reference): whitespace-separated tokens,
 * '#' lines skipped. Shared by the metrics unit tests; include after
 * <check.h>. */
#ifndef CB_TEST_FIXTURE_H
#define CB_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

typedef struct reader {
  char *text;
  char *pos;
} reader;

__attribute__((unused)) static void reader_open(reader *r, const char *path) {
  size_t n = 0;
  cb_status st = cb_file_read_all(path, &r->text, &n);
  ck_assert_msg(st == CB_OK, "cannot read fixture %s (run from the repository root)", path);
  r->pos = r->text;
}

__attribute__((unused)) static char *next_token(reader *r) {
  for (;;) {
    while (*r->pos == ' ' || *r->pos == '\n' || *r->pos == '\t' || *r->pos == '\r') r->pos++;
    if (*r->pos == '#') {
      while (*r->pos && *r->pos != '\n') r->pos++;
      continue;
    }
    break;
  }
  if (*r->pos == '\0') return NULL;
  char *start = r->pos;
  while (*r->pos && *r->pos != ' ' && *r->pos != '\n' && *r->pos != '\t' && *r->pos != '\r') r->pos++;
  if (*r->pos) *r->pos++ = '\0';
  return start;
}

__attribute__((unused)) static double next_double(reader *r) {
  char *t = next_token(r), *end = NULL;
  ck_assert_ptr_nonnull(t);
  double v = strtod(t, &end);
  ck_assert_msg(*end == '\0', "bad number '%s' in fixture", t);
  return v;
}

__attribute__((unused)) static void expect_word(reader *r, const char *w) {
  char *t = next_token(r);
  ck_assert_msg(t && strcmp(t, w) == 0, "fixture: expected '%s', got '%s'", w, t ? t : "(end)");
}

#endif
