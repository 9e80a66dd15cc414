#include "cb_par.h"
#include "cb_par_impl.h"

#include <cblas.h>
#include <limits.h>
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_log.h"
#include "cb_threads.h"

struct cb_par {
  MPI_Comm comm;       /* private duplicate of MPI_COMM_WORLD */
  MPI_Comm node;       /* ranks sharing this node */
  int rank, size;
  int local_rank, local_size;
  int node_cores;
  int we_initialised;  /* 1 when cb_par_init called MPI_Init */
  int serial;          /* 1: cb_par_init_serial, MPI not started (comm and node are MPI_COMM_NULL) */
};

#define MPI_TRY(call, what)                                                                 \
  do {                                                                                      \
    int mpi__rc = (call);                                                                   \
    if (mpi__rc != MPI_SUCCESS) {                                                           \
      char mpi__msg[MPI_MAX_ERROR_STRING];                                                  \
      int mpi__len = 0;                                                                     \
      MPI_Error_string(mpi__rc, mpi__msg, &mpi__len);                                       \
      return CB_ERROR(CB_ERR_MPI, "%s failed: %s", what, mpi__msg);                         \
    }                                                                                       \
  } while (0)

/* A process started without a launcher (no mpirun, srun or Slurm step around it) is an Open MPI singleton of
 * one rank. Open MPI then forks a helper daemon and initialises its network transports, 0.4 s before the first
 * line of work; with one rank neither is used. Unless the user set them, ask for no daemon and the in-process
 * transports only (ob1 + self: 0.09 s). Other MPI libraries ignore these variables. */
static void singleton_defaults(void) {
  static const char *const launched[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "SLURM_PROCID",
                                         "HYDRA_CONTROL_FD", "MPI_LOCALNRANKS"};
  for (size_t i = 0; i < sizeof launched / sizeof *launched; ++i)
    if (getenv(launched[i]) != NULL) return;
  setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("OMPI_MCA_btl", "self", 0);
  /* Without the daemon there is no session directory: the shared-memory shared-file-pointer component of MPI-IO
   * (which cortexbench never uses) would print that it cannot create its file there when HDF5 opens a file. */
  setenv("OMPI_MCA_sharedfp", "^sm", 0);
}

cb_status cb_par_init(int *argc, char ***argv, cb_par **out) {
  int inited = 0;
  MPI_Initialized(&inited);
  if (!inited) singleton_defaults();
  if (!inited && MPI_Init(argc, argv) != MPI_SUCCESS) return CB_ERROR(CB_ERR_MPI, "MPI_Init failed");
  cb_par *p = calloc(1, sizeof *p);
  if (!p) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  p->we_initialised = !inited;
  MPI_Comm_dup(MPI_COMM_WORLD, &p->comm);
  MPI_Comm_set_errhandler(p->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(p->comm, &p->rank);
  MPI_Comm_size(p->comm, &p->size);
  MPI_Comm_split_type(p->comm, MPI_COMM_TYPE_SHARED, p->rank, MPI_INFO_NULL, &p->node);
  MPI_Comm_rank(p->node, &p->local_rank);
  MPI_Comm_size(p->node, &p->local_size);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  p->node_cores = cores > 0 ? (int)cores : 1;
  cb_log_set_rank(p->rank, p->size);
  *out = p;
  return CB_OK;
}

/* The launcher's rank of this process, 0 when none started it. */
static int launcher_rank(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; ++i)
    if (getenv(vars[i])) return atoi(getenv(vars[i]));
  if (getenv("SLURM_STEP_ID") && getenv("SLURM_PROCID")) return atoi(getenv("SLURM_PROCID"));
  return 0;
}

cb_status cb_par_init_serial(cb_par **out) {
  cb_par *p = calloc(1, sizeof *p);
  if (!p) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  p->serial = 1;
  p->comm = p->node = MPI_COMM_NULL;
  p->rank = launcher_rank();
  p->size = p->local_size = 1;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  p->node_cores = cores > 0 ? (int)cores : 1;
  cb_log_set_rank(0, 1);
  *out = p;
  return CB_OK;
}

void cb_par_destroy(cb_par **pp) {
  if (!pp || !*pp) return;
  cb_par *p = *pp;
  if (p->serial) {
    free(p);
    *pp = NULL;
    return;
  }
  MPI_Comm_free(&p->node);
  MPI_Comm_free(&p->comm);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (p->we_initialised && !finalized) MPI_Finalize();
  free(p);
  *pp = NULL;
}

int cb_par_rank(const cb_par *p) { return p->rank; }
int cb_par_size(const cb_par *p) { return p->size; }
int cb_par_local_size(const cb_par *p) { return p->local_size; }
int cb_par_node_cores(const cb_par *p) { return p->node_cores; }

int cb_par_set_blas_threads(cb_par *p) {
  const char *env = getenv("OPENBLAS_NUM_THREADS");
  if (env && atoi(env) > 0) {
    openblas_set_num_threads(atoi(env));
    return openblas_get_num_threads();
  }
  int share = p->node_cores / p->local_size;
  if (share < 1) share = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int allowed = CPU_COUNT(&set);
    if (allowed >= 1 && allowed < share) share = allowed;
  }
  openblas_set_num_threads(share);
  cb_threads_set_default(share);
  return openblas_get_num_threads();
}

cb_status cb_par_agree(cb_par *p, cb_status local) {
  if (p->serial) return local;
  int mine = local == CB_OK ? INT_MAX : p->rank, first = INT_MAX;
  MPI_TRY(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, p->comm), "MPI_Allreduce");
  if (first == INT_MAX) return CB_OK;
  /* The first failing rank's status, message and location reach everyone. */
  struct {
    int status;
    char msg[1024];
    char where[256];
  } e;
  memset(&e, 0, sizeof e);
  if (p->rank == first) {
    e.status = (int)local;
    snprintf(e.msg, sizeof e.msg, "%s", cb_error_message());
    snprintf(e.where, sizeof e.where, "%s", cb_error_where());
  }
  MPI_TRY(MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, p->comm), "MPI_Bcast");
  if (p->rank != first) {
    char file[256];
    int line = 0;
    const char *colon = strrchr(e.where, ':');
    snprintf(file, sizeof file, "%.*s", colon ? (int)(colon - e.where) : 0, e.where);
    if (colon) line = atoi(colon + 1);
    if (p->size > 1 && first != 0)
      cb_error_set((cb_status)e.status, file, line, "%s [rank %d]", e.msg, first);
    else
      cb_error_set((cb_status)e.status, file, line, "%s", e.msg);
  }
  return (cb_status)e.status;
}

cb_status cb_par_barrier(cb_par *p) {
  if (p->serial) return CB_OK;
  MPI_TRY(MPI_Barrier(p->comm), "MPI_Barrier");
  return CB_OK;
}

cb_status cb_par_bcast_string(cb_par *p, char *buf, size_t n) {
  if (n == 0 || n > (size_t)INT_MAX) return CB_ERROR(CB_ERR_ARG, "bad broadcast size %zu", n);
  buf[n - 1] = '\0';
  if (p->serial) return CB_OK;
  MPI_TRY(MPI_Bcast(buf, (int)n, MPI_CHAR, 0, p->comm), "MPI_Bcast");
  return CB_OK;
}

cb_status cb_par_allreduce_sum(cb_par *p, double *v, int n) {
  if (p->serial) return CB_OK;
  MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, p->comm), "MPI_Allreduce");
  return CB_OK;
}

void cb_par_block(int64_t n, int rank, int size, int64_t *start, int64_t *count) {
  int64_t base = n / size, extra = n % size;
  *count = base + (rank < extra ? 1 : 0);
  *start = rank * base + (rank < extra ? rank : extra);
}

void cb_par_mpi_version(char *out, size_t n) {
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(v, &len);
  char *nl = strpbrk(v, ",\n");
  if (nl) *nl = '\0';
  snprintf(out, n, "%s", v);
}

cb_status cb_par_timers_report(cb_par *p, const cb_timers *t) {
  enum { S = CB_TIMER_MAX_STAGES, L = CB_TIMER_NAME_LEN };
  if (p->serial) return CB_ERROR(CB_ERR_INTERNAL, "timer report needs MPI (cb_par_init)");
  /* Union of stage names, in rank 0's order then others' (every rank
   * declares the run's stages up front, so usually they all agree). */
  char mine[S][L], *all = NULL, names[S][L];
  memset(mine, 0, sizeof mine);
  memset(names, 0, sizeof names);
  int n_mine = cb_timers_n(t);
  for (int i = 0; i < n_mine; ++i) snprintf(mine[i], L, "%s", cb_timers_name(t, i));
  if (p->rank == 0) {
    all = calloc((size_t)p->size, sizeof mine);
    if (!all) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  int rc = MPI_Gather(mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, 0, p->comm);
  int n = 0;
  if (p->rank == 0 && rc == MPI_SUCCESS) {
    for (int r = 0; r < p->size; ++r) {
      char (*theirs)[L] = (char (*)[L])(all + (size_t)r * sizeof mine);
      for (int i = 0; i < S && theirs[i][0]; ++i) {
        int found = 0;
        for (int j = 0; j < n && !found; ++j) found = !strcmp(names[j], theirs[i]);
        if (!found && n < S) snprintf(names[n++], L, "%s", theirs[i]);
      }
    }
  }
  free(all);
  if (rc != MPI_SUCCESS) return CB_ERROR(CB_ERR_MPI, "MPI_Gather of timer names failed");
  MPI_TRY(MPI_Bcast(&n, 1, MPI_INT, 0, p->comm), "MPI_Bcast");
  MPI_TRY(MPI_Bcast(names, (int)sizeof names, MPI_BYTE, 0, p->comm), "MPI_Bcast");
  double sec[S] = {0}, items[S] = {0}, mx[S], mn[S], sum[S], imx[S], imn[S];
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n_mine; ++i)
      if (!strcmp(names[j], mine[i])) {
        sec[j] = cb_timers_seconds(t, i);
        items[j] = (double)cb_timers_items(t, i);
      }
  MPI_TRY(MPI_Reduce(sec, mx, n, MPI_DOUBLE, MPI_MAX, 0, p->comm), "MPI_Reduce");
  MPI_TRY(MPI_Reduce(sec, mn, n, MPI_DOUBLE, MPI_MIN, 0, p->comm), "MPI_Reduce");
  MPI_TRY(MPI_Reduce(sec, sum, n, MPI_DOUBLE, MPI_SUM, 0, p->comm), "MPI_Reduce");
  MPI_TRY(MPI_Reduce(items, imx, n, MPI_DOUBLE, MPI_MAX, 0, p->comm), "MPI_Reduce");
  MPI_TRY(MPI_Reduce(items, imn, n, MPI_DOUBLE, MPI_MIN, 0, p->comm), "MPI_Reduce");
  if (p->rank == 0) {
    printf("\nStage timings over %d rank%s (wall seconds):\n", p->size, p->size > 1 ? "s" : "");
    printf("  %-20s %10s %10s %10s %8s %17s\n", "stage", "max", "min", "mean", "max/min", "items/rank max/min");
    for (int j = 0; j < n; ++j) {
      double ratio = mn[j] > 0 ? mx[j] / mn[j] : 0.0;
      char rbuf[16];
      if (mn[j] > 0)
        snprintf(rbuf, sizeof rbuf, "%.2f", ratio);
      else
        snprintf(rbuf, sizeof rbuf, "-");
      printf("  %-20s %10.3f %10.3f %10.3f %8s %8.0f/%-8.0f\n", names[j], mx[j], mn[j], sum[j] / p->size, rbuf,
             imx[j], imn[j]);
    }
    fflush(stdout);
  }
  return CB_OK;
}

MPI_Comm cb__par_comm(const cb_par *p) { return p->comm; }
