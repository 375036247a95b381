"""Fill an English catalogue from a {french: english} dict given as a Python file."""

import runpy
import sys

from babel.messages.pofile import read_po, write_po

po_path, dict_path = sys.argv[1], sys.argv[2]
tr = runpy.run_path(dict_path)["T"]
with open(po_path, "rb") as f:
    cat = read_po(f, locale="en")
missing = []
for m in cat:
    if not m.id:
        continue
    key = m.id if isinstance(m.id, str) else m.id[0]
    if key in tr:
        m.string = tr[key]
    elif not m.string:
        missing.append(key)
with open(po_path, "wb") as f:
    write_po(f, cat, width=100, omit_header=False)
print("missing:", *missing, sep="\n  ")
