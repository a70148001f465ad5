/*===- fmrt.h - The C API of libfmrt -----------------------------*- C -*-===*\
|*                                                                            *|
|* libfmrt loads artifacts compiled by fmc (shared objects with a JSON        *|
|* manifest, see docs/artifact.md), calls their functions on host tensors     *|
|* with checked inputs, and carries a training step's state from step to      *|
|* step. It is plain C99: handles are opaque, every fallible call returns an  *|
|* fmrt_status and leaves a message for fmrt_last_error(), and nothing is     *|
|* thrown across it. fmrt.hpp wraps it for C++.                               *|
|*                                                                            *|
|* Ownership: a handle returned through an `**out` parameter of a _create,    *|
|* _load or _clone function belongs to the caller, who releases it with the   *|
|* matching _destroy/_unload. Pointers returned directly (names, shapes,      *|
|* functions, borrowed tensors) belong to the object they come from.          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#ifndef FMRT_FMRT_H
#define FMRT_FMRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define FMRT_EXPORT __attribute__((visibility("default")))
#else
#define FMRT_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===-- Status ------------------------------------------------------------===*/

typedef enum fmrt_status {
  FMRT_OK = 0,
  /** A null handle or pointer, a bad index, a wrong number of inputs. */
  FMRT_INVALID_ARGUMENT = 1,
  /** No such function, state tensor, checkpoint tensor or artifact symbol. */
  FMRT_NOT_FOUND = 2,
  /** A file that cannot be opened, read or written. */
  FMRT_IO_ERROR = 3,
  /** A file that is not what it should be: corrupt, truncated, malformed. */
  FMRT_FORMAT_ERROR = 4,
  /** An artifact whose format version this runtime does not read. */
  FMRT_VERSION_MISMATCH = 5,
  FMRT_SHAPE_MISMATCH = 6,
  FMRT_DTYPE_MISMATCH = 7,
  /** A bug in the runtime. */
  FMRT_INTERNAL = 8,
} fmrt_status;

/** "FMRT_OK", "FMRT_NOT_FOUND", ... */
FMRT_EXPORT const char *fmrt_status_name(fmrt_status status);

/** The message of the latest call on this thread that failed ("" if none).
 * The string stays valid until the next failing call on this thread. */
FMRT_EXPORT const char *fmrt_last_error(void);

/** The runtime's version, "MAJOR.MINOR.PATCH". */
FMRT_EXPORT const char *fmrt_version(void);

/** The artifact format version this runtime reads (the manifest's "version").
 */
#define FMRT_ARTIFACT_VERSION 1

/*===-- Element types -----------------------------------------------------===*/

/* Narrow types are stored in their own bit layout: f16/bf16 as uint16_t,
 * FP8 as uint8_t, i1 as one byte holding 0 or 1. */
typedef enum fmrt_dtype {
  FMRT_F32 = 0,
  FMRT_F64 = 1,
  FMRT_F16 = 2,
  FMRT_BF16 = 3,
  FMRT_F8E4M3FN = 4,
  FMRT_F8E5M2 = 5,
  FMRT_I32 = 6,
  FMRT_I64 = 7,
  FMRT_I1 = 8,
} fmrt_dtype;

/** MLIR spelling: "f32", "bf16", "f8E4M3FN", ...; NULL for an invalid value. */
FMRT_EXPORT const char *fmrt_dtype_name(fmrt_dtype dtype);
/** Bytes per element; 0 for an invalid value. */
FMRT_EXPORT size_t fmrt_dtype_size(fmrt_dtype dtype);

/*===-- Tensors -----------------------------------------------------------===*/

/* A dense host tensor in C order, owning a 64-byte aligned buffer. */
typedef struct fmrt_tensor fmrt_tensor;

/** A tensor of `rank` dimensions `shape[0..rank)`, holding a copy of `data`
 * (fmrt_tensor_byte_size bytes), or zeros when `data` is NULL. */
FMRT_EXPORT fmrt_status fmrt_tensor_create(fmrt_dtype dtype,
                                           const int64_t *shape, int64_t rank,
                                           const void *data,
                                           fmrt_tensor **tensor);
FMRT_EXPORT fmrt_status fmrt_tensor_clone(const fmrt_tensor *tensor,
                                          fmrt_tensor **copy);
/** Accepts NULL. */
FMRT_EXPORT void fmrt_tensor_destroy(fmrt_tensor *tensor);

FMRT_EXPORT fmrt_dtype fmrt_tensor_dtype(const fmrt_tensor *tensor);
FMRT_EXPORT int64_t fmrt_tensor_rank(const fmrt_tensor *tensor);
/** `rank` dimensions (NULL for rank 0). */
FMRT_EXPORT const int64_t *fmrt_tensor_shape(const fmrt_tensor *tensor);
/** Writes `rank` strides, in elements, into `strides` (C order: the last
 * dimension is contiguous). */
FMRT_EXPORT void fmrt_tensor_strides(const fmrt_tensor *tensor,
                                     int64_t *strides);
FMRT_EXPORT int64_t fmrt_tensor_num_elements(const fmrt_tensor *tensor);
FMRT_EXPORT size_t fmrt_tensor_byte_size(const fmrt_tensor *tensor);
FMRT_EXPORT void *fmrt_tensor_data(fmrt_tensor *tensor);
FMRT_EXPORT const void *fmrt_tensor_const_data(const fmrt_tensor *tensor);

/** .npy files (format 1.0/2.0, little-endian, C order). bf16 and FP8
 * tensors are saved as f32 arrays holding their exact values. */
FMRT_EXPORT fmrt_status fmrt_npy_load(const char *path, fmrt_tensor **tensor);
FMRT_EXPORT fmrt_status fmrt_npy_save(const char *path,
                                      const fmrt_tensor *tensor);

/*===-- Named tensor sets (safetensors files) -----------------------------===*/

/* An ordered list of uniquely named tensors and the string metadata of a
 * safetensors file. */
typedef struct fmrt_tensor_map fmrt_tensor_map;

FMRT_EXPORT fmrt_status fmrt_tensor_map_create(fmrt_tensor_map **map);
/** Accepts NULL. */
FMRT_EXPORT void fmrt_tensor_map_destroy(fmrt_tensor_map *map);
FMRT_EXPORT int64_t fmrt_tensor_map_size(const fmrt_tensor_map *map);
/** The name of entry `index`; NULL when out of range. */
FMRT_EXPORT const char *fmrt_tensor_map_name(const fmrt_tensor_map *map,
                                             int64_t index);
/** Entry `index`, borrowed from the map; NULL when out of range. */
FMRT_EXPORT const fmrt_tensor *fmrt_tensor_map_at(const fmrt_tensor_map *map,
                                                  int64_t index);
/** The tensor called `name`, borrowed from the map; NULL when absent. */
FMRT_EXPORT const fmrt_tensor *fmrt_tensor_map_find(const fmrt_tensor_map *map,
                                                    const char *name);
/** Appends a copy of `tensor` under `name`, or replaces the tensor already
 * called `name` in place. */
FMRT_EXPORT fmrt_status fmrt_tensor_map_set(fmrt_tensor_map *map,
                                            const char *name,
                                            const fmrt_tensor *tensor);
FMRT_EXPORT fmrt_status fmrt_safetensors_load(const char *path,
                                              fmrt_tensor_map **map);
/** Writes atomically (a temporary file renamed into place). */
FMRT_EXPORT fmrt_status fmrt_safetensors_save(const char *path,
                                              const fmrt_tensor_map *map);

/*===-- Artifacts and their functions -------------------------------------===*/

typedef struct fmrt_artifact fmrt_artifact;
/* A function of a loaded artifact, borrowed from it. */
typedef struct fmrt_function fmrt_function;

/** What an argument is to a training step. */
typedef enum fmrt_role {
  FMRT_ROLE_NONE = 0,
  /** A trained parameter. */
  FMRT_ROLE_PARAM = 1,
  /** Other state carried across steps (optimizer moments, step counter). */
  FMRT_ROLE_STATE = 2,
  /** A batch input. */
  FMRT_ROLE_DATA = 3,
} fmrt_role;

/** An argument or result of a function, as the manifest declares it. */
typedef struct fmrt_value_info {
  const char *name;
  fmrt_dtype dtype;
  int64_t rank;
  /** `rank` dimensions (NULL for rank 0). */
  const int64_t *shape;
  /** Arguments only (FMRT_ROLE_NONE for results). */
  fmrt_role role;
  /** Results only: the argument this result replaces on the next step, or -1
   * (always -1 for arguments). */
  int64_t feeds;
} fmrt_value_info;

/** What an artifact was compiled for, and its planned memory (bytes). */
typedef struct fmrt_artifact_info {
  int64_t format_version;
  const char *fmc_version;
  const char *target_triple;
  const char *target_cpu;
  const char *target_features;
  /** Whether the manifest has a memory plan; the sizes below are 0 if not. */
  bool has_memory_plan;
  int64_t weights_bytes;
  int64_t gradients_bytes;
  int64_t optimizer_state_bytes;
  int64_t activations_bytes;
  int64_t workspace_bytes;
  int64_t peak_bytes;
} fmrt_artifact_info;

/** Loads an artifact: checks the file, dlopens it, reads and validates its
 * manifest and resolves every function's symbol. Fails with
 * FMRT_IO_ERROR (unreadable file), FMRT_FORMAT_ERROR (not a shared object,
 * truncated, no manifest, malformed manifest), FMRT_VERSION_MISMATCH or
 * FMRT_NOT_FOUND (a function's symbol is missing). */
FMRT_EXPORT fmrt_status fmrt_artifact_load(const char *path,
                                           fmrt_artifact **artifact);
/** Releases the handle. The shared object stays loaded while sessions
 * created from it exist; its functions must not be used afterwards.
 * Accepts NULL. */
FMRT_EXPORT void fmrt_artifact_unload(fmrt_artifact *artifact);
/** The manifest exactly as the artifact stores it. */
FMRT_EXPORT const char *
fmrt_artifact_manifest_json(const fmrt_artifact *artifact);
FMRT_EXPORT fmrt_status fmrt_artifact_get_info(const fmrt_artifact *artifact,
                                               fmrt_artifact_info *info);
FMRT_EXPORT int64_t fmrt_artifact_num_functions(const fmrt_artifact *artifact);
/** Function `index` in manifest order; NULL when out of range. */
FMRT_EXPORT const fmrt_function *
fmrt_artifact_function_at(const fmrt_artifact *artifact, int64_t index);
FMRT_EXPORT fmrt_status fmrt_artifact_function(const fmrt_artifact *artifact,
                                               const char *name,
                                               const fmrt_function **function);

FMRT_EXPORT const char *fmrt_function_name(const fmrt_function *function);
FMRT_EXPORT const char *fmrt_function_symbol(const fmrt_function *function);
FMRT_EXPORT int64_t fmrt_function_num_args(const fmrt_function *function);
FMRT_EXPORT int64_t fmrt_function_num_results(const fmrt_function *function);
FMRT_EXPORT fmrt_status fmrt_function_arg(const fmrt_function *function,
                                          int64_t index, fmrt_value_info *info);
FMRT_EXPORT fmrt_status fmrt_function_result(const fmrt_function *function,
                                             int64_t index,
                                             fmrt_value_info *info);

/** Calls `function` on `inputs` (one per argument), writing its results into
 * `outputs` (one per result). A NULL output slot gets a new tensor the caller
 * then owns; a non-NULL one must have the result's dtype and shape and is
 * overwritten. Counts, dtypes and shapes are checked against the manifest
 * before anything runs (FMRT_INVALID_ARGUMENT, FMRT_DTYPE_MISMATCH,
 * FMRT_SHAPE_MISMATCH); an output may not also be an input or another output.
 * On failure no output slot is changed. Inputs are read-only. */
FMRT_EXPORT fmrt_status fmrt_function_call(const fmrt_function *function,
                                           const fmrt_tensor *const *inputs,
                                           int64_t num_inputs,
                                           fmrt_tensor **outputs,
                                           int64_t num_outputs);

/*===-- Training sessions -------------------------------------------------===*/

/* A training step and its state. The step function's arguments with role
 * "param" or "state" are the state, kept in the session; the others are the
 * batch, passed to each fmrt_session_step in argument order. Result 0 is the
 * loss (a scalar float); every result with a `feeds` index replaces that
 * argument for the next step. A session is used by one thread at a time. */
typedef struct fmrt_session fmrt_session;

/** A session over `artifact`'s function `function` (e.g. "train_step"),
 * with every state tensor zero. */
FMRT_EXPORT fmrt_status fmrt_session_create(const fmrt_artifact *artifact,
                                            const char *function,
                                            fmrt_session **session);
/** Accepts NULL. */
FMRT_EXPORT void fmrt_session_destroy(fmrt_session *session);
FMRT_EXPORT const fmrt_function *
fmrt_session_function(const fmrt_session *session);
/** Steps taken: by this session, plus those of a checkpoint it loaded. */
FMRT_EXPORT int64_t fmrt_session_step_count(const fmrt_session *session);

/** Initializes the state as `fmc train --seed seed` does: parameters of rank
 * >= 2 from N(0, 0.02^2) (drawn in argument order), other parameters whose
 * name contains "scale" ones, everything else zeros; the step count is 0. */
FMRT_EXPORT fmrt_status fmrt_session_initialize(fmrt_session *session,
                                                uint64_t seed);
/** The state tensor called `name`, borrowed from the session: the handle
 * stays valid for the session's life and always shows the current value
 * (its data pointer changes at each step). */
FMRT_EXPORT fmrt_status fmrt_session_get_state(const fmrt_session *session,
                                               const char *name,
                                               const fmrt_tensor **tensor);
/** Copies `tensor` into the state tensor called `name` (same dtype and
 * shape). */
FMRT_EXPORT fmrt_status fmrt_session_set_state(fmrt_session *session,
                                               const char *name,
                                               const fmrt_tensor *tensor);
/** Restores the state from an fmc checkpoint directory (as written by
 * `fmc train --checkpoint` or fmrt_session_save_checkpoint): its tensors
 * must be exactly the state tensors, by name, dtype and shape. Nothing
 * changes on failure. */
FMRT_EXPORT fmrt_status fmrt_session_load_checkpoint(fmrt_session *session,
                                                     const char *directory);
/** Writes the state, the step count and the seed into an fmc checkpoint
 * directory (created if needed; the file is replaced atomically). */
FMRT_EXPORT fmrt_status fmrt_session_save_checkpoint(
    const fmrt_session *session, const char *directory);
/** Runs one step on `batch` (one tensor per batch argument, in order),
 * carries the state forward and stores the loss in `*loss`. On failure the
 * state is unchanged. */
FMRT_EXPORT fmrt_status fmrt_session_step(fmrt_session *session,
                                          const fmrt_tensor *const *batch,
                                          int64_t num_batch, double *loss);

/*===-- Entry points for generated code -----------------------------------===*/

/* Compiled artifacts call these; they are resolved against the libfmrt
 * loaded in the process. */

/** Memory for compiled code's temporary buffers, 64-byte aligned. Out of
 * memory, it prints the size asked for and aborts: compiled code has no way
 * to report the failure (fmc refuses beforehand programs whose memory plan
 * exceeds the machine's memory). Freed blocks are kept for reuse by later
 * allocations of the same size (up to FMRT_ALLOC_CACHE_MB MiB in all, 2048
 * by default), since a step allocates the same sizes on every call. */
FMRT_EXPORT void *fmrt_alloc(int64_t bytes);

/** Returns a block of fmrt_alloc; NULL is ignored. */
FMRT_EXPORT void fmrt_free(void *block);

/** Gives the blocks kept for reuse back to the system. */
FMRT_EXPORT void fmrt_trim_memory(void);

/** Threads in the process-wide pool (FMRT_NUM_THREADS, or the hardware's
 * concurrency), the calling thread included. */
FMRT_EXPORT int fmrt_num_threads(void);

/** Calls body(unit_begin, unit_end, context) on contiguous units that
 * cover [begin, end) exactly once, a few per pool thread, in any order and
 * on any pool thread (a thread that finishes its own units takes the ones
 * others have not started), and returns when all are done. Runs inline when
 * the range has fewer than two indices, on a pool thread (nested loops) or
 * while another thread's loop holds the pool. */
FMRT_EXPORT void fmrt_parallel_for(int64_t begin, int64_t end,
                                   void (*body)(int64_t begin, int64_t end,
                                                void *context),
                                   void *context);

/** C = op(A) op(B) for each of `batch` row-major f32 matrices: op(A) is m x k,
 * op(B) k x n, C m x n (overwritten). op(X) is X, or X transposed when
 * `transX`, in which case X is stored k x m (A) or n x k (B). lda, ldb and
 * ldc are row strides and strideA/B/C batch strides, in elements.
 * Runs on libfmrt's own AVX-512 kernel where the CPU has AVX-512F, else on
 * OpenBLAS; FMRT_GEMM=openblas (or avx512, auto) overrides the choice.
 * Callers from generated code must pass the bool flags zero-extended (LLVM's
 * `zeroext` on an i1 argument). */
FMRT_EXPORT void fmrt_matmul_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                                 const float *a, int64_t lda, int64_t strideA,
                                 bool transA, const float *b, int64_t ldb,
                                 int64_t strideB, bool transB, float *c,
                                 int64_t ldc, int64_t strideC);

/** fmrt_matmul_f32 plus a bias: C = op(A) op(B) + bias, where `bias` holds
 * n floats added to every row of every matrix. The bias starts each sum
 * rather than being added to the finished product, which may round
 * differently. A null bias adds nothing. */
FMRT_EXPORT void
fmrt_matmul_bias_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                     const float *a, int64_t lda, int64_t strideA, bool transA,
                     const float *b, int64_t ldb, int64_t strideB, bool transB,
                     const float *bias, float *c, int64_t ldc, int64_t strideC);

#ifdef __cplusplus
}
#endif

#endif /* FMRT_FMRT_H */
