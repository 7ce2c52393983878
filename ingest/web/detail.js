// One file's violations, beside its source lines when the page has the source (the text pasted,
// the .sql file chosen, or the member of the ZIP chosen), else listed with their line numbers.

const DOCS = "https://docs.sqlfluff.com/en/stable/reference/rules.html";
const RULE_CODE = /^[A-Z]{2}[0-9]{2}$/;

// The same links as reports.rule_url: a rule's anchor; PRS and TMP to how errors are silenced.
export function ruleUrl(code) {
  if (RULE_CODE.test(code)) return `${DOCS}#rule-${code}`;
  if (code === "PRS" || code === "TMP") return `${DOCS}#inline-ignoring-errors`;
  return DOCS;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null));
  return node;
}

function where(v) {
  if (v.start_line_no == null) return "whole file";
  return `line ${v.start_line_no}, column ${v.start_line_pos ?? "?"}`;
}

function violationItem(v, rules) {
  const rule = rules.get(v.code);
  const name = v.name || (rule ? rule.name : "");
  return el(
    "li", { class: v.warning ? "violation warning" : "violation", "data-code": v.code,
            "data-line": String(v.start_line_no ?? ""), "data-pos": String(v.start_line_pos ?? "") },
    el("a", { href: ruleUrl(v.code), class: "rule", rel: "noreferrer", target: "_blank",
              title: rule ? `${rule.code}: ${rule.description} (documentation, opens in a new tab)`
                          : "SQLFluff's rules reference (opens in a new tab)",
              text: v.code }),
    name ? el("span", { class: "rule-name", text: ` ${name}` }) : null,
    el("span", { class: "where", text: ` (${where(v)})` }),
    el("span", { class: "description", text: `: ${v.description}` }),
    v.warning ? el("span", { class: "tag", text: " warning" }) : null,
  );
}

function byLine(violations) {
  const lines = new Map();
  for (const v of violations) {
    const line = v.start_line_no ?? 0;
    if (!lines.has(line)) lines.set(line, []);
    lines.get(line).push(v);
  }
  return lines;
}

function sourceView(source, violations, rules) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const found = byLine(violations);
  const list = el("ol", { class: "source", "aria-label": "Source lines with their violations" });
  lines.forEach((text, index) => {
    const here = found.get(index + 1) || [];
    const item = el("li", { class: here.length ? "line flagged" : "line", "data-line": String(index + 1) },
      el("span", { class: "number", "aria-hidden": "true", text: String(index + 1) }),
      el("code", { text: text || " " }));
    if (here.length) item.append(el("ul", { class: "violations" }, ...here.map((v) => violationItem(v, rules))));
    list.append(item);
  });
  const outside = violations.filter((v) => !v.start_line_no || v.start_line_no > lines.length);
  const extra = outside.length ? el("ul", { class: "violations" }, ...outside.map((v) => violationItem(v, rules))) : null;
  return [extra, list];
}

// Fill `container` with the record of one file; `source` is its text or null.
export function showFile(container, file, record, source, rules) {
  const violations = record.violations || [];
  const parts = [el("h3", { id: "detail-title", text: file.file_name })];
  if (record.error) {
    parts.push(el("p", { class: "error", text: `${record.error.code}: ${record.error.message}` }));
  }
  parts.push(el("p", { class: "summary", text: violations.length === 1 ? "1 violation" : `${violations.length} violations` }));
  if (source !== null) {
    parts.push(...sourceView(source, violations, rules));
  } else {
    parts.push(el("p", { class: "hint", text: "The source of this file is not available in the page: violations by line." }));
    parts.push(el("ul", { class: "violations" }, ...violations.map((v) => violationItem(v, rules))));
  }
  container.replaceChildren(...parts.filter((part) => part !== null));
  container.setAttribute("aria-labelledby", "detail-title");
}

export function showMessage(container, text, isError = false) {
  container.replaceChildren(el("p", { class: isError ? "error" : "hint", text }));
}
