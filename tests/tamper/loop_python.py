# attack: an infinite Python loop inside the graded function, with SIGINT ignored
# replaces: conv2d_forward
# why: otter's containerless grading hangs forever on this and orphans the kernel
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)


def conv2d_forward(x, w, b, stride=1, padding=0):
    while True:
        pass
