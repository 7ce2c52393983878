// The page: a form that submits a job, a live list of its files, one file's violations, downloads.
import { follow, fileRecord, submitJob } from "./jobs.js";
import { apiKey, download, keepKey } from "./key.js";
import { showFile, showMessage } from "./detail.js";
import { zipMembers, zipText, decodeSql } from "./zip.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const rules = new Map(data.rules.map((rule) => [rule.code, rule]));
const knownRefs = new Set(data.rules.flatMap((r) => [r.code, r.name, ...r.groups, ...r.aliases]).map((s) => s.toLowerCase()));
const RULE_REF = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/; // what the service accepts as one reference
const FORMAT_NAMES = { json: "SQLFluff JSON", sarif: "SARIF 2.1.0", junit: "JUnit XML", github: "GitHub annotations",
                       gitlab: "GitLab Code Quality", checkstyle: "Checkstyle XML", human: "Plain text" };

const $ = (id) => document.getElementById(id);
const form = $("job-form");
const fileInput = $("file");
let current = null; // {jobId, source: {kind, text?, file?, members?}, stop}
keepKey($("api-key"));

// Source: pasted text or a chosen file.
function sourceKind() {
  return form.elements.source.value;
}
function showSource() {
  $("text-source").hidden = sourceKind() !== "text";
  $("file-source").hidden = sourceKind() !== "file";
}
for (const radio of form.elements.source) radio.addEventListener("change", showSource);
const dropZone = $("drop-zone");
for (const target of [$("text-source"), dropZone]) {
  target.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
  target.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
  target.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("dragging");
    if (!event.dataTransfer.files.length) return;
    fileInput.files = event.dataTransfer.files;
    form.elements.source.value = "file";
    showSource();
    $("drop-hint").textContent = `Chosen: ${fileInput.files[0].name}`;
  });
}
fileInput.addEventListener("change", () => {
  $("drop-hint").textContent = fileInput.files.length ? `Chosen: ${fileInput.files[0].name}` : "Choose a file, or drop one here.";
});

// Rule inputs: a hint as the user types. The service is the judge: a hint never blocks a submission.
function ruleHint(input) {
  const hint = $(`${input.id}-hint`);
  const refs = input.value.split(",").map((s) => s.trim()).filter(Boolean);
  const malformed = refs.filter((r) => !RULE_REF.test(r));
  const unknown = refs.filter((r) => RULE_REF.test(r) && !knownRefs.has(r.toLowerCase()));
  let text = hint.dataset.default;
  if (malformed.length) text = `Not a rule reference: ${malformed.join(", ")}. Separate rules with commas.`;
  else if (unknown.length) text = `Not a rule of SQLFluff ${data.sqlfluff_version}: ${unknown.join(", ")}.`;
  hint.textContent = text;
  hint.classList.toggle("warn", text !== hint.dataset.default);
  input.setAttribute("aria-invalid", malformed.length ? "true" : "false");
}
for (const input of [$("rules"), $("exclude-rules")]) input.addEventListener("input", () => ruleHint(input));

function showError(error) {
  const box = $("form-error");
  box.replaceChildren();
  const code = document.createElement("strong");
  code.textContent = error.code;
  box.append(code, `: ${error.message}`);
  box.dataset.code = error.code;
  box.hidden = false;
}

function request() {
  const options = { dialect: $("dialect").value, rules: $("rules").value.trim(), exclude_rules: $("exclude-rules").value.trim() };
  if (sourceKind() === "text") {
    const text = $("sql").value;
    const body = { sql_content: text, dialect: options.dialect };
    if ($("file-name").value.trim()) body.file_name = $("file-name").value.trim();
    if (options.rules) body.rules = options.rules;
    if (options.exclude_rules) body.exclude_rules = options.exclude_rules;
    return [{ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, { kind: "text", text }];
  }
  const file = fileInput.files[0];
  const body = new FormData();
  if (file) body.append("file", file, file.name);
  for (const [name, value] of Object.entries(options)) if (value) body.append(name, value);
  const kind = file && file.name.toLowerCase().endsWith(".zip") ? "zip" : "sql";
  return [{ method: "POST", body }, { kind, file }];
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("form-error").hidden = true;
  const button = $("submit");
  button.disabled = true;
  try {
    const [options, source] = request();
    const accepted = await submitJob(options);
    start(accepted, source);
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
});

// The job: progress, its files as they finish, the downloads once it ends.
function start(accepted, source) {
  if (current) current.stop();
  const jobId = accepted.job_id;
  current = { jobId, source, stop: () => {} };
  $("no-job").hidden = true;
  $("job").hidden = false;
  $("job").dataset.jobId = jobId;
  delete $("job").dataset.status;
  const shown = source.kind === "text" ? $("file-name").value.trim() || "pasted SQL" : source.file.name;
  $("job-summary").textContent = `Job ${jobId}: ${shown}`;
  $("files").replaceChildren();
  $("downloads").hidden = true;
  showMessage($("detail"), "Choose a file to see its violations.");
  progress({ task_count: null, done: 0, succeeded: 0, failed: 0 });
  const mine = current;
  current.stop = follow(jobId, {
    transport: (name) => { $("job").dataset.transport = name; },
    file: (file) => { if (current === mine) addFile(file); },
    progress: (p) => { if (current === mine) progress(p); },
    end: (e) => { if (current === mine) ended(e); },
    error: (error) => { if (current === mine) showError(error); },
  });
}

function progress(p) {
  const bar = $("progress");
  bar.max = Math.max(p.task_count || 1, 1);
  bar.value = p.done;
  const total = p.task_count == null ? "?" : p.task_count;
  const failed = p.failed ? `, ${p.failed} failed` : "";
  $("progress-text").textContent = `${p.done} of ${total} files linted${failed}`;
}

function addFile(file) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `file ${file.status.toLowerCase()}${file.violations === 0 ? " clean" : ""}`;
  button.dataset.taskId = file.task_id;
  const count = file.status === "SUCCESS" ? (file.violations === 1 ? "1 violation" : `${file.violations} violations`)
                                          : `failed: ${file.error_code || "error"}`;
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = file.file_name;
  const badge = document.createElement("span");
  badge.className = "count";
  badge.textContent = count;
  button.append(name, " ", badge);
  button.addEventListener("click", () => openFile(file, button));
  const item = document.createElement("li");
  item.dataset.status = file.status;
  item.append(button);
  $("files").append(item);
}

function ended(e) {
  progress({ task_count: e.task_count, done: e.tasks_succeeded + e.tasks_failed, succeeded: e.tasks_succeeded, failed: e.tasks_failed });
  $("job").dataset.status = e.job_status;
  $("progress-text").textContent += `. Job ${e.job_status.toLowerCase().replace("_", " ")}.`;
  const links = data.formats.map((f) => {
    const a = document.createElement("a");
    a.href = `/api/v1/jobs/${e.job_id}/results?format=${encodeURIComponent(f.name)}`;
    a.textContent = `${FORMAT_NAMES[f.name] || f.name} (.${f.extension})`;
    a.dataset.format = f.name;
    a.setAttribute("download", `sqllint-${e.job_id}.${f.extension}`);
    a.addEventListener("click", (event) => {
      if (!apiKey()) return; // a plain link: the service runs without keys
      event.preventDefault();
      download(a).catch((error) => showError({ code: "DOWNLOAD_FAILED", message: error.message }));
    });
    const item = document.createElement("li");
    item.append(a);
    return item;
  });
  $("download-links").replaceChildren(...links);
  $("downloads").hidden = false;
}

async function sourceOf(source, fileName) {
  if (source.kind === "text") return source.text;
  if (!source.file) return null;
  if (source.kind === "sql") return decodeSql(await source.file.arrayBuffer());
  source.members ??= await zipMembers(source.file);
  return zipText(source.file, source.members, fileName);
}

async function openFile(file, button) {
  for (const other of $("files").querySelectorAll("button[aria-current]")) other.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  const detail = $("detail");
  const job = current;
  showMessage(detail, `Loading ${file.file_name}...`);
  try {
    const [record, source] = await Promise.all([fileRecord(file.task_id), sourceOf(job.source, file.file_name).catch(() => null)]);
    if (current !== job) return;
    showFile(detail, file, record, source, rules);
    detail.focus();
  } catch (error) {
    showMessage(detail, `${error.code}: ${error.message}`, true);
  }
}
