//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//
//
// The format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//
//   "\x93NUMPY" major minor  header_len (u16 LE in 1.0, u32 LE in 2.0)
//   header: a Python dict literal {'descr': ..., 'fortran_order': ...,
//           'shape': (...), } padded with spaces and ending in '\n'
//   data:   the elements, in C order here
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>

using namespace mlir::daq;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static constexpr StringRef kMagic("\x93NUMPY", 6);

StringRef mlir::daq::getDTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I1:
    return "i1";
  }
  llvm_unreachable("unknown dtype");
}

StringRef mlir::daq::getNpyDescr(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I8:
    return "|i1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I1:
    return "|b1";
  }
  llvm_unreachable("unknown dtype");
}

size_t mlir::daq::getDTypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::I8:
  case DType::I1:
    return 1;
  }
  llvm_unreachable("unknown dtype");
}

std::optional<int64_t>
mlir::daq::computeNumElements(llvm::ArrayRef<int64_t> shape, DType dtype) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    if (llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  }
  int64_t bytes;
  if (llvm::MulOverflow(count, static_cast<int64_t>(getDTypeSize(dtype)),
                        bytes))
    return std::nullopt;
  return count;
}

NpyArray::NpyArray(DType dtype, llvm::ArrayRef<int64_t> shape)
    : dtype(dtype), shape(shape.begin(), shape.end()) {
  std::optional<int64_t> count = computeNumElements(shape, dtype);
  assert(count && "invalid shape");
  data.assign(static_cast<size_t>(*count) * getDTypeSize(dtype), 0);
}

int64_t NpyArray::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string mlir::daq::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string result = "(";
  llvm::raw_string_ostream os(result);
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (dim < 0)
      os << '?';
    else
      os << dim;
  });
  if (shape.size() == 1)
    os << ',';
  os << ')';
  return result;
}

/// Swaps every element between little-endian (the file) and the host byte
/// order; a no-op on little-endian hosts.
static void convertLittleEndian(std::vector<uint8_t> &data, DType dtype) {
  if (!llvm::sys::IsBigEndianHost)
    return;
  size_t size = getDTypeSize(dtype);
  for (size_t i = 0; i + size <= data.size(); i += size)
    std::reverse(data.begin() + i, data.begin() + i + size);
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {
/// A value of the header dict: a string, a bool, a tuple of integers, or
/// something else (a list, as in structured dtypes, or None).
struct HeaderValue {
  enum class Kind { String, Bool, IntTuple, Other } kind = Kind::Other;
  std::string string;
  bool boolean = false;
  std::vector<int64_t> ints;
};

/// Parses the Python literal NumPy writes (`repr` of a dict). The grammar is
/// the subset NumPy produces; anything else is reported as malformed rather
/// than guessed at.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : rest(text) {}

  /// Parses the whole dict; on failure returns false and sets `error`.
  bool parse(std::map<std::string, HeaderValue> &dict) {
    if (!consume('{'))
      return fail("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a string key");
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'");
      HeaderValue value;
      if (!parseValue(value))
        return false;
      if (!dict.emplace(key, std::move(value)).second)
        return fail("duplicate key '" + key + "'");
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail("expected ',' or '}'");
    }
    skipSpace();
    if (!rest.empty())
      return fail("unexpected text after the dict");
    return true;
  }

  std::string error;

private:
  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }

  bool consume(char c) {
    skipSpace();
    if (!rest.consume_front(StringRef(&c, 1)))
      return false;
    return true;
  }

  bool fail(const llvm::Twine &message) {
    if (error.empty())
      error = message.str();
    return false;
  }

  bool parseString(std::string &result) {
    skipSpace();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return false;
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == StringRef::npos)
      return false;
    StringRef body = rest.slice(1, end);
    // The keys and descrs NumPy writes never need escapes.
    if (body.contains('\\'))
      return false;
    result = body.str();
    rest = rest.drop_front(end + 1);
    return true;
  }

  bool parseInt(int64_t &result) {
    skipSpace();
    size_t length = rest.find_first_not_of("0123456789");
    if (length == 0)
      return false;
    if (length == StringRef::npos)
      length = rest.size();
    if (rest.take_front(length).getAsInteger(10, result))
      return false;
    rest = rest.drop_front(length);
    // Python 2 era files spell longs as `3L`.
    rest.consume_front("L");
    return true;
  }

  bool parseValue(HeaderValue &value) {
    skipSpace();
    if (rest.starts_with("'") || rest.starts_with("\"")) {
      value.kind = HeaderValue::Kind::String;
      if (!parseString(value.string))
        return fail("unterminated string");
      return true;
    }
    if (rest.consume_front("True")) {
      value.kind = HeaderValue::Kind::Bool;
      value.boolean = true;
      return true;
    }
    if (rest.consume_front("False")) {
      value.kind = HeaderValue::Kind::Bool;
      value.boolean = false;
      return true;
    }
    if (consume('(')) {
      value.kind = HeaderValue::Kind::IntTuple;
      while (true) {
        if (consume(')'))
          return true;
        int64_t dim;
        if (!parseInt(dim))
          return fail("expected a non-negative integer in the shape tuple");
        value.ints.push_back(dim);
        if (consume(','))
          continue;
        if (consume(')'))
          return true;
        return fail("expected ',' or ')' in the shape tuple");
      }
    }
    // Lists (structured dtypes) and other literals: skip to the matching
    // bracket so the caller can name the key in its error.
    value.kind = HeaderValue::Kind::Other;
    int depth = 0;
    while (!rest.empty()) {
      char c = rest.front();
      if (depth == 0 && (c == ',' || c == '}'))
        return true;
      if (c == '[' || c == '(' || c == '{')
        ++depth;
      else if (c == ']' || c == ')' || c == '}')
        --depth;
      rest = rest.drop_front();
    }
    return fail("unterminated value");
  }

  StringRef rest;
};
} // namespace

/// Maps a descr to a DType, or explains why it is not supported.
static Expected<DType> parseDescr(StringRef descr, StringRef name) {
  auto unsupported = [&]() {
    return llvm::createStringError(
        "%s: unsupported dtype '%s' (supported: <f4, <f8, |i1, <i4, <i8, |b1)",
        name.str().c_str(), descr.str().c_str());
  };
  if (descr.size() < 2)
    return unsupported();
  char order = descr.front();
  StringRef kind = descr.drop_front();
  std::optional<DType> dtype;
  if (kind == "f4")
    dtype = DType::F32;
  else if (kind == "f8")
    dtype = DType::F64;
  else if (kind == "i1")
    dtype = DType::I8;
  else if (kind == "i4")
    dtype = DType::I32;
  else if (kind == "i8")
    dtype = DType::I64;
  else if (kind == "b1")
    dtype = DType::I1;
  if (!dtype || !llvm::is_contained(StringRef("<>|="), order))
    return unsupported();
  // Byte order is meaningless for one-byte types; NumPy writes '|'.
  if (getDTypeSize(*dtype) == 1)
    return *dtype;
  if (order == '>')
    return llvm::createStringError(
        "%s: big-endian dtype '%s' is not supported (convert with "
        "array.astype(array.dtype.newbyteorder('<')))",
        name.str().c_str(), descr.str().c_str());
  // '=' (native) never appears in files NumPy writes; accepting it would
  // make the meaning of a file depend on the machine that wrote it.
  if (order != '<')
    return unsupported();
  return *dtype;
}

Expected<NpyArray> mlir::daq::parseNpy(StringRef bytes, StringRef name) {
  auto error = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   name + ": " + message);
  };
  if (!bytes.starts_with(kMagic))
    return error("not a .npy file (bad magic string)");
  if (bytes.size() < 8)
    return error("truncated .npy header");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  size_t lengthBytes;
  if (major == 1 && minor == 0)
    lengthBytes = 2;
  else if (major == 2 && minor == 0)
    lengthBytes = 4;
  else
    return error("unsupported .npy format version " + llvm::Twine(major) + "." +
                 llvm::Twine(minor) + " (supported: 1.0, 2.0)");
  if (bytes.size() < 8 + lengthBytes)
    return error("truncated .npy header");
  uint64_t headerLength =
      lengthBytes == 2 ? llvm::support::endian::read16le(bytes.data() + 8)
                       : llvm::support::endian::read32le(bytes.data() + 8);
  size_t headerStart = 8 + lengthBytes;
  if (bytes.size() - headerStart < headerLength)
    return error("truncated .npy header: it declares " +
                 llvm::Twine(headerLength) + " bytes, the file has " +
                 llvm::Twine(bytes.size() - headerStart));
  StringRef header = bytes.substr(headerStart, headerLength);

  std::map<std::string, HeaderValue> dict;
  HeaderParser parser(header);
  if (!parser.parse(dict))
    return error("malformed .npy header: " + parser.error);
  auto lookup = [&](StringRef key, HeaderValue::Kind kind,
                    StringRef what) -> Expected<const HeaderValue *> {
    auto it = dict.find(key.str());
    if (it == dict.end())
      return error("malformed .npy header: no '" + key + "' key");
    if (it->second.kind != kind)
      return error("malformed .npy header: '" + key + "' is not " + what);
    return &it->second;
  };

  auto descrIt = dict.find("descr");
  if (descrIt != dict.end() && descrIt->second.kind == HeaderValue::Kind::Other)
    return error("unsupported dtype (structured arrays are not supported)");
  Expected<const HeaderValue *> descr =
      lookup("descr", HeaderValue::Kind::String, "a string");
  if (!descr)
    return descr.takeError();
  Expected<const HeaderValue *> fortranOrder =
      lookup("fortran_order", HeaderValue::Kind::Bool, "True or False");
  if (!fortranOrder)
    return fortranOrder.takeError();
  Expected<const HeaderValue *> shape =
      lookup("shape", HeaderValue::Kind::IntTuple, "a tuple of integers");
  if (!shape)
    return shape.takeError();

  Expected<DType> dtype = parseDescr((*descr)->string, name);
  if (!dtype)
    return dtype.takeError();
  if ((*fortranOrder)->boolean)
    return error("Fortran-order arrays are not supported (save a C-order "
                 "array, e.g. numpy.ascontiguousarray(a))");

  std::optional<int64_t> count = computeNumElements((*shape)->ints, *dtype);
  if (!count)
    return error("shape " + formatShape((*shape)->ints) + " is too large");
  uint64_t dataBytes = static_cast<uint64_t>(*count) * getDTypeSize(*dtype);
  StringRef payload = bytes.drop_front(headerStart + headerLength);
  if (payload.size() < dataBytes)
    return error("truncated data: shape " + formatShape((*shape)->ints) +
                 " of " + getDTypeName(*dtype) + " needs " +
                 llvm::Twine(dataBytes) + " bytes, the file has " +
                 llvm::Twine(payload.size()));
  if (payload.size() > dataBytes)
    return error(llvm::Twine(payload.size() - dataBytes) +
                 " unexpected bytes after the array data");

  NpyArray array;
  array.dtype = *dtype;
  array.shape = (*shape)->ints;
  array.data.assign(payload.bytes_begin(), payload.bytes_end());
  convertLittleEndian(array.data, array.dtype);
  // Code compiled for i1 assumes every byte is 0 or 1; NumPy reads any
  // non-zero byte as True, so do the same.
  if (array.dtype == DType::I1)
    for (uint8_t &byte : array.data)
      byte = byte != 0;
  return array;
}

Expected<NpyArray> mlir::daq::readNpyFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (std::error_code ec = buffer.getError())
    return llvm::createStringError(ec, "%s: cannot read: %s",
                                   path.str().c_str(), ec.message().c_str());
  return parseNpy((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

Error mlir::daq::writeNpy(const NpyArray &array, llvm::raw_ostream &os) {
  std::optional<int64_t> count = computeNumElements(array.shape, array.dtype);
  if (!count || static_cast<uint64_t>(*count) * getDTypeSize(array.dtype) !=
                    array.data.size())
    return llvm::createStringError(
        "cannot write an array of shape %s and dtype %s from %zu bytes",
        formatShape(array.shape).c_str(),
        getDTypeName(array.dtype).str().c_str(), array.data.size());

  std::string header =
      "{'descr': '" + getNpyDescr(array.dtype).str() +
      "', 'fortran_order': False, 'shape': " + formatShape(array.shape) + ", }";
  // NumPy pads the preamble (magic, version, length, header) to a multiple of
  // 64 bytes so that the data is aligned for memory mapping.
  size_t preamble = kMagic.size() + 2 + 2;
  size_t unpadded = preamble + header.size() + 1;
  header.append(llvm::alignTo(unpadded, 64) - unpadded, ' ');
  header.push_back('\n');
  if (header.size() > UINT16_MAX)
    return llvm::createStringError(
        "the .npy header of shape %s does not fit format version 1.0",
        formatShape(array.shape).c_str());

  os << kMagic;
  os << '\x01' << '\x00';
  char length[2];
  llvm::support::endian::write16le(length,
                                   static_cast<uint16_t>(header.size()));
  os.write(length, 2);
  os << header;
  if (llvm::sys::IsBigEndianHost) {
    std::vector<uint8_t> swapped = array.data;
    convertLittleEndian(swapped, array.dtype);
    os.write(reinterpret_cast<const char *>(swapped.data()), swapped.size());
  } else {
    os.write(reinterpret_cast<const char *>(array.data.data()),
             array.data.size());
  }
  return Error::success();
}

Error mlir::daq::writeNpyFile(const NpyArray &array, StringRef path) {
  Error error = llvm::writeToOutput(
      path, [&](llvm::raw_ostream &os) { return writeNpy(array, os); });
  if (!error)
    return Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      path + ": cannot write: " + llvm::toString(std::move(error)));
}
