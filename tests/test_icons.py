"""The app icon: the committed PNG, ICO and ICNS files are there, at the sizes platforms want."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QImageReader

from auditor.paths import resources_dir

ICONS = resources_dir() / "icons"


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_png_sizes(qapp: object, size: int) -> None:
    image = QImage(str(ICONS / f"case-auditor-{size}.png"))
    assert (image.width(), image.height()) == (size, size)


@pytest.mark.parametrize(
    ("name", "sizes"),
    [
        ("case-auditor.ico", [16, 24, 32, 48, 64, 128, 256]),
        ("case-auditor.icns", [16, 32, 64, 128, 256, 512, 1024]),
    ],
)
def test_windows_and_macos_icons_hold_every_size(qapp: object, name: str, sizes: list[int]) -> None:
    reader = QImageReader(str(ICONS / name))
    found = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        found.append(reader.read().width())
    assert found == sizes


def test_the_svg_source_is_committed() -> None:
    assert (ICONS / "case-auditor.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
