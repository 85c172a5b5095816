//! A CSV or TSV as spreadsheet programs save it: the text's encoding (a
//! byte-order mark's, UTF-8, or Windows-1252 when the bytes are not UTF-8)
//! and its separator (comma, semicolon or tab, found from the header row),
//! both told back so that nothing is guessed silently.

use std::fmt;

/// How a delimited text file was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextForm {
    /// `UTF-8`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    pub encoding: &'static str,
    /// Whether the text began with a byte-order mark.
    pub bom: bool,
    /// `,`, `;` or a tab.
    pub separator: u8,
}

impl fmt::Display for TextForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let encoding = match self.encoding {
            "windows-1252" => "Windows-1252 text (its bytes are not UTF-8: Excel's \"CSV (Comma delimited)\" on Windows; if letters look wrong, save it as \"CSV UTF-8\")",
            "UTF-16LE" => "UTF-16 LE text",
            "UTF-16BE" => "UTF-16 BE text",
            _ => "UTF-8 text",
        };
        let bom = if self.bom {
            " with a byte-order mark"
        } else {
            ""
        };
        let separator = match self.separator {
            b';' => "semicolons",
            b'\t' => "tabs",
            _ => "commas",
        };
        write!(f, "{encoding}{bom}, columns separated by {separator}")
    }
}

/// Decodes `bytes` as the text a spreadsheet program wrote: UTF-8 or
/// UTF-16 after a byte-order mark, UTF-8 without one, else Windows-1252.
/// Bytes that are none of these are an error saying what to do.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str, bool), String> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let name = encoding.name();
        return match encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
        {
            Some(text) => Ok((text.into_owned(), name, true)),
            None => Err(format!(
                "it starts with the byte-order mark of {name} but is not valid {name} text; save it again from your spreadsheet as \"CSV UTF-8\""
            )),
        };
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(format!(
            "it is not text postkit can read (byte {at} is zero: UTF-16 without a byte-order mark, or not text at all); save it from your spreadsheet as \"CSV UTF-8\", or give the .xlsx or .ods itself"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), "UTF-8", false)),
        Err(e) => {
            // Bytes Windows-1252 leaves undefined: some other code page.
            if let Some(at) =
                (bytes.iter()).position(|b| [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(b))
            {
                return Err(format!(
                    "it is neither UTF-8 (byte {} is not) nor Windows-1252 (byte {at} is 0x{:02X}, which Windows-1252 does not use); save it from your spreadsheet as \"CSV UTF-8\"",
                    e.valid_up_to(),
                    bytes[at]
                ));
            }
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok((text.into_owned(), "windows-1252", false))
        }
    }
}

/// The separator of the header row (the first line that is neither blank
/// nor a `#` comment): whichever of comma, semicolon and tab it has most of
/// outside quotes; a comma when it has none.
pub fn separator(text: &str) -> u8 {
    let header = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                for (sep, n) in &mut counts {
                    if *sep == b {
                        *n += 1;
                    }
                }
            }
        }
    }
    // The most; on a tie the first of comma, semicolon, tab.
    let best = counts.iter().fold(
        (b',', 0),
        |best, &(sep, n)| {
            if n > best.1 {
                (sep, n)
            } else {
                best
            }
        },
    );
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_header_rows() {
        assert_eq!(separator("org,story\nA,\"x; y\"\n"), b',');
        assert_eq!(separator("# org,story,a,b\norg;story;\"a,b,c\"\n"), b';');
        assert_eq!(separator("org\tstory\tlogo\n"), b'\t');
        assert_eq!(separator("org\n"), b',');
    }

    #[test]
    fn encodings_are_read_and_named() {
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "org\tstory\nCafé\t’"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(
            decode(&utf16le).unwrap(),
            ("org\tstory\nCafé\t’".to_string(), "UTF-16LE", true)
        );
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("org".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&utf16be).unwrap().1, "UTF-16BE");
        assert_eq!(
            decode(b"\xEF\xBB\xBForg").unwrap(),
            ("org".into(), "UTF-8", true)
        );
        // é and ’ in Windows-1252.
        assert_eq!(
            decode(b"Caf\xE9 \x92").unwrap(),
            ("Café ’".into(), "windows-1252", false)
        );
        let e = decode(b"org\x81x").unwrap_err();
        assert!(e.contains("byte 3 is 0x81"), "{e}");
        let e = decode(b"o\0r\0g\0").unwrap_err();
        assert!(e.contains("byte 1 is zero"), "{e}");
    }
}
