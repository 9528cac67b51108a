# `barbershop batch` (cli/cmd_batch.cpp): the job file, shards and GPU
# workers, a killed batch resumed, bad jobs failing alone (cli_batch*.sh);
# and a job array on a real single-node Slurm cluster started by the test
# (cli_batch_slurm.sh), whose results must equal cli_batch's byte for byte.
# Tiny transfers (64x64 random-weight generator, 128x128 faces, one step per
# stage), so the three stay within a few minutes on 2 cores.
barbershop_fixture(batch batch_files.py)
add_test(NAME cli_batch
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_batch.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_FIXTURE_DIR}/batch ${BARBERSHOP_FIXTURE_DIR}/batch-results)
set_tests_properties(cli_batch PROPERTIES FIXTURES_REQUIRED "pipeline;batch" FIXTURES_SETUP batch_results TIMEOUT 1500)
add_test(NAME cli_batch_bad
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_batch_bad.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_FIXTURE_DIR}/batch ${BARBERSHOP_FIXTURE_PYTHON}
                 ${BARBERSHOP_TEST_DATA}/faces/unaligned-90.jpg)
set_tests_properties(cli_batch_bad PROPERTIES FIXTURES_REQUIRED "pipeline;batch" TIMEOUT 1500)
# Skipped (exit 77) only where Slurm's daemons are not installed; CI installs
# them (.ci/install-deps), so there it runs, and with CI set a missing daemon
# fails the test instead.
add_test(NAME cli_batch_slurm
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_batch_slurm.sh $<TARGET_FILE:barbershop>
                 ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_FIXTURE_DIR}/batch ${BARBERSHOP_FIXTURE_DIR}/batch-results
                 ${PROJECT_SOURCE_DIR}/cli/slurm-batch.sh)
set_tests_properties(cli_batch_slurm PROPERTIES FIXTURES_REQUIRED "pipeline;batch;batch_results" TIMEOUT 1500
                     SKIP_RETURN_CODE 77)

# The benchmark's batch case: one face with 2 hairstyles, as separate
# transfers (the face embedded with each: 4 W+ embeddings) and as one batch
# (the face once: 3). Its times are printed, not judged.
if(BARBERSHOP_BUILD_BENCH)
  add_test(NAME bench_batch
           COMMAND barbershop-bench --weights ${BARBERSHOP_FIXTURE_DIR}/pipeline/weights --device cpu --batch 2)
  set_tests_properties(bench_batch PROPERTIES
    FIXTURES_REQUIRED pipeline TIMEOUT 1500
    ENVIRONMENT "BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1;BARBERSHOP_PCA_SAMPLES=2000"
    PASS_REGULAR_EXPRESSION "\\{\"variant\": \"batch\", \"styles\": 2, .*\"separate\": \\{\"seconds\": [0-9.]+, \"transfers_per_hour\": [0-9.]+, \"steps\": \\{[^}]*\"embedding W\\+\": 4,[^}]*\\}\\}, \"batch\": \\{\"seconds\": [0-9.]+, \"transfers_per_hour\": [0-9.]+, \"steps\": \\{[^}]*\"embedding W\\+\": 3,")
endif()
