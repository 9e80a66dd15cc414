/* cortexbench zoo list | verify NAME: the zoo manifest (benchmarks/zoo.ini)
 * and the check of pretrained ONNX models against their bundled test sets. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_archive.h"
#include "cb_fetch.h"
#include "cb_fs.h"
#include "cb_log.h"
#include "cb_zoo.h"
#include "cb_zoo_manifest.h"
#include "cb_zoo_verify.h"
#include "cb_modelopen.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench zoo list [--manifest FILE]\n"
         "       cortexbench zoo verify NAME [--manifest FILE] [--home DIR] [--sha256 HEX] [--no-progress]\n\n"
         "list: every model of the zoo manifest with its source (builder, ONNX file or URL),\n"
         "input size, normalisation and visual degrees.\n"
         "verify: fetches a url model into $CORTEXBENCH_HOME/models/NAME/ (checked against its\n"
         "sha256, resumable), unpacks the archive, and runs each test_data_set_* bundled with\n"
         "the model (input_*.pb -> output_*.pb) at the manifest's rtol/atol; an onnx model is\n"
         "checked against the test sets next to its file. Prints pass/FAIL per set; exit\n"
         "status 1 when one fails.\n\n"
         "  --manifest FILE  the zoo manifest (also CORTEXBENCH_ZOO; default benchmarks/zoo.ini\n"
         "                   of the source tree)\n"
         "  --home DIR       cache root (also CORTEXBENCH_HOME; default ~/.cache/cortexbench)\n"
         "  --sha256 HEX     expected checksum of the download when the manifest has none pinned\n"
         "  --no-progress    no progress bar\n");
}

typedef struct zoo_args {
  const char *what, *name, *manifest, *sha256;
  cb_fetch_opts opts;
} zoo_args;

cb_status cb_cli_zoo_manifest_path(const char *override, char *out, size_t n) {
  return cb_zoo_manifest_path(override, out, n);
}

static cb_status zoo_list(const cb_zoo_manifest *m) {
  CB_CHECK(cb_models_register());
  printf("%-18s %-8s %-9s %5s  %-23s %-23s  %s\n", "model", "source", "input", "deg", "mean", "std", "from");
  for (int i = 0; i < m->n; ++i) {
    const cb_zoo_entry *e = &m->entries[i];
    char in[32] = "default", mean[48], std[48];
    if (e->in_h > 0) snprintf(in, sizeof in, "%dx%d", e->in_h, e->in_w);
    snprintf(mean, sizeof mean, "%.3f,%.3f,%.3f", e->mean[0], e->mean[1], e->mean[2]);
    snprintf(std, sizeof std, "%.3f,%.3f,%.3f", e->std[0], e->std[1], e->std[2]);
    const char *from = e->source == CB_ZOO_SRC_BUILDER ? e->builder : e->source == CB_ZOO_SRC_ONNX ? e->onnx : e->url;
    printf("%-18s %-8s %-9s %5.1f  %-23s %-23s  %s%s\n", e->name, cb_zoo_source_name(e->source), in,
           e->visual_degrees, mean, std, from, e->source == CB_ZOO_SRC_URL && !e->sha256 ? " (sha256 unpinned)" : "");
  }
  for (int k = 0; k < cb_zoo_count(); ++k) {
    int listed = 0;
    for (int i = 0; i < m->n; ++i)
      listed |= m->entries[i].source == CB_ZOO_SRC_BUILDER && !strcmp(m->entries[i].builder, cb_zoo_name(k));
    if (!listed) printf("%-18s %-8s (no manifest entry) %s\n", cb_zoo_name(k), "builder", cb_zoo_describe(k));
  }
  return CB_OK;
}

/* Fetches and unpacks a url entry; model and test sets end up in model_path's directory. */
static cb_status fetch_entry(const zoo_args *a, const cb_zoo_entry *e, const char *digest, char *model_path,
                             size_t n) {
  char dir[CB_PATH_MAX], file[CB_PATH_MAX], unpacked[CB_PATH_MAX], stamp[CB_PATH_MAX];
  const char *base = strrchr(e->url, '/');
  base = base && base[1] ? base + 1 : "download";
  if ((size_t)snprintf(dir, sizeof dir, "%s/models/%s", a->opts.home, e->name) >= sizeof dir)
    return CB_ERROR(CB_ERR_ARG, "cache path too long");
  CB_CHECK(cb_path_join(file, sizeof file, dir, base));
  CB_CHECK(cb_mkdirs(dir));
  int cached = 0;
  uint64_t bytes = 0;
  CB_CHECK(cb_fetch_url(&a->opts, e->url, file, -1, CB_HASH_SHA256, digest, &cached, &bytes));
  cb_log(CB_LOG_INFO, "%s: %s (%s)", e->name, file, cached ? "cached, verified" : "downloaded, verified");
  if (!e->member) { /* a bare .onnx */
    if ((size_t)snprintf(model_path, n, "%s", file) >= n) return CB_ERROR(CB_ERR_ARG, "path too long");
    return CB_OK;
  }
  CB_CHECK(cb_path_join(unpacked, sizeof unpacked, dir, "unpacked"));
  CB_CHECK(cb_path_join(stamp, sizeof stamp, dir, "unpacked.sha256"));
  char *old = NULL;
  size_t len = 0;
  int fresh = cb_path_is_dir(unpacked) && cb_file_read_all(stamp, &old, &len) == CB_OK && !strcmp(old, digest);
  free(old);
  if (!fresh) {
    int files = 0;
    CB_CHECK(cb_archive_extract(file, unpacked, &files));
    CB_CHECK(cb_file_write_atomic(stamp, digest, strlen(digest)));
    cb_log(CB_LOG_INFO, "%s: unpacked %d files into %s", e->name, files, unpacked);
  }
  CB_CHECK(cb_path_join(model_path, n, unpacked, e->member));
  if (!cb_path_exists(model_path))
    return CB_ERROR(CB_ERR_FORMAT, "%s: the archive has no member '%s' (manifest %s, model %s)", file, e->member,
                    e->name, e->name);
  return CB_OK;
}

static cb_status zoo_verify(const zoo_args *a, const cb_zoo_manifest *m) {
  const cb_zoo_entry *e = cb_zoo_manifest_find(m, a->name);
  if (!e) return CB_USAGE("zoo verify: no model '%s' in %s (see cortexbench zoo list)", a->name, m->path);
  char model_path[CB_PATH_MAX], dir[CB_PATH_MAX];
  if (e->source == CB_ZOO_SRC_BUILDER)
    return CB_USAGE("zoo verify: %s is built in C by '%s' (random weights): nothing to verify", e->name, e->builder);
  if (e->source == CB_ZOO_SRC_URL) {
    const char *digest = a->sha256 ? a->sha256 : e->sha256;
    if (!digest)
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: no sha256 pinned; give --sha256 HEX (e.g. from a trusted "
                      "sha256sum of %s) or add it to the manifest", m->path, e->name, e->url);
    if (e->sha256 && a->sha256 && strcmp(e->sha256, a->sha256))
      return CB_USAGE("zoo verify: --sha256 differs from the manifest's for %s", e->name);
    CB_CHECK(fetch_entry(a, e, digest, model_path, sizeof model_path));
  } else {
    if (e->sha256) {
      char hex[CB_HASH_HEX_MAX];
      CB_CHECK(cb_hash_file(e->onnx, CB_HASH_SHA256, hex, NULL));
      if (strcmp(hex, e->sha256))
        return CB_ERROR(CB_ERR_FORMAT, "%s: sha256 mismatch: manifest %s, file %s", e->onnx, e->sha256, hex);
    }
    snprintf(model_path, sizeof model_path, "%s", e->onnx);
  }
  cb_path_dirname(model_path, dir, sizeof dir);
  int n_sets = 0, n_pass = 0;
  printf("%s: %s\n", e->name, model_path);
  fflush(stdout);
  CB_CHECK(cb_zoo_verify_dir(dir, model_path, e->rtol, e->atol, stdout, &n_sets, &n_pass));
  printf("%s: %d of %d test sets pass\n", e->name, n_pass, n_sets);
  if (n_pass != n_sets)
    return CB_ERROR(CB_ERR_NUMERIC, "zoo verify %s: %d of %d test sets fail at rtol %g, atol %g", e->name,
                    n_sets - n_pass, n_sets, e->rtol, e->atol);
  return CB_OK;
}

cb_status cb_cli_zoo_open(const char *name, uint64_t seed, cb_model **out) { return cb_model_open(name, seed, out); }

static cb_status zoo_rank0(void *arg) {
  zoo_args *a = arg;
  char path[CB_PATH_MAX];
  CB_CHECK(cb_cli_zoo_manifest_path(a->manifest, path, sizeof path));
  cb_zoo_manifest *m = NULL;
  CB_CHECK(cb_zoo_manifest_load(path, &m));
  cb_status st = !strcmp(a->what, "list") ? zoo_list(m) : zoo_verify(a, m);
  cb_zoo_manifest_destroy(&m);
  return st;
}

cb_status cb_cmd_zoo(cb_par *p, int argc, char **argv) {
  enum { O_MANIFEST = 256, O_HOME, O_SHA, O_NOPROGRESS };
  static const struct option opts[] = {{"manifest", required_argument, 0, O_MANIFEST},
                                       {"home", required_argument, 0, O_HOME},
                                       {"sha256", required_argument, 0, O_SHA},
                                       {"no-progress", no_argument, 0, O_NOPROGRESS},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  zoo_args a = {0};
  CB_CHECK(cb_fetch_opts_init(&a.opts));
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("zoo", argc, argv, "h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case O_MANIFEST: a.manifest = optarg; break;
    case O_HOME:
      if (!*optarg || (size_t)snprintf(a.opts.home, sizeof a.opts.home, "%s", optarg) >= sizeof a.opts.home)
        return CB_USAGE("zoo: --home: expected a directory");
      break;
    case O_SHA:
      if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdef") != 64)
        return CB_USAGE("zoo: --sha256: 64 lower-case hex digits expected");
      a.sha256 = optarg;
      break;
    case O_NOPROGRESS: a.opts.progress = 0; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      cb_cli_help_shown = 1;
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("zoo: missing what to do: list or verify NAME (see cortexbench zoo --help)");
  a.what = argv[optind];
  if (!strcmp(a.what, "list")) {
    if (optind + 1 < argc) return CB_USAGE("zoo list: unexpected argument '%s'", argv[optind + 1]);
  } else if (!strcmp(a.what, "verify")) {
    if (optind + 1 >= argc) return CB_USAGE("zoo verify: missing model NAME (see cortexbench zoo list)");
    if (optind + 2 < argc) return CB_USAGE("zoo verify: unexpected argument '%s'", argv[optind + 2]);
    a.name = argv[optind + 1];
  } else {
    return CB_USAGE("zoo: unknown action '%s' (list or verify)", a.what);
  }
  if (cb_log_get_level() < CB_LOG_INFO) a.opts.progress = 0;
  return cb_cli_on_rank0(p, zoo_rank0, &a);
}
