/* Lifeline observer: part of agent.js (between the prompt renderer and the loader).
 *
 * The one piece of the agent that touches the page on every event. It listens (passive;
 * capture phase for clicks, submits and input so a page that stops them is still seen; only
 * for the event types the site's rules need) and describes each event as numbers, written
 * into a ring in wasm's memory that wasm drains: ONE call into wasm per batch of events.
 *
 *   ring event: kind, key, x, y, flags, ignore, time      every event: numbers only
 *   drain(n)                                              wasm reads the first n events
 *   emitText(kind, text, time)                            page views, addresses replaced
 *                                                         in place and marks (a few per
 *                                                         page; the ring drained first)
 *
 * Nothing else crosses. Each web-sys call is a JS shim plus a crossing: describing a click
 * from wasm took about forty of them. What it reads of an element is what a content-free key
 * needs (tag, id, name, type, data-lifeline-key, position among its siblings, three levels
 * up, hashed here), whether it is a link, button, field or media (a video, a canvas), and
 * the data-lifeline-* markers: never text, values or other attributes. Clicks inside open
 * shadow roots are resolved through the composed path, so a link inside a web component is
 * a link, and a change in those shadow roots answers the click as one in the page does.
 *
 *   __lifeline_observe(drain, emitText, want, reactMs, memory, at) -> stop()
 *     want: what the rules need (bits below, WANT_* in agent/src/platform/observe.rs);
 *     reactMs: how long after a click a DOM change, scroll or selection still answers it;
 *     memory, at: wasm's memory and where the ring of RING events, 7 numbers each, is.
 *   __lifeline_avoid() -> the elements a prompt must not cover (the last clicked, the
 *     focused form's submit button), for the prompt renderer.
 *
 * Light on the input's own path. A click's listener only notes the click (its element, the
 * event, the time) in a queue and arms the DOM watch; other frequent events (DOM answers,
 * scrolls, input, focus, errors) are queued too. The queue is described and passed to wasm
 * in one go: at the once-a-second tick; at once at a click the browser counts as another
 * in a row at the same spot (a burst that may be rage is seen as it happens); when 64
 * events wait; and before anything that must be seen at once (a submit, a page restored
 * from the back/forward cache, the page hiding, exit intent); a route change is queued too
 * (see `navigated`); an element clicked again in the same batch is described once
 * (stepper presses, bursts). Measured with trusted clicks in headless Chromium, page script
 * costs far more on a click's own, cold path than in a batch: describing an element took
 * about 12 us per click in its listener, under half of that in a batch,
 * and a timer of its own per batch cost more than it saved. Events keep their order and
 * their times, so the engine's verdicts are the same; a prompt about scattered clicks (dead
 * clicks, whose verdict waits for their window anyway) comes at the next tick, and the
 * agent does not hold up the paint that answers a click. A click's element is described as
 * it is when the queue is read: one the page removed meanwhile is described in its
 * detached subtree.
 *
 * Cheap on the page's busiest events, as measured with a CPU profile of trusted clicks: DOM
 * changes are watched only while a click waits for its answer, and at most one is passed on
 * per click (a page that changes all the time costs nothing between clicks); an element is
 * keyed only when the engine uses its key (buttons and forms: repeated actions); the
 * composed path is read only when the click came out of a shadow root; an element is
 * described by one walk up its ancestors, with no selectors (a route change makes Chromium
 * parse every selector again); exit intent is a `mouseleave` of the whole page, not
 * every `mouseout`; and a text selection is read at a double or triple click, not on every
 * `selectionchange` (a click moves the caret, so those come with every click). */
(function () {
  "use strict";
  var w = window, d = document;
  // Event kinds (K_* in agent/src/platform/observe.rs).
  var CLICK = 1, SUBMIT = 2, INPUT = 3, DOM = 4, SCROLL = 5, VISIBLE = 7,
    HIDDEN = 8, PAGEHIDE = 9, ERROR = 10, EXIT = 11, TICK = 12, FOCUS = 13, CART = 14;
  var NAVIGATE = 1, RESTORED = 2, MARK = 3, REPLACED = 4;
  // Events in the ring at most (RING in agent/src/platform/observe.rs).
  var RING = 64;
  // What the rules need.
  var W_MUTATIONS = 1, W_SCROLL = 2, W_INPUT = 8, W_EXIT = 16, W_ERRORS = 32, W_HASH = 64, W_LAUNCHER = 128,
    W_MARKS = 256;
  // Click flags (ClickFlags in shared/src/event.rs).
  var LINK = 1, MODIFIER = 2, FIELD = 4, BUTTON = 8, SELECT = 16, MEDIA = 32, SUBMITS = 64;
  // Signal names in their bit order (Signal::ALL in shared/src/signals/mod.rs).
  var SIGNALS = ["rage_click", "dead_click", "error_click", "page_loop", "quick_back",
    "repeated_action", "dwell_outlier", "cart_churn", "cancel_intent", "exit_intent", "idle"];
  // What an element is, by its own name and attributes: links, buttons (and inputs that are
  // buttons), form fields. Read by a walk up its ancestors, not with `closest`: a page's
  // route change (pushState) drops Chromium's cache of parsed selectors, so the first
  // `closest` after each one parses its selectors again (about 50 us for the old list, after
  // every SPA navigation); the walk costs the same as `closest` otherwise.
  var FIELD_TAGS = { input: 1, select: 1, textarea: 1, label: 1, option: 1 };
  // Surfaces that answer a click without changing the DOM (playback, drawing, a plugin).
  var MEDIA_TAGS = { video: 1, audio: 1, canvas: 1, embed: 1, object: 1 };
  // Inputs that are buttons, by type; 2: one that submits its form (so is a button's own type).
  var BUTTON_INPUTS = { submit: 2, button: 1, image: 2, reset: 1 };
  // Our own hosts (the prompt's, the support session's, the chat's) are "lifeline-host" and ids
  // after it.
  var HOST = "lifeline-host";
  function mine(n) { return n && typeof n.id == "string" && n.id.indexOf(HOST) == 0; }
  var lastClicked = null;

  // What a click on el is about, from el and its ancestors (continued through the hosts of
  // open shadow roots): [flags (LINK, FIELD, BUTTON, SUBMITS, MEDIA), the nearest button,
  // the nearest element with data-lifeline-ignore, -task and -cart]. Markers are attributes
  // a site adds (see the README); a `contenteditable` region is a field unless it says
  // "false".
  function what(el) {
    var flags = 0, button = null, ignore = null, task = null, cart = null;
    for (var e = el; e; ) {
      var name = e.localName, v;
      if (name == "a" || name == "area") {
        // A link that goes nowhere ("#", "javascript:...") is a button in disguise: its
        // script is its only answer.
        v = e.getAttribute("href");
        if (v == "#" || /^\s*javascript:/i.test(v)) button = button || e;
        else if (v != null) flags |= LINK;
      } else if (name == "button" || (name == "input" && BUTTON_INPUTS[e.type])) {
        // One that submits its form is an action even when answered (a stepper, a
        // carousel's Next or Load more answered are not: pressing them again is shopping).
        if (!button && e.form && BUTTON_INPUTS[e.type] > 1) flags |= SUBMITS;
        button = button || e;
      } else if (FIELD_TAGS[name] === 1) flags |= FIELD;
      else if (MEDIA_TAGS[name] === 1) flags |= MEDIA;
      if (e.getAttribute("role") == "button") button = button || e;
      v = e.getAttribute("contenteditable");
      if (v != null && v.toLowerCase() != "false") flags |= FIELD;
      if (!ignore && e.hasAttribute("data-lifeline-ignore")) ignore = e;
      if (!task && e.hasAttribute("data-lifeline-task")) task = e;
      if (!cart && e.hasAttribute("data-lifeline-cart")) cart = e;
      v = e.parentElement;
      if (!v) v = e.parentNode && e.parentNode.host; // out of a shadow root
      e = v;
    }
    return [button ? flags | BUTTON : flags, button, ignore, task, cart];
  }

  // FNV-1a (32 bits) of a string, continued from h.
  function mix(h, s) {
    if (s) for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h;
  }

  // A content-free key: tag, id, name, type, data-lifeline-key and sibling position, three
  // levels up. Never text or values.
  function keyOf(el) {
    var h = 2166136261;
    for (var level = 0; el && level < 3; level++) {
      h = mix(mix(mix(mix(mix(h, el.tagName), el.id), el.getAttribute("name")),
        el.getAttribute("type")), el.getAttribute("data-lifeline-key"));
      var n = 0;
      for (var s = el.previousElementSibling; s && n < 255; s = s.previousElementSibling) n++;
      h = Math.imul(h ^ n, 16777619);
      el = el.parentElement || (el.parentNode && el.parentNode.host);
    }
    return h >>> 0;
  }

  // Signals an element opts out of, for itself and what it holds: data-lifeline-ignore
  // lists signal names ("rage_click dead_click"); empty means all.
  function ignored(marked) {
    if (!marked) return 0;
    var mask = 0;
    (marked.getAttribute("data-lifeline-ignore") || "").split(/[\s,]+/).forEach(function (n) {
      var i = SIGNALS.indexOf(n);
      if (i >= 0) mask |= 1 << i;
    });
    return mask || (1 << SIGNALS.length) - 1;
  }

  // The element an event really happened on, inside open shadow roots too (an event out of
  // a shadow root names its host: only then is the composed path read).
  function targetOf(e) {
    var t = e.target;
    if (t && t.shadowRoot && e.composedPath) {
      var inner = e.composedPath()[0];
      if (inner && inner.nodeType === 1) t = inner;
    }
    return t && t.nodeType === 1 ? t : null;
  }

  w.__lifeline_avoid = function () {
    var out = [], a = d.activeElement, form = a && a.form;
    if (lastClicked && lastClicked.isConnected) out.push(lastClicked);
    if (form) {
      var submit = form.querySelector("[type=submit],button:not([type])");
      if (submit) out.push(submit);
    }
    if (a && a !== d.body && out.indexOf(a) < 0) out.push(a);
    return out;
  };

  w.__lifeline_observe = function (drain, emitText, want, reactMs, memory, at) {
    // What end-to-end tests wait for: the agent is watching this page.
    w.__lifeline_running = true;
    // Events into the ring; wasm drains it when full, at the end of a batch, and before
    // anything else crosses (so every event keeps its order). A crossing costs more than
    // writing an event's numbers: a batch of clicks crosses once. The view is made again
    // when wasm's memory grew (its old buffer is then empty).
    var ring = null, count = 0;
    function emit(kind, key, x, y, flags, mask, t) {
      if (!ring || !ring.length) ring = new Float64Array(memory.buffer, at, RING * 7);
      var i = count * 7;
      ring[i] = kind; ring[i + 1] = key; ring[i + 2] = x; ring[i + 3] = y;
      ring[i + 4] = flags; ring[i + 5] = mask; ring[i + 6] = t;
      if (++count == RING) pass();
    }
    // Taken out first: an event noted while wasm reads is passed with the next batch.
    function pass() {
      var n = count;
      count = 0;
      if (n) drain(n);
    }
    function text(kind, s, t) {
      pass();
      emitText(kind, s, t);
    }
    // The rules' Help button (the support module draws it).
    if (want & W_LAUNCHER && w.__lifeline_launcher) w.__lifeline_launcher(false);
    var guard = w.__lifeline_guard || function (f) { return f; };
    // The loader's guard for one-argument handlers, without `apply` on every event.
    var guard1 = function (f) {
      return function (e) {
        if (w.__lifeline_dead) return;
        try { f(e); } catch (x) { w.__lifeline_dead = true; }
      };
    };
    var added = [], now = Date.now;
    var lastClick = -1e15, awaitDom = false, awaitScroll = false, lastScroll = 0, lastInput = 0;
    var root = d.documentElement;
    // Waiting events, five slots each: kind, element, event, flags, time. Clicks carry their
    // element and event (described when read); other kinds only their time.
    var waiting = [];
    function later(kind, el, e, flags) {
      if (waiting.push(kind, el, e, flags, now()) >= 320) flush(); // 64 events
    }
    // Everything waiting, into the ring in order. Taken out of the queue first: a flush
    // inside a flush passes on only what came meanwhile.
    function out() {
      var q = waiting, seen = new Map(), last = -1, i;
      waiting = [];
      // The batch's last page view (its marks are read from the DOM as it is now).
      for (i = 0; i < q.length; i += 5) if (typeof q[i + 1] == "string" && q[i] != REPLACED) last = i;
      for (i = 0; i < q.length && !w.__lifeline_dead; i += 5) {
        if (typeof q[i + 1] == "string") viewed(q[i], q[i + 1], q[i + 4], i == last);
        else if (q[i] == CLICK) described(q[i + 1], q[i + 2], q[i + 3], q[i + 4], seen);
        else emit(q[i], 0, 0, 0, 0, 0, q[i + 4]);
      }
    }
    // Everything waiting, into wasm.
    function flush() {
      out();
      pass();
    }
    // A waiting click, described now (see the note at the top) and passed on. An element
    // clicked again in the same batch is described once: `seen` holds what was read of it,
    // the DOM being the same within one flush.
    function described(el, e, flags, t, seen) {
      // Not an element (a page's synthetic click on a text node), or our own prompt or
      // support session (a host without a shadow root).
      if (!el.localName || mine(el)) return;
      var s = seen.get(el);
      if (!s) {
        s = what(el);
        // Only repeated actions use the key, and only buttons and forms are actions.
        s.push(s[1] ? keyOf(s[1]) : 0, ignored(s[2]));
        seen.set(el, s);
      }
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) flags |= MODIFIER;
      lastClicked = s[1] || el;
      // A click from the keyboard (Enter or Space on a button) or a script comes at 0,0:
      // its place is its element's, so presses on one element are one spot and on others not.
      var x = e.clientX, y = e.clientY, r;
      if (!e.detail && !x && !y) {
        r = el.getBoundingClientRect();
        x = r.x + r.width / 2;
        y = r.y + r.height / 2;
      }
      emit(CLICK, s[5], x, y, flags | s[0], s[6], t);
      var task = s[3], cart = s[4];
      if (task && want & W_MARKS) text(MARK, task.getAttribute("data-lifeline-task"), t);
      var change = cart && { add: 1, remove: 2 }[cart.getAttribute("data-lifeline-cart")];
      if (change) emit(CART, 0, change, parseFloat(cart.getAttribute("data-lifeline-cart-total")), 0, 0, t);
    }
    // An event the engine must see at once: after everything waiting.
    function atOnce(kind) {
      out();
      emit(kind, 0, 0, 0, 0, 0, now());
      pass();
    }
    var WATCH = { childList: true, subtree: true, attributes: true, characterData: true };
    var mutations = (want & W_MUTATIONS) && w.MutationObserver ? new MutationObserver(guard(function (records) {
      var t = now();
      if (!awaitDom || t - lastClick >= reactMs) return stopWatching();
      for (var i = 0; i < records.length; i++) {
        if (!mine(records[i].target) && !ours(records[i])) {
          stopWatching();
          return later(DOM);
        }
      }
    })) : null;

    // Our own prompt coming or going is not the page answering.
    function ours(r) {
      var nodes = [].slice.call(r.addedNodes).concat([].slice.call(r.removedNodes));
      return nodes.length && nodes.every(mine);
    }
    function stopWatching() {
      awaitDom = false;
      if (mutations) mutations.disconnect();
    }
    // A passive listener, guarded unless `bare` (it has a try of its own).
    function on(target, type, f, capture, bare) {
      var options = { passive: true, capture: !!capture };
      if (!bare) f = guard1(f);
      target.addEventListener(type, f, options);
      added.push([target, type, f, options]);
    }
    // A page view, unless the page is the one last seen (a route change to where the visitor
    // is: routers call replaceState to keep their own state; the engine would drop it too),
    // or only the query changed in place (`replaced`: a variant picked, as Shopify's themes
    // replaceState `?variant=`, a list's page or sort; pushed, it is a page of its own): the
    // same page, known by its new address from now on (Back to it is Back to this page).
    // A route change is queued as a click is (`later`): the page's own `pushState` pays
    // only for reading the address, and the engine sees it, in order and with its time, at
    // the next batch (measured with trusted clicks on a page's links: a page view passed at
    // once cost about 200 us of script on the route change's cold path).
    var page = null, spot = null;
    function navigated(kind, replaced, queued) {
      var l = w.location, there = l.pathname + ((want & W_HASH) ? l.hash : ""),
        here = l.search ? l.pathname + l.search + ((want & W_HASH) ? l.hash : "") : there;
      if (kind == NAVIGATE && here === page) return;
      if (kind == NAVIGATE && replaced && there === spot) kind = REPLACED;
      else spot = there;
      page = here;
      if (queued) return later(kind, here);
      flush();
      viewed(kind, here, now(), true);
    }
    // A page view (or an address replaced) into wasm; marker elements on the page (buttons
    // and links mark when clicked), when the rules' tasks use marks and `marks` says the
    // DOM is this page's.
    function viewed(kind, here, t, marks) {
      text(kind, here, t);
      if (kind == REPLACED || !marks || !(want & W_MARKS)) return;
      var found = d.querySelectorAll("[data-lifeline-task]");
      for (var i = 0; i < found.length; i++) {
        var name = found[i].localName;
        if (name != "a" && name != "button") text(MARK, found[i].getAttribute("data-lifeline-task"), t);
      }
    }

    // A click is noted, not described (see the note at the top): what cannot wait is the
    // target inside a shadow root (the composed path is gone after dispatch) and whether a
    // double or triple click selected text. The least code runs here: no guard wrapper (the
    // try is its own; a dead agent's queue is dropped at the next flush).
    on(d, "click", function (e) {
      try {
        var el = e.target, t = now(), path;
        if (el.shadowRoot) {
          if (mine(el)) return; // our prompt, support session or chat: its host
          el = targetOf(e) || el;
          path = e.composedPath();
        }
        lastClick = t;
        awaitScroll = true;
        if (mutations && !awaitDom) {
          awaitDom = true;
          mutations.observe(root, WATCH);
        }
        // A web component answers in its own shadow roots (Lit's, Shoelace's): watched too.
        if (path && awaitDom) path.forEach(function (n) { if (n.nodeType == 11) mutations.observe(n, WATCH); });
        // A second click in a row at the same spot (the browser counts them): it may be
        // selecting text, or a burst of rage, seen at once.
        var again = e.detail > 1, s = again && d.getSelection();
        later(CLICK, el, e, s && !s.isCollapsed ? SELECT : 0);
        if (again) flush();
      } catch (x) {
        w.__lifeline_dead = true;
      }
    }, true, true);
    on(d, "submit", function (e) {
      var form = targetOf(e);
      out();
      if (form) emit(SUBMIT, keyOf(form), 0, 0, 0, ignored(what(form)[2]), now());
      pass();
    }, true);
    if (mutations) {
      // A value the page changed for a click answers it too: a stepper that only steps its
      // number field and says so with a change or input event (Shopify's Dawn) changes no
      // DOM until its debounced cart update. So does a popover the browser opened or closed
      // (popovertarget: the DOM stays the same), and a submit the browser stopped to say a
      // field is missing or wrong (`invalid`; a submit pressed again and again is still a
      // repeated action).
      var changed = function () {
        if (awaitDom && now() - lastClick < reactMs) {
          stopWatching();
          later(DOM);
        }
      };
      on(d, "change", changed, true);
      on(d, "input", changed, true);
      on(d, "toggle", changed, true);
      on(d, "invalid", changed, true);
    }
    if (want & W_INPUT) {
      // Only *that* the visitor typed (for idle), at most once a second; a video or a sound
      // playing (its `timeupdate`, a few a second) is not idle either.
      var typed = function (e) {
        var t = now();
        if (t - lastInput < 1000 || mine(e.target)) return;
        lastInput = t;
        later(INPUT);
      };
      on(d, "input", typed, true);
      on(d, "timeupdate", typed, true);
    }
    if (want & (W_SCROLL | W_INPUT)) {
      // A scroll answers a click; for idle, one a second is enough.
      on(w, "scroll", function () {
        var t = now();
        if ((awaitScroll && t - lastClick < reactMs) || t - lastScroll >= 1000) {
          awaitScroll = false;
          lastScroll = t;
          later(SCROLL);
        }
      }, true);
    }
    if (want & W_EXIT) {
      // The pointer leaving the page at the top (Formbricks' exit intent).
      on(root, "mouseleave", function (e) {
        if (e.clientY <= 0) atOnce(EXIT);
      });
    }
    if (want & W_ERRORS) {
      var failed = function () { later(ERROR); };
      on(w, "error", failed);
      on(w, "unhandledrejection", failed);
    }
    on(d, "visibilitychange", function () { atOnce(d.hidden ? HIDDEN : VISIBLE); });
    var focus = function () { later(FOCUS); };
    on(w, "focus", focus);
    on(w, "blur", focus);
    on(w, "pagehide", function () { atOnce(PAGEHIDE); });
    // Back/Forward: a page restored from the back/forward cache is a page view.
    on(w, "pageshow", function (e) { if (e.persisted) navigated(RESTORED); });

    // SPA route changes. The Navigation API (in every current browser) tells of each
    // same-document navigation with `currententrychange`: pushState and replaceState, Back
    // and Forward within the page, fragments, and routes a page intercepts from its
    // `navigate` event without the History API. Without it, history.pushState and
    // replaceState tell us after they ran (the page's own functions are put back by stop(),
    // unless someone wrapped them since), and popstate and hashchange are heard.
    var nav = w.navigation, history = w.history, patched = [];
    var routed = function (e) { navigated(NAVIGATE, e.navigationType == "replace", true); };
    if (nav && typeof nav.addEventListener == "function") {
      on(nav, "currententrychange", routed);
    } else {
      on(w, "popstate", routed);
      if (want & W_HASH) on(w, "hashchange", routed);
      ["pushState", "replaceState"].forEach(function (name) {
        var original = history[name];
        if (typeof original !== "function") return;
        var told = guard(function () { navigated(NAVIGATE, name == "replaceState", true); });
        var wrapper = function () {
          var result = original.apply(this, arguments);
          told();
          return result;
        };
        history[name] = wrapper;
        patched.push([name, original, wrapper]);
      });
    }

    var ticker = setInterval(guard(function () {
      if (awaitDom && now() - lastClick >= reactMs) stopWatching();
      atOnce(TICK);
    }), 1000);

    navigated(NAVIGATE);

    return function stop() {
      added.forEach(function (a) { a[0].removeEventListener(a[1], a[2], a[3]); });
      added = [];
      patched.forEach(function (p) { if (history[p[0]] === p[2]) history[p[0]] = p[1]; });
      patched = [];
      clearInterval(ticker);
      waiting = [];
      count = 0;
      stopWatching();
    };
  };
})();
