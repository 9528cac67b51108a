# Checkpoint reading: zip, legacy and safetensors files written by real
# torch.save (Debian's python3-torch), damaged copies of them, and the real
# LPIPS weights.
barbershop_fixture(checkpoint checkpoint_files.py)
barbershop_gtest(test_checkpoint SOURCES test_checkpoint.cpp LIBS bb_checkpoint FIXTURES checkpoint)
