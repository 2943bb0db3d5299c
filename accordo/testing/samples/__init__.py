"""Public sample files for tests (see README.md here for where each comes from)."""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
