# attack: os._exit() inside the graded function, i.e. while a test calls it
# replaces: conv2d_forward
# why: the kernel vanishes mid-test; later tests need a fresh kernel
import os


def conv2d_forward(x, w, b, stride=1, padding=0):
    os._exit(3)
