//! The MP4 file (ISO/IEC 14496-12 and -14, the `avc1` sample entry of
//! 14496-15): `ftyp`, then `moov`, then `mdat`, so that a player starts
//! while the file is still arriving. What social platforms ask of an
//! upload and nothing more: one H.264 track with its colour in an `nclx`
//! `colr` box, an optional AAC track, samples interleaved a second at a
//! time, no edit list, every time stamp and date zero or derived from the
//! frame count, so that the same frames always give the same bytes.

/// The video track: parameter sets and the coded frames' sizes (the frames
/// themselves are the `payload` given to [`write`], in order).
pub struct Video<'a> {
    /// Picture size in pixels.
    pub width: u32,
    /// Picture size in pixels.
    pub height: u32,
    /// Frames a second (constant).
    pub fps: u32,
    /// The sequence parameter set, NAL header included.
    pub sps: &'a [u8],
    /// The picture parameter set, NAL header included.
    pub pps: &'a [u8],
    /// Each frame's size in the payload (4-byte lengths before each NAL unit).
    pub sizes: &'a [u32],
    /// The frames (0-based) that are IDR pictures.
    pub sync: &'a [u32],
}

/// An AAC track made of one frame repeated.
pub struct Audio<'a> {
    /// Samples a second.
    pub rate: u32,
    /// Channels.
    pub channels: u16,
    /// The 2-byte AudioSpecificConfig.
    pub config: [u8; 2],
    /// One raw AAC frame (1024 samples), used for every frame.
    pub frame: &'a [u8],
}

const AAC_FRAME: u64 = 1024;
/// The movie's own clock: milliseconds.
const MOVIE_TIMESCALE: u32 = 1000;

/// The whole file.
pub fn write(video: &Video, payload: &[u8], audio: Option<&Audio>) -> Result<Vec<u8>, String> {
    let frames = video.sizes.len() as u64;
    if frames == 0 {
        return Err("a clip needs at least one frame".into());
    }
    if video.sizes.iter().map(|&s| u64::from(s)).sum::<u64>() != payload.len() as u64 {
        return Err("the coded frames do not add up to the payload".into());
    }
    let fps = u64::from(video.fps);
    // Audio as long as the video, to the sample: the last frame's
    // duration is cut short where the video ends.
    let audio_plan = audio.map(|a| {
        let samples = (frames * u64::from(a.rate) + fps / 2) / fps;
        let count = samples.div_ceil(AAC_FRAME);
        (a, samples, count)
    });

    // Chunks: one second of each track after the other.
    let seconds = frames.div_ceil(fps);
    let mut video_chunks = Vec::new();
    let mut audio_chunks = Vec::new();
    for k in 0..seconds {
        let from = k * fps;
        video_chunks.push((from, (frames - from).min(fps)));
        if let Some((a, _, count)) = audio_plan {
            let start = |s: u64| (s * u64::from(a.rate)).div_ceil(AAC_FRAME);
            let (first, end) = (start(k).min(count), start(k + 1).min(count));
            audio_chunks.push((first, end - first));
        }
    }

    // Lay out mdat: for each second, its video chunk then its audio chunk.
    let offsets = |moov_len: u64| -> Result<(Vec<u32>, Vec<u32>), String> {
        let mut at = FTYP.len() as u64 + moov_len + 8;
        let mut sample = 0usize;
        let (mut v, mut a) = (Vec::new(), Vec::new());
        for (k, &(_, n)) in video_chunks.iter().enumerate() {
            v.push(u32::try_from(at).map_err(|_| TOO_LARGE)?);
            at += video.sizes[sample..sample + n as usize]
                .iter()
                .map(|&s| u64::from(s))
                .sum::<u64>();
            sample += n as usize;
            if let (Some((au, _, _)), Some(&(_, an))) = (audio_plan, audio_chunks.get(k)) {
                if an > 0 {
                    a.push(u32::try_from(at).map_err(|_| TOO_LARGE)?);
                    at += an * au.frame.len() as u64;
                }
            }
        }
        u32::try_from(at).map_err(|_| TOO_LARGE)?;
        Ok((v, a))
    };
    let tracks = |v_offsets: &[u32], a_offsets: &[u32]| {
        let mut b = Boxes::default();
        moov(
            &mut b,
            video,
            &video_chunks,
            v_offsets,
            audio_plan,
            &audio_chunks,
            a_offsets,
        );
        b.buf
    };
    // The offsets' values do not change moov's size: build it twice.
    let (v0, a0) = offsets(0)?;
    let moov_len = tracks(&v0, &a0).len() as u64;
    let (v, a) = offsets(moov_len)?;
    let moov = tracks(&v, &a);

    let audio_bytes = audio_plan.map_or(0, |(a, _, n)| n * a.frame.len() as u64);
    let mdat_len = 8 + payload.len() as u64 + audio_bytes;
    let mut out = Vec::with_capacity((FTYP.len() + moov.len()) + mdat_len as usize);
    out.extend_from_slice(&FTYP);
    out.extend_from_slice(&moov);
    out.extend_from_slice(
        &u32::try_from(mdat_len)
            .map_err(|_| TOO_LARGE)?
            .to_be_bytes(),
    );
    out.extend_from_slice(b"mdat");
    let mut at = 0usize;
    let mut sample = 0usize;
    for (k, &(_, n)) in video_chunks.iter().enumerate() {
        let len: usize = video.sizes[sample..sample + n as usize]
            .iter()
            .map(|&s| s as usize)
            .sum();
        out.extend_from_slice(&payload[at..at + len]);
        at += len;
        sample += n as usize;
        if let (Some((au, _, _)), Some(&(_, an))) = (audio_plan, audio_chunks.get(k)) {
            for _ in 0..an {
                out.extend_from_slice(au.frame);
            }
        }
    }
    Ok(out)
}

const TOO_LARGE: &str = "the clip is larger than 4 GB, more than an MP4 of this kind can index";

/// `ftyp`: ISO base media, with AVC and MP4 version 1 brands.
const FTYP: [u8; 32] = *b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41";

/// A box writer: `open` a box, write its fields, `close` it.
#[derive(Default)]
struct Boxes {
    buf: Vec<u8>,
    open: Vec<usize>,
}

impl Boxes {
    fn open(&mut self, kind: &[u8; 4]) {
        self.open.push(self.buf.len());
        self.buf.extend_from_slice(&[0, 0, 0, 0]);
        self.buf.extend_from_slice(kind);
    }

    /// A full box: version and 24-bit flags.
    fn open_full(&mut self, kind: &[u8; 4], version: u8, flags: u32) {
        self.open(kind);
        self.u32((u32::from(version) << 24) | flags);
    }

    fn close(&mut self) {
        if let Some(start) = self.open.pop() {
            let size = (self.buf.len() - start) as u32;
            self.buf[start..start + 4].copy_from_slice(&size.to_be_bytes());
        }
    }

    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }
    fn zeros(&mut self, n: usize) {
        self.buf.resize(self.buf.len() + n, 0);
    }

    /// The identity transformation matrix of `mvhd` and `tkhd`.
    fn matrix(&mut self) {
        for v in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
            self.u32(v);
        }
    }

    /// A complete box with a body written by `body`.
    fn leaf(&mut self, kind: &[u8; 4], body: impl FnOnce(&mut Boxes)) {
        self.open(kind);
        body(self);
        self.close();
    }
}

type AudioPlan<'a> = Option<(&'a Audio<'a>, u64, u64)>;

fn moov(
    b: &mut Boxes,
    video: &Video,
    video_chunks: &[(u64, u64)],
    video_offsets: &[u32],
    audio: AudioPlan,
    audio_chunks: &[(u64, u64)],
    audio_offsets: &[u32],
) {
    let frames = video.sizes.len() as u64;
    let fps = u64::from(video.fps);
    let movie_duration = ((frames * u64::from(MOVIE_TIMESCALE) + fps / 2) / fps) as u32;
    b.open(b"moov");

    b.open_full(b"mvhd", 0, 0);
    b.u32(0); // creation_time
    b.u32(0); // modification_time
    b.u32(MOVIE_TIMESCALE);
    b.u32(movie_duration);
    b.u32(0x0001_0000); // rate 1.0
    b.u16(0x0100); // volume 1.0
    b.zeros(10);
    b.matrix();
    b.zeros(24); // pre_defined
    b.u32(if audio.is_some() { 3 } else { 2 }); // next_track_ID
    b.close();

    // Video: timescale a thousand ticks a frame.
    let timescale = video.fps * 1000;
    let track = Track {
        id: 1,
        duration: movie_duration,
        media_timescale: timescale,
        media_duration: (frames * 1000) as u32,
        handler: *b"vide",
        name: "VideoHandler",
    };
    track.open(b, video.width, video.height, 0);
    b.open_full(b"vmhd", 0, 1);
    b.zeros(8); // graphicsmode, opcolor
    b.close();
    dinf(b);
    b.open(b"stbl");
    b.open_full(b"stsd", 0, 0);
    b.u32(1);
    avc1(b, video);
    b.close();
    stts(b, &[(frames as u32, 1000)]);
    b.open_full(b"stss", 0, 0);
    b.u32(video.sync.len() as u32);
    for &s in video.sync {
        b.u32(s + 1);
    }
    b.close();
    stsc(b, video_chunks);
    b.open_full(b"stsz", 0, 0);
    b.u32(0);
    b.u32(frames as u32);
    for &s in video.sizes {
        b.u32(s);
    }
    b.close();
    stco(b, video_offsets);
    b.close(); // stbl
    track.close(b);

    if let Some((a, samples, count)) = audio {
        let track = Track {
            id: 2,
            duration: movie_duration,
            media_timescale: a.rate,
            media_duration: samples as u32,
            handler: *b"soun",
            name: "SoundHandler",
        };
        track.open(b, 0, 0, 0x0100);
        b.open_full(b"smhd", 0, 0);
        b.zeros(4); // balance, reserved
        b.close();
        dinf(b);
        b.open(b"stbl");
        b.open_full(b"stsd", 0, 0);
        b.u32(1);
        mp4a(b, a);
        b.close();
        let last = samples - (count - 1) * AAC_FRAME;
        if last == AAC_FRAME {
            stts(b, &[(count as u32, AAC_FRAME as u32)]);
        } else {
            stts(
                b,
                &[((count - 1) as u32, AAC_FRAME as u32), (1, last as u32)],
            );
        }
        let chunks: Vec<(u64, u64)> = audio_chunks.iter().copied().filter(|c| c.1 > 0).collect();
        stsc(b, &chunks);
        b.open_full(b"stsz", 0, 0);
        b.u32(a.frame.len() as u32);
        b.u32(count as u32);
        b.close();
        stco(b, audio_offsets);
        b.close(); // stbl
        track.close(b);
    }
    b.close(); // moov
}

/// The boxes a track opens before its media information.
struct Track {
    id: u32,
    duration: u32,
    media_timescale: u32,
    media_duration: u32,
    handler: [u8; 4],
    name: &'static str,
}

impl Track {
    /// `trak`, `tkhd`, `mdia` with `mdhd` and `hdlr`, and `minf` left open.
    fn open(&self, b: &mut Boxes, width: u32, height: u32, volume: u16) {
        b.open(b"trak");
        b.open_full(b"tkhd", 0, 3); // enabled, in the movie
        b.u32(0); // creation_time
        b.u32(0); // modification_time
        b.u32(self.id);
        b.u32(0);
        b.u32(self.duration);
        b.zeros(8);
        b.u16(0); // layer
        b.u16(if volume > 0 { 1 } else { 0 }); // alternate_group
        b.u16(volume);
        b.u16(0);
        b.matrix();
        b.u32(width << 16);
        b.u32(height << 16);
        b.close();
        b.open(b"mdia");
        b.open_full(b"mdhd", 0, 0);
        b.u32(0);
        b.u32(0);
        b.u32(self.media_timescale);
        b.u32(self.media_duration);
        b.u16(0x55c4); // language: und
        b.u16(0);
        b.close();
        b.open_full(b"hdlr", 0, 0);
        b.u32(0);
        b.bytes(&self.handler);
        b.zeros(12);
        b.bytes(self.name.as_bytes());
        b.u8(0);
        b.close();
        b.open(b"minf");
    }

    /// Closes `minf`, `mdia` and `trak`.
    fn close(&self, b: &mut Boxes) {
        b.close();
        b.close();
        b.close();
    }
}

fn dinf(b: &mut Boxes) {
    b.open(b"dinf");
    b.open_full(b"dref", 0, 0);
    b.u32(1);
    b.open_full(b"url ", 0, 1); // the data is in this file
    b.close();
    b.close();
    b.close();
}

/// The `avc1` sample entry: size, `avcC` with the parameter sets, BT.709
/// limited range in `colr`, square pixels in `pasp`.
fn avc1(b: &mut Boxes, v: &Video) {
    b.open(b"avc1");
    b.zeros(6);
    b.u16(1); // data_reference_index
    b.zeros(16); // pre_defined, reserved
    b.u16(v.width as u16);
    b.u16(v.height as u16);
    b.u32(0x0048_0000); // 72 dpi
    b.u32(0x0048_0000);
    b.u32(0);
    b.u16(1); // frame_count
    b.zeros(32); // compressorname
    b.u16(0x0018); // depth
    b.u16(0xffff); // pre_defined = -1
    b.leaf(b"avcC", |b| {
        b.u8(1);
        b.bytes(v.sps.get(1..4).unwrap_or(&[66, 0xc0, 40]));
        b.u8(0xff); // lengthSizeMinusOne = 3
        b.u8(0xe1); // one SPS
        b.u16(v.sps.len() as u16);
        b.bytes(v.sps);
        b.u8(1); // one PPS
        b.u16(v.pps.len() as u16);
        b.bytes(v.pps);
    });
    b.leaf(b"colr", |b| {
        b.bytes(b"nclx");
        b.u16(1); // colour_primaries: BT.709
        b.u16(1); // transfer_characteristics: BT.709
        b.u16(1); // matrix_coefficients: BT.709
        b.u8(0); // full_range_flag 0: limited range
    });
    b.leaf(b"pasp", |b| {
        b.u32(1);
        b.u32(1);
    });
    b.close();
}

/// The `mp4a` sample entry with its `esds` (an MPEG-4 audio elementary
/// stream descriptor, 14496-1 §7.2.6.5).
fn mp4a(b: &mut Boxes, a: &Audio) {
    b.open(b"mp4a");
    b.zeros(6);
    b.u16(1); // data_reference_index
    b.zeros(8);
    b.u16(a.channels);
    b.u16(16); // samplesize
    b.zeros(4);
    b.u32(a.rate << 16);
    b.open_full(b"esds", 0, 0);
    let bitrate = (a.frame.len() as u64 * 8 * u64::from(a.rate) / AAC_FRAME) as u32;
    // ES_Descriptor(DecoderConfigDescriptor(DecoderSpecificInfo), SLConfigDescriptor)
    let dsi = [&[0x05, 2][..], &a.config].concat();
    let mut dcd = vec![0x40, 0x15, 0, 0x06, 0]; // AAC, audio stream, 1536-byte buffer
    dcd.extend_from_slice(&bitrate.to_be_bytes()); // max
    dcd.extend_from_slice(&bitrate.to_be_bytes()); // average
    dcd.extend_from_slice(&dsi);
    let mut es = vec![0, 2, 0]; // ES_ID 2, no flags
    es.push(0x04);
    es.push(dcd.len() as u8);
    es.extend_from_slice(&dcd);
    es.extend_from_slice(&[0x06, 1, 0x02]); // SLConfig: predefined for MP4
    b.u8(0x03);
    b.u8(es.len() as u8);
    b.bytes(&es);
    b.close();
    b.close();
}

/// Decoding times: runs of (count, duration).
fn stts(b: &mut Boxes, runs: &[(u32, u32)]) {
    b.open_full(b"stts", 0, 0);
    b.u32(runs.len() as u32);
    for &(count, delta) in runs {
        b.u32(count);
        b.u32(delta);
    }
    b.close();
}

/// Samples per chunk, one entry per change.
fn stsc(b: &mut Boxes, chunks: &[(u64, u64)]) {
    let mut entries: Vec<(u32, u32)> = Vec::new();
    for (i, &(_, n)) in chunks.iter().enumerate() {
        if entries.last().is_none_or(|&(_, m)| m != n as u32) {
            entries.push((i as u32 + 1, n as u32));
        }
    }
    b.open_full(b"stsc", 0, 0);
    b.u32(entries.len() as u32);
    for (first, n) in entries {
        b.u32(first);
        b.u32(n);
        b.u32(1);
    }
    b.close();
}

fn stco(b: &mut Boxes, offsets: &[u32]) {
    b.open_full(b"stco", 0, 0);
    b.u32(offsets.len() as u32);
    for &o in offsets {
        b.u32(o);
    }
    b.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The top-level boxes' types and sizes.
    fn top_level(file: &[u8]) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at + 8 <= file.len() {
            let size = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
            out.push((String::from_utf8_lossy(&file[at + 4..at + 8]).into(), size));
            assert!(size >= 8);
            at += size;
        }
        assert_eq!(at, file.len());
        out
    }

    #[test]
    fn boxes_nest_and_moov_comes_before_mdat() {
        let sizes = [10, 5, 5];
        let video = Video {
            width: 64,
            height: 32,
            fps: 2,
            sps: &[0x67, 66, 0xc0, 30, 0xaa],
            pps: &[0x68, 0xce],
            sizes: &sizes,
            sync: &[0, 2],
        };
        let payload = [7u8; 20];
        let frame = [1u8, 2, 3];
        let audio = Audio {
            rate: 48_000,
            channels: 2,
            config: [0x11, 0x90],
            frame: &frame,
        };
        let file = write(&video, &payload, Some(&audio)).unwrap();
        let kinds: Vec<String> = top_level(&file).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["ftyp", "moov", "mdat"]);
        // 1.5 s of 48 kHz audio: 71 frames (the last cut short), 3 bytes each.
        let mdat = top_level(&file)[2].1;
        assert_eq!(mdat, 8 + 20 + 71 * 3);
        assert!(!file.windows(4).any(|w| w == b"edts"));
        // Same input, same bytes.
        assert_eq!(file, write(&video, &payload, Some(&audio)).unwrap());
    }

    #[test]
    fn sizes_that_do_not_add_up_are_an_error() {
        let video = Video {
            width: 2,
            height: 2,
            fps: 30,
            sps: &[0x67],
            pps: &[0x68],
            sizes: &[4],
            sync: &[0],
        };
        assert!(write(&video, &[0; 3], None).is_err());
        let none = Video {
            sizes: &[],
            ..video
        };
        assert!(write(&none, &[], None).is_err());
    }
}
