#include "engine/command_line.h"

#include "engine/error.h"

namespace barbershop::cli {
namespace {

// Options that are gone, with how to write what they asked, for command
// lines and scripts written for an older version; nullptr for any other.
const char* replacement_of(const std::string& name, const std::set<std::string>& options) {
  if (name == "noise" && options.count("seed"))
    return "--noise was replaced by --seed: write --seed N (1 to 2147483647) for random noise from seed N "
           "(was --noise random --seed N), and --seed 0 or nothing for the stored noise (was --noise stored)";
  return nullptr;
}

}  // namespace

Args::Args(std::string command, const std::vector<std::string>& words,
           const std::set<std::string>& options, const std::set<std::string>& flags)
    : command_(std::move(command)), words_(words) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.rfind("--", 0) != 0) {
      positional_.push_back(word);
      continue;
    }
    const std::string name = word.substr(2);
    if (flags.count(name)) {
      flags_.insert(name);
    } else if (options.count(name)) {
      if (i + 1 >= words.size())
        throw Error("option " + word + " needs a value; see `barbershop " + command_ + " --help`");
      values_[name] = words[++i];
    } else if (const char* replacement = replacement_of(name, options)) {
      throw Error(replacement);
    } else {
      throw Error("unknown option " + word + " for `barbershop " + command_ +
                  "`; see `barbershop " + command_ + " --help`");
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::required(const std::string& name) const {
  auto value = get(name);
  if (!value)
    throw Error("`barbershop " + command_ + "` needs --" + name + "; see `barbershop " + command_ +
                " --help`");
  return *value;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

int64_t Args::integer(const std::string& name, int64_t fallback) const {
  auto value = get(name);
  if (!value) return fallback;
  try {
    size_t used = 0;
    int64_t parsed = std::stoll(*value, &used);
    if (used == value->size()) return parsed;
  } catch (const std::exception&) {
  }
  throw Error("--" + name + " takes a whole number, not '" + *value + "'");
}

}  // namespace barbershop::cli
