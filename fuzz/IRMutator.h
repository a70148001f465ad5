//===- IRMutator.h - Mutations of fm programs -------------------*- C++ -*-===//
//
// Tzer-style IR mutations for the fuzzer: each mutator parses a module of fm
// functions, changes it in one typed way (inserts, deletes or replaces an
// op, rewires an operand, changes an attribute, a function argument's type,
// the precision or quantization of values, an argument's role, or the
// fusion structure) and prints it again, only when the result verifies.
// The reducer's op deletion lives here too, since it shares the rewiring.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_IRMUTATOR_H
#define FM_FUZZ_IRMUTATOR_H

#include "fmrt/Random.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace fm::fuzz {

struct ProgramMutation {
  /// The mutated program, MLIR text in custom form; it parses and verifies.
  std::string program;
  /// The name of the mutator that made it, e.g. "insert-op".
  std::string mutator;
};

/// Applies one random IR mutation, drawn from `random`, to `program` (the
/// MLIR text of a module of fm functions, as in a .fmz case). Tries other
/// mutators and sites when one does not apply; failure when the program does
/// not parse or no mutation gives a program that verifies. Never crashes on
/// any input text; diagnostics are discarded.
mlir::FailureOr<ProgramMutation> mutateProgram(mlir::MLIRContext &context,
                                               llvm::StringRef program,
                                               fmrt::Random &random);

/// The names of all IR mutators, for statistics.
llvm::ArrayRef<llvm::StringLiteral> irMutatorNames();

/// For the reducer (delta debugging over ops): the number of ops in the
/// functions' bodies that removeOps may remove (every op but terminators, in
/// a pre-order walk over all func.func bodies, fusion bodies included); 0
/// when the program does not parse.
unsigned countRemovableOps(mlir::MLIRContext &context, llvm::StringRef program);

/// `program` without the ops of the given indices (into countRemovableOps'
/// walk order), each use of a removed result rewired to a type-compatible
/// value defined earlier (an operand of the removed op of the same type
/// first, else an earlier value or a function argument of the same type).
/// Failure when the program does not parse, an index is out of range, some
/// removed result has uses and no compatible value exists, or the result
/// does not verify.
mlir::FailureOr<std::string> removeOps(mlir::MLIRContext &context,
                                       llvm::StringRef program,
                                       llvm::ArrayRef<unsigned> opIndices);

} // namespace fm::fuzz

#endif // FM_FUZZ_IRMUTATOR_H
