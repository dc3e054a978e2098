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

  var form = document.querySelector(".cmr-form");
  if (!form) return;

  var bookNode = document.getElementById("book-data");
  var book = bookNode ? JSON.parse(bookNode.textContent) : {clients: [], carriers: [], products: []};
  var lines = form.querySelector("[data-lines]");
  var template = document.getElementById("goods-line-template");

  function find(list, id) {
    for (var i = 0; i < list.length; i++) if (String(list[i].id) === String(id)) return list[i];
    return null;
  }

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
  form.querySelectorAll("select[data-pick]").forEach(function (select) {
    select.addEventListener("change", function () {
      var entry = find(book[select.getAttribute("data-pick")] || [], select.value);
      if (!entry) return;
      var prefix = select.getAttribute("data-prefix");
      var keys = PARTY.concat(prefix === "carrier" ? ["vehicle_registration"] : []);
      keys.forEach(function (key) { setField(prefix + "." + key, entry[key]); });
      var more = select.closest("fieldset").querySelector("details.more");
      if (more && (entry.email || entry.phone)) more.open = true;
    });
  });

  var productPick = form.querySelector("select[data-pick-product]");
  if (productPick) {
    productPick.addEventListener("change", function () {
      var product = find(book.products || [], productPick.value);
      productPick.value = "";
      if (!product) return;
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
    });
  }

  // Box 14: free text only when "Other" is chosen.
  var payment = form.querySelector("select[data-other]");
  if (payment) {
    var other = form.querySelector("[data-other-field]");
    payment.addEventListener("change", function () {
      other.hidden = payment.value !== payment.getAttribute("data-other");
      if (!other.hidden) other.querySelector("input").focus();
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
