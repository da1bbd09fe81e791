#include "devices/wasm/wasm_rewrite.h"

#include "wabt/binary-reader-ir.h"
#include "wabt/binary-reader.h"
#include "wabt/binary-writer.h"
#include "wabt/cast.h"
#include "wabt/error-formatter.h"
#include "wabt/ir.h"
#include "wabt/stream.h"

namespace hashpath {
namespace {

wabt::Features rewrite_features() {
  wabt::Features f;
  f.enable_memory64();
  f.enable_exceptions();
  return f;
}

Status read_module(std::string_view wasm, wabt::Module& out) {
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(rewrite_features(), nullptr, false, true, false);
  if (wabt::Failed(wabt::ReadBinaryIr("module", wasm.data(), wasm.size(), options, &errors, &out)))
    return Status::rejected("not a module WABT can read: " +
                            wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary));
  return Status::ok();
}

Status write_module(const wabt::Module& module, std::string& out) {
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions options(rewrite_features(), false, false, false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, &module, options)))
    return Status::rejected("WABT could not write the rewritten module");
  const std::vector<uint8_t>& data = stream.output_buffer().data;
  out.assign(reinterpret_cast<const char*>(data.data()), data.size());
  return Status::ok();
}

// Calls `visit` on every expression list of a function body, nested
// blocks included.
template <typename Visit>
void for_each_expr_list(wabt::ExprList& list, const Visit& visit) {
  visit(list);
  for (wabt::Expr& e : list) {
    switch (e.type()) {
      case wabt::ExprType::Block:
        for_each_expr_list(wabt::cast<wabt::BlockExpr>(&e)->block.exprs, visit);
        break;
      case wabt::ExprType::Loop:
        for_each_expr_list(wabt::cast<wabt::LoopExpr>(&e)->block.exprs, visit);
        break;
      case wabt::ExprType::If: {
        auto* i = wabt::cast<wabt::IfExpr>(&e);
        for_each_expr_list(i->true_.exprs, visit);
        for_each_expr_list(i->false_, visit);
        break;
      }
      case wabt::ExprType::Try: {
        auto* t = wabt::cast<wabt::TryExpr>(&e);
        for_each_expr_list(t->block.exprs, visit);
        for (wabt::Catch& c : t->catches) for_each_expr_list(c.exprs, visit);
        break;
      }
      default:
        break;
    }
  }
}

// One tick of the meter (global `meter`), as meter_module describes it.
wabt::ExprList meter_tick(wabt::Index meter) {
  wabt::ExprList tick;
  tick.push_back(std::make_unique<wabt::GlobalGetExpr>(wabt::Var(meter, wabt::Location())));
  tick.push_back(std::make_unique<wabt::ConvertExpr>(wabt::Opcode::I64Eqz));
  auto out_of_budget = std::make_unique<wabt::IfExpr>();
  out_of_budget->true_.exprs.push_back(
      std::make_unique<wabt::ConstExpr>(wabt::Const::I64(static_cast<uint64_t>(-1))));
  out_of_budget->true_.exprs.push_back(
      std::make_unique<wabt::GlobalSetExpr>(wabt::Var(meter, wabt::Location())));
  out_of_budget->true_.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());
  tick.push_back(std::move(out_of_budget));
  tick.push_back(std::make_unique<wabt::GlobalGetExpr>(wabt::Var(meter, wabt::Location())));
  tick.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(1)));
  tick.push_back(std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
  tick.push_back(std::make_unique<wabt::GlobalSetExpr>(wabt::Var(meter, wabt::Location())));
  return tick;
}

}  // namespace

Status meter_module(std::string_view wasm, std::string& out) {
  wabt::Module module;
  if (Status s = read_module(wasm, module); !s.is_ok()) return s;
  if (module.GetExport(kMeterExport) != nullptr)
    return Status::rejected("the module already exports " + std::string(kMeterExport));
  auto global = std::make_unique<wabt::GlobalModuleField>();
  global->global.type = wabt::Type::I64;
  global->global.mutable_ = true;
  global->global.init_expr.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
  module.AppendField(std::move(global));
  // Appended last: every global index the module uses stays what it was.
  const wabt::Index meter = static_cast<wabt::Index>(module.globals.size() - 1);
  auto exported = std::make_unique<wabt::ExportModuleField>();
  exported->export_.name = std::string(kMeterExport);
  exported->export_.kind = wabt::ExternalKind::Global;
  exported->export_.var = wabt::Var(meter, wabt::Location());
  module.AppendField(std::move(exported));
  for (size_t f = module.num_func_imports; f < module.funcs.size(); ++f) {
    wabt::Func* func = module.funcs[f];
    bool calls = false;
    for_each_expr_list(func->exprs, [&](wabt::ExprList& list) {
      for (wabt::Expr& e : list) {
        switch (e.type()) {
          case wabt::ExprType::Call:
          case wabt::ExprType::CallIndirect:
          case wabt::ExprType::CallRef:
          case wabt::ExprType::ReturnCall:
          case wabt::ExprType::ReturnCallIndirect:
            calls = true;
            break;
          case wabt::ExprType::Loop: {
            wabt::ExprList& body = wabt::cast<wabt::LoopExpr>(&e)->block.exprs;
            body.splice(body.begin(), meter_tick(meter));
            break;
          }
          default:
            break;
        }
      }
    });
    // A function that calls nothing runs to its end or into one of its
    // loops' ticks: only callers need the entry tick (a chain of calls
    // without end passes through callers only).
    if (calls) func->exprs.splice(func->exprs.begin(), meter_tick(meter));
  }
  return write_module(module, out);
}

Status inspect_module(std::string_view wasm, WasmModuleShape& out) {
  wabt::Module module;
  if (Status s = read_module(wasm, module); !s.is_ok()) return s;
  out.memories = module.memories.size();
  out.memory64 = !module.memories.empty() && module.memories[0]->page_limits.is_64;
  out.has_start = !module.starts.empty();
  return Status::ok();
}

Status sign_extend_lowered_memory_grow(std::string_view wasm, std::string& out, size_t& sites) {
  wabt::Module module;
  if (Status s = read_module(wasm, module); !s.is_ok()) return s;
  sites = 0;
  for (wabt::Func* func : module.funcs) {
    for_each_expr_list(func->exprs, [&](wabt::ExprList& list) {
      for (auto it = list.begin(); it != list.end(); ++it) {
        if (it->type() != wabt::ExprType::MemoryGrow) continue;
        auto next = std::next(it);
        if (next == list.end() || next->type() != wabt::ExprType::Convert) continue;
        auto* convert = wabt::cast<wabt::ConvertExpr>(&*next);
        if (convert->opcode != wabt::Opcode::I64ExtendI32U) continue;
        convert->opcode = wabt::Opcode::I64ExtendI32S;
        ++sites;
      }
    });
  }
  return write_module(module, out);
}

}  // namespace hashpath
