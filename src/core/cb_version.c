/* cb_version.c - the build's version and git commit (cb_version.h). */
#include "cb_version.h"

#include "cb_gitrev.h"

const char *cb_git_commit(void) { return CB_GIT_COMMIT; }
