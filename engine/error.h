// Error types shared by every part of Hashpath: every error class is here.
//
// Exceptions are for decoding and I/O: bytes that do not decode, a file or
// database that cannot be read or written, a peer that cannot be reached.
// A check that can fail on well-formed input returns a Status
// (engine/status.h); a resolution returns a ResolveResult. Every error says
// what was wrong and where. Callers at the edges (HTTP handlers, the CLI)
// turn them into 4xx/5xx responses or a message and a non-zero exit status.
// Nothing below the edges prints or exits, and no std::runtime_error or
// std::out_of_range leaves a layer: each throws one of these.
#pragma once

#include <stdexcept>
#include <string>

namespace hashpath {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes that do not decode under the named codec or format.
class CodecError : public Error {
 public:
  CodecError(const std::string& codec, const std::string& what)
      : Error(codec + ": " + what), codec_(codec) {}
  const std::string& codec() const { return codec_; }

 private:
  std::string codec_;
};

// A key, signature or wallet that is unusable, or a failure inside a crypto library.
class CryptoError : public Error {
 public:
  using Error::Error;
};

// A message accessed as something it is not (missing key, wrong value kind).
class MessageError : public Error {
 public:
  using Error::Error;
};

// A hyperpath (URL path) that does not parse (engine/resolve/hyperpath.h).
class PathError : public Error {
 public:
  using Error::Error;
};

// An HTTP request the node cannot take, with the status to answer
// (engine/http/request_codec.h).
class RequestError : public Error {
 public:
  RequestError(int status, const std::string& what) : Error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// A peer that cannot be reached or answers nothing usable: a bad URL, a
// refused connection, a timeout (engine/http/client.h).
class HttpClientError : public Error {
 public:
  using Error::Error;
};

// The message store cannot be read, or holds a record that does not decode.
class StoreError : public Error {
 public:
  using Error::Error;
};

// A write that did not become durable: the disk is full, an I/O error, the
// database is read-only or busy. What it carried is not stored (a
// transaction rolled back), so nothing that names it may be acknowledged:
// the resolver does not turn it into a step result, and the node answers
// 503 without `log-seq`. what() is for the operator's log; it may name
// files.
class StoreWriteError : public StoreError {
 public:
  using StoreError::StoreError;
};

// Log bytes (an entry, a checkpoint note, a tile, a proof, a fixture) that
// do not decode canonically (engine/log/).
class LogFormatError : public Error {
 public:
  using Error::Error;
};

// The hashpath log cannot do what was asked: a tree size or index past the
// log, stored entries that do not match their checkpoint when the log is
// opened, a log poisoned by a failed write (engine/log/).
class LogError : public Error {
 public:
  using Error::Error;
};

// A Lua state that cannot be set up, or a value that does not cross between
// Lua and a message (devices/lua/).
class LuaError : public Error {
 public:
  using Error::Error;
};

}  // namespace hashpath
