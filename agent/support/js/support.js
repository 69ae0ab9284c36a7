/* Lifeline support module, the script half (support-HASH.js; the wasm half, support-HASH.wasm,
 * is agent/support/src/module.rs). Fetched by the loader the first time a support session
 * starts, so pages that never need help never pay for it.
 *
 *   __lifeline_support(view, done, env)  a session for the agent's support prompt: `view`
 *                                        and `done` as for prompts; env {ask, wasm, content}:
 *                                        ask("") is where the visitor is, ask(lines)
 *                                        queues a session step as a report (ids only)
 *   __lifeline_support(null)             the agent closed it (another prompt, a new page)
 *   __lifeline_support(undefined, _, env) a page after one: go on judging its effect
 *   __lifeline_support(false, _, env)    the rules' Help button (support.launcher), drawn
 *                                        in a corner clear of what the visitor works with
 *
 * The content is fetched whole (ETag-cached by the browser) and matched here: the
 * collector never learns what a visitor looked at or searched for. It shows the persona
 * chosen for this visitor, the answers and guide for where they are (what failed before
 * last), a search over every answer, "Did this solve it?", and a person when it did not
 * (chat, the shop's widget, email or phone), with what was tried (ids, never text the
 * visitor typed elsewhere). Without an answer it keeps watching: a session whose struggle
 * did not come back within the owner's window (and whose task completed) helped.
 *
 * Like prompts: a Shadow-DOM panel styled by a constructable stylesheet (strict CSP); every
 * text set with textContent; a labelled non-modal dialog of real buttons, links and
 * disclosure widgets; focus moves in only when the visitor asked for help and is not typing
 * somewhere; Escape closes; no animation under prefers-reduced-motion; edges in forced
 * colours; it keeps clear of what the visitor is working with (the observer's
 * __lifeline_avoid). A guide highlights each step's element, scrolls it into view, and puts
 * its card beside the element, never over it; a step whose element is missing is skipped
 * and reported so the shop can fix it. */
(function (w, d) {
  "use strict";
  var LOAD = 0, PLAN = 1, SEARCH = 2, KEEP = 3, JUDGE = 4;
  var enc = new TextEncoder(), dec = new TextDecoder();
  var ex, ready, env, s = null, pending = null, timer = 0, sheet, launch;
  var W = {}, KEYS = ["help", "search", "answers", "results", "nothing", "guide", "step", "back",
    "next", "done", "ask", "yes", "no", "glad", "sorry", "person", "chat", "email", "phone", "close"];
  var still = w.matchMedia && w.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var CSS = ":host{all:initial}" +
    ".panel,.card{position:fixed;z-index:2147483647;box-sizing:border-box;background:#fff;color:#111827;" +
    "font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;border-radius:12px;" +
    "border:1px solid #6b7280;box-shadow:0 10px 30px rgba(0,0,0,.22)}" +
    ".panel{width:min(380px,calc(100vw - 24px));max-height:min(600px,calc(100vh - 24px));overflow:auto;padding:14px 16px}" +
    ".br{right:12px;bottom:12px}.bl{left:12px;bottom:12px}.tr{right:12px;top:12px}.tl{left:12px;top:12px}" +
    ".who{display:flex;gap:10px;align-items:center;margin:0 0 8px;margin-inline-end:36px}" +
    ".face{width:40px;height:40px;border-radius:50%;background:#0b6e4f;color:#fff;display:grid;place-items:center;" +
    "font-weight:700;flex:none;object-fit:cover}" +
    "h2{font-size:17px;margin:0}h3{font-size:15px;margin:12px 0 4px}.role{margin:0;color:#4b5563;font-size:13px}" +
    "p{margin:0 0 8px}ul{margin:0 0 8px;padding-inline-start:20px}a{color:#0b5fd6}" +
    "details{border-top:1px solid #d1d5db;padding:6px 0}summary{cursor:pointer;font-weight:600;padding:4px 0}" +
    "button{font:inherit;cursor:pointer;border-radius:8px;border:2px solid #0b6e4f;background:#fff;color:#0b6e4f;" +
    "padding:6px 12px;margin:4px 0 0;margin-inline-end:6px;min-height:36px}button.main{background:#0b6e4f;color:#fff}" +
    ".x{position:absolute;top:6px;inset-inline-end:6px;border:1px solid transparent;margin:0;padding:0;width:36px;height:36px;font-size:20px}" +
    "input{font:inherit;box-sizing:border-box;width:100%;padding:6px 8px;border:1px solid #6b7280;border-radius:8px}" +
    "label{display:block;font-weight:600;margin:10px 0 4px}" +
    ":focus-visible{outline:3px solid #0b5fd6;outline-offset:2px}" +
    ".card{width:min(320px,calc(100vw - 24px));padding:12px 14px}" +
    ".ring{position:fixed;z-index:2147483646;pointer-events:none;border:3px solid #0b5fd6;border-radius:6px;" +
    "box-shadow:0 0 0 4px rgba(11,95,214,.25)}" +
    ".launch{position:fixed;z-index:2147483645;margin:0;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (forced-colors:active){.panel,.card,.ring{border:2px solid CanvasText}}" +
    "@media (prefers-reduced-motion:no-preference){.panel,.card{animation:in .15s ease-out}}" +
    "@keyframes in{from{opacity:0;transform:translateY(6px)}}";

  function call(op, data) {
    var b = typeof data == "string" ? enc.encode(data) : data;
    var p = ex.input(b.length);
    new Uint8Array(ex.memory.buffer, p, b.length).set(b);
    var n = ex.call(op);
    return dec.decode(new Uint8Array(ex.memory.buffer, ex.output(), n));
  }
  // The agent's storage keys (its context's first line is the site).
  function key(name) { return "lifeline:" + env.ask("").split("\n")[0] + ":" + name; }
  function get(local, name) { return w.__lifeline_get(local, key(name)); }
  function set(local, name, v) { w.__lifeline_set(local, key(name), v); }

  // The wasm and the content, once per page.
  function load() {
    return ready || (ready = Promise.all([
      fetch(env.wasm).then(function (r) { return r.arrayBuffer(); })
        .then(function (b) { return WebAssembly.instantiate(b, {}); }),
      env.content ? fetch(env.content, { credentials: "omit" }).then(function (r) {
        if (!r.ok) throw r.status;
        return r.arrayBuffer();
      }) : Promise.reject("no content")
    ]).then(function (got) {
      ex = got[0].instance.exports;
      if (call(LOAD, new Uint8Array(got[1])) != "ok") throw "damaged content";
    }));
  }

  // A session step as a report: rule, prompt, event, persona, article, guide, step, channel.
  function step(p, event, article, guide, n, channel) {
    env.ask([p.rule, p.prompt, event, p.persona || "", article || "", guide || "", n || "", channel || ""].join("\n"));
  }
  function keep(changes) { set(true, "support", call(KEEP, changes)); }

  function el(tag, parent, text, cls) {
    var e = d.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }
  function button(parent, text, onclick, cls) {
    var b = el("button", parent, text, cls);
    b.type = "button";
    b.onclick = onclick;
    return b;
  }
  function safe(url) { return /^(https?:|mailto:|tel:|\/(?!\/))/i.test(url) ? url : "#"; }
  function runs(parent, list) {
    list.forEach(function (r) {
      if (r[0] == "t") parent.appendChild(d.createTextNode(r[1]));
      else if (r[0] == "b") el("strong", parent, r[1]);
      else el("a", parent, r[1]).href = safe(r[2]);
    });
  }
  function article(parent, a) {
    var det = el("details", parent);
    el("summary", det, a.title);
    a.body.forEach(function (b) {
      if (b[0] == "p") runs(el("p", det), b[1]);
      else { var ul = el("ul", det); b[1].forEach(function (it) { runs(el("li", ul), it); }); }
    });
    det.ontoggle = function () {
      if (!det.open || s.opened.indexOf(a.id) >= 0) return;
      s.opened.push(a.id);
      s.last = a.id;
      step(s, "article", a.id);
      keep("shown " + a.id);
    };
  }

  // Where the visitor is: the agent's lines (see agent/src/agent/support.rs).
  function context() {
    var l = env.ask("").split("\n");
    return { site: l[0], rule: l[1], prompt: l[2], page: l[3], tasks: l[8] || "", score: parseInt(l[9]) || 0, raw: l.join("\n") };
  }
  function taskOf(tasks) {
    var m = /(\S+)=active/.exec(tasks) || /(\S+)=/.exec(tasks);
    return m ? m[1] : "";
  }

  function open(view, done) {
    var ctx = context();
    var plan = JSON.parse(call(PLAN, ctx.raw + "\n" + (get(true, "support") || "")));
    KEYS.forEach(function (k, i) { W[k] = plan.words[i] || k; });
    var p = plan.persona || {};
    s = {
      done: done, plan: plan, rule: ctx.rule, prompt: ctx.prompt, persona: p.id, page: ctx.page,
      task: taskOf(ctx.tasks), score: ctx.score, opened: [], guides: [], last: "",
      back: d.activeElement, asked: ctx.rule == "visitor"
    };
    step(s, "started");
    keep("begin " + Date.now() + " " + ctx.page + " " + s.task);
    var host = s.host = el("div");
    host.id = "lifeline-host-support";
    var root = s.root = host.attachShadow({ mode: "open" });
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
    root.adoptedStyleSheets = [sheet];
    var panel = s.panel = el("section", root, null, "panel br");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "ll-t");
    panel.lang = plan.lang;
    // Its language's direction, not the body's (a page may set `dir` inside it, or not at all).
    panel.dir = /^(ar|arc|ckb|dv|fa|he|ks|ku|ps|sd|ug|ur|yi)(-|$)/i.test(plan.lang || "") ? "rtl" : "ltr";
    panel.tabIndex = -1;
    var who = el("div", panel, null, "who");
    var face = el(p.avatar ? "img" : "span", who, p.avatar ? null : p.initials, "face");
    if (p.avatar) { face.src = safe(p.avatar); face.alt = ""; } else face.setAttribute("aria-hidden", "true");
    var names = el("div", who);
    var h2 = el("h2", names, p.name || W.help);
    h2.id = "ll-t";
    h2.tabIndex = -1;
    if (p.role) el("p", names, p.role, "role");
    var x = button(panel, "\u00d7", function () { close("close"); }, "x");
    x.setAttribute("aria-label", W.close);
    if (p.greeting) el("p", panel, p.greeting);
    s.people = el("div", panel);
    if (plan.person_first) people(s.people);
    if (plan.suggested) {
      var g = plan.guides.filter(function (g) { return g.id == plan.suggested; })[0];
      button(panel, W.guide + ": " + g.title, function () { guide(g); }, "main");
    }
    if (plan.articles.length) {
      el("h3", panel, W.answers);
      plan.articles.forEach(function (a) { article(panel, a); });
    }
    var label = el("label", panel, W.search);
    var input = el("input", panel);
    input.type = "search";
    input.id = label.htmlFor = "ll-q";
    input.setAttribute("autocomplete", "off");
    var results = el("div", panel), said = el("p", panel, null, "sr"), t;
    said.setAttribute("aria-live", "polite");
    input.oninput = function () {
      clearTimeout(t);
      t = setTimeout(function () {
        results.textContent = said.textContent = "";
        var q = input.value.trim();
        if (!q) return;
        var found = JSON.parse(call(SEARCH, q));
        if (!found.length) { said.textContent = W.nothing; return; }
        el("h3", results, W.results);
        found.forEach(function (a) { article(results, a); });
        said.textContent = W.results + ": " + found.length;
      }, 150);
    };
    s.ask = el("div", panel);
    var q = el("p", s.ask, p.ask || W.ask);
    q.id = "ll-ask";
    var row = el("div", s.ask);
    row.setAttribute("role", "group");
    row.setAttribute("aria-labelledby", "ll-ask");
    button(row, W.yes, function () { answer("y"); }, "main");
    button(row, W.no, function () { answer("n"); });
    root.addEventListener("keydown", function (e) {
      if (e.key == "Escape" && !s.guiding) { e.stopPropagation(); close("close"); }
    });
    // Escape in the page closes it too, unless the page used that Escape itself.
    s.escape = function (e) {
      if (e.key == "Escape" && !e.defaultPrevented && s && !s.guiding) close("close");
    };
    d.addEventListener("keydown", s.escape);
    w.__lifeline_mount(host);
    shown(false);
    place();
    w.addEventListener("resize", place);
    var a = d.activeElement, typing = a && (a.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName));
    if (s.asked && !typing) h2.focus();
    return true;
  }

  // The corner that covers least of what the visitor is working with.
  function corner(node, base, order) {
    var avoid = (w.__lifeline_avoid ? w.__lifeline_avoid() : []).map(function (e) { return e.getBoundingClientRect(); });
    var best = order[0], least = Infinity;
    order.forEach(function (c) {
      if (least == 0) return;
      node.className = base + " " + c;
      var r = node.getBoundingClientRect(), n = 0;
      avoid.forEach(function (a) {
        n += Math.max(0, Math.min(r.right, a.right) - Math.max(r.left, a.left)) *
          Math.max(0, Math.min(r.bottom, a.bottom) - Math.max(r.top, a.top));
      });
      if (n < least) { least = n; best = c; }
    });
    node.className = base + " " + best;
  }
  function place() { if (s && s.panel) corner(s.panel, "panel", ["br", "bl", "tr", "tl"]); }

  // The Help button: a session at the visitor's request, hidden while one is open.
  function launcher() {
    if (launch) return;
    var plan = JSON.parse(call(PLAN, context().raw + "\n" + (get(true, "support") || "")));
    var host = el("div"), root = host.attachShadow({ mode: "open" });
    host.id = "lifeline-host-launcher";
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
    root.adoptedStyleSheets = [sheet];
    launch = button(root, plan.words[0], function () { w.lifeline.help(); }, "main launch");
    launch.lang = plan.lang;
    launch.setAttribute("aria-haspopup", "dialog");
    w.__lifeline_mount(host);
    var again = function () { corner(launch, "main launch", ["bl", "br", "tl", "tr"]); };
    again();
    w.addEventListener("resize", again);
    d.addEventListener("focusin", again);
  }
  function shown(on) { if (launch) launch.hidden = !on; }

  // The ways to a person, each a button; choosing one refers the visitor with what was tried.
  function people(box) {
    box.textContent = "";
    if (!s.plan.channels.length) return;
    el("h3", box, W.person);
    s.plan.channels.forEach(function (c) { button(box, W[c == "widget" ? "chat" : c], function () { refer(c); }); });
  }
  function refer(c) {
    var tried = s.opened.concat(s.guides).join(", "), plan = s.plan, page = s.page, href = "";
    step(s, "escalated", s.last, s.guides[s.guides.length - 1], 0, c);
    keep("end escalated");
    if (c == "email") {
      href = "mailto:" + plan.email + "?subject=" + encodeURIComponent(W.help + ": " + page) +
        "&body=" + encodeURIComponent("Page: " + page + "\nTried: " + (tried || "-") + "\n\n");
    } else if (c == "phone") href = "tel:" + plan.phone.replace(/[^\d+]/g, "");
    else if (plan.chat_url && c == "chat") href = plan.chat_url;
    close("link", true);
    if (href) {
      var a = d.createElement("a");
      a.href = safe(href);
      if (c == "chat") { a.target = "_blank"; a.rel = "noopener"; }
      a.click();
    } else {
      // The page's own chat widget may take it (preventDefault); else Lifeline's chat opens.
      var ask = new CustomEvent("lifeline:chat", { detail: { page: page, tried: tried }, cancelable: true });
      w.dispatchEvent(ask);
      if (!ask.defaultPrevented && w.__lifeline_talk) w.__lifeline_talk("chat");
    }
  }

  function answer(a) {
    var ending = call(JUDGE, [a, context().score > s.score ? 1 : 0, "-", 0].join(" "));
    if (ending == "resolved") {
      step(s, "resolved", s.last, s.guides[s.guides.length - 1]);
      keep("end resolved");
      s.ask.textContent = "";
      el("p", s.ask, s.plan.persona && s.plan.persona.glad || W.glad).setAttribute("role", "status");
      setTimeout(function () { close("solved", true); }, 2500);
      return;
    }
    step(s, "failed", s.last, s.guides[s.guides.length - 1]);
    keep("end failed");
    s.ask.textContent = "";
    var sorry = el("p", s.ask, s.plan.persona && s.plan.persona.sorry || W.sorry);
    sorry.setAttribute("role", "status");
    if (!s.plan.person_first) people(s.people);
    var first = s.people.querySelector("button");
    (first || s.panel).focus();
  }

  // Ends the session on screen. Without an answer, its effect is judged by what follows.
  function close(what, answered) {
    if (!s) return;
    var done = s.done, back = s.back, asked = s;
    if (back && back.id == "lifeline-host-launcher") back = launch;
    endGuide();
    d.removeEventListener("keydown", s.escape);
    s.host.remove();
    w.removeEventListener("resize", place);
    s = null;
    shown(true);
    if (!answered) watch(asked);
    if (back && back.focus && back.isConnected && what != "link") back.focus();
    if (done) done(what);
  }

  // Behaviour after a session with no answer: did the struggle (the score) come back, did
  // its task complete, within the owner's window? Kept across pages for this tab.
  function watch(p) {
    pending = { rule: p.rule, prompt: p.prompt, persona: p.persona, page: p.page, task: p.task,
      score: p.score, last: p.last, guide: p.guides[p.guides.length - 1] || "", until: Date.now() + p.plan.window_ms };
    set(false, "support-open", JSON.stringify(pending));
    check();
  }
  function check() {
    clearTimeout(timer);
    if (!pending) return;
    var ctx = context(), t = pending.task;
    var done = t ? (ctx.tasks.indexOf(t + "=completed") >= 0 ? 1 : 0) : "-";
    var again = ctx.page == pending.page && ctx.score > pending.score ? 1 : 0;
    var over = Date.now() >= pending.until ? 1 : 0;
    var ending = call(JUDGE, ["-", again, done, over].join(" "));
    if (ending == "open") { timer = setTimeout(check, 5000); return; }
    step(pending, ending, pending.last, pending.guide);
    keep("end " + ending);
    w.__lifeline_set(false, key("support-open"), null);
    pending = null;
  }

  // A guide: each step's element highlighted and scrolled into view, its card beside it.
  function guide(g) {
    var at = -1, card, ring, root = s.root, missing = {};
    s.guiding = true;
    s.panel.hidden = true;
    ring = el("div", root, null, "ring");
    card = el("section", root, null, "card");
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-labelledby", "ll-g");
    var count = el("p", card, null, "role"), h = el("h2", card), body = el("p", card), row = el("div", card);
    h.id = "ll-g";
    h.tabIndex = -1;
    var back = button(row, W.back, function () { go(-1); });
    var next = button(row, W.next, function () { go(1); }, "main");
    button(row, W.done, function () { finish(true); });
    card.onkeydown = function (e) { if (e.key == "Escape") { e.stopPropagation(); finish(false); } };
    s.endGuide = function () { ring.remove(); card.remove(); w.removeEventListener("scroll", put, true); };
    w.addEventListener("scroll", put, true);
    function target(i) {
      try {
        var e = d.querySelector(g.steps[i][0]);
        return e && e.getClientRects().length ? e : null;
      } catch (x) { return null; }
    }
    function go(dir) {
      for (var i = at + dir; i >= 0 && i < g.steps.length; i += dir) {
        if (target(i)) { show(i); return; }
        if (dir > 0 && !missing[i]) { missing[i] = 1; step(s, "step_missing", "", g.id, i + 1); }
      }
      // Past the last step: done (a guide none of whose elements are here is not).
      if (dir > 0) finish(at >= 0);
    }
    function show(i) {
      at = i;
      var st = g.steps[i], e = target(i);
      count.textContent = W.step.replace("{n}", i + 1).replace("{m}", g.steps.length);
      h.textContent = st[1];
      body.textContent = st[2];
      back.disabled = i == 0;
      next.hidden = i == g.steps.length - 1;
      e.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
      put();
      step(s, "guide_step", "", g.id, i + 1);
      (next.hidden ? row.lastChild : h).focus();
    }
    function put() {
      var e = at >= 0 && target(at);
      if (!e) return;
      var r = e.getBoundingClientRect(), c = card.getBoundingClientRect();
      ring.style.left = r.left - 5 + "px"; ring.style.top = r.top - 5 + "px";
      ring.style.width = r.width + 4 + "px"; ring.style.height = r.height + 4 + "px";
      var below = r.bottom + 12, above = r.top - 12 - c.height;
      card.style.top = (below + c.height < w.innerHeight || above < 0 ? below : above) + "px";
      card.style.left = Math.max(12, Math.min(r.left, w.innerWidth - c.width - 12)) + "px";
    }
    function finish(whole) {
      if (whole) { s.guides.push(g.id); keep("finished " + g.id); }
      endGuide();
      s.panel.hidden = false;
      s.ask.querySelector("button") ? s.ask.querySelector("button").focus() : s.panel.focus();
    }
    go(1);
  }
  function endGuide() {
    if (s && s.endGuide) { s.endGuide(); s.endGuide = null; s.guiding = false; }
  }

  w.__lifeline_support = function (view, done, e) {
    if (view === null) { if (s) close("hidden", false); return; }
    env = e || env;
    load().then(function () {
      if (view === undefined || view === false) {
        if (!pending) {
          pending = JSON.parse(get(false, "support-open") || "null");
          check();
        }
        if (view === false) launcher();
      } else if (!open(view, done)) done("unseen");
    }).catch(function () {
      // No content, a damaged module or content, or a trap inside: the session was not seen
      // (a later one fetches them again).
      if (s && s.host) s.host.remove();
      s = null;
      ready = null;
      if (done) done("unseen");
    });
  };
})(window, document);
