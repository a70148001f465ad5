//===- EntryAbi.h - How compiled fmc functions are called -------*- C++ -*-===//
//
// Every function fmc compiles is exported as
//
//   void <symbol>(void **args);
//
// where args[i] points to an MLIR memref descriptor: first one per input
// argument, then one per result, in order. Results are written into buffers
// the caller allocates (destination-passing style), so no memory crosses the
// boundary. A rank-r descriptor is laid out as
//
//   struct { void *allocated; void *aligned; int64_t offset;
//            int64_t sizes[r]; int64_t strides[r]; };
//
// Inputs are read-only for the compiled code. docs/artifact.md describes the
// whole artifact format.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_ENTRYABI_H
#define FMRT_ENTRYABI_H

#include "fmrt/Tensor.h"

#include <vector>

namespace fmrt {

using EntryFunction = void (*)(void **args);

/// Calls `entry` on `inputs`, writing into `outputs`, which the caller has
/// allocated with the result shapes and dtypes. Shapes are the caller's to
/// check (against the artifact's manifest).
void callEntry(EntryFunction entry, const std::vector<const Tensor *> &inputs,
               const std::vector<Tensor *> &outputs);

} // namespace fmrt

#endif // FMRT_ENTRYABI_H
