"""One way to reach the bundled resources, installed, editable or from a source checkout."""

from __future__ import annotations

from importlib import resources as _res
from pathlib import Path


def resource_root() -> Path:
    # In a wheel, resources/ is shipped inside the package (see pyproject force-include);
    # in a source checkout it sits at the top level beside the package.
    packaged = Path(str(_res.files("winback_desktop"))) / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    path = resource_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"bundled resource missing: {path}")
    return path
