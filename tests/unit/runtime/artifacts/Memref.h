/*===- Memref.h - Reading memref descriptors by hand -------------*- C -*-===*\
|*                                                                            *|
|* The fake artifacts of the runtime's tests are written in C against the     *|
|* calling convention of fmrt/EntryAbi.h: each entry point receives an array  *|
|* of pointers to memref descriptors, inputs then outputs.                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#ifndef FMRT_TEST_MEMREF_H
#define FMRT_TEST_MEMREF_H

#include <stdint.h>

/* { allocated, aligned, offset, sizes[rank], strides[rank] } */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizesAndStrides[];
} Memref;

static inline float *memrefF32(void *descriptor) {
  Memref *memref = (Memref *)descriptor;
  return (float *)memref->aligned + memref->offset;
}

static inline int32_t *memrefI32(void *descriptor) {
  Memref *memref = (Memref *)descriptor;
  return (int32_t *)memref->aligned + memref->offset;
}

static inline int64_t memrefSize(void *descriptor, int dim) {
  return ((Memref *)descriptor)->sizesAndStrides[dim];
}

#endif /* FMRT_TEST_MEMREF_H */
