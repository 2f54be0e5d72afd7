// The feed: autoplay the visible video (muted; tap to unmute), load more items near the
// end, open a product's buy sheet from its anchor card.
(function () {
  "use strict";
  const feed = document.querySelector("[data-feed]");
  if (!feed) return;
  let soundOn = false;

  const playing = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const video = entry.target;
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
        if (video.preload === "none") video.preload = "auto";
        video.muted = !soundOn;
        const started = video.play();
        if (started && started.catch) started.catch(() => { video.muted = true; video.play().catch(() => {}); });
        video.closest("[data-testid=feed-item]")?.setAttribute("data-playing", "true");
        countView(video);
      } else {
        video.pause();
        video.closest("[data-testid=feed-item]")?.removeAttribute("data-playing");
      }
    }
  }, { threshold: [0, 0.6, 1] });

  // A view counts once per page load, after two seconds on screen (engagement rates in the
  // ranking are per view).
  function countView(video) {
    const item = video.closest("[data-testid=feed-item]");
    if (!item || item.dataset.type !== "video" || item.dataset.viewed) return;
    clearTimeout(video._viewTimer);
    video._viewTimer = setTimeout(() => {
      if (video.paused || item.dataset.viewed) return;
      item.dataset.viewed = "1";
      fetch("/api/v1/videos/" + item.dataset.id + "/views", { method: "POST", credentials: "omit" }).catch(() => {});
    }, 2000);
  }

  const more = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) loadMore(entry.target);
    }
  }, { rootMargin: "0px 0px 150% 0px" });

  function wire(root) {
    root.querySelectorAll("video.feed-media").forEach((v) => playing.observe(v));
    root.querySelectorAll(".feed-next").forEach((s) => more.observe(s));
  }

  async function loadMore(sentinel) {
    if (sentinel.dataset.loading) return;
    sentinel.dataset.loading = "1";
    more.unobserve(sentinel);
    const params = new URLSearchParams({ page_token: sentinel.dataset.next, tab: feed.dataset.tab || "for_you", m: feed.dataset.m || "" });
    try {
      const answer = await fetch("/feed/more?" + params.toString(), { credentials: "same-origin" });
      if (!answer.ok) throw new Error(String(answer.status));
      const holder = document.createElement("div");
      holder.innerHTML = await answer.text();
      const nodes = Array.from(holder.children);
      sentinel.replaceWith(...nodes);
      for (const node of nodes) {
        if (node.classList.contains("feed-next")) more.observe(node);
        else node.querySelectorAll("video.feed-media").forEach((v) => playing.observe(v));
      }
    } catch (err) {
      delete sentinel.dataset.loading;
      setTimeout(() => more.observe(sentinel), 3000);
    }
  }

  feed.addEventListener("click", (event) => {
    const target = event.target;
    const sound = target.closest("[data-sound]");
    const video = target.closest("video.feed-media");
    if (sound || (video && !video.closest("a"))) {
      soundOn = !soundOn;
      feed.querySelectorAll("video.feed-media").forEach((v) => { v.muted = !soundOn; });
      feed.querySelectorAll("[data-sound]").forEach((b) => {
        b.setAttribute("aria-pressed", String(soundOn));
        b.setAttribute("aria-label", soundOn ? "Mute" : "Unmute");
      });
      return;
    }
    const anchor = target.closest("[data-sheet]");
    if (anchor) {
      const sheet = document.getElementById(anchor.dataset.sheet);
      if (sheet && sheet.showModal) sheet.showModal();
      return;
    }
    const close = target.closest("[data-close]");
    if (close) close.closest("dialog")?.close();
  });
  feed.addEventListener("click", (event) => {
    if (event.target instanceof HTMLDialogElement) event.target.close();  // tap outside the sheet
  });

  wire(feed);
})();
