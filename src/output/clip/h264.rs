//! The few H.264 bitstream facts the clip writer needs: NAL units out of
//! the encoder's Annex B output, the fields of the parameter sets and slice
//! headers that number pictures, and an all-skip P picture written by hand
//! (a held frame that costs a dozen bytes and no encoding).
//!
//! The syntax is ITU-T H.264 §7.3: parameter sets §7.3.2.1–2, the slice
//! header §7.3.3, slice data §7.3.4. Only what OpenH264 emits for a
//! Constrained Baseline stream (CAVLC, frames only, one slice group) is
//! read; anything else is an error, never a guess.

/// NAL unit types used here (Table 7-1).
pub const NAL_SLICE: u8 = 1;
/// A slice of an IDR picture.
pub const NAL_IDR: u8 = 5;
/// A sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// A picture parameter set.
pub const NAL_PPS: u8 = 8;

/// The NAL units of an Annex B byte stream, without their start codes.
pub fn nal_units(annex_b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= annex_b.len() {
        if annex_b[i] == 0 && annex_b[i + 1] == 0 && annex_b[i + 2] == 1 {
            starts.push((i, i + 3));
            i += 3;
        } else {
            i += 1;
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .map(|&(at, _)| at)
        .chain(std::iter::once(annex_b.len()))
        .collect();
    starts
        .into_iter()
        .zip(ends)
        .map(move |((_, from), to)| {
            // A four-byte start code leaves its leading zero on the unit
            // before; trailing zeros are never part of a NAL unit.
            let mut to = to;
            while to > from && annex_b[to - 1] == 0 {
                to -= 1;
            }
            &annex_b[from..to]
        })
        .filter(|nal| !nal.is_empty())
}

/// The type of a NAL unit (its header's low five bits).
pub fn nal_type(nal: &[u8]) -> u8 {
    nal.first().map_or(0, |b| b & 0x1f)
}

/// Reads bits and Exp-Golomb codes from an RBSP (emulation prevention
/// bytes removed).
struct BitReader {
    rbsp: Vec<u8>,
    bit: usize,
}

impl BitReader {
    /// Over a NAL unit's payload (after its one-byte header).
    fn new(nal: &[u8]) -> BitReader {
        BitReader {
            rbsp: unescape(nal.get(1..).unwrap_or_default()),
            bit: 0,
        }
    }

    fn u(&mut self, n: u32) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self
                .rbsp
                .get(self.bit / 8)
                .ok_or("the H.264 header ends too early")?;
            v = (v << 1) | u32::from((byte >> (7 - self.bit % 8)) & 1);
            self.bit += 1;
        }
        Ok(v)
    }

    fn ue(&mut self) -> Result<u32, String> {
        let mut zeros = 0;
        while self.u(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return Err("an Exp-Golomb code in the H.264 header is too long".into());
            }
        }
        Ok(((1u64 << zeros) - 1 + u64::from(self.u(zeros)?)) as u32)
    }

    fn se(&mut self) -> Result<i32, String> {
        let k = self.ue()?;
        Ok(if k % 2 == 1 {
            k.div_ceil(2) as i32
        } else {
            -((k / 2) as i32)
        })
    }
}

/// Removes emulation prevention bytes (`00 00 03` → `00 00`).
fn unescape(ebsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ebsp.len());
    let mut zeros = 0;
    for &b in ebsp {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Adds emulation prevention bytes to an RBSP.
fn escape(rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + 4);
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Writes bits and Exp-Golomb codes.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    bits: u32,
}

impl BitWriter {
    fn u(&mut self, n: u32, v: u32) {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (v >> i) & 1 == 1 {
                if let Some(last) = self.bytes.last_mut() {
                    *last |= 0x80 >> (self.bits % 8);
                }
            }
            self.bits += 1;
        }
    }

    fn ue(&mut self, v: u32) {
        let v1 = u64::from(v) + 1;
        let len = 64 - v1.leading_zeros();
        self.u(len - 1, 0);
        for i in (0..len).rev() {
            self.u(1, ((v1 >> i) & 1) as u32);
        }
    }

    fn se(&mut self, v: i32) {
        let k = if v > 0 {
            (v as u32) * 2 - 1
        } else {
            v.unsigned_abs() * 2
        };
        self.ue(k);
    }

    /// `rbsp_trailing_bits`: a stop bit, then zeros to the byte boundary.
    fn finish(mut self) -> Vec<u8> {
        self.u(1, 1);
        self.bytes
    }
}

/// What a slice header needs from the sequence and picture parameter sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSets {
    /// `profile_idc`, the constraint flags and `level_idc`, as in `avcC`.
    pub profile: [u8; 3],
    log2_max_frame_num: u32,
    poc_type: u32,
    log2_max_poc_lsb: u32,
    mbs: u32,
    pps_id: u32,
    bottom_field_pic_order: bool,
    deblocking_control: bool,
    redundant_pic_cnt: bool,
}

impl ParamSets {
    /// Reads the fields that matter here from an SPS and a PPS unit
    /// (with their NAL headers).
    pub fn parse(sps: &[u8], pps: &[u8]) -> Result<ParamSets, String> {
        let mut r = BitReader::new(sps);
        let profile_idc = r.u(8)?;
        let constraints = r.u(8)?;
        let level_idc = r.u(8)?;
        if !matches!(profile_idc, 66 | 77 | 88) {
            return Err(format!(
                "the encoder chose H.264 profile {profile_idc}; only Baseline and Main are read"
            ));
        }
        let _sps_id = r.ue()?;
        let log2_max_frame_num = r.ue()? + 4;
        let poc_type = r.ue()?;
        let mut log2_max_poc_lsb = 0;
        match poc_type {
            0 => log2_max_poc_lsb = r.ue()? + 4,
            2 => {}
            _ => {
                return Err(format!(
                    "picture order count type {poc_type} is not supported"
                ))
            }
        }
        let _max_num_ref_frames = r.ue()?;
        let _gaps = r.u(1)?;
        let width_mbs = r.ue()? + 1;
        let height_map_units = r.ue()? + 1;
        if r.u(1)? != 1 {
            return Err("the encoder wrote interlaced H.264, which is not supported".into());
        }

        let mut r = BitReader::new(pps);
        let pps_id = r.ue()?;
        let _sps_id = r.ue()?;
        if r.u(1)? != 0 {
            return Err("the encoder chose CABAC; only CAVLC slices are written".into());
        }
        let bottom_field_pic_order = r.u(1)? == 1;
        if r.ue()? != 0 {
            return Err("slice groups are not supported".into());
        }
        let _num_ref_idx_l0_default = r.ue()?;
        let _l1 = r.ue()?;
        if r.u(1)? != 0 {
            return Err("weighted prediction is not supported".into());
        }
        let _weighted_bipred = r.u(2)?;
        let _pic_init_qp = r.se()?;
        let _pic_init_qs = r.se()?;
        let _chroma_qp_offset = r.se()?;
        let deblocking_control = r.u(1)? == 1;
        let _constrained_intra = r.u(1)?;
        let redundant_pic_cnt = r.u(1)? == 1;

        Ok(ParamSets {
            profile: [profile_idc as u8, constraints as u8, level_idc as u8],
            log2_max_frame_num,
            poc_type,
            log2_max_poc_lsb,
            mbs: width_mbs * height_map_units,
            pps_id,
            bottom_field_pic_order,
            deblocking_control,
            redundant_pic_cnt,
        })
    }

    /// How a coded slice numbers its picture: `frame_num`, the order count
    /// and whether it is a reference.
    pub fn picture(&self, slice: &[u8]) -> Result<Picture, String> {
        let kind = nal_type(slice);
        let reference = slice.first().is_some_and(|h| h & 0x60 != 0);
        let mut r = BitReader::new(slice);
        let _first_mb = r.ue()?;
        let _slice_type = r.ue()?;
        let _pps_id = r.ue()?;
        let frame_num = r.u(self.log2_max_frame_num)?;
        if kind == NAL_IDR {
            let _idr_pic_id = r.ue()?;
        }
        let poc_lsb = if self.poc_type == 0 {
            r.u(self.log2_max_poc_lsb)?
        } else {
            0
        };
        Ok(Picture {
            frame_num,
            poc_lsb,
            reference,
        })
    }

    /// A P picture, one slice, every macroblock skipped: the decoder shows
    /// the previous picture again, exactly. It follows `prev` (a reference
    /// picture) and is one itself, so the next can follow it too.
    pub fn skip_picture(&self, prev: &Picture) -> Result<(Vec<u8>, Picture), String> {
        if !prev.reference {
            return Err("a held frame must follow a reference picture".into());
        }
        let next = Picture {
            frame_num: (prev.frame_num + 1) % (1 << self.log2_max_frame_num),
            poc_lsb: if self.poc_type == 0 {
                (prev.poc_lsb + 2) % (1 << self.log2_max_poc_lsb)
            } else {
                0
            },
            reference: true,
        };
        let mut w = BitWriter::default();
        w.ue(0); // first_mb_in_slice
        w.ue(5); // slice_type: P, as every slice of the picture
        w.ue(self.pps_id);
        w.u(self.log2_max_frame_num, next.frame_num);
        if self.poc_type == 0 {
            w.u(self.log2_max_poc_lsb, next.poc_lsb);
            if self.bottom_field_pic_order {
                w.se(0); // delta_pic_order_cnt_bottom
            }
        }
        if self.redundant_pic_cnt {
            w.ue(0);
        }
        w.u(1, 0); // num_ref_idx_active_override_flag
        w.u(1, 0); // ref_pic_list_modification_flag_l0
        w.u(1, 0); // dec_ref_pic_marking: adaptive_ref_pic_marking_mode_flag (sliding window)
        w.se(0); // slice_qp_delta
        if self.deblocking_control {
            w.ue(1); // disable_deblocking_filter_idc: nothing to filter
        }
        w.ue(self.mbs); // mb_skip_run: the whole picture
        let mut nal = vec![0x40 | NAL_SLICE]; // nal_ref_idc 2
        nal.extend(escape(&w.finish()));
        Ok((nal, next))
    }
}

/// How a coded picture is numbered (what the next picture follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    frame_num: u32,
    poc_lsb: u32,
    reference: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_round_trips() {
        let mut w = BitWriter::default();
        for v in [0, 1, 2, 3, 7, 8, 254, 8160, 65535] {
            w.ue(v);
        }
        for v in [0, 1, -1, 2, -2, 26, -26] {
            w.se(v);
        }
        let bytes = w.finish();
        let mut nal = vec![0x67];
        nal.extend(&bytes);
        let mut r = BitReader::new(&nal);
        for v in [0, 1, 2, 3, 7, 8, 254, 8160, 65535] {
            assert_eq!(r.ue().unwrap(), v);
        }
        for v in [0, 1, -1, 2, -2, 26, -26] {
            assert_eq!(r.se().unwrap(), v);
        }
        assert_eq!(r.u(1).unwrap(), 1, "stop bit");
    }

    #[test]
    fn emulation_prevention_round_trips() {
        let rbsp = [0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0];
        let escaped = escape(&rbsp);
        assert_eq!(
            escaped,
            [0, 0, 3, 0, 0, 3, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 0, 0]
        );
        assert_eq!(unescape(&escaped), rbsp);
    }

    #[test]
    fn nal_units_split_on_three_and_four_byte_start_codes() {
        let stream = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 0,
        ];
        let units: Vec<&[u8]> = nal_units(&stream).collect();
        assert_eq!(units, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4]]);
        assert_eq!(nal_type(units[2]), NAL_IDR);
    }

    #[test]
    fn a_truncated_header_is_an_error_not_a_panic() {
        assert!(ParamSets::parse(&[0x67, 66], &[0x68]).is_err());
        assert!(ParamSets::parse(&[0x67, 100, 0, 40, 0xff], &[0x68, 0xff]).is_err());
    }
}
