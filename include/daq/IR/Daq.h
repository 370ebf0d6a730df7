//===- Daq.h - The daq dialect ----------------------------------*- C++ -*-===//
//
// The daq dialect, its attributes and its operations.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_IR_DAQ_H
#define DAQ_IR_DAQ_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "daq/IR/DaqOpsDialect.h.inc"

#include "daq/IR/DaqEnums.h.inc"

#include "daq/IR/DaqAttrInterfaces.h.inc"

namespace mlir::daq {
/// Parses `[a, b, ...]` (the list of a `#daq.conv` field).
FailureOr<SmallVector<int64_t>> parseIntList(AsmParser &parser);
void printIntList(AsmPrinter &printer, ArrayRef<int64_t> values);
/// Parses `[a, b, ...]` as f32 values (decimal or hexadecimal literals).
FailureOr<DenseF32ArrayAttr> parseF32List(AsmParser &parser);
/// Prints f32 values so that they parse back bit for bit.
void printF32List(AsmPrinter &printer, DenseF32ArrayAttr values);
} // namespace mlir::daq

#define GET_ATTRDEF_CLASSES
#include "daq/IR/DaqAttrs.h.inc"

#define GET_OP_CLASSES
#include "daq/IR/DaqOps.h.inc"

#endif // DAQ_IR_DAQ_H
