//===- Numerics.h - Exact narrow floating-point conversions -----*- C++ -*-===//
//
// The bit-level numerics contract of fmc (see docs/architecture.md): every
// float -> narrow conversion rounds to nearest, ties to even. For the FP8
// formats (OCP: E4M3FN bias 7 max 448 no inf; E5M2 bias 15 max 57344 with inf)
// finite overflow and +-inf saturate to +-max and NaN stays NaN. bf16 and f16
// follow IEEE (overflow to inf). The interpreter, the compiled CPU code and
// the GPU code all produce exactly these bits.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_NUMERICS_H
#define FMRT_NUMERICS_H

#include <cstdint>

namespace fmrt {

uint8_t floatToE4M3(float value);
uint8_t floatToE5M2(float value);
float e4m3ToFloat(uint8_t bits);
float e5m2ToFloat(uint8_t bits);

uint16_t floatToBF16(float value);
float bf16ToFloat(uint16_t bits);

uint16_t floatToF16(float value);
float f16ToFloat(uint16_t bits);

/// Largest finite magnitudes.
inline constexpr float kE4M3Max = 448.0f;
inline constexpr float kE5M2Max = 57344.0f;

} // namespace fmrt

#endif // FMRT_NUMERICS_H
