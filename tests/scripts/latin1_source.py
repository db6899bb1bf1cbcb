# -*- coding: latin-1 -*-
"""Profiling target saved in latin-1 encoding (not UTF-8).

Non-ASCII latin-1 text: café, naïve, señor, £5, ±1, ¿qué?
"""

LABEL = "résumé à la française"


@profile
def describe(n: int = 100) -> str:
    """Build a string from latin-1 literals: déjà vu."""
    parts = []
    for i in range(n):
        parts.append(f"{LABEL} nº{i}")
    return "; ".join(parts)


if __name__ == "__main__":
    describe()
