# attack: the kernel kills itself with SIGKILL while a cell runs
# after: conv2d_forward
# why: the cell is dropped and the notebook replayed without it
import os
import signal

os.kill(os.getpid(), signal.SIGKILL)
