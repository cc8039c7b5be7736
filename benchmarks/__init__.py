"""gdtui's benchmarks: `python -m benchmarks` runs them all and prints ratios against
references measured in the same run (never absolute timings alone: machines are noisy)."""
