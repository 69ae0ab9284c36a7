/* Lifeline prompt: a lazy module (prompt-HASH.js), fetched by the loader the first time the
 * agent shows a prompt; most pages never need it.
 * The agent decides what to show and builds the view (agent/src/view.rs); this draws it.
 * Written in JS because building DOM from wasm costs several times the bytes.
 *
 *   __lifeline_render(viewJson, done) -> true when shown; __lifeline_render(null) hides
 *   (called by the loader's __lifeline_prompt, which sends support sessions elsewhere).
 *   done("close" | "link" | "action", rating, thumbs, comment)
 *
 * Feedback's answer: the agent sends feedback at once (through the host's
 * __lifeline_send, which this module wraps: a batch holding feedback gets the attributes
 * the shop signed, lifeline.identify's, and its answer is read). The collector answers in
 * the visitor's language: thanks, what went wrong and what the shop is doing about it, a
 * coupon with a copy button, or that none could be issued now. The thank-you shows it; a
 * coupon stays until the visitor closes it.
 *
 * A Shadow-DOM host after <body> (__lifeline_mount), styled by a constructable stylesheet
 * (adoptedStyleSheets, which a strict CSP allows), so no page CSS leaks in and none of ours
 * leaks out. Every text from the rules is set with textContent: text, never HTML. The fixed
 * words (Close, Send, Yes, No...) come in the view's `labels`, in the prompt's language.
 *
 * Accessible (WCAG 2.2 AA, checked by the end-to-end tests with axe and by hand):
 * - a labelled, non-modal dialog of real buttons and links, with a visible focus ring;
 * - focus moves to it only when the visitor is not typing somewhere; then it is announced
 *   in a polite live region instead; closing it any way (Escape, Close, Send, the action)
 *   puts focus back where it was, unless a chat took it (the shop's, or Lifeline's);
 * - Escape closes it from anywhere in the page, unless the page used that Escape itself
 *   (`defaultPrevented`); with a comment not yet sent, the first Escape asks;
 * - the rating is one radio group (one tab stop, arrow keys), stars 1..n filled; the
 *   Yes/No buttons say Yes and No; a chosen answer differs in shape, not only in colour,
 *   and stays visible in forced colours (Windows High Contrast);
 * - Send with nothing chosen says what is needed; after Send, a thank-you; after an
 *   offer's action, a confirmation;
 * - no animation under prefers-reduced-motion.
 * Out of the way: it takes the rules' corner unless that covers what the visitor is working
 * with (the element last clicked or focused, the focused form's submit button, from the
 * observer's __lifeline_avoid), then the corner that covers it least; again as the page
 * scrolls, resizes or focus moves. On a phone, or where it would take much of the screen
 * (200 % or 400 % zoom), it starts as a compact bar that opens on request.
 * Icons are inline SVG: emoji render as empty boxes where no emoji font is installed. */
(function () {
  "use strict";
  var w = window, d = document, sheet, cur = null, last = null;
  var CORNERS = ["bottom_right", "bottom_left", "top_right", "top_left"];
  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    close: "M6 6l12 12M18 6L6 18",
    star: "M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z",
    up: "M2.5 10h3.5v10.5H2.5zM8 20.5h9.3a2 2 0 0 0 2-1.6l1.3-6.5A2 2 0 0 0 18.6 10H14l.8-4.1a1.7 1.7 0 0 0-3.2-1.2L8 10z",
    more: "M6 9l6 6 6-6"
  };
  // The words when the view brings none (rules compiled before labels existed).
  var EN = {
    close: "Close", rating: "Your rating", star: "{n} of 5", helpful: "Was this helpful?",
    yes: "Yes", no: "No", comment: "Anything to add? (optional)", send: "Send",
    chat: "Chat with us", call: "Call us", claim: "Claim my offer",
    need: "Choose an answer or write a comment first.",
    discard: "Your comment is not sent. Press Escape again to discard it.",
    thanks: "Thank you for your feedback.", noted: "Thank you. Your request is noted."
  };
  var ACTION = { feedback: "send", chat_offer: "chat", call_offer: "call", offer: "claim" };
  // The share of the screen's height a prompt may take before it starts compact, and the
  // narrowest screen (CSS px) it starts whole on.
  var ROOMY = 0.4, NARROW = 480;
  var CSS = ":host{all:initial}" +
    ".panel{position:fixed;z-index:2147483647;box-sizing:border-box;width:min(360px,calc(100vw - 32px));" +
    "max-height:calc(100vh - 16px);overflow:auto;padding:16px 16px 14px;border-radius:12px;" +
    "background:var(--ll-bg,#fff);color:var(--ll-text,#111827);" +
    "font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;" +
    "box-shadow:0 10px 30px rgba(0,0,0,.22),0 0 0 1px rgba(0,0,0,.06);animation:ll-in .18s ease-out}" +
    ".bottom_right{right:16px;bottom:16px}.bottom_left{left:16px;bottom:16px}" +
    ".top_right{right:16px;top:16px}.top_left{left:16px;top:16px}" +
    "h2{font-size:17px;line-height:1.3;margin:0 0 6px;margin-inline-end:32px}" +
    "p{margin:0 0 10px}ol,ul{margin:0 0 10px;padding-inline-start:22px}li{margin:2px 0}" +
    "a{color:var(--ll-accent,#2563eb)}button{font:inherit;color:inherit;cursor:pointer;border-radius:8px}" +
    ".action{display:inline-block;background:var(--ll-accent,#2563eb);color:var(--ll-bg,#fff);" +
    "border:2px solid transparent;padding:7px 15px;font-weight:600;text-decoration:none;border-radius:8px}" +
    ".close{position:absolute;top:6px;inset-inline-end:6px;width:36px;height:36px;border:1px solid transparent;" +
    "background:transparent;padding:0;display:grid;place-items:center}" +
    ":focus-visible{outline:3px solid var(--ll-accent,#2563eb);outline-offset:2px}.panel:focus{outline:none}" +
    ".choices{display:flex;gap:4px;margin:4px 0 8px}" +
    ".choices button{border:1px solid transparent;background:none;font-size:24px;padding:2px 4px;min-width:40px;min-height:40px}" +
    ".star svg{fill:none;stroke:currentColor;stroke-width:1.6}.star.on svg{fill:currentColor}" +
    ".star.on{color:var(--ll-accent,#2563eb)}" +
    ".thumb{font-size:15px!important;padding:4px 12px!important;display:inline-flex;gap:6px;align-items:center;" +
    "border-color:currentColor!important}" +
    ".thumb svg{fill:none;stroke:currentColor;stroke-width:1.6}" +
    ".thumb[aria-pressed=true]{border-width:3px!important;padding:2px 10px!important;font-weight:700}" +
    ".thumb[aria-pressed=true] svg{fill:currentColor}" +
    "label{display:block;font-size:14px;margin-top:4px}" +
    "textarea{display:block;width:100%;box-sizing:border-box;min-height:64px;margin:4px 0 10px;padding:6px 8px;" +
    "font:inherit;color:inherit;background:transparent;border:1px solid currentColor;border-radius:8px}" +
    "svg{width:1.2em;height:1.2em;vertical-align:-.2em;fill:currentColor}" +
    ".close svg,.toggle svg{fill:none;stroke:currentColor;stroke-width:2.2;width:22px;height:22px}" +
    ".msg{font-weight:600}.msg:empty{display:none}" +
    ".answer{margin:0 0 10px}.coupon{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0 4px}" +
    ".code{font:600 16px/1.4 ui-monospace,Menlo,Consolas,monospace;padding:4px 8px;border:2px dashed currentColor;" +
    "border-radius:6px;user-select:all}.terms{font-size:14px;margin:0}" +
    ".copy{border:1px solid currentColor;background:none;padding:4px 10px}" +
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    // Compact: a bar with the title, opened on request.
    ".compact{width:auto;max-width:calc(100vw - 16px);padding:4px 6px;padding-inline-end:44px}" +
    ".compact.bottom_right,.compact.bottom_left{bottom:8px}.compact.top_right,.compact.top_left{top:8px}" +
    ".compact.bottom_right,.compact.top_right{right:8px}.compact.bottom_left,.compact.top_left{left:8px}" +
    ".compact .close{top:2px;inset-inline-end:2px}.compact h2{margin:0}.compact .content{display:none}" +
    ".compact.open{padding:4px 10px 12px;padding-inline-end:44px}.compact.open .content{display:block;margin-top:6px}" +
    ".toggle{display:flex;gap:6px;align-items:center;width:100%;min-height:36px;border:1px solid transparent;" +
    "background:none;padding:2px 4px;text-align:start;font-weight:600;font-size:16px}" +
    ".open .toggle svg{transform:rotate(180deg)}" +
    "@media (max-width:480px){.panel:not(.compact){left:8px;right:8px;width:auto}" +
    ".panel.bottom_right,.panel.bottom_left{top:auto;bottom:8px}.panel.top_right,.panel.top_left{top:8px;bottom:auto}}" +
    "@media (prefers-reduced-motion:reduce){.panel{animation:none}}" +
    // Forced colours (Windows High Contrast): edges and chosen answers stay visible.
    "@media (forced-colors:active){.panel{border:2px solid CanvasText}" +
    ".action,.close,.toggle,.thumb,.star{border:1px solid ButtonText!important}" +
    ".star.on,.thumb[aria-pressed=true]{border:3px solid Highlight!important;color:Highlight}" +
    "textarea{border-color:CanvasText}}" +
    "@keyframes ll-in{from{opacity:0;transform:translateY(8px)}}";

  // The direction of a language's script (Arabic, Hebrew, Persian, Urdu...): the prompt's,
  // not the body's (a page may set `dir` on an element inside it, or not at all).
  function dir(lang) {
    return /^(ar|arc|ckb|dv|fa|he|ks|ku|ps|sd|ug|ur|yi)(-|$)/i.test(lang || "") ? "rtl" : "ltr";
  }

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

  // An inline SVG icon, hidden from assistive technology (the control carries the name).
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
  function place(c) {
    var panel = c.panel, base = panel.className.replace(/ ?\b(top|bottom)_(left|right)\b/g, "");
    var avoid = (w.__lifeline_avoid ? w.__lifeline_avoid() : []).filter(function (e) {
      return !c.h.contains(e) && e !== c.h;
    }).map(function (e) {
      return e.getBoundingClientRect();
    }).filter(function (r) { return r.width || r.height; });
    var order = [c.v.position].concat(CORNERS.filter(function (x) { return x != c.v.position; }));
    var best, least = Infinity;
    for (var i = 0; i < order.length && least > 0; i++) {
      panel.className = base + " " + order[i];
      var covered = overlap(panel.getBoundingClientRect(), avoid);
      if (covered < least) { least = covered; best = order[i]; }
    }
    panel.className = base + " " + best;
  }

  // Compact (a bar that opens on request) when the whole prompt would take much of the
  // screen; the visitor's choice to open it stands.
  function fit(c) {
    if (c.opened || !c.done) return;
    var was = c.panel.classList.contains("compact");
    c.panel.classList.remove("compact");
    var compact = w.innerWidth < NARROW || c.panel.getBoundingClientRect().height > w.innerHeight * ROOMY;
    c.panel.classList.toggle("compact", compact);
    if (compact == was && c.h2.firstChild) return;
    if (c.root.activeElement && c.h2.contains(c.root.activeElement)) c.panel.focus({ preventScroll: true });
    c.h2.textContent = "";
    if (compact) {
      var t = el(c.h2, "button", ["type", "button", "class", "toggle", "aria-expanded", "false",
        "aria-controls", "ll-content", "data-ll", "toggle"]);
      el(t, "span", null, c.v.title);
      icon(t, "more");
    } else {
      c.h2.textContent = c.v.title;
    }
  }

  // Takes the prompt off the screen; focus goes back where it was if it was in the prompt.
  function remove() {
    var c = cur;
    if (!c) return;
    cur = null;
    c.off();
    clearTimeout(c.timer);
    var inside = d.activeElement === c.h;
    c.h.remove();
    var back = c.before;
    if (inside && back && back !== d.body && back.isConnected && back.focus) back.focus({ preventScroll: true });
  }

  // The prompt's last words (thanks, a confirmation), in place of its content, for a few
  // seconds; the agent has already closed it.
  function conclude(c, text) {
    var inside = d.activeElement === c.h;
    c.done = null;
    c.content.remove();
    c.panel.classList.remove("compact", "open");
    c.h2.textContent = text;
    c.panel.setAttribute("role", "status");
    c.panel.removeAttribute("aria-describedby");
    c.panel.removeAttribute("aria-modal"); // a dialog's attribute, not a status's
    if (inside) c.panel.focus({ preventScroll: true });
    c.timer = setTimeout(remove, 5000);
    place(c);
  }

  function hide() {
    var c = cur;
    if (c && c.ending && c.done) {
      conclude(c, c.L[c.ending]);
      // Feedback waits for the collector's answer a little longer.
      if (c.ending == "thanks") {
        clearTimeout(c.timer);
        c.timer = setTimeout(remove, 10000);
        last = c;
      }
    } else remove();
  }

  // The collector's answer to the feedback just sent, shown in its thank-you (put back on
  // the screen if it went; a coupon stays until the visitor closes it). Set as text.
  function answer(a) {
    var c = last;
    if (!c || !a || typeof a.title != "string") return;
    last = null;
    if (!c.h.isConnected) {
      if (cur) return; // another prompt is on screen now
      w.__lifeline_mount(c.h);
    }
    cur = c;
    c.h2.textContent = a.title;
    var box = c.root.querySelector(".answer") || el(c.panel, "div", ["class", "answer"]);
    box.textContent = "";
    if (typeof a.text == "string") el(box, "p", null, a.text);
    var k = a.coupon;
    clearTimeout(c.timer);
    if (k && typeof k.code == "string" && k.copy) {
      var row = el(box, "div", ["class", "coupon"]);
      var code = el(row, "span", ["class", "code", "id", "ll-code"], k.code);
      var copy = el(row, "button", ["type", "button", "class", "copy", "aria-describedby", "ll-code"], k.copy[0]);
      copy.addEventListener("click", function () {
        var done = function () { copy.textContent = k.copy[1]; };
        var p = w.navigator.clipboard && w.navigator.clipboard.writeText(k.code);
        if (p) p.then(done, function () { w.getSelection().selectAllChildren(code); });
        else w.getSelection().selectAllChildren(code);
      });
      el(box, "p", ["class", "terms"], k.value + " · " + k.expires);
    } else {
      c.timer = setTimeout(remove, 10000);
    }
    place(c);
  }

  // Wraps the host's sending: a batch holding feedback goes with the signed attributes and
  // its answer is read; everything else goes as before.
  var send = w.__lifeline_send;
  if (send && !send.ll) {
    w.__lifeline_send = function (url, body, beacon) {
      if (beacon || body.indexOf('"type":"feedback"') < 0) return send(url, body, beacon);
      var id = w.__lifeline_identity;
      if (id) body = body.slice(0, -1) + ',"identity":' + JSON.stringify(id) + "}";
      return w.fetch(url, { method: "POST", body: body, keepalive: true }).then(function (r) {
        if (r.ok) r.clone().json().then(function (j) {
          var list = j && j.answers;
          if (list && list.length) answer(list[list.length - 1]);
        }, function () {});
        return r.ok;
      });
    };
    w.__lifeline_send.ll = 1;
  }

  // Escape, in the prompt or anywhere in the page: closes, but asks first when a comment
  // would be lost.
  function escape(c, e) {
    var area = c.root.querySelector("textarea");
    if (c.done && area && area.value.trim() && !c.asked) {
      c.asked = true;
      say(c, c.L.discard);
    } else if (c.done) {
      c.done("close");
    } else {
      remove();
    }
    e.preventDefault();
  }

  function say(c, text) {
    c.msg.textContent = "";
    // Set on the next frame, so a repeated message is announced again.
    w.requestAnimationFrame(function () { c.msg.textContent = text; });
  }

  function show(v, done) {
    remove();
    if (!d.body) return false;
    var L = {}, k;
    for (k in EN) L[k] = (v.labels && v.labels[k]) || EN[k];
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
    // Announces the prompt when focus stays where the visitor is typing.
    var live = el(root, "div", ["class", "sr", "role", "status", "aria-live", "polite"]);

    var panel = el(root, "section", ["class", "panel " + v.position, "role", "dialog",
      "aria-modal", "false", "aria-labelledby", "ll-title", "tabindex", "-1", "lang", v.lang, "dir", dir(v.lang)]);
    icon(el(panel, "button", ["class", "close", "type", "button", "aria-label", L.close, "data-ll", "close"]), "close");
    var h2 = el(panel, "h2", ["id", "ll-title"]);
    var content = el(panel, "div", ["id", "ll-content", "class", "content"]);
    if (v.body) {
      el(content, "p", ["id", "ll-body"], v.body);
      panel.setAttribute("aria-describedby", "ll-body");
    }
    if (v.steps.length) {
      var ol = el(content, "ol");
      v.steps.forEach(function (s) { el(ol, "li", null, s); });
    }
    if (v.links.length) {
      var ul = el(content, "ul");
      v.links.forEach(function (l) {
        el(el(ul, "li"), "a", ["href", l[1], "data-ll", "link"].concat(away(l[1])), l[0]);
      });
    }
    var f = v.feedback, stars = [], rating = f && f.scale == "rating";
    if (f) {
      var group = el(content, "div", ["class", "choices", "role", rating ? "radiogroup" : "group",
        "aria-label", rating ? L.rating : L.helpful]);
      if (rating) {
        for (var n = 1; n <= 5; n++) {
          stars.push(icon(el(group, "button", ["type", "button", "class", "star", "role", "radio",
            "aria-checked", "false", "tabindex", n == 1 ? "0" : "-1",
            "aria-label", L.star.replace("{n}", n), "data-ll", "rate", "data-value", n]), "star"));
        }
      } else {
        [["up", L.yes], ["down", L.no]].forEach(function (x) {
          var b = el(group, "button", ["type", "button", "class", "thumb", "aria-pressed", "false",
            "data-ll", "thumb", "data-value", x[0]]);
          el(icon(b, "up", x[0] == "down"), "span", null, x[1]);
        });
      }
      if (f.comment) {
        el(content, "label", ["for", "ll-comment"], L.comment);
        el(content, "textarea", ["id", "ll-comment", "maxlength", f.max]);
      }
    }
    var msg = el(content, "p", ["class", "msg", "role", "alert"]);
    var a = v.action;
    if (a) {
      var label = a[0] || L[ACTION[v.kind]];
      el(content, a[1] ? "a" : "button", (a[1] ? ["href", a[1], "role", "button"].concat(away(a[1]))
        : ["type", "button"]).concat(["class", "action", "data-ll", "action"]), label);
    }

    var c = cur = { h: h, root: root, panel: panel, h2: h2, content: content, msg: msg, v: v, L: L,
      done: done, before: d.activeElement, ending: null, asked: false, opened: false, timer: 0 };

    function rate(n, focus) {
      stars.forEach(function (s, i) {
        s.setAttribute("aria-checked", String(i + 1 == n));
        s.setAttribute("tabindex", i + 1 == n ? "0" : "-1");
        s.classList.toggle("on", i < n);
      });
      if (focus) stars[n - 1].focus();
      msg.textContent = "";
    }
    function chosen(s) {
      var x = root.querySelector(s);
      return x ? x.getAttribute("data-value") : undefined;
    }

    root.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("[data-ll]");
      var what = b && b.getAttribute("data-ll");
      if (!c.done && what) return remove(); // the thank-you's close button
      if (what == "rate") {
        rate(+b.getAttribute("data-value"));
      } else if (what == "thumb") {
        root.querySelectorAll("[data-ll=thumb]").forEach(function (x) {
          x.setAttribute("aria-pressed", String(x == b));
        });
        msg.textContent = "";
      } else if (what == "toggle") {
        c.opened = !panel.classList.contains("open");
        panel.classList.toggle("open", c.opened);
        b.setAttribute("aria-expanded", String(c.opened));
        place(c);
      } else if (what == "action") {
        var r = chosen("[data-ll=rate][aria-checked=true]"), thumbs = chosen("[data-ll=thumb][aria-pressed=true]");
        var area = root.querySelector("textarea"), comment = area ? area.value : undefined;
        if (v.kind == "feedback") {
          if (!r && !thumbs && !(comment && comment.trim())) return say(c, L.need);
          c.ending = "thanks";
        } else if (v.kind == "offer") {
          c.ending = "noted";
        } else if ((v.kind == "chat_offer" || v.kind == "call_offer") && !a[1]) {
          // A chat or call offer without a link: the page's own chat widget may take it
          // (calling preventDefault, and taking the focus, which then stays there); if none
          // does, Lifeline's chat opens (chat.js), or its call-back form.
          var ask = new Event(v.kind == "chat_offer" ? "lifeline:chat" : "lifeline:call", { cancelable: true });
          w.dispatchEvent(ask);
          if (!ask.defaultPrevented && w.__lifeline_talk) {
            c.before = null;
            w.__lifeline_talk(v.kind == "chat_offer" ? "chat" : "call");
          }
        }
        c.done("action", r ? +r : undefined, thumbs, comment);
        if (cur == c && c.done) c.ending = null; // not taken: no thank-you later
      } else if (what) {
        c.done(what);
      }
    });
    root.addEventListener("keydown", function (e) {
      if (e.key == "Escape") return escape(c, e);
      var at = stars.indexOf(e.target), step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (at < 0) return;
      if (step) rate((at + step + 5) % 5 + 1, true);
      else if (e.key == "Home" || e.key == "End") rate(e.key == "Home" ? 1 : 5, true);
      else return;
      e.preventDefault();
    });
    root.addEventListener("input", function () { c.asked = false; });
    w.__lifeline_mount(h);

    // Out of the way of what the visitor is working with, now and as the page moves.
    var frame = 0, resized = false, again = function (e) {
      resized = resized || (e && e.type == "resize");
      if (!frame) frame = w.requestAnimationFrame(function () {
        frame = 0;
        if (cur != c) return;
        if (resized) fit(c);
        resized = false;
        place(c);
      });
    };
    var pageKey = function (e) {
      if (e.key == "Escape" && !e.defaultPrevented && cur == c) escape(c, e);
    };
    var moved = function (e) { if (!c.h.contains(e.target) && e.target !== c.h) again(); };
    w.addEventListener("scroll", again, { passive: true, capture: true });
    w.addEventListener("resize", again, { passive: true });
    w.addEventListener("keydown", pageKey);
    d.addEventListener("focusin", moved);
    c.off = function () {
      w.removeEventListener("scroll", again, { capture: true });
      w.removeEventListener("resize", again);
      w.removeEventListener("keydown", pageKey);
      d.removeEventListener("focusin", moved);
    };
    fit(c);
    place(c);
    // Take focus, but never from a field the visitor is typing in: then announce it.
    var active = d.activeElement;
    var typing = active && (active.isContentEditable || /^(TEXTAREA|SELECT)$/.test(active.tagName) ||
      (active.tagName == "INPUT" && !/^(button|submit|reset|image|checkbox|radio|range|color|file)$/i.test(active.type)));
    if (typing) {
      setTimeout(function () { live.textContent = v.title + (v.body ? ". " + v.body : ""); }, 150);
    } else {
      panel.focus({ preventScroll: true });
    }
    return true;
  }

  w.__lifeline_render = function (view, done) {
    if (view == null) return hide();
    return show(JSON.parse(view), done);
  };
  // Without the loader (a test page), the agent calls the renderer itself.
  if (!w.__lifeline_loaded) w.__lifeline_prompt = w.__lifeline_render;
})();
