// `barbershop loss` run as a program, against the fixture's reference values.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "engine/io/npy.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

using test::losses_fixture;

struct Outcome {
  int status;
  std::string out;
};

Outcome run_cli(const std::string& arguments) {
  const std::string command = std::string(BARBERSHOP_CLI) + " loss " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 256> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string images() {
  return " --a " + losses_fixture("cli_a.npy") + " --b " + losses_fixture("cli_b.npy") + " --vgg " +
         losses_fixture("vgg16-397923af.pth") + " --lpips " + test::lpips_heads();
}

void expect_value(const std::string& arguments, double expected, double relative) {
  const Outcome outcome = run_cli(arguments);
  ASSERT_EQ(outcome.status, 0) << arguments;
  size_t used = 0;
  const double value = std::stod(outcome.out, &used);
  EXPECT_EQ(outcome.out.substr(used), "\n") << "the value alone: '" << outcome.out << "'";
  EXPECT_NEAR(value, expected, relative * std::abs(expected)) << arguments;
}

double reference(const std::string& name, int64_t index = 0) {
  return read_npy(losses_fixture(name)).to(at::kDouble).flatten()[index].item<double>();
}

TEST(LossCli, Lpips) { expect_value("lpips" + images(), reference("lpips_value.npy"), 1e-4); }

TEST(LossCli, MaskedLpipsDefaultsToBlocksOneToThree) {
  expect_value("masked-lpips" + images() + " --mask " + losses_fixture("lpips_mask.npy"),
               reference("masked_lpips_value.npy"), 1e-4);
  expect_value("masked-lpips" + images() + " --blocks 1,2,3 --mask " + losses_fixture("lpips_mask.npy"),
               reference("masked_lpips_value.npy"), 1e-4);
}

TEST(LossCli, L2) { expect_value("l2" + images(), reference("cli_l2_value.npy"), 1e-5); }

TEST(LossCli, Style) {
  // cli_a/cli_b are the first images of lpips_a/lpips_b, as in the style fixture.
  expect_value("style" + images() + " --mask " + losses_fixture("style_mask_a.npy") + " --mask-b " +
                   losses_fixture("style_mask_b.npy"),
               reference("style_value.npy"), 1e-3);
}

TEST(LossCli, HelpAndErrors) {
  const Outcome help = run_cli("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("masked-lpips"), std::string::npos);
  EXPECT_NE(run_cli("lpips --a " + losses_fixture("cli_a.npy")).status, 0);
  EXPECT_NE(run_cli("cosine" + images()).status, 0);
  EXPECT_NE(run_cli("lpips" + images() + " --blocks 1,9").status, 0);
}

}  // namespace
}  // namespace barbershop
