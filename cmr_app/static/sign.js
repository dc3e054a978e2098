/* The signing page: a signature pad, photos shrunk on the phone, the position when
   allowed, and a submission kept on the phone until the server has it, so a signature
   captured without a connection is sent, with its capture time, once it is back. */
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  var form = document.getElementById("sign-form");
  if (!form) return;
  var texts = JSON.parse(document.getElementById("texts").innerHTML);
  var key = "cmr-sign-" + form.dataset.token;
  var canvas = document.getElementById("pad");
  var pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: "#0b1f44" });
  var photos = [];
  var position = null;
  var sending = false;
  var unsaved = null;  // a submission the phone could not store (storage full)

  function fitCanvas() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", fitCanvas);
  fitCanvas();
  document.getElementById("pad-clear").addEventListener("click", function () { pad.clear(); });

  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        resolve(c.toDataURL("image/jpeg", 0.82));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("image")); };
      img.src = url;
    });
  }
  document.getElementById("photos").addEventListener("change", function (e) {
    var files = Array.prototype.slice.call(e.target.files, 0, 5);
    show("photos", e.target.files.length > 5);
    Promise.all(files.map(shrink)).then(function (urls) {
      photos = urls;
      var box = document.getElementById("photo-previews");
      box.textContent = "";
      urls.forEach(function (u) { var i = document.createElement("img"); i.src = u; box.appendChild(i); });
    }, function () { show("photos", true); });
  });
  document.getElementById("use-position").addEventListener("change", function (e) {
    if (!e.target.checked) { position = null; return; }
    if (!navigator.geolocation) { e.target.checked = false; return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy };
    }, function () { e.target.checked = false; position = null; }, { enableHighAccuracy: true, timeout: 15000 });
  });

  function show(name, on) {
    var el = form.querySelector("[data-error='" + name + "']");
    if (el) el.hidden = !on;
  }
  function state(which) {
    form.hidden = which !== "form";
    document.getElementById("sign-pending").hidden = which !== "pending";
    document.getElementById("sign-done").hidden = which !== "done";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null") || unsaved; } catch (e) { return unsaved; }
  }
  function forget() {
    unsaved = null;
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  function send() {
    var payload = stored();
    if (!payload || sending) return;
    sending = true;
    fetch(form.dataset.url, { method: "POST", headers: { "Content-Type": "application/json" },
                              body: JSON.stringify(payload), credentials: "omit" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (res) {
        sending = false;
        if (res.status === 200 || res.status === 201) {
          forget();
          state("done");
          window.location.reload();
          return;
        }
        if (res.status >= 500 || res.status === 429) { state("pending"); return; }  // try again later
        forget();
        var error = (res.body && res.body.error) || {};
        var details = Object.keys(error.details || {}).map(function (k) { return error.details[k].join(" "); });
        var box = document.getElementById("form-error");
        box.textContent = texts.error_generic + " " + (details.join(" ") || error.message || res.status);
        box.hidden = false;
        if (res.status === 410) { window.location.reload(); return; }
        state("form");
      }, function () {  // no connection: keep it on the phone
        sending = false;
        state("pending");
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var name = form.signer_name.value.trim();
    show("signer_name", !name);
    show("signature", pad.isEmpty());
    if (!name || pad.isEmpty()) return;
    var reservations = Array.prototype.map.call(form.querySelectorAll("input[name=reservation]:checked"),
                                                function (el) { return { code: el.value, text: "" }; });
    var remarks = form.remarks ? form.remarks.value.trim() : "";
    if (remarks) reservations.push({ code: "other", text: remarks });
    var payload = { signer_name: name, signature: pad.toDataURL("image/png"), reservations: reservations,
                    position: position, photos: photos, captured_at: new Date().toISOString(),
                    submission_id: uuid() };
    try {
      localStorage.setItem(key, JSON.stringify(payload));
    } catch (err) {  // storage full (large photos): kept in this page only
      unsaved = payload;
    }
    document.getElementById("sign-submit").textContent = texts.sending;
    send();
  });

  if (stored()) { state("pending"); send(); }
  window.addEventListener("online", send);
  setInterval(function () { if (stored()) send(); }, 10000);
})();
