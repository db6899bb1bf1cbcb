"""Smoke tests proving the session fixtures hold real, readable kernprof output."""

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import PROFILE_FIXTURES, recorded
from line_profiler import LineStats, load_stats

Key = tuple[str, int, str]


def _by_name(stats: LineStats) -> dict[str, tuple[Key, list[tuple[int, int, int]]]]:
    """Map each recorded function name (e.g. ``Worker.process``) to its key and lines."""
    return {key[2]: (key, lines) for key, lines in stats.timings.items()}


def _total(lines: list[tuple[int, int, int]]) -> int:
    return sum(time for _lineno, _hits, time in lines)


def _hits(lines: list[tuple[int, int, int]]) -> int:
    return sum(hits for _lineno, hits, _time in lines)


@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_profile_loads_and_shows(fixture_name: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(fixture_name)
    stats = load_stats(path)
    if fixture_name == "nothing_profiled_lprof":
        assert stats.timings == {}, f"{path} should hold no timings: nothing was marked"
    else:
        assert stats.timings, f"{path} has no profiled functions"
    assert stats.unit > 0
    assert LineStats.from_files(path).timings.keys() == stats.timings.keys()
    shown = subprocess.run(
        [sys.executable, "-m", "line_profiler", str(path)],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "Timer unit:" in shown.stdout


def test_busy_costs_and_names(busy_lprof: Path) -> None:
    funcs = _by_name(load_stats(busy_lprof))
    assert set(funcs) == {
        "slow_sum",
        "medium",
        "fast",
        recorded("Worker.process"),
        "never_called",
        "decorated_twice",
    }
    assert all(Path(key[0]).is_absolute() for key, _ in funcs.values())
    assert _total(funcs["slow_sum"][1]) > _total(funcs["medium"][1]) > _total(funcs["fast"][1])
    assert funcs["never_called"][1] == []
    source = Path(funcs["decorated_twice"][0][0]).read_text(encoding="utf-8").splitlines()
    assert source[funcs["decorated_twice"][0][1] - 1] == "@logged"
    assert "café ✓" in "\n".join(source)


def test_busy_relative_records_bare_filename(busy_relative_lprof: Path) -> None:
    filenames = {key[0] for key in load_stats(busy_relative_lprof).timings}
    assert filenames == {"busy.py"}
    assert (busy_relative_lprof.parent / "busy.py").is_file()


def test_raises_profile_has_hits(raises_lprof: Path) -> None:
    funcs = _by_name(load_stats(raises_lprof))
    assert _hits(funcs["explode"][1]) > 0


def test_never_called_profile_is_empty(never_called_lprof: Path) -> None:
    funcs = _by_name(load_stats(never_called_lprof))
    assert list(funcs) == ["unused"]
    assert funcs["unused"][1] == []


def test_latin1_source_is_not_utf8(latin1_lprof: Path) -> None:
    ((key, lines),) = _by_name(load_stats(latin1_lprof)).values()
    assert key[2] == "describe" and _hits(lines) > 0
    raw = Path(key[0]).read_bytes()
    assert raw.startswith(b"# -*- coding: latin-1 -*-")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


@pytest.mark.parametrize("fixture_name", ["django_view_lprof", "django_wsgi_lprof"])
def test_django_view_was_profiled(fixture_name: str, request: pytest.FixtureRequest) -> None:
    funcs = _by_name(load_stats(request.getfixturevalue(fixture_name)))
    for name in ("BookListView.get_queryset", "BookListView.get_context_data", "author_names"):
        assert _hits(funcs[recorded(name)][1]) > 0, name
    # The N+1 loop: one ``book.author.name`` line per book.
    assert max(hits for _lineno, hits, _time in funcs["author_names"][1]) >= 200


def test_django_wsgi_went_through_middleware(
    django_view_lprof: Path, django_wsgi_lprof: Path
) -> None:
    # The fixture already required exit code 0, i.e. the script's status/header asserts held.
    wsgi = _by_name(load_stats(django_wsgi_lprof))
    middleware = recorded("ServerTimingMiddleware.__call__")
    assert _hits(wsgi[middleware][1]) > 0
    assert middleware not in _by_name(load_stats(django_view_lprof))
