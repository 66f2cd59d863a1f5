"""The cases shipped with gasmix, one folder each: `mexico` (the default: Mexico 2026–27)
and `mexico-2024` (the 2024 backcast, solved against observed flows)."""
