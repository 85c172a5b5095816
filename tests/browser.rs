//! The page of `postkit serve` in a real browser: Debian's Chromium driven
//! over WebDriver (chromedriver) against the real binary on 127.0.0.1.
//!
//! A partner's afternoon, on a desktop and on a phone: an Arabic story with
//! Latin hashtags and a logo, every preview decoded, a story too long for
//! some sizes (the warning appears beside the story), the kit downloaded as a
//! zip (every PNG with its alt text and caption, and report.json), the kinds
//! switched with the keyboard; then one column, big touch targets and loaded
//! previews at a phone's size. "Many organisations": a sheet of five
//! organisations and two logos checked (a row's problem named by its cell),
//! every kit made and downloaded as one zip. With `POSTKIT_SCREENSHOTS=1`
//! it writes docs/screenshots/page-desktop.png, page-phone.png and
//! page-batch-desktop.png, page-batch-phone.png for the README.

mod webdriver;

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use webdriver::{
    browser, chromedriver, downloaded, open_page, previews_settled, retype, screenshots, text_of,
    wait_js, Killed, Profile, ONE_BROWSER_AT_A_TIME,
};

const ORG: &str = "Plymouth Welcome Hub";
/// "When we arrived in Plymouth we knew no one. Today our neighbours teach us
/// to bake, and we teach their children Arabic."
const STORY_AR: &str = "عندما وصلنا إلى بليموث لم نكن نعرف أحدًا. اليوم يعلّمنا جيراننا الخَبز، ونحن نعلّم أطفالهم العربية.";
const HASHTAGS: &str = "#ItTakesACommunity #MigrantsDay #PlymouthWelcome";
/// The story's English translation (issue 18: bilingual cards).
const TRANSLATION_EN: &str =
    "When we arrived in Plymouth we knew no one. Today our neighbours teach us to bake.";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts `postkit serve` on a free port and returns it with its URL.
fn serve() -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("postkit serve starts");
    let stdout = child.stdout.take().unwrap();
    let guard = Killed(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
        // Keep draining, so the server never blocks on a full pipe.
        for _ in lines {}
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("postkit serve prints the URL it listens on within 60 s");
    let url = line
        .strip_prefix("postkit: serving on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (guard, url)
}

/// Every PNG of the kit has its alt text and caption, and report.json lists it.
fn check_kit(bytes: &[u8], platforms: usize) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        assert!(
            !name.starts_with('/') && !name.contains(".."),
            "zip path {name}"
        );
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        files.insert(name, data);
    }
    let pngs: Vec<&String> = files.keys().filter(|n| n.ends_with(".png")).collect();
    assert_eq!(pngs.len(), platforms, "PNGs in the zip: {:?}", files.keys());
    for png in &pngs {
        assert!(
            png.starts_with("plymouth-welcome-hub/story-quote-"),
            "{png}"
        );
        assert!(files[*png].starts_with(b"\x89PNG\r\n\x1a\n"), "{png}");
        for side in ["alt.txt", "caption.txt"] {
            let text = files
                .get(&format!("{png}.{side}"))
                .unwrap_or_else(|| panic!("{png} has no .{side}: {:?}", files.keys()));
            let text = String::from_utf8(text.clone()).unwrap();
            assert!(text.contains("بليموث"), "{png}.{side}: {text}");
        }
        let caption = String::from_utf8(files[&format!("{png}.caption.txt")].clone()).unwrap();
        assert!(caption.contains("#PlymouthWelcome"), "{caption}");
    }
    let report: Value =
        serde_json::from_slice(files.get("report.json").expect("report.json")).unwrap();
    assert_eq!(
        report["assets"].as_array().map(Vec::len),
        Some(platforms),
        "{report}"
    );
}

async fn desktop(c: &Client, url: &str, downloads: &Path) {
    open_page(c, url, "the page loads the campaign", 30).await;
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );
    // Eight kinds as thumbnails, the campaign's five sizes ticked, its
    // hashtags and handles prefilled.
    let kinds = c
        .find_all(Locator::Css("#kinds input[type=radio]"))
        .await
        .unwrap();
    assert_eq!(kinds.len(), 8);
    let ticked = c
        .find_all(Locator::Css("#platforms input:checked"))
        .await
        .unwrap();
    assert_eq!(ticked.len(), 5);
    let tags = c
        .find(Locator::Css("#hashtags"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(tags.as_deref(), Some("#ItTakesACommunity #MigrantsDay"));

    // The form: organisation, an Arabic story (the field follows its
    // direction), Latin hashtags, a logo.
    retype(c, "#org", ORG).await;
    retype(c, "#story", STORY_AR).await;
    let dir = c
        .execute(
            "return getComputedStyle(document.getElementById('story')).direction",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dir, "rtl", "the story field runs right to left");
    c.find(Locator::Css("#lang"))
        .await
        .unwrap()
        .select_by_value("ar")
        .await
        .unwrap();
    let story = c.find(Locator::Css("#story")).await.unwrap();
    assert_eq!(story.attr("lang").await.unwrap().as_deref(), Some("ar"));
    assert_eq!(story.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    retype(c, "#hashtags", HASHTAGS).await;
    let logo = root().join("examples/logo.png");
    c.find(Locator::Css("#logo"))
        .await
        .unwrap()
        .send_keys(&logo.display().to_string())
        .await
        .unwrap();
    wait_js(
        c,
        "the chosen logo is shown",
        10,
        "return !document.getElementById('logo-chosen').hidden",
    )
    .await;
    let count = text_of(c, "#story-count").await;
    assert!(count.ends_with("characters"), "{count}");

    let cards = previews_settled(c, "five previews decode").await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    for card in &cards {
        assert_eq!(card["failed"], false, "{card}");
        let alt = card["alt"].as_str().unwrap();
        assert!(
            alt.contains("بليموث") && alt.contains(ORG),
            "alt text: {alt}"
        );
        assert!(card["width"].as_u64().unwrap() > 100, "{card}");
    }
    let status = text_of(c, "#status").await;
    assert!(status.contains("5 sizes ready"), "{status}");

    // Too long: the warning appears beside the story and on the sizes it
    // does not fit, with how far over it is.
    // About 1,500 characters: more than the square post holds even at its
    // smallest type, less than the story size does.
    let long = format!("{STORY_AR} ").repeat(15);
    c.execute(
        "const s = document.getElementById('story'); s.value = arguments[0]; s.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(long.trim_end())],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#story"))
        .await
        .unwrap()
        .send_keys(".")
        .await
        .unwrap();
    let problem = wait_js(
        c,
        "the too-long warning appears beside the story",
        90,
        "const p = document.getElementById('story-problem'); return document.body.dataset.render !== 'busy' && p.textContent.includes('Too long') ? p.textContent : null",
    )
    .await;
    let problem = problem.as_str().unwrap();
    assert!(problem.contains("by about"), "{problem}");
    let live = c.find(Locator::Css("#story-problem")).await.unwrap();
    assert_eq!(
        live.attr("aria-live").await.unwrap().as_deref(),
        Some("polite")
    );
    assert_eq!(
        c.find(Locator::Css("#story"))
            .await
            .unwrap()
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let cards = previews_settled(c, "the long story's previews settle").await;
    let failed: Vec<&Value> = cards.iter().filter(|c| c["failed"] == true).collect();
    assert!(!failed.is_empty(), "{cards:?}");
    for card in &failed {
        assert!(
            card["text"]
                .as_str()
                .unwrap()
                .contains("Too long for this size by about"),
            "{card}"
        );
    }
    if let Some(dir) = screenshots() {
        c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        std::fs::write(dir.join("page-desktop.png"), c.screenshot().await.unwrap()).unwrap();
    }

    // Back to the short story, then "Download all".
    retype(c, "#story", STORY_AR).await;
    let cards = previews_settled(c, "the short story's previews settle").await;
    assert!(cards.iter().all(|c| c["failed"] == false), "{cards:?}");
    c.find(Locator::Css("#download-all"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (name, zip) = downloaded(downloads, ".zip").await;
    assert!(name.ends_with(".zip"), "{name}");
    check_kit(&zip, 5);

    // One image on its own.
    c.find(Locator::Css("#cards .card [data-act=png]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (name, png) = downloaded(downloads, ".png").await;
    assert!(name.starts_with("story-quote-"), "{name}");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    // A translation below the story: a field of its own, with its own
    // language and direction; every preview shows it, the alt text too.
    let label = text_of(c, "label[for=translation]").await;
    assert_eq!(label, "Translation (optional)");
    retype(c, "#translation", TRANSLATION_EN).await;
    c.find(Locator::Css("#translation_lang"))
        .await
        .unwrap()
        .select_by_value("en")
        .await
        .unwrap();
    let translation = c.find(Locator::Css("#translation")).await.unwrap();
    assert_eq!(
        translation.attr("dir").await.unwrap().as_deref(),
        Some("ltr")
    );
    assert_eq!(
        translation.attr("lang").await.unwrap().as_deref(),
        Some("en")
    );
    let story = c.find(Locator::Css("#story")).await.unwrap();
    assert_eq!(story.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    let cards = previews_settled(c, "the bilingual previews settle").await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    for card in &cards {
        assert_eq!(card["failed"], false, "{card}");
        let alt = card["alt"].as_str().unwrap();
        assert!(
            alt.contains(&format!("(الترجمة: «{TRANSLATION_EN}»)")),
            "alt text: {alt}"
        );
    }
    if let Some(dir) = screenshots() {
        c.execute(
            "document.getElementById('translation').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .unwrap();
        std::fs::write(
            dir.join("page-bilingual.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }

    // The kind with the keyboard alone: arrows move through the radio group,
    // and the fields that kind needs appear.
    let order = c
        .execute(
            "return [...document.querySelectorAll('#kinds input')].map((i) => i.value)",
            vec![],
        )
        .await
        .unwrap();
    let order: Vec<&str> = order
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let at = |name: &str| order.iter().position(|n| *n == name).unwrap();
    let steps = (at("event") + order.len() - at("story-quote")) % order.len();
    let first = c.find(Locator::Css("#kind-story-quote")).await.unwrap();
    c.execute(
        "document.getElementById('kind-story-quote').focus()",
        vec![],
    )
    .await
    .unwrap();
    first.send_keys(&"\u{E014}".repeat(steps)).await.unwrap(); // ArrowRight to the event
    wait_js(
        c,
        "the event's fields appear",
        10,
        "return document.getElementById('event') && document.getElementById('place') ? true : null",
    )
    .await;
    wait_js(
        c,
        "the status says what the event still needs",
        10,
        "return document.getElementById('status').textContent.includes('the name of the event')",
    )
    .await;
}

/// Types the organisation and the Arabic story; the campaign's five
/// previews, decoded.
async fn arabic_story(c: &Client, what: &str) -> Vec<Value> {
    retype(c, "#org", ORG).await;
    retype(c, "#story", STORY_AR).await;
    let cards = previews_settled(c, what).await;
    assert_eq!(cards.len(), 5, "{cards:?}");
    cards
}

async fn phone(c: &Client, url: &str) {
    open_page(c, url, "the page loads on a phone", 30).await;
    arabic_story(c, "previews decode on a phone").await;
    let layout = c
        .execute(
            r#"
            const w = document.documentElement.clientWidth;
            const form = document.getElementById('form').getBoundingClientRect();
            const preview = document.querySelector('.preview').getBoundingClientRect();
            const cards = [...document.querySelectorAll('#cards .card')].map((c) => c.getBoundingClientRect().left);
            const small = [...document.querySelectorAll('button, select, textarea, input[type=text], input[type=date], input[type=file], .plat, .kind')]
                .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                .map((e) => e.id || e.className || e.tagName);
            return {
                width: w,
                scroll: document.documentElement.scrollWidth,
                stacked: preview.top >= form.bottom,
                formWidth: form.width,
                columns: new Set(cards.map(Math.round)).size,
                small,
            };
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(layout["width"], 390, "{layout}");
    assert!(
        layout["scroll"].as_u64().unwrap() <= 390,
        "no sideways scrolling: {layout}"
    );
    assert_eq!(layout["stacked"], true, "one column: {layout}");
    assert!(layout["formWidth"].as_f64().unwrap() > 340.0, "{layout}");
    assert_eq!(layout["columns"], 1, "{layout}");
    assert_eq!(
        layout["small"],
        json!([]),
        "touch targets under 44 px: {layout}"
    );
    if let Some(dir) = screenshots() {
        c.execute(
            "document.getElementById('preview-heading').scrollIntoView({block: 'start'})",
            vec![],
        )
        .await
        .unwrap();
        std::fs::write(dir.join("page-phone.png"), c.screenshot().await.unwrap()).unwrap();
    }
}

/// The page's words in English, from its catalogue: every message without
/// a placeholder (a whole label, hint or status as it is shown).
fn english_words() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("src/serve/page/i18n/en.json")).unwrap();
    let en: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    en.iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .filter_map(|(_, v)| v.as_str())
        .filter(|v| !v.contains('{'))
        .map(|v| v.trim().to_string())
        .collect()
}

/// Every visible text node of the page (outside a language menu's options
/// and outside what is marked as another language, such as the engine's
/// own English sentence under a problem): [{text, lang}].
const VISIBLE_TEXT: &str = r#"
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const text = n.textContent.trim();
        const host = n.parentElement;
        if (!text || !host || host.closest('option, script, template')) continue;
        if (!host.checkVisibility({ visibilityProperty: true })) continue;
        const lang = host.closest('[lang]').getAttribute('lang');
        out.push({ text, lang });
    }
    return out;
"#;

/// The page switched to Arabic with its language menu: the whole interface
/// runs right to left, no English label is left in it, the URL says
/// ?lang=ar (nothing stored), and a story's previews carry the card's
/// words in Arabic. Screenshots at a desktop's and a phone's size with
/// `POSTKIT_SCREENSHOTS=1` (docs/screenshots/page-ar-*.png).
async fn arabic(c: &Client, url: &str, phone: bool) {
    open_page(c, url, "the page loads", 30).await;
    let menu = c.find(Locator::Css("#ui-lang")).await.unwrap();
    menu.select_by_value("ar").await.unwrap();
    wait_js(
        c,
        "the page switches to Arabic",
        30,
        "return document.body.dataset.lang === 'ar'",
    )
    .await;
    let cards = arabic_story(c, "previews decode in Arabic").await;
    let page = c
        .execute(
            r#"
            const html = document.documentElement;
            const dir = (css) => getComputedStyle(document.querySelector(css)).direction;
            const form = document.getElementById('form').getBoundingClientRect();
            const preview = document.querySelector('.preview').getBoundingClientRect();
            return {
                lang: html.lang, dir: html.dir,
                directions: ['header', '#form', '.preview', '#cards .card', 'footer'].map(dir),
                formRight: form.left >= preview.right - 1,
                query: location.search,
                cookies: document.cookie,
                stored: localStorage.length + sessionStorage.length,
                title: document.title,
            };
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page["lang"], "ar", "{page}");
    assert_eq!(page["dir"], "rtl", "{page}");
    assert_eq!(
        page["directions"],
        json!(["rtl", "rtl", "rtl", "rtl", "rtl"]),
        "{page}"
    );
    if !phone {
        // Right to left as a whole: the form, first, is on the right.
        assert_eq!(page["formRight"], true, "{page}");
    }
    assert_eq!(page["query"], "?lang=ar", "{page}");
    assert_eq!(page["cookies"], "", "{page}");
    assert_eq!(page["stored"], 0, "{page}");
    assert!(
        page["title"].as_str().unwrap().starts_with("اصنع"),
        "{page}"
    );

    let english = english_words();
    let nodes = c.execute(VISIBLE_TEXT, vec![]).await.unwrap();
    let nodes = nodes.as_array().unwrap();
    assert!(nodes.len() > 40, "{nodes:?}");
    // Latin words an Arabic page may show: brands, file formats, the
    // campaign's hashtags, postkit's name, and the path of its catalogues.
    let allowed = [
        "Instagram",
        "Facebook",
        "LinkedIn",
        "Bluesky",
        "Mastodon",
        "Threads",
        "TikTok",
        "YouTube",
        "Short",
        "Reel",
        "WhatsApp",
        "Twitter",
        "Open",
        "Graph",
        "PNG",
        "JPEG",
        "WebP",
        "SVG",
        "zip",
        "postkit",
        "sRGB",
    ];
    let mut left = Vec::new();
    for n in nodes {
        let text = n["text"].as_str().unwrap();
        let lang = n["lang"].as_str().unwrap();
        if lang != "ar" {
            // Marked as another language: a language's own name, the
            // engine's sentence in English.
            continue;
        }
        if english.iter().any(|e| e == text) {
            left.push(text.to_string());
            continue;
        }
        let latin = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || "#@/._-".contains(c)))
            .map(|w| w.trim_matches(|c: char| "._-".contains(c)))
            .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
            .filter(|w| !w.starts_with('#') && !w.starts_with('@') && !w.contains('/'))
            .filter(|w| !allowed.contains(w))
            .map(str::to_string)
            .collect::<Vec<_>>();
        if !latin.is_empty() {
            left.push(format!("{text} ({})", latin.join(", ")));
        }
    }
    assert!(
        left.is_empty(),
        "English left on the Arabic page: {left:#?}"
    );
    // The cards' own words follow the story: the alt text says the day's
    // name in Arabic, the story as written.
    let alts: Vec<&str> = cards.iter().map(|c| c["alt"].as_str().unwrap()).collect();
    assert!(alts.iter().all(|a| a.contains("عندما وصلنا")), "{alts:?}");
    if let Some(dir) = screenshots() {
        let name = if phone {
            "page-ar-phone.png"
        } else {
            "page-ar-desktop.png"
        };
        std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_page_speaks_arabic_right_to_left_on_a_desktop_and_a_phone() {
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let (_driver, driver_url) = chromedriver();
    let (_server, url) = serve();
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let run = async {
        for phone in [false, true] {
            let profile = Profile(work.path().join(if phone { "phone" } else { "desktop" }));
            let c = browser(&driver_url, &profile.0, &downloads, phone).await;
            arabic(&c, &url, phone).await;
            c.close().await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .expect("the Arabic browser test finishes within 4 minutes");
}

#[tokio::test(flavor = "current_thread")]
async fn the_page_makes_a_kit_in_a_real_browser_on_a_desktop_and_a_phone() {
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let (_driver, driver_url) = chromedriver();
    let (_server, url) = serve();
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();

    let run = async {
        let desktop_profile = Profile(work.path().join("desktop"));
        let c = browser(&driver_url, &desktop_profile.0, &downloads, false).await;
        desktop(&c, &url, &downloads).await;
        c.close().await.unwrap();
        let phone_profile = Profile(work.path().join("phone"));
        let c = browser(&driver_url, &phone_profile.0, &downloads, true).await;
        phone(&c, &url).await;
        c.close().await.unwrap();
    };
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the browser test finishes within 5 minutes");
}

/// A video size on the page: its still first, then the clip plays in a
/// `<video>` (decoded by Chromium's own H.264 decoder), and "Download all"
/// puts the MP4 in the zip with its cover, alt text and caption.
async fn clip_on_the_page(c: &Client, url: &str, downloads: &Path) {
    open_page(c, url, "the page loads the campaign", 30).await;
    retype(c, "#org", ORG).await;
    retype(
        c,
        "#story",
        "When we arrived we knew nobody. Now we cook for the whole street.",
    )
    .await;
    // Only TikTok: untick the stills, tick the clip.
    c.execute(
        r#"
        for (const i of document.querySelectorAll('#platforms input:checked')) i.click();
        document.getElementById('plat-tiktok').click();
        "#,
        vec![],
    )
    .await
    .unwrap();
    let card = wait_js(
        c,
        "the TikTok clip is made and plays",
        120,
        r#"
        const card = document.querySelector('#cards .card[data-platform="tiktok"]');
        if (!card || card.dataset.clip !== 'ready') return null;
        const v = card.querySelector('video');
        if (!v || v.readyState < 2 || v.currentTime <= 0.2) return null;
        return {
            width: v.videoWidth, height: v.videoHeight, muted: v.muted, loop: v.loop,
            poster: !!v.poster, paused: v.paused, duration: v.duration,
            label: v.getAttribute('aria-label'), note: card.querySelector('.clip-note').textContent,
            error: v.error && v.error.code,
            // The whole clip inside its frame, the card's buttons below it.
            inside: (() => {
                const f = card.querySelector('.frame').getBoundingClientRect();
                const r = v.getBoundingClientRect();
                return r.top >= f.top - 1 && r.bottom <= f.bottom + 1 && r.left >= f.left - 1 && r.right <= f.right + 1;
            })(),
        };
        "#,
    )
    .await;
    assert_eq!(card["width"], 1080, "{card}");
    assert_eq!(card["height"], 1920, "{card}");
    assert_eq!(card["muted"], true, "{card}");
    assert_eq!(card["loop"], true, "{card}");
    assert_eq!(card["poster"], true, "the still is the poster: {card}");
    assert_eq!(card["inside"], true, "the clip fits its frame: {card}");
    assert_eq!(card["paused"], false, "{card}");
    assert!(card["duration"].as_f64().unwrap() >= 3.0, "{card}");
    assert!(
        card["label"].as_str().unwrap().contains("we cook"),
        "{card}"
    );
    assert!(
        card["note"].as_str().unwrap().starts_with("Clip ready"),
        "{card}"
    );
    if let Some(dir) = screenshots() {
        std::fs::write(dir.join("page-clip.png"), c.screenshot().await.unwrap()).unwrap();
    }

    c.find(Locator::Css("#download-all"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (name, bytes) = downloaded(downloads, ".zip").await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    let clip = "plymouth-welcome-hub/story-quote-tiktok.mp4";
    for f in [
        clip.to_string(),
        format!("{clip}.cover.jpg"),
        format!("{clip}.alt.txt"),
        format!("{clip}.caption.txt"),
    ] {
        assert!(names.contains(&f), "{name}: {f} not in {names:?}");
    }
    let mut mp4 = Vec::new();
    zip.by_name(clip).unwrap().read_to_end(&mut mp4).unwrap();
    assert_eq!(&mp4[4..8], b"ftyp", "an MP4");
    let mut caption = String::new();
    zip.by_name(&format!("{clip}.caption.txt"))
        .unwrap()
        .read_to_string(&mut caption)
        .unwrap();
    assert!(caption.contains("#ItTakesACommunity"), "{caption}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_page_plays_a_clip_and_puts_it_in_the_zip() {
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let (_driver, driver_url) = chromedriver();
    let (_server, url) = serve();
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let run = async {
        let profile = Profile(work.path().join("clip"));
        let c = browser(&driver_url, &profile.0, &downloads, false).await;
        clip_on_the_page(&c, &url, &downloads).await;
        c.close().await.unwrap();
    };
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the clip test finishes within 5 minutes");
}

/// "Many organisations": the sheet and its two logos chosen, every row
/// checked (the row with no story named by its cell, the first rows'
/// cards drawn), then every kit made and downloaded as one zip.
async fn many_organisations(c: &Client, url: &str, files: &Path, downloads: &Path, phone: bool) {
    open_page(c, url, "the page is ready", 60).await;
    c.find(Locator::Css("#mode-many"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_js(
        c,
        "the batch mode is shown",
        10,
        "return !document.getElementById('batch').hidden && document.querySelector('main.layout').hidden",
    )
    .await;
    let sheet = files.join("campaign.xlsx");
    let sheet_input = c.find(Locator::Css("#batch-sheet")).await.unwrap();
    sheet_input
        .send_keys(&sheet.display().to_string())
        .await
        .unwrap();
    let logos = [files.join("cafe.png"), files.join("library.jpg")];
    let logos: Vec<String> = logos.iter().map(|p| p.display().to_string()).collect();
    let logo_input = c.find(Locator::Css("#batch-files")).await.unwrap();
    logo_input.send_keys(&logos.join("\n")).await.unwrap();
    let checked = wait_js(
        c,
        "every row is checked, with the first rows' cards",
        90,
        r#"
        const s = document.getElementById('batch-status');
        if (!/\b(good|warn)\b/.test(s.className)) return null;
        if (!document.getElementById('batch-chosen').textContent.includes('2')) return null;
        const imgs = [...document.querySelectorAll('#batch-cards img')];
        if (!imgs.length || !imgs.every((i) => i.complete && i.naturalWidth > 0)) return null;
        const rows = [...document.querySelectorAll('.batch-problems tbody tr')]
            .map((tr) => [...tr.children].map((td) => td.textContent));
        return { status: s.textContent, rows, cards: imgs.length, alts: imgs.map((i) => i.alt),
                 made: !document.getElementById('batch-make').disabled };
        "#,
    )
    .await;
    assert_eq!(checked["cards"], 3, "{checked}");
    assert_eq!(checked["made"], true, "{checked}");
    let rows = checked["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{checked}");
    assert_eq!(rows[0][0], "4", "{checked}");
    assert_eq!(rows[0][1], "Partners!B5 (column story)", "{checked}");
    assert!(rows[0][2].as_str().unwrap().contains("story"), "{checked}");
    assert!(
        checked["status"].as_str().unwrap().contains("5 rows"),
        "{checked}"
    );
    assert!(
        checked["alts"][0]
            .as_str()
            .unwrap()
            .contains("Café Solidarité Lyon"),
        "{checked}"
    );
    if let Some(dir) = screenshots() {
        let name = if phone {
            "page-batch-phone.png"
        } else {
            "page-batch-desktop.png"
        };
        if phone {
            let to = "document.getElementById('batch-check-heading').scrollIntoView()";
            c.execute(to, vec![]).await.unwrap();
        }
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
    if phone {
        return;
    }
    c.find(Locator::Css("#batch-make"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (name, bytes) = downloaded(downloads, ".zip").await;
    assert_eq!(name, "postkit-batch.zip");
    let done = wait_js(
        c,
        "the page says the batch is done",
        30,
        "return !document.getElementById('batch-done').hidden && document.getElementById('batch-progress-text').textContent",
    )
    .await;
    assert!(done.as_str().unwrap().contains("4 images made"), "{done}");
    if let Some(dir) = screenshots() {
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join("page-batch-done.png"), png).unwrap();
    }
    // Every kit is in the zip, with its texts, the review page and the report.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    for org in [
        "café-solidarité-lyon",
        "بيت-الجيران",
        "бібліотека-лідса",
        "associação-são-tomé",
    ] {
        let png = names
            .iter()
            .find(|n| {
                n.starts_with(&format!("out/{org}/"))
                    && n.ends_with(".png")
                    && !n.contains("contact-sheet")
            })
            .unwrap_or_else(|| panic!("no kit of {org}: {names:?}"));
        for side in ["alt.txt", "caption.txt"] {
            assert!(
                names.contains(&format!("{png}.{side}")),
                "{png}.{side}: {names:?}"
            );
        }
    }
    assert!(!names.iter().any(|n| n.contains("plymouth")), "{names:?}");
    for f in ["out/index.html", "out/report.json"] {
        assert!(names.iter().any(|n| n == f), "{f}: {names:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn many_organisations_from_one_sheet_on_a_desktop_and_a_phone() {
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let (_driver, driver_url) = chromedriver();
    let (_server, url) = serve();
    let work = tempfile::tempdir().unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let files = work.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("campaign.xlsx"), common::campaign_xlsx()).unwrap();
    for (name, bytes) in common::campaign_logos() {
        std::fs::write(files.join(name), bytes).unwrap();
    }
    let run = async {
        let profile = Profile(work.path().join("batch"));
        let c = browser(&driver_url, &profile.0, &downloads, false).await;
        many_organisations(&c, &url, &files, &downloads, false).await;
        c.close().await.unwrap();
        let profile = Profile(work.path().join("batch-phone"));
        let c = browser(&driver_url, &profile.0, &downloads, true).await;
        many_organisations(&c, &url, &files, &downloads, true).await;
        c.close().await.unwrap();
    };
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the batch browser test finishes within 5 minutes");
}
