# The speed measures of engine/pipeline/speed.h (SpeedOptions) on the CPU at
# the pipeline fixture's 64 px: each against the float32 eager computation.
# Timings belong to bench/, never here.
barbershop_gtest(test_speed SOURCES test_speed.cpp LIBS barbershop_engine_internals FIXTURES pipeline)

# What a recorded CUDA graph needs of every stage's step, checked on the CPU:
# no tensor from host values, no copy between devices, no host read.
barbershop_gtest(test_step_copies SOURCES test_step_copies.cpp LIBS barbershop_engine_internals FIXTURES pipeline)
