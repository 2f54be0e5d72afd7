// LIVE room: tick flash-sale countdowns, and refresh the room state on realtime events.
(function () {
  function tick() {
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.countdownTo) - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = (m ? m + ":" + String(s).padStart(2, "0") : s + "s");
      if (left === 0 && !el.dataset.fired) { el.dataset.fired = "1"; document.body.dispatchEvent(new Event("live-refresh")); }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    var room = document.querySelector("[data-events-url]");
    if (!room || !window.EventSource) return;
    var source = new EventSource(room.dataset.eventsUrl), failures = 0;
    ["pin", "flash_sale", "stock", "status", "bag"].forEach(function (name) {
      source.addEventListener(name, function () { document.body.dispatchEvent(new Event("live-refresh")); });
    });
    source.onerror = function () { if (++failures > 3) source.close(); };  // the htmx poll carries on
  });
})();
