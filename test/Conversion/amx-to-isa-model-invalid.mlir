// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-amx-to-isa-model

func.func @zext(%m: memref<16x64xi8>, %out: memref<16x16xi32>) {
  %c0 = arith.constant 0 : index
  %a = amx.tile_load %m[%c0, %c0] : memref<16x64xi8> into !amx.tile<16x64xi8>
  %c = amx.tile_zero : !amx.tile<16x16xi32>
  // expected-error @+1 {{'amx.tile_muli' op has zero-extended operands; only the signed tdpbssd is modelled (convert-amx-to-isa-model)}}
  %r = amx.tile_muli %a zext, %a, %c : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
  amx.tile_store %out[%c0, %c0], %r : memref<16x16xi32>, !amx.tile<16x16xi32>
  return
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

// -----

func.func @argument(%a: !amx.tile<16x64xi8>, %m: memref<16x16xi32>) {
  %c0 = arith.constant 0 : index
  %c = amx.tile_zero : !amx.tile<16x16xi32>
  // expected-error @+1 {{'amx.tile_muli' op uses a tile that no amx operation of this function defines (a function or block argument); convert-amx-to-isa-model only models tiles defined and used in one function}}
  %r = amx.tile_muli %a, %a, %c : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
  amx.tile_store %m[%c0, %c0], %r : memref<16x16xi32>, !amx.tile<16x16xi32>
  return
}

// -----

func.func @returned(%m: memref<16x64xi8>) -> !amx.tile<16x64xi8> {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'amx.tile_load' op has a tile result used by 'func.return'; convert-amx-to-isa-model only models tiles used by amx operations}}
  %a = amx.tile_load %m[%c0, %c0] : memref<16x64xi8> into !amx.tile<16x64xi8>
  return %a : !amx.tile<16x64xi8>
}
