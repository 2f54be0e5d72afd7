// Share buttons on video pages: the system share sheet, or copy the link; then count it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-share]");
  if (!button) return;
  const url = new URL(button.dataset.url, window.location.origin).toString();
  let channel = "link";
  try {
    if (navigator.share) { await navigator.share({ url }); channel = "message"; }
    else if (navigator.clipboard) { await navigator.clipboard.writeText(url); }
  } catch (_) { return; }
  const answer = await fetch(button.dataset.share, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ channel }), credentials: "same-origin" });
  if (answer.ok) {
    const data = await answer.json();
    const count = button.querySelector("[data-role=share-count]");
    if (count) count.textContent = data.share_count;
    button.classList.add("on");
  }
});
