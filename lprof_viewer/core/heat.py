"""Heat colours: a perceptually even ramp from no colour to hot.

Colours are mixed in OKLab, where equal steps look like equal changes, from
the background the line is drawn on to a hot red-orange. The GUI and the
HTML export both take their shading from here.
"""

from __future__ import annotations

from functools import lru_cache

RGB = tuple[int, int, int]

#: The colour of the hottest line.
HOT: RGB = (222, 45, 38)
#: The tint of code lines that never ran (distinct from non-code lines, which get none).
NEVER_RAN_LIGHT: RGB = (236, 238, 242)
NEVER_RAN_DARK: RGB = (52, 56, 64)


def _to_linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(value: float) -> int:
    value = min(1.0, max(0.0, value))
    c = 12.92 * value if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055
    return round(c * 255)


def _cbrt(value: float) -> float:
    # math.cbrt arrived in Python 3.11; the inputs here are never negative.
    return value ** (1 / 3) if value > 0 else 0.0


@lru_cache(maxsize=64)  # a ramp's two ends, asked for again on every line shaded
def _to_oklab(rgb: RGB) -> tuple[float, float, float]:
    r, g, b = (_to_linear(c) for c in rgb)
    lo = _cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b)
    mo = _cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b)
    so = _cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    return (
        0.2104542553 * lo + 0.7936177850 * mo - 0.0040720468 * so,
        1.9779984951 * lo - 2.4285922050 * mo + 0.4505937099 * so,
        0.0259040371 * lo + 0.7827717662 * mo - 0.8086757660 * so,
    )


def _from_oklab(lab: tuple[float, float, float]) -> RGB:
    lightness, a, b = lab
    lo = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    mo = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    so = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        _from_linear(4.0767416621 * lo - 3.3077115913 * mo + 0.2309699292 * so),
        _from_linear(-1.2684380046 * lo + 2.6097574011 * mo - 0.3413193965 * so),
        _from_linear(-0.0041960771 * lo - 0.7034186147 * mo + 1.7076147010 * so),
    )


def heat_color(fraction: float, base: RGB = (255, 255, 255), hot: RGB = HOT) -> RGB:
    """The shade for a line holding ``fraction`` (0..1) of the heat, drawn on ``base``."""
    t = min(1.0, max(0.0, fraction))
    (l0, a0, b0), (l1, a1, b1) = _to_oklab(base), _to_oklab(hot)
    # Written out, not zipped: an HTML page of a large diff shades 400,000 cells.
    return _from_oklab((l0 + (l1 - l0) * t, a0 + (a1 - a0) * t, b0 + (b1 - b0) * t))


def heat_fraction(time: float, hottest: float) -> float:
    """How hot a line is: its time against the hottest line of the function."""
    return time / hottest if hottest > 0 else 0.0


def relative_luminance(rgb: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_to_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


#: The least contrast (WCAG ratio) a token colour needs on its background.
MIN_TOKEN_CONTRAST = 3.0


@lru_cache(maxsize=4096)  # asked for each token of a page's timed lines
def reads_on(foreground: RGB, background: RGB) -> bool:
    """True when text of colour ``foreground`` reads on ``background`` (a token on a shade)."""
    lighter, darker = sorted(map(relative_luminance, (foreground, background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05) >= MIN_TOKEN_CONTRAST


def text_on(shade: RGB) -> str:
    """The text colour (#rrggbb) for a page's line on ``shade``: white on dark reds."""
    return "#ffffff" if is_dark(shade) else "#1d1f23"


@lru_cache(maxsize=256)  # asked for every change cell a diff table draws
def is_dark(rgb: RGB) -> bool:
    """True when light text reads better than dark text on this background."""
    luminance = relative_luminance(rgb)
    # Contrast with white is (1.05)/(L+0.05), with black (L+0.05)/0.05: equal at L≈0.18.
    return luminance < 0.179


def blend(below: RGB, above: RGB, weight: float) -> RGB:
    """``above`` laid over ``below`` with opacity ``weight`` (0..1)."""
    return (
        round(below[0] * (1 - weight) + above[0] * weight),
        round(below[1] * (1 - weight) + above[1] * weight),
        round(below[2] * (1 - weight) + above[2] * weight),
    )


def hex_color(rgb: RGB) -> str:
    """``#rrggbb`` for CSS."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
