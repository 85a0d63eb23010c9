# attack: print 50 MB of output while the answer cell runs
# after: conv2d_forward
# why: captured output must be capped; the grade must not change
line = "x" * 999 + "\n"
for _ in range(50_000):
    print(line, end="")
