"""Shared simulations behind every instrument, lab and runnable cell.

Each engine is a module of its own and depends on numpy alone. Nothing is
imported eagerly here, so ``import instruments`` (and ``instruments.plot``)
works even where numpy has not been loaded yet, such as a fresh Pyodide.
"""

ENGINES = (
    "init_explorer",
    "batchnorm_stability",
    "residual_flow",
    "saturation",
    "loss_at_init",
)


def load_engine(name: str):
    """Import and return the engine module called ``name``."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {name!r}")
    from importlib import import_module

    return import_module(f"instruments.{name}")
