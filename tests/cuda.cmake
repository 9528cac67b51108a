# The engine on CUDA against the CPU (label `cuda`): skipped, with the reason,
# where no CUDA device is present. bench/gpu.sh runs `ctest -L cuda` on the
# GPU machine, which has no OpenCV: these tests read no image files.
barbershop_fixture(cuda cuda_files.py)
barbershop_gtest(test_cuda SOURCES test_cuda.cpp LIBS bb_pipeline FIXTURES cuda LABELS cuda)
# It sets the CUDA caching allocator's memory fraction itself (libc10_cuda,
# which needs only the CUDA runtime); the rest of LibTorch's CUDA part comes,
# as in every program, through engine/device.cpp's module.
if(TARGET c10_cuda)
  target_link_libraries(test_cuda PRIVATE c10_cuda)
endif()

# The benchmark reports the CUDA allocator's peaks on a GPU (bench_cuda.sh
# skips with exit code 77 and the reason elsewhere).
if(BARBERSHOP_BUILD_BENCH)
  add_test(NAME bench_cuda_memory
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/bench_cuda.sh $<TARGET_FILE:barbershop-bench>
                   $<TARGET_FILE:barbershop> ${BARBERSHOP_FIXTURE_DIR}/cuda/weights ${BARBERSHOP_FIXTURE_PYTHON})
  set_tests_properties(bench_cuda_memory PROPERTIES FIXTURES_REQUIRED cuda LABELS cuda SKIP_RETURN_CODE 77
                       TIMEOUT 900)
endif()
