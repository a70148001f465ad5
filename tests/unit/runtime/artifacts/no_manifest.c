/* A shared object that is not an artifact: it exports no manifest. */
#include "fmrt/fmrt.h"

FMRT_EXPORT int fmrt_test_not_an_artifact(void) { return 42; }
