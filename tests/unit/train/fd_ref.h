/* fd_ref.h - a double-precision reference forward of every operator src/train differentiates: naive
 * loops written from the operator definitions (ONNX / PyTorch), sharing no code with the engine. The
 * finite-difference test differentiates them numerically. */
#ifndef FD_REF_H
#define FD_REF_H

#include "grad_fixture.h"

/* y (numel of the case's golden "y", whose shape it takes) = op(in[0..n_in-1]) for case c's operator and
 * attributes; in[k]: the values of input k (shape of the case's tensor c->in[k]). dropout_scale: the
 * mask of a Dropout case ((numel x) floats), else NULL. 0 when the operator is unknown. */
int fd_ref_forward(const gf_case *c, const double *const *in, const float *dropout_scale, double *y);

#endif
