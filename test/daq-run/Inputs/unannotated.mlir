// Already in the LLVM dialect, but not lowered by daq-cpu-pipeline: no
// daq.signature, no C wrapper.
llvm.func @f(%a: i64) -> i64 {
  llvm.return %a : i64
}
