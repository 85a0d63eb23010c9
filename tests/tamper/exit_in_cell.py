# attack: sys.exit() while the answer cell runs
# after: conv2d_forward
# why: a graceful exit of the kernel process must not lose the rest of the notebook
import sys

sys.exit("bye")
