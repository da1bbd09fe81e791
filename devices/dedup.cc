#include "devices/dedup.h"

#include "engine/codec/message_id.h"

namespace hashpath {
namespace {

std::string text_of(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
}

int64_t pass_of(const Message& base) {
  const Value* p = base.find("pass");
  return p != nullptr && p->is_integer() ? p->as_integer() : 1;
}

}  // namespace

ResolveResult DedupDevice::call(std::string_view, const Message& base, const Message& request,
                                Resolver&) {
  if (pass_of(base) != 1) return ResolveResult::ok(Value(base));
  std::string subject_key = text_of(base, "dedup-subject");
  if (subject_key.empty()) subject_key = text_of(request, "dedup-subject");
  if (subject_key.empty()) subject_key = "body";
  std::optional<Value> subject;
  if (subject_key == "request") {
    Message whole = request;
    whole.remove("path");
    subject = Value(std::move(whole));
  } else if (const Value* v = base.find(subject_key)) {
    subject = *v;
  } else if (const Value* r = request.find(subject_key)) {
    subject = *r;
  }
  if (!subject) return ResolveResult::ok(Value(base));
  std::string id = message_id(subject->is_map() ? *subject : Value(Message{{"body", *subject}}),
                              IdScope::kAllCommitments);
  List seen;
  if (const Value* d = base.find("dedup"); d != nullptr && d->is_list()) seen = d->as_list();
  for (const Value& s : seen) {
    if (s.is_binary() && s.as_binary() == id) return {ResolveResult::Status::kSkip, Value(base)};
  }
  seen.insert(seen.begin(), Value(id));
  Message out = base;
  out.set("dedup", Value(std::move(seen)));
  return ResolveResult::ok(Value(std::move(out)));
}

}  // namespace hashpath
