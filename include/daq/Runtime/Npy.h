//===- Npy.h - NumPy .npy arrays --------------------------------*- C++ -*-===//
//
// A minimal reader and writer for NumPy's .npy format, the exchange format of
// daq-run and of the JIT runner API: little-endian, C order, the element types
// daq's entry points take and return.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_NPY_H
#define DAQ_RUNTIME_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
namespace daq {

/// Element types of arrays the runtime exchanges. The names follow MLIR
/// (`f32`, `i8`, ...); `I1` is NumPy's `bool`, one byte (0 or 1) per element.
enum class DType : uint8_t { F32, F64, I8, I32, I64, I1 };

/// The MLIR spelling: "f32", "f64", "i8", "i32", "i64", "i1".
llvm::StringRef getDTypeName(DType dtype);
/// The NumPy `descr` written to .npy headers: "<f4", "<f8", "|i1", "<i4",
/// "<i8", "|b1".
llvm::StringRef getNpyDescr(DType dtype);
/// Bytes per element.
size_t getDTypeSize(DType dtype);

/// The DType of a C++ element type (float, double, int8_t, int32_t, int64_t,
/// bool).
template <typename T> constexpr DType getDTypeOf();
template <> constexpr DType getDTypeOf<float>() { return DType::F32; }
template <> constexpr DType getDTypeOf<double>() { return DType::F64; }
template <> constexpr DType getDTypeOf<int8_t>() { return DType::I8; }
template <> constexpr DType getDTypeOf<int32_t>() { return DType::I32; }
template <> constexpr DType getDTypeOf<int64_t>() { return DType::I64; }
template <> constexpr DType getDTypeOf<bool>() { return DType::I1; }

/// A dense array: element type, shape and the elements in C (row-major) order
/// as raw bytes in host byte order. A rank-0 array (empty shape) holds one
/// element; it is how scalars are passed to and returned from entry points.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  NpyArray() = default;
  /// A zero-filled array. Every dimension must be non-negative.
  NpyArray(DType dtype, llvm::ArrayRef<int64_t> shape);

  /// An array of `values` (whose count must match `shape`).
  template <typename T>
  static NpyArray get(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<T> values) {
    NpyArray array(getDTypeOf<T>(), shape);
    assert(static_cast<int64_t>(values.size()) == array.getNumElements() &&
           "value count does not match the shape");
    if (!values.empty())
      std::memcpy(array.data.data(), values.data(), array.data.size());
    return array;
  }
  /// A rank-0 array holding `value`.
  template <typename T> static NpyArray getScalar(T value) {
    return get<T>({}, llvm::ArrayRef<T>(value));
  }

  /// The elements, viewed as `T` (which must match `dtype`).
  template <typename T> llvm::ArrayRef<T> getValues() const {
    assert(getDTypeOf<T>() == dtype && "element type mismatch");
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(data.data()),
                             data.size() / sizeof(T));
  }

  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  /// The product of the dimensions (1 for rank 0). Undefined if it
  /// overflows; use computeNumElements to check untrusted shapes.
  int64_t getNumElements() const;
};

/// The element count of `shape`, or std::nullopt if a dimension is negative
/// or the count (or its size in bytes for `dtype`) overflows int64_t.
std::optional<int64_t> computeNumElements(llvm::ArrayRef<int64_t> shape,
                                          DType dtype);

/// Formats a shape the way NumPy prints it: "()", "(4,)", "(2, 3)";
/// ShapedType::kDynamic (any negative value) prints as "?".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Parses the bytes of a .npy file (format version 1.0 or 2.0). `name` (a file
/// name) prefixes every error message.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// Reads a .npy file.
llvm::Expected<NpyArray> readNpyFile(llvm::StringRef path);

/// Writes `array` in .npy format version 1.0 (C order, little-endian).
llvm::Error writeNpy(const NpyArray &array, llvm::raw_ostream &os);
/// Writes `array` to the file `path` (through a temporary file, so that a
/// failed write leaves no partial file).
llvm::Error writeNpyFile(const NpyArray &array, llvm::StringRef path);

} // namespace daq
} // namespace mlir

#endif // DAQ_RUNTIME_NPY_H
