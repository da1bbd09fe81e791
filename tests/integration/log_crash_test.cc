// Crash safety of the log: a harness appends under load and is killed with
// SIGKILL at random moments (20 runs on the same log). After each kill the
// log must open (it never contradicts a checkpoint it signed; opening
// indexes what the crash left in the journal), hold every acknowledged
// entry, and pass `verify_log` with all checkpoints consistent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include <sqlite3.h>

#include "engine/codec/message_id.h"
#include "engine/log/hashpath_log.h"
#include "engine/store/sqlite_store.h"
#include "tests/crash/store_crash_versions.h"
#include "tests/support/test_data.h"
#include "verify/log_verifier.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

struct HarnessRun {
  int64_t max_ack = -1;
  uint64_t started_with = 0;
};

// Starts a harness (`argv`), lets it run `ms` milliseconds after it is
// ready (and, if `working` is given, has printed it: its first
// acknowledgement, so a slow start under load does not make an empty
// round), kills it.
HarnessRun run_and_kill(const std::vector<std::string>& argv, int ms,
                        const std::string& working = "") {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[65536];
  // Wait for "ready", then let it work.
  while (text.find('\n') == std::string::npos ||
         (!working.empty() && text.find(working) == std::string::npos)) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  ::kill(pid, SIGKILL);
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the harness exited by itself:\n" << text.substr(0, 500);
  HarnessRun run;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ready ", 0) == 0) run.started_with = std::stoull(line.substr(6));
    // A line cut by the kill is not an acknowledgement.
    if (line.rfind("ack ", 0) == 0 && lines.peek() != EOF)
      run.max_ack = std::max<int64_t>(run.max_ack, std::stoll(line.substr(4)));
  }
  return run;
}

HarnessRun run_log_harness_and_kill(const fs::path& dir, int ms) {
  return run_and_kill({HASHPATH_CRASH_HARNESS, dir.string(), testing::test_wallet_path(1)}, ms);
}

TEST(LogCrashTest, SurvivesTwentySigkillsUnderLoad) {
  fs::path dir = fs::temp_directory_path() / ("hashpath-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Wallet wallet = testing::test_wallet(1);
  std::mt19937 rng(20261121);
  uint64_t previous_size = 0;
  size_t previous_checkpoints = 0;
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE("run " + std::to_string(i));
    HarnessRun run = run_log_harness_and_kill(dir, 30 + static_cast<int>(rng() % 220));
    EXPECT_EQ(run.started_with, previous_size);  // everything before survived the restart
    EXPECT_GE(run.max_ack, static_cast<int64_t>(previous_size))
        << "the harness acknowledged nothing";
    // The node can open it again: no checkpoint it signed is contradicted,
    // and what the crash left in the journal is indexed.
    LogOptions manual;
    manual.checkpoint_every = 0;
    manual.checkpoint_interval_ms = 0;
    EXPECT_NO_THROW(HashpathLog((dir / "log.db").string(), wallet, manual));
    {
      LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
      LogVerifyReport report =
          verify_log(db, nullptr, NoteVerifier::of(wallet, log_origin(wallet)));
      ASSERT_TRUE(report.verdict.is_ok()) << report.verdict.reason();
      EXPECT_GT(static_cast<int64_t>(report.entries), run.max_ack)
          << "an acknowledged entry is missing";
      EXPECT_GE(report.checkpoints, previous_checkpoints);
      previous_size = report.entries;
      previous_checkpoints = report.checkpoints;
    }
  }
  EXPECT_GT(previous_checkpoints, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A store whose large maps share chunks (docs/store-format.md) loses
// nothing across SIGKILLs: every version acknowledged before a kill reads
// back whole, with its ID, and the harness goes on writing after it. A
// changed chunk is written as a delta of its earlier version (kind 6), so
// this also covers deltas whose bases were written before a kill.
TEST(LogCrashTest, AStoreSharingChunksLosesNothingAcrossSigkills) {
  fs::path dir = fs::temp_directory_path() / ("hashpath-store-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 rng(20261202);
  int64_t acked = -1;
  for (int round = 0; round < 6; ++round) {
    HarnessRun run = run_and_kill({HASHPATH_STORE_CRASH_HARNESS, dir.string()},
                                  200 + static_cast<int>(rng() % 600), "\nack ");
    // It resumes after the last version the store holds.
    EXPECT_GE(static_cast<int64_t>(run.started_with), acked + 1) << "round " << round;
    acked = std::max(acked, run.max_ack);
    SqliteStore store((dir / "store.db").string(), /*cache_entries=*/0);
    // Every acknowledged version up to here, sampled, and the last one.
    std::vector<int64_t> check{acked};
    for (int i = 0; i < 4 && acked >= 0; ++i)
      check.push_back(static_cast<int64_t>(rng() % (acked + 1)));
    for (int64_t n : check) {
      if (n < 0) continue;
      std::optional<Value> v = get_full(store, "version/" + std::to_string(n));
      ASSERT_TRUE(v.has_value()) << "version " << n << " acknowledged but lost, round " << round;
      Message expected = crash_test_version(n);
      ASSERT_TRUE(v->as_map() == expected) << "version " << n << ", round " << round;
      EXPECT_EQ(message_id(*v), message_id(Value(expected)));
    }
  }
  EXPECT_GE(acked, 6) << "the harness barely wrote anything";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "store.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM records WHERE kind = 6", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_GT(sqlite3_column_int64(st, 0), acked / 2) << "changed chunks written as deltas";
  sqlite3_finalize(st);
  sqlite3_close(db);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hashpath
