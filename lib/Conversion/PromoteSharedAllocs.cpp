//===- PromoteSharedAllocs.cpp - Shared allocs to workgroup attributions --===//
//
// nvgpu-optimize-shared-memory rewrites memref.alloc buffers in the
// workgroup address space; gpu-to-nvvm only places workgroup attributions
// in shared memory. This pass bridges the two.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQPROMOTESHAREDALLOCS
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;

namespace {

struct DaqPromoteSharedAllocsPass
    : daq::impl::DaqPromoteSharedAllocsBase<DaqPromoteSharedAllocsPass> {
  void runOnOperation() override {
    gpu::GPUFuncOp func = getOperation();
    if (!func.isKernel() || func.getBody().empty())
      return;
    SmallVector<memref::AllocOp> allocs;
    for (auto alloc : func.getBody().front().getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(type) &&
          type.hasStaticShape() && alloc.getDynamicSizes().empty() &&
          alloc.getSymbolOperands().empty())
        allocs.push_back(alloc);
    }
    for (memref::AllocOp alloc : allocs) {
      BlockArgument attribution =
          func.addWorkgroupAttribution(alloc.getType(), alloc.getLoc());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(attribution);
      alloc.erase();
    }
  }
};

} // namespace
