/* Unit tests for SHA-256/SHA-1 (src/io/cb_sha.c) and the fetcher over file://
 * URLs (src/io/cb_fetch.c). HTTP behaviour (404, truncation, stalls, Range
 * resume) is tested by tests/io/fetch_http.sh against a local server. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_fetch.h"
#include "cb_fs.h"
#include "cb_sha.h"
#include "cb_test_main.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/cb_test_fetch.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static void hex_of(cb_hash_kind kind, const void *data, size_t n, char *hex) {
  cb_hash h;
  ck_assert_int_eq(cb_hash_init(&h, kind), CB_OK);
  cb_hash_update(&h, data, n);
  ck_assert_int_eq(cb_hash_hex(&h, hex), CB_OK);
}

/* FIPS 180-2 appendix examples (also NIST CSRC "Examples with intermediate values"). */
START_TEST(test_nist_vectors) {
  char hex[CB_HASH_HEX_MAX];
  hex_of(CB_HASH_SHA256, "abc", 3, hex);
  ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  hex_of(CB_HASH_SHA256, "", 0, hex);
  ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  hex_of(CB_HASH_SHA256, m448, strlen(m448), hex);
  ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  hex_of(CB_HASH_SHA1, "abc", 3, hex);
  ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
  hex_of(CB_HASH_SHA1, m448, strlen(m448), hex);
  ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  /* One million 'a', fed in uneven pieces. */
  static char a[1000000];
  memset(a, 'a', sizeof a);
  const char *want[2] = {"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                         "34aa973cd4c4daa4f61eeb2bdbad27316534016f"};
  for (int k = 0; k < 2; ++k) {
    cb_hash h;
    ck_assert_int_eq(cb_hash_init(&h, (cb_hash_kind)k), CB_OK);
    size_t off = 0, step = 1;
    while (off < sizeof a) {
      size_t n = step < sizeof a - off ? step : sizeof a - off;
      cb_hash_update(&h, a + off, n);
      off += n;
      step = step * 3 + 1;
    }
    ck_assert_int_eq(cb_hash_hex(&h, hex), CB_OK);
    ck_assert_str_eq(hex, want[k]);
  }
  ck_assert_str_eq(cb_hash_name(CB_HASH_SHA1), "sha1");
  ck_assert_uint_eq(cb_hash_size(CB_HASH_SHA256), 32);
}
END_TEST

static unsigned char pattern_byte(size_t i) { return (unsigned char)((i * 31 + (i >> 8)) & 0xff); }

/* Against hashlib (tests/reference/make_sha_goldens.py): one shot, byte by
 * byte, and through a file. */
START_TEST(test_hashlib_fixture) {
  FILE *f = fopen("tests/reference/fixtures/sha_pattern.txt", "r");
  ck_assert_ptr_nonnull(f);
  size_t n;
  char want256[80], want1[80];
  int lines = 0;
  while (fscanf(f, "%zu %79s %79s", &n, want256, want1) == 3) {
    unsigned char *buf = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; ++i) buf[i] = pattern_byte(i);
    char hex[CB_HASH_HEX_MAX];
    hex_of(CB_HASH_SHA256, buf, n, hex);
    ck_assert_str_eq(hex, want256);
    hex_of(CB_HASH_SHA1, buf, n, hex);
    ck_assert_str_eq(hex, want1);
    if (n <= 1000) {
      cb_hash h;
      ck_assert_int_eq(cb_hash_init(&h, CB_HASH_SHA256), CB_OK);
      for (size_t i = 0; i < n; ++i) cb_hash_update(&h, buf + i, 1);
      ck_assert_int_eq(cb_hash_hex(&h, hex), CB_OK);
      ck_assert_str_eq(hex, want256);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/p%zu", dir, n);
    ck_assert_int_eq(cb_file_write_atomic(path, buf, n), CB_OK);
    uint64_t size = 0;
    ck_assert_int_eq(cb_hash_file(path, CB_HASH_SHA256, hex, &size), CB_OK);
    ck_assert_str_eq(hex, want256);
    ck_assert_uint_eq(size, n);
    ck_assert_int_eq(cb_hash_file(path, CB_HASH_SHA1, hex, NULL), CB_OK);
    ck_assert_str_eq(hex, want1);
    free(buf);
    ++lines;
  }
  fclose(f);
  ck_assert_int_eq(lines, 18);
}
END_TEST

/* Options with a test home, no mirror, quick retries. */
static void test_opts(cb_fetch_opts *o) {
  ck_assert_int_eq(cb_fetch_opts_init(o), CB_OK);
  snprintf(o->home, sizeof o->home, "%s/home", dir);
  o->mirror[0] = '\0';
  o->retries = 1;
  o->backoff = 0;
  o->progress = 0;
}

START_TEST(test_env_and_paths) {
  setenv("CORTEXBENCH_HOME", "/some/where", 1);
  setenv("CORTEXBENCH_MIRROR", "http://mirror.example/base/", 1);
  setenv("CORTEXBENCH_FETCH_TIMEOUT", "2", 1);
  setenv("CORTEXBENCH_FETCH_RETRIES", "0", 1);
  cb_fetch_opts o;
  ck_assert_int_eq(cb_fetch_opts_init(&o), CB_OK);
  ck_assert_str_eq(o.home, "/some/where");
  ck_assert_int_eq(o.stall_timeout, 2);
  ck_assert_int_eq(o.retries, 0);
  char path[CB_PATH_MAX];
  ck_assert_int_eq(cb_fetch_cache_path(&o, "ds", "wav/a.wav", path, sizeof path), CB_OK);
  ck_assert_str_eq(path, "/some/where/datasets/ds/wav/a.wav");
  ck_assert_int_ne(cb_fetch_cache_path(&o, "ds", "../a", path, sizeof path), CB_OK);

  cb_manifest_file f = {.name = "wav/a b.wav", .url = "https://up.example/x/a%20b.wav"};
  char *url = NULL;
  ck_assert_int_eq(cb_fetch_source_url(&o, "ds", &f, &url), CB_OK); /* URL mirror */
  ck_assert_str_eq(url, "http://mirror.example/base/ds/wav/a%20b.wav");
  free(url);
  snprintf(o.mirror, sizeof o.mirror, "%s/", dir); /* directory mirror */
  ck_assert_int_eq(cb_fetch_source_url(&o, "ds", &f, &url), CB_OK);
  char want[1024];
  snprintf(want, sizeof want, "file://%s/ds/wav/a%%20b.wav", dir);
  ck_assert_str_eq(url, want);
  free(url);
  snprintf(o.mirror, sizeof o.mirror, "%s/missing", dir);
  ck_assert_int_eq(cb_fetch_source_url(&o, "ds", &f, &url), CB_ERR_ARG);
  o.mirror[0] = '\0'; /* upstream */
  ck_assert_int_eq(cb_fetch_source_url(&o, "ds", &f, &url), CB_OK);
  ck_assert_str_eq(url, f.url);
  free(url);
  f.url = NULL; /* a conversion: only a mirror has it */
  ck_assert_int_eq(cb_fetch_source_url(&o, "ds", &f, &url), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "mirror"));

  setenv("CORTEXBENCH_FETCH_RETRIES", "-3", 1);
  ck_assert_int_eq(cb_fetch_opts_init(&o), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "CORTEXBENCH_FETCH_RETRIES"));
  unsetenv("CORTEXBENCH_HOME");
  unsetenv("CORTEXBENCH_MIRROR");
  unsetenv("CORTEXBENCH_FETCH_TIMEOUT");
  unsetenv("CORTEXBENCH_FETCH_RETRIES");
}
END_TEST

/* A source file of n pattern bytes; returns its sha256 in hex. */
static void make_source(const char *path, size_t n, char *hex) {
  unsigned char *buf = malloc(n);
  ck_assert_ptr_nonnull(buf);
  for (size_t i = 0; i < n; ++i) buf[i] = pattern_byte(i);
  ck_assert_int_eq(cb_file_write_atomic(path, buf, n), CB_OK);
  hex_of(CB_HASH_SHA256, buf, n, hex);
  free(buf);
}

static long long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

START_TEST(test_file_url_fetch) {
  cb_fetch_opts o;
  test_opts(&o);
  char src[1024], url[1100], dest[1024], part[1100], hex[CB_HASH_HEX_MAX];
  const size_t n = 300000;
  snprintf(src, sizeof src, "%s/src.bin", dir);
  snprintf(url, sizeof url, "file://%s", src);
  snprintf(dest, sizeof dest, "%s/cache/sub/dest.bin", dir);
  snprintf(part, sizeof part, "%s.part", dest);
  make_source(src, n, hex);

  int cached = -1;
  uint64_t got = 0;
  ck_assert_msg(cb_fetch_url(&o, url, dest, (int64_t)n, CB_HASH_SHA256, hex, &cached, &got) == CB_OK, "%s",
                cb_error_message());
  ck_assert_int_eq(cached, 0);
  ck_assert_uint_eq(got, n);
  ck_assert_int_eq(file_size(dest), (long long)n);
  ck_assert(!cb_path_exists(part));
  /* Second time: verified in place, nothing transferred. */
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, (int64_t)n, CB_HASH_SHA256, hex, &cached, &got), CB_OK);
  ck_assert_int_eq(cached, 1);
  ck_assert_uint_eq(got, 0);

  /* A corrupted cached copy is replaced. */
  FILE *f = fopen(dest, "r+b");
  ck_assert_ptr_nonnull(f);
  fputc('X', f);
  fclose(f);
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, (int64_t)n, CB_HASH_SHA256, hex, &cached, &got), CB_OK);
  ck_assert_int_eq(cached, 0);
  char again[CB_HASH_HEX_MAX];
  ck_assert_int_eq(cb_hash_file(dest, CB_HASH_SHA256, again, NULL), CB_OK);
  ck_assert_str_eq(again, hex);

  /* Resume: a .part holding the first 100000 bytes; only the rest is read. */
  ck_assert_int_eq(unlink(dest), 0);
  unsigned char *head = malloc(100000);
  for (size_t i = 0; i < 100000; ++i) head[i] = pattern_byte(i);
  f = fopen(part, "wb");
  ck_assert_uint_eq(fwrite(head, 1, 100000, f), 100000);
  fclose(f);
  free(head);
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, (int64_t)n, CB_HASH_SHA256, hex, &cached, &got), CB_OK);
  ck_assert_uint_eq(got, n - 100000);
  ck_assert_int_eq(cb_hash_file(dest, CB_HASH_SHA256, again, NULL), CB_OK);
  ck_assert_str_eq(again, hex);
  ck_assert(!cb_path_exists(part));

  /* A .part longer than the file is discarded and the download restarts. */
  ck_assert_int_eq(unlink(dest), 0);
  make_source(part, n + 10, again);
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, (int64_t)n, CB_HASH_SHA256, hex, &cached, &got), CB_OK);
  ck_assert_uint_eq(got, n);
}
END_TEST

START_TEST(test_file_url_failures) {
  cb_fetch_opts o;
  test_opts(&o);
  char src[1024], url[1100], dest[1024], part[1100], hex[CB_HASH_HEX_MAX];
  snprintf(src, sizeof src, "%s/src.bin", dir);
  snprintf(url, sizeof url, "file://%s", src);
  snprintf(dest, sizeof dest, "%s/cache/dest.bin", dir);
  snprintf(part, sizeof part, "%s.part", dest);
  make_source(src, 5000, hex);

  /* Wrong checksum: error names file, expected and actual digest; nothing cached. */
  const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, 5000, CB_HASH_SHA256, wrong, NULL, NULL), CB_ERR_FORMAT);
  const char *msg = cb_error_message();
  ck_assert_ptr_nonnull(strstr(msg, "dest.bin"));
  ck_assert_ptr_nonnull(strstr(msg, wrong));
  ck_assert_ptr_nonnull(strstr(msg, hex));
  ck_assert(!cb_path_exists(dest));
  ck_assert(!cb_path_exists(part));

  /* Wrong size (source shorter than the manifest says). */
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, 6000, CB_HASH_SHA256, hex, NULL, NULL), CB_ERR_IO);
  ck_assert(!cb_path_exists(dest));
  /* Source longer than the manifest says. */
  unlink(part);
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, 4000, CB_HASH_SHA256, hex, NULL, NULL), CB_ERR_FORMAT);
  ck_assert(!cb_path_exists(dest));
  ck_assert(!cb_path_exists(part));

  /* Unknown size: only the checksum is checked. */
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, -1, CB_HASH_SHA256, hex, NULL, NULL), CB_OK);
  ck_assert(cb_path_exists(dest));
  unlink(dest);

  /* Missing source: an error naming the file, no empty .part left behind. */
  snprintf(url, sizeof url, "file://%s/nothing.bin", dir);
  ck_assert_int_eq(cb_fetch_url(&o, url, dest, 5000, CB_HASH_SHA256, hex, NULL, NULL), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "dest.bin"));
  ck_assert(!cb_path_exists(dest));
  ck_assert(!cb_path_exists(part));
}
END_TEST

/* A whole dataset through a directory mirror laid out as <mirror>/<id>/<name>. */
START_TEST(test_dataset_dir_mirror) {
  char mdir[512], path[1024], hex_a[CB_HASH_HEX_MAX], hex_b[CB_HASH_HEX_MAX], ini[1024];
  snprintf(mdir, sizeof mdir, "%s/mirror/toy", dir);
  ck_assert_int_eq(cb_mkdirs(mdir), CB_OK);
  snprintf(path, sizeof path, "%s/a.bin", mdir);
  make_source(path, 1234, hex_a);
  snprintf(path, sizeof path, "%s/sub/b.bin", mdir);
  make_source(path, 77, hex_b);
  char text[2048];
  snprintf(text, sizeof text,
           "[dataset]\nid = toy\ntitle = t\nlicense = l\ncitation = c\nverified = true\n"
           "[file]\nname = a.bin\nurl = https://example.invalid/a.bin\nsize = 1234\nsha256 = %s\norigin = upstream\n"
           "[file]\nname = sub/b.bin\nsize = 77\nsha256 = %s\norigin = conversion\n",
           hex_a, hex_b);
  snprintf(ini, sizeof ini, "%s/toy.ini", dir);
  ck_assert_int_eq(cb_file_write_atomic(ini, text, strlen(text)), CB_OK);
  cb_manifest *m = NULL;
  ck_assert_msg(cb_manifest_load(ini, &m) == CB_OK, "%s", cb_error_message());

  cb_fetch_opts o;
  test_opts(&o);
  cb_fetch_stats s;
  /* Without a mirror the conversion cannot be fetched (and example.invalid does not resolve). */
  ck_assert_int_ne(cb_fetch_dataset(&o, m, "sub/b.bin", &s), CB_OK);
  ck_assert_int_eq(cb_fetch_dataset(&o, m, "nope.bin", &s), CB_ERR_ARG);
  snprintf(o.mirror, sizeof o.mirror, "%s/mirror", dir);
  ck_assert_msg(cb_fetch_dataset(&o, m, NULL, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(s.downloaded, 2);
  ck_assert_int_eq(s.cached, 0);
  ck_assert_uint_eq(s.bytes, 1234 + 77);
  snprintf(path, sizeof path, "%s/home/datasets/toy/sub/b.bin", dir);
  ck_assert_int_eq(file_size(path), 77);
  ck_assert_int_eq(cb_fetch_dataset(&o, m, NULL, &s), CB_OK);
  ck_assert_int_eq(s.cached, 2);
  ck_assert_int_eq(s.downloaded, 0);
  cb_manifest_destroy(&m);
  cb_manifest_destroy(&m);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("fetch");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_nist_vectors);
  tcase_add_test(tc, test_hashlib_fixture);
  tcase_add_test(tc, test_env_and_paths);
  tcase_add_test(tc, test_file_url_fetch);
  tcase_add_test(tc, test_file_url_failures);
  tcase_add_test(tc, test_dataset_dir_mirror);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cb_test_run(suite());
}
