"""Render the app icon's PNG sizes, the Windows ICO and the macOS ICNS from its SVG.

Run from anywhere after editing ``resources/icons/lprof-viewer.svg``, then commit what it
wrote::

    python packaging/make_icons.py

Qt draws the SVG (``QSvgRenderer``, in PySide6-Essentials). Qt's own ICO and ICNS writers
store a single size, so the two containers are written here from the rendered sizes: both
formats are a short header, a table of entries and the images themselves.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lprof_viewer.assets import APP_ICON_SIZES  # noqa: E402  (this checkout's, not an installed one)

ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "lprof-viewer.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's PNG-holding ICNS entry types and the pixel size each holds (iconutil's set).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16 pt @2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32 pt @2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128 pt @2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256 pt @2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512 pt @2x
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn on a transparent ``size`` x ``size`` image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image: QImage) -> bytes:
    """An ICO entry in the classic form: a 32-bit BGRA DIB, bottom-up, then its AND mask.

    Small sizes are stored this way rather than as PNG, which older Windows tools (and
    some installers' icon readers) do not accept.
    """
    size = image.width()
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    stride = rgba.bytesPerLine()
    raw = rgba.constBits().tobytes()
    rows = [raw[y * stride : y * stride + size * 4] for y in range(size)]
    pixels = bytearray()
    mask = bytearray()
    mask_stride = ((size + 31) // 32) * 4
    for row in reversed(rows):  # DIBs store the bottom row first
        bgra = bytearray(len(row))
        bgra[0::4], bgra[1::4], bgra[2::4], bgra[3::4] = row[2::4], row[1::4], row[0::4], row[3::4]
        pixels += bgra
        bits = bytearray(mask_stride)
        for x in range(size):
            if row[x * 4 + 3] == 0:  # transparent where the mask bit is set
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    header = struct.pack(
        "<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0
    )
    return header + bytes(pixels) + bytes(mask)


def ico_bytes(images: dict[int, QImage]) -> bytes:
    """A Windows ICO holding every size: BMP entries, and PNG for 256 (as Windows does)."""
    entries = [
        (size, png_bytes(images[size]) if size >= 256 else bmp_entry(images[size]))
        for size in sorted(images)
    ]
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        side = 0 if size >= 256 else size  # 0 means 256 in the directory
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in entries)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS ICNS holding PNG entries for every point size at 1x and 2x."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    """Write the PNG sizes, the ICO and the ICNS beside the SVG."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"make_icons: Qt cannot read {SVG}", file=sys.stderr)
        return 1
    sizes = sorted({*APP_ICON_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    images = {size: render(renderer, size) for size in sizes}
    for size in APP_ICON_SIZES:  # named as lprof_viewer.assets.app_icon_png expects
        (ICONS / f"lprof-viewer-{size}.png").write_bytes(png_bytes(images[size]))
    (ICONS / "lprof-viewer.ico").write_bytes(ico_bytes({s: images[s] for s in ICO_SIZES}))
    pngs = {size: png_bytes(images[size]) for _, size in ICNS_TYPES}
    (ICONS / "lprof-viewer.icns").write_bytes(icns_bytes(pngs))
    print(f"make_icons: wrote {len(APP_ICON_SIZES)} PNGs, lprof-viewer.ico and .icns in {ICONS}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
