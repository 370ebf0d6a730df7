//===- DaqAttrs.cpp - daq attributes
//---------------------------------------===//

#include "daq/IR/Daq.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::daq;

#include "daq/IR/DaqAttrInterfaces.cpp.inc"
#include "daq/IR/DaqEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "daq/IR/DaqAttrs.cpp.inc"

void DaqDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "daq/IR/DaqAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Keyword lists: `#daq.name` or `#daq.name<key = value, ...>`
//===----------------------------------------------------------------------===//

/// Parses an optional `<key = value, ...>` list in which every key may appear
/// at most once and in any order; `parseValue` parses the value of `key` and
/// fails on unknown keys.
static ParseResult parseOptionalKeywordList(
    AsmParser &parser,
    llvm::function_ref<ParseResult(StringRef key, SMLoc keyLoc)> parseValue) {
  if (failed(parser.parseOptionalLess()))
    return success();
  llvm::SmallVector<std::string> seen;
  auto parseEntry = [&]() -> ParseResult {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return failure();
    if (llvm::is_contained(seen, key))
      return parser.emitError(keyLoc, "duplicate parameter '") << key << "'";
    seen.push_back(key.str());
    return parseValue(key, keyLoc);
  };
  if (failed(parser.parseOptionalGreater()) &&
      (parser.parseCommaSeparatedList(parseEntry) || parser.parseGreater()))
    return failure();
  return success();
}

/// Prints the entries of a keyword list that differ from their defaults.
static void printKeywordList(
    AsmPrinter &printer,
    ArrayRef<std::pair<StringRef, std::function<void()>>> nonDefault) {
  if (nonDefault.empty())
    return;
  printer << "<";
  llvm::interleaveComma(nonDefault, printer, [&](const auto &entry) {
    printer << entry.first << " = ";
    entry.second();
  });
  printer << ">";
}

static ParseResult parseDouble(AsmParser &parser, APFloat &value) {
  double parsed;
  if (parser.parseFloat(parsed))
    return failure();
  value = APFloat(parsed);
  return success();
}

//===----------------------------------------------------------------------===//
// Clip strategies
//===----------------------------------------------------------------------===//

FailureOr<DenseF32ArrayAttr> mlir::daq::parseF32List(AsmParser &parser) {
  SmallVector<float> values;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        APFloat value(0.0f);
        if (parser.parseFloat(APFloat::IEEEsingle(), value))
          return failure();
        values.push_back(value.convertToFloat());
        return success();
      }))
    return failure();
  return DenseF32ArrayAttr::get(parser.getContext(), values);
}

void mlir::daq::printF32List(AsmPrinter &printer, DenseF32ArrayAttr values) {
  printer << '[';
  llvm::interleaveComma(values.asArrayRef(), printer, [&](float value) {
    printer.printFloat(APFloat(value));
  });
  printer << ']';
}

Attribute McsClipAttr::parse(AsmParser &parser, Type) {
  APFloat lambda(kDefaultLambda), k(kDefaultK), a(kDefaultA);
  SMLoc loc = parser.getCurrentLocation();
  if (parseOptionalKeywordList(parser, [&](StringRef key, SMLoc keyLoc) {
        if (key == "lambda")
          return parseDouble(parser, lambda);
        if (key == "k")
          return parseDouble(parser, k);
        if (key == "a")
          return parseDouble(parser, a);
        return ParseResult(parser.emitError(keyLoc)
                           << "unknown MCS parameter '" << key
                           << "', expected 'lambda', 'k' or 'a'");
      }))
    return {};
  return parser.getChecked<McsClipAttr>(loc, parser.getContext(), lambda, k, a);
}

void McsClipAttr::print(AsmPrinter &printer) const {
  SmallVector<std::pair<StringRef, std::function<void()>>> entries;
  auto add = [&](StringRef key, APFloat value, double defaultValue) {
    if (value.convertToDouble() != defaultValue)
      entries.push_back(
          {key, [&printer, value] { printer.printFloat(value); }});
  };
  add("lambda", getLambda(), kDefaultLambda);
  add("k", getK(), kDefaultK);
  add("a", getA(), kDefaultA);
  printKeywordList(printer, entries);
}

LogicalResult McsClipAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat lambda, APFloat k, APFloat a) {
  double lambdaValue = lambda.convertToDouble();
  double kValue = k.convertToDouble();
  double aValue = a.convertToDouble();
  if (!(lambdaValue > 0.0 && lambdaValue < 1.0))
    return emitError() << "MCS lambda must be in (0, 1), got " << lambdaValue;
  if (!(aValue > 0.0 && aValue <= 1.0))
    return emitError() << "MCS coefficient A must be in (0, 1], got " << aValue;
  if (!(kValue >= 0.0 && kValue * aValue <= 1.0))
    return emitError() << "MCS coefficient k must satisfy k >= 0 and k * A <= "
                          "1 (the update may not extrapolate), got k = "
                       << kValue << " with A = " << aValue;
  return success();
}

bool McsClipAttr::isStateful() const { return true; }

LogicalResult
StaticClipAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       DenseF32ArrayAttr channels, FloatAttr tensor) {
  if (!channels || channels.empty())
    return emitError() << "static clip needs at least one channel value";
  auto isValidClip = [](double value) {
    return std::isfinite(value) && value > 0.0;
  };
  for (auto [index, value] : llvm::enumerate(channels.asArrayRef()))
    if (!isValidClip(value))
      return emitError() << "static clip values must be positive and finite, "
                            "got "
                         << value << " for channel " << index;
  if (!tensor || !tensor.getType().isF32())
    return emitError() << "static per-tensor clip must be an f32 value";
  if (!isValidClip(tensor.getValueAsDouble()))
    return emitError() << "static clip values must be positive and finite, "
                          "got "
                       << tensor.getValueAsDouble() << " for the tensor";
  return success();
}

LogicalResult
StaticClipAttr::verifyChannelCount(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t channels) const {
  if (ShapedType::isDynamic(channels) || getChannels().size() == channels)
    return success();
  return emitError() << "static clip has " << getChannels().size()
                     << " channel values but the gradient has " << channels
                     << " channels";
}

Attribute DsgcClipAttr::parse(AsmParser &parser, Type) {
  int64_t candidates = kDefaultCandidates;
  APFloat minRatio(kDefaultMinRatio);
  SMLoc loc = parser.getCurrentLocation();
  if (parseOptionalKeywordList(parser, [&](StringRef key, SMLoc keyLoc) {
        if (key == "candidates")
          return parser.parseInteger(candidates);
        if (key == "min_ratio")
          return parseDouble(parser, minRatio);
        return ParseResult(parser.emitError(keyLoc)
                           << "unknown DSGC parameter '" << key
                           << "', expected 'candidates' or 'min_ratio'");
      }))
    return {};
  return parser.getChecked<DsgcClipAttr>(loc, parser.getContext(), candidates,
                                         minRatio);
}

void DsgcClipAttr::print(AsmPrinter &printer) const {
  SmallVector<std::pair<StringRef, std::function<void()>>> entries;
  int64_t candidates = getCandidates();
  if (candidates != kDefaultCandidates)
    entries.push_back(
        {"candidates", [&printer, candidates] { printer << candidates; }});
  APFloat minRatio = getMinRatio();
  if (minRatio.convertToDouble() != kDefaultMinRatio)
    entries.push_back(
        {"min_ratio", [&printer, minRatio] { printer.printFloat(minRatio); }});
  printKeywordList(printer, entries);
}

LogicalResult DsgcClipAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t candidates, APFloat minRatio) {
  constexpr int64_t kMaxCandidates = 4096;
  if (candidates < 2 || candidates > kMaxCandidates)
    return emitError() << "DSGC needs between 2 and " << kMaxCandidates
                       << " candidate clips, got " << candidates;
  double ratio = minRatio.convertToDouble();
  if (!(ratio > 0.0 && ratio < 1.0))
    return emitError() << "DSGC min_ratio must be in (0, 1), got " << ratio;
  return success();
}

//===----------------------------------------------------------------------===//
// Rounding and granularity
//===----------------------------------------------------------------------===//

LogicalResult RoundingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   RoundingKind kind,
                                   std::optional<int64_t> seed) {
  if (seed && *seed < 0)
    return emitError() << "stochastic rounding seed must be non-negative, got "
                       << *seed;
  if (kind == RoundingKind::Stochastic && !seed)
    return emitError() << "stochastic rounding needs a seed";
  if (kind != RoundingKind::Stochastic && seed)
    return emitError() << "only stochastic rounding takes a seed";
  return success();
}

Attribute GranularityAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  std::optional<int64_t> axis;
  if (succeeded(parser.parseOptionalKeyword("per_axis"))) {
    int64_t value;
    if (parser.parseEqual() || parser.parseInteger(value))
      return {};
    axis = value;
  } else if (failed(parser.parseOptionalKeyword("per_tensor"))) {
    parser.emitError(parser.getCurrentLocation(),
                     "expected 'per_tensor' or 'per_axis = <axis>'");
    return {};
  }
  if (parser.parseGreater())
    return {};
  return GranularityAttr::get(parser.getContext(), axis);
}

void GranularityAttr::print(AsmPrinter &printer) const {
  if (std::optional<int64_t> axis = getAxis())
    printer << "<per_axis = " << *axis << ">";
  else
    printer << "<per_tensor>";
}

//===----------------------------------------------------------------------===//
// Convolution configuration
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>> mlir::daq::parseIntList(AsmParser &parser) {
  SmallVector<int64_t> values;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        return parser.parseInteger(values.emplace_back());
      }))
    return failure();
  return values;
}

void mlir::daq::printIntList(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

LogicalResult ConvAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ConvLayout, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding,
                               ArrayRef<int64_t> dilations, int64_t groups) {
  auto checkField = [&](StringRef name, ArrayRef<int64_t> values,
                        size_t expectedSize, int64_t minimum) -> LogicalResult {
    if (values.empty())
      return success();
    if (values.size() != expectedSize)
      return emitError() << "convolution " << name << " must have "
                         << expectedSize << " values, got " << values.size();
    if (llvm::any_of(values, [&](int64_t v) { return v < minimum; }))
      return emitError() << "convolution " << name << " must be "
                         << (minimum > 0 ? "positive" : "non-negative");
    return success();
  };
  // Bounded so that the verifiers' size arithmetic cannot overflow.
  constexpr int64_t kMaxValue = int64_t(1) << 24;
  for (ArrayRef<int64_t> values : {strides, padding, dilations})
    if (llvm::any_of(values, [&](int64_t v) { return v > kMaxValue; }))
      return emitError() << "convolution strides, padding and dilations must "
                            "be at most "
                         << kMaxValue;
  if (failed(checkField("strides", strides, 2, 1)) ||
      failed(checkField("dilations", dilations, 2, 1)) ||
      failed(checkField("padding [top, left, bottom, right]", padding, 4, 0)))
    return failure();
  if (groups < 1)
    return emitError() << "convolution groups must be positive, got " << groups;
  return success();
}

int64_t ConvAttr::getStride(unsigned dim) const {
  return getStrides().empty() ? 1 : getStrides()[dim];
}

int64_t ConvAttr::getDilation(unsigned dim) const {
  return getDilations().empty() ? 1 : getDilations()[dim];
}

int64_t ConvAttr::getPadLow(unsigned dim) const {
  return getPadding().empty() ? 0 : getPadding()[dim];
}

int64_t ConvAttr::getPadHigh(unsigned dim) const {
  return getPadding().empty() ? 0 : getPadding()[2 + dim];
}
