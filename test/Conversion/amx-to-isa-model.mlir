// RUN: daq-opt %s --allow-unregistered-dialect --convert-amx-to-isa-model --cse | FileCheck %s

// Every tile value gets a 1 KiB buffer in the entry block; loads and stores
// pass the byte address of the indexed element (aligned pointer + (offset +
// indices . strides) * element bytes) and the byte stride between rows (the
// explicit stride, else the second-innermost one); tdpbssd passes its
// result, accumulator, lhs and rhs buffers and the (rows, colsb) of the
// accumulator, lhs and rhs tiles (16x64 bytes each here).
// CHECK-DAG: func.func private @daq_amx_model_tile_load(i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @daq_amx_model_tile_zero(i64, i64, i64)
// CHECK-DAG: func.func private @daq_amx_model_tdpbssd(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @daq_amx_model_tile_store(i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @tiles
// CHECK-SAME: (%[[A:.*]]: memref<32x64xi8>, %[[B:.*]]: memref<?xi8>, %[[C:.*]]: memref<16x16xi32>, %[[I:.*]]: index, %[[STRIDE:.*]]: index)
// CHECK-COUNT-4: memref.alloca() {alignment = 64 : i64} : memref<1024xi8>
// CHECK-NOT: memref.alloca
// CHECK: %{{.*}}, %[[OFF_A:.*]], %{{.*}}:2, %[[STRIDES_A:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[I]], %[[STRIDES_A]]#0
// CHECK-NEXT: %[[LIN0:.*]] = arith.addi %[[OFF_A]], %[[ROW]]
// CHECK-NEXT: %[[COL:.*]] = arith.muli %c0, %[[STRIDES_A]]#1
// CHECK-NEXT: %[[LIN_A:.*]] = arith.addi %[[LIN0]], %[[COL]]
// CHECK: %[[PTR_A:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK-NEXT: %[[BYTES_A:.*]] = arith.muli %[[LIN_A]], %c1
// CHECK-NEXT: %[[ADDR_A:.*]] = arith.addi %[[PTR_A]], %[[BYTES_A]]
// CHECK-NEXT: %[[ROWB_A:.*]] = arith.muli %[[STRIDES_A]]#0, %c1
// CHECK-NEXT: %[[ADDR_A64:.*]] = arith.index_cast %[[ADDR_A]] : index to i64
// CHECK-NEXT: %[[STRIDE_A64:.*]] = arith.index_cast %[[ROWB_A]] : index to i64
// CHECK: call @daq_amx_model_tile_load(%[[TA:.*]], %[[ADDR_A64]], %[[STRIDE_A64]], %c16_i64, %c64_i64)
// The explicit stride of a rank-1 base.
// CHECK: %[[ROWB_B:.*]] = arith.muli %[[STRIDE]], %c1
// CHECK: %[[STRIDE_B64:.*]] = arith.index_cast %[[ROWB_B]] : index to i64
// CHECK-NEXT: call @daq_amx_model_tile_load(%[[TB:.*]], %{{.*}}, %[[STRIDE_B64]], %c16_i64, %c64_i64)
// CHECK-NEXT: call @daq_amx_model_tile_zero(%[[TZ:.*]], %c16_i64, %c64_i64)
// CHECK-NEXT: call @daq_amx_model_tdpbssd(%[[TR:.*]], %[[TZ]], %[[TA]], %[[TB]], %c16_i64, %c64_i64, %c16_i64, %c64_i64, %c16_i64, %c64_i64)
// The i32 store: 4 bytes an element.
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}:2, %[[STRIDES_C:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK: %[[ROWB_C:.*]] = arith.muli %[[STRIDES_C]]#0, %c4
// CHECK: %[[STRIDE_C64:.*]] = arith.index_cast %[[ROWB_C]] : index to i64
// CHECK-NEXT: call @daq_amx_model_tile_store(%{{.*}}, %[[STRIDE_C64]], %[[TR]], %c16_i64, %c64_i64)
// CHECK: "test.unregistered"
// CHECK-NOT: amx.
func.func @tiles(%a: memref<32x64xi8>, %b: memref<?xi8>, %c: memref<16x16xi32>, %i: index, %stride: index) {
  %c0 = arith.constant 0 : index
  %ta = amx.tile_load %a[%i, %c0] : memref<32x64xi8> into !amx.tile<16x64xi8>
  %tb = amx.tile_load %b[%c0], %stride : memref<?xi8> into !amx.tile<16x64xi8>
  %z = amx.tile_zero : !amx.tile<16x16xi32>
  %r = amx.tile_muli %ta, %tb, %z : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
  amx.tile_store %c[%c0, %c0], %r : memref<16x16xi32>, !amx.tile<16x16xi32>
  // Other ops, registered or not, are left alone.
  "test.unregistered"(%i) : (index) -> ()
  return
}
