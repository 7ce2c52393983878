// The API key: typed once per tab and kept in sessionStorage only, so it is gone when the tab
// closes, never written to disk by localStorage, never put in a URL (URLs end in logs and history);
// every call the page makes sends it as Authorization: Bearer. Without one the page works only on
// a service running with AUTH_REQUIRED=false.
const STORE = "sqllint.apiKey";

export function apiKey() {
  try {
    return sessionStorage.getItem(STORE) || "";
  } catch {
    return ""; // storage refused (a privacy mode): the key lives in the field only
  }
}

export function authHeaders(key = apiKey()) {
  return key ? { Authorization: `Bearer ${key}` } : {};
}

// Fill the field from this tab's storage and keep the storage in step with it.
export function keepKey(input) {
  input.value = apiKey();
  input.addEventListener("input", () => {
    const key = input.value.trim();
    try {
      if (key) sessionStorage.setItem(STORE, key);
      else sessionStorage.removeItem(STORE);
    } catch {
      // no storage: nothing is kept
    }
  });
}

// A report link cannot send a header; with a key the page fetches the report and saves it itself.
export async function download(link) {
  const answer = await fetch(link.href, { headers: authHeaders() });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  const url = URL.createObjectURL(await answer.blob());
  const save = document.createElement("a");
  save.href = url;
  save.download = link.getAttribute("download") || "";
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
