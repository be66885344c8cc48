"""Maritime Silk Road indices: the weekly container freight index, the monthly trade index and
the port index, compiled and released like a benchmark; and the index-number formulas they use."""
