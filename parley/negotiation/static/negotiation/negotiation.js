// The negotiation tab, live on the case's socket (parley.js opens it and shows presence).
// An event only says that something changed: the page then fetches its regions through the
// same access-checked view as a reload (live/) and swaps in those that changed. A region the
// person is filling in (focus inside, or a field changed) is left alone until they are done.
(function () {
  "use strict";
  var body = document.body;
  if (body.dataset.page !== "negotiation") return;
  var liveUrl = body.dataset.liveUrl;
  var REFRESH = {
    hello: 1, pong: 1, offer: 1, bidding: 1, bid_sealed: 1, issues: 1, ratings: 1,
    settlement: 1, settlement_signed: 1, instruction: 1
  };
  var running = false;
  var again = false;
  var stale = {};

  // A region is busy while the person is in it, has changed a field in it (parley.js keeps
  // track, against each field's state when they entered it), or has a part of it open.
  function busy(region) {
    if (region.contains(document.activeElement) && document.activeElement !== region) return true;
    if (window.parleyChanged && window.parleyChanged(region)) return true;
    return region.querySelectorAll("details[open]").length > 0;
  }

  function swap(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    var fresh = t.content.querySelectorAll("[data-live-region]");
    for (var i = 0; i < fresh.length; i++) {
      var current = document.getElementById(fresh[i].id);
      if (!current) continue;
      if (current.innerHTML === fresh[i].innerHTML) { delete stale[fresh[i].id]; continue; }
      if (busy(current)) {
        stale[fresh[i].id] = true;
        mergeItems(current, fresh[i]);
        continue;
      }
      current.replaceWith(fresh[i]);
      delete stale[fresh[i].id];
      prepare(fresh[i]);
    }
  }

  // A busy region still gets its new and changed items (offers), each left alone only while
  // it is itself being filled in, so a counter-offer being written never hides a new offer.
  function mergeItems(current, fresh) {
    var list = current.querySelector("[data-live-list]");
    var items = fresh.querySelectorAll("[data-live-item]");
    if (!list) return;
    for (var i = items.length - 1; i >= 0; i--) {
      var old = document.getElementById(items[i].id);
      if (!old) {
        list.insertBefore(items[i], list.firstChild);
        prepare(items[i]);
      } else if (old.innerHTML !== items[i].innerHTML && !busy(old)) {
        old.replaceWith(items[i]);
        prepare(items[i]);
      }
    }
  }

  function prepare(el) {
    var forms = el.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) showDisclosure(forms[i]);
    if (window.htmx) window.htmx.process(el);
  }

  function refresh() {
    if (running) { again = true; return; }
    running = true;
    fetch(liveUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(swap)
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        running = false;
        if (again) { again = false; refresh(); }
      });
  }

  body.addEventListener("parleyEvent", function (e) {
    var ev = e.detail || {};
    if (REFRESH[ev.type]) { refresh(); return; }
    if (ev.type === "entry" && ev.entry && (ev.entry.kind !== "message" || ev.entry.source)) {
      refresh();  // an offer shared from a caucus, a bidding or issues notice
    }
  });
  // A region left alone while someone was filling it in catches up once they leave it.
  document.addEventListener("focusout", function () {
    if (Object.keys(stale).length) setTimeout(refresh, 300);
  });
  document.addEventListener("toggle", function () {
    if (Object.keys(stale).length) setTimeout(refresh, 300);
  }, true);

  // The disclosure choice matters only for an offer given to the mediator.
  function showDisclosure(form) {
    var caucus = form.querySelector("input[name=where][value=caucus]");
    var box = form.querySelector("fieldset.disclosure");
    if (caucus && box) box.hidden = !caucus.checked;
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "where" && e.target.form) showDisclosure(e.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) showDisclosure(forms[i]);
  });
})();
