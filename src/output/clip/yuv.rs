//! RGB to Y'CbCr 4:2:0 with the BT.709 matrix, limited ("video") range:
//! Y' in 16–235, Cb and Cr in 16–240, chroma the mean of each 2×2 block.
//! Integer arithmetic (16 fractional bits), one pass over two rows at a
//! time; it runs on every frame of a clip.

/// Y' from R', G', B' (0–255): `Kr = 0.2126`, `Kb = 0.0722`, scaled by
/// 219/255 and 2^16.
const Y: [i32; 3] = [11966, 40254, 4064];
/// Cb, scaled by 224/255 and 2^16; the three sum to 0 so that grey has
/// no colour.
const CB: [i32; 3] = [-6596, -22188, 28784];
/// Cr, likewise.
const CR: [i32; 3] = [28784, -26145, -2639];

/// A picture in planar 4:2:0: a full-size luma plane and two chroma planes
/// of half the width and half the height. Width and height are even.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Yuv420 {
    /// Width in pixels (even).
    pub width: usize,
    /// Height in pixels (even).
    pub height: usize,
    /// Luma, `width × height`.
    pub y: Vec<u8>,
    /// Cb, `width/2 × height/2`.
    pub u: Vec<u8>,
    /// Cr, `width/2 × height/2`.
    pub v: Vec<u8>,
}

impl Yuv420 {
    /// A black picture of that size (`width` and `height` even).
    pub fn new(width: usize, height: usize) -> Yuv420 {
        let chroma = (width / 2) * (height / 2);
        Yuv420 {
            width,
            height,
            y: vec![16; width * height],
            u: vec![128; chroma],
            v: vec![128; chroma],
        }
    }

    /// Converts 8-bit RGBA rows (`width × height × 4` bytes, premultiplied
    /// as tiny-skia keeps them: a pixel that is not opaque comes out as if
    /// composited over black). A buffer of another length is left alone
    /// and `false` returned.
    pub fn read_rgba(&mut self, rgba: &[u8]) -> bool {
        let w = self.width;
        if w == 0
            || rgba.len() != w * self.height * 4
            || !w.is_multiple_of(2)
            || !self.height.is_multiple_of(2)
        {
            return false;
        }
        let half = w / 2;
        let rows = rgba
            .chunks_exact(w * 8)
            .zip(self.y.chunks_exact_mut(w * 2))
            .zip(
                self.u
                    .chunks_exact_mut(half)
                    .zip(self.v.chunks_exact_mut(half)),
            );
        for ((src, luma), (cb, cr)) in rows {
            let (top, bottom) = src.split_at(w * 4);
            let (luma_top, luma_bottom) = luma.split_at_mut(w);
            let pairs = top
                .chunks_exact(8)
                .zip(bottom.chunks_exact(8))
                .zip(
                    luma_top
                        .chunks_exact_mut(2)
                        .zip(luma_bottom.chunks_exact_mut(2)),
                )
                .zip(cb.iter_mut().zip(cr.iter_mut()));
            for (((a, b), (ya, yb)), (u, v)) in pairs {
                let px = [
                    [a[0], a[1], a[2]],
                    [a[4], a[5], a[6]],
                    [b[0], b[1], b[2]],
                    [b[4], b[5], b[6]],
                ];
                ya[0] = luma_of(px[0]);
                ya[1] = luma_of(px[1]);
                yb[0] = luma_of(px[2]);
                yb[1] = luma_of(px[3]);
                let sum = |c: usize| px.iter().map(|p| i32::from(p[c])).sum::<i32>();
                let (r, g, bl) = (sum(0), sum(1), sum(2));
                // Four pixels: two more fractional bits.
                *u = chroma_of(CB, r, g, bl);
                *v = chroma_of(CR, r, g, bl);
            }
        }
        true
    }
}

#[inline(always)]
fn luma_of(p: [u8; 3]) -> u8 {
    let y = Y[0] * i32::from(p[0]) + Y[1] * i32::from(p[1]) + Y[2] * i32::from(p[2]);
    ((y + (16 << 16) + (1 << 15)) >> 16) as u8
}

#[inline(always)]
fn chroma_of(k: [i32; 3], r4: i32, g4: i32, b4: i32) -> u8 {
    let c = k[0] * r4 + k[1] * g4 + k[2] * b4;
    ((c + (128 << 18) + (1 << 17)) >> 18) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook floating-point conversion of one colour.
    fn reference(r: f64, g: f64, b: f64) -> [f64; 3] {
        let (kr, kb) = (0.2126, 0.0722);
        let y = kr * r + (1.0 - kr - kb) * g + kb * b;
        [
            16.0 + 219.0 * y / 255.0,
            128.0 + 224.0 * (b - y) / (2.0 * (1.0 - kb)) / 255.0,
            128.0 + 224.0 * (r - y) / (2.0 * (1.0 - kr)) / 255.0,
        ]
    }

    fn solid(w: usize, h: usize, rgb: [u8; 3]) -> Vec<u8> {
        (0..w * h)
            .flat_map(|_| [rgb[0], rgb[1], rgb[2], 255])
            .collect()
    }

    #[test]
    fn flat_colours_match_the_bt709_formula_within_half_a_step() {
        for rgb in [
            [0, 0, 0],
            [255, 255, 255],
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [128, 128, 128],
            [232, 93, 4],
            [17, 42, 99],
        ] {
            let mut pic = Yuv420::new(4, 2);
            assert!(pic.read_rgba(&solid(4, 2, rgb)));
            let want = reference(f64::from(rgb[0]), f64::from(rgb[1]), f64::from(rgb[2]));
            for (got, want) in [pic.y[0], pic.u[0], pic.v[0]].iter().zip(want) {
                assert!(
                    (f64::from(*got) - want).abs() <= 0.51,
                    "{rgb:?}: {got} for {want}"
                );
            }
            assert!(pic.y.iter().all(|&y| y == pic.y[0]));
        }
    }

    #[test]
    fn black_white_and_grey_land_on_the_range_ends() {
        let mut pic = Yuv420::new(2, 2);
        pic.read_rgba(&solid(2, 2, [255, 255, 255]));
        assert_eq!((pic.y[0], pic.u[0], pic.v[0]), (235, 128, 128));
        pic.read_rgba(&solid(2, 2, [0, 0, 0]));
        assert_eq!((pic.y[0], pic.u[0], pic.v[0]), (16, 128, 128));
        pic.read_rgba(&solid(2, 2, [77, 77, 77]));
        assert_eq!((pic.u[0], pic.v[0]), (128, 128));
    }

    #[test]
    fn chroma_is_the_mean_of_each_two_by_two_block() {
        // Left block red, right block blue, in a 4×2 picture.
        let mut rgba = Vec::new();
        for _ in 0..2 {
            rgba.extend([
                255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255,
            ]);
        }
        let mut pic = Yuv420::new(4, 2);
        assert!(pic.read_rgba(&rgba));
        assert!(pic.v[0] > 200 && pic.u[1] > 200, "{pic:?}");
        assert_eq!(pic.y[0], pic.y[4]);
        assert_eq!(pic.y[2], pic.y[7]);
    }

    #[test]
    fn a_buffer_of_the_wrong_length_is_refused() {
        let mut pic = Yuv420::new(4, 4);
        assert!(!pic.read_rgba(&[0; 12]));
        assert_eq!(pic, Yuv420::new(4, 4));
    }
}
