/* A fake artifact whose manifest is not valid JSON (a trailing comma). */
#include "fmrt/fmrt.h"

FMRT_EXPORT const char *fmc_artifact_manifest(void) {
  return "{\"format\": \"fmc-artifact\", \"version\": 1, \"functions\": [],}";
}
