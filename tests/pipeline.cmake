# The whole method (engine/pipeline/) on random-weight files in the official
# formats (a 64x64 generator) with the real LPIPS heads.
barbershop_fixture(pipeline pipeline_files.py)
barbershop_gtest(test_pipeline SOURCES test_pipeline.cpp LIBS bb_pipeline FIXTURES pipeline)
add_test(NAME cli_transfer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_transfer.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_SHARED_DIR}/data/faces)
set_tests_properties(cli_transfer PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 900)
