# Ordinary photos (engine/photo/): landmarks, FFHQ alignment, paste-back; and
# the CLI on the unaligned sample photo, one transfer with the random 64-px
# weights of the pipeline fixture.
barbershop_fixture(photo photo_files.py)
barbershop_gtest(test_photo SOURCES test_photo.cpp LIBS bb_photo FIXTURES photo)
barbershop_gtest(test_photo_cli SOURCES test_photo_cli.cpp LIBS barbershop_engine_internals FIXTURES pipeline)
