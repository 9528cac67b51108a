# The whole method (engine/pipeline/) on random-weight files in the official
# formats (a 64x64 generator) with the real LPIPS heads.
barbershop_fixture(pipeline pipeline_files.py)
barbershop_gtest(test_pipeline SOURCES test_pipeline.cpp LIBS bb_pipeline FIXTURES pipeline)
add_test(NAME cli_transfer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_transfer.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_TEST_DATA}/faces ${BARBERSHOP_FIXTURE_PYTHON})
set_tests_properties(cli_transfer PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 900)

# The benchmark runs (tiny steps) and prints its JSON; its numbers are not judged.
if(BARBERSHOP_BUILD_BENCH)
  add_test(NAME bench_runs
           COMMAND barbershop-bench --weights ${BARBERSHOP_FIXTURE_DIR}/pipeline/weights --device cpu)
  set_tests_properties(bench_runs PROPERTIES
    FIXTURES_REQUIRED pipeline TIMEOUT 900
    ENVIRONMENT "BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1;BARBERSHOP_PCA_SAMPLES=2000"
    # The baseline reports the W+ step once per image, the batched run once,
    # the cached run none (its embeddings come from the cache: only target
    # mask, alignment and blending steps).
    PASS_REGULAR_EXPRESSION "\"variant\": \"baseline\", \"tf32\": false, \"steps\": \\{[^}]*\"embedding W\\+\": 3,.*\"variant\": \"batched embeddings\", \"tf32\": false, \"steps\": \\{[^}]*\"embedding W\\+\": 1,.*\"cached\": true, \"variant\": \"cached embeddings\", \"tf32\": false, \"steps\": \\{(\"(target mask|alignment|blending)[^\"]*\": [0-9]+(, )?)+\\}")
endif()
