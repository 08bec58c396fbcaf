"""The narrative's footnotes and text boxes as each edition prints them (issue #16).

The narrative is stored as the coordinator typed it (napreport.report.html): a note is called by `<sup>3</sup>`
in the text and written as `<p class="footnote"><sup>3</sup> …</p>` at the end of its section, and a text box
("Project COMBATIVE") is an `<aside>` that opens with its heading. Here:

- in the PDF, each note moves to the place that calls it, as a `float: footnote` span, so WeasyPrint prints it
  at the foot of the page that cites it (and numbers it as printed); a text box is a `div`, which the tag tree
  makes a `Div` holding its heading (PDF 1.7 has no Aside);
- in the HTML edition, the call links to its note and the note back to its call; notes stay at the end of
  their section; a text box stays an `<aside>` named by its heading;
- in both, the addresses a note prints are links.
"""

import re

from django.utils.text import slugify
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from lxml import html as lxml_html

# An address as a note prints it, up to the space or the punctuation that ends its sentence ("http:/bit.ly/…"
# is how the source prints one: the link still goes to http://bit.ly/…).
ADDRESS = re.compile(r"(?:https?:/+|www\.)[^\s<>\"]+?(?=[.,;:)]*(?:\s|$))")


def note_number(element: etree._Element) -> str:
    """The printed number a `<sup>` holds, or "" when it holds anything else."""
    text = (element.text or "").strip()
    return text if text.isdigit() and len(element) == 0 else ""


def link_addresses(element: etree._Element) -> None:
    """Make each address printed in the text of `element` (outside its links) a link to itself."""
    for node in [element, *element.iterdescendants()]:
        if node.tag == "a" or any(ancestor.tag == "a" for ancestor in node.iterancestors()):
            continue
        for attribute in ("text", "tail"):
            if attribute == "tail" and node is element:
                continue
            text = getattr(node, attribute)
            if not text or not ADDRESS.search(text):
                continue
            pieces = ADDRESS.split(text)
            addresses = ADDRESS.findall(text)
            setattr(node, attribute, pieces[0])
            links = []
            for address, after in zip(addresses, pieces[1:], strict=True):
                link = etree.Element("a", href=href(address))
                link.text, link.tail = address, after
                links.append(link)
            if attribute == "text":
                for position, link in enumerate(links):
                    node.insert(position, link)
            else:
                parent = node.getparent()
                index = parent.index(node)
                for position, link in enumerate(links, start=1):
                    parent.insert(index + position, link)


def href(address: str) -> str:
    if address.startswith("www."):
        return "http://" + address
    return re.sub(r"^(https?):/+", r"\1://", address)


def edition_html(html: str, prefix: str, for_pdf: bool) -> str:
    """The sanitised narrative `html` of one section as the PDF (`for_pdf`) or the HTML edition prints it
    (printed |safe, as the narrative is: rebuilt here from the sanitised text). `prefix` (the section's key)
    keeps the notes' ids unique in the document."""
    if "footnote" not in html and "<aside" not in html:
        return html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    notes = {}
    for note in root.xpath('.//p[@class="footnote"]'):
        first = note[0] if len(note) else None
        if note.text and note.text.strip() or first is None or first.tag != "sup" or not note_number(first):
            continue
        notes[note_number(first)] = note
    for aside in root.iter("aside"):
        heading = next(aside.iter("h3", "h4"), None)
        if for_pdf:
            aside.tag = "div"
            aside.set("class", "aside")
        elif heading is not None:
            heading.set("id", heading.get("id") or f"{prefix}-{slugify(heading.text_content())}")
            aside.set("aria-labelledby", heading.get("id"))
    for note in notes.values():
        link_addresses(note)
    # The first call of each note (a note called twice is printed once, where it is first called).
    calls = {}
    for sup in root.iter("sup"):
        number = note_number(sup)
        if number in notes and number not in calls and sup.getparent() is not notes[number]:
            calls[number] = sup
    for number, call in calls.items():
        if for_pdf:
            call_as_footnote(call, notes[number], number)
        else:
            link_call_and_note(call, notes[number], number, prefix)
    body = "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
    return (root.text or "") + body


def call_as_footnote(call: etree._Element, note: etree._Element, number: str) -> None:
    """Replace the call with the note's text, floated to the foot of the page (`.note` in report.css)."""
    span = etree.Element("span", {"class": "note", "data-number": number})
    number_sup = note[0]
    span.text = (number_sup.tail or "").lstrip()
    for child in list(note)[1:]:
        span.append(child)
    span.tail = call.tail
    call.getparent().replace(call, span)
    note.getparent().remove(note)


def link_call_and_note(call: etree._Element, note: etree._Element, number: str, prefix: str) -> None:
    """The call links to its note, and the note's number back to the call (WCAG 2.4.4: both are named)."""
    call_id, note_id = f"{prefix}-note-{number}-call", f"{prefix}-note-{number}"
    call.text = None
    to_note = etree.SubElement(call, "a", {"href": f"#{note_id}", "id": call_id, "role": "doc-noteref"})
    to_note.text = number
    to_note.set("aria-label", _("Note %(number)s") % {"number": number})
    note.set("id", note_id)
    number_sup = note[0]
    number_sup.text = None
    back = etree.SubElement(number_sup, "a", {"href": f"#{call_id}", "role": "doc-backlink"})
    back.text = number
    back.set("aria-label", _("Back to the text of note %(number)s") % {"number": number})
