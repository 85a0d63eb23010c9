# attack: an exception message quoting a hidden test line (as if the student had obtained it)
# replaces: conv2d_forward
# why: student-derived text in feedback must be redacted when it contains a hidden test line
def conv2d_forward(x, w, b, stride=1, padding=0):
    raise ValueError("here is your test:\n" + HIDDEN_LINE + "\nbye")
