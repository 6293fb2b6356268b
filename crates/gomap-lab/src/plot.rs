//! Line charts as SVG, drawn with plotters' SVG backend: the grow, reuse,
//! load-factor and latency figures.
//!
//! A [`Chart`] describes what to draw (axes with linear or log scale, series, an
//! optional second y axis, horizontal guide lines); [`Chart::to_svg`] draws it.

#![forbid(unsafe_code)]

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of every chart, in SVG pixels.
pub const SIZE: (u32, u32) = (880, 440);

/// Series colours, distinguishable in colour and in greyscale.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
/// Second series colour.
pub const ORANGE: RGBColor = RGBColor(230, 120, 20);
/// Third series colour.
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
/// Fourth series colour.
pub const RED: RGBColor = RGBColor(200, 40, 40);
/// Guide lines and reference marks.
pub const GREY: RGBColor = RGBColor(130, 130, 130);

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Evenly spaced values.
    Linear,
    /// Evenly spaced powers of ten; the range must be positive.
    Log,
}

/// One axis.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Its description.
    pub label: String,
    /// The values shown.
    pub range: Range<f64>,
    /// Linear or log.
    pub scale: Scale,
}

impl Axis {
    /// A linear axis.
    pub fn linear(label: impl Into<String>, range: Range<f64>) -> Axis {
        Axis {
            label: label.into(),
            range,
            scale: Scale::Linear,
        }
    }

    /// A log axis.
    pub fn log(label: impl Into<String>, range: Range<f64>) -> Axis {
        Axis {
            label: label.into(),
            range,
            scale: Scale::Log,
        }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// One named series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its name in the legend.
    pub label: String,
    /// `(x, y)` points in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Its colour.
    pub color: RGBColor,
    /// Line or dots.
    pub mark: Mark,
    /// Stroke width of a line, in pixels.
    pub width: u32,
}

impl Series {
    /// A line series.
    pub fn line(label: impl Into<String>, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
        Series {
            label: label.into(),
            points,
            color,
            mark: Mark::Line,
            width: 2,
        }
    }

    /// The series drawn `width` pixels wide: drawn first, a wide line stays
    /// visible around a thinner one that follows it exactly.
    pub fn with_width(mut self, width: u32) -> Series {
        self.width = width;
        self
    }

    /// A dot series.
    pub fn dots(label: impl Into<String>, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
        Series {
            label: label.into(),
            points,
            color,
            mark: Mark::Dots,
            width: 2,
        }
    }
}

/// A horizontal reference line on the primary y axis.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Where it is.
    pub y: f64,
    /// Its legend text.
    pub label: String,
}

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendAt {
    /// Top left of the plot.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom right.
    LowerRight,
}

impl LegendAt {
    fn position(self) -> SeriesLabelPosition {
        match self {
            LegendAt::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendAt::UpperRight => SeriesLabelPosition::UpperRight,
            LegendAt::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// A chart: title, axes, series.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Drawn above the plot.
    pub title: String,
    /// The x axis.
    pub x: Axis,
    /// The left y axis.
    pub y: Axis,
    /// Series on the left axis.
    pub series: Vec<Series>,
    /// A right y axis (always linear) and its series.
    pub right: Option<(Axis, Vec<Series>)>,
    /// Horizontal reference lines.
    pub guides: Vec<Guide>,
    /// Where the legend goes.
    pub legend: LegendAt,
}

/// Drawing failed (plotters reports this only for a broken backend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "drawing a chart: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

fn err(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// `v` compactly: `1500000` → `1.5M`, `2000` → `2k`, `0.25` → `0.25`.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// Draws the series labels of a chart (single or dual axis) in its upper left.
macro_rules! legend {
    ($chart:expr, $at:expr) => {
        $chart
            .configure_series_labels()
            .position($at.position())
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(err)?
    };
}

impl Chart {
    /// The chart as an SVG document.
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            let (x, y) = (self.x.range.clone(), self.y.range.clone());
            match (self.x.scale, self.y.scale) {
                (Scale::Linear, Scale::Linear) => self.draw(&root, x, y)?,
                (Scale::Linear, Scale::Log) => self.draw(&root, x, y.log_scale())?,
                (Scale::Log, Scale::Linear) => self.draw(&root, x.log_scale(), y)?,
                (Scale::Log, Scale::Log) => self.draw(&root, x.log_scale(), y.log_scale())?,
            }
            root.present().map_err(err)?;
        }
        Ok(svg)
    }

    /// The mesh, the guides and the left-axis series.
    fn draw_primary<'a, X, Y>(
        &self,
        chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    ) -> Result<(), PlotError>
    where
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        chart
            .configure_mesh()
            .x_desc(&self.x.label)
            .y_desc(&self.y.label)
            .x_label_formatter(&|v| compact(*v))
            .y_label_formatter(&|v| compact(*v))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        let (x0, x1) = (self.x.range.start, self.x.range.end);
        for guide in &self.guides {
            chart
                .draw_series(LineSeries::new(
                    [(x0, guide.y), (x1, guide.y)],
                    GREY.stroke_width(1),
                ))
                .map_err(err)?
                .label(&guide.label)
                .legend(|(lx, ly)| PathElement::new([(lx, ly), (lx + 18, ly)], GREY));
        }
        for s in &self.series {
            let color = s.color;
            match s.mark {
                Mark::Line => {
                    let width = s.width;
                    let drawn = chart
                        .draw_series(LineSeries::new(
                            s.points.iter().copied(),
                            color.stroke_width(width),
                        ))
                        .map_err(err)?;
                    // A series without a label stays out of the legend.
                    if !s.label.is_empty() {
                        drawn.label(&s.label).legend(move |(lx, ly)| {
                            PathElement::new(
                                [(lx, ly), (lx + 18, ly)],
                                color.stroke_width(width + 1),
                            )
                        });
                    }
                }
                Mark::Dots => {
                    chart
                        .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                        .map_err(err)?
                        .label(&s.label)
                        .legend(move |(lx, ly)| Circle::new((lx + 9, ly), 4, color.filled()));
                }
            }
        }
        Ok(())
    }

    fn draw<X, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
        x: X,
        y: Y,
    ) -> Result<(), PlotError>
    where
        X: AsRangedCoord<Value = f64> + Clone,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64);
        if self.right.is_some() {
            builder.right_y_label_area_size(56);
        }
        let chart = builder.build_cartesian_2d(x.clone(), y).map_err(err)?;
        // The right axis must exist before the mesh is drawn, or the primary labels
        // are drawn on the right too.
        if let Some((axis, series)) = &self.right {
            let mut chart = chart.set_secondary_coord(x, axis.range.clone());
            self.draw_primary(&mut chart)?;
            chart
                .configure_secondary_axes()
                .y_desc(&axis.label)
                .y_label_formatter(&|v| compact(*v))
                .label_style(("sans-serif", 13))
                // Read top to bottom, facing the plot (the default turns the
                // right axis' name upside down).
                .axis_desc_style(
                    ("sans-serif", 14)
                        .into_font()
                        .transform(FontTransform::Rotate90),
                )
                .draw()
                .map_err(err)?;
            for s in series {
                let color = s.color;
                chart
                    .draw_secondary_series(LineSeries::new(
                        s.points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(err)?
                    .label(&s.label)
                    .legend(move |(lx, ly)| {
                        PathElement::new([(lx, ly), (lx + 18, ly)], color.stroke_width(3))
                    });
            }
            legend!(chart, self.legend);
        } else {
            let mut chart = chart;
            self.draw_primary(&mut chart)?;
            legend!(chart, self.legend);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(1_500_000.0), "1.5M");
        assert_eq!(compact(2000.0), "2k");
        assert_eq!(compact(6.5), "6.5");
        assert_eq!(compact(0.0), "0");
    }

    #[test]
    fn draws_every_scale_combination() {
        for (xs, ys) in [
            (Scale::Linear, Scale::Linear),
            (Scale::Log, Scale::Linear),
            (Scale::Linear, Scale::Log),
            (Scale::Log, Scale::Log),
        ] {
            let chart = Chart {
                title: "t".into(),
                x: Axis {
                    label: "x".into(),
                    range: 1.0..100.0,
                    scale: xs,
                },
                y: Axis {
                    label: "y".into(),
                    range: 1.0..100.0,
                    scale: ys,
                },
                series: vec![Series::line("a", BLUE, vec![(1.0, 2.0), (50.0, 60.0)])],
                right: Some((
                    Axis::linear("b", 0.0..10.0),
                    vec![Series::line("b", RED, vec![(1.0, 1.0)])],
                )),
                guides: vec![Guide {
                    y: 6.5,
                    label: "g".into(),
                }],
                legend: LegendAt::UpperLeft,
            };
            let svg = chart.to_svg().unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("polyline"), "{svg}");
        }
    }
}
