/* CMR Online: the little behaviour the pages need. No framework; every page works
   without it, only less comfortably (except adding goods lines). */
(function () {
  "use strict";

  // Forms that delete ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // The document list: "select all" ticks every document on the page.
  var pickAll = document.getElementById("pick-all");
  if (pickAll) {
    pickAll.addEventListener("change", function () {
      var boxes = document.querySelectorAll('#bulk-print input[name="ids"]');
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = pickAll.checked;
    });
  }

  // "Copy" buttons next to read-only inputs.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () {
      var old = button.textContent;
      button.textContent = "✓";
      setTimeout(function () { button.textContent = old; }, 1200);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () {});
    else { document.execCommand("copy"); done(); }
  });

  // A form sent back with errors: the list of every problem is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var form = document.querySelector(".cmr-form");
  if (!form) return;

  var lines = form.querySelector("[data-lines]");
  var template = document.getElementById("goods-line-template");

  function setField(name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) return;
    input.value = value === null || value === undefined ? "" : value;
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // Goods lines: inputs are named goods.<n>.<field>; after adding or removing a line the
  // lines are renumbered so the names stay 0, 1, 2 … as the server expects.
  function renumber() {
    var rows = lines.querySelectorAll("[data-line]");
    rows.forEach(function (row, n) {
      row.querySelectorAll("[name^='goods.']").forEach(function (input) {
        input.name = input.name.replace(/^goods\.[^.]+\./, "goods." + n + ".");
      });
      row.querySelectorAll("[id^='f-goods-']").forEach(function (el) {
        el.id = el.id.replace(/^f-goods-[^-]+-/, "f-goods-" + n + "-");
      });
      row.querySelectorAll("label[for^='f-goods-']").forEach(function (el) {
        el.htmlFor = el.htmlFor.replace(/^f-goods-[^-]+-/, "f-goods-" + n + "-");
      });
      var no = row.querySelector("[data-line-no]");
      if (no) no.textContent = n + 1;
    });
  }

  // The server refuses more lines than a CMR may have; the button stops offering them.
  var maxLines = parseInt(lines.getAttribute("data-max-lines"), 10) || 0;
  var addButton = form.querySelector("[data-add-line]");

  function updateAddButton() {
    if (addButton && maxLines) addButton.disabled = lines.querySelectorAll("[data-line]").length >= maxLines;
  }
  updateAddButton();

  function addLine() {
    if (maxLines && lines.querySelectorAll("[data-line]").length >= maxLines) return null;
    var fragment = template.content.cloneNode(true);
    lines.appendChild(fragment);
    renumber();
    updateAddButton();
    var rows = lines.querySelectorAll("[data-line]");
    return rows[rows.length - 1];
  }

  function lineIsEmpty(row) {
    var inputs = row.querySelectorAll("input, select");
    for (var i = 0; i < inputs.length; i++) if (inputs[i].value.trim() !== "") return false;
    return true;
  }

  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-add-line]")) {
      var row = addLine();
      if (!row) return;
      var first = row.querySelector("input");
      if (first) first.focus();
    }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      var line = remove.closest("[data-line]");
      if (lines.querySelectorAll("[data-line]").length > 1) line.remove();
      else line.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
      renumber();
      updateAddButton();
    }
  });

  // Address book picks: the chosen entry is copied into the fields; what is saved is
  // what the fields show, so later address-book edits never touch this document.
  var PARTY = ["name", "address", "postal_code", "city", "country", "tax_id", "email", "phone"];
  // A picked party's usual place goes to its place box, unless the user typed one there.
  var PLACE_BOX = {consignee: ["place_of_delivery", ["city", "country", "address"]],
                   sender: ["taking_over", ["city", "country"]]};

  function fieldValue(name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value.trim() : "";
  }

  function fillPlace(role, place) {
    var box = PLACE_BOX[role];
    if (!box || !place) return;
    var filled = box[0];
    var typed = box[1].some(function (key) {
      var input = form.querySelector('[name="' + filled + "." + key + '"]');
      return input && input.value.trim() !== "" && input.getAttribute("data-filled") !== "1";
    });
    if (typed) return;
    box[1].forEach(function (key) {
      setField(filled + "." + key, place[key]);
      var input = form.querySelector('[name="' + filled + "." + key + '"]');
      if (input) input.setAttribute("data-filled", "1");
    });
  }
  form.addEventListener("input", function (event) {  // typed by hand: no longer ours to replace
    if (event.target.hasAttribute("data-filled")) event.target.removeAttribute("data-filled");
  });

  function fillParty(prefix, entry) {
    var keys = PARTY.concat(prefix === "carrier" ? ["vehicle_registration"] : []);
    keys.forEach(function (key) { setField(prefix + "." + key, entry[key]); });
    var box = form.querySelector("#box-" + prefix);
    var more = box && box.querySelector("details.more");
    if (more && (entry.email || entry.phone)) more.open = true;
  }

  function addProduct(product) {
    var rows = lines.querySelectorAll("[data-line]");
    var row = rows.length && lineIsEmpty(rows[rows.length - 1]) ? rows[rows.length - 1] : addLine();
    if (!row) return;
    var n = Array.prototype.indexOf.call(lines.querySelectorAll("[data-line]"), row);
    ["marks", "packages", "packing", "nature", "statistical_number", "gross_weight_kg", "volume_m3"]
      .forEach(function (key) { setField("goods." + n + "." + key, product[key]); });
    var adr = product.adr || {};
    setField("goods." + n + ".adr.class", adr["class"]);
    setField("goods." + n + ".adr.un_number", adr.un_number);
    setField("goods." + n + ".adr.packing_group", adr.packing_group);
    setField("goods." + n + ".adr.proper_shipping_name", adr.proper_shipping_name);
    setField("goods." + n + ".adr.tunnel_code", adr.tunnel_code);
    setField("goods." + n + ".adr.environmentally_hazardous", adr.environmentally_hazardous ? "True" : "");
  }

  function describeEntry(entry) {
    var where = [entry.city, entry.country ? "(" + entry.country + ")" : ""].filter(Boolean).join(" ");
    if (entry.vehicle_registration) where = [where, entry.vehicle_registration].filter(Boolean).join(" · ");
    if (!where && entry.nature && entry.nature !== entry.name) where = entry.nature;
    return where;
  }

  // The searchable pickers: an ARIA combobox whose listbox is filled from
  // /documents/lookup/<kind>?q= (at most ten entries) as the user types. Keyboard first:
  // type, ↓ ↑ to move, Enter to pick, Escape to close (a second Escape clears).
  function setupPicker(wrap) {
    var input = wrap.querySelector("[role=combobox]");
    var list = wrap.querySelector("[role=listbox]");
    var status = wrap.querySelector("[data-picker-status]");
    var prefix = wrap.getAttribute("data-prefix");
    var role = wrap.getAttribute("data-role");
    var url = wrap.getAttribute("data-lookup");
    // pending: text typed that no answer has been shown for yet (Enter then waits for it).
    var items = [], active = -1, timer = null, asked = 0, pending = false;
    wrap.hidden = false;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(n) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (n + options.length) % options.length;
      options.forEach(function (el, i) { el.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function show(found) {
      items = found;
      list.innerHTML = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "combo-none";
        none.textContent = wrap.getAttribute("data-none");
        list.appendChild(none);
      }
      found.forEach(function (entry, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-index", String(i));
        var name = document.createElement("span");
        name.className = "combo-name";
        name.textContent = entry.name || "";
        li.appendChild(name);
        var where = describeEntry(entry);
        if (where) {
          var more = document.createElement("span");
          more.className = "combo-more";
          more.textContent = where;
          li.appendChild(more);
        }
        list.appendChild(li);
      });
      status.textContent = found.length ? wrap.getAttribute("data-found").replace("{n}", String(found.length)) : wrap.getAttribute("data-none");
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }

    function search(then) {
      clearTimeout(timer);
      var mine = ++asked;
      var address = url + "?q=" + encodeURIComponent(input.value.trim()) + (role ? "&role=" + role : "");
      fetch(address, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (body) {
          if (mine !== asked) return;  // an older answer after a newer question
          pending = false;
          show(body.items || []);
          if (then) then();
        })
        .catch(function () {
          if (mine !== asked) return;
          pending = false;
          status.textContent = wrap.getAttribute("data-failed");
          close();
        });
    }

    function pick(i) {
      var entry = items[i];
      if (!entry) return;
      close();
      if (prefix === "product") {
        input.value = "";
        addProduct(entry);
      } else {
        input.value = entry.name || "";
        fillParty(prefix, entry);
        if (role) fillPlace(role, entry.usual_place);
      }
      status.textContent = entry.name || "";
    }

    input.addEventListener("input", function () {
      pending = true;
      clearTimeout(timer);
      timer = setTimeout(function () { search(); }, 150);
    });
    input.addEventListener("click", function () { if (list.hidden) search(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        if (list.hidden) search(function () { highlight(step > 0 ? 0 : -1); });
        else highlight(active === -1 && step < 0 ? -1 : active + step);
      } else if (event.key === "Enter") {
        event.preventDefault();  // never submits the form from here
        if (pending) {  // typed faster than the list followed: pick from the answer to what is typed
          search(function () { if (items.length) pick(0); });
          return;
        }
        if (list.hidden) return;
        pick(active === -1 ? 0 : active);
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
        else if (input.value) { event.preventDefault(); input.value = ""; }
      } else if (event.key === "Tab") {
        close();
      }
    });
    // mousedown, not click: picking must happen before the input's blur closes the list.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      event.preventDefault();
      if (option) pick(parseInt(option.getAttribute("data-index"), 10));
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
  form.querySelectorAll("[data-picker]").forEach(setupPicker);
  var start = form.getAttribute("data-start-picker");
  var startInput = start && document.getElementById(start);
  if (startInput && !startInput.closest("[hidden]") && document.activeElement === document.body) {
    startInput.focus({preventScroll: true});
  }

  // "Use last carrier": the carrier and vehicle of the newest document, in one click.
  form.querySelectorAll("[data-use-carrier]").forEach(function (button) {
    button.closest("[data-last-carrier]").hidden = false;
    button.addEventListener("click", function () {
      var carrier = JSON.parse(button.getAttribute("data-use-carrier"));
      fillParty("carrier", carrier);
      var picker = form.querySelector("#pick-carrier");
      if (picker) picker.value = carrier.name || "";
    });
  });

  // Box 14: free text only when "Other" is chosen.
  var payment = form.querySelector("select[data-other]");
  if (payment) {
    var other = form.querySelector("[data-other-field]");
    payment.addEventListener("change", function () {
      other.hidden = payment.value !== payment.getAttribute("data-other");
      if (!other.hidden) other.querySelector("input").focus();
    });
  }
})();

// The sticky top bar is taller when its links wrap: what is scrolled to (a settings
// section after its redirect, #plan, #users...; a field reached with Tab) keeps clear of
// it by the bar's real height (--topbar-h, used by the scroll padding and margins).
(function () {
  var bar = document.querySelector(".topbar");
  if (!bar) return;
  document.documentElement.style.setProperty("--topbar-h", bar.getBoundingClientRect().height + "px");
  if (!document.querySelector(".settings")) return;
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView();
})();

// A field reached with Tab stays clear of the sticky bars. The scroll padding (app.css)
// covers what the browser scrolls to; Chromium leaves a field that is already partly in
// view where it is, half under the save bar, so the rest is scrolled by hand.
(function () {
  var saveBar = document.querySelector(".save-bar");
  var topBar = document.querySelector(".topbar");
  if (!saveBar) return;
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (!el.getBoundingClientRect || saveBar.contains(el)) return;
    var r = el.getBoundingClientRect(), below = saveBar.getBoundingClientRect().top - 8;
    var above = topBar && getComputedStyle(topBar).position === "sticky" ? topBar.getBoundingClientRect().bottom + 8 : 8;
    if (r.bottom > below && r.top - (r.bottom - below) >= above) window.scrollBy(0, r.bottom - below);
    else if (r.top < above) window.scrollBy(0, r.top - above);
  });
})();
