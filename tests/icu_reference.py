#!/usr/bin/env python3
"""ICU4C's own output (Debian's python3-icu) for the formats postkit takes
from ICU4X: a date's day and month with the weekday, day and month, a time
of day, whole numbers and plural categories, for the languages postkit sets.
Prints one JSON object; tests/locale.rs compares it with postkit's.
Locales are Gregorian (as postkit's dates are) and take the default digits."""
import json
import icu

import sys

# Tags as ICU4X takes them; -u-nu-latn becomes ICU4C's @numbers=latn.
LOCALES = sys.argv[1:] or ["en-GB", "fr", "uk", "ar-u-nu-latn", "fa", "ru", "es", "zh", "pl"]
out = {"icu": icu.ICU_VERSION, "locales": {}}
for tag in LOCALES:
    base, _, ext = tag.partition("-u-nu-")
    keywords = "calendar=gregorian" + (f";numbers={ext}" if ext else "")
    loc = icu.Locale(base.replace("-", "_") + "@" + keywords)
    gen = icu.DateTimePatternGenerator.createInstance(loc)
    cal = icu.GregorianCalendar(loc)
    cal.clear()
    cal.set(2026, 11, 18, 18, 30, 0)
    t = cal.getTime()
    fmt = lambda skeleton: icu.SimpleDateFormat(gen.getBestPattern(skeleton), loc).format(t)
    num = icu.NumberFormat.createInstance(loc)
    rules = icu.PluralRules.forLocale(loc)
    out["locales"][tag] = {
        "long_date": fmt("MMMMEEEEd"),
        "day_month": fmt("MMMMd"),
        "time": fmt("jmm"),
        "numbers": {str(n): num.format(n) for n in (0, 6, 18, 100, 1234)},
        "plurals": {str(n): rules.select(n) for n in (0, 1, 2, 3, 5, 11, 21, 22, 100, 101, 111)},
    }
print(json.dumps(out, ensure_ascii=False, indent=1))
