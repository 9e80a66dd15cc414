/* cb_signal.h - graceful stop on SIGTERM, SIGUSR1 and SIGINT (Slurm
 * preemption, `scancel --signal`, `sbatch --signal=B:TERM@120`, Ctrl-C).
 * The handler only records the signal; long loops poll cb_signal_pending()
 * between tasks, commit what is complete and return CB_ERR_INTERRUPTED, which
 * the CLI turns into exit status 3. */
#ifndef CB_SIGNAL_H
#define CB_SIGNAL_H

/* Installs the handlers (idempotent). */
void cb_signal_install(void);
/* Number of the first signal received, 0 when none. */
int cb_signal_pending(void);
/* Marks a stop as requested (as if a signal arrived); used when another
 * rank reports one. */
void cb_signal_raise_local(int signo);

#endif
