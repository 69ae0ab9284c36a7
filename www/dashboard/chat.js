/* Lifeline dashboard, chat: the staff's inbox (each conversation with the visitor's page,
 * band and signals, who took it, unread messages; never the visitor's clicks) and one
 * conversation at a time: its messages, what the visitor is typing (that they are, never
 * what), read marks, an offer from the rules' staff.offers or a product to send as a card,
 * the transcript as CSV, and Close. Over the collector's WebSocket, greeted with the staff
 * token (a WebSocket cannot carry a header); again after a drop, resuming after the last
 * message shown. Every text is set as text. */
(function () {
  "use strict";
  var d = document, $ = function (id) { return d.getElementById(id); };
  var s = null, list = {}, offers = [], cur = null;

  function call(method, path) {
    return fetch("/v1/staff/sites/" + encodeURIComponent(s.site) + path, {
      method: method, headers: { Authorization: "Bearer " + s.token }
    });
  }
  function say(text) { $("status").textContent = text; }
  function time(ms) { return new Date(ms).toLocaleTimeString(); }
  function el(parent, tag, text, attrs) {
    var e = d.createElement(tag);
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function button(text, label, then) {
    var b = el(null, "button", text, { type: "button", "aria-label": label });
    b.addEventListener("click", then);
    return b;
  }

  function drawInbox() {
    var rows = Object.keys(list).map(function (k) { return list[k]; })
      // A conversation an alert opened is news once someone wrote in it.
      .filter(function (c) { return !c.closed && (c.messages || !c.alert); })
      .sort(function (a, b) { return b.opened - a.opened; });
    window.lifelineLive.fill($("inbox"), ["opened", "page", "band", "signals", "with", "messages", "new", ""], rows.map(function (c) {
      return [c.id + ":" + c.messages + ":" + c.unread + ":" + c.staff, time(c.opened), c.page, c.band,
        c.signals.join(", "), c.staff || "nobody yet", c.messages, c.unread,
        button("Open", "Open the chat on " + c.page, function () { open(c.id); })];
    }));
  }

  // One conversation on screen.
  function open(id) {
    if (cur) cur.close();
    var c = cur = { id: id, seen: 0, ws: null, closed: false, drawn: {}, visitorRead: 0 };
    $("chat").hidden = false;
    $("chat-log").textContent = "";
    $("chat-typing").textContent = "";
    $("chat-title").textContent = "Chat";
    var retry = 0;
    c.close = function () { c.closed = true; if (c.ws) c.ws.close(); };
    (function connect() {
      var ws = c.ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/v1/sites/" +
        encodeURIComponent(s.site) + "/conversations/" + id + "/socket");
      ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", token: s.token, after: c.seen })); };
      ws.onmessage = function (e) { var f; try { f = JSON.parse(e.data); } catch (x) { return; } frame(c, f); };
      ws.onclose = function (e) {
        if (c.closed || cur != c) return;
        if (e.code == 4403) return say("This conversation is not open to you");
        say("Chat connection lost; reconnecting");
        setTimeout(connect, Math.min(15000, 1000 << Math.min(retry++, 4)));
      };
    })();
    $("chat-title").focus();
  }

  function frame(c, f) {
    if (cur != c) return;
    if (f.type == "welcome") {
      var v = f.conversation;
      c.visitorRead = v.visitor_read;
      $("chat-title").textContent = "Chat: " + v.page + " (" + v.band + (v.signals.length ? "; " + v.signals.join(", ") : "") + ")";
      if (v.closed) ended();
    } else if (f.type == "message") {
      var m = f.message, fresh = m.id > c.seen;
      c.seen = Math.max(c.seen, m.id);
      draw(c, m);
      if (fresh && m.from == "visitor") {
        say("Visitor: " + (m.text || (m.card && m.card.type == "call" ? "asks for a call back" : "")));
        $("chat-typing").textContent = "";
      }
      if (c.ws && c.ws.readyState == 1 && d.visibilityState == "visible") c.ws.send(JSON.stringify({ type: "read", upto: c.seen }));
    } else if (f.type == "typing") {
      $("chat-typing").textContent = "The visitor is typing…";
      clearTimeout(c.typing);
      c.typing = setTimeout(function () { $("chat-typing").textContent = ""; }, 4000);
    } else if (f.type == "read" && f.by == "visitor") {
      c.visitorRead = f.upto;
      Object.keys(c.drawn).forEach(function (id) { var li = c.drawn[id]; if (+id <= f.upto && li.state) li.state.textContent = "Read"; });
    } else if (f.type == "closed") {
      ended();
    } else if (f.type == "error") {
      say("Not sent: " + (f.message || f.error));
    }
  }

  function draw(c, m) {
    var li = c.drawn[m.id] || el($("chat-log"), "div");
    c.drawn[m.id] = li;
    li.textContent = "";
    li.className = m.from == "staff" ? "mine" : "theirs";
    el(li, "strong", (m.from == "staff" ? m.author || "staff" : "Visitor") + " · " + time(m.at));
    if (m.text) el(li, "p", m.text);
    var k = m.card;
    if (k) {
      var what = k.type == "offer" ? "Offer: " + k.title + " (" + k.code + (k.value ? ", " + k.value : "") + ")"
        : k.type == "product" ? "Product: " + k.title + ", " + k.price + " — " + k.url
          : "Call back: " + k.phone + (k.when ? ", " + k.when : "");
      el(li, "p", what, { "class": "card" });
      if (m.accepted) el(li, "p", "Accepted by the visitor at " + time(m.accepted), { "class": "accepted" });
    }
    if (m.from == "staff") li.state = el(li, "span", m.id <= c.visitorRead ? "Read" : "Sent", { "class": "state" });
    $("chat-log").scrollTop = $("chat-log").scrollHeight;
  }

  function ended() {
    $("chat-typing").textContent = "This conversation is closed.";
    $("chat-form").hidden = true;
  }

  function send(frame) {
    if (!cur || !cur.ws || cur.ws.readyState != 1) return say("Not connected; try again in a moment");
    frame.client_id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    cur.ws.send(JSON.stringify(frame));
  }

  function start(session) {
    s = session;
    list = {};
    call("GET", "/conversations?open").then(function (r) { return r.json(); }).then(function (v) {
      (v.conversations || []).forEach(function (c) { list[c.id] = c; });
      offers = v.offers || [];
      var pick = $("chat-offer");
      pick.textContent = "";
      el(pick, "option", "Choose an offer", { value: "" });
      offers.forEach(function (o) { el(pick, "option", o.title, { value: o.id }); });
      $("chat-offer-row").hidden = !offers.length;
      drawInbox();
    });
  }

  function stop() {
    if (cur) cur.close();
    cur = null;
    s = null;
    $("chat").hidden = true;
    $("inbox").textContent = "";
  }

  d.addEventListener("DOMContentLoaded", function () {
    var box = $("chat-text"), typed = 0;
    $("chat-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = box.value.trim();
      if (!text) return;
      send({ type: "message", text: text });
      box.value = "";
    });
    box.addEventListener("keydown", function (e) {
      if (e.key == "Enter" && !e.shiftKey) { e.preventDefault(); $("chat-form").requestSubmit(); }
    });
    box.addEventListener("input", function () {
      if (Date.now() - typed > 2000 && cur && cur.ws && cur.ws.readyState == 1) {
        typed = Date.now();
        cur.ws.send('{"type":"typing"}');
      }
    });
    $("chat-send-offer").addEventListener("click", function () {
      var id = $("chat-offer").value;
      if (!id) return say("Choose an offer first");
      send({ type: "offer", offer: id, text: box.value.trim() });
      box.value = "";
    });
    $("chat-send-product").addEventListener("click", function () {
      var url = $("product-url").value.trim(), title = $("product-title").value.trim(), price = $("product-price").value.trim();
      if (!url || !title || !price) return say("A product needs its link, name and price");
      send({ type: "product", url: url, title: title, price: price, text: box.value.trim() });
      box.value = "";
    });
    $("chat-transcript").addEventListener("click", function () {
      if (!cur) return;
      var id = cur.id;
      call("GET", "/conversations/" + id + "/transcript").then(function (r) { return r.blob(); }).then(function (blob) {
        var a = d.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = s.site + "-chat-" + id + ".csv";
        a.click();
      });
    });
    $("chat-close").addEventListener("click", function () {
      if (cur && cur.ws && cur.ws.readyState == 1) cur.ws.send('{"type":"close"}');
    });
  });

  window.lifelineChat = {
    start: start,
    stop: stop,
    open: open,
    // A conversation opened, had a message or closed (from the live stream).
    changed: function (c) {
      var fresh = !list[c.id] && !c.alert;
      list[c.id] = c;
      drawInbox();
      if (fresh) say("New chat: " + c.page);
    }
  };
})();
