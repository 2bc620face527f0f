// The inbox: show the example exactly as it will be stored while the reviewer edits it.
"use strict";

(function () {
  const form = document.getElementById("inbox-form");
  if (!form) return;
  const text = document.getElementById("text");
  const shown = document.getElementById("stored-as");
  let timer = null;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(form.dataset.stored + "?text=" + encodeURIComponent(text.value), { credentials: "same-origin" });
      if (response.ok) shown.textContent = (await response.json()).stored;
    }, 300);
  });
})();
