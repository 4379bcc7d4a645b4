// The photo and its comparison: fitted to the window, the original over the colorized photo
// and clipped at a divider that the mouse, a finger or the keyboard moves.
"use strict";

// The photo as large as the stage allows, never taller than the window (on a phone, 70% of
// it: the controls follow under it); the original over it at the same size, clipped.
const ROOM_BELOW_PX = 16;
function fitPhoto() {
  if (result.hidden || !after.naturalWidth) return;
  const phone = window.matchMedia("(max-width: 760px)").matches;
  const top = compare.parentElement.getBoundingClientRect().top + window.scrollY;
  const height = phone ? window.innerHeight * 0.7 : window.innerHeight - top - ROOM_BELOW_PX;
  const scale = Math.min(result.parentElement.clientWidth / after.naturalWidth,
                         height / after.naturalHeight);
  for (const image of [after, before]) {
    image.style.width = `${Math.floor(after.naturalWidth * scale)}px`;
    image.style.height = `${Math.floor(after.naturalHeight * scale)}px`;
  }
}

// ----- the divider between the original (left) and the colorized photo (right) -----
function setDivider(percent) {
  const value = Math.min(100, Math.max(0, Math.round(percent)));
  beforeClip.style.width = `${value}%`;
  divider.style.left = `${value}%`;
  divider.setAttribute("aria-valuenow", value);
  divider.setAttribute("aria-valuetext", `${value}% original`);
  tagBefore.hidden = value < 12;
  tagAfter.hidden = value > 88;
}

divider.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  divider.focus();
  divider.setPointerCapture(event.pointerId);
  const follow = (move) => {
    const box = compare.getBoundingClientRect();
    setDivider((move.clientX - box.left) / box.width * 100);
  };
  divider.addEventListener("pointermove", follow);
  divider.addEventListener("pointerup", () => divider.removeEventListener("pointermove", follow),
                           { once: true });
});
divider.addEventListener("keydown", (event) => {
  const now = Number(divider.getAttribute("aria-valuenow"));
  const step = event.shiftKey ? 10 : 1;
  const moves = { ArrowLeft: now - step, ArrowDown: now - step, ArrowRight: now + step,
                  ArrowUp: now + step, PageDown: now - 10, PageUp: now + 10, Home: 0, End: 100 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  setDivider(moves[event.key]);
});
window.addEventListener("resize", fitPhoto);
