// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-amx-to-isa-model

func.func @zext(%a: !amx.tile<16x64xi8>, %b: !amx.tile<16x64xi8>, %c: !amx.tile<16x16xi32>) -> !amx.tile<16x16xi32> {
  // expected-error @+1 {{'amx.tile_muli' op has zero-extended operands; only the signed tdpbssd is modelled (convert-amx-to-isa-model)}}
  %r = amx.tile_muli %a zext, %b, %c : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
  return %r : !amx.tile<16x16xi32>
}

// -----

func.func @bf16(%m: memref<16x32xbf16>) {
  %c0 = arith.constant 0 : index
  %a = amx.tile_load %m[%c0, %c0] : memref<16x32xbf16> into !amx.tile<16x32xbf16>
  %c = amx.tile_zero : !amx.tile<16x16xf32>
  // expected-error @+1 {{'amx.tile_mulf' op is not modelled; only the signed tdpbssd, tile loads, stores and zeroing are (convert-amx-to-isa-model)}}
  %r = amx.tile_mulf %a, %a, %c : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
  return
}
