// Golmok's pages work without this file; with it: nearby consortia, the checkout map, order
// pages that redraw themselves when the order's events arrive, and a courier's stops that
// wait out a dropped connection.
(function () {
  "use strict";

  // Home: "nearest to me" asks the browser for its location and reloads with ?near=.
  document.querySelectorAll("[data-near-me]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!navigator.geolocation) return;
      event.preventDefault();
      navigator.geolocation.getCurrentPosition(function (p) {
        location.href = "/?near=" + p.coords.latitude.toFixed(5) + "," + p.coords.longitude.toFixed(5);
      });
    });
  });

  // Ray casting over a GeoJSON polygon's outer ring ([lon, lat] pairs).
  function inside(ring, lat, lon) {
    var hit = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  }

  function outerRings(area) {
    var g = area && area.type === "Feature" ? area.geometry : area;
    if (!g) return [];
    if (g.type === "Polygon") return [g.coordinates[0]];
    if (g.type === "MultiPolygon") return g.coordinates.map(function (p) { return p[0]; });
    return [];
  }

  function checkoutMap() {
    var el = document.getElementById("map");
    if (!el || !window.L || !el.dataset.area) return;
    var area = JSON.parse(el.dataset.area);
    var rings = outerRings(area);
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var status = document.getElementById("pin-status");
    var map = L.map(el, { attributionControl: !!el.dataset.tiles });
    el.leafletMap = map; // for scripts (and the browser tests) that need map coordinates
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    var shape = L.geoJSON(area, { style: { color: "#2f6b3f", weight: 2, fillOpacity: 0.12 } }).addTo(map);
    map.fitBounds(shape.getBounds());
    var pin = null;
    function isInside(la, lo) { return rings.some(function (r) { return inside(r, la, lo); }); }
    function place(la, lo) {
      if (pin) pin.setLatLng([la, lo]); else pin = L.circleMarker([la, lo], { radius: 9, color: "#b3261e", fillOpacity: 0.8 }).addTo(map);
      var ok = isInside(la, lo);
      status.innerHTML = "";
      var span = document.createElement("span");
      span.className = ok ? "ok" : "error field-error";
      span.textContent = ok ? el.dataset.inside : el.dataset.outside;
      status.appendChild(span);
      return ok;
    }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng.lat, e.latlng.lng);
    });
    if (lat.value && lon.value && !isNaN(+lat.value) && !isNaN(+lon.value)) place(+lat.value, +lon.value);
    var form = document.getElementById("checkout-form");
    form.addEventListener("submit", function (event) {
      var delivery = form.querySelector("input[name=fulfillment][value=delivery]");
      if (!delivery || !delivery.checked) return;
      if (!lat.value || !lon.value || !place(+lat.value, +lon.value)) {
        event.preventDefault();
        el.scrollIntoView({ block: "center" });
      }
    });
    var fields = document.getElementById("delivery-fields");
    function toggle() {
      var d = form.querySelector("input[name=fulfillment][value=delivery]");
      fields.hidden = !(d && d.checked);
      if (!fields.hidden) map.invalidateSize();
    }
    form.querySelectorAll("[data-delivery-toggle]").forEach(function (r) { r.addEventListener("change", toggle); });
    toggle();
  }

  // A place tapped on a map into the lat and lon fields (which stay for typing it, and for
  // pages without this script): a new shop's door (#shop-map), a network's hub inside its
  // area (#hub-map, which draws the area and fits it), or where a festival or market is held
  // in its consortium's district (#campaign-map, likewise).
  function shopMap() {
    var el = document.getElementById("shop-map") || document.getElementById("hub-map") ||
      document.getElementById("campaign-map");
    if (!el || !window.L) return;
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var map = L.map(el, { attributionControl: !!el.dataset.tiles });
    el.leafletMap = map;
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    var pin = null;
    function place(la, lo) {
      if (pin) pin.setLatLng([la, lo]); else pin = L.circleMarker([la, lo], { radius: 9, color: "#b3261e", fillOpacity: 0.8 }).addTo(map);
    }
    var typed = lat.value && lon.value && !isNaN(+lat.value) && !isNaN(+lon.value);
    if (el.dataset.area) {
      var shape = L.geoJSON(JSON.parse(el.dataset.area), { style: { color: "#2f6b3f", weight: 2, fillOpacity: 0.12 } }).addTo(map);
      map.fitBounds(shape.getBounds());
    } else {
      var start = (el.dataset.start || "37.5665,126.978").split(",").map(Number);
      map.setView(typed ? [+lat.value, +lon.value] : start, typed ? 17 : 12);
    }
    if (typed) place(+lat.value, +lon.value);
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng.lat, e.latlng.lng);
    });
  }

  // A live section (an order's tracking, a shop's board) redrawn from the server: the same
  // HTML is not drawn again, a person typing in it is not interrupted (the redraw waits until
  // they leave the field), and details they opened stay open, what they typed stays typed.
  function liveSection(id, drawn) {
    var first = document.getElementById(id);
    if (!first || !window.EventSource) return;
    var last = first.outerHTML, waiting = false;
    function typing(node) {
      var a = document.activeElement;
      return a && node.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName);
    }
    function carry(from, to) {
      from.querySelectorAll("details[open][id]").forEach(function (d) {
        var twin = to.querySelector("#" + CSS.escape(d.id));
        if (twin) twin.open = true;
      });
      from.querySelectorAll("input[id], textarea[id]").forEach(function (f) {
        if (f.type === "hidden" || f.value === f.defaultValue) return;
        var twin = to.querySelector("#" + CSS.escape(f.id));
        if (twin) twin.value = f.value;
      });
    }
    function redraw() {
      var current = document.getElementById(id);
      fetch(current.dataset.refresh, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#" + id);
          var now = document.getElementById(id);
          if (!fresh || !now || fresh.outerHTML === last) return;
          if (typing(now)) {
            if (waiting) return;
            waiting = true;
            now.addEventListener("focusout", function left() {
              setTimeout(function () {
                if (typing(now)) return;
                now.removeEventListener("focusout", left);
                waiting = false;
                redraw();
              }, 0);
            });
            return;
          }
          last = fresh.outerHTML;
          carry(now, fresh);
          now.replaceWith(fresh);
          if (drawn) drawn(now, fresh);
        });
    }
    // Redraw on every opening, the first included: whatever changed between this page's
    // render and the stream's start is drawn too.
    var source = new EventSource(first.dataset.live);
    source.addEventListener("open", function () { redraw(); document.body.dataset.live = "open"; });
    source.addEventListener("changed", redraw);
  }

  // Order pages: the tracking section follows the order's events.
  function liveOrder() { liveSection("tracking"); }

  // Card payment with Stripe's own element, when the order waits for one.
  function cardPayment() {
    var box = document.getElementById("card-payment");
    if (!box || !window.Stripe) return;
    var stripe = window.Stripe(box.dataset.stripeKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    document.getElementById("card-pay").addEventListener("click", function () {
      stripe.confirmCardPayment(box.dataset.clientSecret, { payment_method: { card: card } }).then(function (r) {
        document.getElementById("card-status").textContent = r.error ? r.error.message : "✓";
        if (!r.error) location.reload();
      });
    });
  }

  // The shop's board: redraw on each of the shop's events; a new order flashes and chimes.
  function chime() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      [880, 1320].forEach(function (f, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; g.gain.value = 0.15;
        o.connect(g); g.connect(ctx.destination);
        o.start(ctx.currentTime + i * 0.18); o.stop(ctx.currentTime + i * 0.18 + 0.15);
      });
    } catch (e) { /* no audio: the flash is enough */ }
  }

  // The shop's board follows the shop's events; a new order, or a shopper's new claim,
  // flashes and chimes.
  function liveBoard() {
    liveSection("board", function (before, after) {
      var orders = +after.dataset.newCount > +before.dataset.newCount;
      var claims = +after.dataset.claimCount > +before.dataset.claimCount;
      if (orders) {
        after.querySelector(".col-new").classList.add("arrived");
        document.title = "(" + after.dataset.newCount + ") " + document.title.replace(/^\(\d+\) /, "");
      }
      if (claims) after.querySelector(".claims").classList.add("arrived");
      if (orders || claims) chime();
    });
  }

  // Weighing: the price as it is typed, and whether it stays inside the authorisation.
  function weighing() {
    document.querySelectorAll(".weigh-line").forEach(function (line) {
      var price = +line.dataset.price, per = +line.dataset.unitQuantity, limit = +line.dataset.limit;
      var net = line.querySelector("[data-net]"), gross = line.querySelector("[data-gross]"), tare = line.querySelector("[data-tare]");
      var out = line.querySelector(".live-price");
      function update() {
        var amount = net.value ? +net.value : (gross.value ? +gross.value - (+tare.value || 0) : 0);
        if (!(amount > 0)) { out.textContent = ""; return; }
        var won = Math.floor((price * amount * 2 + per) / (2 * per)); // half up, as the server rounds
        var ok = won <= limit;
        out.textContent = amount + " → " + won.toLocaleString("ko-KR") + "원 · " + (ok ? line.dataset.within : line.dataset.over);
        out.className = "live-price " + (ok ? "ok" : "error");
      }
      [net, gross, tare].forEach(function (i) { i.addEventListener("input", update); });
      line.querySelectorAll("[data-cut]").forEach(function (b) {
        b.addEventListener("click", function () {
          document.getElementById(b.dataset.target).value = b.dataset.cut;
          gross.value = ""; tare.value = "";
          update();
        });
      });
      update();
    });
  }

  // The courier's route: the line between stops in order, each stop a numbered circle
  // (pick-ups in green, drop-offs in red, done ones pale). fitBounds before tooltips.
  function routeMap() {
    var el = document.getElementById("route-map");
    if (!el || !window.L) return;
    var stops = JSON.parse(el.dataset.stops || "[]");
    if (!stops.length) { el.hidden = true; return; }
    var map = L.map(el, { attributionControl: !!el.dataset.tiles });
    el.leafletMap = map;
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles).addTo(map);
    // The view first: Leaflet cannot clip a shape onto a map without one.
    var points = stops.map(function (s) { return [s[0], s[1]]; });
    map.fitBounds(L.latLngBounds(points).pad(0.2));
    var area = el.dataset.area && el.dataset.area !== "null" ? JSON.parse(el.dataset.area) : null;
    if (area) L.geoJSON(area, { style: { color: "#5d665f", weight: 1, fillOpacity: 0.05 }, interactive: false }).addTo(map);
    L.polyline(points, { color: "#2f6b3f", weight: 3 }).addTo(map);
    stops.forEach(function (s) {
      var colour = s[3] === "pickup" ? "#2f6b3f" : "#b3261e";
      L.circleMarker([s[0], s[1]], { radius: 11, color: colour, fillOpacity: s[4] ? 0.2 : 0.85, className: "stop-marker" })
        .bindTooltip(String(s[2]), { permanent: true, direction: "center", className: "stop-label" })
        .on("click", function () { var card = document.getElementById("stop-" + s[2]); if (card) card.scrollIntoView(); })
        .addTo(map);
    });
  }

  // The dispatch board: the network's area and each courier's route in its colour.
  function dispatchMap() {
    var el = document.getElementById("dispatch-map");
    if (!el || !window.L) return;
    var data = JSON.parse(el.dataset.map || "{}");
    var map = L.map(el, { attributionControl: false });
    el.leafletMap = map;
    var area = L.geoJSON(data.area, { style: { color: "#5d665f", weight: 1, fillOpacity: 0.06 } }).addTo(map);
    map.fitBounds(area.getBounds());
    var routes = L.layerGroup().addTo(map);
    function draw(data) {
      routes.clearLayers();
      (data.routes || []).forEach(function (r) {
        L.polyline(r.stops.map(function (s) { return [s[0], s[1]]; }), { color: r.colour, weight: 3 }).addTo(routes);
        r.stops.forEach(function (s) {
          L.circleMarker([s[0], s[1]], { radius: 7, color: r.colour, fillOpacity: 0.8, className: "stop-marker" }).addTo(routes);
        });
        // After a hand-over, until the new courier shares a position: where the goods on
        // board wait (the courier before's last position), drawn hollow.
        if (r.courier) {
          L.circleMarker(r.courier, { radius: 10, color: "#111", fillColor: r.colour, fillOpacity: r.goods_only ? 0.15 : 1, weight: 3, dashArray: r.goods_only ? "4 3" : null, className: r.goods_only ? "goods-marker" : "courier-marker" }).addTo(routes);
        }
      });
    }
    draw(data);
    // Live: each event of the network redraws the slots and the routes, positions included.
    var live = document.getElementById("dispatch-live");
    if (!live || !window.EventSource) return;
    function redraw() {
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#dispatch-live");
          var current = document.getElementById("dispatch-live");
          if (!fresh || !current) return;
          current.replaceWith(fresh);
          draw(JSON.parse(fresh.dataset.map || "{}"));
        });
    }
    var source = new EventSource(live.dataset.live);
    source.addEventListener("open", function () { redraw(); document.body.dataset.live = "open"; });
    source.addEventListener("changed", redraw);
  }

  // The courier's pages follow their batches: planned again, handed to or from them, a
  // stop made by the courier before. The page loads again by itself unless the courier is in
  // the middle of something (typing, a form or signature open, stops kept on the phone);
  // then it says so, and a tap loads it. A batch gone (planned again, handed away) leads to
  // where the server sends, the list of batches.
  function liveCourier() {
    var note = document.getElementById("courier-live");
    if (!note || !window.EventSource) return;
    function busy() {
      var a = document.activeElement;
      if (a && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.type !== "checkbox") return true;
      if (document.querySelector(".stops details[open]")) return true;
      var queue = document.getElementById("queue-status");
      return !!queue && !queue.hidden;
    }
    function changed() {
      if (busy()) { note.hidden = false; return; }
      go();
    }
    function go() {
      fetch(location.href, { credentials: "same-origin" }).then(function (r) {
        if (r.status === 404) { location.href = "/courier"; return; }
        if (r.url.split("#")[0] === location.href.split("#")[0]) location.reload();
        else location.href = r.url;
      }, function () { /* offline: the next change tries again */ });
    }
    // Opened again after the connection dropped: a change may have come meanwhile.
    var opened = false;
    var source = new EventSource(note.dataset.live);
    source.addEventListener("open", function () {
      if (opened) changed();
      opened = true;
      document.body.dataset.live = "open";
    });
    source.addEventListener("changed", changed);
    note.querySelector("a").addEventListener("click", function (event) { event.preventDefault(); go(); });
  }

  // A select that chooses what the rest of the page offers sends its own small form.
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { if (select.form) select.form.submit(); });
    });
  }

  function start() { autosubmit(); checkoutMap(); shopMap(); liveOrder(); cardPayment(); liveBoard(); weighing(); routeMap(); dispatchMap(); liveCourier(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // The courier's stop forms and a stall's sale form go by fetch; when the network is gone
  // they wait in a queue kept in the phone (localStorage) and are sent again when it returns,
  // oldest first. Sending a stop twice completes it once (the server answers a stop already
  // done as done); a sale carries a key made at each submit, and a key sent twice records
  // one sale. A queued sale's form is emptied for the next customer.
  // Each account has its own queue, and each form goes with the token of the page sending
  // it: another account signed in on the phone never sends them, and the same account signed
  // in again does. A form the server refuses because the session is over (signed out,
  // expired) stays in the queue until its account signs in again. A stop's form carries the
  // time it was submitted; a photo taken at the door waits with it, in the phone's database
  // for pages (IndexedDB, which holds hundreds of photos where localStorage holds a few).
  (function () {
    // The courier's list of batches sends what is queued too: a batch handed to another
    // courier no longer opens, and a stop made on it before then is still to go.
    var forms = document.querySelectorAll("form[data-queue]");
    var status = document.getElementById("queue-status");
    if (!forms.length && !status) return;
    var account = (status && status.dataset.account) || "";
    var KEY = "golmok-queue:" + account;
    function load() {
      try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
    }
    function save(q) { localStorage.setItem(KEY, JSON.stringify(q)); }
    // Forms queued before queues were an account's each: whoever signs in first sends them
    // (the server refuses what is not theirs) rather than that they be lost.
    var legacy = localStorage.getItem("golmok-courier-queue");
    if (legacy !== null && account) {
      try { save(JSON.parse(legacy).concat(load())); } catch (e) { /* unreadable: dropped */ }
      localStorage.removeItem("golmok-courier-queue");
    }
    var signedOut = false;
    function show() {
      var n = load().length;
      if (!status) return;
      status.hidden = n === 0;
      var text = signedOut ? status.dataset.signIn : status.dataset.text;
      status.textContent = text.replace("{n}", n);
    }
    function token() {
      var field = document.querySelector("input[name=csrf]");
      if (field) return field.value;
      return (status && status.dataset.csrf) || "";
    }
    // The files waiting with queued forms, by key. Without IndexedDB (or when it refuses),
    // a file waits in the queue itself as a data URL.
    var files = {
      db: null,
      open: function () {
        if (files.db) return files.db;
        files.db = new Promise(function (ok, fail) {
          if (!window.indexedDB) { fail(new Error("no IndexedDB")); return; }
          var req = indexedDB.open("golmok-files", 1);
          req.onupgradeneeded = function () { req.result.createObjectStore("files"); };
          req.onsuccess = function () { ok(req.result); };
          req.onerror = function () { fail(req.error); };
        });
        return files.db;
      },
      run: function (mode, act) {
        return files.open().then(function (db) {
          return new Promise(function (ok, fail) {
            var tx = db.transaction("files", mode), req = act(tx.objectStore("files"));
            tx.oncomplete = function () { ok(req.result); };
            tx.onerror = tx.onabort = function () { fail(tx.error); };
          });
        });
      },
      put: function (key, blob) { return files.run("readwrite", function (s) { return s.put(blob, key); }); },
      get: function (key) { return files.run("readonly", function (s) { return s.get(key); }); },
      drop: function (key) { return files.run("readwrite", function (s) { return s.delete(key); }).catch(function () {}); }
    };
    function fileOf(item) {
      if (!item.file) return Promise.resolve(null);
      if (item.file.key) return files.get(item.file.key);
      return Promise.resolve(blobOf(item.file.data));
    }
    // Once the server has answered for a form, its file is no longer needed on the phone.
    function sent(item) { if (item.file && item.file.key) files.drop(item.file.key); }
    function send(item) {
      var body = new URLSearchParams(item.body);
      body.set("csrf", token());
      // Beside when the stop was made, the phone's clock as it goes: the server places the
      // stop on its own clock whatever the phone's is set to.
      if (body.has("made_at")) body.set("sent_at", new Date().toISOString());
      return fileOf(item).then(function (blob) {
        if (!item.file) {
          return fetch(item.action, {
            method: "POST", body: body.toString(), credentials: "same-origin",
            headers: { "Content-Type": "application/x-www-form-urlencoded" }
          });
        }
        var parts = new FormData();
        body.forEach(function (v, k) { parts.append(k, v); });
        // A file the phone lost (its storage cleared): the form goes without it, and the
        // server says what is missing.
        if (blob) parts.append(item.file.field, blob, item.file.name);
        return fetch(item.action, { method: "POST", body: parts, credentials: "same-origin" });
      });
    }
    function blobOf(dataUrl) {
      var comma = dataUrl.indexOf(","), bytes = atob(dataUrl.slice(comma + 1));
      var out = new Uint8Array(bytes.length);
      for (var i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
      return new Blob([out], { type: dataUrl.slice(5, dataUrl.indexOf(";")) });
    }
    // A photo goes, or waits on the phone, as a JPEG at most 1600 px a side (a camera's is
    // several times larger, slow over a weak network, and the server keeps 1280 px anyway),
    // a signature as its PNG; what cannot be read that way goes as the form would.
    function shrunk(file, done) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        // A signature (a PNG of ink on white) stays a PNG: crisp, and small anyway.
        var png = file.type === "image/png";
        canvas.toBlob(done, png ? "image/png" : "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); done(null); };
      img.src = url;
    }
    // An answer that says nothing of the form: the session is over, or the server is down
    // behind its proxy. The form is kept.
    function kept(r) {
      var over = r.headers.get("X-Csrf-Refused") === "1"
        || (r.redirected && new URL(r.url).pathname === "/signin");
      if (over) signedOut = true;
      return over || r.status >= 500;
    }
    // Where the answer leads: the page a redirect names, or the answer itself shown.
    function land(r) {
      if (r.redirected) { location.href = r.url; return; }
      r.text().then(function (html) { document.open(); document.write(html); document.close(); });
    }
    var sending = false;
    function flush() {
      var q = load();
      if (sending || signedOut || !q.length) return;
      sending = true;
      send(q[0]).then(function (r) {
        sending = false;
        if (kept(r)) { show(); return; }
        sent(q[0]);
        save(load().slice(1));
        if (load().length) flush(); else land(r);
      }, function () { sending = false; show(); });
    }
    forms.forEach(function (form) {
      form.addEventListener("submit", function (event) {
        // A signature still on its canvas: its own handler turns it into the file first, then
        // submits again.
        if (form.hasAttribute("data-signature") && !form.querySelector("input[type=file]").files.length) return;
        event.preventDefault();
        var key = form.querySelector("[data-fresh-key]");
        if (key) key.value = "stall-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
        // When the stop was made, not when the network let it through: a stop made before
        // a dispatcher handed the batch on is still the courier's to send.
        var made = form.querySelector("[data-made-at]");
        if (made) made.value = new Date().toISOString();
        var fields = new URLSearchParams(), picked = null;
        new FormData(form).forEach(function (v, k) {
          if (typeof v === "string") fields.append(k, v);
          else if (v.size) picked = { field: k, file: v };
        });
        var item = { action: form.action, body: fields.toString() };
        function queued() {
          var q = load(); q.push(item);
          // Full: the form goes as it would without the queue.
          try { save(q); } catch (e) { sent(item); form.submit(); return; }
          show();
          if (form.hasAttribute("data-queue-reset")) form.reset();
        }
        function go() {
          if (load().length) { queued(); flush(); return; }
          send(item).then(function (r) {
            if (kept(r)) { queued(); return; }
            sent(item);
            land(r);
          }, queued);
        }
        if (!picked) { go(); return; }
        shrunk(picked.file, function (blob) {
          if (!blob) { form.submit(); return; }
          var name = blob.type === "image/png" ? "photo.png" : "photo.jpg";
          var key = "file-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
          files.put(key, blob).then(function () {
            item.file = { field: picked.field, name: name, key: key };
            go();
          }, function () {
            // No database for pages: the file waits in the queue as text.
            var reader = new FileReader();
            reader.onload = function () {
              item.file = { field: picked.field, name: name, data: reader.result };
              go();
            };
            reader.onerror = function () { form.submit(); };
            reader.readAsDataURL(blob);
          });
        });
      });
    });
    window.addEventListener("online", flush);
    setInterval(flush, 3000);
    show();
    flush();
  })();

  // A courier under way who ticks the box shares their position (at most every 30 s), so
  // the stops left are re-timed; the choice is remembered on the phone.
  document.querySelectorAll("[data-share-position]").forEach(function (box) {
    if (!navigator.geolocation) { box.disabled = true; return; }
    var KEY = "golmok-share-position", watch = null, last = 0;
    function send(p) {
      var now = Date.now();
      if (now - last < 30000) return;
      last = now;
      var body = new URLSearchParams({ csrf: box.dataset.csrf, lat: p.coords.latitude, lon: p.coords.longitude });
      fetch(box.dataset.sharePosition, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    }
    function apply() {
      localStorage.setItem(KEY, box.checked ? "1" : "");
      if (box.checked && watch === null) {
        watch = navigator.geolocation.watchPosition(send, function () {}, { enableHighAccuracy: true, maximumAge: 15000 });
      } else if (!box.checked && watch !== null) {
        navigator.geolocation.clearWatch(watch);
        watch = null;
      }
    }
    box.checked = localStorage.getItem(KEY) === "1";
    box.addEventListener("change", apply);
    apply();
  });

  // A signature drawn on the courier's screen goes as a PNG in the form's file field.
  document.querySelectorAll("form[data-signature]").forEach(function (form) {
    var pad = form.querySelector("canvas"), file = form.querySelector("input[type=file]");
    var ctx = pad.getContext("2d"), drawing = false, drawn = false;
    function blank() { ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, pad.width, pad.height); drawn = false; }
    function at(e) {
      var r = pad.getBoundingClientRect();
      return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
    }
    blank();
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    pad.addEventListener("pointerdown", function (e) { drawing = true; var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
    pad.addEventListener("pointermove", function (e) { if (!drawing) return; var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true; });
    ["pointerup", "pointerleave"].forEach(function (k) { pad.addEventListener(k, function () { drawing = false; }); });
    form.querySelector("[data-clear]").addEventListener("click", blank);
    form.addEventListener("submit", function (event) {
      if (file.files.length) return;
      event.preventDefault();
      if (!drawn) return;
      pad.toBlob(function (blob) {
        var dt = new DataTransfer();
        dt.items.add(new File([blob], "signature.png", { type: "image/png" }));
        file.files = dt.files;
        // Through the queue when the form has one (kept on the phone with no network).
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }, "image/png");
    });
  });
})();
