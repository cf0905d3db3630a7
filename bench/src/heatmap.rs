//! Heat maps as PNG with plotters' bitmap backend and no font dependency: labels are drawn
//! with a built-in 3 x 5 pixel font, so the pictures render on machines without fonts.

use std::path::Path;

use plotters::prelude::*;

/// One panel: values in [0, 1] on a grid of rows (y axis, bottom to top) and columns.
pub struct Panel<'a> {
    /// Title above the panel (characters of the pixel font).
    pub title: &'a str,
    /// values[r][c] in [0, 1].
    pub values: &'a [Vec<f64>],
    /// Optional polyline in cell coordinates (column, row), e.g. a theoretical boundary.
    pub curve: Option<&'a [(f64, f64)]>,
}

/// Axis labels shared by the panels.
pub struct Axes<'a> {
    /// Tick labels of the columns.
    pub col_labels: &'a [String],
    /// Tick labels of the rows.
    pub row_labels: &'a [String],
    /// Name of the column axis.
    pub col_name: &'a str,
    /// Name of the row axis.
    pub row_name: &'a str,
    /// A line of text under the panels (e.g. what the curve is).
    pub note: &'a str,
}

fn glyph(c: char) -> [u8; 5] {
    match c.to_ascii_uppercase() {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 3, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 2, 2],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        'A' => [2, 5, 7, 5, 5],
        'B' => [6, 5, 6, 5, 6],
        'C' => [7, 4, 4, 4, 7],
        'D' => [6, 5, 5, 5, 6],
        'E' => [7, 4, 6, 4, 7],
        'F' => [7, 4, 6, 4, 4],
        'G' => [7, 4, 5, 5, 7],
        'H' => [5, 5, 7, 5, 5],
        'I' => [7, 2, 2, 2, 7],
        'L' => [4, 4, 4, 4, 7],
        'M' => [5, 7, 7, 5, 5],
        'N' => [6, 5, 5, 5, 5],
        'O' => [7, 5, 5, 5, 7],
        'P' => [7, 5, 7, 4, 4],
        'R' => [6, 5, 6, 5, 5],
        'S' => [7, 4, 7, 1, 7],
        'T' => [7, 2, 2, 2, 2],
        'U' => [5, 5, 5, 5, 7],
        'X' => [5, 5, 2, 5, 5],
        'J' => [1, 1, 1, 5, 7],
        'K' => [5, 5, 6, 5, 5],
        'Q' => [7, 5, 5, 7, 1],
        'V' => [5, 5, 5, 5, 2],
        'W' => [5, 5, 7, 7, 5],
        'Y' => [5, 5, 2, 2, 2],
        'Z' => [7, 1, 2, 4, 7],
        ':' => [0, 2, 0, 2, 0],
        ',' => [0, 0, 0, 2, 4],
        '<' => [1, 2, 4, 2, 1],
        '>' => [4, 2, 1, 2, 4],
        '=' => [0, 7, 0, 7, 0],
        '-' => [0, 0, 7, 0, 0],
        '.' => [0, 0, 0, 0, 2],
        '+' => [0, 2, 7, 2, 0],
        '/' => [1, 1, 2, 4, 4],
        '(' => [1, 2, 2, 2, 1],
        ')' => [4, 2, 2, 2, 4],
        _ => [0, 0, 0, 0, 0],
    }
}

/// Draws `text` in the pixel font with its top-left corner at (x, y), `scale` pixels per font pixel.
pub fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    s: &str,
    x: i32,
    y: i32,
    scale: i32,
) -> Result<(), String> {
    for (k, c) in s.chars().enumerate() {
        let g = glyph(c);
        let x0 = x + k as i32 * 4 * scale;
        for (row, bits) in g.iter().enumerate() {
            for col in 0..3 {
                if bits & (4 >> col) != 0 {
                    let (px, py) = (x0 + col * scale, y + row as i32 * scale);
                    area.draw(&Rectangle::new(
                        [(px, py), (px + scale, py + scale)],
                        BLACK.filled(),
                    ))
                    .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    Ok(())
}

/// Width in pixels of `s` drawn at `scale`.
pub fn width(s: &str, scale: i32) -> i32 {
    s.chars().count() as i32 * 4 * scale - scale
}

/// Blue (0) to yellow (1) through teal and green.
fn color(v: f64) -> RGBColor {
    let stops = [
        (0.0, (40u8, 30u8, 110u8)),
        (0.35, (30, 110, 150)),
        (0.7, (60, 180, 100)),
        (1.0, (250, 230, 40)),
    ];
    let v = v.clamp(0.0, 1.0);
    for w in stops.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if v <= b {
            let t = (v - a) / (b - a);
            let mix = |x: u8, y: u8| (x as f64 + t * (y as f64 - x as f64)).round() as u8;
            return RGBColor(mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2));
        }
    }
    RGBColor(250, 230, 40)
}

/// Renders the panels side by side into a PNG file.
pub fn render(path: &Path, panels: &[Panel<'_>], axes: &Axes<'_>) -> Result<(), String> {
    let rows = axes.row_labels.len() as i32;
    let cols = axes.col_labels.len() as i32;
    let cell = 24;
    let (tick, big) = (2, 3);
    let (left, top, gap, bottom) = (100, 50, 120, 100);
    let pw = cols * cell;
    let ph = rows * cell;
    let legend = 80;
    let w = left + panels.len() as i32 * (pw + gap) - gap + legend;
    let h = top + ph + bottom;
    let root = BitMapBackend::new(path, (w as u32, h as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    for (k, panel) in panels.iter().enumerate() {
        let x0 = left + k as i32 * (pw + gap);
        let y0 = top;
        text(
            &root,
            panel.title,
            x0 + (pw - width(panel.title, big)) / 2,
            15,
            big,
        )?;
        for r in 0..rows {
            for c in 0..cols {
                let v = panel.values[r as usize][c as usize];
                let (px, py) = (x0 + c * cell, y0 + (rows - 1 - r) * cell);
                root.draw(&Rectangle::new(
                    [(px, py), (px + cell, py + cell)],
                    color(v).filled(),
                ))
                .map_err(|e| e.to_string())?;
            }
        }
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + pw, y0 + ph)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
        // Tick labels: every column when they fit, else every other one.
        let every = if axes
            .col_labels
            .iter()
            .map(|l| width(l, tick))
            .max()
            .unwrap_or(0)
            + 4
            > cell
        {
            2
        } else {
            1
        };
        for (c, lab) in axes.col_labels.iter().enumerate() {
            let cx = x0 + c as i32 * cell + cell / 2;
            if c % every == 0 {
                text(&root, lab, cx - width(lab, tick) / 2, y0 + ph + 8, tick)?;
            }
        }
        for (r, lab) in axes.row_labels.iter().enumerate() {
            let cy = y0 + (rows - 1 - r as i32) * cell + cell / 2 - 5;
            text(&root, lab, x0 - 8 - width(lab, tick), cy, tick)?;
        }
        text(
            &root,
            axes.col_name,
            x0 + (pw - width(axes.col_name, big)) / 2,
            y0 + ph + 30,
            big,
        )?;
        text(&root, axes.row_name, x0 - 90, y0 + ph / 2 - 7, big)?;
        if let Some(curve) = panel.curve {
            let pts: Vec<(i32, i32)> = curve
                .iter()
                .map(|&(c, r)| {
                    (
                        x0 + (c * cell as f64).round() as i32,
                        y0 + ph - (r * cell as f64).round() as i32,
                    )
                })
                .filter(|&(x, y)| x >= x0 && x <= x0 + pw && y >= y0 && y <= y0 + ph)
                .collect();
            root.draw(&PathElement::new(pts, RED.stroke_width(3)))
                .map_err(|e| e.to_string())?;
        }
    }
    text(&root, axes.note, left, h - 30, tick)?;
    // Legend: success rate from 0 (bottom) to 1 (top).
    let lx = w - legend + 20;
    for k in 0..ph {
        let v = 1.0 - k as f64 / (ph - 1) as f64;
        root.draw(&Rectangle::new(
            [(lx, top + k), (lx + 14, top + k + 1)],
            color(v).filled(),
        ))
        .map_err(|e| e.to_string())?;
    }
    text(&root, "1", lx + 20, top, tick)?;
    text(&root, "0", lx + 20, top + ph - 10, tick)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}
