/* cb_zoo_verify.h - `cortexbench zoo verify`'s check of a fetched model
 * against the ONNX backend test sets shipped next to it. */
#ifndef CB_ZOO_VERIFY_H
#define CB_ZOO_VERIFY_H

#include <stdio.h>

#include "cb_status.h"

/* Runs the ONNX backend test sets next to a model: every
 * <dir>/test_data_set_*\/input_<i>.pb through `model_path` (the first input's
 * shape taken from input_0.pb), outputs compared with output_<k>.pb as
 * numpy.testing.assert_allclose does: |got - want| <= atol + rtol |want|.
 * One line per set on `report` (may be NULL): "test_data_set_0: pass (1000
 * values, max |diff| 3e-07)" or "...: FAIL ...". *n_sets / *n_passed
 * receive the counts; no test set at all is an error. */
cb_status cb_zoo_verify_dir(const char *dir, const char *model_path, double rtol, double atol, FILE *report,
                            int *n_sets, int *n_passed);

#endif
