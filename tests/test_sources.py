"""Finding, decoding and checking the sources a profile names.

Sources are edited only in copies: the session fixtures are shared by every test module.
"""

import io
import json
import os
import pickle
import shutil
import tokenize
from pathlib import Path, PureWindowsPath

import pytest
from fixtures import PROFILE_FIXTURES, repickle
from line_profiler import LineStats, load_stats

from lprof_viewer.cli import main
from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.lprof_reader import load_lprof
from lprof_viewer.core.model import Profile
from lprof_viewer.core.sources import (
    SourceMapError,
    SourceRoot,
    decode_source,
    read_source,
    root_for_located_file,
)

TESTS_DIR = Path(__file__).resolve().parent


def _annotated(
    profile: Profile, roots: tuple[SourceRoot, ...] = ()
) -> dict[str, AnnotatedFunction]:
    annotator = ProfileAnnotator(profile, roots)
    return {function.name: annotator.annotate(function) for function in profile}


def _copy_folder(lprof: Path, dest: Path) -> Path:
    """Copy a fixture's folder (its .lprof and sources, times kept); answer the copied .lprof."""
    shutil.copytree(lprof.parent, dest)
    return dest / lprof.name


def _another_projects_busy(lprof: Path, folder: Path) -> Path:
    """``folder`` holding a busy.py of other code (same defs) than the one beside ``lprof``."""
    folder.mkdir()
    theirs = (lprof.parent / "busy.py").read_text().replace("total", "other")
    (folder / "busy.py").write_text(theirs)
    return folder


def _assert_numbers_kept(annotated: AnnotatedFunction, expected: LineStats) -> None:
    """Whatever happened to the source, every timed line still shows line_profiler's numbers."""
    function = annotated.function
    timings = expected.timings[function.key]
    assert {n: (s.hits, s.time) for n, s in annotated.stats.items()} == {
        lineno: (hits, time * expected.unit) for lineno, hits, time in timings
    }
    shown = {line.lineno: line.stat for line in annotated.lines if line.stat is not None}
    assert set(shown) == {lineno for lineno, _, _ in timings}


# --- finding the file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "elsewhere",
    [
        "nothing",  # started somewhere without a busy.py
        # Another project's busy.py where the viewer happens to start (a double-click
        # starts it in the home folder): its code must not stand beside these numbers.
        "another busy.py here",
        # 'Locate source…' for another profile's relative busy.py remembered '.' -> a
        # checkout: nor may that checkout's code.
        "a mapping of relative names",
    ],
)
def test_relative_name_found_beside_the_profile(
    busy_relative_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, elsewhere: str
):
    other = _another_projects_busy(busy_relative_lprof, tmp_path / "other_project")
    roots = (SourceRoot(".", str(other)),) if elsewhere == "a mapping of relative names" else ()
    monkeypatch.chdir(other if elsewhere == "another busy.py here" else tmp_path)

    for annotated in _annotated(load_lprof(busy_relative_lprof), roots).values():
        assert annotated.source is not None
        assert annotated.source.path == busy_relative_lprof.parent / "busy.py"
        assert not annotated.stale


def test_a_mapping_of_relative_names_finds_a_file_nothing_stands_beside(
    busy_relative_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    checkout = _another_projects_busy(busy_relative_lprof, tmp_path / "checkout")
    alone = Path(shutil.copy2(busy_relative_lprof, tmp_path / "alone.lprof"))
    monkeypatch.chdir(tmp_path)
    roots = (SourceRoot("./", str(checkout)),)  # './' as '.'

    for annotated in _annotated(load_lprof(alone), roots).values():
        assert annotated.source is not None and annotated.source.path == checkout / "busy.py"


def test_relative_name_found_in_the_current_folder(
    busy_relative_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    alone = tmp_path / "results"
    alone.mkdir()
    lprof = Path(shutil.copy2(busy_relative_lprof, alone))
    monkeypatch.chdir(busy_relative_lprof.parent)  # where kernprof ran

    annotated = _annotated(load_lprof(lprof))["slow_sum"]

    assert annotated.source is not None
    assert annotated.source.path.resolve() == (busy_relative_lprof.parent / "busy.py").resolve()


def test_missing_source_keeps_the_numbers(
    busy_relative_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    (lprof.parent / "busy.py").rename(lprof.parent / "busy_renamed.py")
    monkeypatch.chdir(tmp_path)
    expected = load_stats(lprof)

    annotated = _annotated(load_lprof(lprof))

    assert set(annotated) == {key[2] for key in expected.timings}
    for one in annotated.values():
        assert one.missing_source
        assert not one.shows_source
        assert all(line.text == "" for line in one.lines)
        _assert_numbers_kept(one, expected)


def test_source_map_finds_a_moved_tree(busy_lprof: Path, tmp_path: Path):
    moved = _copy_folder(busy_lprof, tmp_path / "elsewhere" / "busy")
    (moved.parent / "busy.py").write_text(
        (moved.parent / "busy.py").read_text(encoding="utf-8") + "# the moved copy\n",
        encoding="utf-8",
    )
    os.utime(moved.parent / "busy.py", (0, os.path.getmtime(busy_lprof)))
    # Recorded on a server, in a folder this machine does not have.
    server = "/srv/deploy-that-is-not-here"
    recorded = repickle(
        moved, tmp_path / "server.lprof", lambda key: (f"{server}/busy.py", *key[1:])
    )
    root = SourceRoot.parse(f"{server}={moved.parent}")

    annotated = _annotated(load_lprof(recorded), (root,))

    for one in annotated.values():
        assert one.source is not None
        assert one.source.path == moved.parent / "busy.py"
        assert one.source.lines[-1] == "# the moved copy"
        assert not one.stale


def test_a_remembered_mapping_never_hides_the_file_where_the_profile_says(
    busy_lprof: Path, tmp_path: Path
):
    """Locating a folder once (since renamed) must not show its old code for later profiles."""
    old_copy = _another_projects_busy(busy_lprof, tmp_path / "old-copy")
    root = SourceRoot.parse(f"{busy_lprof.parent}={old_copy}")

    annotated = _annotated(load_lprof(busy_lprof), (root,))

    for one in annotated.values():
        assert one.source is not None and one.source.path == busy_lprof.parent / "busy.py"
        assert not any("other" in line.text for line in one.lines)


def _recorded_on_windows(lprof: Path, tmp_path: Path) -> tuple[Path, str]:
    """The profile as if recorded on Windows under C:\\Users\\dev\\proj; the source is beside."""
    stats = load_stats(lprof)
    recorded = str(PureWindowsPath(r"C:\Users\dev\proj", Path(next(iter(stats.timings))[0]).name))
    timings = {(recorded, first, name): lines for (_, first, name), lines in stats.timings.items()}
    out = tmp_path / "windows.lprof"
    LineStats(timings, stats.unit).to_file(out)
    return out, recorded


def test_source_map_from_a_windows_path(busy_lprof: Path, tmp_path: Path):
    lprof, recorded = _recorded_on_windows(busy_lprof, tmp_path)
    root = SourceRoot.parse(rf"C:\Users\dev\proj={busy_lprof.parent}")

    without = _annotated(load_lprof(lprof))["slow_sum"]
    mapped = _annotated(load_lprof(lprof), (root,))["slow_sum"]

    assert without.missing_source
    assert mapped.function.filename == recorded
    assert mapped.source is not None
    assert mapped.source.path == busy_lprof.parent / "busy.py"
    assert not mapped.stale


def test_longest_source_map_wins(busy_lprof: Path, tmp_path: Path):
    lprof, _ = _recorded_on_windows(busy_lprof, tmp_path)
    roots = (
        SourceRoot.parse(rf"C:\Users={tmp_path / 'wrong'}"),
        SourceRoot.parse(rf"C:\Users\dev\proj={busy_lprof.parent}"),
    )

    mapped = _annotated(load_lprof(lprof), roots)["slow_sum"]

    assert mapped.source is not None
    assert mapped.source.path == busy_lprof.parent / "busy.py"


@pytest.mark.parametrize("text", ["", "=", "/old", "/old=", "=/new", "  =  ", "/old  "])
def test_invalid_source_map(text: str):
    with pytest.raises(SourceMapError) as caught:
        SourceRoot.parse(text)
    assert "OLD=NEW" in str(caught.value)


def test_source_map_keeps_equals_signs_in_the_new_prefix():
    root = SourceRoot.parse("/srv/app=/home/me/a=b")
    assert root == SourceRoot("/srv/app", "/home/me/a=b")
    assert root.apply("/srv/app/pkg/mod.py") == Path("/home/me/a=b/pkg/mod.py")
    assert root.apply("/srv/application/mod.py") is None  # a prefix of whole folders only


def test_cli_reports_a_bad_source_map_as_a_usage_error(
    busy_lprof: Path, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(SystemExit) as caught:
        main(["export", str(busy_lprof), "--source-map", "no-equals-sign"], stdout=io.StringIO())

    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lprof-viewer export")
    assert "OLD=NEW" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("recorded", "found", "old", "new"),
    [
        ("/home/ci/build/proj/pkg/mod.py", "/tmp/x/proj/pkg/mod.py", "/home/ci/build", "/tmp/x"),
        ("/srv/a/mod.py", "/home/me/b/mod.py", "/srv/a", "/home/me/b"),
        (r"C:\work\proj\pkg\mod.py", "/home/me/proj/pkg/mod.py", r"C:\work", "/home/me"),
    ],
)
def test_root_for_located_file(recorded: str, found: str, old: str, new: str):
    root = root_for_located_file(recorded, Path(found))

    assert root == SourceRoot(old, new)
    assert root.apply(recorded) == Path(found)
    sibling = recorded.replace("mod.py", "other.py")
    assert root.apply(sibling) == Path(found).with_name("other.py")


def test_root_for_located_file_finds_the_other_files(django_view_lprof: Path, tmp_path: Path):
    site = django_view_lprof.parent
    moved = tmp_path / "checkout" / "site"
    shutil.copytree(site, moved)
    # Recorded in a folder this machine no longer has (a mapping is for such files).
    gone = "/srv/site-that-is-gone"
    elsewhere = repickle(
        django_view_lprof,
        tmp_path / "server.lprof",
        lambda key: (key[0].replace(str(site), gone, 1), *key[1:]),
    )
    profile = load_lprof(elsewhere)
    site = Path(gone)
    first = profile.functions[0]
    found = moved / Path(first.filename).relative_to(site)

    root = root_for_located_file(first.filename, found)
    annotated = _annotated(profile, (root,))

    for one in annotated.values():
        assert one.source is not None
        assert moved in one.source.path.parents
        assert not one.stale


# --- stale sources ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_fresh_sources_are_not_stale(
    fixture_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    lprof: Path = request.getfixturevalue(fixture_name)
    monkeypatch.chdir(lprof.parent)

    for annotated in _annotated(load_lprof(lprof)).values():
        assert not annotated.missing_source, annotated.function
        assert annotated.staleness is None, annotated.staleness
        assert annotated.shows_source


def test_lines_inserted_at_the_top(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    source = lprof.parent / "busy.py"
    source.write_bytes(b"import os\nimport sys\n" + source.read_bytes())
    expected = load_stats(lprof)

    annotated = _annotated(load_lprof(lprof))

    for one in annotated.values():
        assert one.staleness is not None
        assert one.staleness.mismatched
        assert "changed since it was profiled" in one.staleness.reason
        assert not one.shows_source
        assert all(line.text == "" for line in one.lines), "numbers beside the wrong code"
        _assert_numbers_kept(one, expected)


def test_source_newer_than_the_profile_but_unchanged(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    source = lprof.parent / "busy.py"
    later = os.path.getmtime(lprof) + 60
    os.utime(source, (later, later))

    annotated = _annotated(load_lprof(lprof))

    for one in annotated.values():
        assert one.staleness is not None
        assert not one.staleness.mismatched
        assert "was modified after it was profiled" in one.staleness.reason
        assert one.shows_source  # the code still matches: show it, with the warning
    slow_sum = annotated["slow_sum"]
    assert slow_sum.text(slow_sum.function.start_line) == "@profile"


def test_source_touched_within_the_tolerance_is_fresh(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    almost = os.path.getmtime(lprof) + 1
    os.utime(lprof.parent / "busy.py", (almost, almost))

    assert not any(one.stale for one in _annotated(load_lprof(lprof)).values())


@pytest.mark.parametrize("replacement", ["", "# commented out"])
def test_timed_line_now_blank_or_comment(
    busy_relative_lprof: Path, tmp_path: Path, replacement: str
):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    source = lprof.parent / "busy.py"
    profile = load_lprof(lprof)
    slow_sum = next(f for f in profile if f.name == "slow_sum")
    hottest = slow_sum.hottest_line
    assert hottest is not None
    lines = source.read_text(encoding="utf-8").split("\n")
    indent = lines[hottest - 1][: len(lines[hottest - 1]) - len(lines[hottest - 1].lstrip())]
    lines[hottest - 1] = indent + replacement if replacement else ""
    mtime = os.path.getmtime(source)
    source.write_text("\n".join(lines), encoding="utf-8")
    os.utime(source, (mtime, mtime))  # same age as before: only the content tells

    annotated = _annotated(load_lprof(lprof))

    stale = annotated["slow_sum"].staleness
    assert stale is not None
    assert stale.mismatched
    assert f"timed line {hottest}" in stale.reason
    assert not annotated["slow_sum"].shows_source
    assert [name for name, one in annotated.items() if one.stale] == ["slow_sum"]


def test_function_renamed_at_its_line(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    source = lprof.parent / "busy.py"
    mtime = os.path.getmtime(source)
    source.write_text(
        source.read_text(encoding="utf-8").replace("def medium(", "def average("), encoding="utf-8"
    )
    os.utime(source, (mtime, mtime))

    annotated = _annotated(load_lprof(lprof))

    assert annotated["medium"].staleness is not None
    assert "is not the definition of medium" in annotated["medium"].staleness.reason
    assert [name for name, one in annotated.items() if one.stale] == ["medium"]


def test_source_shorter_than_the_profile(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    (lprof.parent / "busy.py").write_text('"""Emptied."""\n', encoding="utf-8")

    for one in _annotated(load_lprof(lprof)).values():
        assert one.staleness is not None and one.staleness.mismatched
        assert not one.shows_source


def test_stale_source_gives_no_source_text_in_exports(busy_relative_lprof: Path, tmp_path: Path):
    lprof = _copy_folder(busy_relative_lprof, tmp_path / "copy")
    source = lprof.parent / "busy.py"
    source.write_bytes(b"\n\n" + source.read_bytes())
    out = io.StringIO()

    assert main(["export", str(lprof), "--format", "json"], stdout=out) == 0

    document = json.loads(out.getvalue())
    assert all(function["stale"] for function in document["functions"])
    assert {line["source"] for f in document["functions"] for line in f["lines"]} == {""}


# --- decoding --------------------------------------------------------------------------------


def test_latin1_source_decodes_by_its_cookie(latin1_lprof: Path):
    (annotated,) = _annotated(load_lprof(latin1_lprof)).values()
    path = Path(annotated.function.filename)
    with tokenize.open(path) as stream:  # Python's own reading of the file
        expected = stream.read().splitlines()

    assert annotated.source is not None
    assert annotated.source.encoding == "iso-8859-1"
    assert list(annotated.source.lines) == expected
    shown = "\n".join(line.text for line in annotated.lines)
    assert "déjà vu" in shown
    assert "\ufffd" not in shown


def test_busy_source_keeps_non_ascii(busy_lprof: Path):
    annotated = _annotated(load_lprof(busy_lprof))["fast"]
    assert annotated.source is not None
    assert 'GREETING = "café ✓"' in annotated.source.lines


def test_invalid_utf8_becomes_replacement_characters(tmp_path: Path):
    path = tmp_path / "broken.py"
    path.write_bytes(b'def f():\n    return "caf\xe9 \xff"\n')

    source = read_source(path)

    assert source.encoding == "utf-8"
    assert source.lines == ("def f():", '    return "caf\ufffd \ufffd"')


def test_undecodable_source_still_annotates(tmp_path: Path):
    source = tmp_path / "broken.py"
    source.write_bytes(b"@profile\ndef f():\n    x = '\xff'\n    return x\n")
    lprof = tmp_path / "broken.lprof"
    LineStats({(str(source), 1, "f"): [(3, 1, 10), (4, 1, 5)]}, 1e-6).to_file(lprof)
    os.utime(source, (0, 0))

    (annotated,) = _annotated(load_lprof(lprof)).values()

    assert not annotated.stale
    assert annotated.text(3) == "    x = '\ufffd'"
    assert [line.lineno for line in annotated.lines] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "cookie",
    [b"# -*- coding: klingon -*-\n", b"# vim: set fileencoding=no-such-codec :\n"],
)
def test_unknown_coding_cookie_falls_back_to_utf8(cookie: bytes):
    text, encoding = decode_source(cookie + "x = 'é'\n".encode())

    assert encoding == "utf-8"
    assert text.splitlines()[1] == "x = 'é'"


def test_bom_and_line_endings():
    text, encoding = decode_source(b"\xef\xbb\xbfa = 1\r\nb = 2\rc = 3\n")

    assert encoding == "utf-8-sig"
    assert text == "a = 1\nb = 2\nc = 3\n"


def test_cp1252_cookie():
    text, encoding = decode_source(b"# coding: cp1252\ns = '\x80 \x93quoted\x94'\n")

    assert encoding == "cp1252"
    assert "s = '€ “quoted”'" in text


# --- code blocks -----------------------------------------------------------------------------


def test_the_file_to_edit_is_the_users_own_not_a_runs_snapshot(tmp_path: Path):
    from lprof_viewer.core.sources import SourceLocator

    real = tmp_path / "app.py"
    real.write_text("def f():\n    return 1\n")
    snapshot = tmp_path / "history" / "000_app.py"
    snapshot.parent.mkdir()
    snapshot.write_text("def f():\n    return 0\n")
    locator = SourceLocator.for_profile_paths(
        [tmp_path / "app.py.lprof"], (), {str(real): snapshot}
    )

    assert locator.locate(str(real)) == snapshot  # shown: the code the run measured
    assert locator.editable(str(real)) == real  # edited: the file the developer works on
    real.unlink()
    assert locator.editable(str(real)) == snapshot  # nothing else left to open


@pytest.mark.parametrize(
    ("text", "line_count"),
    [
        ("", 0),
        ("\n", 1),
        ("x = 1\n\n\n", 3),
        ("a = '\u2028'\n\tb = 2\x0c\n# last, no newline", 3),
        ("\r\n\r\n", 2),
    ],
    ids=["empty", "one blank line", "blank lines at the end", "odd characters", "crlf"],
)
def test_a_source_sent_to_another_process_keeps_every_line(
    text: str, line_count: int, tmp_path: Path
) -> None:
    """A diff's helper process sends the files it read by pickle (``pair_loading``)."""
    path = tmp_path / "module.py"
    path.write_bytes(text.encode("utf-8"))
    source = read_source(path)
    layout = source.layout  # worked out once, and sent with the lines

    copy = pickle.loads(pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL))

    assert copy.lines == source.lines and len(copy.lines) == line_count
    assert copy.layout == layout and copy.code_mask == source.code_mask
    assert (copy.path, copy.mtime, copy.encoding) == (source.path, source.mtime, source.encoding)
