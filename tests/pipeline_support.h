#pragma once
// What the whole-method tests share: the pipeline fixture's random 64x64
// weights, loaded once per test process, and the sample faces.
#include <cstdlib>
#include <string>

#include <ATen/Parallel.h>

#include "engine/pipeline/models.h"

namespace barbershop::test {

inline const std::string kPipelineWeights = std::string(BARBERSHOP_FIXTURE_DIR) + "/pipeline/weights";
inline const std::string kSampleFaces = std::string(BARBERSHOP_TEST_DATA) + "/faces/";

// Loading and the PCA prior cost seconds: once per process, with the prior
// fitted on 2000 samples as tests/pipeline.cmake asks of every run.
inline const Models& pipeline_models() {
  static const Models loaded = [] {
    setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
    return load_models(find_weight_files(kPipelineWeights), c10::kCPU, "");
  }();
  return loaded;
}

// The same models in a process whose LibTorch runs one intra-op thread:
// under `ctest -j2` two test processes share 2 cores, and LibTorch's idle
// threads spin on the core the other needs (test_speed.cpp measured 211 s
// against 74.5 s). For tests that compare results made in their own process.
inline const Models& single_thread_pipeline_models() {
  static const bool one_thread = [] {
    at::set_num_threads(1);
    return true;
  }();
  (void)one_thread;
  return pipeline_models();
}

}  // namespace barbershop::test
