"""The layers hold (README "How it is built"): every production module is parsed with `ast` and its imports — at
the top and inside functions alike — are checked against what its layer may import; no import cycle between
modules; no module over the line limit; every page file registered; every command of `python -m etl` documented.

An exception is listed by name with its reason, and a listed exception that no longer occurs fails the test, so
the list never outlives the code it excuses.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the production packages (bench/ and tests/ are not production code); brief/ is checked where it exists
PACKAGES = ("core", "store", "etl", "analytics", "demo", "app", "pages", "brief")
PROJECT = {*PACKAGES, "dashboard"}

#: layer → the layers it may import (besides itself)
ALLOWED = {
    "core": set(),
    "store": {"core"},
    "etl": {"core", "store"},
    "analytics": {"core"},
    "demo": {"core", "etl", "store"},
    "app": {"core", "analytics", "store", "etl"},
    "pages": {"app", "core", "analytics"},
    "dashboard": {"app"},
    # the meeting brief draws the pages' figures on paper: it sits beside pages/, over app's chart and card builders
    "brief": {"core", "analytics", "store", "app"},
}
#: (module, layer it imports) → why it may
EXCEPTIONS = {
    ("pages.upload", "etl"): "the Upload page loads files, reports their problems and hands out templates",
    ("pages.upload", "store"): "the Upload page lists and rolls back submissions and checks upload rights",
    (
        "etl.outputs",
        "analytics",
    ): "`python -m etl export` writes the rows the Data export page offers",
    ("etl.cli", "demo"): "`python -m etl demo` is the entry point of the demo data, which itself loads through etl",
    ("etl.outputs", "brief"): "`python -m etl brief` writes the meeting brief (brief/ reads through analytics and app)",
    ("pages.closed_periods", "store"): "the Closed periods page closes and reopens periods (store.periods writes them)",
    (
        "app.meeting_brief",
        "brief",
    ): "the Overview's Meeting brief panel runs brief.build as `python -m etl brief` does",
    ("etl.bootstrap", "demo"): "`make run` loads the demo data into an empty database",
}
LINE_LIMIT = 500
#: modules allowed over LINE_LIMIT → (their own cap, why); a cap keeps an exception from growing unnoticed
LONG_MODULES = {
    "demo/content.py": (
        1470,
        "literal content: the demo plan's names, results framework, indicators, actions and costed work plans",
    ),
    "core/schema.py": (
        680,
        "the registry's entries, declarative: one Kind per dataset kind, each column a Column(...) as ruff format "
        "lays it out (the entry types are core.registry, the words users write core.vocabulary)",
    ),
    "etl/load.py": (
        565,
        "a load's two write paths: the file's (its 'loading' record committed first, then the rows) and the shared "
        "store's (one write transaction, run again on a conflict); the write part splits off into a module of its "
        "own next",
    ),
}


def production_files() -> list[Path]:
    files = [
        path for package in PACKAGES if (ROOT / package).is_dir() for path in sorted((ROOT / package).glob("*.py"))
    ]
    return [*files, ROOT / "dashboard.py"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in production_files()}


def layer(module: str) -> str:
    return module.split(".")[0]


def imported_modules(module: str) -> set[str]:
    """The project modules `module` imports anywhere in its file (`from pkg import sub` counts as pkg.sub when sub
    is a module, else as pkg)."""
    path = MODULES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            if layer(name) in PROJECT:
                while name not in MODULES and "." in name:  # `import etl.load` of a name inside a module
                    name = name.rsplit(".", 1)[0]
                found.add(name)
    return found - {module}


IMPORTS = {module: imported_modules(module) for module in MODULES}


def test_every_layer_imports_only_what_it_may():
    wrong, used = [], set()
    for module, imported in IMPORTS.items():
        for other in sorted(imported):
            if layer(other) == layer(module) or layer(other) in ALLOWED[layer(module)]:
                continue
            if (module, layer(other)) in EXCEPTIONS:
                used.add((module, layer(other)))
                continue
            wrong.append(f"{module} imports {other}")
    assert not wrong, "imports across the layers' rules (README, How it is built):\n" + "\n".join(wrong)
    assert not set(EXCEPTIONS) - used, f"exceptions no longer needed: {sorted(set(EXCEPTIONS) - used)}"


def test_the_rules_are_checked_on_real_modules():
    """The checker sees imports inside functions and `from pkg import module` (a check that saw none would pass)."""
    assert "demo.generate" in IMPORTS["etl.cli"]  # imported inside cmd_demo
    assert {"analytics.exports", "analytics.filters"} <= IMPORTS["etl.outputs"]
    assert "etl.xlsx_guard" in IMPORTS["etl.read"]
    assert {"core", "store", "etl", "analytics", "demo", "app", "pages"} <= {layer(m) for m in MODULES}


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in IMPORTS[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(IMPORTS):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_between_modules():
    assert _cycles() == []


def test_the_cycle_check_finds_a_cycle(monkeypatch):
    monkeypatch.setitem(IMPORTS, "core.parse", IMPORTS["core.parse"] | {"etl.read"})
    monkeypatch.setitem(IMPORTS, "etl.read", IMPORTS["etl.read"] | {"core.parse"})
    assert any({"core.parse", "etl.read"} <= set(c) for c in _cycles())


def test_no_module_over_the_line_limit():
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines()) for path in MODULES.values()
    }
    over = {name: n for name, n in lengths.items() if n > LONG_MODULES.get(name, (LINE_LIMIT,))[0]}
    assert not over, f"modules over their limit ({LINE_LIMIT} lines unless listed in LONG_MODULES): {over}"
    assert set(LONG_MODULES) <= set(lengths), "a listed long module is gone"


def test_every_page_file_is_registered():
    from app.pages import PAGES

    files = {f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py") if path.name != "__init__.py"}
    registered = {page.script for page in PAGES if isinstance(page.script, str)}
    assert files == registered


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command of the parser, sub-actions included ("users add")."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix}{name} ")
                found.extend(nested or [f"{prefix}{name}"])
    return found


def test_every_cli_command_is_in_the_readme():
    from etl.cli import _parser

    commands = _commands(_parser())
    assert "users add" in commands and "demo" in commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [c for c in commands if f"python -m etl {c}" not in readme] == []


@pytest.mark.parametrize("module", ["core", "store", "analytics"])
def test_the_lower_layers_do_not_import_streamlit(module):
    """core, store and analytics run in the command line and the tests without a Streamlit session."""
    importing = [
        m
        for m in MODULES
        if layer(m) == module
        and "streamlit"
        in {
            name.split(".")[0]
            for node in ast.walk(ast.parse(MODULES[m].read_text(encoding="utf-8")))
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
        }
    ]
    assert importing == []


def _magic_expressions(source: str) -> list[int]:
    """The lines of the statements Streamlit's "magic" would have written: an expression on its own that is not a
    call, a yield, an await or a docstring (the first string of a module, class or function)."""
    found = []
    for parent in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            for i, node in enumerate(block if isinstance(block, list) else []):
                docstring = (
                    i == 0
                    and field == "body"
                    and isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and isinstance(node, ast.Expr)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                )
                if (
                    isinstance(node, ast.Expr)
                    and not isinstance(node.value, (ast.Call, ast.Yield, ast.YieldFrom, ast.Await))
                    and not docstring
                ):
                    found.append(node.lineno)
    return found


def test_no_page_script_relies_on_streamlit_magic():
    """Magic is off (.streamlit/config.toml `runner.magicEnabled`): a bare expression in a script Streamlit runs
    would show nothing where the page meant to show it."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    scripts = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]
    found = {p.name: _magic_expressions(p.read_text(encoding="utf-8")) for p in scripts}
    assert {name: lines for name, lines in found.items() if lines} == {}
    shown = '"""A page."""\nimport streamlit as st\nfigures = 3\nfigures\nif figures:\n    "a note"\nst.write(1)\n'
    assert _magic_expressions(shown) == [4, 6]
