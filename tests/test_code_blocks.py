"""Where each function's code is: the block line_profiler shows, and the whole-file fast path.

Blocks are checked against line_profiler's own ``get_code_block`` on tricky
code, the test scripts, the Django site and standard-library modules; the
whole-file search (``ordinary_blocks``) against the one-function-at-a-time
answers on the same files.
"""

import ast
import importlib
import os
from pathlib import Path

from line_profiler.line_profiler import get_code_block

from lprof_viewer.core.code_blocks import check_source, code_block, ordinary_blocks
from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.sources import SourceFile, read_source

TESTS_DIR = Path(__file__).resolve().parent


def _function_starts(path: Path) -> list[int]:
    """line_profiler's first_lineno of every function: its first decorator, else its def."""
    tree = ast.parse(path.read_bytes())
    return sorted(
        min([node.lineno, *(d.lineno for d in node.decorator_list)])
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


TRICKY_SOURCE = '''\
import functools


def one_liner(): return 1


@functools.lru_cache(
    maxsize=None,
)
def decorated_over_lines(x):
    return x


def signature_over_lines(
    a,
    b,
):
    total = a + b
# a comment at column 0 inside the body
    return total


def multi_line_string():
    text = """
not code
def fake():
"""
    return text


def continuation():
    value = 1 + \\
2
    return value


async def coroutine():
    async with lock:
        await thing()
    # trailing comment


def outer():
    def inner():
        return 1

    class Local:
        def method(self):
            return 2

    return inner, Local


def bracket_dedented():
    items = [
1, 2,
]
    return items


def documented(x):  # a comment after the colon
    """Summary.

# not a comment: inside the docstring
not code either
"""
    return x


def brackets_in_strings():
    opened = "(["  # ) and ] here close nothing
    return opened


def continued_string():
    text = 'a\\
b'
    return text


@register(a
@ b)
def after_a_decorator_over_lines():
    return 1


@note("""
@not_a_decorator
def not_a_function():
""")
def after_a_decorator_holding_a_def():
    return 2


def backslash_alone():
    x = 1
  \\

after_the_backslash = 1


@(
property)
def decorated_by_property_in_brackets(self):
    return 3


def last():
\treturn "tabs"
'''


def _stdlib_file(name: str) -> Path:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    return Path(module.__file__)


def _source_files(tmp_path: Path) -> list[Path]:
    tricky = tmp_path / "tricky.py"
    tricky.write_text(TRICKY_SOURCE, encoding="utf-8")
    scripts = sorted((TESTS_DIR / "scripts").glob("*.py"))
    django = sorted((TESTS_DIR / "django_site").rglob("*.py"))
    stdlib = [_stdlib_file(name) for name in ("inspect", "argparse", "pickle", "tokenize")]
    stdlib += [_stdlib_file(name) for name in ("json.decoder", "asyncio.tasks", "dataclasses")]
    return [tricky, *scripts, *django, *stdlib]


def test_code_block_is_line_profilers(tmp_path: Path):
    checked = 0
    for path in _source_files(tmp_path):
        source = read_source(path)
        for start in _function_starts(path):
            expected = len(get_code_block(path, start))
            block = code_block(source, start)
            assert block.start == start
            assert len(block) == expected, f"{path}:{start}"
            checked += 1
    assert checked > 500


def test_code_block_of_the_tricky_functions(tmp_path: Path):
    path = tmp_path / "tricky.py"
    path.write_text(TRICKY_SOURCE, encoding="utf-8")
    source = read_source(path)
    lines = TRICKY_SOURCE.splitlines()

    starts = {  # the first decorator's line, as line_profiler records it
        node.name: min([node.lineno, *(d.lineno for d in node.decorator_list)])
        for node in ast.walk(ast.parse(TRICKY_SOURCE))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }

    def last_line(def_text: str) -> str:
        start = starts[def_text.split()[-1]]
        return lines[code_block(source, start)[-1] - 1].strip()

    assert last_line("def one_liner") == "def one_liner(): return 1"
    assert last_line("def decorated_over_lines") == "return x"
    assert last_line("def signature_over_lines") == "return total"
    assert last_line("def multi_line_string") == "return text"
    assert last_line("def continuation") == "return value"
    assert last_line("async def coroutine") == "# trailing comment"  # as inspect.getblock
    assert last_line("def outer") == "return inner, Local"
    assert last_line("def bracket_dedented") == "return items"
    assert last_line("def documented") == "return x"
    assert last_line("def brackets_in_strings") == "return opened"
    assert last_line("def continued_string") == "return text"
    assert last_line("def after_a_decorator_over_lines") == "return 1"
    assert last_line("def after_a_decorator_holding_a_def") == "return 2"
    # tokenize indents by a backslash alone on a line, and the block ends there.
    assert last_line("def backslash_alone") == "x = 1"
    # Recorded at ``property)``, which line_profiler reads as Cython's ``property`` block.
    assert last_line("def decorated_by_property_in_brackets") == "property)"
    assert last_line("def last") == 'return "tabs"'


def _profiled_functions(path: Path) -> list[FunctionProfile]:
    """Every function of ``path`` as a profile would record it, its statements timed."""
    functions = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            body = sorted(
                {s.lineno for s in ast.walk(node) if isinstance(s, ast.stmt)} - {node.lineno}
            )
            lines = [(lineno, 1, 10 * lineno) for lineno in body]
            functions.append(FunctionProfile((str(path), start, node.name), lines, 1e-6))
    return functions


def _one_at_a_time(function: FunctionProfile, source: SourceFile, recorded_at: float | None):
    block = code_block(source, function.start_line)
    last = max(block.stop - 1, *function.linenos)
    return check_source(function, source, recorded_at), range(block.start, last + 1)


def test_whole_file_blocks_are_the_one_at_a_time_blocks(tmp_path: Path):
    checked = total = 0
    for path in _source_files(tmp_path):
        source = read_source(path)
        functions = _profiled_functions(path)
        recorded_at = source.mtime - 60  # the file reads as modified since: that staleness too
        found = ordinary_blocks(source, functions, recorded_at)
        for function, answer in found.items():
            assert answer == _one_at_a_time(function, source, recorded_at), function
        checked += len(found)
        total += len(functions)
    # The fast path is the common path, docstrings and signatures over lines
    # included: it leaves out one-line defs, decorators over lines, tabs and
    # blocks ending inside brackets.
    assert checked > 0.95 * total


def test_start_lines_no_function_has_are_answered_without_error(tmp_path: Path):
    path = tmp_path / "module.py"
    path.write_text('@d\ndef f(x=")"):\n    pass\n', encoding="utf-8")
    source = read_source(path)
    for start in (-5, -1, 0, 2, 3, 4, 50):  # a hostile profile may name any line
        assert code_block(source, start).start == start


def test_a_file_that_does_not_lex_is_left_to_the_tokenizer(tmp_path: Path):
    path = tmp_path / "open_string.py"
    path.write_text('def f(x):\n    return x\n\n\ntext = """never closed\n', encoding="utf-8")
    source = read_source(path)
    function = FunctionProfile((str(path), 1, "f"), [(2, 1, 5)], 1e-6)
    assert source.layout.doubtful
    assert ordinary_blocks(source, [function], None) == {}
    assert code_block(source, 1) == range(1, 3)  # inspect.getblock's answer, tokenizing


def test_whole_file_blocks_leave_the_stale_functions_out(tmp_path: Path):
    path = tmp_path / "module.py"
    functions_text = "".join(
        f"@profile\ndef f{n}(x):\n    y = x + {n}\n\n    return y\n\n" for n in range(6)
    )
    path.write_text(functions_text, encoding="utf-8")
    source = read_source(path)
    key = str(path)
    functions = [
        FunctionProfile((key, 1, "f0"), [(3, 1, 5), (5, 1, 5)], 1e-6),  # as recorded
        FunctionProfile((key, 7, "renamed"), [(9, 1, 5)], 1e-6),  # another name at its line
        FunctionProfile((key, 13, "f2"), [(16, 1, 5)], 1e-6),  # a timed line now blank
        FunctionProfile((key, 19, "f3"), [(21, 1, 5), (500, 1, 5)], 1e-6),  # past the end
        FunctionProfile((key, 27, "f4"), [(27, 1, 5)], 1e-6),  # starts inside a function
    ]
    found = ordinary_blocks(source, functions, None)
    assert found == {functions[0]: (None, range(1, 6))}
    for function in functions[1:]:
        staleness = check_source(function, source, None)
        assert staleness is not None and staleness.mismatched, function
    # An unchanged file later than the profile: the numbers still stand beside it.
    os.utime(path, (source.mtime + 100, source.mtime + 100))
    later = read_source(path)
    staleness, numbers = ordinary_blocks(later, functions[:1], source.mtime)[functions[0]]
    assert numbers == range(1, 6) and staleness is not None and not staleness.mismatched


CYTHON_SOURCE = """\
# cython: linetrace=True
cpdef (long, int) csum(long n):
    cdef long s = 0
    cdef long i
    for i in range(n):
        s += i
    return s
"""

# The same code in Python, line for line, profiled by the real kernprof.
PYTHON_TWIN = """\
# cython: linetrace=True
def csum(n):
    s = 0
    i = 0
    for i in range(n):
        s += i
    return s
csum = profile(csum)
csum(100)
"""


def test_a_cython_cpdef_is_the_function_line_profiler_shows(tmp_path: Path):
    from fixtures import repickle, run_kernprof

    from lprof_viewer.core.annotate import ProfileAnnotator
    from lprof_viewer.core.lprof_reader import load_lprof

    twin = tmp_path / "fast.py"
    twin.write_text(PYTHON_TWIN)
    run_kernprof(twin, tmp_path / "twin.lprof")
    pyx = tmp_path / "fast.pyx"
    pyx.write_text(CYTHON_SOURCE)
    lprof = repickle(tmp_path / "twin.lprof", tmp_path / "fast.lprof", lambda k: (str(pyx), *k[1:]))
    profile = load_lprof(lprof)
    (function,) = profile.functions

    annotated = ProfileAnnotator(profile).annotate(function)

    assert annotated.staleness is None
    assert annotated.text(function.start_line) == "cpdef (long, int) csum(long n):"
    expected = get_code_block(str(pyx), function.start_line)  # line_profiler's Cython reading
    assert [annotated.text(n) + "\n" for n in annotated.line_numbers] == expected
