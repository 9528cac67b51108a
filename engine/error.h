#pragma once
// The engine's one error type. Its message is a single line meant for the
// user: it names the file or input, what is wrong, and what to do about it.
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace barbershop {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
  // `setting` names the option that fixes it, as a TransferOptions field of
  // engine/barbershop.h ("device", "weights_dir", "smooth", ...), so each
  // host can add its own hint (a command-line flag, a dialog field); the
  // message itself stays in words that fit every host.
  Error(const std::string& message, std::string setting)
      : std::runtime_error(message), setting_(std::move(setting)) {}
  const std::string& setting() const { return setting_; }

 private:
  std::string setting_;
};

// "[1, 512, 4, 4]" — for messages that compare expected and found shapes.
std::string shape_string(const std::vector<int64_t>& sizes);

// The message of any exception the engine lets through, for a host to
// print (hosts do not include LibTorch): a c10::Error's without its
// backtrace, any other's what().
std::string message_without_backtrace(const std::exception& error);

// Call only inside a catch block: rethrows the exception being handled,
// except LibTorch's out-of-memory errors (c10::OutOfMemoryError from the CUDA
// allocator, the CPU allocator's c10::Error, std::bad_alloc), which become an
// Error saying what ran out and what to do instead.
[[noreturn]] void rethrow_with_memory_advice();

}  // namespace barbershop
