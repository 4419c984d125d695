// Counts down every <time class="countdown" datetime="…"> on the page (a number's hold in the
// cart), and says when it ran out. The server renders the starting value, so nothing is lost
// without scripts; htmx swaps bring new elements, which the next tick picks up.
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown").forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.getAttribute("datetime")) - now) / 1000));
      if (left === 0) {
        var p = el.parentElement;
        if (p && el.dataset.expired) {
          p.textContent = el.dataset.expired;
          p.classList.add("hold-expired");
        }
        return;
      }
      var s = left % 60;
      el.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    });
  }
  setInterval(tick, 1000);
})();
