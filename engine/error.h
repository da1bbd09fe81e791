// Error types shared by every part of Hashpath.
//
// Every failure that can be caused by input (a malformed message, a bad key
// file, a signature that does not verify) is reported by throwing one of
// these, with a message that names what was wrong and where. Callers at the
// edges (HTTP handlers, the CLI) turn them into 4xx responses or a message and
// a non-zero exit status. Nothing below the edges prints or exits.
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

}  // namespace hashpath
