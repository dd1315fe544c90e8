"""Load and scale benchmarks: `make bench` runs them and writes BENCHMARKS.md."""
