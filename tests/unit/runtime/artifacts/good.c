/*===- good.c - A well-formed fake artifact ------------------------------===*\
|*                                                                            *|
|* Two functions: axpy (out = alpha * x + y, a plain call that runs on the   *|
|* thread pool) and accumulate, a toy training step whose state grows by the *|
|* batch each step: total += x, count += 1, loss = sum(total). Its manifest  *|
|* also carries keys the runtime does not know, which it must ignore.        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "Memref.h"

#include "fmrt/fmrt.h"

FMRT_EXPORT const char *fmc_artifact_manifest(void) {
  return "{\"format\": \"fmc-artifact\", \"version\": 1, "
         "\"fmc_version\": \"0.1.0\", \"future_key\": {\"nested\": [1, 2.5e3, "
         "true, null, \"x\"]},\n"
         " \"target\": {\"triple\": \"x86_64-unknown-linux-gnu\", "
         "\"cpu\": \"x86-64\", \"features\": \"+sse2\", \"abi\": \"sysv\"},\n"
         " \"functions\": [\n"
         "  {\"name\": \"axpy\", \"symbol\": \"fmc_entry_axpy\", "
         "\"inline\": false,\n"
         "   \"args\": [{\"name\": \"alpha\", \"dtype\": \"f32\", "
         "\"shape\": []},\n"
         "            {\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [1000], "
         "\"role\": \"\"},\n"
         "            {\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [1000], "
         "\"role\": \"data\"}],\n"
         "   \"results\": [{\"name\": \"out\", \"dtype\": \"f32\", "
         "\"shape\": [1000], \"feeds\": -1}]},\n"
         "  {\"name\": \"accumulate\", \"symbol\": \"fmc_entry_accumulate\",\n"
         "   \"args\": [{\"name\": \"total\", \"dtype\": \"f32\", "
         "\"shape\": [2, 3], \"role\": \"state\"},\n"
         "            {\"name\": \"count\", \"dtype\": \"i32\", \"shape\": [], "
         "\"role\": \"state\"},\n"
         "            {\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [2, 3], "
         "\"role\": \"data\"}],\n"
         "   \"results\": [{\"name\": \"loss\", \"dtype\": \"f32\", "
         "\"shape\": [], \"feeds\": -1},\n"
         "               {\"name\": \"total\", \"dtype\": \"f32\", "
         "\"shape\": [2, 3], \"feeds\": 0},\n"
         "               {\"name\": \"count\", \"dtype\": \"i32\", "
         "\"shape\": [], \"feeds\": 1}]}],\n"
         " \"memory_plan\": {\"weights\": 0, \"gradients\": 0, "
         "\"optimizer_state\": 24, \"activations\": 4000, \"workspace\": 16, "
         "\"peak\": 12040, \"spill\": 0}}";
}

typedef struct {
  float alpha;
  const float *x, *y;
  float *out;
} Axpy;

static void axpyChunk(int64_t begin, int64_t end, void *context) {
  const Axpy *axpy = (const Axpy *)context;
  for (int64_t i = begin; i < end; ++i)
    axpy->out[i] = axpy->alpha * axpy->x[i] + axpy->y[i];
}

FMRT_EXPORT void fmc_entry_axpy(void **args) {
  Axpy axpy = {*memrefF32(args[0]), memrefF32(args[1]), memrefF32(args[2]),
               memrefF32(args[3])};
  fmrt_parallel_for(0, memrefSize(args[1], 0), axpyChunk, &axpy);
}

FMRT_EXPORT void fmc_entry_accumulate(void **args) {
  const float *total = memrefF32(args[0]);
  const int32_t *count = memrefI32(args[1]);
  const float *x = memrefF32(args[2]);
  float *loss = memrefF32(args[3]);
  float *newTotal = memrefF32(args[4]);
  int32_t *newCount = memrefI32(args[5]);
  *loss = 0;
  for (int i = 0; i < 6; ++i) {
    newTotal[i] = total[i] + x[i];
    *loss += newTotal[i];
  }
  *newCount = *count + 1;
}
