/* A fake artifact whose manifest names an entry point it does not define. */
#include "fmrt/fmrt.h"

FMRT_EXPORT const char *fmc_artifact_manifest(void) {
  return "{\"format\": \"fmc-artifact\", \"version\": 1, "
         "\"target\": {\"triple\": \"x86_64-unknown-linux-gnu\"}, "
         "\"functions\": [{\"name\": \"step\", \"symbol\": "
         "\"fmc_entry_missing\", \"args\": [], \"results\": []}]}";
}
