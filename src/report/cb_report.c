/* cb_report.c - the report object: what the run hands over (leaderboard,
 * RDMs, metadata) and the atomic write of the page and its figure files. */
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_report_impl.h"

cb_status cb_report_create(const char *title, cb_report **out) {
  cb_report *r = calloc(1, sizeof *r);
  if (!r) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (!(r->title = cb_strdup(title ? title : ""))) {
    free(r);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  *out = r;
  return CB_OK;
}

void cb_report_destroy(cb_report **rp) {
  if (!rp || !*rp) return;
  cb_report *r = *rp;
  for (int i = 0; i < r->n_rdm; ++i) {
    free(r->rdm[i].group);
    free(r->rdm[i].name);
    free(r->rdm[i].d);
  }
  free(r->rdm);
  for (int i = 0; i < 2 * r->n_meta; ++i) free(r->meta[i]);
  free(r->meta);
  for (int i = 0; i < 2 * r->n_twin; ++i) free(r->twin[i]);
  free(r->twin);
  for (int i = 0; i < r->n_task; ++i) free(r->task_model[i]);
  free(r->task_model);
  free(r->task_acc);
  free(r->title);
  free(r);
  *rp = NULL;
}

cb_status cb_report_set_leaderboard(cb_report *r, const cb_leaderboard *lb) {
  if (!r) return CB_ERROR(CB_ERR_ARG, "report: NULL report");
  r->lb = lb;
  return CB_OK;
}

cb_status cb_report_add_rdm_in(cb_report *r, const char *group, const char *name, const double *D, int n) {
  if (!r || !group || !name || !D || n <= 0)
    return CB_ERROR(CB_ERR_ARG, "report: RDM '%s' needs a group, a name and an (n, n) matrix with n > 0 (n = %d)",
                    name ? name : "(null)", n);
  if (r->n_rdm == r->cap_rdm) {
    int cap = r->cap_rdm ? 2 * r->cap_rdm : 8;
    cb__rdm *v = realloc(r->rdm, (size_t)cap * sizeof *v);
    if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    r->rdm = v;
    r->cap_rdm = cap;
  }
  cb__rdm *e = &r->rdm[r->n_rdm];
  memset(e, 0, sizeof *e);
  e->n = n;
  e->group = cb_strdup(group);
  e->name = cb_strdup(name);
  e->d = malloc((size_t)n * (size_t)n * sizeof *e->d);
  if (!e->group || !e->name || !e->d) {
    free(e->group);
    free(e->name);
    free(e->d);
    return CB_ERROR(CB_ERR_NOMEM, "report: out of memory for RDM '%s' (%d x %d)", name, n, n);
  }
  memcpy(e->d, D, (size_t)n * (size_t)n * sizeof *e->d);
  r->n_rdm++;
  return CB_OK;
}

cb_status cb_report_add_rdm(cb_report *r, const char *name, const double *D, int n) {
  return cb_report_add_rdm_in(r, "RDMs", name, D, n);
}

cb_status cb_report_add_twin(cb_report *r, const char *trained, const char *untrained) {
  if (!r || !trained || !untrained) return CB_ERROR(CB_ERR_ARG, "report: a twin needs two model names");
  char **v = realloc(r->twin, (size_t)(r->n_twin + 1) * 2 * sizeof *v);
  if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  r->twin = v;
  if (!(v[2 * r->n_twin] = cb_strdup(trained))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (!(v[2 * r->n_twin + 1] = cb_strdup(untrained))) {
    free(v[2 * r->n_twin]);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  r->n_twin++;
  return CB_OK;
}

cb_status cb_report_add_task(cb_report *r, const char *model, double accuracy) {
  if (!r || !model || !(accuracy >= 0 && accuracy <= 1))
    return CB_ERROR(CB_ERR_ARG, "report: a task accuracy needs a model and a value in [0, 1]");
  char **m = realloc(r->task_model, (size_t)(r->n_task + 1) * sizeof *m);
  if (m) r->task_model = m;
  double *a = m ? realloc(r->task_acc, (size_t)(r->n_task + 1) * sizeof *a) : NULL;
  if (a) r->task_acc = a;
  if (!m || !a || !(m[r->n_task] = cb_strdup(model))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  a[r->n_task++] = accuracy;
  return CB_OK;
}

cb_status cb_report_add_meta(cb_report *r, const char *key, const char *value) {
  if (!r || !key) return CB_ERROR(CB_ERR_ARG, "report: metadata needs a key");
  if (r->n_meta == r->cap_meta) {
    int cap = r->cap_meta ? 2 * r->cap_meta : 16;
    char **v = realloc(r->meta, (size_t)cap * 2 * sizeof *v);
    if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    r->meta = v;
    r->cap_meta = cap;
  }
  char *k = cb_strdup(key), *v = cb_strdup(value ? value : "");
  if (!k || !v) {
    free(k);
    free(v);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  r->meta[2 * r->n_meta] = k;
  r->meta[2 * r->n_meta + 1] = v;
  r->n_meta++;
  return CB_OK;
}

cb_status cb_report_write_html(const cb_report *r, const char *path) {
  cb_strbuf page = {0};
  cb__figs figs = {0};
  char dir[CB_PATH_MAX], fig_dir[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  cb_status st = cb_path_join(fig_dir, sizeof fig_dir, dir, "figures");
  if (st == CB_OK) st = cb__report_page(r, &page, &figs);
  /* Figures first: the page that links them appears once they exist. */
  if (st == CB_OK) st = cb__figs_write(&figs, fig_dir);
  if (st == CB_OK) st = cb_file_write_atomic(path, page.data, page.len);
  cb__figs_free(&figs);
  cb_strbuf_free(&page);
  return st;
}
