/* cortexbench fetch: download a dataset's files into the cache, verified. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb_fetch.h"
#include "cb_log.h"
#include "cb_manifest.h"
#include "cb_strbuf.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench fetch ID [--mirror URL|DIR] [--home DIR] [--file NAME] [--manifests DIR]\n"
         "                            [--retries N] [--timeout S] [--connect-timeout S] [--no-progress]\n"
         "       cortexbench fetch --list [--manifests DIR]\n\n"
         "Downloads every file of dataset ID (its manifest: datasets/ID.ini) into\n"
         "$CORTEXBENCH_HOME/datasets/ID/ (default ~/.cache/cortexbench), verifying size and\n"
         "checksum before the file appears under its name; interrupted downloads resume.\n"
         "Prints the dataset directory on stdout.\n\n"
         "  --mirror URL|DIR   fetch from <URL>/ID/NAME or DIR/ID/NAME instead of upstream\n"
         "                     (also CORTEXBENCH_MIRROR); files made by the packagers only exist there\n"
         "  --home DIR         cache root (also CORTEXBENCH_HOME)\n"
         "  --file NAME        only this file of the dataset\n"
         "  --manifests DIR    where the manifests are (also CORTEXBENCH_MANIFESTS; default\n"
         "                     the datasets/ folder of the source tree)\n"
         "  --retries N        attempts after a transient failure (default 4, CORTEXBENCH_FETCH_RETRIES)\n"
         "  --timeout S        give up on a transfer stalled for S seconds (default 60,\n"
         "                     CORTEXBENCH_FETCH_TIMEOUT)\n"
         "  --connect-timeout S  (default 30, CORTEXBENCH_FETCH_CONNECT_TIMEOUT)\n"
         "  --no-progress      no progress bar (shown only when stderr is a terminal)\n"
         "  --list             the available manifests\n");
}

typedef struct fetch_args {
  const char *id, *file, *manifests;
  int list;
  cb_fetch_opts opts;
} fetch_args;

static void human_size(int64_t b, char *out, size_t n) {
  if (b >= 1000000000) snprintf(out, n, "%.1f GB", (double)b / 1e9);
  else if (b >= 1000000) snprintf(out, n, "%.1f MB", (double)b / 1e6);
  else snprintf(out, n, "%.1f kB", (double)b / 1e3);
}

static cb_status list_manifests(const char *dir) {
  char **ids = NULL;
  int n = 0;
  CB_CHECK(cb_manifest_list(dir, &ids, &n));
  cb_status st = CB_OK;
  for (int i = 0; i < n && st == CB_OK; ++i) {
    cb_manifest *m = NULL;
    st = cb_manifest_open(dir, ids[i], &m);
    if (st != CB_OK) break;
    char size[32];
    int unknown = 0;
    for (int k = 0; k < m->n_files; ++k) unknown |= m->files[k].size < 0;
    human_size(cb_manifest_total_size(m), size, sizeof size);
    printf("%-22s %4d files %10s%s  %s%s\n", m->id, m->n_files, size, unknown ? "+" : " ", m->title,
           m->verified ? "" : "  [not verified]");
    cb_manifest_destroy(&m);
  }
  cb_strlist_free(&ids);
  return st;
}

static cb_status fetch_rank0(void *arg) {
  fetch_args *a = arg;
  char dir[CB_PATH_MAX];
  CB_CHECK(cb_manifest_dir(a->manifests, dir, sizeof dir));
  if (a->list) return list_manifests(dir);
  cb_manifest *m = NULL;
  CB_CHECK(cb_manifest_open(dir, a->id, &m));
  cb_fetch_stats s;
  cb_status st = cb_fetch_dataset(&a->opts, m, a->file, &s);
  if (st == CB_OK) {
    char size[32];
    human_size((int64_t)s.bytes, size, sizeof size);
    cb_log(CB_LOG_INFO, "%s: %d file%s verified (%d downloaded, %s; %d already cached)", m->id, s.cached + s.downloaded,
           s.cached + s.downloaded == 1 ? "" : "s", s.downloaded, size, s.cached);
    printf("%s/datasets/%s\n", a->opts.home, m->id);
  }
  cb_manifest_destroy(&m);
  return st;
}

cb_status cb_cmd_fetch(cb_par *p, int argc, char **argv) {
  enum { O_MIRROR = 256, O_HOME, O_FILE, O_MANIFESTS, O_RETRIES, O_TIMEOUT, O_CTIMEOUT, O_NOPROGRESS, O_LIST };
  static const struct option opts[] = {{"mirror", required_argument, 0, O_MIRROR},
                                       {"home", required_argument, 0, O_HOME},
                                       {"file", required_argument, 0, O_FILE},
                                       {"manifests", required_argument, 0, O_MANIFESTS},
                                       {"retries", required_argument, 0, O_RETRIES},
                                       {"timeout", required_argument, 0, O_TIMEOUT},
                                       {"connect-timeout", required_argument, 0, O_CTIMEOUT},
                                       {"no-progress", no_argument, 0, O_NOPROGRESS},
                                       {"list", no_argument, 0, O_LIST},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  fetch_args a = {0};
  CB_CHECK(cb_fetch_opts_init(&a.opts));
  cb_status st = CB_OK;
  long v;
  int c;
  while ((c = cb_cli_getopt("fetch", argc, argv, "h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case O_MIRROR:
      if ((size_t)snprintf(a.opts.mirror, sizeof a.opts.mirror, "%s", optarg) >= sizeof a.opts.mirror)
        return CB_USAGE("fetch: --mirror too long");
      break;
    case O_HOME:
      if (!*optarg || (size_t)snprintf(a.opts.home, sizeof a.opts.home, "%s", optarg) >= sizeof a.opts.home)
        return CB_USAGE("fetch: --home: expected a directory");
      break;
    case O_FILE: a.file = optarg; break;
    case O_MANIFESTS: a.manifests = optarg; break;
    case O_RETRIES:
      CB_CHECK(cb_cli_parse_int("--retries", optarg, 0, 100, &v));
      a.opts.retries = (int)v;
      break;
    case O_TIMEOUT: CB_CHECK(cb_cli_parse_int("--timeout", optarg, 1, 86400, &a.opts.stall_timeout)); break;
    case O_CTIMEOUT: CB_CHECK(cb_cli_parse_int("--connect-timeout", optarg, 1, 3600, &a.opts.connect_timeout)); break;
    case O_NOPROGRESS: a.opts.progress = 0; break;
    case O_LIST: a.list = 1; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      cb_cli_help_shown = 1;
      return CB_OK;
    }
  }
  if (a.list) {
    if (optind < argc) return CB_USAGE("fetch: --list takes no dataset id ('%s')", argv[optind]);
  } else {
    if (optind >= argc) return CB_USAGE("fetch: missing dataset ID (see cortexbench fetch --list)");
    if (optind + 1 < argc) return CB_USAGE("fetch: unexpected argument '%s'", argv[optind + 1]);
    a.id = argv[optind];
  }
  if (cb_log_get_level() < CB_LOG_INFO) a.opts.progress = 0;
  return cb_cli_on_rank0(p, fetch_rank0, &a);
}
