/*===- toy_train.c - A fake artifact with a language-model training step -===*\
|*                                                                            *|
|* train_step has the signature the compiler gives a GPT's step (parameters, *|
|* optimizer state, then tokens and targets as [batch, seq] i32) around a    *|
|* tiny regression: features X[b][j] are token pairs' mean / 255, the        *|
|* prediction is (X @ proj.weight) * norm.scale + proj.bias, the target is   *|
|* target quads' mean / 255, the loss their mean squared error, and the      *|
|* update plain SGD. Its matrix products go through fmrt_matmul_f32, as      *|
|* compiled code's do.                                                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "Memref.h"

#include "fmrt/fmrt.h"

enum { kBatch = 2, kSeq = 8, kFeatures = 4, kOutputs = 2 };

static const float kLearningRate = 0.5f;

FMRT_EXPORT const char *fmc_artifact_manifest(void) {
  return "{\"format\": \"fmc-artifact\", \"version\": 1, "
         "\"fmc_version\": \"0.1.0\",\n"
         " \"target\": {\"triple\": \"x86_64-unknown-linux-gnu\"},\n"
         " \"functions\": [{\"name\": \"train_step\", "
         "\"symbol\": \"fmc_entry_train_step\",\n"
         "  \"args\": [\n"
         "   {\"name\": \"proj.weight\", \"dtype\": \"f32\", \"shape\": [4, "
         "2], "
         "\"role\": \"param\"},\n"
         "   {\"name\": \"norm.scale\", \"dtype\": \"f32\", \"shape\": [2], "
         "\"role\": \"param\"},\n"
         "   {\"name\": \"proj.bias\", \"dtype\": \"f32\", \"shape\": [2], "
         "\"role\": \"param\"},\n"
         "   {\"name\": \"step\", \"dtype\": \"i32\", \"shape\": [], "
         "\"role\": \"state\"},\n"
         "   {\"name\": \"tokens\", \"dtype\": \"i32\", \"shape\": [2, 8], "
         "\"role\": \"data\"},\n"
         "   {\"name\": \"targets\", \"dtype\": \"i32\", \"shape\": [2, 8], "
         "\"role\": \"data\"}],\n"
         "  \"results\": [\n"
         "   {\"name\": \"loss\", \"dtype\": \"f32\", \"shape\": [], "
         "\"feeds\": -1},\n"
         "   {\"name\": \"proj.weight\", \"dtype\": \"f32\", \"shape\": [4, "
         "2], "
         "\"feeds\": 0},\n"
         "   {\"name\": \"norm.scale\", \"dtype\": \"f32\", \"shape\": [2], "
         "\"feeds\": 1},\n"
         "   {\"name\": \"proj.bias\", \"dtype\": \"f32\", \"shape\": [2], "
         "\"feeds\": 2},\n"
         "   {\"name\": \"step\", \"dtype\": \"i32\", \"shape\": [], "
         "\"feeds\": 3}]}]}";
}

FMRT_EXPORT void fmc_entry_train_step(void **args) {
  const float *weight = memrefF32(args[0]), *scale = memrefF32(args[1]),
              *bias = memrefF32(args[2]);
  const int32_t *step = memrefI32(args[3]), *tokens = memrefI32(args[4]),
                *targets = memrefI32(args[5]);
  float *loss = memrefF32(args[6]), *newWeight = memrefF32(args[7]),
        *newScale = memrefF32(args[8]), *newBias = memrefF32(args[9]);
  int32_t *newStep = memrefI32(args[10]);

  float x[kBatch][kFeatures], hidden[kBatch][kOutputs];
  float dHidden[kBatch][kOutputs], dWeight[kFeatures][kOutputs];
  for (int b = 0; b < kBatch; ++b)
    for (int j = 0; j < kFeatures; ++j)
      x[b][j] = (tokens[b * kSeq + 2 * j] + tokens[b * kSeq + 2 * j + 1]) /
                (2 * 255.0f);
  fmrt_matmul_f32(1, kBatch, kOutputs, kFeatures, &x[0][0], kFeatures, 0, false,
                  weight, kOutputs, 0, false, &hidden[0][0], kOutputs, 0);

  *loss = 0;
  for (int c = 0; c < kOutputs; ++c) {
    float dScale = 0, dBias = 0;
    for (int b = 0; b < kBatch; ++b) {
      const int32_t *quad = targets + b * kSeq + 4 * c;
      const float target = (quad[0] + quad[1] + quad[2] + quad[3]) / 1020.0f;
      const float error = hidden[b][c] * scale[c] + bias[c] - target;
      const float dPrediction = 2 * error / (kBatch * kOutputs);
      *loss += error * error / (kBatch * kOutputs);
      dScale += dPrediction * hidden[b][c];
      dBias += dPrediction;
      dHidden[b][c] = dPrediction * scale[c];
    }
    newScale[c] = scale[c] - kLearningRate * dScale;
    newBias[c] = bias[c] - kLearningRate * dBias;
  }
  /* dWeight = X^T dHidden: X is stored [batch, features], so transposed. */
  fmrt_matmul_f32(1, kFeatures, kOutputs, kBatch, &x[0][0], kFeatures, 0, true,
                  &dHidden[0][0], kOutputs, 0, false, &dWeight[0][0], kOutputs,
                  0);
  for (int i = 0; i < kFeatures; ++i)
    for (int c = 0; c < kOutputs; ++c)
      newWeight[i * kOutputs + c] =
          weight[i * kOutputs + c] - kLearningRate * dWeight[i][c];
  *newStep = *step + 1;
}
