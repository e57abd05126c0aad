"""Draw the field app's icons (PNG) with Pillow: `python -m api.field.icons` rewrites them.

A white map pin with an amber core on deep blue; the maskable variant keeps the pin inside
the central 80 % that launchers never crop.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).parent / "static" / "icons"
BLUE = (11, 61, 145, 255)
WHITE = (255, 255, 255, 255)
AMBER = (255, 176, 32, 255)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, size, size), fill=BLUE)
    else:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BLUE)
    scale = 0.62 if maskable else 0.78
    head = size * scale * 0.36  # radius of the pin's round head
    cx, cy = size / 2, size / 2 - head * 0.45
    pen.polygon(
        [(cx - head * 0.82, cy + head * 0.58), (cx + head * 0.82, cy + head * 0.58), (cx, cy + head * 2.1)],
        fill=WHITE,
    )
    pen.ellipse((cx - head, cy - head, cx + head, cy + head), fill=WHITE)
    core = head * 0.45
    pen.ellipse((cx - core, cy - core, cx + core, cy + core), fill=AMBER)
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(ICONS / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(ICONS / "icon-maskable-512.png", optimize=True)
    draw(180, maskable=True).convert("RGB").save(ICONS / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
