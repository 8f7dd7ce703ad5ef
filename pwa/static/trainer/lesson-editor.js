// The trainer's lesson editor: a toolbar that writes the Markdown into the text at the cursor,
// the short name for the web address filled from the title, and the picture button. A plain
// file (no inline script, no eval) for the strict Content-Security-Policy; without it the form
// still works, the trainer then types the Markdown the hint under the text shows.

const form = document.querySelector("form.lesson-form");
const text = form?.querySelector("#body_md");

/** "Tài khoản an sinh" → "tai-khoan-an-sinh": the rule of drafts.slug_from_title. */
export function slugFromTitle(title) {
  return String(title ?? "")
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
}

/** Replace the selection with `before + (selected or placeholder) + after`, then select the
 * placeholder (or the selected words) so that the trainer types over it. */
function wrap(before, after, placeholder) {
  const { selectionStart: start, selectionEnd: end, value } = text;
  const chosen = value.slice(start, end) || placeholder;
  text.setRangeText(before + chosen + after, start, end, "end");
  const from = start + before.length;
  text.setSelectionRange(from, from + chosen.length);
  changed();
}

/** Put `prefix` at the start of each line the selection touches (a new line if the cursor is
 * inside text). Numbered lists count from 1. */
function prefixLines(prefix, placeholder) {
  const { selectionStart: start, selectionEnd: end, value } = text;
  const lineStart = value.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = value.indexOf("\n", end) === -1 ? value.length : value.indexOf("\n", end);
  const lines = value.slice(lineStart, lineEnd).split("\n");
  const blank = lines.length === 1 && !lines[0].trim();
  const written = (blank ? [placeholder] : lines)
    .map((line, i) => (typeof prefix === "function" ? prefix(i) : prefix) + line)
    .join("\n");
  // A block needs an empty line before it, unless it starts the text.
  const gap = lineStart > 0 && value.slice(0, lineStart).trim() && !value.slice(0, lineStart).endsWith("\n\n") ? "\n" : "";
  text.setRangeText(gap + written, lineStart, lineEnd, "end");
  if (blank) {
    const from = lineStart + gap.length + written.length - placeholder.length;
    text.setSelectionRange(from, from + placeholder.length);
  }
  changed();
}

function changed() {
  text.focus();
  text.dispatchEvent(new Event("input", { bubbles: true }));
}

const actions = {
  heading: (b) => prefixLines("## ", b.dataset.placeholder),
  bullets: (b) => prefixLines("- ", b.dataset.placeholder),
  steps: (b) => prefixLines((i) => `${i + 1}. `, b.dataset.placeholder),
  bold: (b) => wrap("**", "**", b.dataset.placeholder),
  note: (b) => prefixLines(`> **${b.dataset.label}** `, b.dataset.placeholder),
  link: (b) => {
    const address = window.prompt(b.dataset.ask, "https://");
    if (!address || !/^(https?:\/\/|mailto:|tel:)\S+$/.test(address.trim())) return;
    wrap("[", `](${address.trim()})`, b.dataset.placeholder);
  },
  image: () => {
    // The picture is checked and shrunk on the server, which puts it where the cursor was:
    // open the picker; "Upload and add to the text" sends it.
    const picture = form.querySelector("#image");
    picture?.scrollIntoView({ block: "center" });
    picture?.click();
  },
};

if (form && text) {
  const toolbar = form.querySelector(".md-toolbar");
  toolbar?.removeAttribute("hidden");
  toolbar?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-md]");
    if (!button) return;
    event.preventDefault();
    actions[button.dataset.md]?.(button);
  });
  // A word from the glossary: the selected words (or the word itself) open its definition.
  const words = toolbar?.querySelector("select[data-md=glossary]");
  words?.addEventListener("change", () => {
    const option = words.selectedOptions[0];
    if (!option?.value) return;
    wrap("[", `](glossary:${option.value})`, option.dataset.word || option.textContent);
    words.value = "";
  });
  // Remember the cursor so an uploaded picture lands there, not at the end.
  const cursor = form.querySelector("input[name=cursor]");
  const keep = () => { if (cursor) cursor.value = String(text.selectionStart); };
  for (const type of ["keyup", "click", "select", "input", "blur"]) text.addEventListener(type, keep);

  // In the preview, a glossary word shows its definition as on the phone (a box, not a jump).
  form.addEventListener("click", (event) => {
    const link = event.target.closest("#preview a.term[data-term]");
    if (!link) return;
    event.preventDefault();
    const word = form.querySelector(`#preview dt#term-${CSS.escape(link.dataset.term)}`);
    if (!word) return;
    form.querySelector(".term-box")?.remove();
    const box = document.createElement("div");
    box.className = "term-box";
    box.setAttribute("role", "dialog");
    const title = document.createElement("h2");
    title.textContent = word.textContent;
    const meaning = document.createElement("p");
    meaning.textContent = word.nextElementSibling?.textContent || "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "primary";
    close.textContent = "×";
    close.setAttribute("aria-label", toolbar?.dataset.close || "Close");
    close.addEventListener("click", () => { box.remove(); link.focus(); });
    box.append(title, meaning, close);
    form.append(box);
    close.focus();
  });

  const slug = form.querySelector("#slug");
  const title = form.querySelector("#title");
  if (slug && title) {
    // Filled from the title until the trainer writes one of their own.
    let own = slug.value !== "" && slug.value !== slugFromTitle(title.value);
    slug.addEventListener("input", () => { own = slug.value !== ""; });
    title.addEventListener("input", () => { if (!own) slug.value = slugFromTitle(title.value); });
  }
}
