"""Render the app icon from resources/icons/case-auditor.svg into the files platforms want.

    .venv/bin/python packaging/make_icons.py

Writes, beside the SVG: ``case-auditor-N.png`` (the Linux hicolor sizes and the window icon),
``case-auditor.ico`` (Windows: PNG-compressed entries, Vista and later) and
``case-auditor.icns`` (macOS). The outputs are committed; run this again only when the SVG
changes. Needs Qt's SVG module (in PySide6-Essentials) and nothing else.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "case-auditor.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (Apple's icns format).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
ICNS_RETINA_512 = b"ic10"  # 1024 px: 512 pt at 2x


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_file(pngs: dict[int, bytes]) -> bytes:
    """An ICO holding PNG images: 6-byte header, a 16-byte entry each, then the images."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        png = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def icns_file(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS: ``icns`` and the total length, then each element's type, length and data."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"{SVG}: not a valid SVG", file=sys.stderr)
        return 1
    pngs = {size: render_png(renderer, size) for size in (*PNG_SIZES, 1024)}
    for size in PNG_SIZES:
        (ICONS / f"case-auditor-{size}.png").write_bytes(pngs[size])
    (ICONS / "case-auditor.ico").write_bytes(ico_file({s: pngs[s] for s in ICO_SIZES}))
    elements = [(kind, pngs[size]) for size, kind in ICNS_TYPES.items()]
    elements.append((ICNS_RETINA_512, pngs[1024]))
    (ICONS / "case-auditor.icns").write_bytes(icns_file(elements))
    print(f"Icons written to {ICONS}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
