//! Bucket diagrams as SVG: rows of bucket chains, each bucket 8 cells coloured by
//! the slot's tophash state, overflow links as arrows labelled with where the
//! overflow bucket came from. Drawn with plotters' SVG backend in pixel
//! coordinates.

#![forbid(unsafe_code)]

use gomap::tophash;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::PlotError;

/// One bucket: where it lives and its 8 tophash bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cells {
    /// Where the bucket came from: `main`, `pool 17`, `heap`.
    pub origin: String,
    /// Its tophash bytes (0 emptyRest, 1 emptyOne, 2/3/4 evacuated, ≥ 5 full).
    pub top: [u8; 8],
}

/// One chain, drawn as one row (with its note, if any, on a line above it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Drawn left of the chain: a bucket index or a step number.
    pub label: String,
    /// The main bucket, then its overflow buckets.
    pub chain: Vec<Cells>,
    /// Drawn above the chain.
    pub note: String,
}

/// A titled group of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Drawn above the rows.
    pub heading: String,
    /// The chains.
    pub rows: Vec<Row>,
}

/// A whole diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// Drawn at the top.
    pub title: String,
    /// Drawn under the title.
    pub subtitle: String,
    /// The groups of chains.
    pub sections: Vec<Section>,
}

const CELL_W: i32 = 24;
const CELL_H: i32 = 20;
const ROW_H: i32 = 28;
const LABEL_W: i32 = 64;
const LINK_W: i32 = 46;
const BUCKET_W: i32 = 8 * CELL_W;
const TOP: i32 = 92;
const LEGEND_Y: i32 = 58;
const HEADING_H: i32 = 30;
const NOTE_H: i32 = 18;
const RIGHT_MARGIN: i32 = 24;

const FULL: RGBColor = RGBColor(198, 219, 255);
const EMPTY_ONE: RGBColor = RGBColor(255, 205, 150);
const EVACUATED: RGBColor = RGBColor(222, 222, 222);
const BORDER: RGBColor = RGBColor(120, 120, 120);
const LINK: RGBColor = RGBColor(60, 60, 60);

/// The fill and the text of a cell with tophash `t`.
fn cell_look(t: u8) -> (RGBColor, String) {
    match t {
        tophash::EMPTY_REST => (WHITE, String::new()),
        tophash::EMPTY_ONE => (EMPTY_ONE, "1".into()),
        tophash::EVACUATED_X => (EVACUATED, "X".into()),
        tophash::EVACUATED_Y => (EVACUATED, "Y".into()),
        tophash::EVACUATED_EMPTY => (EVACUATED, "E".into()),
        t => (FULL, format!("{t:02x}")),
    }
}

fn err(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

impl Diagram {
    /// The size the diagram needs, in pixels.
    pub fn size(&self) -> (u32, u32) {
        let longest = self
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| r.chain.len() as i32)
            .max()
            .unwrap_or(1)
            .max(1);
        let width = LABEL_W + longest * BUCKET_W + (longest - 1) * LINK_W + RIGHT_MARGIN;
        let rows = self.sections.iter().flat_map(|s| &s.rows);
        let height: i32 = TOP
            + self.sections.len() as i32 * HEADING_H
            + rows
                .map(|r| ROW_H + if r.note.is_empty() { 0 } else { NOTE_H })
                .sum::<i32>()
            + 16;
        let text = (self
            .title
            .chars()
            .count()
            .max(self.subtitle.chars().count()) as i32)
            * 9
            + 24;
        (width.max(760).max(text) as u32, height as u32)
    }

    /// The diagram as an SVG document.
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            self.draw(&root)?;
            root.present().map_err(err)?;
        }
        Ok(svg)
    }

    fn draw(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), PlotError> {
        let title = ("sans-serif", 18).into_font().color(&BLACK);
        root.draw(&Text::new(self.title.clone(), (12, 10), title))
            .map_err(err)?;
        let sub = ("sans-serif", 14).into_font().color(&RGBColor(60, 60, 60));
        root.draw(&Text::new(self.subtitle.clone(), (12, 34), sub))
            .map_err(err)?;
        self.draw_legend(root)?;
        let heading = ("sans-serif", 15).into_font().color(&BLACK);
        let small = ("sans-serif", 12).into_font().color(&RGBColor(80, 80, 80));
        let mut y = TOP;
        for section in &self.sections {
            root.draw(&Text::new(
                section.heading.clone(),
                (12, y + 6),
                heading.clone(),
            ))
            .map_err(err)?;
            y += HEADING_H;
            for row in &section.rows {
                if !row.note.is_empty() {
                    let note = small.clone().pos(Pos::new(HPos::Left, VPos::Top));
                    root.draw(&Text::new(row.note.clone(), (LABEL_W, y), note))
                        .map_err(err)?;
                    y += NOTE_H;
                }
                let mid = y + CELL_H / 2;
                let left = ("sans-serif", 13)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Center));
                root.draw(&Text::new(row.label.clone(), (LABEL_W - 10, mid), left))
                    .map_err(err)?;
                let mut x = LABEL_W;
                for (i, bucket) in row.chain.iter().enumerate() {
                    if i > 0 {
                        draw_link(root, x - LINK_W, x, mid, &bucket.origin)?;
                    }
                    draw_bucket(root, x, y, bucket)?;
                    x += BUCKET_W + LINK_W;
                }
                y += ROW_H;
            }
        }
        Ok(())
    }

    fn draw_legend(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), PlotError> {
        let items = [
            (FULL, "a5", "full slot (tophash)"),
            (WHITE, "", "emptyRest (0)"),
            (EMPTY_ONE, "1", "emptyOne (1)"),
            (EVACUATED, "X", "evacuated X/Y (2/3), E empty (4)"),
        ];
        let mut x = 12;
        let y = LEGEND_Y;
        let text = ("sans-serif", 12).into_font().color(&BLACK);
        for (fill, sample, label) in items {
            cell(root, x, y, fill, sample)?;
            root.draw(&Text::new(
                label.to_owned(),
                (x + CELL_W + 6, y + CELL_H / 2),
                text.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            x += CELL_W + 14 + (label.len() as i32 * 7);
        }
        Ok(())
    }
}

fn cell(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    x: i32,
    y: i32,
    fill: RGBColor,
    text: &str,
) -> Result<(), PlotError> {
    let corners = [(x, y), (x + CELL_W, y + CELL_H)];
    root.draw(&Rectangle::new(corners, fill.filled()))
        .map_err(err)?;
    root.draw(&Rectangle::new(corners, BORDER.stroke_width(1)))
        .map_err(err)?;
    if !text.is_empty() {
        let style = ("monospace", 11)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            text.to_owned(),
            (x + CELL_W / 2, y + CELL_H / 2),
            style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

fn draw_bucket(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    x: i32,
    y: i32,
    bucket: &Cells,
) -> Result<(), PlotError> {
    for (i, &t) in bucket.top.iter().enumerate() {
        let (fill, text) = cell_look(t);
        cell(root, x + i as i32 * CELL_W, y, fill, &text)?;
    }
    root.draw(&Rectangle::new(
        [(x, y), (x + BUCKET_W, y + CELL_H)],
        BLACK.stroke_width(2),
    ))
    .map_err(err)?;
    Ok(())
}

fn draw_link(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    from: i32,
    to: i32,
    y: i32,
    origin: &str,
) -> Result<(), PlotError> {
    root.draw(&PathElement::new(
        [(from + 2, y), (to - 2, y)],
        LINK.stroke_width(1),
    ))
    .map_err(err)?;
    root.draw(&Polygon::new(
        [(to - 2, y), (to - 8, y - 4), (to - 8, y + 4)],
        LINK.filled(),
    ))
    .map_err(err)?;
    let label = ("sans-serif", 10)
        .into_font()
        .color(&RGBColor(90, 90, 90))
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    root.draw(&Text::new(
        origin.to_owned(),
        ((from + to) / 2, y - 3),
        label,
    ))
    .map_err(err)?;
    Ok(())
}

/// The text form of a tophash byte: `..` emptyRest, `__` emptyOne, `>X` `>Y`
/// evacuated, `>E` evacuatedEmpty, two hex digits for a full slot.
pub fn top_text(t: u8) -> String {
    match t {
        tophash::EMPTY_REST => "..".into(),
        tophash::EMPTY_ONE => "__".into(),
        tophash::EVACUATED_X => ">X".into(),
        tophash::EVACUATED_Y => ">Y".into(),
        tophash::EVACUATED_EMPTY => ">E".into(),
        t => format!("{t:02x}"),
    }
}

/// The legend for [`top_text`].
pub const TEXT_LEGEND: &str =
    "slots: hex = tophash of a full slot, .. emptyRest (0), __ emptyOne (1), \
>X >Y evacuated to X/Y (2/3), >E evacuatedEmpty (4)";

/// A bucket as text: `[a5 3c .. ..]`.
pub fn bucket_text(top: &[u8; 8]) -> String {
    let cells: Vec<String> = top.iter().map(|&t| top_text(t)).collect();
    format!("[{}]", cells.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_chains() {
        let d = Diagram {
            title: "t".into(),
            subtitle: "s".into(),
            sections: vec![Section {
                heading: "h".into(),
                rows: vec![Row {
                    label: "0".into(),
                    chain: vec![
                        Cells {
                            origin: "main".into(),
                            top: [9, 1, 0, 0, 0, 0, 0, 0],
                        },
                        Cells {
                            origin: "pool 17".into(),
                            top: [2, 3, 4, 5, 0, 0, 0, 0],
                        },
                    ],
                    note: "note".into(),
                }],
            }],
        };
        let svg = d.to_svg().unwrap();
        assert!(svg.contains("pool 17") && svg.contains("#FFCD96"), "{svg}");
        assert_eq!(
            bucket_text(&[9, 1, 0, 2, 3, 4, 255, 0]),
            "[09 __ .. >X >Y >E ff ..]"
        );
    }
}
