// Parley's live page: one WebSocket per person per case. Events only say that something
// happened; the page then asks the server for what this reader may see (the same views and
// access checks as a reload), appends entries it does not have yet (by entry id: no
// duplicates) and, after a reconnect, fetches everything after its last entry id (no gaps).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Times are shown in the reader's zone: tell the server which one this browser is in.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("parley_tz=" + encodeURIComponent(tz)) === -1) {
      document.cookie = "parley_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: times stay in UTC, labelled so */ }
})();
(function () {
  "use strict";
  var body = document.body;
  // The words this script shows, in the reader's language (Django's JavaScriptCatalog, loaded
  // before this file; without it they stay English).
  var gettext = window.gettext || function (text) { return text; };
  var caseId = body.dataset.case;
  if (!caseId) return;
  var page = body.dataset.page;
  var roomId = body.dataset.room;
  var entriesUrl = body.dataset.entriesUrl;
  var entryUrl = body.dataset.entryUrl;
  var statusEl = document.getElementById("live-status");
  var online = new Set();
  var socket = null;
  var delay = 500;
  var chain = Promise.resolve();
  var pingTimer = null;
  var leaving = false;  // a form is on its way to the server: its answer is the next page
  var sending = new Set();  // HTMX form requests on their way
  var touched = new Set();  // form fields the person changed
  var entered = new Map();  // field -> its state when the person first entered it

  function setStatus(text, state) {
    body.dataset.live = state;
    if (statusEl) statusEl.textContent = text;
  }

  function list() { return document.getElementById("entries"); }

  function lastId() {
    var max = 0;
    var nodes = document.querySelectorAll("#entries [data-entry-id]");
    for (var i = 0; i < nodes.length; i++) {
      var id = parseInt(nodes[i].dataset.entryId, 10);
      if (id > max) max = id;
    }
    return max;
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  // One fetch at a time, each from the last id the page holds: nothing is missed or doubled.
  // A burst of pushes asks for one more fetch, not one each: a fetch that has not started yet
  // will be sent after every push that queued it, so it returns all of their entries.
  var fetchQueued = false;

  function catchUp() {
    if (!entriesUrl) return chain;
    if (fetchQueued) return chain;
    fetchQueued = true;
    chain = chain.then(function step() {
      fetchQueued = false;
      return fetch(entriesUrl + "?after=" + lastId(), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
        .then(function (html) {
          var added = 0;
          var box = list();
          var items = fragment(html).querySelectorAll("[data-entry-id]");
          for (var i = 0; i < items.length; i++) {
            if (document.getElementById("entry-" + items[i].dataset.entryId)) continue;
            box.appendChild(items[i]);
            if (window.htmx) window.htmx.process(items[i]);
            added++;
          }
          if (added) {
            var empty = box.querySelector(".empty");
            if (empty) empty.remove();
            if (atEnd) toLatest();
          }
          if (items.length >= 100) return step();
        });
    }).catch(function () { /* the next event or reconnect catches up */ });
    return chain;
  }

  // The room opens at its latest entry; "Jump to the latest entry" shows while it is out of view.
  var atEnd = true;

  function toLatest() {
    var end = document.getElementById("entries-end");
    if (end) end.scrollIntoView({ block: "end" });
  }

  function watchEnd() {
    var end = document.getElementById("entries-end");
    var jump = document.getElementById("jump-latest");
    if (!end || !jump || !window.IntersectionObserver) return;
    if (!window.location.hash || window.location.hash === "#entries-end") {
      toLatest();
      // Until the reader moves, keep the latest entry in view while the page settles (panels
      // and fonts that load after it can push the end down).
      var moved = false;
      ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (kind) {
        window.addEventListener(kind, function () { moved = true; }, { passive: true, once: true });
      });
      if (window.ResizeObserver) {
        new ResizeObserver(function () { if (!moved) toLatest(); }).observe(document.body);
      }
    }
    if (!jump.hidden) return;  // reading an earlier page: the link stays where it is
    jump.classList.add("floating");
    new IntersectionObserver(function (seen) {
      atEnd = seen[0].isIntersecting;
      jump.hidden = atEnd;
    }).observe(end);
    jump.addEventListener("click", function (e) { e.preventDefault(); toLatest(); });
  }

  // Enter sends; Shift+Enter (or Enter while composing text in an input method) makes a new line.
  function enterSends(e) {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return;
    var text = e.target;
    if (!text.matches || !text.matches(".post-form textarea[name=body]")) return;
    e.preventDefault();
    if (!text.value.trim()) return;
    var form = text.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function refreshEntry(id) {
    var el = document.getElementById("entry-" + id);
    if (!el || !entryUrl) return;
    fetch(entryUrl.replace(/\/0\/$/, "/" + id + "/"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = fragment(html).querySelector("[data-entry-id]");
        var current = document.getElementById("entry-" + id);
        if (fresh && current) {
          current.replaceWith(fresh);
          if (window.htmx) window.htmx.process(fresh);
        }
      });
  }

  function showPresence() {
    var dots = document.querySelectorAll("[data-presence]");
    for (var i = 0; i < dots.length; i++) {
      var on = online.has(parseInt(dots[i].dataset.presence, 10));
      dots[i].textContent = on ? gettext("online") : gettext("offline");
      dots[i].classList.toggle("on", on);
    }
  }

  function ended() {
    body.dataset.terminated = "1";
    var banner = document.getElementById("ended-banner");
    if (banner) banner.hidden = false;
    var acks = document.querySelectorAll(".ack");
    for (var i = 0; i < acks.length; i++) acks[i].hidden = false;
    var end = document.getElementById("end-link");
    if (end) end.remove();
    var shares = document.querySelectorAll(".share-form");
    for (var j = 0; j < shares.length; j++) shares[j].remove();
  }

  // What the person would lose if the page went away now: a form on its way or a post
  // waiting for its answer, a box they are typing in, a message the server handed back
  // refused, a field they changed and have not sent. A field counts against the state it had
  // when they entered it (else its default): a date the browser normalised, or a select with
  // no option marked, is not a change of theirs.
  function unsaved() {
    if (sending.size || Object.keys(pending).length) return true;
    var active = document.activeElement;
    if (active && active.form && typing(active)) return true;
    var refused = document.querySelectorAll(".post-form textarea[name=body]");
    for (var i = 0; i < refused.length; i++) if (refused[i].value.trim()) return true;
    return changedWithin(document);
  }

  // Whether the person changed a field inside `root` and has not sent it. The negotiation tab
  // asks the same of each region it is about to refresh (window.parleyChanged).
  function changedWithin(root) {
    var changed = false;
    touched.forEach(function (f) {
      if (!f.form || !document.contains(f)) { touched.delete(f); return; }
      var before = entered.has(f) ? entered.get(f) : state(f, true);
      if (root.contains(f) && state(f, false) !== before) changed = true;
    });
    return changed;
  }
  window.parleyChanged = changedWithin;

  // A field's state as one string: now, or as the page gave it (its defaults).
  function state(f, initial) {
    if (f.tagName === "SELECT") {
      var picked = [];
      for (var j = 0; j < f.options.length; j++) {
        if (initial ? f.options[j].defaultSelected : f.options[j].selected) picked.push(j);
      }
      return picked.join(",");
    }
    if (f.type === "checkbox" || f.type === "radio") {
      return String(initial ? f.defaultChecked : f.checked);
    }
    return initial ? f.defaultValue : f.value;
  }

  function typing(el) {
    if (el.tagName === "TEXTAREA") return true;
    return el.tagName === "INPUT" && !/^(checkbox|radio|submit|button|hidden|file)$/.test(el.type);
  }

  // Someone else changed what this page shows in a way it cannot patch in: it reloads (or
  // goes to `url`) by itself only when nothing would be lost. A form of this page already on
  // its way brings the next page, which is fresh: nothing to do (unless it never comes, as
  // for a download). Otherwise the page says it is out of date and moves on when asked.
  function moveOn(url) {
    function go() {
      // Not reload(): a page that answered a form would be posted again.
      if (url) window.location.assign(url);
      else window.location.replace(window.location.href.split("#")[0]);
    }
    if (leaving) {
      setTimeout(function () { leaving = false; moveOn(url); }, 10000);
      return;
    }
    if (!unsaved()) { go(); return; }
    var note = document.getElementById("page-changed");
    var fresh = !note;
    if (fresh) {
      // Put in empty, then filled, so screen readers announce it.
      note = document.createElement("p");
      note.id = "page-changed";
      note.className = "notice-box";
      note.setAttribute("role", "status");
      var main = document.querySelector("main") || body;
      main.insertBefore(note, main.firstChild);
    }
    setTimeout(function () {
      note.textContent = gettext("This page has changed since you opened it. What you typed is still here.") + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = gettext("Show the new version");
      button.addEventListener("click", go);
      note.appendChild(button);
    }, fresh ? 100 : 0);
  }

  function people() { body.dispatchEvent(new CustomEvent("parleyPeople")); }

  function onEvent(ev) {
    // Other scripts of the page (the negotiation tab) hear every event too.
    body.dispatchEvent(new CustomEvent("parleyEvent", { detail: ev }));
    switch (ev.type) {
      case "hello":
        online = new Set(ev.online || []);
        showPresence();
        catchUp();
        break;
      case "posted":
      case "refused":
        onPostAnswer(ev);
        break;
      case "pong":
        // The server re-joined this socket to its group: fetch anything a lost push missed.
        catchUp();
        break;
      case "presence":
        if (ev.online) online.add(ev.participant); else online.delete(ev.participant);
        showPresence();
        break;
      case "entry":
        var room = ev.entry && typeof ev.entry === "object" ? ev.entry.room : null;
        if (page === "workspace" && String(room) === String(roomId)) {
          catchUp();
        } else if (room !== null) {
          var tab = document.querySelector('[data-room-tab="' + room + '"] .unread');
          if (tab) tab.hidden = false;
        }
        break;
      case "instruction":
      case "shared":
        refreshEntry(ev.entry);
        break;
      case "terminated":
        // The workspace patches itself; a page that already shows the ended case stays.
        if (page === "workspace") { ended(); catchUp(); people(); }
        else if (!body.dataset.terminated) moveOn();
        break;
      case "activated":
      case "agreement_issued":
      case "agreement_changed":
        // The lobby moves on by itself. The signing page never reloads for these: the person
        // may be submitting their signature right now, and the answer takes them on anyway.
        if (page === "lobby" || (page !== "sign" && ev.type === "agreement_changed")) {
          moveOn("/cases/" + caseId + "/");
        } else { people(); }
        break;
      case "signed":
      case "participant_joined":
      case "disclosure_added":
      case "disclosure_acknowledged":
        people();
        if (ev.type === "disclosure_added" && page === "workspace") moveOn();
        break;
      case "sessions_changed":
        // Someone else's page shows the new schedule (a form being filled in is kept).
        if (page === "sessions") moveOn();
        break;
    }
  }

  // Posting: over the socket when it is open (the server answers "posted" after the entry is
  // committed, or "refused" with a reason); otherwise, or if the socket drops before the answer,
  // the form goes through HTMX over HTTP with the same idempotency key, so nothing is lost and
  // nothing is stored twice.
  var pending = {};  // client key -> {form, timer}

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function showError(form, text) {
    var p = form.querySelector(".error");
    if (!text) { if (p) p.remove(); return; }
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      form.insertBefore(p, form.querySelector("label"));
    }
    p.textContent = text;
  }

  function busy(form, on) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = on;
  }

  function overHttp(form) {
    // The socket could not carry it: the same key over HTTP (HTMX), as without a socket.
    form.dataset.viaHttp = "1";
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function settle(key) {
    var p = pending[key];
    if (!p) return null;
    clearTimeout(p.timer);
    delete pending[key];
    busy(p.form, false);
    return p.form;
  }

  function onPostAnswer(ev) {
    var form = settle(ev.client_key);
    if (!form) return;
    if (ev.type === "posted") {
      showError(form, "");
      var text = form.querySelector("textarea[name=body]");
      if (text) text.value = "";
      var radios = form.querySelectorAll("input[name=instruction]");
      for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].defaultChecked;
      var ack = form.querySelector("input[name=acknowledge_not_confidential]");
      if (ack) ack.checked = false;
      form.querySelector("input[name=client_key]").value = newKey();
      catchUp();
    } else if (ev.retry) {
      overHttp(form);
    } else {
      showError(form, ev.detail || gettext("This could not be posted."));
    }
  }

  function postOverSocket(e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("post-form")) return;
    if (form.dataset.viaHttp) { delete form.dataset.viaHttp; return; }  // HTMX takes it
    if (!socket || socket.readyState !== 1 || !roomId) return;  // HTMX takes it
    e.preventDefault();
    e.stopImmediatePropagation();
    var key = form.querySelector("input[name=client_key]").value;
    if (pending[key]) return;  // already on its way
    var checked = form.querySelector("input[name=instruction]:checked");
    var ack = form.querySelector("input[name=acknowledge_not_confidential]");
    busy(form, true);
    pending[key] = {
      form: form,
      timer: setTimeout(function () { if (settle(key)) overHttp(form); }, 10000)
    };
    socket.send(JSON.stringify({
      type: "post",
      room: parseInt(roomId, 10),
      body: form.querySelector("textarea[name=body]").value,
      client_key: key,
      instruction: checked ? checked.value : null,
      acknowledge_not_confidential: !!(ack && ack.checked)
    }));
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/cases/" + caseId + "/");
    setStatus(delay > 500 ? gettext("Reconnecting…") : gettext("Connecting…"), "connecting");
    socket.onopen = function () {
      delay = 500;
      // How many times this page has connected: a socket that silently died and came back
      // would show here, so a test can tell "stayed connected" from "reconnected".
      body.dataset.connects = String(parseInt(body.dataset.connects || "0", 10) + 1);
      setStatus(gettext("Live"), "open");
      clearInterval(pingTimer);
      // Keeps proxies from closing a quiet socket; far longer than any server-side timeout.
      pingTimer = setInterval(function () {
        if (socket && socket.readyState === 1) socket.send('{"type":"ping"}');
      }, 15000);
    };
    socket.onmessage = function (msg) {
      var ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      onEvent(ev);
    };
    socket.onclose = function (e) {
      clearInterval(pingTimer);
      // Posts still waiting for their answer go over HTTP with the same key.
      Object.keys(pending).forEach(function (key) {
        var form = settle(key);
        if (form) overHttp(form);
      });
      if (e.code === 4404) { setStatus(gettext("Not connected"), "closed"); return; }
      if (e.code === 4401) { setStatus(gettext("Signed out"), "closed"); return; }
      setStatus(gettext("Reconnecting…"), "closed");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 8000);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The post form answers with a fresh form; the new entry arrives through catch-up.
    body.addEventListener("parleyCatchup", function () { catchUp(); });
    body.addEventListener("htmx:afterSwap", showPresence);
    // Capture phase: before HTMX sees the submit.
    document.addEventListener("submit", postOverSocket, true);
    // Bubble phase: HTMX and the socket have already taken theirs (default prevented), so
    // what is left is a form the browser itself sends, leaving this page.
    document.addEventListener("submit", function (e) { if (!e.defaultPrevented) leaving = true; });
    window.addEventListener("pageshow", function () { leaving = false; });
    function touch(e) { if (e.isTrusted && e.target.form) touched.add(e.target); }
    document.addEventListener("focusin", function (e) {
      var f = e.target;
      if (f.form && /^(INPUT|TEXTAREA|SELECT)$/.test(f.tagName) && !entered.has(f)) {
        entered.set(f, state(f, false));
      }
    });
    document.addEventListener("input", touch, true);
    document.addEventListener("change", touch, true);
    // A form sent through HTMX counts as on its way until its answer is in (a GET that only
    // refreshes part of the page does not).
    body.addEventListener("htmx:beforeRequest", function (e) {
      if (e.detail.requestConfig.verb !== "get") sending.add(e.detail.xhr);
    });
    body.addEventListener("htmx:afterRequest", function (e) { sending.delete(e.detail.xhr); });
    document.addEventListener("keydown", enterSends);
    if (page === "workspace") watchEnd();
    if (body.dataset.terminated) ended();
    connect();
  });
})();
