"""Data cases shipped with gasmix; `inputs/mexico/` is the embedded default case."""
