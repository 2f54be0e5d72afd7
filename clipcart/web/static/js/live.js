// LIVE room: tick flash-sale countdowns; when one reaches zero, reload the room state.
// (Realtime events and chat: live-room.js, which opens the page's one event stream.)
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
  document.addEventListener("DOMContentLoaded", tick);
})();
