//! SVG `transform` lists, composed from a slot up to the root, so a slot is
//! measured where it is drawn (Inkscape layers often carry a
//! `translate(0,-582.36)` left by a page resize).

/// An affine matrix `[a, b, c, d, e, f]`: x' = a·x + c·y + e, y' = b·x + d·y + f.
pub type Matrix = [f64; 6];

/// The identity.
pub const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n` (n applied after m): the matrix of `n · m`.
pub fn then(m: Matrix, n: Matrix) -> Matrix {
    [
        n[0] * m[0] + n[2] * m[1],
        n[1] * m[0] + n[3] * m[1],
        n[0] * m[2] + n[2] * m[3],
        n[1] * m[2] + n[3] * m[3],
        n[0] * m[4] + n[2] * m[5] + n[4],
        n[1] * m[4] + n[3] * m[5] + n[5],
    ]
}

/// Parses an SVG transform list (`translate`, `scale`, `rotate`, `skewX`,
/// `skewY`, `matrix`); None when it is malformed.
pub fn parse(list: &str) -> Option<Matrix> {
    let mut out = IDENTITY;
    let mut rest = list.trim();
    while !rest.is_empty() {
        let open = rest.find('(')?;
        let close = rest.find(')')?;
        if close < open {
            return None;
        }
        let name = rest[..open].trim().trim_start_matches(',').trim();
        let args: Vec<f64> = rest[open + 1..close]
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()?;
        // The list applies right to left: the last item is innermost.
        out = then(one(name, &args)?, out);
        rest = rest[close + 1..].trim_start_matches([',', ' ', '\t', '\n', '\r']);
    }
    Some(out)
}

fn one(name: &str, a: &[f64]) -> Option<Matrix> {
    Some(match (name, a.len()) {
        ("matrix", 6) => [a[0], a[1], a[2], a[3], a[4], a[5]],
        ("translate", 1) => [1.0, 0.0, 0.0, 1.0, a[0], 0.0],
        ("translate", 2) => [1.0, 0.0, 0.0, 1.0, a[0], a[1]],
        ("scale", 1) => [a[0], 0.0, 0.0, a[0], 0.0, 0.0],
        ("scale", 2) => [a[0], 0.0, 0.0, a[1], 0.0, 0.0],
        ("rotate", 1) => rotate(a[0]),
        ("rotate", 3) => {
            let t = [1.0, 0.0, 0.0, 1.0, a[1], a[2]];
            let back = [1.0, 0.0, 0.0, 1.0, -a[1], -a[2]];
            then(then(back, rotate(a[0])), t)
        }
        ("skewX", 1) => [1.0, 0.0, a[0].to_radians().tan(), 1.0, 0.0, 0.0],
        ("skewY", 1) => [1.0, a[0].to_radians().tan(), 0.0, 1.0, 0.0, 0.0],
        _ => return None,
    })
}

fn rotate(deg: f64) -> Matrix {
    let (s, c) = deg.to_radians().sin_cos();
    [c, s, -s, c, 0.0, 0.0]
}

/// The uniform scale of a matrix that only moves and scales (the same
/// positive factor both ways); otherwise what it does that a slot cannot
/// follow (text is laid out upright and unstretched).
pub fn uniform_scale(m: &Matrix) -> Result<f64, &'static str> {
    let eps = 1e-6 * (m[0].abs() + m[3].abs()).max(1e-9);
    if m[1].abs() > eps || m[2].abs() > eps {
        return Err("rotates or skews it");
    }
    if m[0] <= 0.0 || m[3] <= 0.0 {
        return Err("mirrors it");
    }
    if (m[0] - m[3]).abs() > 1e-4 * m[0] {
        return Err("stretches it (a different scale across and down)");
    }
    Ok(m[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Matrix, b: Matrix) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn lists_compose_right_to_left() {
        assert!(close(
            parse("translate(0,-582.36)").unwrap(),
            [1.0, 0.0, 0.0, 1.0, 0.0, -582.36]
        ));
        // scale first, then translate: x' = 2x + 10
        assert!(close(
            parse("translate(10 0) scale(2)").unwrap(),
            [2.0, 0.0, 0.0, 2.0, 10.0, 0.0]
        ));
        assert!(close(
            parse("matrix(1,0,0,1,5,6), scale(3)").unwrap(),
            [3.0, 0.0, 0.0, 3.0, 5.0, 6.0]
        ));
        let r = parse("rotate(90 10 10)").unwrap();
        // (20, 10) turns about (10, 10) to (10, 20).
        let (x, y) = (20.0, 10.0);
        let p = (r[0] * x + r[2] * y + r[4], r[1] * x + r[3] * y + r[5]);
        assert!(
            (p.0 - 10.0).abs() < 1e-9 && (p.1 - 20.0).abs() < 1e-9,
            "{p:?}"
        );
        assert_eq!(parse("translate(1"), None);
        assert_eq!(parse("wobble(3)"), None);
        assert_eq!(parse(""), Some(IDENTITY));
    }

    #[test]
    fn only_moves_and_uniform_scales_are_followed() {
        assert_eq!(
            uniform_scale(&parse("translate(3,4) scale(2)").unwrap()),
            Ok(2.0)
        );
        assert_eq!(
            uniform_scale(&parse("rotate(10)").unwrap()),
            Err("rotates or skews it")
        );
        assert_eq!(
            uniform_scale(&parse("scale(-1,1)").unwrap()),
            Err("mirrors it")
        );
        assert!(uniform_scale(&parse("scale(1,2)").unwrap()).is_err());
    }
}
