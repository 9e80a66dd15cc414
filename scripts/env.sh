# Sourced by scripts/run and scripts/test: MPI and OpenBLAS settings.
# - mpirun refuses root without explicit consent (CI runs as root).
# - OpenBLAS 0.3.21 does not know recent Xeon model numbers and falls back to
#   its generic "Prescott" kernel (about 5x slower sgemm). When the CPU has
#   AVX-512 (or AVX2) and the user has not chosen, pick the matching kernel.
#   cortexbench prints the kernel in use in every run header.
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
