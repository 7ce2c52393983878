"""XML documents the JUnit and checkstyle readers accept, whatever text a message carries.

ElementTree escapes markup and line breaks in attributes, but writes control
characters XML 1.0 forbids (a message can quote SQL holding them), which makes
the whole report unreadable to Jenkins or GitLab: they are dropped here.
"""

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: object) -> str:
    """``text`` without the characters an XML 1.0 document cannot hold."""
    return _NOT_XML.sub("", str(text))


def element(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A new element (under ``parent`` when given) with cleaned attributes and text."""
    values = {key.rstrip("_"): clean(value) for key, value in attrs.items() if value is not None}
    node = ET.Element(tag, values) if parent is None else ET.SubElement(parent, tag, values)
    if text is not None:
        node.text = clean(text)
    return node


def document(root: ET.Element) -> str:
    """The document with its UTF-8 declaration, indented for a reader of the raw file."""
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
