#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/seeds/<target>/) from the built-in kit and a
few hand-made hostile cases. Run from anywhere: python3 fuzz/seeds/gen.py"""
import os
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def write(target, name, data):
    d = HERE / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


STORIES = [
    ("en", "When we arrived in Plymouth we knew nobody. Now our neighbours teach us to bake saffron buns."),
    ("ar", "عندما وصلنا إلى بليموث لم نكن نعرف أحداً. #ItTakesACommunity @IOM_UK https://example.org/x"),
    ("zh", "我们刚到曼彻斯特的时候，一个人也不认识。"),
    ("th", "เมื่อเรามาถึงลอนดอน เพื่อนบ้านช่วยเราหาบ้านและโรงเรียนให้ลูก ๆ"),
    ("emoji", "Our Saturday team 🏟️⚽ has players from 11 countries 🇸🇾🇺🇦 👨‍👩‍👧‍👦❤️!"),
    ("markup", "<b>&amp; {{org}} ]]> --> \"quotes\" 'single'"),
]

# template_fill: svg \0 toml \0 story \0 org \0 fields \0 options
opts = ["96x96 photo", "128x64 rtl logo=dark photo", "64x128 photo focus=0.2,0.8", "96x96 logo=svg date=2025-06-10",
        "160x90 logo=light logo_dark=light photo", "32x320 norender photo"]
i = 0
for tdir in sorted((ROOT / "templates").iterdir()):
    if not tdir.is_dir():
        continue
    toml = (tdir / "template.toml").read_text()
    for svg in sorted(tdir.glob("*.svg")):
        lang, story = STORIES[i % len(STORIES)]
        o = opts[i % len(opts)]
        fields = "title=Welcome Hub\nname=Amina\nevent=Iftar\nquote=Together\nrole=Volunteer\nevent_date=Sat 14 June\nevent_time=6pm\nplace=Town Hall\ndays=3\nlang=ja"
        write("template_fill", f"{tdir.name}-{svg.stem}",
              "\0".join([svg.read_text(), toml, story, "Plymouth Welcome Hub", fields, o]))
        i += 1
# A whole set with every variant (variants separated by U+0001).
t = ROOT / "templates" / "story-quote"
write("template_fill", "story-quote-all",
      "\0".join(["\x01".join(p.read_text() for p in sorted(t.glob("*.svg"))),
                 (t / "template.toml").read_text(), STORIES[0][1], "Hub", "", "200x50"]))

NS = 'xmlns="http://www.w3.org/2000/svg"'
hostile = {
    "nested": f"<svg {NS} viewBox=\"0 0 100 100\">" + "<g>" * 300 + "<rect data-slot=\"story\" x=\"1\" y=\"1\" width=\"98\" height=\"98\"/>" + "</g>" * 300 + "</svg>",
    "huge-numbers": f"<svg {NS} viewBox=\"-1e30 -1e30 3e38 3e38\"><rect data-slot=\"story\" x=\"1e30\" y=\"-1e30\" width=\"3e38\" height=\"1e-30\" data-font-size-max=\"1e30\" data-line-height=\"1e-20\"/></svg>",
    "tiny-slot": f"<svg {NS} width=\"1e-20\" height=\"5px\"><rect data-slot=\"story\" width=\"1e-30\" height=\"1e-30\" data-max-lines=\"1\"/></svg>",
    "conditionals": f"<svg {NS} viewBox=\"0 0 100 100\" data-background=\"{{{{palette.background}}}}\"><g data-if=\"rtl\"><g data-unless=\"rtl\"><rect id=\"slot-story\" x=\"1\" y=\"1\" width=\"50\" height=\"50\"/></g></g><rect data-slot=\"org\" data-if=\"org\" x=\"0\" y=\"60\" width=\"100\" height=\"40\" data-dir=\"rtl\" data-align=\"end\" data-valign=\"bottom\" transform=\"rotate(45 {{{{days}}}})\"/></svg>",
    "placeholders": f"<svg {NS} viewBox=\"0 0 100 100\"><title>{{{{org}}}} {{{{story}}}}</title><!-- {{{{org}}}} --><style>.a{{fill:{{{{brand.primary}}}}}}</style><text>{{{{{{{{org}}}}}}}}</text><rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"100\" height=\"100\" data-fill=\"{{{{org}}}}\" data-font-family=\"{{{{title}}}}\" data-font-size-min=\"{{{{days}}}}\"/></svg>",
    "logo-wordmark": f"<svg {NS} viewBox=\"0 0 300 100\"><rect width=\"300\" height=\"100\" fill=\"#000\"/><rect data-slot=\"logo\" x=\"10\" y=\"10\" width=\"280\" height=\"80\" data-fit=\"contain\" data-align=\"end\" data-valign=\"bottom\"/><rect data-slot=\"photo\" x=\"0\" y=\"0\" width=\"300\" height=\"50\" data-fit=\"cover\"/><rect data-slot=\"headline\" x=\"0\" y=\"0\" width=\"300\" height=\"50\" data-fill=\"#111111\"/></svg>",
    "filters": f"<svg {NS} viewBox=\"0 0 100 100\"><filter id=\"f\"><feGaussianBlur stdDeviation=\"1e9\"/></filter><rect width=\"100\" height=\"100\" filter=\"url(#f)\"/><rect data-slot=\"story\" x=\"0\" y=\"0\" width=\"100\" height=\"100\"/></svg>",
}
toml_slots = "[slots.story]\nfont-size-max = 1e30\nmax-lines = 3\nalign = \"center\"\nrequired = false\n"
for name, svg in hostile.items():
    write("template_fill", f"hostile-{name}",
          "\0".join([svg, toml_slots if name == "conditionals" else "", STORIES[len(name) % len(STORIES)][1], "Org & Co <x>", "days=3\nrtl=true", "96x96 logo=dark photo"]))

# text_layout: 14-byte header then text.
def header(flags=0, max_lines=0, fam=0, bw=810, bh=490, smin=24, smax=76, lh=1.3, extreme=False):
    import math
    lo, span = (-40, 166) if extreme else (-10, 40)

    def mag(x):
        v = round((math.log2(x) - lo) / span * 65535)
        return struct.pack(">H", max(0, min(65535, v)))
    return bytes([flags, max_lines, fam, 1 if extreme else 0]) + mag(bw) + mag(bh) + mag(smin) + mag(smax) + mag(lh)


samples = STORIES + [
    ("mixed", "Hello مرحبا שלום Привет 你好 नमस्ते ሰላም #ItTakesACommunity https://example.org/stories/2024"),
    ("ja", "ロンドンに着いたとき、近所の人たちが学校を探すのを手伝ってくれました。"),
    ("hi", "जब हम लेस्टर आए, तो पड़ोसियों ने हमें दिवाली पर अपने घर बुलाया।"),
    ("paras", "One\n\n\nTwo  three\r\nfour\u2028five\t\u202Eevil\u2066x\u2069"),
    ("long-word", "Supercalifragilisticexpialidocious" * 5),
]
for j, (name, text) in enumerate(samples):
    flags = (j % 3) | ((j % 3) << 2) | ((j % 3) << 4) | (0x40 if j % 2 else 0) | (0x80 if j % 4 == 3 else 0)
    write("text_layout", name, header(flags, max_lines=j % 4, fam=(j % 8) | ((j % 8) << 3)) + text.encode())
write("text_layout", "tiny-box", header(bw=1e-5, bh=1e-5, smin=1e-6, smax=1e-6, lh=1e-6, extreme=True) + b"tiny")
write("text_layout", "huge-box", header(bw=1e18, bh=1e18, smin=1, smax=1e18, lh=1e3, extreme=True) + b"huge")
write("text_layout", "tight-lines", header(bw=120, bh=60, smin=8, smax=40, lh=0.05) + "Ag 👨‍👩‍👧 ÅÉ gyp\njy Ẫ".encode())

# escape: value \0 template
for name, v in [("plain", "A&B <x> \"q\" 'a'"), ("ws", "a\tb\r\nc\rd"),
                ("placeholders", "org=x\ny={{org}}\0[{{org}}|{{ y }}|{{v}}|{{nope}}|{{unclosed"),
                ("clean", " e\u0301 \u0001\u202E x\u00A0\u2028 y ")]:
    write("escape", name, v)
