#include "tests/support/wat.h"

#include <gtest/gtest.h>

#include "wabt/binary-writer.h"
#include "wabt/error-formatter.h"
#include "wabt/ir.h"
#include "wabt/resolve-names.h"
#include "wabt/stream.h"
#include "wabt/validator.h"
#include "wabt/wast-lexer.h"
#include "wabt/wast-parser.h"

namespace hashpath::testing {

std::string wat_to_wasm(std::string_view wat) {
  wabt::Features features;
  features.enable_memory64();
  features.enable_exceptions();
  wabt::Errors errors;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions parse_options(features);
  bool ok =
      wabt::Succeeded(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options)) &&
      wabt::Succeeded(wabt::ResolveNamesModule(module.get(), &errors)) &&
      wabt::Succeeded(wabt::ValidateModule(module.get(), &errors, wabt::ValidateOptions(features)));
  if (!ok) {
    ADD_FAILURE() << "bad test module: "
                  << wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
    return "";
  }
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options(features, true, false, false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options))) {
    ADD_FAILURE() << "cannot write the test module";
    return "";
  }
  const auto& data = stream.output_buffer().data;
  return std::string(data.begin(), data.end());
}

}  // namespace hashpath::testing
