"""Following a line of one version of a file into another, edited version of it."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence


def follow_line(old: Sequence[str], new: Sequence[str], lineno: int) -> int:
    """Where 1-based line ``lineno`` of ``old`` is in ``new``, an edited version of it.

    Lines kept stand where the edits moved them; a line edited in place
    stands at its new version; a line removed, where it was (the line after
    it now); a line past the end of ``new``, at its last line. The two
    versions are compared after their common start and end, between the
    nearest lines above and below it found once in each (as a patience diff
    anchors): a sequence diff of two whole 24,000-line files of look-alike
    lines takes over a second, on the GUI thread.
    """
    index, last = lineno - 1, max(len(new) - 1, 0)
    if index < 0:
        return lineno
    if index >= len(old) or old == new:
        return min(lineno, last + 1)
    shorter = min(len(old), len(new))
    pairs = zip(old, new, strict=False)  # up to the end of the shorter
    same_start = next((k for k, (a, b) in enumerate(pairs) if a != b), shorter)
    if index < same_start:
        return lineno
    ends = zip(reversed(old[same_start:]), reversed(new[same_start:]), strict=False)
    same_end = next((k for k, (a, b) in enumerate(ends) if a != b), shorter - same_start)
    if index >= len(old) - same_end:  # in the common end: moved by the change in length
        return min(lineno + len(new) - len(old), last + 1)
    old_from, old_to, new_from, new_to = _anchors_around(
        old, new, index, same_start, len(old) - same_end, len(new) - same_end
    )
    matcher = difflib.SequenceMatcher(
        None, old[old_from:old_to], new[new_from:new_to], autojunk=False
    )
    at = index - old_from
    for tag, old_start, old_stop, new_start, new_stop in matcher.get_opcodes():
        if old_start <= at < old_stop:  # an insertion holds no old line: never this one
            if tag == "replace":  # edited: its most alike new version, else its place
                place = min(at - old_start, new_stop - new_start - 1)
                found = _most_alike(
                    old[index], new[new_from + new_start : new_from + new_stop], place
                )
                offset = place if found is None else found
            else:
                offset = 0 if tag == "delete" else at - old_start
            return min(new_from + new_start + offset, last) + 1
    return min(new_from, last) + 1  # not reached: the old span holds the line


#: How alike (``SequenceMatcher.ratio``) a rewritten block's line must be to the
#: followed one to be taken for its new version; and how many lines are compared.
EDITED_ALIKE = 0.6
MAX_COMPARED = 200


def _most_alike(line: str, candidates: Sequence[str], place: int) -> int | None:
    """The index of the candidate most alike ``line`` (stripped), if ``EDITED_ALIKE``.

    Of equally alike ones, the nearest ``place`` (the line's own place in the
    block): three lines renamed alike each go to their own version.
    """
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(line.strip())
    best: tuple[float, int] | None = None
    for offset, candidate in enumerate(candidates[:MAX_COMPARED]):
        matcher.set_seq1(candidate.strip())
        least = best[0] if best else EDITED_ALIKE
        if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
            continue
        ratio = matcher.ratio()
        if ratio >= EDITED_ALIKE and (
            best is None or (ratio, -abs(offset - place)) > (best[0], -abs(best[1] - place))
        ):
            best = (ratio, offset)
    return None if best is None else best[1]


def _anchors_around(
    old: Sequence[str], new: Sequence[str], index: int, start: int, old_end: int, new_end: int
) -> tuple[int, int, int, int]:
    """The spans of ``old`` and ``new`` (from, to) between the lines nearest ``index``
    that each version holds once, where the two orders agree; the whole middle
    ``start:old_end`` / ``start:new_end`` where they find none or disagree."""
    once_old = Counter(old[start:old_end])
    counted_new = Counter(new[start:new_end])
    place_in_new = {
        text: j for j, text in enumerate(new[start:new_end], start) if counted_new[text] == 1
    }

    def anchored(k: int) -> int | None:
        text = old[k]
        return place_in_new.get(text) if once_old[text] == 1 else None

    above = next(
        ((k, j) for k in range(index, start - 1, -1) if (j := anchored(k)) is not None),
        (start - 1, start - 1),
    )
    if above[0] == index:  # the line itself is found once in each
        return index, index + 1, above[1], above[1] + 1
    below = next(
        ((k, j) for k in range(index + 1, old_end) if (j := anchored(k)) is not None),
        (old_end, new_end),
    )
    if above[1] < below[1]:
        return above[0] + 1, below[0], above[1] + 1, below[1]
    # Moved code (the anchors cross): a sequence diff of the whole edited middle says
    # where each line went, as a diff tool would; past WHOLE_MIDDLE lines that costs
    # seconds, and the line goes where the line above it went (a function's lines go
    # with its def), sought within MOVED_SPAN lines of it.
    if above[0] < start or old_end - start + new_end - start <= WHOLE_MIDDLE:
        return start, old_end, start, new_end
    # Past the common end too: a moved function's last lines may read as the file's.
    reach = index - above[0] + MOVED_SPAN
    old_to, new_to = min(above[0] + reach, len(old)), min(above[1] + reach, len(new))
    return above[0] + 1, old_to, above[1] + 1, new_to


#: Lines of both versions' edited middles up to which moved code is diffed whole.
WHOLE_MIDDLE = 6_000
#: How far past a moved line's own distance from its anchor its new place is sought.
MOVED_SPAN = 200
