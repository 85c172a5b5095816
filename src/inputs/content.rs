//! What goes into a template: the text fields and images of one request,
//! checked once, with the campaign's and the brand's defaults filled in.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::inputs::brand;
use crate::inputs::campaign::Campaign;
use crate::inputs::images::ImageInput;
use crate::text::{self, Direction};

/// The user's own texts that decide a card's direction and language, in
/// the order they are consulted.
pub const USER_TEXTS: [&str; 5] = ["story", "title", "quote", "event", "name"];

/// What goes into a template: text fields and images.
#[derive(Clone, Debug, Default)]
pub struct Content {
    /// Text fields by name (`org`, `story`, `hashtags`, `palette.primary`, …).
    pub fields: BTreeMap<String, String>,
    /// Images by slot name (`logo`, `photo`, …).
    pub images: BTreeMap<String, ImageInput>,
    /// Paragraph direction for text slots.
    pub direction: Direction,
    /// Focal point of the photo for cover-fit crops (0..1, 0..1); centre if unset.
    pub focus: Option<(f32, f32)>,
    /// A colour to put behind the logo (set when it would have poor contrast
    /// with the background under it).
    pub logo_plate: Option<String>,
    /// Warnings about the content itself (hashtag style), added to every
    /// asset made from it.
    pub notes: Vec<Diagnostic>,
    /// Scrim opacity behind a slot's text (by field), set when the text needs
    /// more contrast with a photo.
    pub scrims: BTreeMap<String, f32>,
}

impl Content {
    /// Content for one story from the campaign's defaults: `org`, `story`,
    /// hashtags and tags (joined by spaces), campaign and palette fields.
    pub fn story(campaign: &Campaign, org: &str, story: &str) -> Content {
        let mut fields = campaign.fields();
        fields.insert("org".into(), text::clean(org));
        fields.insert("story".into(), text::clean(story));
        fields.insert("hashtags".into(), campaign.hashtags.join(" "));
        fields.insert("tags".into(), campaign.tags.join(" "));
        let mut content = Content {
            fields,
            ..Content::default()
        };
        brand::default_fields(campaign, &mut content);
        content.detect_direction();
        content
    }

    /// Sets the `rtl` field from the first of the user's texts (story, title,
    /// quote, event, name) that has a strong character, unless the direction
    /// was set explicitly.
    pub fn detect_direction(&mut self) {
        if self.direction != Direction::Auto {
            return;
        }
        let rtl = self.first_rtl(USER_TEXTS.iter().chain(&["org"]).copied()) == Some(true);
        self.fields
            .insert("rtl".into(), if rtl { "true" } else { "" }.into());
    }

    /// Whether the first of `fields` with a strong character reads right
    /// to left; None when none has one.
    pub fn first_rtl<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> Option<bool> {
        fields
            .into_iter()
            .filter_map(|k| self.fields.get(k))
            .map(|t| unicode_bidi::get_base_direction(t.as_str()))
            .find(|d| *d != unicode_bidi::Direction::Mixed)
            .map(|d| d == unicode_bidi::Direction::Rtl)
    }
}

impl Content {
    /// Sets the paragraph direction (and the `rtl` field templates test).
    pub fn set_direction(&mut self, direction: Direction) {
        self.direction = direction;
        match direction {
            Direction::Rtl => {
                self.fields.insert("rtl".into(), "true".into());
            }
            Direction::Ltr => {
                self.fields.insert("rtl".into(), String::new());
            }
            Direction::Auto => {}
        }
    }

    /// Sets the countdown fields (`days`, `days_unit`, `countdown`, `today`)
    /// for `today`; none once the campaign day has passed.
    pub fn set_date(&mut self, campaign: &Campaign, today: time::Date) {
        if let Some(f) = campaign.countdown(today) {
            self.fields.extend(f);
        }
    }

    /// Sets a custom field (`KEY=VALUE` from the command line or a batch
    /// column); the value is cleaned like any user text.
    pub fn set_field(&mut self, key: &str, value: &str) {
        self.fields
            .insert(key.trim().to_string(), text::clean(value));
    }
}
