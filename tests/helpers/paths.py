"""Where the checkout and the test data are, for tests at any depth of the tree."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
HELPERS = Path(__file__).resolve().parent
