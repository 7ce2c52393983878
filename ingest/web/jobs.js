// Talking to the API: submitting a job, following it live, reading one file's record.
// Following reads the job's Server-Sent Events with fetch (stream.js says why not EventSource);
// when streams are missing or the stream fails for good, it polls GET /api/v1/jobs/{id} instead,
// and the callbacks cannot tell the difference. Every call sends the tab's API key (key.js).
import { authHeaders } from "./key.js";
import { readEvents } from "./stream.js";

const FINAL_JOB = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED"]);
const FINAL_TASK = new Set(["SUCCESS", "FAILURE"]);
const POLL_MS = 1000;
const PAGE_SIZE = 500;
const STREAM_FAILURES = 3; // errors in a row, without an event between them, before polling instead
const RETRY_MS = 1000; // before reconnecting a dropped stream, as EventSource waits by default

// An API answer that is not 2xx, with the service's {error: {code, message}} when it sent one.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, options = {}) {
  let answer;
  try {
    answer = await fetch(path, { ...options, headers: { ...(options.headers || {}), ...authHeaders() } });
  } catch (error) {
    throw new ApiError(0, "NETWORK_ERROR", `the service did not answer (${error.message})`);
  }
  const text = await answer.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!answer.ok) {
    const error = body && body.error ? body.error : { code: `HTTP_${answer.status}`, message: text.slice(0, 200) };
    throw new ApiError(answer.status, error.code, error.message);
  }
  return body;
}

export function submitJob(submission) {
  return api("/api/v1/jobs", submission);
}

// One file's stored record; retried briefly while the sink has not written it yet (409).
export async function fileRecord(taskId, attempts = 20) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api(`/api/v1/tasks/${taskId}/result`);
    } catch (error) {
      if (error.status !== 409 || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

// Calls on.file(f) once per finished file (in file order), on.progress(p), then on.end(e) once;
// on.transport(name) says which way the page follows ("events" or "polling"). Returns a stop function.
export function follow(jobId, on) {
  const seen = new Set();
  let stopped = false;
  let timer = null;
  const controller = new AbortController();
  const file = (data) => {
    if (!seen.has(data.task_id)) {
      seen.add(data.task_id);
      on.file(data);
    }
  };
  const stop = () => {
    stopped = true;
    controller.abort();
    clearTimeout(timer);
  };
  const finish = (data) => {
    stop();
    on.end(data);
  };

  const poll = async () => {
    if (stopped) return;
    try {
      const job = await api(`/api/v1/jobs/${jobId}?size=${PAGE_SIZE}`);
      const tasks = await allTasks(jobId, job);
      tasks.sort((a, b) => a.ordinal - b.ordinal);
      for (const task of tasks.filter((t) => FINAL_TASK.has(t.task_status))) file(fileOfTask(task));
      const done = job.tasks_succeeded + job.tasks_failed;
      on.progress({ task_count: job.task_count, done, succeeded: job.tasks_succeeded, failed: job.tasks_failed });
      if (FINAL_JOB.has(job.job_status)) {
        finish({ job_id: job.job_id, job_status: job.job_status, task_count: job.task_count,
                 tasks_succeeded: job.tasks_succeeded, tasks_failed: job.tasks_failed });
        return;
      }
    } catch (error) {
      if (error.status >= 400 && error.status < 500) {
        stop();
        on.error(error);
        return;
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  const startPolling = () => {
    on.transport("polling");
    poll();
  };
  const handlers = { file, progress: (data) => on.progress(data), end: finish };
  let lastId = null;
  let failures = 0;
  const listen = async () => {
    while (!stopped) {
      try {
        const resume = lastId ? { "Last-Event-ID": lastId } : {};
        const headers = { Accept: "text/event-stream", ...authHeaders(), ...resume };
        const answer = await fetch(`/api/v1/jobs/${jobId}/events`, { headers, signal: controller.signal, cache: "no-store" });
        // Not a stream (no such route, an error status): polling reports the error as it finds it.
        if (!answer.ok || !answer.body) return stopped || startPolling();
        await readEvents(answer.body, (name, data, id) => {
          if (stopped || !handlers[name]) return;
          if (id !== null) lastId = id;
          failures = -1; // an event came: this connection counts as a success when it drops
          handlers[name](JSON.parse(data));
        });
      } catch {
        // dropped, refused, or aborted by stop()
      }
      if (stopped) return;
      failures += 1;
      if (failures >= STREAM_FAILURES) return startPolling();
      await new Promise((resolve) => { timer = setTimeout(resolve, RETRY_MS); });
    }
  };

  if (typeof ReadableStream !== "function" || typeof TextDecoderStream !== "function") {
    startPolling();
    return stop;
  }
  on.transport("events");
  listen();
  return stop;
}

async function allTasks(jobId, first) {
  const tasks = [...first.tasks];
  for (let page = 2; tasks.length < (first.task_count || 0) && page <= 1000; page += 1) {
    const next = await api(`/api/v1/jobs/${jobId}?size=${PAGE_SIZE}&page=${page}`);
    if (next.tasks.length === 0) break;
    tasks.push(...next.tasks);
  }
  return tasks;
}

function fileOfTask(task) {
  return { task_id: task.task_id, file_name: task.file_name, status: task.task_status,
           violations: task.violation_count || 0, error_code: task.error ? task.error.code : null };
}
