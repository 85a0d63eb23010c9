# attack: allocate (and touch) memory without bound while the answer cell runs
# after: conv2d_forward
# why: the kernel must be stopped at the memory limit, the cell dropped, the rest graded
import numpy as np

hoard = []
while True:
    hoard.append(np.ones(2**24))  # 128 MiB, written so it is resident
