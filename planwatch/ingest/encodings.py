"""Which text encoding a file (or a file name) is in — decided with evidence, never a guess.

UTF-8 is tried first: text in any other encoding almost never decodes as strict UTF-8 by chance. A file that
is not UTF-8 is one of the legacy Chinese encodings an office meets: GB18030 (and its subsets GBK, GB2312,
from the mainland's Excel and WPS) or Big5 (Hong Kong, Macao, Taiwan). Both accept most byte pairs, so a Big5
file usually *decodes* as GB18030 too — into rare characters, kana and private-use code points. The evidence
is what the decoding yields: in the right encoding nearly every Chinese character is one of the common
characters of its script (GB2312's 6,763 for GB18030; Big5's 5,401 常用字 for Big5), in the wrong one a large
share is not. Exactly one plausible candidate decides; none or several and the file is refused naming them.
"""

from __future__ import annotations

import codecs
import os
import unicodedata

CHUNK = 1 << 22  # 4 MiB
EVIDENCE_CHARACTERS = 200_000  # enough non-ASCII characters to judge; a national file is not read twice
PLAUSIBLE_SHARE = 0.9  # the share of common characters a right decoding reaches (real files: 0.98–1.0)
LEGACY = ("gb18030", "big5")
NAMES = {"gb18030": "GB18030/GBK", "big5": "Big5"}


def _is_common(char: str, encoding: str) -> bool:
    """Is this non-ASCII character a common one in the script `encoding` is made for? CJK punctuation and
    full-width forms count for both."""
    if "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef" or char in "\u2014\u2018\u2019\u201c\u201d\u2026\u00b7":
        return True
    try:
        code = char.encode("gb2312" if encoding == "gb18030" else "big5")
    except UnicodeEncodeError:
        return False
    if encoding == "gb18030":
        return code[0] >= 0xB0  # GB2312 rows 16–87: the 6,763 hanzi
    return 0xA4 <= code[0] <= 0xC6  # Big5 A440–C67E: the frequently used characters


def plausibility(text: str, encoding: str) -> float:
    """The share of the text's non-ASCII characters that are common in the encoding's script."""
    wide = [c for c in text if ord(c) > 0x7F and not c.isspace()]
    if not wide:
        return 1.0
    return sum(_is_common(c, encoding) for c in wide) / len(wide)


def decodes(data_chunks, encoding: str) -> tuple[bool, str]:
    """Strictly decode an iterable of byte chunks; returns (decoded?, the first EVIDENCE_CHARACTERS-ish of
    the non-ASCII-bearing text)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    sample, kept = [], 0
    try:
        for chunk in data_chunks:
            text = decoder.decode(chunk)
            if kept < EVIDENCE_CHARACTERS:
                sample.append(text)
                kept += sum(1 for c in text if ord(c) > 0x7F)
        text = decoder.decode(b"", final=True)
        sample.append(text)
    except UnicodeDecodeError:
        return False, ""
    return True, "".join(sample)


class EncodingUndecided(Exception):
    def __init__(self, candidates: list[str]):
        super().__init__(candidates)
        self.candidates = candidates


def decide(read_chunks) -> str:
    """The encoding of the bytes `read_chunks()` yields (called once per candidate): utf-8-sig, utf-8,
    gb18030 or big5. Raises EncodingUndecided with the candidates that decode (none: empty)."""
    head = next(iter(read_chunks()), b"")[:3]
    if head == codecs.BOM_UTF8:
        return "utf-8-sig" if decodes(read_chunks(), "utf-8-sig")[0] else _refuse([])
    if decodes(read_chunks(), "utf-8")[0]:
        return "utf-8"
    decoded = {}
    for encoding in LEGACY:
        ok, sample = decodes(read_chunks(), encoding)
        if ok:
            decoded[encoding] = plausibility(sample, encoding)
    plausible = [e for e, share in decoded.items() if share >= PLAUSIBLE_SHARE]
    if len(plausible) == 1:
        return plausible[0]
    raise EncodingUndecided([NAMES[e] for e in (plausible or decoded)])


def _refuse(candidates):
    raise EncodingUndecided(candidates)


def file_chunks(path):
    def read():
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    return read


def display_name(name: str | bytes) -> str:
    """A file name as a person can read it and as every log, table and summary can hold it. Linux hands
    Python names in any bytes (a zip made on Chinese Windows writes GBK names); they are decoded with the
    same evidence as file contents; a name too short to tell GB18030 from Big5 is shown as GB18030 (a name is
    only shown, never data, and a mainland office's zips are GBK); else its bytes are shown escaped. Control characters (a newline that
    would forge a line of the summary) are shown as escapes, never printed."""
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode(decide(lambda: iter([raw])))
        except EncodingUndecided as undecided:
            text = raw.decode("gb18030") if NAMES["gb18030"] in undecided.candidates else \
                raw.decode("utf-8", errors="backslashreplace")
    return "".join(c if unicodedata.category(c)[0] != "C" else c.encode("unicode_escape").decode("ascii")
                   for c in text)
