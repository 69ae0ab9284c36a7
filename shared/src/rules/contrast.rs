//! Whether prompts are readable in their theme's colours: WCAG 2.2 AA asks 4.5:1 for text
//! and 3:1 for borders and focus rings. A prompt draws its text in `text` on `background`,
//! and its links, main button (labelled in `background` on `accent`) and focus ring in
//! `accent`, so both pairs need 4.5:1. `rules check` and `rules put` warn; they do not refuse.

use crate::prelude::*;

use super::Rules;

/// Text needs this contrast (WCAG 1.4.3).
pub const TEXT: f64 = 4.5;

/// A pair of theme colours too close to read.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastWarning {
    /// Where: `prompts.ID.theme`, or `theme` when every prompt has the site's theme.
    pub path: String,
    /// What to change.
    pub message: String,
}

impl core::fmt::Display for ContrastWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Relative luminance of `#rgb` or `#rrggbb`.
fn luminance(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#')?;
    let channel = |s: &str| u8::from_str_radix(s, 16).ok().map(f64::from);
    let [r, g, b] = match hex.len() {
        3 => {
            let c = |i: usize| channel(&hex[i..=i]).map(|v| v * 17.0);
            [c(0)?, c(1)?, c(2)?]
        }
        6 => [
            channel(&hex[0..2])?,
            channel(&hex[2..4])?,
            channel(&hex[4..6])?,
        ],
        _ => return None,
    };
    let linear = |v: f64| {
        let s = v / 255.0;
        if s <= 0.040_45 {
            s / 12.92
        } else {
            libm::pow((s + 0.055) / 1.055, 2.4)
        }
    };
    Some(0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b))
}

/// The contrast ratio of two colours (1 to 21), `None` for a colour that is not `#hex`.
pub fn ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

impl Rules {
    /// Theme colours that make a prompt hard to read, one warning per pair and theme.
    pub fn contrast_warnings(&self) -> Vec<ContrastWarning> {
        let mut out: Vec<ContrastWarning> = Vec::new();
        let site_wide = self.prompts.windows(2).all(|w| w[0].theme == w[1].theme);
        for p in &self.prompts {
            let t = &p.theme;
            let path = if site_wide && self.prompts.len() > 1 {
                "theme".to_owned()
            } else {
                format!("prompts.{}.theme", p.id)
            };
            let pairs = [
                ("text", &t.text, "the prompt's text needs"),
                (
                    "accent",
                    &t.accent,
                    "links, the main button's label and the focus ring need",
                ),
            ];
            for (name, colour, what) in pairs {
                let Some(r) = ratio(colour, &t.background) else {
                    continue;
                };
                if r >= TEXT {
                    continue;
                }
                let w = ContrastWarning {
                    path: format!("{path}.{name}"),
                    message: format!(
                        "{colour} on the background {} has a contrast of {:.2}:1; {what} {TEXT}:1 (WCAG 2.2 AA): choose a {} {name} colour",
                        t.background,
                        libm::floor(r * 100.0) / 100.0,
                        if luminance(&t.background) > Some(0.18) {
                            "darker"
                        } else {
                            "lighter"
                        },
                    ),
                };
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_wcags_examples() {
        assert!((ratio("#000", "#fff").unwrap() - 21.0).abs() < 1e-9);
        assert!((ratio("#fff", "#fff").unwrap() - 1.0).abs() < 1e-9);
        // The old comment box border, #9ca3af on white.
        assert!((ratio("#9ca3af", "#ffffff").unwrap() - 2.54).abs() < 0.01);
        assert_eq!(ratio("red", "#fff"), None);
    }

    #[test]
    fn a_pale_text_or_accent_is_warned_about_at_its_path() {
        let rules = Rules::from_json_str(
            r##"{"version": 1, "theme": {"accent": "#7fb3ff"},
                "prompts": {"a": {"kind": "help", "text": {"title": "A"}},
                            "b": {"kind": "help", "text": {"title": "B"}, "theme": {"text": "#aaaaaa"}}}}"##,
        )
        .unwrap();
        let w: Vec<String> = rules
            .contrast_warnings()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with(
                "prompts.a.theme.accent: #7fb3ff on the background #ffffff has a contrast of 2.14:1"
            ),
            "{w:?}"
        );
        assert!(w[1].starts_with("prompts.b.theme.text: #aaaaaa"), "{w:?}");
        assert!(w[1].contains("darker"), "{w:?}");
        let fine = Rules::from_json_str(
            r#"{"version": 1, "prompts": {"a": {"kind": "help", "text": {"title": "A"}}}}"#,
        )
        .unwrap();
        assert_eq!(fine.contrast_warnings(), []);
    }
}
