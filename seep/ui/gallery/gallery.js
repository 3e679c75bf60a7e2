// Seep gallery: a page of thumbnails as one element. A card is a link to its Review page
// (so a middle click or Ctrl+click opens a new tab); a plain click or Enter hands the
// image id to Python instead, which opens Review in this session and keeps the Browse
// order for previous / next.
//
// Where Python allows it (a reviewer looking at the model's predictions), a card whose
// prediction may be accepted from here has a checkbox beside its link (not inside it: a
// control inside a link would open the tile); the ticked ids go back to Python as state.
//
// Streamlit calls this function on every rerun; the cards are rebuilt only when they change.

function card(c, open, pick) {
  const cell = document.createElement("div");
  cell.className = "cell";
  const a = document.createElement("a");
  a.className = "card";
  a.href = `review?image=${encodeURIComponent(c.id)}`;
  a.dataset.id = c.id;
  a.dataset.testid = "seep-card";
  a.title = `Open ${c.name} in Review`;
  const img = document.createElement("img");
  img.src = c.src;
  img.alt = c.name;
  img.decoding = "async";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = c.name;
  const status = document.createElement("span");
  status.className = `status s-${c.status}`;
  status.textContent = c.label;
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.append(name, status);
  if (c.note) {
    // Text, never markup; the whole note in the tooltip, for a reviewer scanning the page.
    const note = document.createElement("span");
    note.className = "note";
    note.dataset.testid = "seep-card-note";
    note.textContent = "note";
    note.title = c.note;
    a.append(note);
    a.title += ` · note: ${c.note}`;
  }
  if (c.near) {
    // Over the thumbnail's foot, in the installations' magenta: which one it lies near, as text.
    const near = document.createElement("span");
    near.className = "near";
    near.dataset.testid = "seep-card-near";
    near.textContent = c.near;
    a.append(near);
    a.title += ` · nearest installation: ${c.near}`;
  }
  a.append(img, meta);
  a.addEventListener("click", (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // the browser's own new-tab
    e.preventDefault();
    open(c.id);
  });
  cell.append(a);
  if (pick) cell.append(pick);
  return cell;
}

function checkbox(c, selected, changed) {
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "pick";
  box.dataset.testid = "seep-pick";
  box.dataset.id = c.id;
  box.checked = selected.has(c.id);
  box.setAttribute("aria-label", `Select ${c.name}`);
  box.title = `Select ${c.name} to accept its prediction as it is`;
  box.addEventListener("change", () => {
    if (box.checked) selected.add(c.id);
    else selected.delete(c.id);
    changed();
  });
  return box;
}

function render(root, data, open, send) {
  const cards = data.cards || [];
  const selectable = new Set(data.select ? cards.filter((c) => c.selectable).map((c) => c.id) : []);
  const before = root.__selected || new Set();
  const selected = new Set([...before].filter((id) => selectable.has(id)));
  root.__selected = selected;
  const boxes = [];
  const changed = () => {
    all.checked = selectable.size > 0 && selected.size === selectable.size;
    all.indeterminate = selected.size > 0 && !all.checked;
    send([...selected]);
  };
  const all = document.createElement("input");
  all.type = "checkbox";
  all.dataset.testid = "seep-pick-all";
  all.addEventListener("change", () => {
    for (const b of boxes) {
      b.checked = all.checked;
      if (all.checked) selected.add(b.dataset.id);
      else selected.delete(b.dataset.id);
    }
    changed();
  });
  const cells = cards.map((c) => {
    const pick = selectable.has(c.id) ? checkbox(c, selected, changed) : null;
    if (pick) boxes.push(pick);
    return card(c, open, pick);
  });
  const head = [];
  if (data.select) {
    const label = document.createElement("label");
    label.className = "pick-all";
    label.append(all, ` Select the ${selectable.size} on this page whose prediction can be accepted here`);
    all.disabled = selectable.size === 0;
    head.push(label);
  }
  root.replaceChildren(...head, ...cells);
  all.checked = selectable.size > 0 && selected.size === selectable.size;
  all.indeterminate = selected.size > 0 && !all.checked;
  if (selected.size !== before.size) send([...selected]); // ticked tiles that left the page, or can no longer be
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  if (!data) return;
  let root = parentElement.querySelector(".seep-gallery");
  if (!root) {
    root = document.createElement("div");
    root.className = "seep-gallery";
    parentElement.appendChild(root);
  }
  const key = JSON.stringify(data);
  if (root.__key !== key) {
    render(
      root,
      data,
      (id) => setTriggerValue("open", id),
      (ids) => setStateValue("selected", ids),
    );
    root.__key = key;
  }
}
