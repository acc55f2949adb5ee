"""Who a program contact is, named as the documents name it.

A contact comes from a contact block in a document ("If you have questions on this program,
contact: The Maritime Security Help Desk / Phone: ..."). The document holding the block is
where it was found, not who answers: the Activities Europe FAQ (Brunssum) gives a Washington
number for "this program". So a contact is named by the organisation its block names, or,
when the block names none, by the program the block says it is for.
"""

from __future__ import annotations

import re

from kb.models import Citation

# The line introducing a contact block ("If you have questions on this program, contact:").
_LEAD = re.compile(r"\bcontact\b.*:\s*$", re.IGNORECASE)
# A line that is itself a way to reach someone, not a name: "Phone:", a number, an address.
_DETAIL = re.compile(
    r"^(phone|tel|telephone|fax|e-?mail|website|web|address|toll)\b|^[\d(+]|@|www\.|https?://",
    re.IGNORECASE)


def _lines(contact: Citation) -> list[str]:
    return [" ".join(line.split()) for line in contact.quote.splitlines() if line.strip()]


def contact_name(contact: Citation, program: str) -> str:
    """The organisation to write to: "The Maritime Security Help Desk", or `program` (what
    "this program" in a block that names no office refers to)."""
    names: list[str] = []
    for line in _lines(contact):
        if _DETAIL.search(line):
            break
        if not _LEAD.search(line):
            names.append(line)
    return " ".join(names) or program


def contact_details(contact: Citation) -> list[str]:
    """How to reach it, one detail a line, labels joined to their values:
    ["Phone: (202) 372-1213"]."""
    lines = [line for line in _lines(contact) if not _LEAD.search(line)]
    while lines and not _DETAIL.search(lines[0]):
        lines.pop(0)  # the name, given by `contact_name`
    details: list[str] = []
    for line in lines:
        if details and details[-1].endswith(":"):
            details[-1] += " " + line  # "Phone:" on one line, the number on the next
        elif details and not re.match(r"^[A-Za-z -]+:", line) and _DETAIL.search(details[-1]):
            details[-1] += ", " + line  # a second number under the same label
        else:
            details.append(line)
    return details


def contact_text(contact: Citation) -> str:
    """How to reach a contact, on one line: "Phone: (202) 372-1213"."""
    return "; ".join(contact_details(contact))
