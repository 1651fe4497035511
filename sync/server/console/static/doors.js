// The dashboard, live: the server sends the panel again whenever its figures change
// (server-sent events); the browser reconnects by itself after a drop.
(function () {
  "use strict";
  var panel = document.getElementById("doors");
  var state = document.getElementById("live-state");
  if (!panel || !window.EventSource) { return; }
  var source = new EventSource(panel.getAttribute("data-stream"));
  source.addEventListener("doors", function (event) {
    panel.innerHTML = event.data;
    state.textContent = state.getAttribute("data-live") + " · " + new Date().toLocaleTimeString();
  });
  source.addEventListener("open", function () { state.textContent = state.getAttribute("data-live"); });
  source.addEventListener("error", function () { state.textContent = state.getAttribute("data-reconnecting"); });
})();
