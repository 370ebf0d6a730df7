//===- QConvQuantize.h - the daq quantizer, scalar ---------------*- C++
//-*-===//
//
// daq.quantize with nearest-even rounding for one element, as
// convert-daq-to-linalg defines it (ScalarBuilder::quantize):
//
//   inv = (s == 0) ? 0 : 127 / s;  v = clamp(x, -s, s) * inv
//   q   = isnan(v) ? 0 : clamp(roundeven(v), -127, 127)
//
// with NaN-propagating clamps. Internal to the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_QCONVQUANTIZE_H
#define DAQ_LIB_CPUKERNELS_QCONVQUANTIZE_H

#include <cmath>
#include <cstdint>

namespace mlir::daq::cpu {

inline float quantizeInverse(float clip) {
  return clip == 0.0f ? 0.0f : 127.0f / clip;
}

/// `inverse` is quantizeInverse(clip). A NaN input or clip gives a NaN `v`
/// in the reference, hence code 0; otherwise the clamps cannot see a NaN
/// and only zero signs (which do not change the code) could differ.
inline int16_t quantizeOne(float x, float clip, float inverse) {
  if (std::isnan(x) || std::isnan(clip))
    return 0;
  float clamped = x < -clip ? -clip : x;
  clamped = clamped > clip ? clip : clamped;
  float v = clamped * inverse;
  if (std::isnan(v))
    return 0;
  float rounded = __builtin_roundevenf(v);
  rounded = rounded < -127.0f ? -127.0f : rounded;
  rounded = rounded > 127.0f ? 127.0f : rounded;
  return static_cast<int16_t>(rounded);
}

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_QCONVQUANTIZE_H
