// GoogleTest assertions for Status: EXPECT_TRUE(Holds(s)) passes when `s`
// is ok and prints the reason when it is not; EXPECT_FALSE(Holds(s)) the
// other way round.
#pragma once

#include <gtest/gtest.h>

#include "engine/status.h"

namespace hashpath::testing {

inline ::testing::AssertionResult Holds(const Status& s) {
  if (s.is_ok()) return ::testing::AssertionSuccess() << "ok";
  return ::testing::AssertionFailure() << "rejected: " << s.reason();
}

}  // namespace hashpath::testing
