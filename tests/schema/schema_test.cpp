// SPDX-License-Identifier: MIT
// schema/case.schema.json against gradcheck's own tables of names: every name gradcheck accepts
// is in the schema (a name added to a table must be appended to the schema too).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "gradcheck/types.hpp"

namespace gradcheck {
namespace {

const nlohmann::json& schema() {
  static const nlohmann::json s = [] {
    std::ifstream in(std::string(GRADCHECK_SOURCE_DIR) + "/schema/case.schema.json");
    return nlohmann::json::parse(in);
  }();
  return s;
}

std::vector<std::string> schema_enum(const std::string& pointer) {
  return schema().at(nlohmann::json::json_pointer(pointer)).get<std::vector<std::string>>();
}

void expect_subset(const std::vector<std::string>& names, const std::string& pointer) {
  const std::vector<std::string> listed = schema_enum(pointer);
  for (const std::string& n : names)
    EXPECT_NE(std::find(listed.begin(), listed.end(), n), listed.end()) << "\"" << n << "\" is missing from " << pointer;
}

TEST(Schema, ListsEveryNameOfGradchecksTables) {
  expect_subset(names<Layout>(), "/$defs/check/properties/layout/enum");
  expect_subset(names<Form>(), "/$defs/check/properties/form/enum");
  expect_subset(names<VecOrder>(), "/$defs/check/properties/order/enum");
  expect_subset(names<Structure>(), "/$defs/variable/properties/structure/enum");
  expect_subset(names<FdMethod>(), "/$defs/fd/properties/method/enum");
  expect_subset(names<ReferenceMethod>(), "/$defs/reference/enum");
  expect_subset(names<Precision>(), "/$defs/precision/enum");
}

TEST(Schema, EveryObjectDescribesItsFields) {
  for (const auto& [name, def] : schema().at("$defs").items()) {
    EXPECT_TRUE(def.contains("description")) << name;
    if (!def.contains("properties")) continue;
    for (const auto& [field, property] : def.at("properties").items())
      EXPECT_TRUE(property.contains("description") || property.contains("$ref")) << name << "." << field;
  }
}

}  // namespace
}  // namespace gradcheck
