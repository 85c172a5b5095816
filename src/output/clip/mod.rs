//! Clips: frames in, one MP4 out. H.264 (Constrained Baseline, from Cisco's
//! OpenH264 built from source) with BT.709 colour, in an MP4 that starts
//! playing before it has all arrived, with a silent AAC track unless asked
//! for none — what Reels, Stories, TikTok, Shorts, X, LinkedIn and Facebook
//! all accept.
//!
//! ```no_run
//! # fn frames() -> Vec<resvg::tiny_skia::Pixmap> { Vec::new() }
//! use postkit::output::clip::{Audio, ClipEncoder, ClipSpec};
//!
//! let spec = ClipSpec { width: 1080, height: 1920, fps: 30, audio: Audio::Silent };
//! let mut clip = ClipEncoder::new(&spec).unwrap();
//! for frame in frames() {
//!     clip.push(&frame).unwrap();
//! }
//! clip.repeat_last(90).unwrap(); // hold the finished card for 3 s
//! std::fs::write("clip.mp4", clip.finish().unwrap()).unwrap();
//! ```
//!
//! Frames are converted and encoded as they come: a long clip holds its
//! coded bytes (a few hundred kB a second), never its pictures. A held
//! frame ([`ClipEncoder::repeat_last`]) is not encoded again: each repeat
//! is a hand-written P picture whose macroblocks are all skipped (about a
//! dozen bytes, microseconds), with an IDR picture every two seconds as
//! every frame run has.
//!
//! The bytes depend only on the frames: one encoder thread, every date in
//! the file zero.

mod h264;
mod mp4;
mod yuv;

pub use yuv::Yuv420;

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Level, Profile,
    QpRange, RateControlMode, SpsPpsStrategy, UsageType, VuiConfig,
};
use openh264::formats::YUVSource;
use openh264::Timestamp;
use resvg::tiny_skia::Pixmap;

/// The sound track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audio {
    /// A silent AAC-LC stereo track as long as the video (48 kHz): apps
    /// such as Instagram only let a viewer add music to a clip that has
    /// an audio track.
    #[default]
    Silent,
    /// No audio track.
    None,
}

/// What a clip is: its size, frame rate and sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClipSpec {
    /// Width in pixels: even (4:2:0 video has one colour sample for each
    /// 2×2 pixels).
    pub width: u32,
    /// Height in pixels: even.
    pub height: u32,
    /// Frames a second, constant (1–60).
    pub fps: u32,
    /// The sound track.
    pub audio: Audio,
}

/// What can go wrong making a clip. Each message says what to change.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClipError {
    /// The size cannot be encoded.
    #[error("a clip of {width}×{height}: {reason}")]
    Size {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
        /// Why not, and what would do.
        reason: String,
    },
    /// The frame rate is outside 1–60.
    #[error("a clip at {0} frames a second: the frame rate must be 1 to 60 (platforms take 23 to 60; 30 is what they all take)")]
    FrameRate(u32),
    /// A frame of another size than the clip's.
    #[error("frame {index} is {got_width}×{got_height}; the clip is {width}×{height}: every frame must be the clip's size")]
    FrameSize {
        /// The frame (0-based).
        index: u32,
        /// The frame's width.
        got_width: u32,
        /// The frame's height.
        got_height: u32,
        /// The clip's width.
        width: u32,
        /// The clip's height.
        height: u32,
    },
    /// `repeat_last` or `finish` before any frame.
    #[error("the clip has no frame yet: push a frame before {0}")]
    NoFrame(&'static str),
    /// The H.264 encoder failed or wrote what cannot be used.
    #[error("the H.264 encoder failed at frame {index}: {message}")]
    Encoder {
        /// The frame (0-based).
        index: u32,
        /// What happened.
        message: String,
    },
    /// The MP4 file could not be written.
    #[error("the MP4 file could not be written: {0}")]
    Container(String),
}

/// IDR pictures (where a player can start) at least this often: two
/// seconds of frames, what X and the Reels guidelines ask for.
const KEYFRAME_SECONDS: u32 = 2;

/// The quantiser for every macroblock of every picture (quality mode held
/// at one QP). 18 keeps small text on flat colour crisp: the story card
/// decodes at 41.8 dB PSNR against the still, where 4:2:0 alone allows
/// 43.2 (20 gives 41.1 and 15% fewer bytes). See BENCHMARKS.md.
pub const QP: u8 = 18;

/// The AAC-LC AudioSpecificConfig: object type 2, 48 kHz (index 3), two
/// channels.
const AAC_CONFIG: [u8; 2] = [0x11, 0x90];
/// One AAC-LC stereo frame of digital silence (a channel pair element
/// with both channels' spectra zero): 1024 samples in 9 bytes.
const AAC_SILENCE: [u8; 9] = [0x21, 0x00, 0x49, 0x90, 0x02, 0x19, 0x00, 0x23, 0x80];
const AAC_RATE: u32 = 48_000;

/// Encodes frames into an MP4 clip, one frame at a time.
pub struct ClipEncoder {
    spec: ClipSpec,
    encoder: Encoder,
    /// The last frame pushed, converted (what a repeat shows again).
    picture: Yuv420,
    /// The parameter sets, as the encoder wrote them and as read.
    sps: Option<Vec<u8>>,
    pps: Option<Vec<u8>>,
    sets: Option<h264::ParamSets>,
    /// The coded frames, each NAL unit behind its 4-byte length.
    payload: Vec<u8>,
    sizes: Vec<u32>,
    /// Frames (0-based) that are IDR pictures.
    sync: Vec<u32>,
    /// Frames since the last IDR picture, that one included.
    since_idr: u32,
    /// How the last coded picture is numbered (what a repeat follows).
    last: Option<h264::Picture>,
    /// The last picture was written here, not by the encoder, whose own
    /// numbering must then restart with an IDR picture.
    after_repeat: bool,
}

impl ClipEncoder {
    /// An encoder for clips of that size, rate and sound.
    pub fn new(spec: &ClipSpec) -> Result<ClipEncoder, ClipError> {
        let (level, kbps) = level_for(spec)?;
        let size_error = |reason: String| ClipError::Size {
            width: spec.width,
            height: spec.height,
            reason,
        };
        let config = EncoderConfig::new()
            .usage_type(UsageType::CameraVideoRealTime)
            .profile(Profile::Baseline)
            .level(level)
            .rate_control_mode(RateControlMode::Bufferbased)
            .qp(QpRange::new(QP, QP))
            .bitrate(BitRate::from_bps(kbps * 1000))
            .skip_frames(false)
            .max_frame_rate(FrameRate::from_hz(spec.fps as f32))
            .num_threads(1)
            .complexity(Complexity::Medium)
            .scene_change_detect(false)
            .adaptive_quantization(false)
            .background_detection(true)
            .long_term_reference(false)
            .intra_frame_period(IntraFramePeriod::from_num_frames(0))
            .sps_pps_strategy(SpsPpsStrategy::ConstantId)
            .vui(VuiConfig::bt709());
        let encoder = Encoder::with_api_config(openh264::OpenH264API::from_source(), config)
            .map_err(|e| size_error(format!("the H.264 encoder refused it: {e}")))?;
        Ok(ClipEncoder {
            spec: *spec,
            encoder,
            picture: Yuv420::new(spec.width as usize, spec.height as usize),
            sps: None,
            pps: None,
            sets: None,
            payload: Vec::new(),
            sizes: Vec::new(),
            sync: Vec::new(),
            since_idr: 0,
            last: None,
            after_repeat: false,
        })
    }

    /// The clip's size, rate and sound.
    pub fn spec(&self) -> &ClipSpec {
        &self.spec
    }

    /// Frames so far.
    pub fn frames(&self) -> u32 {
        self.sizes.len() as u32
    }

    /// One frame: premultiplied RGBA of the clip's size (cards are opaque;
    /// a pixel that is not comes out as if over black).
    pub fn push(&mut self, frame: &Pixmap) -> Result<(), ClipError> {
        if frame.width() != self.spec.width || frame.height() != self.spec.height {
            return Err(ClipError::FrameSize {
                index: self.frames(),
                got_width: frame.width(),
                got_height: frame.height(),
                width: self.spec.width,
                height: self.spec.height,
            });
        }
        if !self.picture.read_rgba(frame.data()) {
            return Err(self.encoder_error("the frame's pixels are not width × height × 4 bytes"));
        }
        self.encode()
    }

    /// The last frame again, `n` times (the finished card held at the end):
    /// next to nothing to encode or store.
    pub fn repeat_last(&mut self, n: u32) -> Result<(), ClipError> {
        if self.sizes.is_empty() {
            return Err(ClipError::NoFrame("repeating the last"));
        }
        for _ in 0..n {
            if self.since_idr >= self.keyframe_interval() {
                self.encode()?;
                continue;
            }
            let (sets, last) = match (&self.sets, &self.last) {
                (Some(s), Some(l)) => (s, l),
                _ => return Err(self.encoder_error("no picture to repeat")),
            };
            let (nal, picture) = sets
                .skip_picture(last)
                .map_err(|m| self.encoder_error(&m))?;
            let start = self.payload.len();
            self.payload
                .extend_from_slice(&(nal.len() as u32).to_be_bytes());
            self.payload.extend_from_slice(&nal);
            self.sizes.push((self.payload.len() - start) as u32);
            self.last = Some(picture);
            self.since_idr += 1;
            self.after_repeat = true;
        }
        Ok(())
    }

    /// The finished MP4: `ftyp`, `moov`, `mdat`.
    pub fn finish(self) -> Result<Vec<u8>, ClipError> {
        let (Some(sps), Some(pps)) = (&self.sps, &self.pps) else {
            return Err(ClipError::NoFrame("finishing the clip"));
        };
        let video = mp4::Video {
            width: self.spec.width,
            height: self.spec.height,
            fps: self.spec.fps,
            sps,
            pps,
            sizes: &self.sizes,
            sync: &self.sync,
        };
        let audio = mp4::Audio {
            rate: AAC_RATE,
            channels: 2,
            config: AAC_CONFIG,
            frame: &AAC_SILENCE,
        };
        let audio = match self.spec.audio {
            Audio::Silent => Some(&audio),
            Audio::None => None,
        };
        mp4::write(&video, &self.payload, audio).map_err(ClipError::Container)
    }

    fn keyframe_interval(&self) -> u32 {
        KEYFRAME_SECONDS * self.spec.fps
    }

    fn encoder_error(&self, message: &str) -> ClipError {
        ClipError::Encoder {
            index: self.frames(),
            message: message.to_string(),
        }
    }

    /// Encodes `self.picture` as the next frame.
    fn encode(&mut self) -> Result<(), ClipError> {
        let index = self.frames();
        let fail = |message: String| ClipError::Encoder { index, message };
        if self.after_repeat || self.since_idr >= self.keyframe_interval() {
            self.encoder.force_intra_frame();
        }
        let millis = u64::from(index) * 1000 / u64::from(self.spec.fps);
        let coded = self
            .encoder
            .encode_at(&Planes(&self.picture), Timestamp::from_millis(millis))
            .map_err(|e| fail(e.to_string()))?
            .to_vec();

        let start = self.payload.len();
        let mut idr = false;
        let mut last_slice = None;
        for nal in h264::nal_units(&coded) {
            match h264::nal_type(nal) {
                h264::NAL_SPS | h264::NAL_PPS => self.parameter_set(nal).map_err(fail)?,
                9 => {} // access unit delimiter: MP4 samples are access units already
                kind => {
                    if kind == h264::NAL_IDR {
                        idr = true;
                    }
                    if matches!(kind, h264::NAL_SLICE | h264::NAL_IDR) {
                        last_slice = Some((self.payload.len() + 4, nal.len()));
                    }
                    self.payload
                        .extend_from_slice(&(nal.len() as u32).to_be_bytes());
                    self.payload.extend_from_slice(nal);
                }
            }
        }
        let Some((slice_at, slice_len)) = last_slice else {
            self.payload.truncate(start);
            return Err(fail(
                "it wrote no picture (a skipped frame would shorten the clip)".into(),
            ));
        };
        if index == 0 && !idr {
            self.payload.truncate(start);
            return Err(fail("the first picture is not an IDR picture".into()));
        }
        let Some(sets) = &self.sets else {
            self.payload.truncate(start);
            return Err(fail("it wrote no parameter sets".into()));
        };
        let picture = sets.picture(&self.payload[slice_at..slice_at + slice_len]);
        let picture = picture.map_err(|m| {
            self.payload.truncate(start);
            fail(m)
        })?;
        self.last = Some(picture);
        if idr {
            self.sync.push(index);
            self.since_idr = 0;
        }
        self.since_idr += 1;
        self.sizes.push((self.payload.len() - start) as u32);
        self.after_repeat = false;
        Ok(())
    }

    /// Keeps the first SPS and PPS; later ones must be the same (they go in
    /// the MP4's sample description, once).
    fn parameter_set(&mut self, nal: &[u8]) -> Result<(), String> {
        let slot = if h264::nal_type(nal) == h264::NAL_SPS {
            &mut self.sps
        } else {
            &mut self.pps
        };
        match slot {
            Some(kept) if kept != nal => {
                return Err("it changed its parameter sets in the middle of the clip".into())
            }
            Some(_) => {}
            None => *slot = Some(nal.to_vec()),
        }
        if self.sets.is_none() {
            if let (Some(sps), Some(pps)) = (&self.sps, &self.pps) {
                self.sets = Some(h264::ParamSets::parse(sps, pps)?);
            }
        }
        Ok(())
    }
}

/// The converted picture as OpenH264 reads it.
struct Planes<'a>(&'a Yuv420);

impl YUVSource for Planes<'_> {
    fn dimensions(&self) -> (usize, usize) {
        (self.0.width, self.0.height)
    }
    fn strides(&self) -> (usize, usize, usize) {
        (self.0.width, self.0.width / 2, self.0.width / 2)
    }
    fn y(&self) -> &[u8] {
        &self.0.y
    }
    fn u(&self) -> &[u8] {
        &self.0.u
    }
    fn v(&self) -> &[u8] {
        &self.0.v
    }
}

/// The lowest H.264 level (Table A-1) whose frame size, macroblock rate
/// and side lengths hold the clip (1080×1920 at 30 fps needs 4.0), and its
/// highest bit rate in kbit/s. (OpenH264 raises the level to fit the
/// target bit rate it is given: it is given the level's.)
fn level_for(spec: &ClipSpec) -> Result<(Level, u32), ClipError> {
    let error = |reason: &str| ClipError::Size {
        width: spec.width,
        height: spec.height,
        reason: reason.to_string(),
    };
    if !(1..=60).contains(&spec.fps) {
        return Err(ClipError::FrameRate(spec.fps));
    }
    if spec.width == 0 || spec.height == 0 {
        return Err(error("a clip needs a width and a height"));
    }
    if !spec.width.is_multiple_of(2) || !spec.height.is_multiple_of(2) {
        let even = |n: u32| n + n % 2;
        return Err(error(&format!(
            "width and height must be even (4:2:0 video has one colour sample for each 2×2 pixels): use {}×{}",
            even(spec.width),
            even(spec.height)
        )));
    }
    if spec.width.max(spec.height) > 3840 || spec.width.min(spec.height) > 2160 {
        return Err(error(
            "larger than the encoder takes (3840×2160 or 2160×3840 at most); social video is 1080 wide",
        ));
    }
    let (w_mbs, h_mbs) = (
        u64::from(spec.width.div_ceil(16)),
        u64::from(spec.height.div_ceil(16)),
    );
    let frame = w_mbs * h_mbs;
    let rate = frame * u64::from(spec.fps);
    // (level, MaxFS, MaxMBPS, MaxBR in kbit/s for Baseline)
    const LEVELS: [(Level, u64, u64, u32); 16] = [
        (Level::Level_1_0, 99, 1_485, 64),
        (Level::Level_1_1, 396, 3_000, 192),
        (Level::Level_1_2, 396, 6_000, 384),
        (Level::Level_1_3, 396, 11_880, 768),
        (Level::Level_2_0, 396, 11_880, 2_000),
        (Level::Level_2_1, 792, 19_800, 4_000),
        (Level::Level_2_2, 1_620, 20_250, 4_000),
        (Level::Level_3_0, 1_620, 40_500, 10_000),
        (Level::Level_3_1, 3_600, 108_000, 14_000),
        (Level::Level_3_2, 5_120, 216_000, 20_000),
        (Level::Level_4_0, 8_192, 245_760, 20_000),
        (Level::Level_4_1, 8_192, 245_760, 50_000),
        (Level::Level_4_2, 8_704, 522_240, 50_000),
        (Level::Level_5_0, 22_080, 589_824, 135_000),
        (Level::Level_5_1, 36_864, 983_040, 240_000),
        (Level::Level_5_2, 36_864, 2_073_600, 240_000),
    ];
    LEVELS
        .iter()
        .find(|&&(_, max_frame, max_rate, _)| {
            // A side may be at most √(8 × MaxFS) macroblocks (A.3.1 f, g).
            let side = 8 * max_frame;
            frame <= max_frame && rate <= max_rate && w_mbs * w_mbs <= side && h_mbs * h_mbs <= side
        })
        .map(|&(level, _, _, kbps)| (level, kbps))
        .ok_or_else(|| error("more than H.264 level 5.2 allows at this frame rate"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(width: u32, height: u32, fps: u32) -> ClipSpec {
        ClipSpec {
            width,
            height,
            fps,
            audio: Audio::Silent,
        }
    }

    #[test]
    fn the_level_is_the_lowest_that_holds_size_and_rate() {
        let level = |w, h, fps| format!("{:?}", level_for(&spec(w, h, fps)).unwrap().0);
        assert_eq!(level(1080, 1920, 30), "Level_4_0");
        assert_eq!(level(1080, 1080, 30), "Level_3_2");
        assert_eq!(level(720, 1280, 30), "Level_3_1");
        assert_eq!(level(1080, 1920, 60), "Level_4_2");
        assert_eq!(level(64, 64, 30), "Level_1_0");
    }

    #[test]
    fn odd_sizes_and_bad_rates_are_refused_with_the_fix() {
        let odd = ClipEncoder::new(&spec(1081, 1920, 30)).err().unwrap();
        assert!(odd.to_string().contains("use 1082×1920"), "{odd}");
        assert!(matches!(
            ClipEncoder::new(&spec(1080, 1920, 0)),
            Err(ClipError::FrameRate(0))
        ));
        assert!(matches!(
            ClipEncoder::new(&spec(0, 1920, 30)),
            Err(ClipError::Size { .. })
        ));
        assert!(matches!(
            ClipEncoder::new(&spec(8192, 8192, 30)),
            Err(ClipError::Size { .. })
        ));
    }

    #[test]
    fn a_frame_of_another_size_or_no_frame_is_an_error() {
        let mut clip = ClipEncoder::new(&spec(64, 64, 30)).unwrap();
        assert!(matches!(clip.repeat_last(3), Err(ClipError::NoFrame(_))));
        let wrong = Pixmap::new(32, 64).unwrap();
        let err = clip.push(&wrong).unwrap_err();
        assert!(err.to_string().contains("32×64"), "{err}");
        assert!(matches!(clip.finish(), Err(ClipError::NoFrame(_))));
    }
}
