"""Benchmarks of the tutorial and its emulator: `python -m bench` (see bench/README.md).

Every figure is a median over several interleaved runs and is reported as a ratio against a
baseline measured in the same run, because the machine is shared and noisy. Benchmarks print;
they never assert times.
"""
