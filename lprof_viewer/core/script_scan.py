"""Find what a script marks for kernprof: @profile, profile(f), profile.add_function(f)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from lprof_viewer.core.sources import SourceFile, read_source


@dataclass(frozen=True)
class ProfileTarget:
    """One thing a script asks kernprof to profile, and where it asks."""

    name: str
    lineno: int
    how: str
    """'decorator', 'call' (``profile(f)``) or 'add_function'."""


@dataclass(frozen=True)
class ScriptInfo:
    """A profiling script's source and what it marks for profiling."""

    source: SourceFile
    targets: tuple[ProfileTarget, ...]
    syntax_error: str | None = None


def _is_profile(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "profile"


class _TargetFinder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.targets: list[ProfileTarget] = []
        self._scope: list[str] = []

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        qualified = ".".join([*self._scope, node.name])
        if not isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _is_profile(target):
                    self.targets.append(ProfileTarget(qualified, decorator.lineno, "decorator"))
        self._scope.append(node.name)
        self.generic_visit(node)
        self._scope.pop()

    visit_FunctionDef = _visit_scope
    visit_AsyncFunctionDef = _visit_scope
    visit_ClassDef = _visit_scope

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if _is_profile(func) and node.args:
            self.targets.append(ProfileTarget(ast.unparse(node.args[0]), node.lineno, "call"))
        elif (
            isinstance(func, ast.Attribute)
            and _is_profile(func.value)
            and func.attr in ("add_function", "add_module", "add_class", "add_callable")
            and node.args
        ):
            target = ast.unparse(node.args[0])
            self.targets.append(ProfileTarget(target, node.lineno, "add_function"))
        self.generic_visit(node)


def scan_script(path: Path) -> ScriptInfo:
    """Read a script and list what it marks for profiling (raises OSError if unreadable)."""
    source = read_source(path)
    try:
        tree = ast.parse("\n".join(source.lines), filename=str(path))
    except SyntaxError as error:
        return ScriptInfo(source, (), f"{path.name} line {error.lineno}: {error.msg}")
    finder = _TargetFinder()
    finder.visit(tree)
    return ScriptInfo(source, tuple(sorted(finder.targets, key=lambda t: t.lineno)))
