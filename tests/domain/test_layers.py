"""Layers point inward: domain imports only the standard library, pydantic and itself."""

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "hearth"
ALLOWED_DOMAIN = {"pydantic", "hearth"}
LAYERS = ["domain", "store", "actions", "connectors", "web", "bot", "cli", "jobs"]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_stdlib_pydantic_and_itself() -> None:
    for path in (SRC / "domain").rglob("*.py"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "hearth":
                assert name.startswith("hearth.domain"), f"{path.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_DOMAIN, (
                    f"{path.name} imports {name}"
                )


def test_lower_layers_never_import_higher_ones() -> None:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    for layer in ["domain", "store", "actions", "connectors"]:
        for path in (SRC / layer).rglob("*.py"):
            for name in imports_of(path):
                parts = name.split(".")
                if parts[0] != "hearth" or len(parts) < 2:
                    continue
                other = parts[1]
                if other in rank:
                    assert rank[other] <= rank[layer], f"{layer}/{path.name} imports {name}"
