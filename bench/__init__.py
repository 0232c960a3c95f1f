"""Benchmarks of zoom-rooms-mcp against its built-in Zoom simulator: ``python -m bench.run [--quick] [--soak S]``.

See docs/benchmark.md for what each measurement means and how to read the ratios.
"""
