//! The decision value: how much showing a prompt is worth now, in [0, 1].
//!
//! A weighted mean (weights from `scoring.value.weights`, normalised) of:
//! - frustration: the difficulty score;
//! - business: the larger of the customer tier's value and cart value / `cart_value_full`;
//! - opportunity: cart value / `cart_value_full` while the cart holds items not yet bought;
//! - availability: 1 when the prompt needs no person or one is online, else 0.

use super::Context;
use crate::rules::{Prompt, Scoring};

/// The value of showing `prompt` at difficulty `score` in `ctx`.
pub fn decision_value(scoring: &Scoring, score: f32, prompt: &Prompt, ctx: &Context) -> f32 {
    let cart = if ctx.cart_value.is_finite() && ctx.cart_value > 0.0 {
        (ctx.cart_value / scoring.cart_value_full).min(1.0) as f32
    } else {
        0.0
    };
    let tier = ctx
        .tier
        .and_then(|t| scoring.tiers.get(t as usize))
        .map_or(0.0, |(_, v)| *v);
    let business = tier.max(cart);
    let opportunity = if ctx.cart_items > 0 { cart } else { 0.0 };
    let availability = if !prompt.needs_person() || ctx.agents_online {
        1.0
    } else {
        0.0
    };
    let [wf, wb, wo, wa] = scoring.value_weights;
    (wf * score + wb * business + wo * opportunity + wa * availability).clamp(0.0, 1.0)
}
