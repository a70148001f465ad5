/* A fake artifact from a future compiler: format version 2, whose schema
 * this runtime cannot know ("functions" is no longer a list). */
#include "fmrt/fmrt.h"

FMRT_EXPORT const char *fmc_artifact_manifest(void) {
  return "{\"format\": \"fmc-artifact\", \"version\": 2, "
         "\"functions\": {\"train_step\": \"fmc_entry_train_step\"}}";
}
