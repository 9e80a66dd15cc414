/* cb_mem.c - memory available to this process (see cb_mem.h). */
#include "cb_mem.h"

#include <limits.h>
#include <malloc.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

uint64_t cb_mem_product(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  uint64_t f[4] = {a, b, c, d}, p = 1;
  for (int i = 0; i < 4; ++i) {
    if (f[i] == 0) return 0;
    if (p > UINT64_MAX / f[i]) p = UINT64_MAX;
    else p *= f[i];
  }
  return p;
}

/* "123", "512K", "8G", "1.5 G", "2GiB"; 0 on a malformed value. */
static int parse_size(const char *s, uint64_t *out) {
  char *end = NULL;
  while (isspace((unsigned char)*s)) ++s;
  if (!isdigit((unsigned char)*s)) return 0;
  double v = strtod(s, &end);
  if (end == s || !(v >= 0)) return 0;
  double mul = 1;
  while (isspace((unsigned char)*end)) ++end;
  switch (toupper((unsigned char)*end)) {
    case 'K': mul = 1024.0; ++end; break;
    case 'M': mul = 1024.0 * 1024; ++end; break;
    case 'G': mul = 1024.0 * 1024 * 1024; ++end; break;
    case 'T': mul = 1024.0 * 1024 * 1024 * 1024; ++end; break;
    default: break;
  }
  if (mul > 1 && (*end == 'i' || *end == 'I')) ++end;
  if (*end == 'B' || *end == 'b') ++end;
  while (isspace((unsigned char)*end)) ++end;
  if (*end != '\0') return 0;
  v *= mul;
  *out = v >= 1.8e19 ? UINT64_MAX : (uint64_t)v;
  return 1;
}

/* Value of "Key: N kB" in /proc/meminfo, in bytes; 0 when absent. */
static int meminfo(const char *key, uint64_t *out) {
  FILE *f = fopen("/proc/meminfo", "re");
  if (!f) return 0;
  char line[256];
  size_t k = strlen(key);
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long long kb = 0;
    if (strncmp(line, key, k) == 0 && line[k] == ':' && sscanf(line + k + 1, "%llu", &kb) == 1) {
      *out = (uint64_t)kb * 1024u;
      found = 1;
      break;
    }
  }
  fclose(f);
  return found;
}

/* One unsigned number (or "max": 0) from a small /sys or /proc file. */
static int read_number(const char *path, uint64_t *out) {
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  char buf[64] = "";
  int ok = fgets(buf, sizeof buf, f) != NULL;
  fclose(f);
  unsigned long long v = 0;
  if (!ok || strncmp(buf, "max", 3) == 0 || sscanf(buf, "%llu", &v) != 1) return 0;
  *out = (uint64_t)v;
  return 1;
}

/* min over this cgroup (v2) and its ancestors of memory.max - memory.current. */
static int cgroup_left(uint64_t *out) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return 0;
  char line[1024], rel[1024] = "";
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "0::", 3) == 0) {
      snprintf(rel, sizeof rel, "%s", line + 3);
      rel[strcspn(rel, "\n")] = '\0';
      break;
    }
  fclose(f);
  if (rel[0] != '/') return 0;
  int found = 0;
  uint64_t best = UINT64_MAX;
  for (;;) {
    char pmax[1200], pcur[1200];
    uint64_t max = 0, cur = 0;
    snprintf(pmax, sizeof pmax, "/sys/fs/cgroup%s/memory.max", strcmp(rel, "/") ? rel : "");
    snprintf(pcur, sizeof pcur, "/sys/fs/cgroup%s/memory.current", strcmp(rel, "/") ? rel : "");
    if (read_number(pmax, &max)) {
      uint64_t left = 0;
      if (read_number(pcur, &cur) && cur < max) left = max - cur;
      if (left < best) best = left;
      found = 1;
    }
    char *slash = strrchr(rel, '/');
    if (slash == NULL || slash == rel) break;
    *slash = '\0';
  }
  if (found) *out = best;
  return found;
}

/* Pages of /proc/self/statm field `k` (0 = size, 5 = data + stack), in bytes. */
static int statm(int k, uint64_t *out) {
  FILE *f = fopen("/proc/self/statm", "re");
  if (!f) return 0;
  unsigned long long v[7] = {0};
  int n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
  fclose(f);
  if (n <= k) return 0;
  long page = sysconf(_SC_PAGESIZE);
  *out = (uint64_t)v[k] * (uint64_t)(page > 0 ? page : 4096);
  return 1;
}

static void take(uint64_t v, const char *name, uint64_t *best, const char **src) {
  if (v < *best) {
    *best = v;
    *src = name;
  }
}

static int keep_freed;

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HEAP_HUGE_RESERVE ((size_t)256 << 20)

/* The first line of a /proc or /sys file ("" when unreadable). */
static void first_line(const char *path, char *line, size_t n) {
  line[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (!fgets(line, (int)n, f)) line[0] = '\0';
  fclose(f);
}

/* 1 when the kernel gives transparent huge pages to regions that ask (enabled = always or madvise) and reserving
 * untouched address space is free (strict overcommit, vm.overcommit_memory = 2, would count the reserve against
 * the node's commit limit for every rank). */
static int thp_advisable(void) {
  char thp[128], commit[16];
  first_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
  first_line("/proc/sys/vm/overcommit_memory", commit, sizeof commit);
  return thp[0] && strstr(thp, "[never]") == NULL && commit[0] != '2';
}

/* The heap's next HEAP_HUGE_RESERVE bytes are taken from the kernel (sbrk, untouched: no physical memory), marked
 * MADV_HUGEPAGE and freed into the top chunk, which keep_freed never trims: the first touch of each 2 MB then
 * faults once instead of 512 times (glibc's glibc.malloc.hugetlb=1 does the same, but only when set in the
 * environment before the process starts). Without transparent huge pages, or when the heap cannot grow, nothing. */
static void heap_prefer_huge_pages(void) {
  if (!thp_advisable()) return;
  char *p = malloc(HEAP_HUGE_RESERVE);
  if (!p) return;
  uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t b = ((uintptr_t)p + HEAP_HUGE_RESERVE) & ~(HUGE_PAGE - 1);
  if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
  free(p);
}

void cb_mem_keep_freed(void) {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  keep_freed = 1;
  heap_prefer_huge_pages();
}

/* Bytes of the heap's top free chunk that are in physical memory (freed by this process, reusable without a page
 * fault); its untouched part (the reserve above) is counted by MemAvailable already. */
static uint64_t kept_resident(void) {
  const size_t top = mallinfo2().keepcost;
  const long pg = sysconf(_SC_PAGESIZE);
  if (top == 0 || pg <= 0) return 0;
  const uintptr_t end = (uintptr_t)sbrk(0), page = (uintptr_t)pg;
  const uintptr_t start = (end - top + page - 1) & ~(page - 1);
  if (end == (uintptr_t)-1 || end <= start) return 0;
  uint64_t res = 0;
  unsigned char vec[4096]; /* one byte per page, 4096 pages at a time (no allocation: it would move the top) */
  for (uintptr_t at = start; at < end;) {
    const size_t pages = (end - at) / page < sizeof vec ? (end - at) / page : sizeof vec;
    if (pages == 0 || mincore((void *)at, pages * page, vec) != 0) break;
    for (size_t i = 0; i < pages; ++i) res += (vec[i] & 1) ? page : 0;
    at += pages * page;
  }
  return res;
}

cb_status cb_mem_available(uint64_t *bytes, const char **source) {
  uint64_t best = UINT64_MAX, v = 0;
  const char *src = "unknown";
  /* Freed memory this process keeps (cb_mem_keep_freed) is in use for the system but free for us: counted is the
   * free chunk at the top of the heap (mallinfo2's keepcost), which a large allocation extends; free chunks below it
   * may be too fragmented to serve one, so they are not counted. Against physical memory only its resident part
   * counts (the untouched huge-page reserve is in MemAvailable already); against address-space limits all of it
   * (statm counts it as used). */
  const uint64_t kept = keep_freed ? kept_resident() : 0;
  const uint64_t kept_va = keep_freed ? (uint64_t)mallinfo2().keepcost : 0;
  if (meminfo("MemAvailable", &v)) {
    take(v + kept, "MemAvailable", &best, &src);
  } else {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) take((uint64_t)pages * (uint64_t)page, "physical memory", &best, &src);
  }
  if (cgroup_left(&v)) take(v + kept, "cgroup memory.max", &best, &src);
  struct rlimit rl;
  uint64_t used = 0;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && statm(0, &used))
    take((uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used + kept_va : kept_va, "RLIMIT_AS", &best, &src);
  if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && statm(5, &used))
    take((uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used + kept_va : kept_va, "RLIMIT_DATA", &best, &src);
  const char *env = getenv("CORTEXBENCH_MEM_LIMIT");
  if (env && env[0]) {
    if (!parse_size(env, &v))
      return CB_ERROR(CB_ERR_ARG, "CORTEXBENCH_MEM_LIMIT: expected a size in bytes such as 512M or 8G, got '%s'", env);
    take(v, "CORTEXBENCH_MEM_LIMIT", &best, &src);
  }
  *bytes = best;
  if (source) *source = src;
  return CB_OK;
}

/* x bytes as GB with about three significant digits. */
static void fmt_gb(uint64_t x, char *out, size_t n) {
  double g = (double)x / 1e9;
  if (g >= 100) snprintf(out, n, "%.0f GB", g);
  else snprintf(out, n, "%.3g GB", g);
}

cb_status cb_mem_check(uint64_t need, const char *fmt, ...) {
  uint64_t have = 0;
  const char *src = NULL;
  CB_CHECK(cb_mem_available(&have, &src));
  if (need <= have) return CB_OK;
  char what[512], a[32], b[32];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  fmt_gb(need, a, sizeof a);
  fmt_gb(have, b, sizeof b);
  return CB_ERROR(CB_ERR_NOMEM, "%s: needs ~%s, machine has %s available (%s)", what, a, b, src);
}
