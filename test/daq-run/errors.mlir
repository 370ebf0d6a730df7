// Every error is `daq-run: error: ...` on stderr with exit code 1, never a
// crash; messages name the function, the input and what was expected.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/f32.npy f32 4 1
// RUN: %python %S/Inputs/gen_npy.py %t/f32x5.npy f32 5 1
// RUN: %python %S/Inputs/gen_npy.py %t/f32x2x4.npy f32 2x4 1
// RUN: %python %S/Inputs/gen_npy.py %t/i8.npy i8 4 1
// RUN: %python %S/Inputs/gen_npy.py %t/i64.npy i64 scalar 1
// RUN: %python %S/Inputs/gen_npy.py %t/i64x1.npy i64 1 1
// RUN: %python %S/Inputs/gen_npy.py %t/f32s.npy f32 scalar 1
// RUN: %python %S/Inputs/gen_npy.py %t/fortran.npy f32 2x3 1 --fortran
// RUN: %python %S/Inputs/gen_npy.py %t/big.npy f32 4 1 --big-endian
// RUN: %python %S/Inputs/bad_npy.py magic %t/magic.npy
// RUN: %python %S/Inputs/bad_npy.py truncated-data %t/truncated-data.npy
// RUN: %python %S/Inputs/bad_npy.py truncated-header %t/truncated-header.npy
// RUN: %python %S/Inputs/bad_npy.py dtype %t/f16.npy
// RUN: %python %S/Inputs/bad_npy.py version %t/v3.npy
// RUN: %python %S/Inputs/bad_npy.py trailing %t/trailing.npy
// RUN: %python %S/Inputs/bad_npy.py header %t/header.npy

// Functions.
// RUN: not daq-run %s -e missing --input=%t/f32.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: daq-run: error: no function named 'missing' in the module (entry points: add, step, dyn_in, dyn)
// RUN: not daq-run %s -e helper --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=PRIVATE
// PRIVATE: daq-run: error: function 'helper' is private; only public functions are entry points
// RUN: not daq-run %s -e dyn --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=DYNRESULT
// DYNRESULT: daq-run: error: function 'dyn' cannot be invoked: result 0 (tensor<?xf32>) has a dynamic shape; dynamic result shapes are not supported
// RUN: not daq-run %S/Inputs/unannotated.mlir -e f --input=%t/i64.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=UNANNOTATED
// UNANNOTATED: daq-run: error: function 'f' has no 'daq.signature' attribute: the module must be lowered with daq-cpu-pipeline (daq-opt --daq-cpu-pipeline), which annotates every public function

// Inputs.
// RUN: not daq-run %s -e add --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=FEWER
// FEWER: daq-run: error: function 'add' takes 2 inputs, got 1
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/f32.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=MORE
// MORE: daq-run: error: function 'add' takes 2 inputs, got 3
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/i8.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: daq-run: error: function 'add': input 1 (tensor<4xf32>): expected dtype f32, got i8
// RUN: not daq-run %s -e add --input=%t/f32x5.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: daq-run: error: function 'add': input 0 (tensor<4xf32>): expected shape (4,), got (5,)
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/f32x2x4.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: daq-run: error: function 'add': input 1 (tensor<4xf32>): expected shape (4,), got (2, 4)
// RUN: not daq-run %s -e dyn_in --input=%t/f32x2x4.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=DYNSHAPE
// DYNSHAPE: daq-run: error: function 'dyn_in': input 0 (tensor<?x3xf32>): expected shape (?, 3), got (2, 4)
// RUN: not daq-run %s -e step --input=%t/f32.npy --input=%t/i64x1.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: daq-run: error: function 'step': input 1 (i64): expected a 0-d array for the scalar, got shape (1,)
// RUN: not daq-run %s -e step --input=%t/f32.npy --input=%t/f32s.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=SCALARDTYPE
// SCALARDTYPE: daq-run: error: function 'step': input 1 (i64): expected dtype i64, got f32

// Outputs.
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/f32.npy 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: daq-run: error: function 'add' has 1 result but 0 --output files were given
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/f32.npy --output=%t/o1.npy --output=%t/o2.npy 2>&1 | FileCheck %s --check-prefix=TWOOUT
// TWOOUT: daq-run: error: function 'add' has 1 result but 2 --output files were given
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/f32.npy --output=%t/no-such-dir/o.npy 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: daq-run: error: {{.*}}no-such-dir{{/|\\}}o.npy: cannot write: {{.*}}

// .npy files.
// RUN: not daq-run %s -e add --input=%t/f32.npy --input=%t/nope.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: daq-run: error: {{.*}}nope.npy: cannot read: {{[Nn]}}o such file or directory
// RUN: not daq-run %s -e add --input=%t/magic.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=MAGIC
// MAGIC: daq-run: error: {{.*}}magic.npy: not a .npy file (bad magic string)
// RUN: not daq-run %s -e add --input=%t/truncated-data.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=TRUNCDATA
// TRUNCDATA: daq-run: error: {{.*}}truncated-data.npy: truncated data: shape (2, 3) of f32 needs 24 bytes, the file has 19
// RUN: not daq-run %s -e add --input=%t/truncated-header.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=TRUNCHEADER
// TRUNCHEADER: daq-run: error: {{.*}}truncated-header.npy: truncated .npy header: it declares 118 bytes, the file has 10
// RUN: not daq-run %s -e add --input=%t/f16.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=F16
// F16: daq-run: error: {{.*}}f16.npy: unsupported dtype '<f2' (supported: <f4, <f8, |i1, <i4, <i8, |b1)
// RUN: not daq-run %s -e add --input=%t/v3.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=VERSION
// VERSION: daq-run: error: {{.*}}v3.npy: unsupported .npy format version 3.0 (supported: 1.0, 2.0)
// RUN: not daq-run %s -e add --input=%t/trailing.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=TRAILING
// TRAILING: daq-run: error: {{.*}}trailing.npy: 5 unexpected bytes after the array data
// RUN: not daq-run %s -e add --input=%t/header.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=HEADER
// HEADER: daq-run: error: {{.*}}header.npy: malformed .npy header: expected '{'
// RUN: not daq-run %s -e add --input=%t/fortran.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: daq-run: error: {{.*}}fortran.npy: Fortran-order arrays are not supported (save a C-order array, e.g. numpy.ascontiguousarray(a))
// RUN: not daq-run %s -e add --input=%t/big.npy --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=BIGENDIAN
// BIGENDIAN: daq-run: error: {{.*}}big.npy: big-endian dtype '>f4' is not supported

// Modules.
// RUN: not daq-run %S/Inputs/invalid.mlir -e f --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=INVALID
// INVALID: daq-run: error: '{{.*}}invalid.mlir' is not a valid module:
// INVALID-NEXT: {{.*}}invalid.mlir:3:3: error: type of return operand 0 ('tensor<4xf32>') doesn't match function result type ('tensor<5xf32>')
// RUN: not daq-run %S/Inputs/unparsable.mlir -e f --input=%t/f32.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=UNPARSABLE
// UNPARSABLE: daq-run: error: '{{.*}}unparsable.mlir' is not a valid module:
// UNPARSABLE-NEXT: {{.*}}unparsable.mlir:2:12: error: expected ':'
// RUN: not daq-run %t/nope.mlir -e f 2>&1 | FileCheck %s --check-prefix=NOMLIR
// NOMLIR: daq-run: error: cannot open input file '{{.*}}nope.mlir': {{[Nn]}}o such file or directory

// Command line.
// RUN: daq-run --help | FileCheck %s --check-prefix=HELP
// HELP: USAGE: daq-run [options] <module.mlir>
// HELP-DAG: -e <function>
// HELP-DAG: --input=<file.npy>
// HELP-DAG: --output=<file.npy>
// RUN: not daq-run %s 2>&1 | FileCheck %s --check-prefix=NOENTRY
// NOENTRY: daq-run: for the -e option: must be specified at least once!

func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %sum = linalg.add ins(%a, %b : tensor<4xf32>, tensor<4xf32>)
                    outs(%init : tensor<4xf32>) -> tensor<4xf32>
  return %sum : tensor<4xf32>
}

#id = affine_map<(i) -> (i)>
func.func @step(%x: tensor<4xf32>, %t: i64) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %tf = arith.sitofp %t : i64 to f32
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %tf : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @dyn_in(%x: tensor<?x3xf32>) -> tensor<3xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce ins(%x : tensor<?x3xf32>) outs(%init : tensor<3xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %next = arith.addf %in, %acc : f32
      linalg.yield %next : f32
    }
  return %sum : tensor<3xf32>
}

func.func @dyn(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
