/* Lifeline prompt: a lazy module (prompt-HASH.js), fetched by the loader the first time the
 * agent shows a prompt; most pages never need it.
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
 * animation under prefers-reduced-motion; full width on small screens.
 * Out of the way: it takes the rules' corner unless that covers what the visitor is working
 * with (the element last clicked, the focused form's submit button, from the observer's
 * __lifeline_avoid), then the corner that covers it least; again as the page scrolls.
 * Icons are inline SVG: emoji render as empty boxes where no emoji font is installed. */
(function () {
  "use strict";
  var w = window, d = document, sheet, host, unplace;
  var CORNERS = ["bottom_right", "bottom_left", "top_right", "top_left"];
  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    close: "M6 6l12 12M18 6L6 18",
    star: "M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z",
    up: "M2.5 10h3.5v10.5H2.5zM8 20.5h9.3a2 2 0 0 0 2-1.6l1.3-6.5A2 2 0 0 0 18.6 10H14l.8-4.1a1.7 1.7 0 0 0-3.2-1.2L8 10z"
  };
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
    "svg{width:1.2em;height:1.2em;vertical-align:-.2em;fill:currentColor}.close svg{fill:none;stroke:currentColor;stroke-width:2.2}" +
    ".choices .thumb{font-size:15px;padding:4px 10px;display:inline-flex;gap:6px;align-items:center;border-color:#6b7280}" +
    "@media (max-width:480px){.panel{left:8px;right:8px;width:auto}.bottom_right,.bottom_left{top:auto;bottom:8px}" +
    ".top_right,.top_left{top:8px;bottom:auto}}" +
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

  // An inline SVG icon, hidden from assistive technology (the button carries the name).
  function icon(parent, name, flip) {
    var s = d.createElementNS(SVG, "svg"), p = d.createElementNS(SVG, "path");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    p.setAttribute("d", ICONS[name]);
    if (flip) p.setAttribute("transform", "rotate(180 12 12)");
    s.appendChild(p);
    parent.appendChild(s);
    return parent;
  }

  // How much of the panel's box covers the boxes to avoid.
  function overlap(a, boxes) {
    return boxes.reduce(function (sum, b) {
      var x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      var y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      return sum + (x > 0 && y > 0 ? x * y : 0);
    }, 0);
  }

  // The rules' corner, unless another covers less of what the visitor is working with.
  function place(panel, preferred) {
    var avoid = (w.__lifeline_avoid ? w.__lifeline_avoid() : []).map(function (e) {
      return e.getBoundingClientRect();
    }).filter(function (r) { return r.width || r.height; });
    var order = [preferred].concat(CORNERS.filter(function (c) { return c != preferred; }));
    var best, least = Infinity;
    for (var i = 0; i < order.length && least > 0; i++) {
      panel.className = "panel " + order[i];
      var covered = overlap(panel.getBoundingClientRect(), avoid);
      if (covered < least) { least = covered; best = order[i]; }
    }
    panel.className = "panel " + best;
  }

  function hide() {
    if (unplace) unplace();
    unplace = null;
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
    icon(el(panel, "button", ["class", "close", "type", "button", "aria-label", v.close, "data-ll", "close"]), "close");
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
          icon(el(group, "button", ["type", "button", "role", "radio", "aria-checked", "false",
            "aria-label", n + " of 5", "data-ll", "rate", "data-value", n]), "star");
        });
      } else {
        [["up", "Yes"], ["down", "No"]].forEach(function (t) {
          var b = el(group, "button", ["type", "button", "class", "thumb", "aria-pressed", "false",
            "data-ll", "thumb", "data-value", t[0]]);
          el(icon(b, "up", t[0] == "down"), "span", null, t[1]);
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
    // Out of the way of what the visitor is working with, now and as the page moves.
    var frame = 0, again = function () {
      if (!frame) frame = w.requestAnimationFrame(function () { frame = 0; if (host == h) place(panel, v.position); });
    };
    place(panel, v.position);
    w.addEventListener("scroll", again, { passive: true, capture: true });
    w.addEventListener("resize", again, { passive: true });
    unplace = function () {
      w.removeEventListener("scroll", again, { capture: true });
      w.removeEventListener("resize", again);
    };
    // Take focus, but never from a field the visitor is typing in.
    var active = d.activeElement;
    var typing = active && (active.isContentEditable || /^(TEXTAREA|SELECT)$/.test(active.tagName) ||
      (active.tagName == "INPUT" && !/^(button|submit|reset|image|checkbox|radio|range|color|file)$/i.test(active.type)));
    if (!typing) panel.focus();
    return true;
  }

  w.__lifeline_prompt = function (view, done) {
    if (view == null) return hide();
    return show(JSON.parse(view), done);
  };
})();
