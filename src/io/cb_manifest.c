/* cb_manifest.c - reading and checking dataset manifests (see cb_manifest.h). */
#include "cb_manifest.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_ini.h"
#include "cb_strbuf.h"

typedef enum { SEC_NONE, SEC_DATASET, SEC_FILE, SEC_RECIPE } sec_kind;

typedef struct parse_state {
  cb_manifest *m;
  char section[512];   /* current section for messages ("file NAME" for a file) */
  int continued;       /* the entry repeats the previous key of its section (a continuation line) */
  sec_kind kind;
  int index;           /* current file or recipe */
  int dataset_seen;
  int64_t size_set;    /* bookkeeping: size given for the current file */
} parse_state;

static const char *const recipe_kinds[] = {"stimulus_set", "assembly", "rdm"};
static const char *const recipe_keys[] = {"from", "file", "csv", "zip", "stimulus_set", "kind", "recipe", "note"};
/* Keys whose values name files of the manifest (comma-separated). */
static const char *const recipe_file_keys[] = {"from", "file", "csv", "zip"};
/* Free-text keys: an indented continuation line appends to them. */
static const char *const text_keys[] = {"title", "license", "citation", "source", "note", "recipe"};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int in_list(const char *s, const char *const *list, int n) {
  for (int i = 0; i < n; ++i)
    if (!strcmp(s, list[i])) return 1;
  return 0;
}

int cb_manifest_name_ok(const char *name) {
  if (!name || !*name || name[0] == '/') return 0;
  const char *p = name;
  while (*p) {
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) return 0;
    for (size_t i = 0; i < len; ++i) {
      unsigned char c = (unsigned char)p[i];
      if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+') return 0;
    }
    p += len;
    if (*p == '/') ++p;
    if (end && !*p) return 0; /* trailing slash */
  }
  return 1;
}

static int id_ok(const char *id) {
  if (!*id) return 0;
  for (const char *p = id; *p; ++p)
    if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') return 0;
  return id[0] != '.';
}

/* Sets or (continuation) appends a string value. */
static cb_status set_text(parse_state *ps, char **dst, const char *name, const char *v) {
  int cont = *dst && ps->continued && in_list(name, text_keys, COUNT(text_keys));
  if (*dst && !cont)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s' given twice", ps->m->path, ps->section, name);
  char *nv;
  if (cont) {
    size_t a = strlen(*dst), b = strlen(v);
    nv = malloc(a + b + 2);
    if (nv) {
      memcpy(nv, *dst, a);
      nv[a] = ' ';
      memcpy(nv + a + 1, v, b + 1);
    }
  } else {
    nv = cb_strdup(v);
  }
  if (!nv) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", ps->m->path);
  free(*dst);
  *dst = nv;
  return CB_OK;
}

static cb_status start_section(parse_state *ps, const char *section) {
  cb_manifest *m = ps->m;
  snprintf(ps->section, sizeof ps->section, "%s", section);
  if (!strcmp(section, "dataset")) {
    if (ps->dataset_seen) return CB_ERROR(CB_ERR_CONFIG, "%s: duplicate section [dataset]", m->path);
    ps->dataset_seen = 1;
    ps->kind = SEC_DATASET;
    return CB_OK;
  }
  if (!strcmp(section, "file")) {
    ps->kind = SEC_FILE;
    ps->index = -1; /* the first key, name, opens the entry */
    return CB_OK;
  }
  if (strlen(section) >= 49)
    return CB_ERROR(CB_ERR_CONFIG, "%s: section name [%s] longer than 48 characters", m->path, section);
  char kind[64];
  const char *arg = cb_ini_section_split(section, kind, sizeof kind);
  if (!arg) return CB_ERROR(CB_ERR_CONFIG, "%s: unknown section [%s]", m->path, section);
  arg = cb_ini_skip_blanks(arg);
  for (int k = 0; k < COUNT(recipe_kinds); ++k) {
    if (strcmp(kind, recipe_kinds[k])) continue;
    if (!id_ok(arg)) return CB_ERROR(CB_ERR_CONFIG, "%s: [%s]: invalid identifier", m->path, section);
    for (int i = 0; i < m->n_recipes; ++i)
      if (!strcmp(m->recipes[i].kind, recipe_kinds[k]) && !strcmp(m->recipes[i].id, arg))
        return CB_ERROR(CB_ERR_CONFIG, "%s: duplicate section [%s]", m->path, section);
    cb_manifest_recipe *nr = realloc(m->recipes, (size_t)(m->n_recipes + 1) * sizeof *nr);
    if (!nr) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
    m->recipes = nr;
    cb_manifest_recipe *r = &m->recipes[m->n_recipes];
    memset(r, 0, sizeof *r);
    r->kind = cb_strdup(recipe_kinds[k]);
    r->id = cb_strdup(arg);
    m->n_recipes++;
    if (!r->kind || !r->id) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
    ps->index = m->n_recipes - 1;
    ps->kind = SEC_RECIPE;
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: unknown section [%s]", m->path, section);
}

static cb_status parse_bool(parse_state *ps, const char *name, const char *v, int *out) {
  if (!strcmp(v, "true")) *out = 1;
  else if (!strcmp(v, "false")) *out = 0;
  else return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] %s: expected true or false, got '%s'", ps->m->path, ps->section, name, v);
  return CB_OK;
}

static cb_status dataset_key(parse_state *ps, const char *name, const char *v) {
  cb_manifest *m = ps->m;
  if (!strcmp(name, "id")) {
    if (!id_ok(v)) return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset] id: invalid identifier '%s'", m->path, v);
    return set_text(ps, &m->id, name, v);
  }
  if (!strcmp(name, "title")) return set_text(ps, &m->title, name, v);
  if (!strcmp(name, "license")) return set_text(ps, &m->license, name, v);
  if (!strcmp(name, "citation")) return set_text(ps, &m->citation, name, v);
  if (!strcmp(name, "source")) return set_text(ps, &m->source, name, v);
  if (!strcmp(name, "base_url")) return set_text(ps, &m->base_url, name, v);
  if (!strcmp(name, "verified")) {
    if (m->verified >= 0) return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset] key 'verified' given twice", m->path);
    return parse_bool(ps, name, v, &m->verified);
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset]: unknown key '%s'", m->path, name);
}

/* `name = NAME` opens a new file entry inside a [file] section. */
static cb_status new_file(parse_state *ps, const char *name) {
  cb_manifest *m = ps->m;
  if (!cb_manifest_name_ok(name))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [file] name '%s': unsafe file name (letters, digits, '._+-' and '/' only, "
                    "no '..')", m->path, name);
  if (cb_manifest_file_find(m, name)) return CB_ERROR(CB_ERR_CONFIG, "%s: file '%s' listed twice", m->path, name);
  cb_manifest_file *nf = realloc(m->files, (size_t)(m->n_files + 1) * sizeof *nf);
  if (!nf) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  m->files = nf;
  cb_manifest_file *f = &m->files[m->n_files];
  memset(f, 0, sizeof *f);
  f->size = -1;
  f->name = cb_strdup(name);
  if (!f->name) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  ps->index = m->n_files++;
  snprintf(ps->section, sizeof ps->section, "file %s", name); /* for messages */
  return CB_OK;
}

static cb_status file_key(parse_state *ps, const char *name, const char *v) {
  cb_manifest *m = ps->m;
  if (!strcmp(name, "name")) return new_file(ps, v);
  if (ps->index < 0) return CB_ERROR(CB_ERR_CONFIG, "%s: [file]: the first key must be name (got '%s')", m->path, name);
  cb_manifest_file *f = &m->files[ps->index];
  if (!strcmp(name, "url")) return set_text(ps, &f->url, name, v);
  if (!strcmp(name, "origin")) {
    if (strcmp(v, "upstream") && strcmp(v, "conversion"))
      return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] origin: expected upstream or conversion, got '%s'", m->path,
                      ps->section, v);
    return set_text(ps, &f->origin, name, v);
  }
  if (!strcmp(name, "note")) return set_text(ps, &f->note, name, v);
  if (!strcmp(name, "size")) {
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || !*v || x < 0)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] size: expected a byte count, got '%s'", m->path, ps->section, v);
    if (f->size >= 0) return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key 'size' given twice", m->path, ps->section);
    f->size = x;
    return CB_OK;
  }
  if (!strcmp(name, "sha256") || !strcmp(name, "sha1")) {
    cb_hash_kind kind = name[3] == '1' ? CB_HASH_SHA1 : CB_HASH_SHA256;
    size_t want = 2 * cb_hash_size(kind);
    if (f->digest)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [%s]: give one checksum (sha256 or sha1), not two", m->path, ps->section);
    int ok = strlen(v) == want;
    for (const char *p = v; ok && *p; ++p) ok = isxdigit((unsigned char)*p);
    if (!ok)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] %s: expected %zu hex digits, got '%s'", m->path, ps->section, name, want,
                      v);
    CB_CHECK(set_text(ps, &f->digest, name, v));
    for (char *p = f->digest; *p; ++p) *p = (char)tolower((unsigned char)*p);
    f->hash = kind;
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: [%s]: unknown key '%s'", m->path, ps->section, name);
}

static cb_status recipe_key(parse_state *ps, const char *name, const char *v) {
  cb_manifest *m = ps->m;
  cb_manifest_recipe *r = &m->recipes[ps->index];
  if (!in_list(name, recipe_keys, COUNT(recipe_keys)))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [%s]: unknown key '%s'", m->path, ps->section, name);
  for (int i = 0; i < r->n; ++i)
    if (!strcmp(r->keys[i], name)) return set_text(ps, &r->values[i], name, v);
  char **nk = realloc(r->keys, (size_t)(r->n + 1) * sizeof *nk);
  if (!nk) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  r->keys = nk;
  char **nv = realloc(r->values, (size_t)(r->n + 1) * sizeof *nv);
  if (!nv) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  r->values = nv;
  r->keys[r->n] = cb_strdup(name);
  r->values[r->n] = cb_strdup(v);
  r->n++;
  if (!r->keys[r->n - 1] || !r->values[r->n - 1]) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  return CB_OK;
}

/* One entry of the manifest (cb_ini_fn): a new section opens its entry, then the key goes to its section's kind. */
static cb_status on_entry(void *user, const cb_ini_entry *e) {
  parse_state *ps = user;
  if (e->new_section) CB_CHECK(start_section(ps, e->section));
  ps->continued = e->continued;
  switch (ps->kind) {
    case SEC_DATASET: return dataset_key(ps, e->key, e->value);
    case SEC_FILE: return file_key(ps, e->key, e->value);
    default: return recipe_key(ps, e->key, e->value);
  }
}

static int has_scheme(const char *url) { return strstr(url, "://") != NULL; }

/* Checks after parsing: required keys, URLs resolved, recipes name listed files. */
static cb_status validate(cb_manifest *m) {
  if (!m->id) return CB_ERROR(CB_ERR_CONFIG, "%s: missing [dataset] id", m->path);
  const char *base = strrchr(m->path, '/');
  base = base ? base + 1 : m->path;
  size_t stem = strlen(base) > 4 && !strcmp(base + strlen(base) - 4, ".ini") ? strlen(base) - 4 : strlen(base);
  if (strlen(m->id) != stem || strncmp(m->id, base, stem))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset] id '%s' does not match the file name", m->path, m->id);
  const char *req[] = {"title", "license", "citation"};
  const char *val[] = {m->title, m->license, m->citation};
  for (int i = 0; i < 3; ++i)
    if (!val[i]) return CB_ERROR(CB_ERR_CONFIG, "%s: missing [dataset] %s", m->path, req[i]);
  if (m->verified < 0) return CB_ERROR(CB_ERR_CONFIG, "%s: missing [dataset] verified (true or false)", m->path);
  if (m->n_files == 0) return CB_ERROR(CB_ERR_CONFIG, "%s: no [file] section", m->path);
  for (int i = 0; i < m->n_files; ++i) {
    cb_manifest_file *f = &m->files[i];
    if (!f->digest) return CB_ERROR(CB_ERR_CONFIG, "%s: [file] %s: missing sha256 (or sha1)", m->path, f->name);
    if (f->size < 0 && m->verified)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [file] %s: missing size (required when verified = true)", m->path, f->name);
    if (!f->origin) return CB_ERROR(CB_ERR_CONFIG, "%s: [file] %s: missing origin", m->path, f->name);
    if (!strcmp(f->origin, "upstream") && !f->url)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [file] %s: an upstream file needs a url", m->path, f->name);
    if (f->url && !has_scheme(f->url)) {
      if (!m->base_url)
        return CB_ERROR(CB_ERR_CONFIG, "%s: [file] %s: relative url '%s' without [dataset] base_url", m->path,
                        f->name, f->url);
      cb_strbuf b = {0};
      cb_status st = cb_strbuf_printf(&b, "%s%s", m->base_url, f->url);
      if (st != CB_OK) return st;
      free(f->url);
      f->url = b.data;
    }
  }
  for (int i = 0; i < m->n_recipes; ++i) {
    cb_manifest_recipe *r = &m->recipes[i];
    for (int k = 0; k < r->n; ++k) {
      if (!strcmp(r->keys[k], "stimulus_set")) {
        int found = 0;
        for (int j = 0; j < m->n_recipes; ++j)
          found |= !strcmp(m->recipes[j].kind, "stimulus_set") && !strcmp(m->recipes[j].id, r->values[k]);
        if (!found)
          return CB_ERROR(CB_ERR_CONFIG, "%s: [%s %s] stimulus_set: no [stimulus_set %s] section", m->path, r->kind,
                          r->id, r->values[k]);
      }
      if (!in_list(r->keys[k], recipe_file_keys, COUNT(recipe_file_keys))) continue;
      char **names = NULL;
      int n = 0;
      CB_CHECK(cb_strlist_split(r->values[k], ',', &names, &n));
      cb_status st = CB_OK;
      for (int j = 0; j < n && st == CB_OK; ++j)
        if (!cb_manifest_file_find(m, names[j]))
          st = CB_ERROR(CB_ERR_CONFIG, "%s: [%s %s] %s: file '%s' is not listed in a [file] section", m->path,
                        r->kind, r->id, r->keys[k], names[j]);
      cb_strlist_free(&names);
      CB_CHECK(st);
    }
  }
  return CB_OK;
}

cb_status cb_manifest_load(const char *path, cb_manifest **out) {
  cb_status st = CB_OK;
  cb_manifest *m = calloc(1, sizeof *m);
  CB_ALLOC_GOTO(m, st, fail);
  m->verified = -1;
  m->path = cb_strdup(path);
  CB_ALLOC_GOTO(m->path, st, fail);
  parse_state ps = {.m = m};
  cb_ini_opts io = {.path = path, .where = CB_INI_WHERE_WORD, .syntax_hint = "or a line longer than 199 characters"};
  CB_CHECK_GOTO(cb_ini_parse_file(&io, on_entry, &ps), st, fail);
  CB_CHECK_GOTO(validate(m), st, fail);
  *out = m;
  return CB_OK;
fail:
  cb_manifest_destroy(&m);
  return st;
}

void cb_manifest_destroy(cb_manifest **pm) {
  if (!pm || !*pm) return;
  cb_manifest *m = *pm;
  for (int i = 0; i < m->n_files; ++i) {
    cb_manifest_file *f = &m->files[i];
    free(f->name), free(f->url), free(f->digest), free(f->origin), free(f->note);
  }
  for (int i = 0; i < m->n_recipes; ++i) {
    cb_manifest_recipe *r = &m->recipes[i];
    for (int k = 0; k < r->n; ++k) free(r->keys[k]), free(r->values[k]);
    free(r->keys), free(r->values), free(r->kind), free(r->id);
  }
  free(m->files), free(m->recipes);
  free(m->path), free(m->id), free(m->title), free(m->license), free(m->citation), free(m->source);
  free(m->base_url);
  free(m);
  *pm = NULL;
}

const cb_manifest_file *cb_manifest_file_find(const cb_manifest *m, const char *name) {
  for (int i = 0; i < m->n_files; ++i)
    if (!strcmp(m->files[i].name, name)) return &m->files[i];
  return NULL;
}

const char *cb_manifest_recipe_get(const cb_manifest_recipe *r, const char *key) {
  for (int i = 0; i < r->n; ++i)
    if (!strcmp(r->keys[i], key)) return r->values[i];
  return NULL;
}

int64_t cb_manifest_total_size(const cb_manifest *m) {
  int64_t s = 0;
  for (int i = 0; i < m->n_files; ++i)
    if (m->files[i].size > 0) s += m->files[i].size;
  return s;
}

cb_status cb_manifest_dir(const char *override, char *out, size_t n) {
  const char *env = getenv("CORTEXBENCH_MANIFESTS");
  const char *src = override && *override ? override : (env && *env ? env : NULL);
  if (src) {
    if ((size_t)snprintf(out, n, "%s", src) >= n) return CB_ERROR(CB_ERR_ARG, "manifest directory path too long");
    return CB_OK;
  }
  char exe[CB_PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return CB_ERROR(CB_ERR_IO, "cannot locate the executable to find datasets/ (use --manifests DIR)");
  exe[len] = '\0';
  char bin[CB_PATH_MAX];
  cb_path_dirname(exe, bin, sizeof bin);
  if ((size_t)snprintf(out, n, "%s/../../datasets", bin) >= n)
    return CB_ERROR(CB_ERR_ARG, "manifest directory path too long");
  return CB_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

cb_status cb_manifest_list(const char *dir, char ***ids, int *n) {
  DIR *d = opendir(dir);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot open manifest directory (%s)", dir, strerror(errno));
  cb_status st = CB_OK;
  char **list = calloc(1, sizeof *list);
  int count = 0;
  CB_ALLOC_GOTO(list, st, done);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len <= 4 || strcmp(e->d_name + len - 4, ".ini") || e->d_name[0] == '.') continue;
    char **nl = realloc(list, (size_t)(count + 2) * sizeof *nl);
    CB_ALLOC_GOTO(nl, st, done);
    list = nl;
    list[count] = malloc(len - 3);
    CB_ALLOC_GOTO(list[count], st, done);
    memcpy(list[count], e->d_name, len - 4);
    list[count][len - 4] = '\0';
    list[++count] = NULL;
  }
  qsort(list, (size_t)count, sizeof *list, cmp_str);
done:
  closedir(d);
  if (st != CB_OK) {
    cb_strlist_free(&list);
    return st;
  }
  *ids = list;
  *n = count;
  return CB_OK;
}

cb_status cb_manifest_open(const char *dir, const char *id, cb_manifest **out) {
  if (!id_ok(id)) return CB_ERROR(CB_ERR_ARG, "invalid dataset id '%s'", id);
  char path[CB_PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s.ini", dir, id) >= sizeof path)
    return CB_ERROR(CB_ERR_ARG, "manifest path too long");
  if (cb_path_exists(path)) return cb_manifest_load(path, out);
  char **ids = NULL;
  int n = 0;
  CB_CHECK(cb_manifest_list(dir, &ids, &n));
  cb_strbuf known = {0};
  cb_status st = CB_OK;
  for (int i = 0; i < n && st == CB_OK; ++i) st = cb_strbuf_printf(&known, "%s%s", i ? ", " : "", ids[i]);
  cb_strlist_free(&ids);
  if (st == CB_OK)
    st = CB_ERROR(CB_ERR_ARG, "unknown dataset '%s' (no %s; known: %s)", id, path, known.data ? known.data : "none");
  cb_strbuf_free(&known);
  return st;
}
