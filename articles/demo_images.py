"""The demo articles' lead images: abstract landscapes drawn with Pillow.

Each picture is a composition (hills, skyline, sea, ...) painted in its section's palette and
seeded by the article's slug, so the same article always gets the same image and the
repository needs no binary files.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

IMAGE_SIZE = (1600, 900)
_SCALE = 2  # draw at twice the size, then shrink: smooth edges without anti-aliased drawing

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    sky_top: RGB
    sky_bottom: RGB
    sun: RGB
    far: RGB
    near: RGB
    accent: RGB


PALETTES: dict[str, Palette] = {
    # Dusk over the harbour: navy into peach, amber lights.
    "news": Palette(
        (24, 36, 78), (244, 168, 118), (255, 222, 160), (96, 92, 138), (18, 22, 44), (255, 200, 112)
    ),
    # Sea-green morning: teal into pale mint.
    "climate": Palette(
        (16, 74, 92),
        (196, 228, 204),
        (255, 246, 210),
        (104, 158, 138),
        (14, 56, 50),
        (236, 250, 236),
    ),
    # Night sky: indigo into violet, cyan glow.
    "science": Palette(
        (8, 8, 34), (64, 40, 118), (130, 232, 255), (86, 64, 160), (18, 14, 56), (190, 240, 255)
    ),
    # Warm studio colours: plum into apricot.
    "culture": Palette(
        (110, 28, 72), (252, 184, 112), (255, 234, 176), (196, 86, 92), (64, 18, 48), (255, 214, 92)
    ),
    # Bright match day: blue sky, green turf.
    "sport": Palette(
        (34, 104, 188),
        (176, 218, 242),
        (255, 250, 226),
        (76, 156, 92),
        (22, 92, 52),
        (248, 248, 240),
    ),
}


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    t = min(max(t, 0.0), 1.0)
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB, power: float = 1.0) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, height))
    column.putdata([_mix(top, bottom, (y / max(height - 1, 1)) ** power) for y in range(height)])
    return column.resize((width, height), Image.Resampling.NEAREST)


def _glow(
    canvas: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, alpha: int
) -> None:
    """Paint a soft halo: drawn small, blurred and scaled up, which is fast and smooth."""
    shrink = 8
    small = Image.new("L", (canvas.width // shrink, canvas.height // shrink), 0)
    cx, cy, r = centre[0] / shrink, centre[1] / shrink, radius / shrink
    ImageDraw.Draw(small).ellipse((cx - r, cy - r, cx + r, cy + r), fill=alpha)
    small = small.filter(ImageFilter.GaussianBlur(r * 0.6))
    mask = small.resize(canvas.size, Image.Resampling.BICUBIC)
    canvas.paste(Image.new("RGB", canvas.size, colour), (0, 0), mask)


def _disc(canvas: Image.Image, centre: tuple[float, float], radius: float, colour: RGB) -> None:
    x, y = centre
    ImageDraw.Draw(canvas).ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _ridge(
    rng: random.Random, width: int, base: float, amplitude: float, roughness: int = 3
) -> list[tuple[float, float]]:
    """The top edge of a hill: a few sine waves of random phase, summed."""
    waves = [
        (amplitude / (k + 1) ** 1.1, rng.uniform(0.6, 1.6) * (k + 1), rng.uniform(0, math.tau))
        for k in range(roughness)
    ]
    step = 8
    points = []
    for x in range(0, width + step, step):
        y = base + sum(a * math.sin(f * math.tau * x / width + p) for a, f, p in waves)
        points.append((float(x), y))
    return points


def _hill(canvas: Image.Image, ridge: list[tuple[float, float]], colour: RGB) -> None:
    polygon = [*ridge, (canvas.width, canvas.height), (0, canvas.height)]
    ImageDraw.Draw(canvas).polygon(polygon, fill=colour)


def _haze(canvas: Image.Image, colour: RGB, amount: float) -> Image.Image:
    return Image.blend(canvas, Image.new("RGB", canvas.size, colour), amount)


# --- Compositions ------------------------------------------------------------------------------


def _hills(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    img = _gradient(size, p.sky_top, p.sky_bottom, power=1.3)
    sun = (rng.uniform(0.2, 0.8) * width, rng.uniform(0.28, 0.45) * height)
    _glow(img, sun, height * 0.5, p.sun, 170)
    _disc(img, sun, height * rng.uniform(0.07, 0.1), p.sun)
    layers = 5
    for i in range(layers):
        t = i / (layers - 1)
        base = height * (0.5 + 0.11 * i) + rng.uniform(-0.02, 0.02) * height
        ridge = _ridge(rng, width, base, height * (0.07 - 0.008 * i), roughness=4)
        colour = _mix(_mix(p.far, p.sky_bottom, 0.35), p.near, t**0.9)
        _hill(img, ridge, colour)
        if i < layers - 1:
            # Mist pooling in the valleys makes the layers read as distance.
            mist = Image.new("L", size, 0)
            ImageDraw.Draw(mist).rectangle((0, base + height * 0.02, width, height), fill=40)
            mist = mist.filter(ImageFilter.GaussianBlur(height * 0.04))
            img.paste(Image.new("RGB", size, p.sky_bottom), (0, 0), mist)
    return img


def _skyline(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    waterline = round(height * rng.uniform(0.64, 0.7))
    img = _gradient(size, p.sky_top, p.sky_bottom, power=1.5)
    sun = (rng.uniform(0.15, 0.85) * width, waterline - height * rng.uniform(0.05, 0.12))
    _glow(img, sun, height * 0.55, p.sun, 190)
    _disc(img, sun, height * 0.085, p.sun)
    _hill(
        img,
        _ridge(rng, width, waterline - height * 0.08, height * 0.04),
        _mix(p.far, p.sky_bottom, 0.3),
    )
    draw = ImageDraw.Draw(img)
    # Two rows of buildings: a paler row behind, a dark row in front with lit windows.
    for row, colour in ((0, _mix(p.far, p.near, 0.35)), (1, p.near)):
        x = -rng.uniform(0, 40) * _SCALE
        while x < width:
            w = rng.uniform(40, 120) * _SCALE
            h = rng.uniform(0.06, 0.2 if row else 0.28) * height
            if rng.random() < 0.12:
                h *= 1.6  # an occasional tower
            top = waterline - h
            draw.rectangle((x, top, x + w, waterline), fill=colour)
            if rng.random() < 0.25:
                inset = w * rng.uniform(0.2, 0.35)
                draw.rectangle((x + inset, top - h * 0.12, x + w - inset, top), fill=colour)
            if rng.random() < 0.15:
                mid = x + w / 2
                draw.polygon(
                    [(mid - 3 * _SCALE, top), (mid + 3 * _SCALE, top), (mid, top - h * 0.35)],
                    fill=colour,
                )
            if row:
                win = 5 * _SCALE
                for wy in range(round(top + win * 2), waterline - win * 2, win * 3):
                    for wx in range(round(x + win * 1.5), round(x + w - win * 2), win * 3):
                        if rng.random() < 0.22:
                            lit = _mix(p.accent, p.near, rng.uniform(0, 0.4))
                            draw.rectangle((wx, wy, wx + win, wy + win * 1.3), fill=lit)
            x += w + rng.uniform(-10, 14) * _SCALE
    # The harbour: a darkened, rippled reflection of everything above it.
    reflection = img.crop((0, waterline - (height - waterline), width, waterline))
    reflection = reflection.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    reflection = reflection.filter(ImageFilter.GaussianBlur(3 * _SCALE))
    reflection = _haze(reflection, p.near, 0.45)
    strips = ImageDraw.Draw(reflection)
    for _ in range(260):
        y = rng.uniform(0, reflection.height) ** 1.0
        x0 = rng.uniform(-100, width)
        length = rng.uniform(30, 220) * _SCALE
        shade = _mix(p.near, p.sky_bottom, rng.uniform(0.0, 0.5))
        strips.line((x0, y, x0 + length, y), fill=shade, width=_SCALE * rng.choice((1, 2)))
    img.paste(reflection, (0, waterline))
    return img


def _sea(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    horizon = round(height * rng.uniform(0.55, 0.62))
    img = _gradient(size, p.sky_top, p.sky_bottom, power=1.2)
    sun = (rng.uniform(0.3, 0.7) * width, horizon - height * rng.uniform(0.1, 0.2))
    _glow(img, sun, height * 0.6, p.sun, 190)
    _disc(img, sun, height * 0.09, p.sun)
    # A headland reaching in from one side, then the sea.
    reach, rise = width * rng.uniform(0.3, 0.5), height * rng.uniform(0.05, 0.09)
    bumps = _ridge(rng, width, 0, rise * 0.25)
    from_left = sun[0] > width / 2  # on the side away from the sun
    ridge = []
    for x, wobble in bumps:
        distance = x if from_left else width - x
        slope = max(0.0, 1 - distance / reach) ** 0.7
        ridge.append((x, horizon + 1 - slope * (rise + wobble)))
    _hill(img, ridge, _mix(p.far, p.near, 0.45))
    sea = _gradient((width, height - horizon), _mix(p.far, p.sky_bottom, 0.4), p.near, power=0.8)
    draw = ImageDraw.Draw(sea)
    # Glints under the sun and long swells across the bay, denser towards the horizon.
    for _ in range(420):
        depth = rng.random() ** 2.2
        y = depth * sea.height
        spread = width * (0.05 + 0.25 * depth)
        x = sun[0] + rng.gauss(0, spread)
        length = (10 + 120 * depth) * _SCALE * rng.uniform(0.4, 1.0)
        glint = _mix(p.sun, p.sky_bottom, rng.uniform(0, 0.5))
        draw.line((x - length / 2, y, x + length / 2, y), fill=glint, width=_SCALE)
    for _ in range(180):
        depth = rng.random() ** 1.6
        y = depth * sea.height
        x = rng.uniform(-200, width)
        length = (40 + 360 * depth) * _SCALE
        shade = _mix(p.near, p.far, rng.uniform(0.2, 0.6))
        draw.line((x, y, x + length, y), fill=shade, width=round(_SCALE * (1 + 2 * depth)))
    img.paste(sea, (0, horizon))
    return img


def _orbits(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    img = _gradient(size, p.sky_top, p.sky_bottom, power=0.9)
    draw = ImageDraw.Draw(img)
    for _ in range(500):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.choice((1, 1, 1, 2, 2, 3)) * _SCALE * 0.6
        draw.ellipse(
            (x - r, y - r, x + r, y + r), fill=_mix(p.accent, p.sky_top, rng.uniform(0, 0.7))
        )
    centre = (rng.uniform(0.55, 0.75) * width, rng.uniform(0.45, 0.6) * height)
    radius = height * rng.uniform(0.22, 0.28)
    _glow(img, centre, radius * 2.4, p.sun, 110)
    # The planet: concentric discs from rim to a lit point give it volume.
    light = (centre[0] - radius * 0.35, centre[1] - radius * 0.35)
    for i in range(60, -1, -1):
        t = i / 60
        r = radius * (0.25 + 0.75 * t)
        cx = light[0] + (centre[0] - light[0]) * t
        cy = light[1] + (centre[1] - light[1]) * t
        _disc(img, (cx, cy), r, _mix(_mix(p.accent, p.sun, 0.4), p.near, t**1.4))
    # Orbits: thin ellipses, tilted slightly, each with a moon.
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    odraw = ImageDraw.Draw(overlay)
    for k in range(4):
        rx = radius * (1.6 + 0.55 * k)
        ry = rx * rng.uniform(0.25, 0.32)
        odraw.ellipse(
            (centre[0] - rx, centre[1] - ry, centre[0] + rx, centre[1] + ry),
            outline=(*p.accent, 110),
            width=_SCALE * 2,
        )
        angle = rng.uniform(0, math.tau)
        mx, my = centre[0] + rx * math.cos(angle), centre[1] + ry * math.sin(angle)
        mr = rng.uniform(5, 11) * _SCALE
        odraw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=(*p.accent, 230))
    overlay = overlay.rotate(rng.uniform(-14, -6), resample=Image.Resampling.BICUBIC, center=centre)
    img.paste(overlay, (0, 0), overlay)
    return img


def _shapes(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    img = _gradient(size, p.sky_top, p.sky_bottom, power=1.1)
    colours = [p.sun, p.far, p.near, p.accent, p.sky_bottom, _mix(p.far, p.accent, 0.5)]
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(9, 13)):
        colour = (*rng.choice(colours), rng.randint(120, 220))
        x, y = rng.uniform(0.05, 0.95) * width, rng.uniform(0.1, 0.9) * height
        r = rng.uniform(0.08, 0.3) * height
        kind = rng.choice(("disc", "disc", "arc", "bar", "half"))
        if kind == "disc":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif kind == "arc":
            start = rng.choice((0, 90, 180, 270))
            draw.arc(
                (x - r, y - r, x + r, y + r), start, start + 180, fill=colour, width=round(r * 0.22)
            )
        elif kind == "half":
            start = rng.choice((0, 90, 180, 270))
            draw.pieslice((x - r, y - r, x + r, y + r), start, start + 180, fill=colour)
        else:
            w, h = r * rng.uniform(1.5, 3.0), r * rng.uniform(0.18, 0.35)
            draw.rectangle((x - w / 2, y - h / 2, x + w / 2, y + h / 2), fill=colour)
    img.paste(overlay, (0, 0), overlay)
    _glow(
        img,
        (rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.5) * height),
        height * 0.4,
        p.sun,
        60,
    )
    return img


def _pitch(rng: random.Random, p: Palette, size: tuple[int, int]) -> Image.Image:
    width, height = size
    horizon = round(height * rng.uniform(0.42, 0.48))
    img = _gradient(size, p.sky_top, p.sky_bottom, power=1.2)
    draw = ImageDraw.Draw(img)
    # The far stand: stepped tiers, a roof line and floodlight towers.
    stand_top = horizon - height * 0.16
    stand = _mix(p.near, p.sky_top, 0.35)
    draw.rectangle((0, stand_top, width, horizon), fill=stand)
    tiers = 6
    for i in range(tiers):
        y = stand_top + (horizon - stand_top) * i / tiers
        draw.line((0, y, width, y), fill=_mix(stand, p.sky_bottom, 0.25), width=_SCALE * 2)
    draw.polygon(
        [
            (0, stand_top - height * 0.03),
            (width, stand_top - height * 0.05),
            (width, stand_top),
            (0, stand_top),
        ],
        fill=_mix(stand, p.near, 0.5),
    )
    for fx in (rng.uniform(0.06, 0.16), rng.uniform(0.84, 0.94)):
        x = fx * width
        top = stand_top - height * 0.2
        draw.rectangle((x - 3 * _SCALE, top, x + 3 * _SCALE, stand_top), fill=stand)
        draw.rectangle((x - 28 * _SCALE, top - 18 * _SCALE, x + 28 * _SCALE, top), fill=stand)
        _glow(img, (x, top - 9 * _SCALE), height * 0.14, p.sun, 170)
        draw = ImageDraw.Draw(img)
    # The turf: mown bands that widen towards the viewer.
    light, dark = _mix(p.far, p.sun, 0.12), p.near
    y, band, i = float(horizon), height * 0.018, 0
    while y < height:
        draw.rectangle((0, y, width, y + band), fill=light if i % 2 else _mix(light, dark, 0.45))
        y += band
        band *= 1.32
        i += 1
    # A touchline and the curve of the centre circle, in perspective.
    vanish = (width * rng.uniform(0.4, 0.6), horizon - height * 0.9)
    line = _mix(p.accent, light, 0.15)
    for bottom_x in (width * rng.uniform(-0.25, -0.05), width * rng.uniform(1.05, 1.25)):
        t = (horizon + height * 0.01 - vanish[1]) / (height - vanish[1])
        x_top = vanish[0] + (bottom_x - vanish[0]) * t
        draw.line((x_top, horizon + height * 0.01, bottom_x, height), fill=line, width=_SCALE * 3)
    cx, cy = width * rng.uniform(0.4, 0.6), height * 0.8
    draw.ellipse(
        (cx - width * 0.28, cy - height * 0.12, cx + width * 0.28, cy + height * 0.12),
        outline=line,
        width=_SCALE * 3,
    )
    draw.line((0, cy, width, cy), fill=line, width=_SCALE * 3)
    return _haze(img, p.sky_bottom, 0.04)


COMPOSITIONS: dict[str, Callable[[random.Random, Palette, tuple[int, int]], Image.Image]] = {
    "hills": _hills,
    "skyline": _skyline,
    "sea": _sea,
    "orbits": _orbits,
    "shapes": _shapes,
    "pitch": _pitch,
}


def make_lead_image(slug: str, section: str, composition: str) -> bytes:
    """A 1600x900 JPEG of an abstract landscape; the same slug always gives the same picture."""
    rng = random.Random(f"newsroom-demo:{slug}")
    palette = PALETTES.get(section, PALETTES["news"])
    big = (IMAGE_SIZE[0] * _SCALE, IMAGE_SIZE[1] * _SCALE)
    img = COMPOSITIONS[composition](rng, palette, big)
    img = img.resize(IMAGE_SIZE, Image.Resampling.LANCZOS)
    # A little film grain hides banding in the smooth gradients.
    grain = Image.frombytes("L", IMAGE_SIZE, rng.randbytes(IMAGE_SIZE[0] * IMAGE_SIZE[1]))
    grain = grain.point(lambda v: v * 8 // 255).convert("RGB")
    img = ImageChops.subtract(ImageChops.add(img, grain), Image.new("RGB", IMAGE_SIZE, (4, 4, 4)))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()
