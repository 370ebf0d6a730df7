//===- Passes.h - daq conversion passes -------------------------*- C++ -*-===//

#ifndef DAQ_CONVERSION_PASSES_H
#define DAQ_CONVERSION_PASSES_H

#include "daq/IR/Daq.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace daq {

#define GEN_PASS_DECL
#include "daq/Conversion/Passes.h.inc"

/// Patterns lowering every daq op to linalg/tensor/arith/math.
void populateDaqToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "daq/Conversion/Passes.h.inc"

} // namespace daq
} // namespace mlir

#endif // DAQ_CONVERSION_PASSES_H
