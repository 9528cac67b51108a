#pragma once
// What the command-line hosts share (`barbershop` in cli/, `barbershop-bench`
// in bench/): a small parser of `--name value` options, value-less flags and
// positional words, checked against the command's list so a typo is an
// error rather than silently ignored. A door header of the engine, not a
// file of cli/, because hosts link only the engine's door library and no
// host builds on another.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace barbershop::cli {

class Args {
 public:
  // `words` are the arguments after the command name.
  Args(std::string command, const std::vector<std::string>& words,
       const std::set<std::string>& options, const std::set<std::string>& flags = {});

  std::optional<std::string> get(const std::string& name) const;
  std::string required(const std::string& name) const;  // throws barbershop::Error
  std::string get_or(const std::string& name, const std::string& fallback) const;
  int64_t integer(const std::string& name, int64_t fallback) const;
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }
  const std::vector<std::string>& words() const { return words_; }  // as given, for passing on

 private:
  std::string command_;
  std::vector<std::string> words_;
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

// One sub-command: its name, its --help text and what it runs.
struct Command {
  std::string name;
  std::string usage;
  std::set<std::string> options;  // take a value
  std::set<std::string> flags;    // take none
  int (*run)(const Args&);
};

}  // namespace barbershop::cli
