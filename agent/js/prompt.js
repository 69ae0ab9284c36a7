/* Lifeline prompt: part of agent.js (between wasm-bindgen's glue and the loader).
 * The agent decides what to show and builds the view (agent/src/view.rs); this draws it.
 * Written in JS because building DOM from wasm costs several times the bytes.
 *
 *   __lifeline_prompt(viewJson, done) -> true when shown; __lifeline_prompt(null) hides.
 *   done("close" | "link" | "action", rating, thumbs, comment)
 *
 * A Shadow-DOM host at the end of <body>, styled by a constructable stylesheet
 * (adoptedStyleSheets, which a strict CSP allows), so no page CSS leaks in and none of ours
 * leaks out. Every text from the rules is set with textContent: text, never HTML.
 * Accessible: a labelled, non-modal dialog; real buttons and links; Escape closes; a visible
 * focus ring; focus moves to the prompt only when the visitor is not typing somewhere; no
 * animation under prefers-reduced-motion; full width on small screens. */
(function () {
  "use strict";
  var w = window, d = document, sheet, host;
  var CSS = ":host{all:initial}" +
    ".panel{position:fixed;z-index:2147483000;box-sizing:border-box;width:min(360px,calc(100vw - 32px));" +
    "max-height:calc(100vh - 32px);overflow:auto;padding:16px 16px 14px;border-radius:12px;" +
    "background:var(--ll-bg,#fff);color:var(--ll-text,#111827);" +
    "font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;" +
    "box-shadow:0 10px 30px rgba(0,0,0,.22),0 0 0 1px rgba(0,0,0,.06);animation:ll-in .18s ease-out}" +
    ".bottom_right{right:16px;bottom:16px}.bottom_left{left:16px;bottom:16px}" +
    ".top_right{right:16px;top:16px}.top_left{left:16px;top:16px}" +
    "h2{font-size:17px;line-height:1.3;margin:0 32px 6px 0}" +
    "p{margin:0 0 10px}ol,ul{margin:0 0 10px;padding-left:22px}li{margin:2px 0}" +
    "a{color:var(--ll-accent,#2563eb)}button{font:inherit;cursor:pointer;border-radius:8px}" +
    ".action{display:inline-block;background:var(--ll-accent,#2563eb);color:#fff;border:0;padding:8px 16px;" +
    "font-weight:600;text-decoration:none;border-radius:8px}" +
    ".close{position:absolute;top:8px;right:8px;width:32px;height:32px;border:0;background:transparent;" +
    "color:inherit;font-size:22px;line-height:1}" +
    ":focus-visible{outline:3px solid var(--ll-accent,#2563eb);outline-offset:2px}.panel:focus{outline:none}" +
    ".choices{display:flex;gap:4px;margin:4px 0 8px}" +
    ".choices button{border:1px solid transparent;background:none;font-size:24px;color:#6b7280;padding:2px 4px}" +
    ".choices [aria-checked=true],.choices [aria-pressed=true]{color:#b45309;border-color:currentColor}" +
    "label{display:block;font-size:14px;margin-top:4px}" +
    "textarea{display:block;width:100%;box-sizing:border-box;min-height:64px;margin:4px 0 10px;padding:6px 8px;" +
    "font:inherit;color:inherit;background:transparent;border:1px solid #9ca3af;border-radius:8px}" +
    "@media (max-width:480px){.panel{left:8px;right:8px;top:auto;bottom:8px;width:auto}}" +
    "@media (prefers-reduced-motion:reduce){.panel{animation:none}}" +
    "@keyframes ll-in{from{opacity:0;transform:translateY(8px)}}";

  // An element with attributes (name, value, ...) and text, appended to `parent`.
  function el(parent, tag, attrs, text) {
    var e = d.createElement(tag);
    for (var i = 0; attrs && i < attrs.length; i += 2) e.setAttribute(attrs[i], attrs[i + 1]);
    if (text != null) e.textContent = text;
    parent.appendChild(e);
    return e;
  }
  // Links that leave the site open in a new tab, without access back to this page.
  function away(href) {
    return /^https?:/i.test(href) ? ["target", "_blank", "rel", "noopener noreferrer"] : [];
  }

  function hide() {
    if (host) host.remove();
    host = null;
  }

  function show(v, done) {
    hide();
    if (!d.body) return false;
    var h = d.createElement("div");
    h.id = "lifeline-host";
    var root = h.attachShadow({ mode: "open" });
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
    var t = v.theme;
    h.style.setProperty("--ll-accent", t[0]);
    h.style.setProperty("--ll-bg", t[1]);
    h.style.setProperty("--ll-text", t[2]);

    var panel = el(root, "section", ["class", "panel " + v.position, "role", "dialog",
      "aria-modal", "false", "aria-labelledby", "ll-title", "tabindex", "-1", "lang", v.lang]);
    el(panel, "button", ["class", "close", "type", "button", "aria-label", v.close, "data-ll", "close"], "\u00d7");
    el(panel, "h2", ["id", "ll-title"], v.title);
    if (v.body) {
      el(panel, "p", ["id", "ll-body"], v.body);
      panel.setAttribute("aria-describedby", "ll-body");
    }
    if (v.steps.length) {
      var ol = el(panel, "ol");
      v.steps.forEach(function (s) { el(ol, "li", null, s); });
    }
    if (v.links.length) {
      var ul = el(panel, "ul");
      v.links.forEach(function (l) {
        el(el(ul, "li"), "a", ["href", l[1], "data-ll", "link"].concat(away(l[1])), l[0]);
      });
    }
    var f = v.feedback;
    if (f) {
      var rating = f.scale == "rating", group = el(panel, "div", ["class", "choices",
        "role", rating ? "radiogroup" : "group", "aria-label", rating ? "Your rating" : "Was this good?"]);
      if (rating) {
        [1, 2, 3, 4, 5].forEach(function (n) {
          el(group, "button", ["type", "button", "role", "radio", "aria-checked", "false",
            "aria-label", n + " of 5", "data-ll", "rate", "data-value", n], "\u2605");
        });
      } else {
        [["up", "Yes", "\ud83d\udc4d"], ["down", "No", "\ud83d\udc4e"]].forEach(function (t) {
          el(group, "button", ["type", "button", "aria-pressed", "false", "aria-label", t[1],
            "data-ll", "thumb", "data-value", t[0]], t[2]);
        });
      }
      if (f.comment) {
        el(panel, "label", ["for", "ll-comment"], "Anything to add? (optional)");
        el(panel, "textarea", ["id", "ll-comment", "maxlength", f.max]);
      }
    }
    var a = v.action;
    if (a) {
      el(panel, a[1] ? "a" : "button", (a[1] ? ["href", a[1], "role", "button"].concat(away(a[1]))
        : ["type", "button"]).concat(["class", "action", "data-ll", "action"]), a[0]);
    }

    root.addEventListener("click", function (e) {
      var c = e.target.closest && e.target.closest("[data-ll]");
      var what = c && c.getAttribute("data-ll");
      if (what == "rate" || what == "thumb") {
        root.querySelectorAll("[data-ll=" + what + "]").forEach(function (b) {
          b.setAttribute(what == "rate" ? "aria-checked" : "aria-pressed", String(b == c));
        });
      } else if (what == "action") {
        var value = function (s) { var x = root.querySelector(s); return x ? x.getAttribute("data-value") : undefined; };
        var r = value("[data-ll=rate][aria-checked=true]"), area = root.querySelector("textarea");
        done("action", r ? +r : undefined, value("[data-ll=thumb][aria-pressed=true]"),
          area ? area.value : undefined);
        // A chat offer without a chat link: the page's own chat widget is asked to open.
        if (v.kind == "chat_offer" && !a[1]) w.dispatchEvent(new Event("lifeline:chat"));
      } else if (what) {
        done(what);
      }
    });
    root.addEventListener("keydown", function (e) {
      if (e.key == "Escape") done("close");
    });
    d.body.appendChild(h);
    host = h;
    // Take focus, but never from a field the visitor is typing in.
    var active = d.activeElement;
    var typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
    if (!typing) panel.focus();
    return true;
  }

  w.__lifeline_prompt = function (view, done) {
    if (view == null) return hide();
    return show(JSON.parse(view), done);
  };
})();
