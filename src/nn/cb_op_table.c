/* cb_op_table.c - operator lookup by ONNX name. */
#include <string.h>

#include "cb_graph_impl.h"

const cb__op *cb__op_find(const char *name) {
  static const cb__op *const single[] = {&cb__op_conv,      &cb__op_maxpool,    &cb__op_avgpool, &cb__op_gavgpool,
                                         &cb__op_gmaxpool,  &cb__op_gemm,       &cb__op_matmul,  &cb__op_batchnorm,
                                         &cb__op_lrn,       &cb__op_softmax,    &cb__op_logsoftmax};
  static const cb__op *const tables[] = {cb__unary_ops, cb__binary_ops, cb__shape_ops};
  if (name == NULL) return NULL;
  for (size_t i = 0; i < sizeof single / sizeof single[0]; ++i)
    if (strcmp(single[i]->name, name) == 0) return single[i];
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; ++t)
    for (const cb__op *op = tables[t]; op->name; ++op)
      if (strcmp(op->name, name) == 0) return op;
  return NULL;
}
