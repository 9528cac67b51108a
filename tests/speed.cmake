# The speed measures of engine/pipeline/speed.h (SpeedOptions) on the CPU at
# the pipeline fixture's 64 px: each against the float32 eager computation.
# Timings belong to bench/, never here.
barbershop_gtest(test_speed SOURCES test_speed.cpp LIBS barbershop_engine FIXTURES pipeline)
