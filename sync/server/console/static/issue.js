// Bulk issuing with progress: a big order goes in parts of 500, each its own request,
// so the person sees it move and no part holds the database for long.  Without this
// script the form posts once and the server issues everything.
(function () {
  "use strict";
  var form = document.getElementById("issue-form");
  if (!form || !window.fetch) { return; }
  var PART = 500;
  form.addEventListener("submit", function (event) {
    var quantity = parseInt(form.elements.quantity.value, 10);
    if (!(quantity > PART) || quantity > 10000) { return; }  // the server says why
    event.preventDefault();
    var bar = document.getElementById("issue-progress");
    var status = document.getElementById("issue-status");
    var csrf = document.body.getAttribute("data-csrf");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.hidden = false;
    bar.max = quantity;
    var done = 0;
    function show(text) { status.textContent = text; }
    function fail(text) { button.disabled = false; show(text); }
    function post(url, count) {
      var body = new FormData(form);
      body.set("quantity", String(count));
      return fetch(url, { method: "POST", body: body, headers: { "X-CSRF-Token": csrf },
                          credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); });
    }
    function next(orderId) {
      if (done >= quantity) {
        window.location.href = form.action.replace(/\/events\/\d+\/orders$/, "/orders/" + orderId);
        return;
      }
      var count = Math.min(PART, quantity - done);
      post(form.action.replace(/\/events\/\d+\/orders$/, "/orders/" + orderId + "/more"), count)
        .then(function (res) {
          if (!res[0]) { fail(res[1].error || "error"); return; }
          done += res[1].issued; bar.value = done; show(done + " / " + quantity);
          next(orderId);
        }, function () { fail("network error: " + done + " / " + quantity + " issued; retry the rest"); });
    }
    post(form.action + "?first=" + Math.min(PART, quantity), Math.min(PART, quantity))
      .then(function (res) {
        if (!res[0]) { fail(res[1].error || "error"); return; }
        done = res[1].issued; bar.value = done; show(done + " / " + quantity);
        next(res[1].order_id);
      }, function () { fail("network error"); });
  });
})();
