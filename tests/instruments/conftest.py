"""Run the simulation tests with single-threaded BLAS.

The engines multiply many small matrices; on a busy 2-core machine a
multi-threaded OpenBLAS spends far longer waking threads than multiplying
(measured here: 25 products of 8x256 by 256x256 took 0.2 s threaded, 2.5 ms
single-threaded). The variable only takes effect if numpy is not loaded yet.
"""

import os
import sys

if "numpy" not in sys.modules:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
