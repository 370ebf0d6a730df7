//===- Passes.h - daq transformation passes ---------------------*- C++ -*-===//

#ifndef DAQ_TRANSFORMS_PASSES_H
#define DAQ_TRANSFORMS_PASSES_H

#include "daq/IR/Daq.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace daq {

#define GEN_PASS_DECL
#include "daq/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "daq/Transforms/Passes.h.inc"

} // namespace daq
} // namespace mlir

#endif // DAQ_TRANSFORMS_PASSES_H
