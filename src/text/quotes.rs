//! The quotation marks of a language, for the marks a template draws
//! around a story (Unicode CLDR's `quotationStart` / `quotationEnd`; where
//! CLDR gives several styles, the one most publishers use).

use unicode_script::{Script, UnicodeScript};

/// Opening and closing quotation marks, as written in the text's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotes {
    /// Opens a quotation.
    pub open: char,
    /// Closes it.
    pub close: char,
}

const fn pair(open: char, close: char) -> Quotes {
    Quotes { open, close }
}

const CURLY: Quotes = pair('“', '”');
const GUILLEMETS: Quotes = pair('«', '»');
const LOW_HIGH: Quotes = pair('„', '“');
const LOW_CURLY: Quotes = pair('„', '”');
const CORNER: Quotes = pair('「', '」');
const RIGHT_RIGHT: Quotes = pair('”', '”');

/// The marks for language `lang` (a BCP 47 tag), else for the script of
/// `text` (Latin text with no language gets English marks).
pub fn quotes_for(lang: Option<&str>, text: &str) -> Quotes {
    if let Some(q) = lang.and_then(by_language) {
        return q;
    }
    by_script(text)
}

fn by_language(tag: &str) -> Option<Quotes> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    let primary = tag.split('-').next().unwrap_or("");
    Some(match primary {
        // Arabic script: the readers and CLDR's Persian, Pashto.
        "ar" | "fa" | "ps" | "ckb" | "ku" | "sd" | "ug" => GUILLEMETS,
        // Urdu keeps English-style marks.
        "ur" => CURLY,
        // Cyrillic, Greek, Ethiopic, Romance and others with « ».
        "uk" | "ru" | "be" | "kk" | "ky" | "uz" | "tg" | "el" | "am" | "ti" | "fr" | "es"
        | "it" | "ca" | "pt" | "eu" | "hy" | "nb" | "no" | "nn" | "sq" => {
            // European Portuguese and Brazilian differ: CLDR gives pt “ ”.
            if primary == "pt" {
                CURLY
            } else {
                GUILLEMETS
            }
        }
        "de" | "cs" | "sk" | "sl" | "lt" | "is" | "bg" | "ka" | "et" | "lb" => LOW_HIGH,
        "pl" | "ro" | "hu" | "hr" | "sr" | "bs" => LOW_CURLY,
        "ja" => CORNER,
        "zh" if tag.contains("hant") || tag.ends_with("-tw") || tag.ends_with("-hk") => CORNER,
        "he" | "yi" | "fi" | "sv" => RIGHT_RIGHT,
        "" => return None,
        _ => CURLY,
    })
}

fn by_script(text: &str) -> Quotes {
    let mut han = false;
    for c in text.chars() {
        match c.script() {
            Script::Hiragana | Script::Katakana => return CORNER,
            Script::Han => han = true,
            Script::Arabic => {
                // Urdu's own letters (ٹ ڈ ڑ ں ے) mark Urdu text.
                if text
                    .chars()
                    .any(|c| matches!(c, 'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے'))
                {
                    return CURLY;
                }
                return GUILLEMETS;
            }
            Script::Hebrew => return RIGHT_RIGHT,
            Script::Cyrillic | Script::Greek | Script::Ethiopic | Script::Armenian => {
                return GUILLEMETS
            }
            Script::Georgian => return LOW_HIGH,
            Script::Latin if !han => return CURLY,
            _ => {}
        }
    }
    CURLY
}

/// The mark drawn where a template draws `drawn` (which opens a quotation
/// when `opens`), for text quoted in `quotes`; in a mirrored layout the
/// mark stands on the other side of the text, so the template's opening
/// mark becomes the closing one as seen (a right-to-left reader sees »
/// open an Arabic quotation at the right).
pub fn mark(quotes: Quotes, opens: bool, mirrored: bool) -> char {
    let c = if opens != mirrored {
        quotes.open
    } else {
        quotes.close
    };
    match c {
        '„' => '“',
        '‚' => '‘',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_scripts_get_their_marks() {
        assert_eq!(quotes_for(Some("ar"), "x"), GUILLEMETS);
        assert_eq!(quotes_for(Some("fa-IR"), ""), GUILLEMETS);
        assert_eq!(quotes_for(Some("de"), "Hallo"), LOW_HIGH);
        assert_eq!(quotes_for(Some("ja"), ""), CORNER);
        assert_eq!(quotes_for(Some("zh-Hant"), ""), CORNER);
        assert_eq!(quotes_for(Some("zh-Hans"), ""), CURLY);
        assert_eq!(quotes_for(Some("pt-BR"), ""), CURLY);
        assert_eq!(quotes_for(None, "نطبخ معًا"), GUILLEMETS);
        assert_eq!(quotes_for(None, "ہم ساتھ کھانا پکاتے ہیں"), CURLY);
        assert_eq!(quotes_for(None, "Ми готуємо разом"), GUILLEMETS);
        assert_eq!(quotes_for(None, "ንሕና ብሓባር"), GUILLEMETS);
        assert_eq!(quotes_for(None, "我们一起做饭"), CURLY);
        assert_eq!(quotes_for(None, "一緒に料理します"), CORNER);
        assert_eq!(quotes_for(None, "We cook together"), CURLY);
        assert_eq!(quotes_for(None, "2024!"), CURLY);
    }

    #[test]
    fn a_mirrored_layout_shows_the_other_mark() {
        assert_eq!(mark(GUILLEMETS, true, false), '«');
        assert_eq!(mark(GUILLEMETS, true, true), '»');
        assert_eq!(mark(CURLY, true, true), '”');
        assert_eq!(mark(CURLY, false, false), '”');
        assert_eq!(mark(LOW_HIGH, true, false), '“');
    }
}
