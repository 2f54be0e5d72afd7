// Checkout: the buy box follows the chosen variant; the card is tokenized at the payment
// provider from the browser, and only the token is posted to the platform.
(function () {
  "use strict";

  document.querySelectorAll("form[data-buy-box]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var picked = document.querySelector('[data-role="sku-id"]');
      if (picked && picked.value) {
        form.querySelector('[data-role="buy-sku"]').value = picked.value;
      }
    });
  });

  var card = document.getElementById("card-form");
  var pay = document.getElementById("pay-form");
  if (!card || !pay) return;
  var error = card.querySelector('[data-role="card-error"]');
  var button = card.querySelector('button[type="submit"]');

  function field(name) {
    return card.querySelector('[data-card="' + name + '"]').value.replace(/\s+/g, "");
  }

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    button.disabled = false;
  }

  card.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    var body = {
      number: field("number"),
      exp_month: parseInt(field("exp_month"), 10),
      exp_year: parseInt(field("exp_year"), 10),
      cvc: field("cvc"),
    };
    fetch(card.dataset.tokensUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(function (data) { return [response.ok, data]; });
      })
      .then(function (result) {
        if (!result[0] || !result[1].token) {
          var detail = result[1] && (result[1].detail || (result[1].error && result[1].error.message));
          fail(detail || "Check the card details and try again.");
          return;
        }
        pay.querySelector('[name="payment_token"]').value = result[1].token;
        pay.submit();
      })
      .catch(function () { fail("Could not reach the payment provider. Try again."); });
  });
})();
