//! Dolan-More performance profiles: for each solver s, rho_s(tau) is the fraction of
//! problems on which s is within a factor tau of the best solver (failures count as never).

/// Performance ratios r[p][s] = t[p][s] / min_s t[p][s]; `None` (a failure) stays `None`.
/// A problem that no solver solved yields `None` everywhere.
pub fn ratios(times: &[Vec<Option<f64>>]) -> Vec<Vec<Option<f64>>> {
    times
        .iter()
        .map(|row| {
            let best = row.iter().flatten().copied().fold(f64::INFINITY, f64::min);
            row.iter()
                .map(|t| match t {
                    Some(t) if best.is_finite() && best > 0.0 => Some(t / best),
                    Some(_) if best.is_finite() => Some(1.0),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// rho_s(tau) for solver `s` at each `tau`.
pub fn profile(ratios: &[Vec<Option<f64>>], s: usize, taus: &[f64]) -> Vec<f64> {
    let np = ratios.len().max(1) as f64;
    taus.iter()
        .map(|&tau| {
            ratios
                .iter()
                .filter(|row| matches!(row[s], Some(r) if r <= tau))
                .count() as f64
                / np
        })
        .collect()
}

/// Draws the profiles rho_s(tau) of every solver against log2(tau) into a PNG (pixel-font
/// labels, no system fonts), tau from 1 to the largest finite ratio (at least 2).
pub fn render(
    path: &std::path::Path,
    title: &str,
    solvers: &[String],
    ratios: &[Vec<Option<f64>>],
) -> Result<(), String> {
    use crate::heatmap::{text, width};
    use plotters::prelude::*;
    let max_ratio = ratios
        .iter()
        .flatten()
        .flatten()
        .copied()
        .fold(2.0f64, f64::max);
    let xmax = max_ratio.log2().min(20.0) * 1.05;
    let (w, h) = (720i32, 480i32);
    let (left, right, top, bottom) = (70, 200, 50, 60);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let root = BitMapBackend::new(path, (w as u32, h as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let px = |x: f64| left + (x / xmax * pw as f64).round() as i32;
    let py = |y: f64| top + ph - (y * ph as f64).round() as i32;
    root.draw(&Rectangle::new(
        [(left, top), (left + pw, top + ph)],
        BLACK.stroke_width(1),
    ))
    .map_err(|e| e.to_string())?;
    text(&root, title, left + (pw - width(title, 3)) / 2, 15, 3)?;
    for k in 0..=4 {
        let y = k as f64 / 4.0;
        let lab = format!("{y:.2}");
        text(&root, &lab, left - 8 - width(&lab, 2), py(y) - 5, 2)?;
        root.draw(&PathElement::new(
            vec![(left - 4, py(y)), (left, py(y))],
            BLACK,
        ))
        .map_err(|e| e.to_string())?;
    }
    let step = (xmax / 6.0).ceil().max(1.0);
    let mut x = 0.0;
    while x <= xmax {
        let lab = format!("{}", x as i64);
        text(&root, &lab, px(x) - width(&lab, 2) / 2, top + ph + 8, 2)?;
        x += step;
    }
    let xl = "LOG2 TAU";
    text(&root, xl, left + (pw - width(xl, 2)) / 2, top + ph + 30, 2)?;
    text(&root, "RHO", 8, top + ph / 2, 2)?;
    let colors = [
        RGBColor(200, 30, 30),
        RGBColor(30, 90, 200),
        RGBColor(30, 150, 60),
        RGBColor(150, 60, 180),
        RGBColor(230, 140, 20),
        RGBColor(60, 60, 60),
    ];
    let np = ratios.len().max(1) as f64;
    for (s, name) in solvers.iter().enumerate() {
        let color = colors[s % colors.len()];
        let mut r: Vec<f64> = ratios
            .iter()
            .filter_map(|row| row[s])
            .map(|v| v.max(1.0).log2())
            .collect();
        r.sort_by(f64::total_cmp);
        // Staircase: rho jumps by 1/np at each ratio.
        let mut pts = vec![(px(0.0), py(0.0))];
        let mut level = 0.0;
        for v in &r {
            pts.push((px(*v), py(level)));
            level += 1.0 / np;
            pts.push((px(*v), py(level)));
        }
        pts.push((px(xmax), py(level)));
        root.draw(&PathElement::new(pts, color.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        let ly = top + 10 + 20 * s as i32;
        root.draw(&Rectangle::new(
            [(left + pw + 15, ly), (left + pw + 35, ly + 4)],
            color.filled(),
        ))
        .map_err(|e| e.to_string())?;
        text(&root, name, left + pw + 42, ly - 3, 2)?;
    }
    root.present().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_counts_wins_and_failures() {
        let t = vec![
            vec![Some(1.0), Some(2.0)],
            vec![Some(4.0), Some(2.0)],
            vec![None, Some(3.0)],
            vec![None, None],
        ];
        let r = ratios(&t);
        assert_eq!(r[0], vec![Some(1.0), Some(2.0)]);
        assert_eq!(r[1], vec![Some(2.0), Some(1.0)]);
        assert_eq!(r[3], vec![None, None]);
        assert_eq!(profile(&r, 0, &[1.0, 2.0]), vec![0.25, 0.5]);
        assert_eq!(profile(&r, 1, &[1.0, 2.0]), vec![0.5, 0.75]);
    }
}
