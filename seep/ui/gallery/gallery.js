// Seep gallery: a page of thumbnails as one element. A card is a link to its Review page
// (so a middle click or Ctrl+click opens a new tab); a plain click or Enter hands the
// image id to Python instead, which opens Review in this session and keeps the Browse
// order for previous / next.
//
// Streamlit calls this function on every rerun; the cards are rebuilt only when they change.

function render(root, cards, open) {
  root.replaceChildren(
    ...cards.map((c) => {
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
      a.append(img, meta);
      a.addEventListener("click", (e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // the browser's own new-tab
        e.preventDefault();
        open(c.id);
      });
      return a;
    }),
  );
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data) return;
  let root = parentElement.querySelector(".seep-gallery");
  if (!root) {
    root = document.createElement("div");
    root.className = "seep-gallery";
    parentElement.appendChild(root);
  }
  const cards = data.cards || [];
  const shown = root.__cards || [];
  const same =
    shown.length === cards.length &&
    shown.every((c, i) => c.id === cards[i].id && c.status === cards[i].status && c.label === cards[i].label && c.src === cards[i].src);
  if (!same) {
    render(root, cards, (id) => setTriggerValue("open", id));
    root.__cards = cards;
  }
}
