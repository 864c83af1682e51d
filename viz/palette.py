"""Run colours: the Okabe–Ito palette, which stays distinguishable under the common colour-vision
deficiencies (Okabe & Ito 2008, "Color Universal Design")."""

from __future__ import annotations

# Okabe–Ito order without its yellow (#F0E442): yellow lines vanish on the light landscape and
# on a white page. Black comes last because the map's own markers (minima, starts) are black.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)


def palette(n: int) -> list[str]:
    """`n` run colours (hex strings) in Okabe–Ito order, cycling after the seventh."""
    if n < 0:
        raise ValueError(f"palette needs n >= 0, got {n}")
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]
