#include "engine/log/checkpoint_witnesses.h"

#include <chrono>

#include "engine/crypto/base64.h"
#include "engine/http/client.h"

namespace hashpath {
namespace {

// "http://host:port/prefix" → ("http://host:port", "/prefix").
std::pair<std::string, std::string> split_url(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {url, ""};
  std::string prefix = url.substr(path);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {url.substr(0, path), prefix};
}

// A 409's `text/x.tlog.size` body: the size and a newline.
std::optional<uint64_t> parse_size_body(std::string_view body) {
  if (body.empty() || body.back() != '\n') return std::nullopt;
  return parse_tree_size(body.substr(0, body.size() - 1));
}

}  // namespace

CheckpointWitnesses::CheckpointWitnesses(std::shared_ptr<HashpathLog> log,
                                         std::vector<WitnessEndpoint> witnesses,
                                         int timeout_seconds, int retry_ms)
    : log_(std::move(log)),
      witnesses_(std::move(witnesses)),
      timeout_seconds_(timeout_seconds),
      retry_ms_(retry_ms),
      witness_size_(witnesses_.size(), 0) {
  for (const auto& w : witnesses_) status_.push_back(WitnessStatus{w.key.name, 0, {}});
  for (const SignedNote& note : log_->checkpoints()) {
    size_t n = valid_cosignatures(note);
    if (n > 0) cosigned_[Checkpoint::parse_body(note.body).size] = n;
  }
  thread_ = std::thread([this] { loop(); });
}

CheckpointWitnesses::~CheckpointWitnesses() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CheckpointWitnesses::submit(const SignedNote& note) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t size = Checkpoint::parse_body(note.body).size;
    if (pending_ && Checkpoint::parse_body(pending_->body).size > size) return;
    pending_ = note;
  }
  wake_.notify_all();
}

size_t CheckpointWitnesses::valid_cosignatures(const SignedNote& note) const {
  size_t n = 0;
  for (const auto& w : witnesses_) n += cosigned_by(note, w.key).has_value() ? 1 : 0;
  return n;
}

std::optional<SignedNote> CheckpointWitnesses::newest_cosigned(size_t k) {
  std::vector<uint64_t> sizes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = cosigned_.rbegin(); it != cosigned_.rend(); ++it) {
      if (it->second >= k) sizes.push_back(it->first);
    }
  }
  for (uint64_t size : sizes) {
    std::optional<SignedNote> note = log_->checkpoint_of_size(size);
    if (note && valid_cosignatures(*note) >= k) return note;
  }
  return std::nullopt;
}

std::vector<WitnessStatus> CheckpointWitnesses::status() {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void CheckpointWitnesses::loop() {
  std::optional<SignedNote> unfinished;  // the newest note some witness has not settled
  std::vector<uint64_t> settled(witnesses_.size(), 0);  // per witness: the size it settled
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (!pending_) {
      if (unfinished) {
        wake_.wait_for(lock, std::chrono::milliseconds(retry_ms_));
      } else {
        wake_.wait(lock);
      }
      if (stopping_) break;
    }
    SignedNote note = pending_ ? *pending_ : *unfinished;
    pending_.reset();
    lock.unlock();
    uint64_t size = Checkpoint::parse_body(note.body).size;
    bool all = true;
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      if (settled[i] >= size) continue;
      if (send(i, note, size)) {
        settled[i] = size;
      } else {
        all = false;
      }
    }
    lock.lock();
    if (all) {
      unfinished.reset();
    } else {
      unfinished = note;
    }
  }
}

bool CheckpointWitnesses::send(size_t index, const SignedNote& note, uint64_t size) {
  const WitnessEndpoint& w = witnesses_[index];
  auto [base, prefix] = split_url(w.url);
  auto fail = [&](std::string why) {
    std::lock_guard<std::mutex> lock(mu_);
    status_[index].last_error = std::move(why);
    return false;
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    uint64_t old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      old = witness_size_[index];
    }
    if (old > size) return fail("the witness holds a larger size than this checkpoint");
    std::string body = "old " + std::to_string(old) + "\n";
    if (old != 0 && old != size) {
      for (const MerkleHash& h : log_->consistency_proof(old, size))
        body += base64_encode(to_string(h)) + "\n";
    }
    body += "\n" + note.text();
    HttpRequest request;
    request.method = "POST";
    request.target = prefix + "/add-checkpoint";
    request.body = std::move(body);
    request.headers.emplace_back("content-type", "text/plain; charset=utf-8");
    HttpResponse response;
    try {
      response = http_fetch(base, request, timeout_seconds_);
    } catch (const Error& e) {
      return fail(e.what());
    }
    if (response.status == 409) {
      std::optional<uint64_t> held = parse_size_body(response.body);
      if (!held) return fail("409 without a text/x.tlog.size body");
      std::lock_guard<std::mutex> lock(mu_);
      if (*held == witness_size_[index]) {
        status_[index].last_error = "409: the witness holds another checkpoint of size " +
                                    std::to_string(*held) + " (a fork?)";
        return false;
      }
      witness_size_[index] = *held;
      continue;  // again, from the size the witness holds
    }
    if (response.status != 200) {
      fail(std::to_string(response.status) + ": " + response.body.substr(0, 1000));
      // A refusal of this checkpoint (a bad proof, an untrusted key) is
      // final: it is not sent again, only newer ones are. Anything else
      // (5xx, a proxy's error) is retried.
      return response.status >= 400 && response.status < 500;
    }
    SignedNote cosigned;
    try {
      cosigned = SignedNote::parse(note.body + "\n" + response.body);
    } catch (const Error& e) {
      return fail(std::string("the cosignature lines are malformed: ") + e.what());
    }
    if (!cosigned_by(cosigned, w.key)) return fail("no valid cosignature from " + w.key.name);
    std::vector<NoteSignature> mine;
    const std::string key_id = w.key.key_id();
    for (const auto& s : cosigned.signatures) {
      if (s.name == w.key.name && s.key_id == key_id) mine.push_back(s);
    }
    log_->add_cosignatures(size, mine);
    std::optional<SignedNote> stored = log_->checkpoint_of_size(size);
    std::lock_guard<std::mutex> lock(mu_);
    witness_size_[index] = size;
    status_[index].cosigned_size = size;
    status_[index].last_error.clear();
    if (stored) cosigned_[size] = valid_cosignatures(*stored);
    return true;
  }
  return fail("the witness answered 409 twice");
}

std::vector<WitnessEndpoint> parse_witness_endpoints(const Value& value) {
  std::vector<WitnessEndpoint> out;
  auto add = [&](std::string url, std::string_view vkey) {
    if (url.rfind("http://", 0) != 0)
      throw LogFormatError("log-witnesses: '" + url + "' is not an http:// URL");
    Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(vkey);
    if (key.kind != Ed25519NoteKey::Kind::kCosigner)
      throw LogFormatError("log-witnesses: " + key.name + " is not a cosigner key (type 0x04)");
    out.push_back(WitnessEndpoint{std::move(url), std::move(key)});
  };
  if (value.is_list()) {
    for (const Value& item : value.as_list()) {
      Message m = as_message(item);
      std::optional<std::string> url = m.text("url"), vkey = m.text("vkey");
      if (!url || !vkey) throw LogFormatError("log-witnesses: each witness needs url and vkey");
      add(*url, *vkey);
    }
    return out;
  }
  if (!value.is_binary()) throw LogFormatError("log-witnesses must be a list or text");
  std::string_view text = value.as_binary();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    size_t space = item.find(' ');
    if (space == std::string_view::npos)
      throw LogFormatError("log-witnesses: '" + std::string(item) + "' is not 'URL VKEY'");
    std::string_view vkey = item.substr(space + 1);
    while (!vkey.empty() && vkey.front() == ' ') vkey.remove_prefix(1);
    add(std::string(item.substr(0, space)), vkey);
  }
  return out;
}

}  // namespace hashpath
