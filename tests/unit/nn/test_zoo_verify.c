/* Tests of the zoo manifest, archive unpacking and `cortexbench zoo verify`.
 * Offline: the pretrained-model path (download, checksum, unpack, run the
 * bundled test sets) is exercised on .tar.gz files built here from
 * libonnx-testdata node cases laid out like the ONNX model zoo tarballs
 * (<name>/model.onnx, <name>/test_data_set_0/{input,output}_*.pb) and
 * served through file:// URLs. Skips when libonnx-testdata is absent. */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cb_archive.h"
#include "cb_fs.h"
#include "cb_modelopen.h"
#include "cb_zoo_verify.h"
#include "cb_sha.h"
#include "cb_test_main.h"

#define NODE "/usr/share/libonnx-testdata/data/node/"

static char tmp[256];

static void setup(void) {
  snprintf(tmp, sizeof tmp, "/tmp/cb_zoo_verify.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
}

static void add_file(struct archive *a, const char *member, const char *src) {
  char *data = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(src, &data, &n), CB_OK);
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, member);
  archive_entry_set_size(e, (la_int64_t)n);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
  ck_assert_int_eq(archive_write_data(a, data, n), (la_ssize_t)n);
  archive_entry_free(e);
  free(data);
}

/* <out>: tar.gz with <name>/model.onnx from case `model_case` and
 * <name>/test_data_set_0/ from case `data_case`. */
static void make_tarball(const char *out, const char *name, const char *model_case, const char *data_case) {
  struct archive *a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  ck_assert_int_eq(archive_write_open_filename(a, out), ARCHIVE_OK);
  char m[512], s[512];
  snprintf(m, sizeof m, "%s/model.onnx", name);
  snprintf(s, sizeof s, NODE "%s/model.onnx", model_case);
  add_file(a, m, s);
  for (int i = 0; i < 4; ++i) {
    const char *kind[2] = {"input", "output"};
    for (int k = 0; k < 2; ++k) {
      snprintf(s, sizeof s, NODE "%s/test_data_set_0/%s_%d.pb", data_case, kind[k], i);
      if (!cb_path_exists(s)) continue;
      snprintf(m, sizeof m, "%s/test_data_set_0/%s_%d.pb", name, kind[k], i);
      add_file(a, m, s);
    }
  }
  ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
}

/* Runs the cortexbench executable; returns its exit status, stdout and stderr in files. */
static int run_cli(const char *args, char **out, char **err) {
  char cmd[4096], fo[300], fe[300];
  snprintf(fo, sizeof fo, "%s/stdout", tmp);
  snprintf(fe, sizeof fe, "%s/stderr", tmp);
  snprintf(cmd, sizeof cmd, "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 '%s' %s >'%s' 2>'%s'", CB_EXE,
           args, fo, fe);
  int rc = system(cmd);
  size_t n;
  ck_assert_int_eq(cb_file_read_all(fo, out, &n), CB_OK);
  ck_assert_int_eq(cb_file_read_all(fe, err, &n), CB_OK);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* cortexbench <action> --manifest man --home home --no-progress */
static int cli(const char *man, const char *home, const char *fmt, const char *action, char **out, char **err) {
  char a[1024], full[2048];
  snprintf(a, sizeof a, fmt, action);
  snprintf(full, sizeof full, "%s --manifest '%s' --home '%s' --no-progress", a, man, home);
  return run_cli(full, out, err);
}

/* error lines on stderr (info lines may precede them) */
static int count_errors(const char *s) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, "error:")) != NULL; ++p) ++n;
  return n;
}

START_TEST(test_zoo_verify_cli) {
  if (!cb_path_is_dir(NODE "test_relu")) {
    printf("skipped: libonnx-testdata not installed\n");
    return;
  }
  char good[300], conv[300], bad_out[300], corrupt[300], man[300], home[300];
  snprintf(good, sizeof good, "%s/relu.tar.gz", tmp);
  snprintf(conv, sizeof conv, "%s/conv.tar.gz", tmp);
  snprintf(bad_out, sizeof bad_out, "%s/wrong.tar.gz", tmp);
  snprintf(corrupt, sizeof corrupt, "%s/corrupt.tar.gz", tmp);
  snprintf(man, sizeof man, "%s/zoo.ini", tmp);
  snprintf(home, sizeof home, "%s/home", tmp);
  make_tarball(good, "test_relu", "test_relu", "test_relu");
  make_tarball(conv, "conv", "test_conv_with_strides_padding", "test_conv_with_strides_padding");
  make_tarball(bad_out, "test_relu", "test_relu", "test_abs"); /* relu model, abs outputs: must FAIL */
  /* a corrupted copy of the good tarball (one byte flipped) */
  char *data = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(good, &data, &n), CB_OK);
  data[n / 2] ^= 0x55;
  ck_assert_int_eq(cb_file_write_atomic(corrupt, data, n), CB_OK);
  free(data);
  char h_good[CB_HASH_HEX_MAX], h_conv[CB_HASH_HEX_MAX], h_bad[CB_HASH_HEX_MAX];
  ck_assert_int_eq(cb_hash_file(good, CB_HASH_SHA256, h_good, NULL), CB_OK);
  ck_assert_int_eq(cb_hash_file(conv, CB_HASH_SHA256, h_conv, NULL), CB_OK);
  ck_assert_int_eq(cb_hash_file(bad_out, CB_HASH_SHA256, h_bad, NULL), CB_OK);
  FILE *f = fopen(man, "w");
  fprintf(f, "[model]\nname = relu\nurl = file://%s\nsha256 = %s\nmember = test_relu/model.onnx\nrtol = 0.001\n"
             "atol = 1e-7\n\n", good, h_good);
  fprintf(f, "[model]\nname = conv\nurl = file://%s\nsha256 = %s\nmember = conv/model.onnx\n\n", conv, h_conv);
  fprintf(f, "[model]\nname = wrong\nurl = file://%s\nsha256 = %s\nmember = test_relu/model.onnx\n\n", bad_out, h_bad);
  fprintf(f, "[model]\nname = corrupt\nurl = file://%s\nsha256 = %s\nmember = test_relu/model.onnx\n\n", corrupt,
          h_good);
  fprintf(f, "[model]\nname = unpinned\nurl = file://%s\nsha256 = unpinned\nmember = test_relu/model.onnx\n\n", good);
  fprintf(f, "[model]\nname = local\nonnx = %s/model.onnx\nsha256 = %s\n\n", NODE "test_relu", h_good);
  fprintf(f, "[model]\nname = alexnet\nbuilder = alexnet\n");
  fclose(f);

  char args[256], *out = NULL, *err = NULL;
#define CLI(fmt, ...) (free(out), free(err), cli(man, home, fmt, __VA_ARGS__, &out, &err))
  ck_assert_msg(CLI("%s", "zoo verify relu") == 0, "%s", err);
  ck_assert_ptr_nonnull(strstr(out, "test_data_set_0: pass"));
  ck_assert_ptr_nonnull(strstr(out, "relu: 1 of 1 test sets pass"));
  char cached[400];
  snprintf(cached, sizeof cached, "%s/models/relu/unpacked/test_relu/model.onnx", home);
  ck_assert(cb_path_exists(cached));
  ck_assert_msg(CLI("%s", "zoo verify relu") == 0, "%s", err); /* again, from the cache */
  ck_assert_msg(CLI("%s", "zoo verify conv") == 0, "%s", err);
  ck_assert_ptr_nonnull(strstr(out, "test_data_set_0: pass"));

  ck_assert_int_eq(CLI("%s", "zoo verify wrong"), 1);
  ck_assert_ptr_nonnull(strstr(out, "test_data_set_0: FAIL"));
  ck_assert_ptr_nonnull(strstr(err, "1 of 1 test sets fail"));
  ck_assert_int_eq(count_errors(err), 1);

  ck_assert_int_eq(CLI("%s", "zoo verify corrupt"), 1);
  ck_assert_msg(strstr(err, "sha256 mismatch") != NULL, "%s", err);
  ck_assert_int_eq(count_errors(err), 1);
  snprintf(cached, sizeof cached, "%s/models/corrupt/corrupt.tar.gz", home);
  ck_assert(!cb_path_exists(cached)); /* nothing unverified left in the cache */

  ck_assert_int_ne(CLI("%s", "zoo verify unpinned"), 0);
  ck_assert_ptr_nonnull(strstr(err, "no sha256 pinned"));
  snprintf(args, sizeof args, "zoo verify unpinned --sha256 %s", h_good);
  ck_assert_msg(CLI("%s", args) == 0, "%s", err);

  ck_assert_int_ne(CLI("%s", "zoo verify local"), 0); /* the sha256 given is the tarball's, not the file's */
  ck_assert_ptr_nonnull(strstr(err, "sha256 mismatch"));
  ck_assert_int_eq(CLI("%s", "zoo verify alexnet"), 2);
  ck_assert_int_eq(CLI("%s", "zoo verify nosuch"), 2);
  ck_assert_int_eq(CLI("%s", "zoo list"), 0);
  ck_assert_ptr_nonnull(strstr(out, "conv"));
  free(out), free(err);
#undef CLI
}
END_TEST

START_TEST(test_archive_rejects_unsafe_members) {
  const char *bad[] = {"../evil", "/abs/path", "a/../../b"};
  for (int i = 0; i < 3; ++i) {
    char arc[300], dest[300];
    snprintf(arc, sizeof arc, "%s/bad%d.tar.gz", tmp, i);
    snprintf(dest, sizeof dest, "%s/out%d", tmp, i);
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    ck_assert_int_eq(archive_write_open_filename(a, arc), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, bad[i]);
    archive_entry_set_size(e, 3);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, "abc", 3);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    ck_assert_int_eq(cb_archive_extract(arc, dest, NULL), CB_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(cb_error_message(), "unsafe name"));
    ck_assert(!cb_path_exists(dest));
  }
  char notarc[300], dest[300];
  snprintf(notarc, sizeof notarc, "%s/plain.txt", tmp);
  snprintf(dest, sizeof dest, "%s/outp", tmp);
  ck_assert_int_eq(cb_file_write_atomic(notarc, "hello", 5), CB_OK);
  ck_assert_int_ne(cb_archive_extract(notarc, dest, NULL), CB_OK);
  ck_assert(!cb_path_exists(dest));
}
END_TEST

static cb_status load_text(const char *text, cb_zoo_manifest **m) {
  char p[300];
  snprintf(p, sizeof p, "%s/m.ini", tmp);
  ck_assert_int_eq(cb_file_write_atomic(p, text, strlen(text)), CB_OK);
  return cb_zoo_manifest_load(p, m);
}

START_TEST(test_manifest_parse_and_errors) {
  cb_zoo_manifest *m = NULL;
  ck_assert_int_eq(load_text("[model]\nname = a\nbuilder = resnet18\ninput = 96x128\nmean = 0.5, 0.5, 0.5\n"
                             "std = 0.25 0.25 0.25\nvisual_degrees = 4\nseed = 3\n\n[model]\nname = b\n"
                             "onnx = sub/b.onnx\n", &m), CB_OK);
  ck_assert_int_eq(m->n, 2);
  const cb_zoo_entry *a = cb_zoo_manifest_find(m, "a");
  ck_assert(a->source == CB_ZOO_SRC_BUILDER && a->in_h == 96 && a->in_w == 128 && a->seed == 3);
  ck_assert(a->mean[1] == 0.5f && a->std[2] == 0.25f && a->visual_degrees == 4);
  const cb_zoo_entry *b = cb_zoo_manifest_find(m, "b");
  char want[400];
  snprintf(want, sizeof want, "%s/sub/b.onnx", tmp);
  ck_assert_str_eq(b->onnx, want); /* relative to the manifest */
  ck_assert(b->mean[0] == 0.485f && b->visual_degrees == 8);
  cb_model *model = NULL;
  ck_assert_int_eq(cb_zoo_entry_model(a, NULL, &model), CB_OK);
  const cb_model_info *info = cb_model_get_info(model);
  ck_assert_str_eq(info->name, "a");
  ck_assert(info->in_h == 96 && info->in_w == 128 && info->mean[0] == 0.5f && info->visual_degrees == 4);
  ck_assert(cb_model_find_layer(model, "layer4.1") >= 0);
  cb_model_destroy(&model);
  cb_zoo_manifest_destroy(&m);
  ck_assert_ptr_null(m);

  const char *bad[][2] = {
      {"[model]\nname = a\nbuilder = alexnet\ncolour = red\n", "unknown key 'colour'"},
      {"[model]\nname = a\nbuilder = alexnet\nonnx = x.onnx\n", "one source"},
      {"[model]\nname = a\nurl = http://x/y.tar.gz\nsha256 = abc\n", "64 hex"},
      {"[model]\nname = a\nurl = http://x/y.tar.gz\n", "member"},
      {"[model]\nname = a\nbuilder = nosuchnet\n", "unknown builder"},
      {"[model]\nname = a\nbuilder = alexnet\n[model]\nname = a\nbuilder = vgg16\n", "listed twice"},
      {"[model]\nname = a\n", "no source"},
      {"[model]\nname = a\nbuilder = alexnet\ninput = 224\n", "HxW"},
      {"[model]\nname = a\nbuilder = alexnet\nstd = 1, 0, 1\n", "positive"},
      {"[models]\nname = a\n", "unknown section"},
      {"[model]\nbuilder = alexnet\n", "name must come first"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    ck_assert_int_eq(load_text(bad[i][0], &m), CB_ERR_CONFIG);
    ck_assert_msg(strstr(cb_error_message(), bad[i][1]) != NULL, "case %zu: %s", i, cb_error_message());
    ck_assert_ptr_null(m);
  }
}
END_TEST

START_TEST(test_repo_manifest_loads) {
  cb_zoo_manifest *m = NULL;
  ck_assert_int_eq(cb_zoo_manifest_load("benchmarks/zoo.ini", &m), CB_OK);
  const char *want[] = {"alexnet", "vgg16", "resnet18", "resnet50", "cornet_z", "cornet_s", "onnx_resnet50",
                        "onnx_densenet121", "onnx_shufflenet"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; ++i) ck_assert_ptr_nonnull(cb_zoo_manifest_find(m, want[i]));
  ck_assert(cb_zoo_manifest_find(m, "onnx_densenet121")->rtol == 0.002);
  cb_zoo_manifest_destroy(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("zoo_verify");
  TCase *tc = tcase_create("zoo_verify");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_zoo_verify_cli);
  tcase_add_test(tc, test_archive_rejects_unsafe_members);
  tcase_add_test(tc, test_manifest_parse_and_errors);
  tcase_add_test(tc, test_repo_manifest_loads);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
