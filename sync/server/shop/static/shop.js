// The hold's countdown and the waiting room's refresh.  The pages work without this:
// the server refuses a lapsed hold and the queue page has a refresh link.
(function () {
  "use strict";
  var clock = document.querySelector("[data-expires]");
  if (clock) {
    var end = Date.parse(clock.getAttribute("data-expires"));
    var out = clock.querySelector(".left");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      clock.classList.toggle("low", left <= 60);
      if (left === 0) {
        document.querySelectorAll("[data-hold-form] button, [data-hold-form] input").forEach(function (el) {
          el.disabled = true;
        });
        var gone = document.getElementById("expired");
        if (gone) { gone.hidden = false; gone.focus(); }
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  }
  var queue = document.querySelector("[data-queue-refresh]");
  if (queue) {
    window.setTimeout(function () { window.location.reload(); },
      1000 * Number(queue.getAttribute("data-queue-refresh")));
  }
})();
