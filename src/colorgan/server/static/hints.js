// Color hints: points in the photo's own pixels with a color; each has a marker on the photo
// (drag it, or focus it and use the arrow keys; Delete removes it) and an entry in the list.
"use strict";
const hints = [];
const KEY_STEP = 0.01;  // arrow keys move a hint by 1% of the photo's side (Shift: 5%)

// A point inside the photo's own pixels, however far a drag or a key went past its edge.
function inPhoto(x, y) {
  return { x: Math.min(Math.max(x, 0), after.naturalWidth - 1),
           y: Math.min(Math.max(y, 0), after.naturalHeight - 1) };
}

function photoPoint(event) {
  const box = after.getBoundingClientRect();
  return inPhoto((event.clientX - box.left) / box.width * after.naturalWidth,
                 (event.clientY - box.top) / box.height * after.naturalHeight);
}

function addHint(x, y, color) {
  const hint = { x, y, color, marker: document.createElement("button"),
                 item: document.createElement("li") };
  hint.marker.type = "button";
  hint.marker.className = "hint-marker";
  hint.marker.addEventListener("keydown", (event) => moveByKey(hint, event));
  hint.marker.addEventListener("pointerdown", (event) => drag(hint, event));
  const picker = Object.assign(document.createElement("input"), { type: "color", value: color });
  picker.addEventListener("input", () => { hint.color = picker.value; showHint(hint); scheduleColorize(); });
  const remove = Object.assign(document.createElement("button"), { type: "button",
                                                                   textContent: "Remove" });
  remove.addEventListener("click", () => removeHint(hint));
  const swatch = Object.assign(document.createElement("span"), { className: "swatch" });
  hint.item.append(swatch, document.createElement("span"), picker, remove);
  hints.push(hint);
  markers.append(hint.marker);
  hintList.append(hint.item);
  renumber();
  scheduleColorize();
  return hint;
}

function showHint(hint) {
  const number = hints.indexOf(hint) + 1;
  const where = `(${Math.round(hint.x)}, ${Math.round(hint.y)})`;
  hint.marker.style.left = `${hint.x / after.naturalWidth * 100}%`;
  hint.marker.style.top = `${hint.y / after.naturalHeight * 100}%`;
  hint.marker.style.background = hint.color;
  hint.marker.setAttribute("aria-label", `Hint ${number} at ${where}, ${hint.color}`);
  hint.item.querySelector(".swatch").style.background = hint.color;
  hint.item.children[1].textContent = `Hint ${number} at ${where}`;
  hint.item.querySelector("input").setAttribute("aria-label", `Color of hint ${number}`);
  hint.item.querySelector("button").setAttribute("aria-label", `Remove hint ${number}`);
}

function renumber() {
  hints.forEach(showHint);
  clearHints.disabled = hints.length === 0;
}

function removeHint(hint) {
  const index = hints.indexOf(hint);
  hints.splice(index, 1);
  const hadFocus = hint.marker === document.activeElement;
  hint.marker.remove();
  hint.item.remove();
  renumber();
  // A keyboard user keeps a place: the next hint, else the button that adds one.
  if (hadFocus) (hints[Math.min(index, hints.length - 1)]?.marker || addHintButton).focus();
  scheduleColorize();
}

function removeAllHints() {
  const had = hints.length > 0;
  while (hints.length) {
    const hint = hints.pop();
    hint.marker.remove();
    hint.item.remove();
  }
  renumber();
  return had;
}

function moveByKey(hint, event) {
  const step = event.shiftKey ? 5 * KEY_STEP : KEY_STEP;
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    removeHint(hint);
    return;
  }
  if (!(event.key in moves)) return;
  event.preventDefault();
  const [dx, dy] = moves[event.key];
  Object.assign(hint, inPhoto(hint.x + dx * step * after.naturalWidth,
                              hint.y + dy * step * after.naturalHeight));
  showHint(hint);
  scheduleColorize();
}

function drag(hint, event) {
  event.preventDefault();
  hint.marker.setPointerCapture(event.pointerId);
  const follow = (move) => { Object.assign(hint, photoPoint(move)); showHint(hint); };
  hint.marker.addEventListener("pointermove", follow);
  hint.marker.addEventListener("pointerup", () => {
    hint.marker.removeEventListener("pointermove", follow);
    scheduleColorize();
  }, { once: true });
}

compare.addEventListener("click", (event) => {
  if (hintsBox.hidden || event.target.closest(".hint-marker, .divider")) return;
  const { x, y } = photoPoint(event);
  addHint(x, y, hintColor.value);
  setDivider(0);  // a hint is judged on the colored photo: show all of it
});
addHintButton.addEventListener("click", () => {
  const hint = addHint(after.naturalWidth / 2, after.naturalHeight / 2, hintColor.value);
  setDivider(0);
  hint.marker.focus();  // the arrow keys move it from here
});
for (const preset of document.querySelectorAll(".preset")) {
  preset.addEventListener("click", () => { hintColor.value = preset.dataset.color; });
}
clearHints.addEventListener("click", () => { if (removeAllHints()) scheduleColorize(); });
