//===- KernelArith.h - Arithmetic for generated GPU kernels -----*- C++ -*-===//
//
// The index and scalar float arithmetic of the kernels that
// convert-daq-conv-to-igemm and convert-daq-stats-to-gpu generate, in the
// dialects that MLIR 22's convert-vector-to-gpu{use-nvgpu} leaves alone:
// it takes every arith op of a function that it can treat as a warp-matrix
// elementwise op (addi, muli, divui, mulf, divf, negf, maximumf, ...),
// scalar ones included, into its conversion and fails on them. Index
// arithmetic is therefore in the `index` dialect and float arithmetic in
// the LLVM dialect ops arith lowers to (same IEEE semantics, so the CPU
// runs of the kernels check them too).
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CONVERSION_KERNELARITH_H
#define DAQ_LIB_CONVERSION_KERNELARITH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Index/IR/IndexOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::daq {

/// Arithmetic helpers over an ImplicitLocOpBuilder; the kernel emitters
/// derive from it.
class KernelArith {
protected:
  KernelArith(ImplicitLocOpBuilder &b, bool gpu) : b(b), gpu(gpu) {}

  ImplicitLocOpBuilder &b;
  /// GPU kernels (gpu.launch) or their CPU form (loops).
  bool gpu;

  Value idx(int64_t v) { return index::ConstantOp::create(b, v); }
  Value add(Value x, Value y) { return index::AddOp::create(b, x, y); }
  Value sub(Value x, Value y) { return index::SubOp::create(b, x, y); }
  Value mul(Value x, int64_t y) {
    return y == 1 ? x : Value(index::MulOp::create(b, x, idx(y)));
  }
  Value div(Value x, int64_t y) {
    return y == 1 ? x : Value(index::DivUOp::create(b, x, idx(y)));
  }
  Value rem(Value x, int64_t y) {
    return y == 1 ? idx(0) : Value(index::RemUOp::create(b, x, idx(y)));
  }
  Value cmp(index::IndexCmpPredicate p, Value x, Value y) {
    return index::CmpOp::create(b, p, x, y);
  }
  Value lt(Value x, int64_t y) {
    return cmp(index::IndexCmpPredicate::SLT, x, idx(y));
  }
  Value ge0(Value x) { return cmp(index::IndexCmpPredicate::SGE, x, idx(0)); }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }

  Value fadd(Value x, Value y) { return LLVM::FAddOp::create(b, x, y); }
  Value fsub(Value x, Value y) { return LLVM::FSubOp::create(b, x, y); }
  Value fmul(Value x, Value y) { return LLVM::FMulOp::create(b, x, y); }
  Value fdiv(Value x, Value y) { return LLVM::FDivOp::create(b, x, y); }
  Value fneg(Value x) { return LLVM::FNegOp::create(b, x); }
  /// NaN-propagating maximum and minimum (arith.maximumf / minimumf).
  Value fmaximum(Value x, Value y) { return LLVM::MaximumOp::create(b, x, y); }
  Value fminimum(Value x, Value y) { return LLVM::MinimumOp::create(b, x, y); }

  // |x|, round-half-to-even and the correctly rounded square root. In GPU
  // kernels as calls of the LLVM intrinsics (NVPTX: abs, cvt.rni, sqrt.rn):
  // convert-gpu-to-nvvm (MLIR 22) marks llvm.intr.fabs / roundeven / sqrt
  // illegal and turns math.absf / roundeven / sqrt into libdevice calls,
  // which stay unresolved externs in the PTX unless gpu-module-to-binary
  // finds libdevice at compile time. On the CPU as math ops: the buffer
  // deallocation pipeline rejects llvm.call_intrinsic (unknown memory
  // effects). All are exact IEEE operations: both forms compute the same
  // bits.
  Value intrinsic(StringRef name, Value x) {
    return LLVM::CallIntrinsicOp::create(b, x.getType(), b.getStringAttr(name),
                                         ValueRange{x})
        .getResult(0);
  }
  Value fabs(Value x) {
    return gpu ? intrinsic("llvm.fabs.f32", x) : math::AbsFOp::create(b, x);
  }
  Value roundEven(Value x) {
    return gpu ? intrinsic("llvm.roundeven.f32", x)
               : math::RoundEvenOp::create(b, x);
  }
  Value sqrt(Value x) {
    return gpu ? intrinsic("llvm.sqrt.f64", x) : math::SqrtOp::create(b, x);
  }

  /// daq.quantize's formula for one element, with nearest-even rounding; the
  /// same op sequence as the reference lowering (convert-daq-to-linalg), so
  /// the codes agree bit for bit:
  ///   inv = (s == 0) ? 0 : 127 / s;  v = clamp(x, -s, s) * inv
  ///   q   = isnan(v) ? 0 : clamp(roundeven(v), -127, 127)
  Value quantize(Value x, Value clip) {
    Type f32 = b.getF32Type();
    auto constant = [&](double v) {
      return arith::ConstantOp::create(b, b.getFloatAttr(f32, v));
    };
    Value zero = constant(0.0);
    Value isZero =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, clip, zero);
    Value inv =
        arith::SelectOp::create(b, isZero, zero, fdiv(constant(127.0), clip));
    Value negClip = fneg(clip);
    Value v = fmul(fminimum(fmaximum(x, negClip), clip), inv);
    Value rounded = roundEven(v);
    rounded = fminimum(fmaximum(rounded, constant(-127.0)), constant(127.0));
    Value code = arith::FPToSIOp::create(b, b.getI8Type(), rounded);
    Value isNan = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, v, v);
    return arith::SelectOp::create(
        b, isNan, arith::ConstantOp::create(b, b.getI8IntegerAttr(0)), code);
  }
};

} // namespace mlir::daq

#endif // DAQ_LIB_CONVERSION_KERNELARITH_H
