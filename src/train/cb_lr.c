/* cb_lr.c - learning-rate schedules in closed form: step decay, cosine annealing, linear warm-up. */
#include <math.h>

#include "cb_optim.h"

static double main_schedule(const cb_lr_schedule *s, int t) {
  switch (s->kind) {
  case CB_LR_STEP:
    return s->step_size > 0 ? s->base * pow(s->gamma, (double)(t / s->step_size)) : s->base;
  case CB_LR_COSINE: {
    if (s->t_max <= 0) return s->base;
    return s->eta_min + (s->base - s->eta_min) * (1.0 + cos(M_PI * (double)t / s->t_max)) / 2.0;
  }
  case CB_LR_CONSTANT:
  default:
    return s->base;
  }
}

double cb_lr_at(const cb_lr_schedule *s, int t) {
  if (s == NULL) return 0.0;
  if (t < 0) t = 0;
  if (s->warmup > 0 && t < s->warmup)
    return s->base * (s->warmup_factor + (1.0 - s->warmup_factor) * (double)t / s->warmup);
  return main_schedule(s, s->warmup > 0 ? t - s->warmup : t);
}
