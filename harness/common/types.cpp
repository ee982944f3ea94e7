// SPDX-License-Identifier: MIT
// The one table of names of each enumeration of gradcheck/types.hpp.
#include "gradcheck/types.hpp"

#include <fmt/format.h>

#include <utility>

namespace gradcheck {
namespace {

template <class E>
struct Table;  // Table<E>::entries: {value, name}, in the order messages and docs list them

template <>
struct Table<Layout> {
  static constexpr std::pair<Layout, const char*> entries[] = {{Layout::kDenominator, "denominator"},
                                                               {Layout::kNumerator, "numerator"}};
};
template <>
struct Table<Form> {
  static constexpr std::pair<Form, const char*> entries[] = {
      {Form::kAuto, "auto"}, {Form::kVec, "vec"}, {Form::kIndex, "index"}, {Form::kHvp, "hvp"}};
};
template <>
struct Table<VecOrder> {
  static constexpr std::pair<VecOrder, const char*> entries[] = {{VecOrder::kColumnMajor, "column-major"},
                                                                 {VecOrder::kRowMajor, "row-major"}};
};
template <>
struct Table<Structure> {
  static constexpr std::pair<Structure, const char*> entries[] = {{Structure::kNone, "none"},
                                                                  {Structure::kSymmetric, "symmetric"}};
};
template <>
struct Table<StorageOrder> {
  static constexpr std::pair<StorageOrder, const char*> entries[] = {{StorageOrder::kColumnMajor, "column-major"},
                                                                     {StorageOrder::kRowMajor, "row-major"}};
};
template <>
struct Table<Precision> {
  static constexpr std::pair<Precision, const char*> entries[] = {
      {Precision::kAuto, "auto"}, {Precision::kDouble, "double"}, {Precision::kSingle, "single"}};
};
template <>
struct Table<Mode> {
  static constexpr std::pair<Mode, const char*> entries[] = {{Mode::kEntrywise, "entrywise"},
                                                             {Mode::kDirectional, "directional"}};
};
template <>
struct Table<FdMethod> {
  static constexpr std::pair<FdMethod, const char*> entries[] = {{FdMethod::kCentral, "central"},
                                                                 {FdMethod::kForward, "forward"},
                                                                 {FdMethod::kBackward, "backward"},
                                                                 {FdMethod::kRichardson, "richardson"},
                                                                 {FdMethod::kRidders, "ridders"}};
};
template <>
struct Table<ReferenceMethod> {
  static constexpr std::pair<ReferenceMethod, const char*> entries[] = {
      {ReferenceMethod::kFd, "fd"}, {ReferenceMethod::kComplexStep, "complex-step"}, {ReferenceMethod::kSymbolic, "symbolic"}};
};
template <>
struct Table<Status> {
  static constexpr std::pair<Status, const char*> entries[] = {
      {Status::kPass, "pass"},   {Status::kFail, "fail"},   {Status::kError, "error"},
      {Status::kXfail, "xfail"}, {Status::kXpass, "xpass"}, {Status::kInconclusive, "inconclusive"}};
};

template <class E>
std::string name_of(E value) {
  for (const auto& [v, name] : Table<E>::entries)
    if (v == value) return name;
  return "?";
}

template <class E>
bool parse_name(const std::string& name, E* out) {
  for (const auto& [v, n] : Table<E>::entries) {
    if (name == n) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

template <class E>
std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& entry : Table<E>::entries) out.emplace_back(entry.second);
  return out;
}

#define GRADCHECK_ENUM_NAMES(E)                                                          \
  std::string to_string(E value) { return name_of(value); }                              \
  bool parse(const std::string& name, E* out) { return parse_name(name, out); }          \
  template std::vector<std::string> names<E>();
GRADCHECK_ENUM_NAMES(Layout)
GRADCHECK_ENUM_NAMES(Form)
GRADCHECK_ENUM_NAMES(VecOrder)
GRADCHECK_ENUM_NAMES(Structure)
GRADCHECK_ENUM_NAMES(StorageOrder)
GRADCHECK_ENUM_NAMES(Precision)
GRADCHECK_ENUM_NAMES(Mode)
GRADCHECK_ENUM_NAMES(FdMethod)
GRADCHECK_ENUM_NAMES(ReferenceMethod)
GRADCHECK_ENUM_NAMES(Status)
#undef GRADCHECK_ENUM_NAMES

std::string Location::str() const {
  if (file.empty()) return "<command line>";
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

}  // namespace gradcheck
