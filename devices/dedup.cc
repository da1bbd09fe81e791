#include "devices/dedup.h"

#include "engine/codec/message_id.h"

namespace hashpath {

ResolveResult DedupDevice::call(std::string_view, const Message& base, const Message& request,
                                Resolver&) {
  if (base.integer("pass").value_or(1) != 1) return ResolveResult::ok(Value(base));
  std::string subject_key = base.text("dedup-subject").value_or("");
  if (subject_key.empty()) subject_key = request.text("dedup-subject").value_or("");
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
                              IdScope::kEveryCommitment);
  List seen;
  if (const Value* d = base.find("dedup"); d != nullptr && d->is_list()) seen = d->as_list();
  for (const Value& s : seen) {
    if (s.is_binary() && s.as_binary() == id) return {ResolveResult::Outcome::kSkip, Value(base)};
  }
  seen.insert(seen.begin(), Value(id));
  Message out = base;
  out.set("dedup", Value(std::move(seen)));
  return ResolveResult::ok(Value(std::move(out)));
}

}  // namespace hashpath
