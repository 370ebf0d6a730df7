//===- DaqDialect.cpp - The daq dialect
//------------------------------------===//

#include "daq/IR/Daq.h"

using namespace mlir;
using namespace mlir::daq;

#include "daq/IR/DaqOpsDialect.cpp.inc"

void DaqDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "daq/IR/DaqOps.cpp.inc"
      >();
}
