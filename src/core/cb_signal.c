#include "cb_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t cb__pending = 0;

static void on_signal(int signo) {
  if (!cb__pending) cb__pending = signo;
}

void cb_signal_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
}

int cb_signal_pending(void) { return (int)cb__pending; }

void cb_signal_raise_local(int signo) {
  if (!cb__pending) cb__pending = signo;
}
