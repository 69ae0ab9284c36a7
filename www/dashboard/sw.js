/* Lifeline dashboard's service worker: what makes it installable on a phone, and what
 * shows an alert the collector pushed (Web Push) while the dashboard is closed. The
 * payload is decrypted by the browser; its title and body are shown as text. A tap
 * brings the dashboard forward (or opens it). Nothing is cached: the dashboard is live. */
"use strict";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("push", function (e) {
  var n = {};
  try { n = e.data ? e.data.json() : {}; } catch (x) { n = { body: e.data ? e.data.text() : "" }; }
  e.waitUntil(self.registration.showNotification(String(n.title || "Lifeline"), {
    body: String(n.body || ""), tag: n.tag || undefined, renotify: !!n.tag,
    icon: "/dashboard/icon-192.png", data: { url: n.url || "/dashboard/" }
  }));
});
self.addEventListener("notificationclick", function (e) {
  e.notification.close();
  var url = (e.notification.data && e.notification.data.url) || "/dashboard/";
  e.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url.indexOf("/dashboard/") >= 0 && list[i].focus) return list[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
