// The Stripe pay page (templates/billing/stripe_checkout.html). Stripe.js collects the
// card (or runs BLIK / Przelewy24); our server makes and checks the intents and books.
(function () {
  "use strict";
  var root = document.getElementById("stripe-pay");
  if (!root || typeof Stripe !== "function") { return; }
  var stripe = Stripe(root.dataset.key);
  var message = document.getElementById("pay-message");

  function show(text) { message.textContent = text || root.dataset.failed; message.hidden = false; }
  function busy(form, on) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = on; });
    if (on) { message.hidden = true; }
  }
  function post(url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error((body.error && body.error.message) || root.dataset.failed); }
        return body;
      });
    });
  }
  function confirm(data) { return post(root.dataset.confirmUrl, data); }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // What the server answered about a payment: paid, a 3-D Secure step, or still on its way.
  function follow(result, tries) {
    if (result.status === "paid") { window.location.assign(result.redirect); return Promise.resolve(); }
    if (result.status === "requires_action") {
      return stripe.confirmCardPayment(result.client_secret).then(function (r) {
        if (r.error) { throw new Error(r.error.message); }
        return confirm({payment_intent: result.payment_intent}).then(function (next) { return follow(next, 0); });
      });
    }
    if (result.status === "processing" && (tries || 0) < 60) {
      show(root.dataset.waiting);
      return sleep(2000).then(function () {
        return confirm({payment_intent: result.payment_intent});
      }).then(function (next) { return follow(next, (tries || 0) + 1); });
    }
    throw new Error(root.dataset.failed);
  }

  var cardForm = document.getElementById("pay-card");
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  cardForm.addEventListener("submit", function (event) {
    event.preventDefault();
    busy(cardForm, true);
    post(root.dataset.intentUrl, {method: "card"}).then(function (intent) {
      if (intent.status) { return follow(intent, 0); }  // already paid or under way
      return stripe.confirmCardSetup(intent.client_secret, {payment_method: {card: card}}).then(function (r) {
        if (r.error) { throw new Error(r.error.message); }
        return confirm({setup_intent: r.setupIntent.id}).then(function (result) { return follow(result, 0); });
      });
    }).catch(function (error) { show(error.message); }).then(function () { busy(cardForm, false); });
  });

  // BLIK and Przelewy24 are offered where this Stripe.js can do them.
  var blik = document.getElementById("pay-blik");
  if (blik && typeof stripe.confirmBlikPayment === "function") {
    blik.hidden = false;
    blik.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = blik.elements.code.value.replace(/\s/g, "");
      if (!/^[0-9]{6}$/.test(code)) { show(root.dataset.codeNeeded); return; }
      busy(blik, true);
      post(root.dataset.intentUrl, {method: "blik"}).then(function (intent) {
        if (intent.status) { return follow(intent, 0); }
        return stripe.confirmBlikPayment(intent.client_secret, {
          payment_method: {blik: {}}, payment_method_options: {blik: {code: code}}
        }).then(function (r) {
          if (r.error) { throw new Error(r.error.message); }
          return confirm({payment_intent: r.paymentIntent.id}).then(function (result) { return follow(result, 0); });
        });
      }).catch(function (error) { show(error.message); }).then(function () { busy(blik, false); });
    });
  }
  var p24 = document.getElementById("pay-p24");
  if (p24 && typeof stripe.confirmP24Payment === "function") {
    p24.hidden = false;
    p24.addEventListener("submit", function (event) {
      event.preventDefault();
      busy(p24, true);
      post(root.dataset.intentUrl, {method: "p24"}).then(function (intent) {
        if (intent.status) { return follow(intent, 0); }
        return stripe.confirmP24Payment(intent.client_secret, {
          payment_method: {billing_details: {email: p24.elements.email.value}},
          return_url: root.dataset.returnUrl
        }).then(function (r) { if (r.error) { throw new Error(r.error.message); } });
      }).catch(function (error) { show(error.message); }).then(function () { busy(p24, false); });
    });
  }
}());
