//! The prompt on screen: a Shadow-DOM host at the end of `<body>`, styled by a
//! constructable stylesheet (`adoptedStyleSheets`, which strict CSP allows), so no page CSS
//! leaks in and none of ours leaks out. Every text from the rules is set with
//! `textContent`: rendered as text, never parsed as HTML.
//!
//! Accessible: a labelled, non-modal `dialog`; real buttons and links; Escape closes; a
//! visible focus ring; focus moves to the prompt only when the visitor is not typing
//! somewhere; no animation under `prefers-reduced-motion`; full width on small screens.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, Event, HtmlElement, KeyboardEvent, ShadowRoot, ShadowRootInit,
    ShadowRootMode, Window,
};

use lifeline_shared::Outcome;
use lifeline_shared::rules::spec::{FeedbackScale, PromptKind};

use super::listener::Listener;
use crate::agent::Feedback;
use crate::view::PromptView;

/// The id of the element hosting the prompt's shadow root.
pub(crate) const HOST_ID: &str = "lifeline-host";

const CSS: &str = r#"
:host { all: initial; }
.panel { position: fixed; z-index: 2147483000; box-sizing: border-box; width: min(360px, calc(100vw - 32px));
  max-height: calc(100vh - 32px); overflow: auto; padding: 16px 16px 14px; border-radius: 12px;
  background: var(--ll-bg, #fff); color: var(--ll-text, #111827);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 10px 30px rgba(0, 0, 0, .22), 0 0 0 1px rgba(0, 0, 0, .06); animation: ll-in .18s ease-out; }
.bottom_right { right: 16px; bottom: 16px; } .bottom_left { left: 16px; bottom: 16px; }
.top_right { right: 16px; top: 16px; } .top_left { left: 16px; top: 16px; }
h2 { font-size: 17px; line-height: 1.3; margin: 0 32px 6px 0; }
p { margin: 0 0 10px; } ol, ul { margin: 0 0 10px; padding-left: 22px; } li { margin: 2px 0; }
a { color: var(--ll-accent, #2563eb); }
button { font: inherit; cursor: pointer; border-radius: 8px; }
.action { background: var(--ll-accent, #2563eb); color: #fff; border: 0; padding: 8px 16px; font-weight: 600; }
.close { position: absolute; top: 8px; right: 8px; width: 32px; height: 32px; border: 0; background: transparent;
  color: inherit; font-size: 22px; line-height: 1; }
:focus-visible { outline: 3px solid var(--ll-accent, #2563eb); outline-offset: 2px; }
.panel:focus { outline: none; }
.choices { display: flex; gap: 4px; margin: 4px 0 8px; }
.choices button { border: 1px solid transparent; background: none; font-size: 24px; color: #9ca3af; padding: 2px 4px; }
.choices [aria-checked="true"], .choices [aria-pressed="true"] { color: #d97706; border-color: currentColor; }
label { display: block; font-size: 14px; margin-top: 4px; }
textarea { display: block; width: 100%; box-sizing: border-box; min-height: 64px; margin: 4px 0 10px; padding: 6px 8px;
  font: inherit; color: inherit; background: transparent; border: 1px solid #9ca3af; border-radius: 8px; }
@media (max-width: 480px) { .panel { left: 8px; right: 8px; top: auto; bottom: 8px; width: auto; } }
@media (prefers-reduced-motion: reduce) { .panel { animation: none; } }
@keyframes ll-in { from { opacity: 0; transform: translateY(8px); } }
"#;

/// The prompt's DOM and its listeners.
pub(crate) struct PromptUi {
    window: Window,
    host: Option<Element>,
    listeners: Vec<Listener>,
    /// Listeners of closed prompts: dropped later, never while one of them runs.
    retired: Vec<Listener>,
    kind: Option<PromptKind>,
}

impl PromptUi {
    pub(crate) fn new(window: Window) -> PromptUi {
        PromptUi {
            window,
            host: None,
            listeners: Vec::new(),
            retired: Vec::new(),
            kind: None,
        }
    }

    /// Shows `view`, replacing any prompt on screen; false when the page cannot show it.
    pub(crate) fn show(&mut self, view: &PromptView) -> bool {
        self.hide();
        self.render(view).is_ok()
    }

    fn render(&mut self, view: &PromptView) -> Result<(), JsValue> {
        let doc = self.window.document().ok_or(JsValue::NULL)?;
        let body = doc.body().ok_or(JsValue::NULL)?;
        let host = doc.create_element("div")?;
        host.set_id(HOST_ID);
        let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
        let sheet = web_sys::CssStyleSheet::new()?;
        sheet.replace_sync(CSS)?;
        js_sys::Reflect::set(
            &root,
            &"adoptedStyleSheets".into(),
            &js_sys::Array::of1(&sheet),
        )?;
        if let Some(h) = host.dyn_ref::<HtmlElement>() {
            let style = h.style();
            style.set_property("--ll-accent", &view.theme.accent)?;
            style.set_property("--ll-bg", &view.theme.background)?;
            style.set_property("--ll-text", &view.theme.text)?;
        }

        let panel = el(&doc, "section", &root)?;
        panel.set_class_name(&["panel ", view.position.as_str()].concat());
        panel.set_attribute("role", "dialog")?;
        panel.set_attribute("aria-modal", "false")?;
        panel.set_attribute("aria-labelledby", "ll-title")?;
        panel.set_attribute("tabindex", "-1")?;
        panel.set_attribute("lang", &view.language)?;

        let close = el(&doc, "button", &panel)?;
        close.set_class_name("close");
        close.set_attribute("type", "button")?;
        close.set_attribute("aria-label", view.close_label)?;
        close.set_attribute("data-ll", "close")?;
        close.set_text_content(Some("\u{00d7}"));

        let title = text_el(&doc, "h2", &panel, &view.title)?;
        title.set_id("ll-title");
        if !view.body.is_empty() {
            let body_text = text_el(&doc, "p", &panel, &view.body)?;
            body_text.set_id("ll-body");
            panel.set_attribute("aria-describedby", "ll-body")?;
        }
        if !view.steps.is_empty() {
            let list = el(&doc, "ol", &panel)?;
            for step in &view.steps {
                text_el(&doc, "li", &list, step)?;
            }
        }
        if !view.links.is_empty() {
            let list = el(&doc, "ul", &panel)?;
            for link in &view.links {
                let item = el(&doc, "li", &list)?;
                let a = text_el(&doc, "a", &item, &link.label)?;
                a.set_attribute("href", &link.href)?;
                a.set_attribute("data-ll", "link")?;
                if link.href.starts_with("http") {
                    a.set_attribute("target", "_blank")?;
                    a.set_attribute("rel", "noopener noreferrer")?;
                }
            }
        }
        if let Some(feedback) = &view.feedback {
            let group = el(&doc, "div", &panel)?;
            group.set_class_name("choices");
            match feedback.scale {
                FeedbackScale::Rating => {
                    group.set_attribute("role", "radiogroup")?;
                    group.set_attribute("aria-label", "Your rating")?;
                    for n in 1..=5u8 {
                        let star = text_el(&doc, "button", &group, "\u{2605}")?;
                        star.set_attribute("type", "button")?;
                        star.set_attribute("role", "radio")?;
                        star.set_attribute("aria-checked", "false")?;
                        star.set_attribute(
                            "aria-label",
                            &[char::from(b'0' + n).to_string().as_str(), " of 5"].concat(),
                        )?;
                        star.set_attribute("data-ll", "rate")?;
                        star.set_attribute("data-value", &char::from(b'0' + n).to_string())?;
                    }
                }
                FeedbackScale::Thumbs => {
                    group.set_attribute("role", "group")?;
                    group.set_attribute("aria-label", "Was this good?")?;
                    for (value, glyph, label) in
                        [("up", "\u{1f44d}", "Yes"), ("down", "\u{1f44e}", "No")]
                    {
                        let b = text_el(&doc, "button", &group, glyph)?;
                        b.set_attribute("type", "button")?;
                        b.set_attribute("aria-pressed", "false")?;
                        b.set_attribute("aria-label", label)?;
                        b.set_attribute("data-ll", "thumb")?;
                        b.set_attribute("data-value", value)?;
                    }
                }
            }
            if feedback.comment {
                let label = text_el(&doc, "label", &panel, "Anything to add? (optional)")?;
                label.set_attribute("for", "ll-comment")?;
                let area = el(&doc, "textarea", &panel)?;
                area.set_id("ll-comment");
                let mut max = String::new();
                lifeline_shared::wire::push_decimal(&mut max, u64::from(feedback.comment_max));
                area.set_attribute("maxlength", &max)?;
            }
        }
        if let Some((label, href)) = &view.action {
            let action = match href {
                Some(href) => {
                    let a = text_el(&doc, "a", &panel, label)?;
                    a.set_attribute("href", href)?;
                    a.set_attribute("role", "button")?;
                    if href.starts_with("http") {
                        a.set_attribute("target", "_blank")?;
                        a.set_attribute("rel", "noopener noreferrer")?;
                    }
                    a
                }
                None => {
                    let b = text_el(&doc, "button", &panel, label)?;
                    b.set_attribute("type", "button")?;
                    b
                }
            };
            action.set_class_name("action");
            action.set_attribute("data-ll", "action")?;
        }

        body.append_child(&host)?;
        self.kind = Some(view.kind);
        self.listeners
            .push(Listener::new(&root, "click", false, on_click));
        self.listeners
            .push(Listener::new(&root, "keydown", false, |e: Event| {
                if e.dyn_ref::<KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Escape")
                {
                    super::with_agent(|a| a.close(Outcome::Dismissed));
                }
            }));
        // Take focus only from nobody: never from a field the visitor is typing in.
        let typing = doc
            .active_element()
            .is_some_and(|a| !a.is_same_node(doc.body().as_ref().map(AsRef::as_ref)));
        if !typing && let Some(p) = panel.dyn_ref::<HtmlElement>() {
            let _ = p.focus();
        }
        self.host = Some(host);
        Ok(())
    }

    /// Removes the prompt. Its listeners are retired, not dropped: this may run inside one.
    pub(crate) fn hide(&mut self) {
        if let Some(host) = self.host.take() {
            host.remove();
        }
        self.kind = None;
        self.retired.append(&mut self.listeners);
    }

    /// Drops retired listeners (called from the timer, outside any prompt listener).
    pub(crate) fn sweep(&mut self) {
        self.retired.clear();
    }
}

fn el(doc: &Document, tag: &str, parent: &impl AsRef<web_sys::Node>) -> Result<Element, JsValue> {
    let e = doc.create_element(tag)?;
    parent.as_ref().append_child(&e)?;
    Ok(e)
}

fn text_el(
    doc: &Document,
    tag: &str,
    parent: &impl AsRef<web_sys::Node>,
    text: &str,
) -> Result<Element, JsValue> {
    let e = el(doc, tag, parent)?;
    e.set_text_content(Some(text));
    Ok(e)
}

/// One listener for every control of the prompt (by their `data-ll`).
fn on_click(e: Event) {
    let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    let Ok(Some(control)) = target.closest("[data-ll]") else {
        return;
    };
    let root = control.get_root_node();
    let Some(root) = root.dyn_ref::<ShadowRoot>() else {
        return;
    };
    match control.get_attribute("data-ll").as_deref() {
        Some("close") => super::with_agent(|a| a.close(Outcome::Dismissed)),
        Some("link") => super::with_agent(|a| a.close(Outcome::Engaged)),
        Some("rate") => select(root, &control, "rate", "aria-checked"),
        Some("thumb") => select(root, &control, "thumb", "aria-pressed"),
        Some("action") => action(root),
        _ => {}
    }
}

fn select(root: &ShadowRoot, chosen: &Element, kind: &str, attribute: &str) {
    if let Ok(all) = root.query_selector_all(&["[data-ll=", kind, "]"].concat()) {
        for i in 0..all.length() {
            if let Some(e) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = e.set_attribute(
                    attribute,
                    if e.is_same_node(Some(chosen)) {
                        "true"
                    } else {
                        "false"
                    },
                );
            }
        }
    }
}

fn action(root: &ShadowRoot) {
    let chosen = |selector: &str| {
        root.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("data-value"))
    };
    let rating = chosen("[data-ll=rate][aria-checked=true]").and_then(|v| v.parse().ok());
    let thumbs = chosen("[data-ll=thumb][aria-pressed=true]").map(|v| v == "up");
    let comment = root
        .query_selector("textarea")
        .ok()
        .flatten()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value());
    let is_feedback = root.query_selector(".choices").ok().flatten().is_some();
    super::with_agent(|a| {
        if is_feedback {
            a.feedback(Feedback {
                rating,
                thumbs,
                comment,
            });
        } else {
            a.close(Outcome::Engaged);
        }
    });
    if !is_feedback && root.query_selector("a.action").ok().flatten().is_none() {
        // A chat offer with no chat link: ask the page's own chat widget to open.
        if let (Some(w), Ok(event)) = (web_sys::window(), Event::new("lifeline:chat")) {
            let _ = w.dispatch_event(&event);
        }
    }
}
