"""Count what a NumPy function costs by running it: arithmetic and memory traffic.

``count_ops(fn, *args)`` calls ``fn`` with every array argument wrapped in a
``Counted`` array, a thin ndarray subclass that tallies each ufunc it passes
through (``x * y``, ``np.sqrt``, ``x.sum(axis=...)``, ``np.mean`` all end
up as ufunc calls). The model is the plain one, with no fusion and no cache:

- flops: one per output element of an elementwise operation (an add, a
  multiply, a square root and a division all count one), and one per
  element a reduction folds in (summing n numbers takes n - 1 additions);
- reads: every element of every array operand, each time it is used;
- writes: every element of every result.

That is what NumPy does as written, one pass over memory per operation. A
fused GPU kernel does the same arithmetic but keeps intermediates in
registers, so for it only the reads of the inputs and the writes of the
outputs remain; the lab's cost note says which figure is which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class OpCount:
    flops: int = 0
    reads: int = 0          # elements read, summed over every operation
    writes: int = 0         # elements written
    bytes_moved: int = 0    # (reads + writes) in bytes, at each array's own item size
    operations: list[str] = field(default_factory=list)

    def add(self, name: str, flops: int, operands: list[np.ndarray], results: list[np.ndarray]) -> None:
        self.flops += flops
        self.reads += sum(a.size for a in operands)
        self.writes += sum(r.size for r in results)
        self.bytes_moved += sum(a.nbytes for a in operands) + sum(r.nbytes for r in results)
        self.operations.append(name)


class Counted(np.ndarray):
    """An ndarray that reports every ufunc applied to it to ``Counted.tally``."""

    tally: OpCount | None = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, Counted) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, Counted) else o for o in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        results = list(result) if isinstance(result, tuple) else [result]
        arrays_in = [np.asarray(x) for x in plain if isinstance(x, np.ndarray)]
        arrays_out = [np.asarray(r) for r in results]
        if Counted.tally is not None:
            if method == "reduce":
                flops = sum(a.size for a in arrays_in) - sum(r.size for r in arrays_out)
            else:
                flops = sum(r.size for r in arrays_out)
            Counted.tally.add(f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__,
                              flops, arrays_in, arrays_out)
        wrapped = [r.view(Counted) if isinstance(r, np.ndarray) else r for r in results]
        return tuple(wrapped) if isinstance(result, tuple) else wrapped[0]


def _wrap(value):
    if isinstance(value, np.ndarray):
        return value.view(Counted)
    if isinstance(value, (tuple, list)):
        return type(value)(_wrap(v) for v in value)
    return value


def count_ops(fn, *args, **kwargs) -> OpCount:
    """Run ``fn(*args, **kwargs)`` once and return what its ufuncs cost."""
    tally = OpCount()
    previous, Counted.tally = Counted.tally, tally
    try:
        fn(*_wrap(args), **kwargs)
    finally:
        Counted.tally = previous
    return tally
