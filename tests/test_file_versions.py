"""A line of the code a run measured, followed into the developer's edited file."""

from __future__ import annotations

import time

import pytest

from lprof_viewer.core.file_versions import follow_line


@pytest.mark.parametrize(
    "edited, line, expected",
    [
        (["a", "b", "c", "d", "e"], 3, 3),  # unchanged
        (["new", "new", "a", "b", "c", "d", "e"], 3, 5),  # lines added above
        (["a", "b", "C", "d", "e"], 3, 3),  # edited in place: its new version
        (["a", "b", "d", "e"], 4, 3),  # a line above removed
        (["a", "b", "d", "e"], 3, 3),  # removed: the line that took its place
        (["a", "b", "c"], 5, 3),  # removed at the end: the last line
        (["a", "b", "c", "new", "d", "e"], 4, 5),  # a line added just above
    ],
)
def test_a_line_is_followed_into_an_edited_version_of_its_file(
    edited: list[str], line: int, expected: int
) -> None:
    assert follow_line(["a", "b", "c", "d", "e"], edited, line) == expected


def test_a_line_is_followed_past_large_edits_at_both_ends() -> None:
    body = [f"value_{i} = {i}" for i in range(3000)]
    # 1,300 lines added at the top, the last line edited: a checkout or a merge.
    edited = [f"header_{k} = {k}" for k in range(1300)] + body[:-1] + ["main(sys.argv)"]
    assert follow_line(body, edited, 101) == 1401
    # The first line edited and 3,000 lines appended: line 1,500 has not moved.
    appended = ["# a new header", *body[1:], *(f"more_{k} = {k}" for k in range(3000))]
    assert follow_line(body, appended, 1500) == 1500
    assert follow_line(body, appended, 2900) == 2900
    # Lines of one text in many places (``return total``) follow their function.
    functions = [f"def f{k}():\n    total = {k}\n    return total".split("\n") for k in range(500)]
    old = [line for function in functions for line in function]
    new = ["import sys", *old[:600], "    log()", *old[600:]]
    assert follow_line(old, new, 903) == 905  # f300's return, below the added line


def test_a_line_past_the_end_of_the_edited_file_is_its_last_line() -> None:
    assert follow_line(["a", "b", "c"], ["x"], 7) == 1
    assert follow_line(["a", "b", "c"], ["a", "b", "c"], 7) == 3
    assert follow_line(["a", "b", "c"], [], 2) == 1


def test_a_line_edited_below_a_new_comment_or_docstring_is_followed_to_its_new_version() -> None:
    loop = ["def f(data):", "    total = 0", "    for x in data:", "        total += x * x"]
    commented = [*loop[:3], "        # squares, faster", "        total += x ** 2"]
    assert follow_line(loop, commented, 4) == 5  # not the comment that took its place
    documented = ["def f(data):", '    """Sum them."""', "    total = 0.0", *loop[2:]]
    assert follow_line(loop, documented, 2) == 3
    # Nothing like it in the rewritten lines: where it stood.
    assert follow_line(loop, [*loop[:3], "        pass"], 4) == 4


def test_of_two_equally_alike_versions_the_nearest_is_taken() -> None:
    plain = ["def f(key):", "    value = compute(key)", "    return value"]
    branched = [
        "def f(key):",
        "    if cached(key):",
        "        value = compute(key)",
        "    else:",
        "        value = compute(key)",
        "    return value",
    ]
    assert follow_line(plain, branched, 2) == 3


def test_a_line_of_a_moved_function_goes_where_the_function_went() -> None:
    functions = [[f"def f{k}(data):", "    total = 0", "    return total"] for k in range(3000)]
    old = [line for function in functions for line in function]
    # f10 moved to the end of the file: its lines, all but the def repeated everywhere, go too.
    moved = [line for k, f in enumerate(functions) if k != 10 for line in f] + functions[10]
    started = time.perf_counter()
    assert follow_line(old, moved, 33) == len(moved)  # f10's `return total`
    assert follow_line(old, moved, 32) == len(moved) - 1  # its `total = 0`
    assert time.perf_counter() - started < 0.5  # the whole file compared took seconds


def test_lines_renamed_alike_each_go_to_their_own_version() -> None:
    old = ["def f():", "    total = 0", *["    total += 1"] * 3, "    return total"]
    new = ["def f():", "    count = 0", *["    count += 1"] * 3, "    return count"]
    assert [follow_line(old, new, n) for n in range(1, 7)] == [1, 2, 3, 4, 5, 6]


def test_a_line_moved_into_another_function_leaves_the_lines_below_it_in_place() -> None:
    def function(name: str, body: str, *extra: str) -> list[str]:
        return [f"def {name}(data):", f"    result = {body}(data)", *extra, "    return result"]

    done = '    log.debug("done")'
    before = [*function("f", "sum", done), "", *function("g", "max"), "", *function("h", "min")]
    after = [*function("f", "sum"), "", *function("g", "max"), "", *function("h", "min", done)]
    assert follow_line(before, after, 4) == 3  # f's return, not h's
    assert follow_line(before, after, 5) == 4
