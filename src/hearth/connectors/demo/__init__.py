"""The demo connector: a deterministic synthetic community, for the demo and the benchmarks.

Unlike the other connectors it reads nothing from outside: :func:`generate` invents a developer
community (Discord, GitHub, git, Discourse and Stack Exchange activity) from a seed.
"""

from hearth.connectors.demo.generator import generate

__all__ = ["generate"]
