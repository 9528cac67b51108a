# Getting the weights (engine/weights/): downloads from a loopback server made
# by the test, never the internet; random-weight files in the official formats.
add_test(NAME fixture_weights
         COMMAND ${BARBERSHOP_FIXTURE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/random_weights.py
                 ${BARBERSHOP_FIXTURE_DIR}/weights --size 64)
set_tests_properties(fixture_weights PROPERTIES FIXTURES_SETUP weights TIMEOUT 900)
if(BARBERSHOP_WITH_CURL)
  add_test(NAME cli_weights_download
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_weights_download.sh $<TARGET_FILE:barbershop>
                   ${BARBERSHOP_FIXTURE_DIR}/weights ${BARBERSHOP_FIXTURE_PYTHON})
  set_tests_properties(cli_weights_download PROPERTIES FIXTURES_REQUIRED weights TIMEOUT 300)
else()
  # Without libcurl a download fails at once, in one line saying how to get
  # the files, and writes nothing.
  add_test(NAME cli_weights_download_without_curl
           COMMAND bash -c "dir=$(mktemp -d) && ! \"$1\" weights download --weights $dir 2>$dir.err &&
                            grep -q 'cannot download: copy the weights files into' $dir.err &&
                            [ $(wc -l <$dir.err) = 1 ] && [ -z \"$(ls -A $dir)\" ]; s=$?; cat $dir.err; rm -rf $dir $dir.err; exit $s"
                   _ $<TARGET_FILE:barbershop>)
  set_tests_properties(cli_weights_download_without_curl PROPERTIES TIMEOUT 60)
endif()
# The catalogue, manifest and checks without a network.
barbershop_gtest(test_weights SOURCES test_weights.cpp LIBS bb_weights FIXTURES weights)
