"""The practice part: the practice page and the first-run setup wizard."""
