/* Northwind Outfitters: the demo shop's own script. The cart lives in localStorage; every
 * page renders itself from it. Nothing here talks to Lifeline: the agent watches the page on
 * its own, helped only by the data-lifeline-* markers a real shop would add. */
(function () {
  "use strict";
  var PRODUCTS = [
    { sku: "trail-jacket", name: "Trail Jacket", price: 129, icon: "🧥", colour: "#dbeafe", sizes: ["S", "M", "L", "XL"] },
    { sku: "summit-boots", name: "Summit Boots", price: 159, icon: "🥾", colour: "#fde68a", sizes: ["40", "41", "42", "43", "44"] },
    { sku: "day-pack", name: "Day Pack 24L", price: 79, icon: "🎒", colour: "#d1fae5" },
    { sku: "wool-beanie", name: "Merino Beanie", price: 29, icon: "🧢", colour: "#fce7f3" },
    { sku: "camp-mug", name: "Enamel Camp Mug", price: 14, icon: "☕", colour: "#e0e7ff" },
    { sku: "headlamp", name: "Headlamp 300", price: 39, icon: "🔦", colour: "#fee2e2" }
  ];
  var d = document;
  function bySku(sku) { return PRODUCTS.filter(function (p) { return p.sku === sku; })[0]; }
  function cart() { try { return JSON.parse(localStorage.getItem("demo-cart")) || []; } catch (e) { return []; } }
  function save(c) { localStorage.setItem("demo-cart", JSON.stringify(c)); }
  function total(c) { return c.reduce(function (t, sku) { var p = bySku(sku); return t + (p ? p.price : 0); }, 0); }
  function money(n) { return "£" + n.toFixed(2); }
  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function refreshCount() {
    var n = d.getElementById("cart-count");
    if (n) n.textContent = String(cart().length);
  }
  // An "Add to cart" button carrying Lifeline's cart markers (with the total after adding).
  function addButton(p) {
    var b = el("button", { "class": "primary", type: "button", "data-lifeline-cart": "add",
      "data-lifeline-cart-total": String(total(cart()) + p.price), "data-sku": p.sku }, "Add to cart");
    b.addEventListener("click", function () {
      var c = cart(); c.push(p.sku); save(c); refreshCount();
      b.textContent = "Added ✓";
      // Said as well as shown: the button's new text alone is not announced.
      d.getElementById("announce").textContent = p.name + " added to your cart";
      b.setAttribute("data-lifeline-cart-total", String(total(c) + p.price));
    });
    return b;
  }
  // The product's photos, one per view, in a track that scrolls a photo at a time (and by
  // swiping). The buttons only scroll it; once it stops, each says whether it can go on
  // (aria-disabled: a button that keeps the focus, unlike a disabled one).
  function gallery(p) {
    var track = d.getElementById("photos"), prev = d.getElementById("photo-prev"),
      next = d.getElementById("photo-next"), views = ["Front", "Back", "Side", "Detail", "Worn"],
      at = 0, last = views.length - 1, stopped = 0;
    views.forEach(function (view, i) {
      var photo = el("figure", { "class": "swatch photo", role: "group", "aria-roledescription": "slide",
        "aria-label": (i + 1) + " of " + views.length, style: "background:" + p.colour });
      photo.appendChild(el("span", { "aria-hidden": "true" }, p.icon));
      photo.appendChild(el("figcaption", null, p.name + ", " + view.toLowerCase()));
      track.appendChild(photo);
    });
    var still = window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;
    // From the photo being scrolled to, not from where the track is now: presses in quick
    // succession each go one photo on.
    function go(step) {
      at = Math.max(0, Math.min(last, at + step));
      track.scrollTo({ left: at * track.clientWidth, behavior: still ? "auto" : "smooth" });
    }
    prev.addEventListener("click", function () { go(-1); });
    next.addEventListener("click", function () { go(1); });
    function can(button, yes) {
      if ((button.getAttribute("aria-disabled") != "true") !== yes) button.setAttribute("aria-disabled", String(!yes));
    }
    track.addEventListener("scroll", function () {
      clearTimeout(stopped);
      stopped = setTimeout(function () {
        at = Math.round(track.scrollLeft / track.clientWidth);
        can(prev, at > 0);
        can(next, at < last);
      }, 150);
    }, { passive: true });
  }
  // A size picked is in the address (?sku=...&size=...), replaced in place: the same page.
  function sizes(p) {
    var set = d.getElementById("sizes"), q = new URLSearchParams(location.search),
      chosen = q.get("size") || p.sizes[0];
    p.sizes.forEach(function (size) {
      var label = el("label"), input = el("input", { type: "radio", name: "size", value: size });
      input.checked = size === chosen;
      input.addEventListener("change", function () {
        q.set("size", size);
        history.replaceState(null, "", "?" + q);
      });
      label.appendChild(input);
      label.appendChild(d.createTextNode(size));
      set.appendChild(label);
    });
    set.hidden = false;
  }
  var pages = {
    catalogue: function () {
      var grid = d.getElementById("products");
      PRODUCTS.forEach(function (p) {
        var card = el("article", { "class": "card" });
        var swatch = el("div", { "class": "swatch", style: "background:" + p.colour }, p.icon);
        var link = el("a", { href: "/demo/product/?sku=" + p.sku });
        link.appendChild(el("h2", null, p.name));
        card.appendChild(swatch); card.appendChild(link);
        card.appendChild(el("div", { "class": "price" }, money(p.price)));
        card.appendChild(addButton(p));
        grid.appendChild(card);
      });
    },
    product: function () {
      var p = bySku(new URLSearchParams(location.search).get("sku")) || PRODUCTS[0];
      d.title = p.name + " · Northwind Outfitters";
      d.getElementById("name").textContent = p.name;
      d.getElementById("price").textContent = money(p.price);
      gallery(p);
      if (p.sizes) sizes(p);
      d.getElementById("buy").appendChild(addButton(p));
    },
    cart: function () {
      var lines = d.getElementById("lines");
      // One line per product, with a quantity stepper that changes the cart in place.
      function render() {
        var c = cart(), skus = [];
        c.forEach(function (sku) { if (skus.indexOf(sku) < 0) skus.push(sku); });
        lines.textContent = "";
        if (!c.length) { lines.appendChild(el("tr")).appendChild(el("td", null, "Your cart is empty.")); }
        skus.forEach(function (sku) {
          var p = bySku(sku); if (!p) return;
          var n = c.filter(function (s) { return s === sku; }).length;
          var tr = el("tr", { "data-line": sku });
          tr.appendChild(el("th", { scope: "row" }, p.name));
          var step = el("span", { "class": "stepper" });
          var less = el("button", { "class": "secondary", type: "button", "aria-label": "One fewer " + p.name,
            "data-lifeline-cart": "remove", "data-lifeline-cart-total": String(total(c) - p.price) }, "\u2212");
          var more = el("button", { "class": "secondary", type: "button", "aria-label": "One more " + p.name,
            "data-lifeline-cart": "add", "data-lifeline-cart-total": String(total(c) + p.price) }, "+");
          less.addEventListener("click", function () { var x = cart(); x.splice(x.indexOf(sku), 1); save(x); render(); });
          more.addEventListener("click", function () { var x = cart(); x.push(sku); save(x); render(); });
          step.appendChild(less); step.appendChild(el("output", { "aria-live": "polite" }, String(n))); step.appendChild(more);
          var td = el("td"); td.appendChild(step); tr.appendChild(td);
          tr.appendChild(el("td", { "class": "price" }, money(p.price * n)));
          lines.appendChild(tr);
        });
        d.getElementById("total").textContent = money(total(c));
        refreshCount();
      }
      // The line is drawn anew: focus goes back to the stepper button pressed.
      lines.addEventListener("click", function (e) {
        var b = e.target.closest && e.target.closest(".stepper button");
        if (!b) return;
        var label = b.getAttribute("aria-label");
        setTimeout(function () {
          var again = lines.querySelector("[aria-label=\"" + label + "\"]");
          if (again) again.focus();
        });
      });
      render();
      // The trouble spot: "Apply" looks like it works and does nothing at all.
      d.getElementById("promo-form").addEventListener("submit", function (e) { e.preventDefault(); });
    },
    shipping: function () {
      d.getElementById("total").textContent = money(total(cart()));
      // The trouble spot: express looks available, then sends the shopper back to the cart.
      d.getElementById("express").addEventListener("change", function () {
        d.getElementById("express-note").hidden = false;
      });
    },
    payment: function () {
      var tries = 0, form = d.getElementById("pay");
      d.getElementById("total").textContent = money(total(cart()));
      // Support is online while paying: Lifeline may offer a chat (the page's own chat, below).
      if (window.lifeline && window.lifeline.agentsOnline) {
        window.lifeline.agentsOnline(true);
      } else {
        window.lifeline = window.lifeline || {};
        (window.lifeline.q = window.lifeline.q || []).push(["agentsOnline", [true]]);
      }
      // The shop's own chat takes Lifeline's chat offers here (preventDefault: Lifeline's
      // chat stays closed), opens where the visitor can type, and takes the focus.
      window.addEventListener("lifeline:chat", function (e) {
        e.preventDefault();
        d.getElementById("chat").hidden = false;
        d.getElementById("chat-message").focus();
      });
      // The trouble spot: the first submit is always declined, and so is any without a card.
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        tries += 1;
        if (tries === 1 || d.getElementById("card").value.replace(/\D/g, "").length < 12) {
          d.getElementById("pay-error").hidden = false;
          return;
        }
        save([]);
        location.href = "/demo/complete/";
      });
    },
    complete: function () { refreshCount(); },
    account: function () {
      // A small single-page app: three routes, pushState navigation, no reloads.
      var views = { "/demo/account/": "overview", "/demo/account/orders/": "orders",
        "/demo/account/subscription/": "subscription" };
      function show() {
        var name = views[location.pathname] || "overview";
        Array.prototype.forEach.call(d.querySelectorAll("[data-view]"), function (v) {
          v.hidden = v.getAttribute("data-view") !== name;
        });
        d.title = "Account · " + name + " · Northwind Outfitters";
      }
      d.addEventListener("click", function (e) {
        var a = e.target.closest && e.target.closest("a[data-route]");
        if (!a || e.metaKey || e.ctrlKey) return;
        e.preventDefault();
        history.pushState(null, "", a.getAttribute("href"));
        show();
      });
      window.addEventListener("popstate", show);
      var keep = d.getElementById("keep-subscription");
      if (keep) keep.addEventListener("click", function () { history.pushState(null, "", "/demo/account/"); show(); });
      show();
    }
  };
  // A web component, as shop themes ship them: a link inside its (open) shadow root.
  if (window.customElements && !customElements.get("nw-help-link")) {
    customElements.define("nw-help-link", class extends HTMLElement {
      connectedCallback() {
        if (this.shadowRoot) return;
        var a = d.createElement("a");
        a.href = this.getAttribute("href") || "/demo/";
        a.appendChild(d.createElement("slot"));
        this.attachShadow({ mode: "open" }).appendChild(a);
      }
    });
  }
  // The same header and footer on every page.
  function frame() {
    var top = el("header", { "class": "top" });
    var logo = el("a", { "class": "logo", href: "/demo/" }, "Northwind ");
    logo.appendChild(el("span", null, "Outfitters"));
    var nav = el("nav", { "aria-label": "Shop" });
    [["/demo/", "Shop"], ["/demo/account/", "Account"], ["/demo/account/subscription/", "Membership"]]
      .forEach(function (l) { nav.appendChild(el("a", { href: l[0] }, l[1])); });
    var cartLink = el("a", { "class": "cart-link", href: "/demo/cart/" }, "Cart (");
    cartLink.appendChild(el("span", { id: "cart-count" }, "0"));
    cartLink.appendChild(d.createTextNode(")"));
    top.appendChild(logo); top.appendChild(nav); top.appendChild(cartLink);
    d.body.insertBefore(top, d.body.firstChild);
    d.body.appendChild(el("footer", null, "Northwind Outfitters is a demo shop for Lifeline. Nothing here is for sale."));
    d.body.appendChild(el("div", { id: "announce", "class": "sr", role: "status" }));
  }
  d.addEventListener("DOMContentLoaded", function () {
    frame();
    refreshCount();
    var page = d.body.getAttribute("data-page");
    if (pages[page]) pages[page]();
  });
})();
