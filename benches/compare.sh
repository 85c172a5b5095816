#!/usr/bin/env bash
# Batch benchmark: the same work for every contender, measured in one run.
#
# 200 stories x 4 sizes (instagram-square, instagram-portrait, instagram-story,
# x-post) through the story-quote template, on this machine, side by side:
#   1. postkit batch (default; --png-level fast; --png-level small; --jobs 1);
#   2. the bare resvg library (benches/bare_resvg.rs) rendering the very SVGs
#      postkit emits (--emit-svg), fonts loaded once, 2 threads, encoding with
#      tiny-skia's PNG encoder; and the same rendering only (no encode);
#   3. the resvg command line over the same SVGs, 2 processes in parallel;
#   4. rsvg-convert likewise.
# Then postkit batch's peak memory at 100, 1,000 and 10,000 assets and the
# cold start of `postkit render` (one story, the five default sizes).
# Writes BENCHMARKS.md at the repository root; scratch data goes to
# target/bench-compare/.
#
#   bash benches/compare.sh            # everything (30–90 minutes on 2 cores, depending on what else runs)
#   QUICK=1 bash benches/compare.sh    # 3 runs each, memory at 100/1,000 assets only
#
# Environment: SKIP_CONTENDERS=1 (keep the last run's SVGs, timings and
# outputs; recount, compare pixels, measure memory and cold start again, and
# rewrite the table), RUNS (hyperfine runs per contender; default 5, QUICK: 3),
# ROWS (stories; default 200), QUICK=1, SKIP_INSTALL=1 (use what is there),
# MEM_ROWS (batch sizes of the memory section in rows of 4 assets; default
# "25 250 2500", QUICK: "25 250"), WAIT_QUIET (seconds to wait, at most, before
# each measurement for other processes to go below a quarter of a core;
# default 120, 0 to not wait).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
W="$ROOT/target/bench-compare"
QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then RUNS="${RUNS:-3}"; else RUNS="${RUNS:-5}"; fi
ROWS="${ROWS:-200}"
if [ "$QUICK" = 1 ]; then MEM_ROWS="${MEM_ROWS:-25 250}"; else MEM_ROWS="${MEM_ROWS:-25 250 2500}"; fi
WAIT_QUIET="${WAIT_QUIET:-120}"
PLATFORMS="instagram-square;instagram-portrait;instagram-story;x-post"
THREADS=2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

log() { printf '\n== %s\n' "$*" >&2; }

# Busy CPU time of the whole machine so far, in 1/100 s (user, nice, system,
# irq, softirq, steal), to tell how much other processes ran during a
# measurement.
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# Waits (at most WAIT_QUIET seconds) until the machine has been nearly idle
# (under a quarter of a core busy) for 5 seconds: builds of others skew
# every number here.
quiet_wait() {
    local waited=0 b0 b1
    while [ "$waited" -lt "$WAIT_QUIET" ]; do
        b0=$(busy)
        sleep 5
        b1=$(busy)
        if [ $((b1 - b0)) -lt 125 ]; then return 0; fi
        waited=$((waited + 5))
    done
    [ "$WAIT_QUIET" -gt 0 ] && echo "machine still busy after ${WAIT_QUIET}s; measuring anyway" >&2
    return 0
}

# ---------------------------------------------------------------- tools
log "tools"
command -v python3 >/dev/null || { echo "compare.sh needs python3" >&2; exit 1; }
missing=()
command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ "${#missing[@]}" -gt 0 ]; then
    [ "${SKIP_INSTALL:-0}" = 1 ] && { echo "missing: ${missing[*]}" >&2; exit 1; }
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

TOOLS="$ROOT/target/bench-tools"
RESVG="$TOOLS/bin/resvg"
if ! "$RESVG" --version 2>/dev/null | grep -q '^0\.49\.'; then
    [ "${SKIP_INSTALL:-0}" = 1 ] && { echo "missing: resvg CLI 0.49 in $TOOLS" >&2; exit 1; }
    cargo install resvg --version '~0.49' --locked --root "$TOOLS"
fi

log "build (release binary and the bare_resvg bench)"
cargo build --release
BARE_BUILT="$(cargo bench --no-run --bench bare_resvg --message-format=json |
    python3 -c '
import json, sys
exe = ""
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "bare_resvg" and m.get("executable"):
        exe = m["executable"]
print(exe)')"
[ -x "$BARE_BUILT" ] || { echo "could not find the bare_resvg bench executable" >&2; exit 1; }
# Measure copies, so that a rebuild during the run changes nothing.
mkdir -p "$W/bin"
cp "$ROOT/target/release/postkit" "$W/bin/postkit"
cp "$BARE_BUILT" "$W/bin/bare_resvg"
PK="$W/bin/postkit"
BARE="$W/bin/bare_resvg"

if "$PK" batch --help | grep -q -- '--png-level'; then HAS_LEVEL=1; else HAS_LEVEL=0; fi

# ---------------------------------------------------------------- the work
log "generating the work ($ROWS stories x 4 sizes)"
if [ "${SKIP_CONTENDERS:-0}" = 1 ]; then
    rm -rf "$W/work" "$W/flat" # the last run's results and outputs are kept
else
    rm -rf "$W/work" "$W/results" "$W/out" "$W/flat"
fi
mkdir -p "$W/work" "$W/results" "$W/out" "$W/flat"
python3 - "$W/work" "$ROOT" "$ROWS" "$PLATFORMS" <<'PY'
# Deterministic (seeded) stories: mostly English, plus Arabic, Persian,
# Ukrainian, Tigrinya, Urdu, Somali and Chinese; 80-400 characters; a few
# organisations with several stories; a logo for about a third of them.
import csv, random, sys, os

work, root, rows, platforms = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
POOLS = {
    "en": [
        "When we arrived in Plymouth we knew nobody.",
        "The volunteers met us at the station, found us a home and taught our children to love the sea.",
        "Now I teach Arabic on Saturdays and my neighbours teach me to bake saffron buns.",
        "Every December we cook together for the whole street.",
        "My daughter plays in the school orchestra and her best friend sits next to her.",
        "The library gave me my first job in this country, shelving books I could not yet read.",
        "I came alone at sixteen; today I mentor young people who arrive the way I did.",
        "Our allotment grows okra, coriander and Cornish potatoes side by side.",
        "A neighbour knocked on our door with a lasagne on our first night, and she still does every birthday.",
        "We started a Sunday football team with six players; now we have forty and a women's squad.",
        "I was a nurse in Kharkiv, and after two years of exams I am a nurse in Leeds.",
        "The choir sings in seven languages and nobody minds when I get the English words wrong.",
        "Learning to drive at fifty was harder than learning English, but my instructor never gave up on me.",
        "Our café trains refugees as baristas, and three of them have opened their own shops.",
        "When the floods came, the mosque, the church and the food bank worked from the same kitchen.",
        "My grandmother's recipes are now on the menu of the community centre every Friday.",
        "I found friends at the English class who became the family I had lost.",
        "The bus driver learned to say good morning in Tigrinya for my mother.",
        "We paint murals with the young people of the estate; every wall tells a story of arriving.",
        "Volunteering at the welcome desk, I meet people on their first day and remember mine.",
        "The sewing group started with two machines and now makes school uniforms for the whole town.",
        "We celebrate Eid, Diwali, Christmas and Nowruz at the same long table in the church hall.",
        "I drive the minibus that takes older neighbours to the market every Thursday.",
        "#ItTakesACommunity to turn strangers into neighbours, and ours did it with tea and patience.",
        "Thank you to @IOM_UK and everyone at the hub who believed in us.",
        "My son is the first in our family to go to university, and the whole street came to his party.",
        "At the allotment, nobody asks where you are from; they ask what you are growing.",
    ],
    "ar": [
        "عندما وصلنا إلى نيوكاسل لم نكن نعرف أحداً.",
        "اليوم نطبخ كل جمعة لأكثر من مئة جار.",
        "استقبلنا المتطوعون في المحطة ووجدوا لنا بيتاً وعلّموا أطفالنا حب البحر.",
        "الآن أعلّم العربية أيام السبت، وجيراني يعلّمونني خبز الكعك.",
        "ابنتي تعزف في فرقة المدرسة، وصديقتها المقرّبة تجلس بجانبها.",
        "#ItTakesACommunity مع @IOM_UK",
    ],
    "fa": [
        "وقتی به گلاسگو آمدیم، همسایه‌ها با غذا به دیدن ما آمدند.",
        "امروز با هم جشن می‌گیریم.",
        "من در کتابخانه داوطلب هستم و به خانواده‌های تازه‌وارد کمک می‌کنم.",
        "هر پنجشنبه در باغچه محله با هم سبزی می‌کاریم.",
        "فرزندانم در مدرسه دوستان زیادی پیدا کرده‌اند.",
    ],
    "uk": [
        "Коли ми приїхали до Лідса, бібліотека стала нашим другим домом.",
        "Тепер я волонтерка там щосуботи і допомагаю новим сім'ям.",
        "Сусіди допомогли нам знайти школу для дітей і роботу для мене.",
        "Я була медсестрою в Харкові, а тепер працюю медсестрою в Лідсі.",
        "Щонеділі ми співаємо в хорі разом із сусідами.",
    ],
    "ti": [
        "ናብ ብሪስቶል ምስ መጻእና ጎረባብትና ብፍቕሪ ተቐቢሎምና።",
        "ሕጂ ኣብ ቤት ትምህርቲ ቋንቋ ትግርኛ ንቖልዑ ንምህር ኣለና።",
        "ኣብዚ ሕብረተሰብ ብዙሓት ፈተውቲ ረኺብና።",
    ],
    "ur": [
        "جب ہم برمنگھم آئے تو پڑوسیوں نے ہمیں کھانے پر بلایا۔",
        "اب ہم ہر مہینے مل کر شاعری پڑھتے ہیں۔",
        "میرے بچے اسکول میں بہت خوش ہیں اور انہوں نے نئے دوست بنائے ہیں۔",
        "ہم ہر جمعرات کو کمیونٹی سینٹر میں بزرگوں کے لیے چائے بناتے ہیں۔",
    ],
    "so": [
        "Markii aan imid Cardiff, deriskayagu waxay na caawiyeen inaan helno guri iyo iskuul.",
        "Hadda waxaan wada karinnaa cunto Sabti kasta.",
        "Carruurtayadu waxay ku barteen iskuulka saaxiibo badan.",
        "Waxaan ka shaqeeyaa xarunta bulshada si aan u caawiyo qoysaska cusub.",
    ],
    "zh": [
        "我们刚到曼彻斯特的时候，一个人也不认识。",
        "现在，每个星期六我们都在社区中心教孩子们写书法，邻居们也来学习。",
        "十二月的时候，我们一起包饺子，请整条街的人来吃。",
        "我们的孩子在这里上学，交了很多朋友，也学会了说英语。",
        "社区就是我们的家。每一个人都帮助过我们。",
    ],
}
LANG_TAG = {"zh": "zh-Hans"}
WEIGHTS = [("en", 60), ("ar", 7), ("fa", 6), ("uk", 7), ("ti", 5), ("ur", 5), ("so", 5), ("zh", 5)]
CITIES = ["Plymouth", "Leeds", "Bristol", "Glasgow", "Birmingham", "Cardiff", "Manchester",
          "Sheffield", "London", "Belfast", "Newcastle", "Hull", "Derby", "Norwich", "Leicester",
          "Coventry", "Swansea", "Aberdeen", "Dundee", "Exeter", "Brighton", "Oxford", "Cambridge",
          "Nottingham", "Liverpool", "Bradford", "Sunderland", "Stoke", "Preston", "Luton",
          "Reading", "Southampton", "Portsmouth", "York", "Inverness", "Wrexham", "Bangor",
          "Lincoln", "Carlisle", "Middlesbrough"]
KINDS = ["Welcome Hub", "Refugee Choir", "Sanctuary Walks", "Women's Circle", "Community Kitchen",
         "Football Friends", "Youth Forum", "Language Café", "Allotment Group", "Sewing Circle",
         "Migrant Help Desk", "Family Centre", "Welcome Library", "Arts Collective", "Mentors",
         "Night Shelter", "Drivers' Club", "Parents' Network", "Story Club", "Mosque Outreach",
         "Church Hall Suppers", "Bike Workshop", "Health Champions", "Job Club", "Homework Club"]
LOGOS = [os.path.join(root, "examples", p) for p in ["logo.png", "logo-square.jpg", "logo.svg"]]

rng = random.Random(20261218)
orgs = [f"{c} {k}" for c in CITIES for k in KINDS]
rng.shuffle(orgs)
langs = [l for l, w in WEIGHTS for _ in range(w)]

def story(lang):
    pool = POOLS[lang][:]
    rng.shuffle(pool)
    sep = "" if lang == "zh" else " "
    target = rng.randint(80, 400)
    text = ""
    for s in pool:
        cand = s if not text else text + sep + s
        if len(cand) > 400 or (len(cand) > target and len(text) >= 80):
            break
        text = cand
    return text

out = []
org_i = 0
while len(out) < 2500:
    org = orgs[org_i % len(orgs)]
    org_i += 1
    logo = rng.choice(LOGOS) if rng.random() < 0.35 else ""
    for _ in range(rng.choice([1, 1, 2, 3, 4, 4, 5, 6, 7])):
        lang = rng.choice(langs)
        out.append([org, story(lang), logo, "story-quote", platforms, LANG_TAG.get(lang, lang)])
for n in sorted({rows, 25, 250, 2500}):
    with open(os.path.join(work, f"stories-{n}.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org", "story", "logo", "template", "platform", "lang"])
        w.writerows(out[:n])
# The memory runs: the same rows, each language's first story moved to the
# front, so that every batch size uses every script (and pages in the same
# embedded fonts) and only the number of assets differs.
firsts = {}
for i, r in enumerate(out):
    firsts.setdefault(r[5], i)
front = sorted(firsts.values())
mem_rows = [out[i] for i in front] + [r for i, r in enumerate(out) if i not in set(front)]
for n in (25, 250, 2500):
    with open(os.path.join(work, f"mem-{n}.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org", "story", "logo", "template", "platform", "lang"])
        w.writerows(mem_rows[:n])
lens = [len(r[1]) for r in out[:rows]]
print(f"{rows} stories, {min(lens)}-{max(lens)} characters, "
      f"{len({r[0] for r in out[:rows]})} organisations, "
      f"{sum(1 for r in out[:rows] if r[2])} rows with a logo", file=sys.stderr)
PY
CSV="$W/work/stories-$ROWS.csv"
ASSETS=$((ROWS * 4))

# flatten SRC DST EXT: copy every *.EXT under SRC (not contact sheets) to DST
# as <org-folder>__<file>.
flatten() {
    python3 - "$1" "$2" "$3" <<'PY'
import os, shutil, sys
src, dst, ext = sys.argv[1:]
os.makedirs(dst, exist_ok=True)
for d, _, files in os.walk(src):
    for f in files:
        # Contact sheets (contact-sheet.png, contact-sheet-2.png, ...) are
        # postkit's review pages, not assets.
        if f.endswith("." + ext) and not f.startswith("contact-sheet"):
            rel = os.path.relpath(os.path.join(d, f), src)
            shutil.copyfile(os.path.join(d, f), os.path.join(dst, rel.replace(os.sep, "__")))
PY
}

if [ "${SKIP_CONTENDERS:-0}" = 1 ]; then
    echo "SKIP_CONTENDERS=1: keeping the SVGs and timings of the last run" >&2
    [ -f "$W/results/emit.txt" ] || { echo "no earlier run to keep" >&2; exit 1; }
else
log "postkit --emit-svg: the SVGs every other contender renders"
set +e
rm -rf "$W/emit"
"$PK" batch "$CSV" --out "$W/emit" --emit-svg --force --quiet --json >"$W/results/emit-report.json"
emit_rc=$?
set -e
SVG="$W/svg"
rm -rf "$SVG"
flatten "$W/emit" "$SVG" svg
NSVG=$(find "$SVG" -name '*.svg' | wc -l)
echo "postkit emitted $NSVG SVGs for $ASSETS assets (exit code $emit_rc)" >&2
[ "$NSVG" -gt 0 ] || { echo "no SVGs emitted" >&2; exit 1; }
echo "$emit_rc $NSVG" >"$W/results/emit.txt"

# The per-file job lists of the command-line renderers (NUL-separated pairs).
: >"$W/work/resvg.list"
: >"$W/work/rsvg.list"
for f in "$SVG"/*.svg; do
    b="$(basename "$f" .svg)"
    printf '%s\0%s\0' "$f" "$W/out/resvg-cli/$b.png" >>"$W/work/resvg.list"
    printf -- '--output=%s\0%s\0' "$W/out/rsvg-convert/$b.png" "$f" >>"$W/work/rsvg.list"
done
# fontconfig for rsvg-convert: the repository's fonts and nothing else.
mkdir -p "$W/fontconfig-cache"
cat >"$W/work/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>$ROOT/fonts</dir>
  <cachedir>$W/fontconfig-cache</cachedir>
</fontconfig>
EOF

fi
SVG="$W/svg"

# ---------------------------------------------------------------- contenders
# count_outputs KEY OUTDIR: the PNG assets in OUTDIR (not contact sheets),
# their number and total bytes into $W/results/KEY.{files,bytes}.
count_outputs() {
    find "$2" -name '*.png' ! -name 'contact-sheet*.png' -printf '%s\n' |
        awk '{s+=$1; n++} END {print s+0 > "'"$W/results/$1.bytes"'"; print n+0 > "'"$W/results/$1.files"'"}'
}

# bench KEY OUTDIR COMMAND: one run under /usr/bin/time (peak RSS, output
# bytes; it also warms the caches), then hyperfine, each run into an emptied
# OUTDIR. Results in $W/results/KEY.{json,rss,bytes,files,cpu}.
bench() {
    local key="$1" out="$2" cmd="$3"
    log "$key: $cmd"
    rm -rf "$out" && mkdir -p "$out"
    /usr/bin/time -f '%M' -o "$W/results/$key.rss" bash -c "$cmd" >"$W/results/$key.stdout"
    count_outputs "$key" "$out"
    quiet_wait
    local t0 b0
    t0=$(date +%s.%N)
    b0=$(busy)
    hyperfine --runs "$RUNS" --style basic \
        --prepare "rm -rf '$out' && mkdir -p '$out'" \
        --export-json "$W/results/$key.json" "$cmd"
    echo "$t0 $(date +%s.%N) $b0 $(busy)" >"$W/results/$key.cpu"
}

PKOUT="$W/out"
if [ "${SKIP_CONTENDERS:-0}" = 1 ]; then
    for key in postkit postkit-fast postkit-small postkit-jobs1 bare-encode resvg-cli rsvg-convert; do
        [ -d "$PKOUT/$key" ] && count_outputs "$key" "$PKOUT/$key"
    done
else
bench postkit "$PKOUT/postkit" "'$PK' batch '$CSV' --out '$PKOUT/postkit' --force --quiet"
if [ "$HAS_LEVEL" = 1 ]; then
    bench postkit-fast "$PKOUT/postkit-fast" \
        "'$PK' batch '$CSV' --out '$PKOUT/postkit-fast' --force --quiet --png-level fast"
    bench postkit-small "$PKOUT/postkit-small" \
        "'$PK' batch '$CSV' --out '$PKOUT/postkit-small' --force --quiet --png-level small"
else
    echo "postkit batch has no --png-level flag: those rows are n/a" >&2
fi
bench postkit-jobs1 "$PKOUT/postkit-jobs1" "'$PK' batch '$CSV' --out '$PKOUT/postkit-jobs1' --force --quiet --jobs 1"
bench bare-encode "$PKOUT/bare-encode" "'$BARE' '$SVG' '$PKOUT/bare-encode' $THREADS encode"
bench bare-render "$PKOUT/bare-render" "'$BARE' '$SVG' '$PKOUT/bare-render' $THREADS render"
bench resvg-cli "$PKOUT/resvg-cli" \
    "xargs -0 -P $THREADS -n 2 '$RESVG' --skip-system-fonts --use-fonts-dir '$ROOT/fonts' --font-family 'Noto Sans' --sans-serif-family 'Noto Sans' --resources-dir '$SVG' <'$W/work/resvg.list'"
bench rsvg-convert "$PKOUT/rsvg-convert" \
    "FONTCONFIG_FILE='$W/work/fonts.conf' xargs -0 -P $THREADS -n 2 rsvg-convert <'$W/work/rsvg.list'"

fi

# ---------------------------------------------------------------- pixels
log "pixel comparison"
rm -rf "$W/flat"
flatten "$PKOUT/postkit" "$W/flat/postkit" png
"$BARE" diff "$W/flat/postkit" "$PKOUT/bare-encode" >"$W/results/diff-postkit.json"
if [ "$HAS_LEVEL" = 1 ]; then
    for lvl in fast small; do
        flatten "$PKOUT/postkit-$lvl" "$W/flat/postkit-$lvl" png
        "$BARE" diff "$W/flat/postkit-$lvl" "$PKOUT/bare-encode" >"$W/results/diff-postkit-$lvl.json"
    done
fi
"$BARE" diff "$PKOUT/resvg-cli" "$PKOUT/bare-encode" >"$W/results/diff-resvg-cli.json"
"$BARE" diff "$PKOUT/rsvg-convert" "$PKOUT/bare-encode" >"$W/results/diff-rsvg-convert.json"
cat "$W"/results/diff-*.json >&2

# ---------------------------------------------------------------- memory
log "memory: postkit batch peak RSS by batch size"
: >"$W/results/memory.txt"
# sample_memory PID: the largest anonymous (heap) and file-backed (the
# binary's code and embedded fonts) resident memory of PID, in kB, sampled
# every 50 ms from /proc until it exits.
sample_memory() {
    local anon=0 file=0 a f
    while kill -0 "$1" 2>/dev/null; do
        read -r a f < <(awk '/^Rss/ {r=$2} /^Anonymous/ {a=$2} END {print a+0, r-a}' \
            "/proc/$1/smaps_rollup" 2>/dev/null || echo "0 0")
        [ "$a" -gt "$anon" ] && anon=$a
        [ "$f" -gt "$file" ] && file=$f
        sleep 0.05
    done
    echo "$anon $file"
}
for n in $MEM_ROWS; do
    rm -rf "$W/out/mem"
    quiet_wait
    "$PK" batch "$W/work/mem-$n.csv" --out "$W/out/mem" --force --quiet &
    pk_pid=$!
    split=$(sample_memory "$pk_pid")
    wait "$pk_pid" || true
    rm -rf "$W/out/mem"
    quiet_wait
    /usr/bin/time -f '%M %e' -o "$W/results/mem-$n.time" \
        "$PK" batch "$W/work/mem-$n.csv" --out "$W/out/mem" --force --quiet || true
    written=$(find "$W/out/mem" -name '*.png' ! -name 'contact-sheet*.png' | wc -l)
    echo "$((n * 4)) $written $(cat "$W/results/mem-$n.time") $split" >>"$W/results/memory.txt"
    tail -1 "$W/results/memory.txt" >&2
    rm -rf "$W/out/mem"
done

log "cold start: postkit render, one story, the default sizes"
COLD_STORY="When we arrived in Plymouth we knew nobody. Now our neighbours teach us to bake saffron buns."
COLD="'$PK' render --org 'Plymouth Welcome Hub' --story '$COLD_STORY' --out '$W/out/cold' --quiet"
rm -rf "$W/out/cold"
/usr/bin/time -f '%M' -o "$W/results/cold.rss" bash -c "$COLD"
find "$W/out/cold" -name '*.png' | wc -l >"$W/results/cold.files"
quiet_wait
hyperfine --runs 20 --warmup 2 --style basic --prepare "rm -rf '$W/out/cold'" \
    --export-json "$W/results/cold.json" "$COLD"

# ---------------------------------------------------------------- report
log "writing BENCHMARKS.md"
{
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev (with uncommitted changes)"; fi
    echo "rev=$rev"
    echo "resvg=$("$RESVG" --version)"
    echo "rsvg=$(rsvg-convert --version | head -1)"
    echo "hyperfine=$(hyperfine --version)"
    echo "rustc=$(rustc --version)"
    echo "runs=$RUNS"
    echo "rows=$ROWS"
    echo "assets=$ASSETS"
    echo "has_level=$HAS_LEVEL"
    echo "quick=$QUICK"
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$W/results/env.txt"

python3 - "$W/results" "$ROOT/BENCHMARKS.md" <<'PY'
import json, os, sys

res, dest = sys.argv[1], sys.argv[2]
env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "env.txt")))
assets = int(env["assets"])
emit_rc, nsvg = (int(x) for x in open(os.path.join(res, "emit.txt")).read().split())

def read(name, default=None):
    p = os.path.join(res, name)
    return open(p).read().strip() if os.path.exists(p) else default

def result(key):
    j = read(key + ".json")
    if j is None:
        return None
    r = json.loads(j)["results"][0]
    return {
        "median": r["median"], "min": r["min"], "max": r["max"],
        "bytes": int(read(key + ".bytes", "0")), "files": int(read(key + ".files", "0")),
        "rss": int(read(key + ".rss", "0").splitlines()[-1]),
        "others": others(key, r),
    }

def others(key, r):
    # Cores used on average by other processes while hyperfine measured KEY:
    # the machine's busy time less the contender's own user + system time.
    c = read(key + ".cpu")
    if c is None:
        return None
    t0, t1, b0, b1 = (float(x) for x in c.split())
    own = (r["user"] + r["system"]) * len(r["times"])
    return max(0.0, ((b1 - b0) / 100 - own) / (t1 - t0))

ROWS = [
    ("postkit", "postkit batch (default: `--jobs` = 2 cores)", assets),
    ("postkit-fast", "postkit batch `--png-level fast`", assets),
    ("postkit-small", "postkit batch `--png-level small`", assets),
    ("postkit-jobs1", "postkit batch `--jobs 1`", assets),
    ("bare-encode", "bare resvg library, render + `encode_png` (2 threads)", nsvg),
    ("bare-render", "bare resvg library, render only (2 threads)", nsvg),
    ("resvg-cli", "resvg CLI, one process per file, 2 in parallel", nsvg),
    ("rsvg-convert", "rsvg-convert, one process per file, 2 in parallel", nsvg),
]
R = {k: result(k) for k, _, _ in ROWS}
ref = R["resvg-cli"]

def thr(k):
    r = R.get(k)
    n = dict((a, c) for a, _, c in ROWS)[k]
    return n / r["median"] if r else None

def mb(b):
    return f"{b / 1e6:.1f} MB"

lines = []
L = lines.append
L("# Benchmarks: postkit batch against bare resvg, the resvg CLI and rsvg-convert")
L("")
L(f"- **Machine**: {env['nproc']} cores, {env['cpu']}, {int(env['mem_kb']) / 1048576:.1f} GiB RAM, {env['kernel']}")
L(f"- **Date**: {env['date']}")
L(f"- **Versions**: postkit {env['rev']}; resvg CLI {env['resvg']} (the library postkit links is 0.49 too); "
  f"{env['rsvg']}; {env['hyperfine']}; {env['rustc']}")
L(f"- **Work**: {env['rows']} stories × 4 sizes (instagram-square 1080×1080, instagram-portrait 1080×1350, "
  f"instagram-story 1080×1920, x-post 1600×900) through `story-quote` = {assets} PNGs; "
  f"median of {env['runs']} runs (hyperfine), each into an emptied output folder"
  + (" — **QUICK run**" if env["quick"] == "1" else ""))
if nsvg != assets or emit_rc != 0:
    L(f"- **Note**: postkit wrote {nsvg} of {assets} assets (exit code {emit_rc}); "
      "the other contenders render the SVGs it emitted.")
L("")
L("| contender | median s (min–max) | assets/s | throughput vs resvg CLI | PNG bytes | bytes vs resvg CLI | peak RSS | other load |")
L("|---|---:|---:|---:|---:|---:|---:|---:|")
for k, label, n in ROWS:
    r = R[k]
    if r is None:
        na = "n/a (flag missing)" if k in ("postkit-fast", "postkit-small") else "n/a"
        L(f"| {label} | {na} | | | | | | |")
        continue
    t = thr(k)
    rt = f"{t / thr('resvg-cli'):.2f}×" if ref else "n/a"
    if k == "bare-render":
        b, rb = "— (not encoded)", "—"
    else:
        b = mb(r["bytes"]) + ("" if r["files"] == n else f" ({r['files']} files!)")
        rb = f"{r['bytes'] / ref['bytes']:.2f}×" if ref and ref["bytes"] else "n/a"
    rss = f"{r['rss'] / 1024:.0f} MB"
    if k in ("resvg-cli", "rsvg-convert"):
        rss += " (largest process)"
    o = "?" if r["others"] is None else f"{r['others']:.2f}"
    L(f"| {label} | {r['median']:.2f} ({r['min']:.2f}–{r['max']:.2f}) | {t:.0f} | {rt} | {b} | {rb} | {rss} | {o} |")
L("")
worst = max((r["others"] or 0) for r in R.values() if r)
L("*Other load*: cores used on average by other processes while a row was measured (the machine's "
  "busy time less the contender's own CPU time, from `/proc/stat`; the machine has "
  f"{env['nproc']}). " + ("Nothing else ran to speak of." if worst < 0.15 else
  "**Other work ran during this benchmark: rows with a high figure are slowed by it.**")
  + f" Load average at the end: {env['load_end']}.")
L("")

# Pixel equality.
def diff(name):
    d = read(f"diff-{name}.json")
    return json.loads(d) if d else None

def pixels(d):
    if d is None:
        return "n/a"
    if d["compared"] and d["identical"] == d["compared"]:
        return f"yes ({d['identical']}/{d['compared']} files identical)"
    s = (f"no: {d['identical']}/{d['compared']} files identical, max channel diff {d['max_channel_diff']}, "
         f"up to {d['max_pixels_differing']} pixels differ in one file (worst: `{d['worst']}`)")
    if d["size_mismatch"]:
        s += f", {d['size_mismatch']} of different size"
    return s

L("**Same pixels** (decoded PNGs compared with the bare resvg library's, every asset):")
L("")
L(f"- postkit batch vs bare resvg: {pixels(diff('postkit'))}")
if R["postkit-fast"]:
    L(f"- postkit `--png-level fast` vs bare resvg: {pixels(diff('postkit-fast'))}")
    L(f"- postkit `--png-level small` vs bare resvg: {pixels(diff('postkit-small'))}")
L(f"- resvg CLI vs bare resvg: {pixels(diff('resvg-cli'))}")
L(f"- rsvg-convert vs bare resvg: {pixels(diff('rsvg-convert'))} (a different renderer: "
  "differences in anti-aliasing and text are expected)")
L("")

# Targets.
def verdict(ok):
    return "met" if ok else "**missed**"

L("## Targets")
L("")
L("| target | measured | verdict |")
L("|---|---|---|")
pk = thr("postkit")
if R["bare-encode"]:
    L(f"| postkit batch vs bare resvg render + encode (the floor) | {pk / thr('bare-encode'):.2f}× the throughput | — |")
if R["bare-render"]:
    L(f"| postkit batch vs bare resvg render alone | {pk / thr('bare-render'):.2f}× the throughput | — |")
if ref:
    x = pk / thr("resvg-cli")
    by = R["postkit"]["bytes"] / ref["bytes"]
    L(f"| postkit batch ≥ 2× the resvg CLI's throughput | {x:.2f}× | {verdict(x >= 2)} |")
    L(f"| postkit batch PNG bytes ≤ 0.9× the resvg CLI's | {by:.2f}× | {verdict(by <= 0.9)} |")
    if R["postkit-fast"]:
        x = thr("postkit-fast") / thr("resvg-cli")
        L(f"| `--png-level fast` ≥ 4× the resvg CLI's throughput | {x:.2f}× | {verdict(x >= 4)} |")
    else:
        L("| `--png-level fast` ≥ 4× the resvg CLI's throughput | n/a (flag missing) | — |")
    if R["postkit-small"]:
        by = R["postkit-small"]["bytes"] / ref["bytes"]
        L(f"| `--png-level small` ≤ 0.7× the resvg CLI's bytes | {by:.2f}× | {verdict(by <= 0.7)} |")
    else:
        L("| `--png-level small` ≤ 0.7× the resvg CLI's bytes | n/a (flag missing) | — |")
if R["postkit-jobs1"]:
    x = pk / thr("postkit-jobs1")
    L(f"| `--jobs 2` ≥ 1.8× the throughput of `--jobs 1` | {x:.2f}× | {verdict(x >= 1.8)} |")
mem = []
for line in (read("memory.txt") or "").splitlines():
    f = line.split()
    # Older results have no anonymous/file split.
    anon, file = (int(f[4]), int(f[5])) if len(f) >= 6 else (0, 0)
    mem.append((int(f[0]), int(f[1]), int(f[2]), float(f[3]), anon, file))
if mem:
    small, big = mem[0], mem[-1]
    growth = big[2] / small[2]
    L(f"| peak RSS flat from {small[0]:,} to {big[0]:,} assets | {small[2] / 1024:.0f} MB → {big[2] / 1024:.0f} MB ({growth:.2f}×) | "
      f"{verdict(growth <= 1.25) if big[0] >= 10000 else 'not measured at 10,000 (QUICK)'} |")
cold = read("cold.json")
if cold:
    c = json.loads(cold)["results"][0]
    L(f"| cold start: `postkit render`, one story, {read('cold.files')} sizes | {c['median'] * 1000:.0f} ms median, "
      f"{int(read('cold.rss').splitlines()[-1]) / 1024:.0f} MB peak RSS | — |")
L("")
L("(\"Flat\" is judged as at most 1.25× from the smallest to the largest batch.)")
L("")

L("## Memory: postkit batch peak RSS by batch size")
L("")
L("| assets | written | peak RSS | of which heap (anonymous) | of which binary and fonts (file) | wall time | assets/s |")
L("|---:|---:|---:|---:|---:|---:|---:|")
mb = lambda kb: f"{kb / 1024:.0f} MB" if kb else "—"
for n, written, rss, secs, anon, file in mem:
    L(f"| {n:,} | {written:,} | {rss / 1024:.0f} MB | {mb(anon)} | {mb(file)} | {secs:.1f} s | {written / secs:.0f} |")
if env["quick"] == "1":
    L("| 10,000 | skipped (QUICK=1) | | | | | |")
L("")
L("Same story mix and 4 sizes: the rows are the first 25, 250 and 2,500 of the generated stories, "
  "with each language's first story moved to the front so every batch uses every script "
  "(organisations keep 1–7 stories each, so contact sheets stay the same size as the batch grows). "
  "`--force` into a fresh folder. Peak RSS is one run under `/usr/bin/time -f %M`; the split is "
  "the largest anonymous and file-backed resident memory (`/proc/PID/smaps_rollup`, sampled every "
  "50 ms) of a second run, so the two parts need not add up to the peak.")
L("")

L("## What is compared, and how to rerun")
L("")
L(f"""All contenders do the same work on this machine in one run of the script. The stories are
generated deterministically (seeded): mostly English, plus Arabic, Persian, Ukrainian, Tigrinya,
Urdu, Somali and Chinese, 80–400 characters, a logo on about a third of the organisations.
postkit runs the whole job from the CSV: text layout and fitting, template fill, render, contrast
check, PNG encoding, alt text and captions, the manifest, per-organisation contact sheets and
the review page; `--jobs` defaults to the number of cores (2). The other contenders start from the
SVGs postkit itself emitted for the same assets (`--emit-svg`), so they do only the rendering and
encoding: **bare resvg** is `benches/bare_resvg.rs`, the resvg 0.49 library postkit links, with
the fonts of `fonts/` loaded once and a rayon pool of 2 threads, encoding with tiny-skia's
`encode_png` (what the resvg CLI writes), or rendering only: the floor under postkit's own work.
The **resvg CLI** (0.49, `--skip-system-fonts --use-fonts-dir fonts`, the SVGs' folder as
resources dir) and **rsvg-convert** (fontconfig limited to `fonts/`) run one process per file,
2 at a time with `xargs -P 2`, loading the fonts in every process. Ratios: throughput is assets
per second of wall time relative to the resvg CLI (higher is faster); bytes are the total size
of the PNGs relative to the resvg CLI's (lower is smaller). Peak RSS is from one extra run under
`/usr/bin/time -f %M` (for the CLIs, the largest single process). The cold start is a fresh
`postkit render` process (warm page cache), median of 20 runs.

Rerun with `bash benches/compare.sh` (30–90 minutes on 2 cores, depending on what else runs; it installs `librsvg2-bin`,
`hyperfine` and `time` with apt-get and the resvg 0.49 CLI with `cargo install` into
`target/bench-tools/` when missing). `QUICK=1` makes 3 runs per contender and skips the
10,000-asset memory run; `RUNS=N` and `ROWS=N` change the runs and the number of stories.
Scratch data is kept in `target/bench-compare/`.""")
open(dest, "w", encoding="utf-8").write("\n".join(lines) + "\n")
print(open(dest, encoding="utf-8").read())
PY
