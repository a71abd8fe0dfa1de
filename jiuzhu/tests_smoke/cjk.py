"""Check that a browser draws Chinese characters as real glyphs, not as boxes ("tofu").

Without a CJK font Chromium draws every Chinese character as the same empty box, and DOM assertions
(`"登录" in page.content()`) still pass. `assert_cjk_renders(page)` looks at pixels instead:

* two different characters (国, 家) must give different images, both with ink on them;
* 一 (a single horizontal stroke) must be much wider than tall, where a box is taller than wide.

Needs no image library: screenshots are decoded by the small PNG reader below.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from playwright.sync_api import Page

_BOX = 96  # px: the square each character is drawn in
_HTML = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff">
<span id="g" style="display:inline-block;width:{box}px;height:{box}px;overflow:hidden;background:#fff;
color:#000;font-family:{family};font-size:{size}px;line-height:{box}px;text-align:center">{char}</span>
</body></html>"""


@dataclass(frozen=True)
class Gray:
    """A grayscale image: `pixels[y * width + x]` is 0 (black) to 255 (white)."""

    width: int
    height: int
    pixels: bytes

    def ink(self, threshold: int = 128) -> int:
        """How many pixels are darker than `threshold`."""
        return sum(1 for p in self.pixels if p < threshold)

    def ink_bbox(self, threshold: int = 128) -> tuple[int, int, int, int] | None:
        """(left, top, right, bottom) of the dark pixels, exclusive at right and bottom; None if blank."""
        xs, ys = [], []
        for y in range(self.height):
            row = self.pixels[y * self.width : (y + 1) * self.width]
            for x, p in enumerate(row):
                if p < threshold:
                    xs.append(x)
                    ys.append(y)
        if not xs:
            return None
        return min(xs), min(ys), max(xs) + 1, max(ys) + 1

    def differing_pixels(self, other: Gray, tolerance: int = 64) -> int:
        """How many pixels differ by more than `tolerance` (the images must be the same size)."""
        assert (self.width, self.height) == (other.width, other.height), "images differ in size"
        return sum(1 for a, b in zip(self.pixels, other.pixels, strict=True) if abs(a - b) > tolerance)


def decode_png(data: bytes) -> Gray:
    """Decode an 8-bit, non-interlaced gray/RGB/RGBA PNG (what Chromium's screenshots are) to gray."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat = 8, bytearray()
    width = height = bit_depth = color_type = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, bit_depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color_type)
    if bit_depth != 8 or channels is None or interlace:
        raise ValueError(
            f"unsupported PNG: depth {bit_depth}, color type {color_type}, interlace {interlace}"
        )
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    out = bytearray(width * height)
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filt, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if filt == 1:
                line[i] = (line[i] + a) & 0xFF
            elif filt == 2:
                line[i] = (line[i] + b) & 0xFF
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif filt == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        for x in range(width):
            px = line[x * channels : x * channels + channels]
            if channels >= 3:
                value = (299 * px[0] + 587 * px[1] + 114 * px[2]) // 1000
            else:
                value = px[0]
            if channels in (2, 4):  # composite over white
                alpha = px[-1]
                value = (value * alpha + 255 * (255 - alpha)) // 255
            out[y * width + x] = value
        prev = line
    return Gray(width, height, bytes(out))


def render_chars(page: Page, chars: str, font_family: str = "sans-serif", size: int = 80) -> list[Gray]:
    """Draw each of `chars` black on white in a fresh tab of `page`'s browser; return their images.

    The tab is in a new browser context when `page`'s browser allows it (else in `page`'s own
    context), so `page` itself is left as it was.
    """
    browser = page.context.browser
    context = browser.new_context() if browser is not None else None
    tab = (context or page.context).new_page()
    try:
        images = []
        for char in chars:
            # The family goes into a double-quoted style attribute: quote font names with '.
            family = font_family.replace('"', "'")
            tab.set_content(_HTML.format(box=_BOX, family=family, size=size, char=char))
            tab.evaluate("document.fonts.ready")
            images.append(decode_png(tab.locator("#g").screenshot()))
        return images
    finally:
        tab.close()
        if context is not None:
            context.close()


def assert_cjk_renders(page: Page, font_family: str = "sans-serif") -> None:
    """Fail unless Chinese characters are drawn as real, distinct glyphs in `page`'s browser."""
    hint = "CJK text is drawn as boxes (tofu): install a CJK font (apt-get install fonts-noto-cjk)"
    guo, jia, yi = render_chars(page, "国家一", font_family)
    for char, image in (("国", guo), ("家", jia), ("一", yi)):
        assert image.ink() > 20, f"{char} left no ink on the page; {hint}"
    differing = guo.differing_pixels(jia)
    assert differing > 0.02 * guo.width * guo.height, (
        f"国 and 家 look the same ({differing} pixels differ); {hint}"
    )
    bbox = yi.ink_bbox()
    assert bbox is not None
    width, height = bbox[2] - bbox[0], bbox[3] - bbox[1]
    assert height * 3 <= width, f"一 is {width}×{height} px, not a flat stroke; {hint}"
