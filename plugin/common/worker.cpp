#include "plugin/common/worker.h"

#include <utility>

namespace barbershop::plugin {

Worker::Worker(std::function<void()> cancel) : cancel_(std::move(cancel)) {}

Worker::~Worker() {
  if (running()) cancel_();
  join();
}

void Worker::start(std::function<void()> work) {
  join();
  finished_ = false;
  error_ = nullptr;
  thread_ = std::thread([this, work = std::move(work)] {
    try {
      work();
    } catch (...) {
      error_ = std::current_exception();
    }
    finished_ = true;
  });
}

std::exception_ptr Worker::join() {
  if (thread_.joinable()) thread_.join();
  return error_;
}

}  // namespace barbershop::plugin
