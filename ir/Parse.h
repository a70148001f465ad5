//===- Parse.h - How fmc reads the programs it is given ---------*- C++ -*-===//
#ifndef FM_IR_PARSE_H
#define FM_IR_PARSE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringRef.h"

namespace llvm {
class MemoryBufferRef;
class SourceMgr;
} // namespace llvm

namespace fm {

/// Parses the main buffer of `sourceMgr` (MLIR text or bytecode) into a
/// module; null after reporting the errors as diagnostics. Text is first
/// checked with checkParserHazards, which LLVM 19's parser needs to survive
/// malformed input.
mlir::OwningOpRef<mlir::ModuleOp> parseModule(llvm::SourceMgr &sourceMgr,
                                              mlir::MLIRContext *context);
/// The same for text in memory; `bufferName` is the file name in locations.
mlir::OwningOpRef<mlir::ModuleOp>
parseModule(llvm::StringRef text, mlir::MLIRContext *context,
            llvm::StringRef bufferName = "<string>");

/// Reports, as an error diagnostic, malformed text that LLVM 19's parser
/// does not survive:
/// - a value whose name is used before its definition and then defined in
///   a region that does not enclose the use. Such IR never verifies, but the
///   parser resolves the forward reference to the nested definition and,
///   when that region then fails to parse, frees the definition while the
///   use still points at it: a heap use-after-free (llvm-project issue
///   107121, fixed in LLVM 21);
/// - brackets nested more than 256 deep, which overflow the stack of its
///   recursive descent.
/// A lexical scan that skips what MLIR's lexer skips (blanks, NULs, line
/// breaks, comments): `{` `}` open and close regions; `%name =` and
/// `^block(%name: type)` define values in the current region, except that
/// `%name =` after an op's name in custom form (`scf.for %i =`) and
/// `(%name: type` define arguments of the next region.
/// Bytecode passes: it is not text.
mlir::LogicalResult checkParserHazards(llvm::SourceMgr &sourceMgr,
                                       mlir::MLIRContext *context);

/// checkParserHazards on each chunk of `buffer` split at `splitMarker` (the
/// whole buffer when it is empty), as mlir-opt's --split-input-file parses
/// them; errors are printed to stderr with their chunk's location.
mlir::LogicalResult checkParserHazardsInChunks(llvm::MemoryBufferRef buffer,
                                               llvm::StringRef splitMarker,
                                               mlir::MLIRContext *context);

} // namespace fm

#endif // FM_IR_PARSE_H
