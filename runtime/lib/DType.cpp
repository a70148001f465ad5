//===- DType.cpp - Element types of host tensors --------------------------===//

#include "fmrt/DType.h"

namespace fmrt {

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t size;
};

// One row per enumerator, in declaration order, so the tables cannot drift.
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f32", 4},
    {DType::F64, "f64", 8},
    {DType::F16, "f16", 2},
    {DType::BF16, "bf16", 2},
    {DType::F8E4M3FN, "f8E4M3FN", 1},
    {DType::F8E5M2, "f8E5M2", 1},
    {DType::I32, "i32", 4},
    {DType::I64, "i64", 8},
    {DType::I1, "i1", 1},
};

constexpr bool tableMatchesEnum() {
  size_t i = 0;
  for (const DTypeInfo &entry : kDTypes)
    if (static_cast<size_t>(entry.type) != i++)
      return false;
  return i == static_cast<size_t>(DType::I1) + 1;
}
static_assert(tableMatchesEnum(), "kDTypes must list every DType in order");

const DTypeInfo &info(DType type) { return kDTypes[static_cast<size_t>(type)]; }
} // namespace

size_t dtypeSize(DType type) { return info(type).size; }

bool isFloat(DType type) {
  switch (type) {
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::BF16:
  case DType::F8E4M3FN:
  case DType::F8E5M2:
    return true;
  case DType::I32:
  case DType::I64:
  case DType::I1:
    return false;
  }
  return false;
}

bool isInteger(DType type) { return type == DType::I32 || type == DType::I64; }

std::string_view dtypeName(DType type) { return info(type).name; }

std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &entry : kDTypes)
    if (entry.name == name)
      return entry.type;
  return std::nullopt;
}

} // namespace fmrt
