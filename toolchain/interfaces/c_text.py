"""C names and line wrapping for the interface generator's output."""

import re


def snake_case(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


# Method names become vtable members; C and C++ keywords get a trailing '_'.
_KEYWORDS = set("""auto break case char class const continue default delete do double else enum
explicit extern false float for friend goto if inline int long namespace new operator private
protected public register restrict return short signed sizeof static struct switch template this
throw true try typedef typename union unsigned virtual void volatile while""".split())


def member(name):
    return name + "_" if name in _KEYWORDS else name


def wrap(indent, head, args, tail):
    """`head(arg, arg...)tail` at `indent` tabs, wrapped at 100 columns."""
    lines = []
    cur = "\t" * indent + head + "("
    cont = "\t" * (indent + 2)
    for i, a in enumerate(args):
        piece = a + (", " if i + 1 < len(args) else ")" + tail)
        if len(cur.expandtabs(8)) + len(piece.rstrip()) > 100 and not cur.endswith("("):
            lines.append(cur.rstrip())
            cur = cont
        cur += piece
    lines.append(cur)
    return lines
