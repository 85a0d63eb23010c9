# attack: try to kill the grader (every ancestor process), then answer wrongly
# replaces: conv2d_forward
# why: the grader must not be reachable from the kernel (it runs as another user when root)
import os
import signal

import numpy as np


def ancestors():
    pid, found = os.getpid(), []
    for _ in range(8):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except Exception:
            break
        if pid <= 1:
            break
        found.append(pid)
    return found


for _pid in ancestors():
    try:
        os.kill(_pid, signal.SIGKILL)
    except Exception as exc:
        print("could not kill", _pid, exc)


def conv2d_forward(x, w, b, stride=1, padding=0):
    return np.zeros(1)
