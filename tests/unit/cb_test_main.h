/* cb_test_main.h - the end of every Check program's main(): run the suite, print Check's summary, and turn
 * the failure count into the exit status ctest reads. */
#ifndef CB_TEST_MAIN_H
#define CB_TEST_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int cb_test_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
