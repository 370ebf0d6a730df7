//===- Passes.h - daq transformation passes ---------------------*- C++ -*-===//

#ifndef DAQ_TRANSFORMS_PASSES_H
#define DAQ_TRANSFORMS_PASSES_H

#include "daq/IR/Daq.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace daq {

/// Function attribute holding the tensor-level signature of a JIT entry point
/// (see --daq-annotate-entry-points).
inline constexpr llvm::StringLiteral kSignatureAttrName = "daq.signature";
/// Unit attribute of a JIT entry point whose compiled code never writes into
/// its array arguments, so that callers' arrays may be passed uncopied (see
/// --daq-annotate-entry-points).
inline constexpr llvm::StringLiteral kInputsReadOnlyAttrName =
    "daq.inputs_read_only";

/// Patterns rewriting daq.quantize_grad into its clip computations and
/// quantizes (the rewrite of --daq-decompose-quantize-grad).
void populateDecomposeQuantizeGradPatterns(RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "daq/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "daq/Transforms/Passes.h.inc"

} // namespace daq
} // namespace mlir

#endif // DAQ_TRANSFORMS_PASSES_H
