/* cortexbench leaderboard: rank models from score files. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_fs.h"
#include "cb_leaderboard.h"
#include "cb_strbuf.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench leaderboard PATH... [-o DIR]\n\n"
         "Reads every score file (*.json, the format `cortexbench score` writes) in the given\n"
         "files and directories (recursively), keeps the best layer of each model on each\n"
         "benchmark, clips scores to [0, 1], averages over benchmarks (a missing benchmark\n"
         "counts as 0) and prints the ranked table. With -o DIR also writes\n"
         "DIR/leaderboard.csv and DIR/leaderboard.md.\n");
}

typedef struct path_list {
  char **v;
  int n, cap;
} path_list;

static cb_status push(path_list *l, const char *s) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    char **nv = realloc(l->v, (size_t)cap * sizeof *nv);
    if (!nv) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    l->v = nv;
    l->cap = cap;
  }
  if (!(l->v[l->n] = cb_strdup(s))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  l->n++;
  return CB_OK;
}

static cb_status collect(const char *path, path_list *l) {
  struct stat sb;
  if (stat(path, &sb) != 0) return CB_ERROR(CB_ERR_IO, "%s: no such file or directory", path);
  if (!S_ISDIR(sb.st_mode)) return push(l, path);
  DIR *d = opendir(path);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot read directory", path);
  cb_status st = CB_OK;
  struct dirent *e;
  while (st == CB_OK && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue; /* also skips temporary files */
    char child[CB_PATH_MAX];
    st = cb_path_join(child, sizeof child, path, e->d_name);
    if (st != CB_OK) break;
    if (cb_path_is_dir(child)) {
      st = collect(child, l);
    } else {
      size_t n = strlen(e->d_name);
      if (n > 5 && !strcmp(e->d_name + n - 5, ".json")) st = push(l, child);
    }
  }
  closedir(d);
  return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct lb_args {
  int n_paths;
  char **paths;
  const char *out;
} lb_args;

static cb_status leaderboard_rank0(void *arg) {
  lb_args *a = arg;
  cb_status st = CB_OK;
  path_list files = {0};
  cb_score *scores = NULL;
  cb_leaderboard *lb = NULL;
  cb_strbuf md = {0};
  int n = 0;
  for (int i = 0; i < a->n_paths; ++i) CB_CHECK_GOTO(collect(a->paths[i], &files), st, done);
  if (files.n == 0) {
    st = CB_ERROR(CB_ERR_IO, "%s: no score files (*.json) found", a->paths[0]);
    goto done;
  }
  qsort(files.v, (size_t)files.n, sizeof *files.v, cmp_str);
  scores = calloc((size_t)files.n, sizeof *scores);
  CB_ALLOC_GOTO(scores, st, done);
  for (; n < files.n; ++n) CB_CHECK_GOTO(cb_score_read_json(files.v[n], &scores[n]), st, done);
  CB_CHECK_GOTO(cb_leaderboard_build(scores, n, NULL, 0, NULL, 0, &lb), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  printf("%s", md.data);
  if (a->out) {
    CB_CHECK_GOTO(cb_leaderboard_write(lb, a->out), st, done);
    printf("written to %s/leaderboard.{csv,md}\n", a->out);
  }
done:
  for (int i = 0; i < n; ++i) cb_score_free(&scores[i]);
  free(scores);
  for (int i = 0; i < files.n; ++i) free(files.v[i]);
  free(files.v);
  cb_leaderboard_destroy(&lb);
  cb_strbuf_free(&md);
  return st;
}

cb_status cb_cmd_leaderboard(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  lb_args a = {0, NULL, NULL};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("leaderboard", argc, argv, "o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'o': a.out = optarg; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("leaderboard: missing PATH (see cortexbench leaderboard --help)");
  a.n_paths = argc - optind;
  a.paths = argv + optind;
  return cb_cli_on_rank0(p, leaderboard_rank0, &a);
}
