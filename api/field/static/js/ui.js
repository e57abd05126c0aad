// Small DOM helpers shared by the views.

/** h("button", { class: "big", onclick }, "text", child...) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A row of big buttons choosing one value; `onchange(value)` on each tap. */
export function choice(name, options, current, onchange) {
  const group = h("div", { class: "choices", role: "radiogroup", dataset: { field: name } });
  for (const [value, label] of options) {
    const button = h(
      "button",
      { type: "button", class: "choice", role: "radio", "aria-checked": String(value === current), dataset: { value } },
      label,
    );
    button.addEventListener("click", () => {
      group.querySelectorAll(".choice").forEach((b) => b.setAttribute("aria-checked", String(b === button)));
      onchange(value);
    });
    group.append(button);
  }
  return group;
}

/** Toggle chips choosing several values. */
export function chips(name, options, selected, onchange) {
  const group = h("div", { class: "choices", dataset: { field: name } });
  const chosen = new Set(selected);
  for (const [value, label] of options) {
    const button = h(
      "button",
      { type: "button", class: "choice", "aria-pressed": String(chosen.has(value)), dataset: { value } },
      label,
    );
    button.addEventListener("click", () => {
      if (chosen.has(value)) chosen.delete(value);
      else chosen.add(value);
      button.setAttribute("aria-pressed", String(chosen.has(value)));
      onchange([...chosen]);
    });
    group.append(button);
  }
  return group;
}

export function field(label, control, name) {
  return h("label", { class: "field", dataset: { field: name } }, h("span", { class: "label" }, label), control);
}

export function toast(text) {
  const note = h("div", { class: "toast", role: "status" }, text);
  document.body.append(note);
  setTimeout(() => note.remove(), 3500);
}

export function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
