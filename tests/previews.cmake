# Previews, "stop and keep" and the time limit (issue 28), through the front
# door and the CLI, on the pipeline fixture's random 64-px weights.
barbershop_gtest(test_previews SOURCES test_previews.cpp LIBS barbershop_engine_internals FIXTURES pipeline)
add_test(NAME cli_previews
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_previews.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_TEST_DATA}/faces ${BARBERSHOP_FIXTURE_PYTHON})
set_tests_properties(cli_previews PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 900)
