/* cb_par_impl.h - private to src/par: the communicator inside a cb_par. */
#ifndef CB_PAR_IMPL_H
#define CB_PAR_IMPL_H

#include <mpi.h>

#include "cb_par.h"

MPI_Comm cb__par_comm(const cb_par *p);

#endif
