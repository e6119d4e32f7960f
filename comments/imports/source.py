"""Reading an export file: safe, streaming XML, and the errors an import reports."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _


class ImportFailed(Exception):
    """The file cannot be read on (unsafe or broken XML); what came before it stays imported
    unless the run is --strict."""


class RecordSkipped(Exception):
    """One article (or thread) of the file is broken: it is reported and skipped."""


Progress = Callable[[int, int], None]  # (bytes read, file size)


class _CountingReader:
    """A binary file that remembers how far it has been read (for the progress bar)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.position += len(data)
        return data


def local_name(tag: str) -> str:
    """``{http://wordpress.org/export/1.2/}post_id`` → ``post_id``."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def stream(
    path: str, wanted: dict[str, int], progress: Progress | None = None
) -> Iterator[Element]:
    """The file's elements named in ``wanted`` (local name → depth, the root being 0), each
    complete, then dropped from the tree once the caller is done: memory stays bounded by
    the largest such element. Entities (billion laughs) and external references are refused;
    a broken or truncated file stops with ``ImportFailed`` naming the line."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        reader = _CountingReader(handle)
        stack: list[Element] = []
        try:
            for event, element in iterparse(
                reader, events=("start", "end"), forbid_dtd=False, forbid_entities=True
            ):
                if event == "start":
                    stack.append(element)
                    continue
                stack.pop()
                depth = len(stack)
                if wanted.get(local_name(element.tag)) == depth:
                    yield element
                    element.clear()
                    if stack and len(stack[-1]) and stack[-1][-1] is element:
                        del stack[-1][-1]
                    if progress is not None:
                        progress(reader.position, size)
        except DefusedXmlException as error:
            raise ImportFailed(
                _("Refused: the file declares entities or external references (%s).")
                % type(error).__name__
            ) from None
        except ParseError as error:
            line = error.position[0] if error.position else "?"
            raise ImportFailed(
                _("The file is broken or ends early (line %(line)s): %(error)s")
                % {"line": line, "error": error}
            ) from None
        if progress is not None:
            progress(size, size)


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def child(element: Element, name: str, ns_part: str = "") -> Element | None:
    """The first child called ``name`` (any namespace, or one whose URI contains
    ``ns_part``)."""
    for item in element:
        if local_name(item.tag) == name and ns_part in namespace(item.tag):
            return item
    return None
