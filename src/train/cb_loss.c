/* cb_loss.c - mean softmax cross-entropy over a batch of logits, and its gradient. */
#include <math.h>

#include "cb_train_ops.h"

cb_status cb_softmax_xent(const float *z, const int *labels, int n, int c, double *loss, float *dz) {
  if (z == NULL || labels == NULL || loss == NULL || n <= 0 || c <= 0)
    return CB_ERROR(CB_ERR_ARG, "softmax cross-entropy: NULL argument or empty batch (%d x %d)", n, c);
  for (int i = 0; i < n; ++i)
    if (labels[i] < 0 || labels[i] >= c)
      return CB_ERROR(CB_ERR_ARG, "softmax cross-entropy: label %d of sample %d is not in [0, %d)", labels[i], i, c);
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    const float *zi = z + (size_t)i * (size_t)c;
    double mx = zi[0], s = 0.0;
    for (int k = 1; k < c; ++k) mx = zi[k] > mx ? zi[k] : mx;
    for (int k = 0; k < c; ++k) s += exp((double)zi[k] - mx);
    const double lse = mx + log(s); /* log sum_k exp(z_k) */
    total += lse - zi[labels[i]];
    if (dz == NULL) continue;
    for (int k = 0; k < c; ++k)
      dz[(size_t)i * (size_t)c + (size_t)k] = (float)((exp((double)zi[k] - lse) - (k == labels[i])) / n);
  }
  *loss = total / n;
  return CB_OK;
}
