# The GIMP plug-in in a real GIMP 2.10 (scripts in tests/gimp/): headless
# through gimp-console, and one real Ctrl+Z under Xvfb. Both run the pipeline
# fixture's random 64x64 weights; the undo test reuses the embeddings that the
# headless test cached for the same faces, so it runs after it. The GIMP 3
# plug-in is tested in a Debian 13 chroot by .ci/gimp3 (tests/gimp3/).
if(TARGET barbershop-gimp AND BARBERSHOP_GIMP_MAJOR EQUAL 2)
  find_program(BARBERSHOP_GIMP_CONSOLE gimp-console-2.10)
  find_program(BARBERSHOP_GIMP gimp-2.10)
  find_program(BARBERSHOP_XVFB Xvfb)
  find_program(BARBERSHOP_XDOTOOL xdotool)
  set(_gimp_tests ${CMAKE_CURRENT_SOURCE_DIR}/gimp)
  set(_gimp_inputs $<TARGET_FILE_DIR:barbershop-gimp> ${BARBERSHOP_FIXTURE_DIR}/pipeline/weights
                   ${BARBERSHOP_TEST_DATA}/faces ${BARBERSHOP_FIXTURE_DIR}/gimp-cache)
  if(BARBERSHOP_GIMP_CONSOLE)
    add_test(NAME gimp_headless
             COMMAND bash ${_gimp_tests}/headless.sh $<TARGET_FILE:barbershop> ${_gimp_inputs})
    set_tests_properties(gimp_headless PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1800)
    # The dialog's Download button, through the procedure it runs (issue 18).
    add_test(NAME gimp_download
             COMMAND bash ${_gimp_tests}/download.sh $<TARGET_FILE_DIR:barbershop-gimp> ${BARBERSHOP_FIXTURE_DIR}/weights)
    set_tests_properties(gimp_download PROPERTIES FIXTURES_REQUIRED weights TIMEOUT 900)
    add_test(NAME gimp_layer_types COMMAND bash ${_gimp_tests}/layer_types.sh ${_gimp_inputs})
    set_tests_properties(gimp_layer_types PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 900)
    # An ordinary photo (issue 6): needs face detection (dlib) in this build.
    if(BARBERSHOP_WITH_DLIB)
      add_test(NAME gimp_photo
               COMMAND bash ${_gimp_tests}/photo.sh ${_gimp_inputs} ${BARBERSHOP_TEST_DATA}/faces/unaligned-90.jpg)
      set_tests_properties(gimp_photo PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1500 DEPENDS gimp_headless)
    endif()
  else()
    message(STATUS "gimp-console-2.10 not found: the headless GIMP tests are off")
  endif()
  if(BARBERSHOP_GIMP AND BARBERSHOP_XVFB AND BARBERSHOP_XDOTOOL)
    add_test(NAME gimp_undo COMMAND bash ${_gimp_tests}/undo.sh ${_gimp_inputs})
    set_tests_properties(gimp_undo PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1200
                         DEPENDS gimp_headless)
    # A layer group of hair shapes: one result group, one undo step (issue 20).
    add_test(NAME gimp_group
             COMMAND bash ${_gimp_tests}/group.sh $<TARGET_FILE:barbershop> $<TARGET_FILE_DIR:barbershop-gimp>
                     ${BARBERSHOP_FIXTURE_DIR}/pipeline/weights ${BARBERSHOP_TEST_DATA}/faces
                     ${BARBERSHOP_FIXTURE_DIR}/gimp-group-cache)
    set_tests_properties(gimp_group PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1200)
    # A generator named by scripts and remembered by the dialog (issue 27).
    add_test(NAME gimp_generator
             COMMAND bash ${_gimp_tests}/generator.sh $<TARGET_FILE:barbershop> $<TARGET_FILE_DIR:barbershop-gimp>
                     ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_TEST_DATA}/faces
                     ${BARBERSHOP_FIXTURE_DIR}/gimp-generator-cache)
    set_tests_properties(gimp_generator PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1200)
    # The plug-in's progress window: a preview, Stop and keep, Cancel (issue 28).
    add_test(NAME gimp_progress_window
             COMMAND bash ${_gimp_tests}/progress_window.sh $<TARGET_FILE_DIR:barbershop-gimp>
                     ${BARBERSHOP_FIXTURE_DIR}/pipeline/weights ${BARBERSHOP_TEST_DATA}/faces
                     ${BARBERSHOP_FIXTURE_DIR}/gimp-window-cache)
    set_tests_properties(gimp_progress_window PROPERTIES FIXTURES_REQUIRED pipeline TIMEOUT 1500)
    # The dialog's "Download missing files" button pressed for real (issue 18).
    add_test(NAME gimp_download_button
             COMMAND bash ${_gimp_tests}/download_button.sh $<TARGET_FILE_DIR:barbershop-gimp>
                     ${BARBERSHOP_FIXTURE_DIR}/weights)
    set_tests_properties(gimp_download_button PROPERTIES FIXTURES_REQUIRED weights TIMEOUT 600)
  else()
    message(STATUS "gimp-2.10, Xvfb or xdotool not found: the GIMP undo test is off")
  endif()
endif()
