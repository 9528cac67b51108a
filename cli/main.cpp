// `barbershop`: the engine's command-line host.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/machine.h"
#include "plugin/packaging/bundled_files.h"

namespace barbershop::cli {
namespace {

const Command* const kCommands[] = {&generate_command, &segment_command, &loss_command, &transfer_command,
                                     &doctor_command, &align_command, &weights_command, &batch_command};

void print_overview() {
  std::cout << "usage: barbershop <command> [options]\n\ncommands:\n";
  for (const Command* command : kCommands) std::cout << "  " << command->name << "\n";
  std::cout << "\n`barbershop <command> --help` describes each.\n";
}

// The flag that changes an engine setting (Error::setting()), as the hint
// the CLI adds to the engine's host-neutral message.
std::string flag_for(const std::string& setting) {
  static const std::map<std::string, std::string> kFlags = {
      {"preset", "--preset"},   {"steps", "--steps or $BARBERSHOP_STEPS"},
      {"mode", "--mode"},       {"smooth", "--smooth"},
      {"seed", "--seed"},
      {"cache_dir", "--cache"}, {"align", "--align"},
      {"face_index", "--face-index"}, {"device", "--device"},
      {"weights_dir", "--weights or $BARBERSHOP_WEIGHTS"}, {"generator", "--generator"},
      {"output", "--out"}, {"time_limit", "--time-limit"}};
  const auto found = kFlags.find(setting);
  return found == kFlags.end() ? "" : found->second;
}

const Command* find_command(const std::string& name) {
  for (const Command* command : kCommands)
    if (command->name == name) return command;
  return nullptr;
}

int run(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_overview();
    return argc < 2 ? 2 : 0;
  }
  const Command* command = find_command(argv[1]);
  if (!command) throw Error(std::string("unknown command '") + argv[1] + "'; see `barbershop --help`");
  std::vector<std::string> words(argv + 2, argv + argc);
  for (const auto& word : words) {
    if (word == "--help" || word == "-h") {
      std::cout << command->usage;
      return 0;
    }
  }
  use_all_cpu_cores();
  return command->run(Args(command->name, words, command->options, command->flags));
}

}  // namespace

std::string with_hint(const Error& error) {
  const std::string flag = flag_for(error.setting());
  return std::string(error.what()) + (flag.empty() ? "" : " (" + flag + ")");
}

}  // namespace barbershop::cli

int main(int argc, char** argv) {
  barbershop::packaging::use_bundled_landmark_model();
  try {
    return barbershop::cli::run(argc, argv);
  } catch (const barbershop::Error& error) {
    std::cerr << "barbershop: error: " << barbershop::cli::with_hint(error) << "\n";
  } catch (const std::exception& error) {
    std::cerr << "barbershop: error: " << barbershop::message_without_backtrace(error) << "\n";
  }
  return 2;
}
