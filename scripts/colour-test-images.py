#!/usr/bin/python3
"""Colour-tagged test images for tests/colour.rs, made with Pillow and the ICC
profiles of Debian's colord-data (python3-pil, colord-data).

    scripts/colour-test-images.py OUT_DIR

Writes flat patches (64 x 64 px, one colour) tagged with a profile:
  prophoto.jpg       (150, 60, 60) in ProPhoto RGB
  adobe-multipart.jpg (40, 160, 90) in Adobe RGB (1998), the profile padded
                     past 64 KiB so the JPEG carries it in several APP2 parts
  swapped.png        (200, 40, 40) with SwappedRedAndGreen (iCCP)
  swapped.webp       (200, 40, 40) with SwappedRedAndGreen (ICCP), lossless
  corrupt.jpg        (200, 40, 40) with an APP2 profile that is not ICC
  untagged.png       (200, 40, 40), no profile
  srgb.png           (200, 40, 40) with the sRGB profile (iCCP): already sRGB
  picture-in.svg     an SVG logo holding prophoto.jpg as a data: URL
and page.html, the same files side by side for a browser's screenshot.
"""

import base64
import pathlib
import struct
import sys

from PIL import Image

ICC = pathlib.Path("/usr/share/color/icc/colord")
SIDE = 64

IMAGES = [
    ("prophoto.jpg", (150, 60, 60), "ProPhotoRGB.icc"),
    ("adobe-multipart.jpg", (40, 160, 90), "AdobeRGB1998.icc"),
    ("swapped.png", (200, 40, 40), "SwappedRedAndGreen.icc"),
    ("swapped.webp", (200, 40, 40), "SwappedRedAndGreen.icc"),
    ("corrupt.jpg", (200, 40, 40), None),
    ("untagged.png", (200, 40, 40), None),
    ("srgb.png", (200, 40, 40), "sRGB.icc"),
    ("picture-in.svg", None, None),
]


def padded(icc: bytes, size: int) -> bytes:
    """The profile with zeros after its tags and its size field updated."""
    out = icc + bytes(size - len(icc))
    return struct.pack(">I", len(out)) + out[4:]


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, rgb, profile in IMAGES:
        if name.endswith(".svg"):
            continue
        img = Image.new("RGB", (SIDE, SIDE), rgb)
        icc = (ICC / profile).read_bytes() if profile else None
        if name == "adobe-multipart.jpg":
            icc = padded(icc, 150_000)
        if name == "corrupt.jpg":
            icc = b"not an ICC profile " * 20
        kw = {"icc_profile": icc} if icc else {}
        if name.endswith(".jpg"):
            img.save(out / name, quality=100, subsampling=0, **kw)
        elif name.endswith(".webp"):
            img.save(out / name, lossless=True, **kw)
        else:
            img.save(out / name, **kw)
    # An SVG logo whose picture carries a profile.
    inner = base64.b64encode((out / "prophoto.jpg").read_bytes()).decode()
    (out / "picture-in.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{SIDE}" height="{SIDE}" viewBox="0 0 {SIDE} {SIDE}">'
        f'<image width="{SIDE}" height="{SIDE}" xlink:href="data:image/jpeg;base64,{inner}"/></svg>\n'
    )

    # The files inlined as data: URLs (headless Chromium loads no file: image
    # beside a file: page).
    def url(name: str) -> str:
        mime = {"jpg": "jpeg", "png": "png", "webp": "webp", "svg": "svg+xml"}[name.rsplit(".", 1)[1]]
        return f"data:image/{mime};base64," + base64.b64encode((out / name).read_bytes()).decode()

    cells = "".join(
        f'<img src="{url(name)}" style="position:absolute;left:{i * SIDE}px;top:0;width:{SIDE}px;height:{SIDE}px">'
        for i, (name, _, _) in enumerate(IMAGES)
    )
    (out / "page.html").write_text(
        f'<!doctype html><html><body style="margin:0;background:#fff">{cells}</body></html>\n'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
