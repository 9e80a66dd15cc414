/* cb_report.h - the self-contained HTML report of a suite (leaderboard.html).
 *
 * One file, no network access needed: inline CSS and JavaScript, figures as
 * inline SVG (score bars with error bars, the model x benchmark heatmap,
 * layer profiles) and RDM heatmaps as PNG data: URIs (libpng, viridis).
 * Stable ids for tests and links (docs/report.md):
 *   table#leaderboard, tr.model-row[data-model=NAME] (id model-<k>),
 *   figure#fig-bars-<b>, figure#fig-heatmap, figure#fig-profile-<region k>,
 *   figure#fig-twin-<pair>-<region k>, figure#fig-task-<region k>,
 *   figure#fig-rdm-<group k> holding img.rdm[data-name=NAME], section#metadata.
 * The page's script sorts the table on header clicks and, once loaded, sets
 * body[data-ready=1] and img.rdm[data-decoded=1] for every decoded PNG.
 *
 * Usage (rank 0, after cb_leaderboard_build):
 *   cb_report *r; cb_report_create("default", &r);
 *   cb_report_set_leaderboard(r, lb);                   // borrowed
 *   cb_report_add_rdm_in(r, "gratings-v1.V1-rsa", "V1 (neural)", D, n);
 *   cb_report_add_rdm_in(r, "gratings-v1.V1-rsa", "tinycnn features.5", D2, n);
 *   cb_report_add_meta(r, "OpenBLAS core", "SkylakeX");
 *   cb_report_write_html(r, "results/default/leaderboard.html");
 *   cb_report_destroy(&r);
 * The HTML may carry timings and host names (it is not byte-compared). */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include "cb_leaderboard.h"
#include "cb_status.h"
#include "cb_strbuf.h"

typedef struct cb_report cb_report;

/* title: e.g. the suite name (copied). */
cb_status cb_report_create(const char *title, cb_report **out);
void cb_report_destroy(cb_report **r);
/* lb is borrowed: it must outlive the report's last html/write call. */
cb_status cb_report_set_leaderboard(cb_report *r, const cb_leaderboard *lb);
/* A named RDM D (n, n), copied, shown as a heatmap in figure `group`
 * (figures in order of first use; RDMs in the order added). */
cb_status cb_report_add_rdm_in(cb_report *r, const char *group, const char *name, const double *D, int n);
/* Same in the group "RDMs". */
cb_status cb_report_add_rdm(cb_report *r, const char *name, const double *D, int n);
/* A trained model and its untrained twin (same layers, re-drawn weights):
 * their layer profiles are drawn on one plot per region they share,
 * figure#fig-twin-<pair>-<region k>[data-region][data-trained][data-untrained]. */
cb_status cb_report_add_twin(cb_report *r, const char *trained, const char *untrained);
/* A model's task performance (accuracy in [0, 1] on held-out images of its training task, e.g. the [model]
 * task_accuracy of a training checkpoint). With two or more, the page gets section#task: per region,
 * figure#fig-task-<region k>[data-region] plots each such model's region score against its accuracy, the points
 * joined in the order added (cb_report_task.c). */
cb_status cb_report_add_task(cb_report *r, const char *model, double accuracy);
/* One line of run metadata (versions, BLAS core, ranks, seeds, checksums,
 * timings), shown in order. */
cb_status cb_report_add_meta(cb_report *r, const char *key, const char *value);
cb_status cb_report_html(const cb_report *r, cb_strbuf *out);
/* Writes the page atomically (parent directories created). */
cb_status cb_report_write_html(const cb_report *r, const char *path);

#endif
