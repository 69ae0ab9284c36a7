/* Lifeline chat: a lazy module (chat-HASH.js), fetched by the loader only when a
 * conversation opens — the visitor took up a chat or call offer, or the collector opened one
 * with an alert so the shop's staff can write first — and again on each page of the visit
 * while one is open.
 *
 *   __lifeline_chat(how, env)  how: "chat" (the visitor asked: the panel opens with the
 *     focus in its box), "call" (the call-back form), {id, token} (an alert's conversation:
 *     unseen until staff write), or nothing (a new page of the visit: as it was left).
 *     env: {base, site, at}; `at` is where the visitor is, the agent's lines (see
 *     agent/src/agent/support.rs), read when the offer was taken up.
 *
 * What leaves the page: opening a conversation sends only what a decision carries (the
 * visit's random id, the page path, band, signals, rule); then only what the visitor writes
 * in the chat, the number and time they submit for a call-back, that they are typing (never
 * what), read marks, and cards taken up. Nothing typed anywhere else in the page.
 *
 * One WebSocket to the collector (agent's origin), greeted with the visit's token for the
 * conversation (kept in sessionStorage: the visit's only); a dropped socket comes back
 * (1 s, 2 s, ... 30 s, at once when the browser is online again) and resumes after the last
 * message shown; what the visitor sent that was not yet stored is sent again with its own
 * id (the collector keeps one). Closed when the page is hidden (so the Back/Forward cache
 * keeps the page) and opened again when it shows.
 *
 * Accessible as the prompt renderer (WCAG 2.2 AA, checked by the end-to-end tests): a
 * labelled, non-modal dialog; the messages a log; a labelled box where Enter sends and
 * Shift+Enter starts a new line; Minimise leaves a button that says how many messages are
 * new; Escape minimises; focus moves only when the visitor asked (never from a field they
 * type in); staff's messages are announced politely; no animation under reduced motion;
 * out of the way of what the visitor is working with (__lifeline_avoid), the corner that
 * covers it least; on a phone, the width of the screen. Every text is set as text. */
(function () {
  "use strict";
  var w = window, d = document, env, st, ws, ui, key, sheet, retry = 0, timer = 0, typed = 0;
  // The last message shown on this page, the messages drawn (by id and client id), who of
  // the staff wrote last.
  var seen = 0, shown = {}, ended = false, who;
  var K = "title message send min open end close you staff typing sent read wait ended use used view call phone when ask called fresh slow failed".split(" ");
  var WORDS = {
    en: ["Chat with us", "Your message", "Send", "Minimise chat", "Chat", "End chat", "Close chat",
      "You", "Shop", "{n} is typing…", "Sent", "Read", "Reconnecting…",
      "This chat has ended.", "Use this offer", "Taken: the code is copied", "View product",
      "Call me back", "Your phone number", "When suits you (optional)", "Request a call",
      "Thank you. We will call you back.", "{n} new", "Sending in a moment…", "Not sent. Please try again."],
    de: ["Chatten Sie mit uns", "Ihre Nachricht", "Senden", "Chat minimieren", "Chat", "Chat beenden",
      "Chat schließen", "Sie", "Shop", "{n} schreibt…", "Gesendet", "Gelesen", "Verbindung wird wiederhergestellt…",
      "Dieser Chat ist beendet.", "Angebot nutzen", "Übernommen: der Code ist kopiert", "Produkt ansehen",
      "Rückruf", "Ihre Telefonnummer", "Wann passt es Ihnen? (optional)", "Rückruf anfordern",
      "Danke. Wir rufen Sie zurück.", "{n} neu", "Wird gleich gesendet…", "Nicht gesendet. Bitte erneut versuchen."],
    fr: ["Discutez avec nous", "Votre message", "Envoyer", "Réduire la discussion", "Discussion",
      "Terminer la discussion", "Fermer la discussion", "Vous", "Boutique", "{n} écrit…", "Envoyé", "Lu",
      "Reconnexion…", "Cette discussion est terminée.", "Profiter de l'offre", "Pris : le code est copié",
      "Voir le produit", "Être rappelé", "Votre numéro de téléphone", "Quand vous convient-il ? (facultatif)",
      "Demander un appel", "Merci. Nous vous rappellerons.", "{n} nouveau(x)", "Envoi dans un instant…",
      "Non envoyé. Veuillez réessayer."],
    es: ["Chatea con nosotros", "Tu mensaje", "Enviar", "Minimizar el chat", "Chat", "Terminar el chat",
      "Cerrar el chat", "Tú", "Tienda", "{n} está escribiendo…", "Enviado", "Leído", "Reconectando…",
      "Este chat ha terminado.", "Usar esta oferta", "Hecho: el código está copiado", "Ver producto",
      "Llámame", "Tu número de teléfono", "¿Cuándo te viene bien? (opcional)", "Pedir una llamada",
      "Gracias. Te llamaremos.", "{n} nuevos", "Se enviará en un momento…", "No enviado. Inténtalo de nuevo."]
  };
  var L = {};
  var CSS = ":host{all:initial}" +
    ".panel{position:fixed;z-index:2147483647;box-sizing:border-box;width:min(360px,calc(100vw - 32px));" +
    "max-height:min(520px,calc(100vh - 32px));display:flex;flex-direction:column;border-radius:12px;" +
    "background:#fff;color:#111827;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;" +
    "box-shadow:0 10px 30px rgba(0,0,0,.22),0 0 0 1px rgba(0,0,0,.06)}" +
    ".bottom_right{right:16px;bottom:16px}.bottom_left{left:16px;bottom:16px}" +
    ".top_right{right:16px;top:16px}.top_left{left:16px;top:16px}" +
    "header{display:flex;align-items:center;gap:4px;padding:8px 6px 4px 14px}" +
    "h2{font-size:17px;margin:0;flex:1}" +
    "button{font:inherit;color:inherit;cursor:pointer;border-radius:8px}" +
    ".icon{width:36px;height:36px;border:1px solid transparent;background:none;padding:0;display:grid;place-items:center}" +
    "svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2.2}" +
    ".status{margin:0 14px;font-size:14px;min-height:1.45em;color:#374151}" +
    ".log{margin:0;padding:6px 14px;overflow:auto;flex:1;min-height:60px}" +
    ".log>div{margin:6px 0;max-width:85%}.log .me{margin-left:auto;text-align:right}" +
    ".who{display:block;font-size:13px;font-weight:600}" +
    ".bubble{display:inline-block;text-align:start;white-space:pre-wrap;overflow-wrap:anywhere;padding:6px 10px;" +
    "border-radius:10px;background:#f3f4f6;border:1px solid transparent}" +
    ".me .bubble{background:#2563eb;color:#fff}.state{display:block;font-size:12px;color:#4b5563}" +
    ".card{margin-top:4px;padding:8px 10px;border:2px solid #2563eb;border-radius:10px;text-align:left}" +
    ".card strong,.card span{display:block}.code{font:600 15px ui-monospace,Menlo,Consolas,monospace}" +
    ".card button,.card a,.go{display:inline-block;margin-top:6px;background:#2563eb;color:#fff;border:2px solid transparent;" +
    "padding:5px 12px;font-weight:600;text-decoration:none;border-radius:8px}" +
    "form{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-end;padding:6px 14px 12px}" +
    "label{font-size:14px;width:100%}" +
    "textarea,input{flex:1;box-sizing:border-box;min-width:0;font:inherit;color:inherit;background:#fff;padding:6px 8px;" +
    "border:1px solid #4b5563;border-radius:8px}textarea{resize:none;height:44px}input{width:100%;flex:none}" +
    ":focus-visible{outline:3px solid #2563eb;outline-offset:2px}" +
    ".pill{position:fixed;z-index:2147483647;right:16px;bottom:16px;padding:8px 16px;border:2px solid transparent;" +
    "background:#2563eb;color:#fff;font:600 15px system-ui,sans-serif;border-radius:999px}" +
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "[hidden]{display:none!important}" +
    "@media (max-width:480px){.panel{left:8px!important;right:8px!important;width:auto;top:auto!important;bottom:8px!important;max-height:60vh}}" +
    "@media (prefers-reduced-motion:no-preference){.panel{animation:in .15s ease-out}}" +
    "@media (forced-colors:active){.panel,.card,.bubble{border:2px solid CanvasText}.pill{border-color:ButtonText}}" +
    "@keyframes in{from{opacity:0;transform:translateY(6px)}}";
  var CORNERS = ["bottom_right", "bottom_left", "top_right", "top_left"];

  function el(parent, tag, attrs, text) {
    var e = d.createElement(tag);
    for (var i = 0; attrs && i < attrs.length; i += 2) e.setAttribute(attrs[i], attrs[i + 1]);
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function icon(parent, path) {
    var s = d.createElementNS("http://www.w3.org/2000/svg", "svg"), p = d.createElementNS(s.namespaceURI, "path");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    p.setAttribute("d", path);
    s.appendChild(p);
    parent.appendChild(s);
  }
  function save() {
    w.__lifeline_set(false, key, st ? JSON.stringify(st) : null);
  }
  function id() {
    return w.__lifeline_id().slice(0, 16);
  }
  // Whether the visitor is typing in a field of the page (then focus stays there).
  function typing() {
    var a = d.activeElement;
    return a && a !== ui.h && (a.isContentEditable || /^(TEXTAREA|SELECT)$/.test(a.tagName) ||
      (a.tagName == "INPUT" && !/^(button|submit|reset|image|checkbox|radio|range|color|file)$/i.test(a.type)));
  }
  function say(text) {
    ui.status.textContent = "";
    w.requestAnimationFrame(function () { ui.status.textContent = text; });
  }

  // The corner that covers least of what the visitor is working with (and of Lifeline's
  // other panels).
  function place() {
    if (!ui || ui.panel.hidden) return;
    var boxes = (w.__lifeline_avoid ? w.__lifeline_avoid() : []).filter(function (e) {
      return e !== ui.h && !ui.h.contains(e);
    }).map(function (e) { return e.getBoundingClientRect(); });
    // A prompt or a support session on screen: what their shadow roots hold.
    d.querySelectorAll("#lifeline-host,#lifeline-host-support").forEach(function (h) {
      [].forEach.call(h.shadowRoot ? h.shadowRoot.children : [], function (c) { boxes.push(c.getBoundingClientRect()); });
    });
    var best, least = Infinity;
    for (var i = 0; i < 4 && least > 0; i++) {
      ui.panel.className = "panel " + CORNERS[i];
      var a = ui.panel.getBoundingClientRect(), covered = 0;
      boxes.forEach(function (b) {
        var x = Math.min(a.right, b.right) - Math.max(a.left, b.left), y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 0 && y > 0) covered += x * y;
      });
      if (covered < least) { least = covered; best = CORNERS[i]; }
    }
    ui.panel.className = "panel " + best;
  }

  function build() {
    var h = el(null, "div", ["id", "lifeline-host-chat"]), root = h.attachShadow({ mode: "open" });
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
    root.adoptedStyleSheets = [sheet];
    var panel = el(root, "section", ["class", "panel bottom_right", "role", "dialog", "aria-modal", "false",
      "aria-labelledby", "ll-chat-title", "lang", st.lang]);
    var head = el(panel, "header");
    el(head, "h2", ["id", "ll-chat-title"], L.title);
    var min = el(head, "button", ["type", "button", "class", "icon", "aria-label", L.min, "aria-expanded", "true", "data-ll", "min"]);
    icon(min, "M5 17h14");
    var end = el(head, "button", ["type", "button", "class", "icon", "aria-label", L.end, "data-ll", "end"]);
    icon(end, "M6 6l12 12M18 6L6 18");
    var status = el(panel, "p", ["class", "status", "role", "status"]);
    var log = el(panel, "div", ["class", "log", "role", "log", "aria-labelledby", "ll-chat-title", "tabindex", "0"]);
    var call = el(panel, "form", ["class", "call", "hidden", ""]);
    el(call, "label", ["for", "ll-phone"], L.phone);
    el(call, "input", ["id", "ll-phone", "type", "tel", "autocomplete", "tel", "required", "", "maxlength", "32"]);
    el(call, "label", ["for", "ll-when"], L.when);
    el(call, "input", ["id", "ll-when", "maxlength", "80"]);
    el(call, "button", ["type", "submit", "class", "go"], L.ask);
    var form = el(panel, "form", ["class", "say"]);
    el(form, "label", ["for", "ll-say"], L.message);
    var box = el(form, "textarea", ["id", "ll-say", "maxlength", "2000", "rows", "1"]);
    el(form, "button", ["type", "submit", "class", "go"], L.send);
    var pill = el(root, "button", ["type", "button", "class", "pill", "hidden", "", "data-ll", "pill", "lang", st.lang], L.open);
    ui = { h: h, root: root, panel: panel, status: status, log: log, form: form, box: box, call: call, pill: pill, min: min, end: end, fresh: 0 };

    root.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("[data-ll]"), what = b && b.getAttribute("data-ll");
      if (what == "min") show(2, true);
      else if (what == "pill") show(1, true);
      else if (what == "end") {
        if (ended || !st) return forget();
        queue({ t: "close" });
      } else if (what == "use" || what == "view") {
        var m = +b.getAttribute("data-m");
        if (what == "use" && w.navigator.clipboard) w.navigator.clipboard.writeText(b.getAttribute("data-code")).catch(function () {});
        queue({ t: "accept", m: m });
      }
    });
    root.addEventListener("keydown", function (e) {
      if (e.key == "Escape" && !ui.panel.hidden) { show(2, true); e.preventDefault(); }
      if (e.key == "Enter" && !e.shiftKey && e.target === box) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = box.value.trim();
      if (!text || ended) return;
      box.value = "";
      queue({ t: "message", text: text });
    });
    call.addEventListener("submit", function (e) {
      e.preventDefault();
      var phone = root.getElementById("ll-phone").value.trim();
      if (!phone) return;
      call.hidden = true;
      queue({ t: "call", phone: phone, when: root.getElementById("ll-when").value.trim() });
      box.focus();
    });
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - typed > 2000 && ws && ws.readyState == 1) { typed = now; ws.send('{"type":"typing"}'); }
    });
    w.__lifeline_mount(h);
    var again = function () { w.requestAnimationFrame(place); };
    w.addEventListener("resize", again, { passive: true });
    w.addEventListener("scroll", again, { passive: true, capture: true });
    d.addEventListener("focusin", function (e) { if (!h.contains(e.target)) again(); });
  }

  // 0 unseen, 1 open, 2 minimised; `asked`: the visitor did it (focus may follow).
  function show(how, asked) {
    if (!ui) build();
    var inside = ui.root.activeElement;
    st.open = how;
    save();
    ui.panel.hidden = how != 1;
    ui.pill.hidden = how != 2;
    ui.min.setAttribute("aria-expanded", String(how == 1));
    if (how == 1) {
      ui.fresh = 0;
      place();
      ui.log.scrollTop = ui.log.scrollHeight;
      if (asked && !typing()) (ui.call.hidden ? ui.box : ui.root.getElementById("ll-phone")).focus();
      markRead();
    } else if (how == 2) {
      ui.pill.textContent = ui.fresh ? L.open + " · " + L.fresh.replace("{n}", ui.fresh) : L.open;
      if (asked || inside) ui.pill.focus();
    }
  }

  function forget() {
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    clearTimeout(timer);
    st = null;
    save();
    if (ui) { ui.h.remove(); ui = null; }
  }

  // Everything the visitor sends goes through the outbox (kept for the visit) until the
  // collector has it.
  function queue(item) {
    item.c = id();
    st.out.push(item);
    save();
    flush();
    if (item.t != "close" && item.t != "accept") draw({ id: 0, c: item.c, from: "visitor", text: item.text || "", card: item.t == "call" ? { type: "call", phone: item.phone, when: item.when } : null });
  }
  function flush() {
    if (!ws || ws.readyState != 1 || !st.ok) return;
    st.out.forEach(function (o) {
      var f = { type: o.t };
      if (o.t == "message") { f.text = o.text; f.client_id = o.c; }
      if (o.t == "call") { f.phone = o.phone; f.when = o.when; f.client_id = o.c; }
      if (o.t == "accept") f.message = o.m;
      ws.send(JSON.stringify(f));
    });
    // Taking up a card and ending are answered by what comes back, not by a client id.
    st.out = st.out.filter(function (o) { return o.t == "message" || o.t == "call"; });
    save();
  }

  function markRead() {
    if (!ws || ws.readyState != 1 || !ui || ui.panel.hidden || d.visibilityState == "hidden") return;
    if (seen > (st.read || 0)) { st.read = seen; ws.send(JSON.stringify({ type: "read", upto: seen })); }
  }

  // A message on the screen (again, with a new state, when it comes back).
  function draw(m) {
    if (!ui) build();
    var li = (m.client_id && shown[m.client_id]) || shown[m.id] || el(ui.log, "div");
    var me = m.from == "visitor";
    li.className = me ? "me" : "them";
    li.textContent = "";
    el(li, "span", ["class", "who"], me ? L.you : m.author || L.staff);
    // Each message in its own direction (an Arabic message in an English chat reads right
    // to left).
    if (m.text) el(li, "span", ["class", "bubble", "dir", "auto"], m.text);
    var c = m.card;
    if (c) {
      var card = el(li, "div", ["class", "card"]);
      if (c.type == "call") {
        el(card, "strong", null, L.call);
        el(card, "span", null, c.phone + (c.when ? " · " + c.when : ""));
      } else {
        el(card, "strong", null, c.title);
        if (c.type == "offer") {
          el(card, "span", ["class", "code"], c.code);
          if (c.value) el(card, "span", null, c.value + (c.expires ? " · " + c.expires : ""));
          if (m.accepted) el(card, "p", ["class", "state"], L.used);
          else el(card, "button", ["type", "button", "data-ll", "use", "data-m", m.id, "data-code", c.code], L.use);
        } else {
          el(card, "span", null, c.price);
          el(el(card, "div"), "a", ["href", c.url, "data-ll", "view", "data-m", m.id], L.view);
        }
      }
    }
    if (me) el(li, "span", ["class", "state", "data-state", ""], m.id ? (m.id <= (st.staffRead || 0) ? L.read : L.sent) : "");
    if (m.client_id || m.c) shown[m.client_id || m.c] = li;
    if (m.id) shown[m.id] = li;
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function receive(f) {
    if (f.type == "welcome") {
      st.ok = 1;
      retry = 0;
      st.staffRead = f.conversation.staff_read;
      ui && say("");
      if (f.conversation.closed) return over();
      flush();
    } else if (f.type == "message") {
      var m = f.message, fresh = m.from == "staff" && m.id > (st.heard || 0);
      seen = Math.max(seen, m.id);
      if (m.from == "staff") { who = m.author || L.staff; st.heard = Math.max(st.heard || 0, m.id); }
      var mine = st.out.length;
      st.out = st.out.filter(function (o) { return o.c != m.client_id; });
      save();
      // A call-back asked for just now is stored: the staff have it.
      if (mine > st.out.length && m.card && m.card.type == "call") say(L.called);
      if (m.from == "staff" && st.open == 0) show(1, false);
      draw(m);
      if (fresh) {
        if (st.open == 2) { ui.fresh++; show(2, false); }
        say((m.author || L.staff) + ": " + (m.text || (m.card && m.card.title) || ""));
      }
      markRead();
    } else if (f.type == "typing") {
      say(L.typing.replace("{n}", who || L.staff));
      clearTimeout(ui && ui.typing);
      if (ui) ui.typing = setTimeout(function () { say(""); }, 4000);
    } else if (f.type == "read" && f.by == "staff") {
      st.staffRead = f.upto;
      save();
      if (ui) ui.log.querySelectorAll(".me [data-state]").forEach(function (s) {
        if (s.textContent == L.sent) s.textContent = L.read;
      });
    } else if (f.type == "closed") {
      over();
    } else if (f.type == "error") {
      if (f.error == "rate_limited") {
        say(L.slow);
        clearTimeout(timer);
        timer = setTimeout(flush, (f.retry_after || 2) * 1000);
      } else {
        // Refused for good (too long, not allowed): the visitor is told, it is not sent again.
        st.out = st.out.filter(function (o) { return o.c != f.client_id; });
        save();
        if (f.client_id && shown[f.client_id]) shown[f.client_id].querySelector("[data-state]").textContent = L.failed;
        say(L.failed);
      }
    }
  }

  function over() {
    ended = true;
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    if (ui) {
      ui.form.hidden = ui.call.hidden = true;
      ui.end.setAttribute("aria-label", L.close);
      say(L.ended);
    }
    var keep = st;
    st = null;
    save();
    st = keep;
  }

  function connect() {
    if (!st || !st.id || ended || (ws && ws.readyState < 2)) return;
    clearTimeout(timer);
    st.ok = 0;
    var url = env.base.replace(/^http/, "ws") + "v1/sites/" + encodeURIComponent(env.site) + "/conversations/" + st.id + "/socket";
    ws = new WebSocket(url);
    ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", token: st.token, after: seen })); };
    ws.onmessage = function (e) {
      try { receive(JSON.parse(e.data)); } catch (x) { /* a frame we cannot read */ }
    };
    ws.onclose = function (e) {
      ws = null;
      if (e.code == 4403 || e.code == 4400) return forget(); // not ours any more
      if (!st || ended || d.visibilityState == "hidden") return;
      if (ui && !ui.panel.hidden) say(L.wait);
      timer = setTimeout(connect, Math.min(30000, 1000 << Math.min(retry++, 5)));
    };
  }

  // A new conversation, with what a decision carries.
  function start() {
    var l = (env.at || "").split("\n"), last = (l[9] || "").split(" ");
    var body = { session: last[2] || "", page: l[3] || w.location.pathname, band: last[1] || "none",
      signals: (l[7] || "").split(" ").filter(Boolean), rule: l[1] || "" };
    w.fetch(env.base + "v1/sites/" + encodeURIComponent(env.site) + "/conversations",
      { method: "POST", body: JSON.stringify(body), credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (c) { st.id = c.id; st.token = c.token; save(); connect(); },
        function () { if (ui) say(L.failed); });
  }

  w.__lifeline_chat = function (how, e) {
    env = e;
    key = "lifeline:" + env.site + ":chat";
    if (!st) {
      try { st = JSON.parse(w.__lifeline_get(false, key)); } catch (x) { st = null; }
    }
    var lang = (d.documentElement.lang || w.navigator.language || "en").slice(0, 2).toLowerCase();
    if (!st) st = { open: 0, out: [], lang: WORDS[lang] ? lang : "en" };
    K.forEach(function (k, i) { L[k] = WORDS[st.lang][i]; });
    if (how && how.id) {
      // An alert's conversation: unseen until staff write (a newer one of this visit wins).
      st.id = how.id;
      st.token = how.token;
      save();
    } else if (how) {
      ended = false;
      if (!ui) build();
      ui.call.hidden = how != "call";
      show(1, true);
      if (!st.id) return start();
    } else if (st.open) {
      show(st.open, false);
    }
    connect();
  };

  // The Back/Forward cache keeps a page without an open socket: closed when the page is
  // hidden, opened again when it shows; and at once when the network is back.
  w.addEventListener("pagehide", function () { if (ws) { ws.onclose = null; ws.close(); ws = null; } });
  w.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
  w.addEventListener("online", function () { retry = 0; connect(); });
  d.addEventListener("visibilitychange", function () { if (d.visibilityState == "visible") { connect(); markRead(); } });
})();
