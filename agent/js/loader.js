/* Lifeline loader: the end of agent.js (after wasm-bindgen's glue and the observer).
 *   <script src="https://COLLECTOR/agent.js" data-site="SITE" async></script>
 * Options on the tag: data-rules-url (rules from elsewhere), data-debug (log page views,
 * signals, score and prompts to the console on this page, by debug.js, a lazy module;
 * `?lifeline-debug` in the page URL does the
 * same). Inline rules: <script type="application/json" data-lifeline-rules>{...}</script>
 * A collector serves rules compiled (checked once); JSON rules bring in check.js + check.wasm.
 *
 * Lazy modules, fetched by load() only when needed and cached for a year (their names carry
 * their content hash): the prompt renderer (prompt.js), when the agent first shows a prompt
 * (most visitors never struggle, so most pages never fetch it); the support module
 * (support.js, support.wasm), when a support session starts; the chat (chat.js), when a
 * conversation with the shop's staff opens, and on each page of the visit while it is
 * open; the JSON rules checker.
 * Option on the tag: data-support-url (support content from elsewhere, with data-rules-url).
 *
 * The wasm and the rules are fetched at the same time. The rules are a plain GET: the
 * browser's HTTP cache revalidates them with their ETag (no preflight); the last good copy
 * is kept in localStorage for when the collector cannot be reached.
 *
 * API: lifeline.track(name, props), identify(attrs, signature), consent(bool), optOut(),
 * show(promptId), help() (a support session for where the visitor is), agentsOnline(bool).
 * Calls made before the agent is ready are queued; a page may also queue calls before this
 * script loads with the stub
 *   window.lifeline = window.lifeline || {q: []}  and  lifeline.q.push(["track", ["x"]])
 * Nothing here can throw into the page: every call into the agent is guarded, and an
 * internal error turns the agent off for the rest of the page. */
(function () {
  "use strict";
  var w = window, d = document;
  if (w.__lifeline_loaded) return;
  w.__lifeline_loaded = true;
  var script = d.currentScript;
  var site = script && script.getAttribute("data-site");
  if (!site || !script.src) {
    console.warn("lifeline: add data-site=\"YOUR SITE\" to the agent's script tag");
    return;
  }
  var base = script.src.slice(0, script.src.lastIndexOf("/") + 1);
  var names = ["track", "identify", "consent", "optOut", "show", "help", "agentsOnline"];
  var api = w.lifeline = w.lifeline || {};
  var queue = Array.isArray(api.q) ? api.q : [];
  names.forEach(function (n) {
    api[n] = function () { queue.push([n, Array.prototype.slice.call(arguments)]); };
  });
  w.__lifeline_guard = function (f) {
    return function () {
      if (w.__lifeline_dead) return;
      try { return f.apply(this, arguments); } catch (e) { w.__lifeline_dead = true; }
    };
  };
  var guarded = function (f) { return w.__lifeline_guard(function () { return f.apply(null, arguments); }); };

  // A lazy module (a script beside agent.js), fetched once: resolves when it has run.
  var modules = {};
  function load(name) {
    return modules[name] || (modules[name] = new Promise(function (resolve, reject) {
      var s = d.createElement("script");
      s.src = base + name;
      s.onload = resolve;
      s.onerror = function () { delete modules[name]; reject(); };
      d.head.appendChild(s);
    }));
  }

  // What the agent shows: __lifeline_prompt(viewJson, done), null to hide. A support session
  // goes to the support module (support.js and support.wasm, fetched the first time one
  // starts); any other prompt to the prompt renderer (prompt.js: __lifeline_render), fetched
  // the first time. The latest call waits for it (a hide cancels a show); if it cannot be
  // had, the prompt was never seen: done("unseen").
  var waiting;
  w.__lifeline_prompt = function (view, done) {
    // (Texts in a view are JSON-escaped: only the field itself reads `,"kind":"support"`.)
    if (view && view.indexOf(',"kind":"support"') > 0) return support(view, done);
    if (view == null) {
      if (w.__lifeline_support) w.__lifeline_support(null);
      if (w.__lifeline_render) w.__lifeline_render(null);
    }
    if (w.__lifeline_render) return view == null || w.__lifeline_render(view, done);
    waiting = [view, done];
    if (view == null) return;
    load("prompt.js").then(function () {
      var last = waiting;
      waiting = undefined;
      if (last && last[0] != null) w.__lifeline_render(last[0], last[1]);
    }, function () {
      if (waiting && waiting[0] != null) waiting[1]("unseen");
      waiting = undefined;
    });
    return true;
  };

  // The support module: a session to show (`view`, `done` as for prompts), or (no view) one
  // whose effect is still being judged after a page change. Its content comes from beside
  // the rules (a collector's, or data-rules-url ending in /rules), or data-support-url;
  // with inline rules there is none.
  function support(view, done) {
    load("support.js").then(function () {
      w.__lifeline_support(view, done, {
        ask: guarded(lifeline_wasm.support), wasm: base + "support.wasm",
        content: script.getAttribute("data-support-url") ||
          (!inline && /\/rules$/.test(rulesUrl) ? rulesUrl.slice(0, -5) + "support" : "")
      });
    }, function () { if (done) done("unseen"); });
    return true;
  }

  // The rules' Help button, drawn by the support module: the observer calls this with false.
  w.__lifeline_launcher = support;

  // JSON rules (inline, or from a URL that is not a Lifeline collector) are checked by a
  // second module, fetched only then: the agent itself only decodes compiled rules.
  w.__lifeline_check = function (text) {
    return load("check.js").then(function () {
      return lifeline_check({ module_or_path: base + "check.wasm" });
    }).then(function () { return lifeline_check.check(text); }, function () {
      throw "the rules checker could not be loaded";
    });
  };

  var origin = w.location.origin;
  var fix = "lifeline-collector site origins " + site + " --origin " + origin;
  var inline = d.querySelector("script[type=\"application/json\"][data-lifeline-rules]");
  var rulesUrl = script.getAttribute("data-rules-url") ||
    base + "v1/sites/" + encodeURIComponent(site) + "/rules";
  var cacheKey = "lifeline:" + site + ":rules";
  function cached() { return w.__lifeline_get(true, cacheKey) || undefined; }
  // The rules text, or undefined (after saying why) when there is none to run.
  var rules = inline ? Promise.resolve(inline.textContent) : fetch(rulesUrl, { credentials: "omit" })
    .then(function (r) {
      if (r.ok) {
        return r.text().then(function (text) {
          w.__lifeline_set(true, cacheKey, text); // refused when storage is full or off
          return text;
        });
      }
      return r.json().catch(function () { return {}; }).then(function (body) {
        var says = {
          unknown_site: "the collector at " + base + " has no site \"" + site +
            "\": add it with `lifeline-collector site add " + site + " --origin " + origin + "`",
          origin_not_allowed: "site \"" + site + "\" does not take pages from " + origin +
            ": add the origin with `" + fix + " ...` (list every origin of the site)",
          no_rules: "site \"" + site + "\" has no rules yet: `lifeline-collector rules put " +
            site + " rules.json`"
        }[body.error];
        console.warn("lifeline: " + (says || "no rules (" + r.status + " from " + rulesUrl + ")") +
          "; the agent is off for this page");
      });
    }, function () {
      var copy = cached();
      if (copy === undefined) {
        console.warn("lifeline: no rules from " + rulesUrl + " (the collector is unreachable, or " +
          origin + " is not an origin of site \"" + site + "\": `" + fix + " ...`); the agent is off");
      }
      return copy;
    });
  var debug = script.hasAttribute("data-debug") || /[?&]lifeline-debug(=|&|$)/.test(w.location.search);

  // The agent starts once the page's body exists (an async script may run before), and a
  // page the browser prerenders (speculation rules: on hover, say) only once the visitor
  // goes to it: it is no page view before, and shows nothing to nobody. Its wasm and
  // rules are fetched meanwhile.
  var parsed = new Promise(function (resolve) {
    if (d.readyState != "loading") resolve(); else d.addEventListener("DOMContentLoaded", resolve);
  });
  var shown = new Promise(function (resolve) {
    if (d.prerendering) d.addEventListener("prerenderingchange", resolve); else resolve();
  });
  Promise.all([lifeline_wasm({ module_or_path: base + "agent.wasm" }), rules, parsed, shown]).then(function (ready) {
    var wasm = lifeline_wasm;
    var nav = w.navigator, coarse = w.matchMedia && w.matchMedia("(pointer: coarse)").matches;
    // Device class as the rules name them: 0 phone, 1 tablet, 2 desktop.
    guarded(wasm.start)(site, base, ready[1], nav.language || "en", !!nav.globalPrivacyControl,
      coarse ? (w.innerWidth < 768 ? 0 : 1) : 2);
    names.forEach(function (n) { api[n] = guarded(wasm[n]); });
    // Only a build with the test hooks has it (never one a shop gets): a panic on demand.
    if (wasm.crash) api.crash = guarded(wasm.crash);
    // The agent takes plain values: the loader reads the objects the page passes.
    api.track = guarded(function (name, props) {
      var total = props && props.total;
      wasm.track(String(name), typeof total == "number" ? total : undefined);
    });
    // The signed text: a string as the shop's backend signed it, or an object written the
    // same way (form-encoded, keys sorted). The tier goes to the agent; the signed text
    // waits here for the prompt renderer, which sends it only with feedback.
    api.identify = guarded(function (attrs, signature) {
      var text = typeof attrs == "string" ? attrs : new URLSearchParams(Object.keys(attrs || {}).sort().map(function (k) {
        return [k, attrs[k]];
      })) + "";
      w.__lifeline_identity = typeof signature == "string" && { attrs: text, signature: signature };
      wasm.identify(new URLSearchParams(text).get("tier") || undefined);
    });
    // Whether someone of the shop's staff is online, from the collector (cached 15 s), again
    // every 30 s, when the rules need to know; the page's own agentsOnline() overrides it.
    var told = false;
    api.agentsOnline = guarded(function (on) { told = true; wasm.agentsOnline(!!on); });
    if (wasm.people()) (function ask() {
      if (told) return;
      fetch(base + "v1/sites/" + encodeURIComponent(site) + "/availability", { credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (a) { if (!told) wasm.agentsOnline(!!a.available); }, function () {});
      setTimeout(ask, 30000);
    })();
    queue.splice(0).forEach(function (c) { if (api[c[0]]) api[c[0]].apply(null, c[1]); });
    if (w.__lifeline_get(false, "lifeline:" + site + ":support-open")) support();
    // The chat (chat.js, lazy): a chat or call offer taken up ("chat", "call"), the
    // conversation an alert opened for this page ({id, token}), or one open in this visit.
    var talk = w.__lifeline_talk = function (how) {
      var at = guarded(wasm.support)("");
      load("chat.js").then(function () { w.__lifeline_chat(how, { base: base, site: site, at: at }); }, function () {});
    };
    if (w.__lifeline_get(false, "lifeline:" + site + ":chat")) talk();
    // The debug switch: a lazy module that logs what the agent sees (this page only).
    if (debug) load("debug.js").then(function () { w.__lifeline_debug(guarded(wasm.support)); });
  }, function (e) {
    console.warn("lifeline: the agent could not load", e);
  });
})();
