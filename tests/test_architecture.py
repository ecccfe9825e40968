"""
The layout keeps its rules: read the production code with ``ast``.

- A cache tag is named only in ``articles/cache.py`` (every other module calls
  its functions), so a new writer of data cannot forget a purge or spell a tag
  differently.
- No two modules import each other in a circle, counting imports inside
  functions: a circle that only works because one import is deferred is still
  a circle.
- Apps depend one way: ``caching`` on nothing of ours, ``articles`` on
  ``caching``, ``comments`` on both, ``core`` on all three, ``api`` on all
  four, ``newsroom`` (the wiring) on anything; nothing imports ``bench``.
- No production module is longer than 400 lines (migrations aside).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("caching", "articles", "comments", "core", "api", "newsroom")
# What each app may import, besides itself (the one-way layering).
MAY_IMPORT = {
    "caching": set(),
    "articles": {"caching"},
    "comments": {"caching", "articles"},
    "core": {"caching", "articles", "comments"},
    "api": {"caching", "articles", "comments", "core"},
    "newsroom": {"caching", "articles", "comments", "core", "api"},
}
TAG_OWNER = "articles/cache.py"
# The shapes of page-cache tags: "article:12", f"list:section:{pk}", "nav" …
# (and not "comments:discussion", a URL name, or "comments:rate:", a cache key).
TAG_PATTERN = re.compile(
    r"^(?:(?:article|comments|section|author|tag):(?:\d|$)"
    r"|list:(?:front|feeds|sitemaps|archive|corrections|api|section:|tag:|author:)"
    r"|nav$)"
)
MAX_LINES = 400


def _production_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in _production_files()}


def _imported(module: str, node) -> list[str]:
    """The project modules an import statement names (the longest that exists).

    ``from package import module`` names the module; ``from package import
    name`` names the package, whose ``__init__`` holds the name. (Python runs
    every parent package's ``__init__`` for any import; like the rest of the
    tooling, this counts the module the statement asks for.)
    """
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([node.module] if node.module else [])])
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    found = []
    for name in names:
        while name and name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module:
            found.append(name)
    return found


def _import_graph() -> dict[str, set[str]]:
    graph = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module].update(_imported(module, node))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _string_constants(tree):
    """Every string literal, and the leading text of every f-string."""
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside_fstrings
        ):
            yield node.lineno, node.value


def test_no_module_but_articles_cache_spells_a_cache_tag():
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in _production_files()
        if path.relative_to(ROOT).as_posix() != TAG_OWNER
        for line, value in _string_constants(ast.parse(path.read_text()))
        if TAG_PATTERN.match(value)
    ]
    assert spelled == [], "name tags through articles.cache:\n" + "\n".join(spelled)


def test_the_tag_check_finds_a_spelled_tag():
    """The check above is not blind: it sees the shapes it looks for."""
    tree = ast.parse(
        'purge(f"list:tag:{pk}", "nav")\nadd_tags(r, "article:3", f"comments:{i}")'
    )
    assert [value for _, value in _string_constants(tree)] == [
        "list:tag:",
        "nav",
        "article:3",
        "comments:",
    ]
    assert all(TAG_PATTERN.match(value) for _, value in _string_constants(tree))
    for other in ("articles:article-detail", "comments:discussion", "navigation"):
        assert not TAG_PATTERN.match(other)


def test_no_import_circle_between_modules_even_inside_functions():
    assert _cycles(_import_graph()) == []


def test_the_circle_check_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_apps_import_one_way_and_never_the_bench():
    wrong = []
    for module, targets in _import_graph().items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != app and other not in MAY_IMPORT[app]:
                wrong.append(f"{module} -> {target}")
    for path in _production_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if not getattr(node, "level", 0) and any(
                    name == "bench" or name.startswith("bench.") for name in names
                ):
                    wrong.append(f"{_module_name(path)} -> bench")
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_no_production_module_passes_400_lines(app):
    long = {
        str(path.relative_to(ROOT)): count
        for path in _production_files()
        if path.relative_to(ROOT).parts[0] == app
        and (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
