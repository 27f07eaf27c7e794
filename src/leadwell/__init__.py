"""leadwell: 360° assessments on the Manage–Lead model."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# numpy's and scipy's OpenBLAS start one thread per core for every matrix operation. Ours are
# small (tens of items), and a server already runs a process per core: the threads only wait
# for each other. One omega (a one-factor fit of 5 items) took 150 ms with them on a busy
# 2-core machine and 3 ms without. Set before numpy is first imported; the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
