"""Fonts served by Jiuzhu itself, found where Debian installs them (nothing is copied into the repository).

`SystemFontFinder` is a staticfiles finder: `fonts/TibetanMachineUni.ttf` is read from the Debian package
fonts-tibetan-machine (installed by scripts/run and scripts/test), so collectstatic copies it into
STATIC_ROOT and WhiteNoise serves it; the portal's CSS names it in @font-face. The same file is the
Tibetan font of the bilingual PDFs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static name → (the file on a Debian system, its licence file)
SYSTEM_FONTS = {
    "fonts/TibetanMachineUni.ttf": Path("/usr/share/fonts/truetype/tibetan-machine/TibetanMachineUni.ttf"),
}
TIBETAN_FONT_FILE = SYSTEM_FONTS["fonts/TibetanMachineUni.ttf"]
TIBETAN_FONT_FAMILY = "Tibetan Machine Uni"


class SystemFontFinder(BaseFinder):
    """Find the few system fonts Jiuzhu serves; a missing package simply finds nothing."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        source = SYSTEM_FONTS.get(path)
        if source is None or not source.exists():
            return [] if find_all else ""
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name, source in SYSTEM_FONTS.items():
            if source.exists():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = os.path.dirname(name)  # type: ignore[attr-defined]
                yield source.name, storage
