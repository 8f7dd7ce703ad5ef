"""Draw the app icons and render the PNGs with Debian's Chromium.

    .venv/bin/python bench/make_icons.py

Writes pwa/static/icons/icon.svg, icon-192.png, icon-512.png and maskable-512.png. The motif is a
village house under a Vietnamese roof with upturned eaves and a signal on its wall, green #0b6e4f
on warm white; the maskable icon puts it, in warm white, inside the 80% safe zone of a full-bleed
green square. The PNGs are re-encoded as small palette images (pure Python, no Pillow).
"""

from __future__ import annotations

import struct
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ICONS = REPO_ROOT / "pwa" / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GREEN = "#0b6e4f"
WARM_WHITE = "#fbfaf7"

# The motif in a 512 box; its bounding box is x 71..441, y 115..404 (centre 256, 261).
_MOTIF = """\
<path d="M88 262 Q132 262 158 234 L256 132 L354 234 Q380 262 424 262" fill="none"
 stroke="{ink}" stroke-width="34" stroke-linecap="round" stroke-linejoin="round"/>
<path d="M174 264 L256 182 L338 264 V392 Q338 404 326 404 H186 Q174 404 174 392 Z"
 fill="{ink}"/>
<circle cx="256" cy="366" r="17" fill="{paper}"/>
<path d="M218 322 A54 54 0 0 1 294 322" fill="none" stroke="{paper}" stroke-width="17"
 stroke-linecap="round"/>
<path d="M190 292 A94 94 0 0 1 322 292" fill="none" stroke="{paper}" stroke-width="17"
 stroke-linecap="round"/>"""


def icon_svg() -> str:
    """The regular icon: green motif on a warm-white rounded square."""
    motif = _MOTIF.format(ink=GREEN, paper=WARM_WHITE)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
        "<title>Làng Số</title>\n"
        f'<rect width="512" height="512" rx="112" fill="{WARM_WHITE}"/>\n'
        f'<rect x="12" y="12" width="488" height="488" rx="102" fill="none" stroke="{GREEN}"'
        ' stroke-width="8" opacity=".18"/>\n'
        f'<g transform="translate(0 -6)">\n{motif}\n</g>\n'
        "</svg>\n"
    )


def maskable_svg() -> str:
    """The maskable icon: warm-white motif inside the 80% safe zone on full-bleed green."""
    motif = _MOTIF.format(ink=WARM_WHITE, paper=GREEN)
    # Scale 0.78 about the motif's centre: its farthest point (an eave tip) stays ~145 px from
    # the middle, well inside the safe zone's 204.8 px radius.
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
        f'<rect width="512" height="512" fill="{GREEN}"/>\n'
        f'<g transform="translate(256 256) scale(.78) translate(-256 -261)">\n{motif}\n</g>\n'
        "</svg>\n"
    )


def _render(svg: str, size: int, transparent: bool) -> bytes:
    from playwright.sync_api import sync_playwright

    page_html = (
        "<!doctype html><html><head><style>html,body{margin:0;background:transparent}"
        f"svg{{display:block;width:{size}px;height:{size}px}}</style></head>"
        f"<body>{svg}</body></html>"
    )
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": size, "height": size},
            device_scale_factor=1,
        )
        try:
            page = context.new_page()
            page.set_content(page_html)
            return page.screenshot(omit_background=transparent, type="png")
        finally:
            context.close()


def _chunks(data: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        found[kind] = found.get(kind, b"") + data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return found


def _decode_rgba(png: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    chunks = _chunks(png)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unexpected PNG: depth {depth}, colour type {colour}")
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * bpp
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int, int]] = []
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        for i in range(0, stride, bpp):
            alpha = line[i + 3] if bpp == 4 else 255
            pixels.append((line[i], line[i + 1], line[i + 2], alpha))
        previous = line
    return width, height, pixels


def _quantise(pixels: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Drop low bits until at most 256 colours remain (flat art: edges only lose a little)."""
    shift = 0
    current = pixels
    while len(set(current)) > 256:
        shift += 1
        mask = 0xFF & ~((1 << shift) - 1)
        half = (1 << shift) >> 1
        current = [
            (
                0 if a == 0 else min(255, (r & mask) + half),
                0 if a == 0 else min(255, (g & mask) + half),
                0 if a == 0 else min(255, (b & mask) + half),
                0 if a == 0 else 255 if a == 255 else min(254, (a & mask) + half),
            )
            for r, g, b, a in pixels
        ]
    return current


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _encode_palette(width: int, height: int, pixels: list[tuple[int, int, int, int]]) -> bytes:
    counts = Counter(pixels)
    # Translucent colours first so the tRNS chunk stays short.
    palette = sorted(counts, key=lambda c: (c[3] == 255, -counts[c]))
    index = {colour: i for i, colour in enumerate(palette)}
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        rows.extend(index[c] for c in pixels[y * width : (y + 1) * width])
    alphas = bytes(c[3] for c in palette if c[3] != 255)
    out = b"\x89PNG\r\n\x1a\n"
    out += _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
    out += _chunk(b"PLTE", b"".join(bytes(c[:3]) for c in palette))
    if alphas:
        out += _chunk(b"tRNS", alphas)
    out += _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    return out + _chunk(b"IEND", b"")


def optimise(png: bytes) -> bytes:
    """A palette PNG of the same picture, when that is smaller."""
    width, height, pixels = _decode_rgba(png)
    smaller = _encode_palette(width, height, _quantise(pixels))
    return smaller if len(smaller) < len(png) else png


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 1
    ICONS.mkdir(parents=True, exist_ok=True)
    regular, maskable = icon_svg(), maskable_svg()
    (ICONS / "icon.svg").write_text(regular, encoding="utf-8")
    outputs = {
        "icon-192.png": _render(regular, 192, transparent=True),
        "icon-512.png": _render(regular, 512, transparent=True),
        "maskable-512.png": _render(maskable, 512, transparent=False),
    }
    for name, png in outputs.items():
        small = optimise(png)
        (ICONS / name).write_bytes(small)
        print(f"{name:18} {len(png):>7} bytes from Chromium, {len(small):>6} written")
    print(f"icon.svg           {len(regular.encode()):>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
