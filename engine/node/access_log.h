// The access log: spdlog to standard output, one line per request at info
// (not the hashpath log of engine/log, nor log@1.0, which serves that).
//
// spdlog's console sinks flush after every line, a write(2) per request;
// this sink lets stdio buffer lines and flushes every second and at once
// for warnings and errors, so a busy node does not pay a system call per
// request. Lines are complete and in order either way.
#pragma once

namespace hashpath {

// Installs the buffered stdout logger as spdlog's default and applies
// SPDLOG_LEVEL from the environment. Call once, before serving.
void install_access_log();

}  // namespace hashpath
