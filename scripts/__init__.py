"""Developer scripts: the test command, screenshots, demo charts. Run as python -m scripts.NAME."""
